from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from talent_contracts.succession import KeyRoleDefined, KeyRoleVacated, Level
from talent_succession.key_roles.models import KeyRole


def _level(value: str | None) -> Level | None:
    return value if value in ("low", "medium", "high") else None  # type: ignore[return-value]


def key_role_defined(role: KeyRole) -> KeyRoleDefined:
    return KeyRoleDefined(
        key_role_id=role.id,
        code=role.code,
        title=role.title,
        job_profile_code=role.job_profile_code,
        incumbent_id=role.incumbent_id,
        org_unit_code=role.org_unit_code,
        criticality=_level(role.criticality) or "medium",
        risk_of_loss=_level(role.risk_of_loss),
        impact_of_loss=_level(role.impact_of_loss),
        expected_vacancy_date=role.expected_vacancy_date,
    )


def key_role_vacated(
    role: KeyRole,
    *,
    previous_incumbent_id: uuid.UUID,
    reason: Literal["terminated", "transferred", "cleared"],
    on: dt.date,
) -> KeyRoleVacated:
    return KeyRoleVacated(
        key_role_id=role.id,
        code=role.code,
        previous_incumbent_id=previous_incumbent_id,
        reason=reason,
        vacated_on=on,
    )
