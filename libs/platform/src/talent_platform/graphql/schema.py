"""The federation schema every subgraph builds: strawberry's, with quieter errors.

A domain error raised by a resolver (FORBIDDEN, NOT_FOUND, a validation failure) is an
expected answer to the caller, not a fault of the service: it is logged at INFO with its
code and path, without a traceback. Anything else keeps strawberry's ERROR log with one.
"""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from talent_platform.errors import DomainError

log = logging.getLogger("talent_platform.graphql")


class TalentSchema(strawberry.federation.Schema):
    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        unexpected = []
        for error in errors:
            original = error.original_error
            if isinstance(original, DomainError):
                log.info(
                    "domain error",
                    extra={
                        "code": original.code,
                        "error": original.message,
                        "path": ".".join(str(p) for p in error.path or ()),
                    },
                )
            else:
                unexpected.append(error)
        if unexpected:
            super().process_errors(unexpected, execution_context)
