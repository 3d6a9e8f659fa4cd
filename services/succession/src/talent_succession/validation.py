"""Parsing GraphQL inputs into domain values, with field-named errors."""

from __future__ import annotations

import uuid

from talent_platform.errors import FieldError, ValidationFailed


def parse_uuid(value: str, field: str, what: str = "employee id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed([FieldError(field, f"{value!r} is not an {what}")]) from exc
