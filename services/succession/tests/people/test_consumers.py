"""The projection of people's employees, and key roles and slates following it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talent_contracts import EventPayload, parse_payload
from talent_contracts.people import (
    EmployeeHired,
    EmployeeSnapshot,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
)
from talent_contracts.succession import KeyRoleVacated, SuccessorRemoved
from talent_platform.events import Envelope
from talent_succession.audit.models import AuditEntry
from talent_succession.consumers import registry
from talent_succession.db import messaging
from talent_succession.key_roles.models import KeyRole
from talent_succession.people.models import EmployeeProjection
from talent_succession.slates.models import Nomination

from ..factories import deliver

MINUTE = dt.timedelta(minutes=1)


def snapshot(number: str, **changes: object) -> EmployeeSnapshot:
    values: dict[str, object] = {
        "employee_id": uuid.uuid5(uuid.NAMESPACE_URL, f"talent-succession-test/{number}"),
        "employee_number": number,
        "name": f"Employee {number}",
        "email": f"{number.lower()}@example.com",
        "hire_date": dt.date(2020, 1, 6),
        "status": "active",
        "job_profile_code": "cfo",
        "org_unit_code": "finance",
        "location": "Lisbon",
        "manager_id": None,
    }
    values.update(changes)
    return EmployeeSnapshot.model_validate(values)


def hire(session: Session, number: str, **changes: object) -> EmployeeSnapshot:
    employee = snapshot(number, **changes)
    deliver(session, EmployeeHired(employee_id=employee.employee_id, employee=employee))
    return employee


def role_held_by(session: Session, employee: EmployeeSnapshot, code: str = "CFO") -> KeyRole:
    role = KeyRole(
        id=uuid.uuid4(),
        code=code,
        title="Chief Financial Officer",
        job_profile_code="cfo",
        incumbent_id=employee.employee_id,
        criticality="high",
    )
    session.add(role)
    session.flush()
    return role


def published(session: Session, event_type: str) -> list[object]:
    rows = session.execute(
        select(messaging.outbox.c.payload).where(messaging.outbox.c.event_type == event_type)
    ).all()
    return [parse_payload(event_type, payload) for (payload,) in rows]


def test_hire_update_and_transfer_keep_the_projection_current(sync_session: Session) -> None:
    boss = hire(sync_session, "E1")
    ada = hire(sync_session, "E2", manager_id=boss.employee_id, org_unit_code="audit")
    row = sync_session.get_one(EmployeeProjection, ada.employee_id)
    assert (row.status, row.manager_id, row.org_unit_code, row.job_profile_code) == (
        "active",
        boss.employee_id,
        "audit",
        "cfo",
    )

    renamed = ada.model_copy(update={"name": "Ada Lovelace", "org_unit_code": "treasury"})
    deliver(
        sync_session,
        EmployeeUpdated(employee_id=ada.employee_id, employee=renamed, changed_fields=("name",)),
    )
    sync_session.refresh(row)
    assert (row.name, row.org_unit_code) == ("Ada Lovelace", "treasury")


def test_a_stale_redelivery_does_not_overwrite_a_newer_state(sync_session: Session) -> None:
    now = dt.datetime.now(dt.UTC)
    ada = snapshot("E3")
    deliver(sync_session, EmployeeHired(employee_id=ada.employee_id, employee=ada), at=now)
    older = ada.model_copy(update={"name": "Old name"})
    deliver(
        sync_session,
        EmployeeUpdated(employee_id=ada.employee_id, employee=older, changed_fields=("name",)),
        at=now - dt.timedelta(hours=1),
    )
    row = sync_session.get_one(EmployeeProjection, ada.employee_id)
    sync_session.refresh(row)
    assert row.name == "Employee E3"


def test_terminating_the_incumbent_vacates_the_key_role(sync_session: Session) -> None:
    cfo = hire(sync_session, "E10")
    successor = hire(sync_session, "E11", job_profile_code="controller")
    role = role_held_by(sync_session, cfo)
    other_role = role_held_by(sync_session, successor, code="CTRL")
    sync_session.add(
        Nomination(
            key_role_id=other_role.id,
            employee_id=cfo.employee_id,
            readiness="ready_now",
            rank=1,
            nominated_on=dt.date(2026, 1, 5),
            nominated_by="hr",
            readiness_assessed_on=dt.date(2026, 1, 5),
            review_by=dt.date(2027, 1, 5),
        )
    )
    sync_session.flush()

    left = cfo.model_copy(update={"status": "terminated"})
    deliver(
        sync_session,
        EmployeeTerminated(
            employee_id=cfo.employee_id, employee=left, terminated_on=dt.date(2026, 10, 31)
        ),
    )

    sync_session.refresh(role)
    assert (role.incumbent_id, role.vacated_on) == (None, dt.date(2026, 10, 31))
    assert published(sync_session, KeyRoleVacated.event_type) == [
        KeyRoleVacated(
            key_role_id=role.id,
            code="CFO",
            previous_incumbent_id=cfo.employee_id,
            reason="terminated",
            vacated_on=dt.date(2026, 10, 31),
        )
    ]
    # A terminated employee leaves every slate they were on.
    removed = published(sync_session, SuccessorRemoved.event_type)
    assert [(r.key_role_code, r.reason) for r in removed] == [("CTRL", "terminated")]  # type: ignore[attr-defined]
    employee = sync_session.get_one(EmployeeProjection, cfo.employee_id)
    assert (employee.status, employee.terminated_on) == ("terminated", dt.date(2026, 10, 31))
    actions = sync_session.scalars(select(AuditEntry.action).order_by(AuditEntry.action)).all()
    assert actions == ["key_role.vacated", "successor.removed"]


def test_a_transfer_out_of_the_roles_job_profile_vacates_it(sync_session: Session) -> None:
    cfo = hire(sync_session, "E20")
    role = role_held_by(sync_session, cfo)

    same_profile = cfo.model_copy(update={"manager_id": uuid.uuid4()})
    deliver(
        sync_session,
        EmployeeTransferred(
            employee_id=cfo.employee_id,
            employee=same_profile,
            previous_manager_id=None,
            previous_job_profile_code="cfo",
            effective_on=dt.date(2026, 6, 1),
        ),
        at=dt.datetime.now(dt.UTC),
    )
    sync_session.refresh(role)
    assert role.incumbent_id == cfo.employee_id

    moved = cfo.model_copy(update={"job_profile_code": "ceo"})
    deliver(
        sync_session,
        EmployeeTransferred(
            employee_id=cfo.employee_id,
            employee=moved,
            previous_manager_id=None,
            previous_job_profile_code="cfo",
            effective_on=dt.date(2026, 7, 1),
        ),
        at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1),
    )
    sync_session.refresh(role)
    assert (role.incumbent_id, role.vacated_on) == (None, dt.date(2026, 7, 1))
    vacated = published(sync_session, KeyRoleVacated.event_type)
    assert [v.reason for v in vacated] == ["transferred"]  # type: ignore[attr-defined]


def succession_state(session: Session, since: dt.datetime) -> dict[str, list[Any]]:
    session.expire_all()
    return {
        "employees": sorted(
            session.execute(
                select(
                    EmployeeProjection.employee_id,
                    EmployeeProjection.name,
                    EmployeeProjection.status,
                    EmployeeProjection.job_profile_code,
                    EmployeeProjection.terminated_on,
                    EmployeeProjection.updated_at,
                )
            ).all()
        ),
        "roles": sorted(
            session.execute(select(KeyRole.code, KeyRole.incumbent_id, KeyRole.vacated_on)).all()
        ),
        "nominations": sorted(
            session.execute(
                select(Nomination.employee_id, Nomination.removed_on, Nomination.removed_reason)
            ).all()
        ),
        "audit": sorted(session.scalars(select(AuditEntry.action)).all()),
        "published": sorted(session.scalars(select(messaging.outbox.c.event_type)).all()),
    }


def test_a_batch_of_employee_events_does_what_they_do_one_by_one(sync_session: Session) -> None:
    s = sync_session
    cfo, ctrl = hire(s, "B10"), hire(s, "B11", job_profile_code="controller")
    role = role_held_by(s, cfo)
    other_role = role_held_by(s, ctrl, code="CTRL")
    s.add(
        Nomination(
            key_role_id=other_role.id,
            employee_id=cfo.employee_id,
            readiness="ready_now",
            rank=1,
            nominated_on=dt.date(2026, 1, 5),
            nominated_by="hr",
            readiness_assessed_on=dt.date(2026, 1, 5),
            review_by=dt.date(2027, 1, 5),
        )
    )
    s.flush()
    newcomer = snapshot("B12")
    base = dt.datetime.now(dt.UTC)
    payloads: list[EventPayload] = [
        EmployeeHired(employee_id=newcomer.employee_id, employee=newcomer),
        EmployeeUpdated(
            employee_id=cfo.employee_id,
            employee=cfo.model_copy(update={"name": "C. F. O."}),
            changed_fields=("name",),
        ),
        EmployeeTerminated(
            employee_id=cfo.employee_id,
            employee=cfo.model_copy(update={"status": "terminated"}),
            terminated_on=dt.date(2026, 10, 31),
        ),
        EmployeeTransferred(
            employee_id=ctrl.employee_id,
            employee=ctrl.model_copy(update={"job_profile_code": "ceo"}),
            previous_manager_id=None,
            previous_job_profile_code="controller",
            effective_on=dt.date(2026, 11, 1),
        ),
        EmployeeHired(employee_id=newcomer.employee_id, employee=newcomer),  # stale
    ]
    items = [
        (p, dataclasses.replace(Envelope.for_payload(p, service="people"), time=base + i * MINUTE))
        for i, p in enumerate(payloads)
    ]
    items[-1] = (items[-1][0], dataclasses.replace(items[-1][1], time=base - MINUTE))

    one_by_one = s.begin_nested()
    for item in items:
        registry.apply(s, [item])
    since = s.scalar(select(func.now()))
    assert since is not None
    expected = succession_state(s, since)
    one_by_one.rollback()
    batch = s.begin_nested()
    registry.apply(s, items)
    got = succession_state(s, since)
    batch.rollback()

    assert got == expected
    assert {(code, incumbent) for code, incumbent, _ in expected["roles"]} == {
        (role.code, None),
        (other_role.code, None),
    }
    assert expected["audit"] == ["key_role.vacated", "key_role.vacated", "successor.removed"]
