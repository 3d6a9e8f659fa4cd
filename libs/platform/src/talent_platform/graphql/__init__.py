from talent_platform.graphql.arguments import After, First, enum_value, parse_id
from talent_platform.graphql.context import TalentContext, TransactionExtension
from talent_platform.graphql.errors import (
    ERROR_TYPES,
    Conflict,
    Error,
    FieldError,
    Forbidden,
    MutationError,
    NotFound,
    ValidationError,
    run_mutation,
    to_graphql_error,
)
from talent_platform.graphql.imports import ImportKind, ImportPayload
from talent_platform.graphql.pagination import (
    Connection,
    Edge,
    PageInfo,
    PageRequest,
    checked_first,
    connection,
    page_request,
)
from talent_platform.graphql.schema import TalentSchema

__all__ = [
    "ERROR_TYPES",
    "After",
    "Conflict",
    "Connection",
    "Edge",
    "Error",
    "FieldError",
    "First",
    "Forbidden",
    "ImportKind",
    "ImportPayload",
    "MutationError",
    "NotFound",
    "PageInfo",
    "PageRequest",
    "TalentContext",
    "TalentSchema",
    "TransactionExtension",
    "ValidationError",
    "checked_first",
    "connection",
    "enum_value",
    "page_request",
    "parse_id",
    "run_mutation",
    "to_graphql_error",
]
