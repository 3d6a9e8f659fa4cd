"""What every service's CSV-import mutation returns."""

from __future__ import annotations

from enum import Enum

import strawberry

from talent_platform.csvimport import ImportResult


@strawberry.enum(description="Which CSV file an import read (docs/csv.md describes each).")
class ImportKind(Enum):
    EMPLOYEES = strawberry.enum_value("employees", description="People (people service).")
    JOB_HISTORY = strawberry.enum_value(
        "job-history", description="Past job profiles of people (people service)."
    )
    COMPETENCIES = strawberry.enum_value(
        "competencies", description="The competency framework (people service)."
    )
    JOB_PROFILES = strawberry.enum_value(
        "job-profiles", description="Job profiles (people service)."
    )
    JOB_PROFILE_COMPETENCIES = strawberry.enum_value(
        "job-profile-competencies",
        description="Required competency levels per job profile (people service).",
    )
    COURSES = strawberry.enum_value("courses", description="The course catalog (learning service).")
    COURSE_SKILLS = strawberry.enum_value(
        "course-skills", description="Competencies each course develops (learning service)."
    )
    COMPLETIONS = strawberry.enum_value(
        "completions", description="Course completions (learning service)."
    )
    RATINGS = strawberry.enum_value(
        "ratings", description="Historical performance ratings (performance service)."
    )
    ASSESSMENTS = strawberry.enum_value(
        "assessments", description="Competency assessments (performance service)."
    )
    KEY_ROLES = strawberry.enum_value("key-roles", description="Key roles (succession service).")
    POTENTIAL = strawberry.enum_value(
        "potential", description="Potential assessments (succession service)."
    )
    DIVERSITY = strawberry.enum_value(
        "diversity", description="Self-declared diversity attributes (succession service)."
    )


@strawberry.federation.type(
    shareable=True,
    description="What an import did. Re-importing the same file reports everything unchanged.",
)
class ImportPayload:
    kind: ImportKind = strawberry.field(description="Which file was imported.")
    rows: int = strawberry.field(description="Data rows read, without the header.")
    created: int = strawberry.field(description="Records created.")
    updated: int = strawberry.field(description="Records that existed and changed.")
    unchanged: int = strawberry.field(description="Records that existed with the same values.")
    events: int = strawberry.field(description="Events queued for other services.")
    dry_run: bool = strawberry.field(description="True when nothing was written.")

    @classmethod
    def from_result(cls, result: ImportResult, *, dry_run: bool) -> ImportPayload:
        return cls(
            kind=ImportKind(result.kind),
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            events=result.events,
            dry_run=dry_run,
        )
