"""The request's transaction: committed after a clean operation and after a query whose
only errors are the caller's (a refused field), so the audit trail of what was served
is kept; rolled back after an internal error or any error of a mutation."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry

from talent_platform.auth import Principal
from talent_platform.errors import Forbidden
from talent_platform.graphql import TalentContext, TalentSchema, TransactionExtension
from talent_platform.settings import ServiceSettings


class RecordingSession:
    """Stands in for the request's AsyncSession: records how the request ended."""

    def __init__(self) -> None:
        self.ended: list[str] = []

    async def commit(self) -> None:
        self.ended.append("commit")

    async def rollback(self) -> None:
        self.ended.append("rollback")


def _refuse() -> str:
    raise Forbidden("HR only")


def _fail() -> str:
    raise RuntimeError("a bug")


@strawberry.type
class Query:
    @strawberry.field
    def ok(self, info: strawberry.Info[TalentContext, None]) -> str:
        info.context.session  # noqa: B018 (opens the request's session, as an audited read does)
        return "served"

    refused: str | None = strawberry.field(resolver=_refuse)
    broken: str | None = strawberry.field(resolver=_fail)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def change(self, info: strawberry.Info[TalentContext, None]) -> str | None:
        info.context.session  # noqa: B018
        raise Forbidden("HR only")


schema = TalentSchema(query=Query, mutation=Mutation, extensions=[TransactionExtension])


@pytest.mark.parametrize(
    ("document", "ended"),
    [
        ("{ ok }", ["commit"]),
        ("{ ok refused }", ["commit"]),  # the served part's audit entries are kept
        ("{ ok broken }", ["rollback"]),
        ("mutation { change }", ["rollback"]),
    ],
)
async def test_how_a_request_ends(document: str, ended: list[str]) -> None:
    session = RecordingSession()
    context = TalentContext.with_session(
        session,  # type: ignore[arg-type]
        principal=Principal(subject="x", employee_id=None),
        settings=ServiceSettings(),
    )
    result: Any = await schema.execute(document, context_value=context)
    assert result.data is not None
    assert session.ended == ended
