"""TalentSchema: domain errors are logged as answers (INFO, no traceback), other
exceptions as faults (ERROR with the traceback)."""

from __future__ import annotations

import logging

import pytest
import strawberry

from talent_platform.errors import Forbidden
from talent_platform.graphql import TalentSchema


@strawberry.type
class Query:
    @strawberry.field
    def secret(self) -> str:
        raise Forbidden("succession data is visible to hr_leader and admin only")

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("a bug")


schema = TalentSchema(query=Query)


def test_a_domain_error_is_logged_at_info_without_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        result = schema.execute_sync("{ secret }")
    assert result.errors and "hr_leader and admin only" in result.errors[0].message
    records = [r for r in caplog.records if r.getMessage() == "domain error"]
    assert [(r.levelno, r.exc_info, getattr(r, "code", None), getattr(r, "path", None))
            for r in records] == [(logging.INFO, None, "FORBIDDEN", "secret")]  # fmt: skip
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_any_other_exception_is_still_an_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        result = schema.execute_sync("{ broken }")
    assert result.errors and result.errors[0].message == "a bug"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert not [r for r in caplog.records if r.getMessage() == "domain error"]
