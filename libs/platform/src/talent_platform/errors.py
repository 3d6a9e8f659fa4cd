"""Domain errors: raised by services, mapped to typed GraphQL errors by the resolvers.

Services never raise HTTP errors; every error carries a stable `code`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MESSAGE_LIMIT = 200
"""Characters of an error message a client gets at most: an error never echoes a long
input back."""


def bounded(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text`, cut to `limit` characters (with an ellipsis when cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    code = "DOMAIN_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key} not found")
        self.entity = entity
        self.key = str(key)


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Conflict(DomainError):
    code = "CONFLICT"


class ValidationFailed(DomainError):
    """One or more fields (or CSV rows) are invalid; nothing was written."""

    code = "VALIDATION_FAILED"

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        super().__init__(message or "; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass
class ErrorCollector:
    """Accumulates field errors so a caller can report all of them at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(list(self.errors))
