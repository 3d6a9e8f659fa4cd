"""Plain HTTP routes the learning service adds to its FastAPI app, beside `/graphql`:

- `POST /xapi/statements`: xAPI statements from an LMS (xapi/service.py);
- `GET /reports/<name>.csv`: a report streamed whole as CSV (reports/service.py).

Both take the same bearer token check as `/graphql`. They are for machine clients (an
LMS or LRS, a reporting job) that call the service directly, not through the gateway, so
the gateway's shared secret is not asked for: DESIGN.md lets a subgraph accept either the
gateway secret or a valid token, and these routes always require the token. The services
check the roles.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse

from talent_learning.enrollments.assign import Population
from talent_learning.enrollments.service import today
from talent_learning.reports.service import Grouping, Report, ReportService
from talent_learning.xapi.service import XapiService
from talent_platform.auth import AuthenticationError, Principal, TokenVerifier
from talent_platform.db.session import Database
from talent_platform.errors import DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from talent_platform.settings import ServiceSettings

REPORTS = ("completion-rates", "compliance-evidence", "team-status", "course-funnel")


def _error(exc: DomainError) -> JSONResponse:
    status = 400
    if isinstance(exc, Forbidden):
        status = 403
    elif isinstance(exc, NotFound):
        status = 404
    elif not isinstance(exc, ValidationFailed):
        status = 409
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if isinstance(exc, ValidationFailed):
        body["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    return JSONResponse(body, status_code=status)


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed([FieldError(name, f"{value!r} is not a date")]) from exc


def install_routes(app: FastAPI, database: Database) -> None:
    settings: ServiceSettings = app.state.settings
    verifier = TokenVerifier(settings)
    router = APIRouter()

    def principal_of(request: Request) -> Principal:
        try:
            return verifier.from_header(request.headers.get("authorization"))
        except AuthenticationError as exc:
            raise HTTPException(
                status_code=401, detail=str(exc), headers={"WWW-Authenticate": "Bearer"}
            ) from exc

    @router.post("/xapi/statements")
    async def post_statements(request: Request) -> JSONResponse:
        principal = principal_of(request)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse(
                {"code": "VALIDATION_FAILED", "message": "the body is not JSON"}, status_code=400
            )
        try:
            async with database.transaction() as session:
                result = await XapiService(session, principal).receive(body)
        except DomainError as exc:
            return _error(exc)
        return JSONResponse(
            {
                "statementIds": [str(i) for i in result.statement_ids],
                "recorded": result.recorded,
                "duplicates": result.duplicates,
            }
        )

    @router.get("/reports/{name}.csv")
    async def report_csv(name: str, request: Request) -> Any:
        principal = principal_of(request)
        if name not in REPORTS:
            raise HTTPException(status_code=404, detail=f"reports: {', '.join(REPORTS)}")
        params = request.query_params
        session = database.sessions()
        try:
            service = ReportService(session, principal)
            report = await _report(service, name, params)
        except DomainError as exc:
            await session.close()
            return _error(exc)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in service.csv(report):
                    yield chunk
            finally:
                await session.close()

        return StreamingResponse(
            chunks(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}.csv"'},
        )

    app.include_router(router)


async def _report(service: ReportService, name: str, params: Any) -> Report:
    as_of = _date(params.get("asOf"), "asOf") or today()
    if name == "completion-rates":
        try:
            grouping = Grouping(params.get("groupBy", "org_unit"))
        except ValueError as exc:
            raise ValidationFailed(
                [FieldError("groupBy", f"one of {', '.join(g.value for g in Grouping)}")]
            ) from exc
        return await service.completion_rates(
            grouping, as_of=as_of, course_code=params.get("courseCode")
        )
    if name == "compliance-evidence":
        course = params.get("courseCode")
        if not course:
            raise ValidationFailed([FieldError("courseCode", "required")])
        return await service.compliance_evidence(
            course,
            as_of=as_of,
            population=Population(
                org_unit_code=params.get("orgUnitCode"),
                location=params.get("location"),
                job_profile_code=params.get("jobProfileCode"),
                hired_from=_date(params.get("hiredFrom"), "hiredFrom"),
                hired_to=_date(params.get("hiredTo"), "hiredTo"),
            ),
        )
    if name == "team-status":
        manager = params.get("managerId")
        try:
            manager_id = uuid.UUID(manager) if manager else None
        except ValueError as exc:
            raise ValidationFailed([FieldError("managerId", "not an employee id")]) from exc
        return await service.team_status(manager_id, as_of=as_of)
    return await service.course_funnel(params.get("courseCode"))
