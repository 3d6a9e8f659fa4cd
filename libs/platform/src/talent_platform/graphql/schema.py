"""The federation schema every subgraph builds: strawberry's, with the error contract.

Every error a subgraph answers with carries a stable `extensions.code`:

- `BAD_USER_INPUT`: the request itself is wrong (a query that does not parse or
  validate, a variable of the wrong type, a string with a NUL character or an unpaired
  surrogate, a
  `ValidationFailed` from a service, with its `fields`);
- `FORBIDDEN`, `NOT_FOUND`, `CONFLICT`: the service's domain errors;
- `INTERNAL`: anything else. Its message is only "Internal error" and a `reference`
  (also in `extensions`), which the service logs with the traceback: no exception text,
  SQL or driver message reaches a client.

Messages are cut to `MESSAGE_LIMIT` characters, so an error never echoes a long input
back. A domain error is an expected answer to the caller, not a fault of the service:
it is logged at INFO with its code and path, without a traceback.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StreamResult
from strawberry.types import ExecutionContext

from talent_platform.errors import DomainError, ValidationFailed, bounded

log = logging.getLogger("talent_platform.graphql")

CODES = {"VALIDATION_FAILED": "BAD_USER_INPUT"}
"""Domain codes under another name in the API's contract (the rest keep theirs)."""


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what it wraps (SQLAlchemy's `orig`, `__cause__`, `__context__`)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__


NUL_MESSAGE = "Strings may not contain NUL characters"
SURROGATE_MESSAGE = "Strings must be valid Unicode (no unpaired surrogates)"


def _unstorable_input(error: BaseException) -> str | None:
    """Why a string of the caller's reached the database and could not be stored or
    compared there, or None. PostgreSQL text holds no NUL character: the driver refuses
    one in a text parameter ("NUL (0x00)"), the server one in JSON (`\\u0000`, SQLSTATE
    22P05, as in an audit entry's JSONB). A lone UTF-16 surrogate (a JSON `"\\ud800"`
    in a variable) cannot be encoded as UTF-8 in a text parameter, and the server
    refuses its escape in JSON ("Unicode low surrogate must follow a high surrogate").
    Each is the input's fault, not the service's."""
    for cause in _causes(error):
        if "NUL (0x00)" in str(cause) or getattr(cause, "sqlstate", None) == "22P05":
            return NUL_MESSAGE
        if isinstance(cause, UnicodeEncodeError) and "surrogates not allowed" in str(cause):
            return SURROGATE_MESSAGE
        diag = getattr(cause, "diag", None)
        if "surrogate" in (getattr(diag, "message_detail", None) or ""):
            return SURROGATE_MESSAGE
    return None


def error_code(error: GraphQLError) -> str:
    """The contract's code of an error (see the module's docstring)."""
    original = error.original_error
    if isinstance(original, DomainError):
        return CODES.get(original.code, original.code)
    if original is not None and _unstorable_input(original):
        return "BAD_USER_INPUT"
    if error.path is None and (
        original is None or isinstance(original, GraphQLError | ValueError | TypeError)
    ):
        # Before execution: parsing, validation, coercion of variables and literals.
        return "BAD_USER_INPUT"
    return "INTERNAL"


def public_error(error: GraphQLError) -> GraphQLError:
    """The error as a client gets it: its code, a bounded message, nothing internal."""
    code = error_code(error)
    extensions: dict[str, Any] = {"code": code}
    original = error.original_error
    if code == "INTERNAL":
        reference = (error.extensions or {}).get("reference") or _log_internal(error)
        extensions["reference"] = reference
        message = f"Internal error (reference {reference})"
    elif original is not None and (unstorable := _unstorable_input(original)):
        message = unstorable
    else:
        message = bounded(error.message)
    if isinstance(original, ValidationFailed):
        extensions["fields"] = [
            {"field": bounded(e.field), "message": bounded(e.message)} for e in original.errors
        ]
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def _log_internal(error: GraphQLError) -> str:
    reference = uuid.uuid4().hex[:12]
    original = error.original_error
    log.error(
        "internal error",
        extra={"reference": reference, "path": ".".join(str(p) for p in error.path or ())},
        exc_info=(type(original), original, original.__traceback__) if original else None,
    )
    return reference


class ErrorContract(SchemaExtension):
    """Replaces every error of a result by its public form (`public_error`)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [public_error(error) for error in result.errors]


class TalentSchema(strawberry.federation.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        extensions = list(kwargs.pop("extensions", ()))
        kwargs["extensions"] = [*extensions, ErrorContract]
        super().__init__(*args, **kwargs)

    async def stream(self, *args: Any, **kwargs: Any) -> StreamResult:
        """Streamed results (a subscription's events) keep the error contract too: the
        extension above sees only the operation, not each event."""
        results = await super().stream(*args, **kwargs)

        async def public() -> StreamResult:
            try:
                async for result in results:
                    errors = getattr(result, "errors", None)
                    if errors:
                        result.errors = [  # type: ignore[union-attr]
                            e if "code" in (e.extensions or {}) else public_error(e) for e in errors
                        ]
                    yield result
            finally:
                await results.aclose()

        return public()

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        """Logs each error before `ErrorContract` rewrites it: domain and input errors at
        INFO, internal ones at ERROR with their traceback and the reference the client
        gets."""
        for error in errors:
            code = error_code(error)
            path = ".".join(str(p) for p in error.path or ())
            if code == "INTERNAL":
                reference = _log_internal(error)
                error.extensions = {**(error.extensions or {}), "reference": reference}
            else:
                log.info(
                    "request error",
                    extra={"code": code, "error": bounded(error.message), "path": path},
                )
