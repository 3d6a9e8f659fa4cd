from __future__ import annotations

from talent_contracts.succession import ReadinessAssessed, SuccessorNominated, SuccessorRemoved
from talent_succession.key_roles.models import KeyRole
from talent_succession.slates.models import Nomination


def successor_nominated(n: Nomination, role: KeyRole) -> SuccessorNominated:
    return SuccessorNominated(
        nomination_id=n.id,
        key_role_id=role.id,
        key_role_code=role.code,
        employee_id=n.employee_id,
        readiness=n.readiness,
        rank=n.rank,
        emergency=n.emergency,
        suggestion_id=n.suggestion_id,
        nominated_on=n.nominated_on,
    )


def readiness_assessed(n: Nomination) -> ReadinessAssessed:
    return ReadinessAssessed(
        nomination_id=n.id,
        key_role_id=n.key_role_id,
        employee_id=n.employee_id,
        readiness=n.readiness,
        assessed_on=n.readiness_assessed_on,
        review_by=n.review_by,
    )


def successor_removed(n: Nomination, role: KeyRole) -> SuccessorRemoved:
    assert n.removed_on is not None
    return SuccessorRemoved(
        nomination_id=n.id,
        key_role_id=role.id,
        key_role_code=role.code,
        employee_id=n.employee_id,
        reason=n.removed_reason or "",
        removed_on=n.removed_on,
    )
