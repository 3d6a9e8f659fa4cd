"""`unitDevelopmentNeeds`: an org unit's aggregated skill gaps (needs/repository.py), for
HR; an hr_coordinator's answer counts only the people inside their org scope."""

from __future__ import annotations

import csv
import io
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_platform.auth import Role
from talent_platform.graphql import TalentContext, checked_first
from talent_recommender.needs.repository import Need, NeedCourse, NeedsRepository, UnitNeeds
from talent_recommender.recommendations.graphql import Course

Ctx = Info[TalentContext, None]

MAX_NEEDS = 100
CSV_COLUMNS = (
    "competency_code",
    "competency_name",
    "requiring",
    "with_gap",
    "unassessed",
    "average_gap",
    "weighted_gap",
    "assigned",
    "courses",
)


@strawberry.type(description="A course teaching a needed competency.")
class NeedCourseNode:
    course: Course = strawberry.field(description="The course (learning resolves the rest).")
    title: str = strawberry.field(description="The course's title.")
    level: int = strawberry.field(description="The level it teaches the competency to, 1-5.")
    assigned: int = strawberry.field(
        description="People with the gap who have this course assigned (not yet completed)."
    )

    @classmethod
    def of(cls, c: NeedCourse) -> NeedCourseNode:
        return cls(
            course=Course(code=c.course_code), title=c.title, level=c.level, assigned=c.assigned
        )


@strawberry.type(
    description="One competency the unit's people need, with the courses that close it."
)
class DevelopmentNeed:
    competency_code: str = strawberry.field(description="The competency's code.")
    competency_name: str = strawberry.field(description="The competency's name.")
    requiring: int = strawberry.field(
        description="People whose job profile requires the competency."
    )
    with_gap: int = strawberry.field(
        description="Of those, people whose estimate from evidence is below the required level."
    )
    unassessed: int = strawberry.field(
        description="Of those, people with no evidence for it (assess before training); "
        "not counted as a gap."
    )
    average_gap: float = strawberry.field(description="Mean gap of the people with a gap.")
    weighted_gap: float = strawberry.field(
        description="Sum over the people with a gap of the gap times the competency's "
        "importance in their job profile: what the list is sorted by."
    )
    assigned: int = strawberry.field(
        description="People with the gap who already have one of the courses teaching it assigned."
    )
    courses: list[NeedCourseNode] = strawberry.field(
        description="Courses teaching the competency, highest level first (at most 5)."
    )

    @classmethod
    def of(cls, n: Need) -> DevelopmentNeed:
        return cls(
            competency_code=n.competency_code,
            competency_name=n.competency_name,
            requiring=n.requiring,
            with_gap=n.with_gap,
            unassessed=n.unassessed,
            average_gap=n.average_gap,
            weighted_gap=n.weighted_gap,
            assigned=n.assigned,
            courses=[NeedCourseNode.of(c) for c in n.courses],
        )


@strawberry.type(description="The aggregated skill gaps of an org unit's people.")
class UnitDevelopmentNeeds:
    people: int = strawberry.field(
        description="Active employees with a job profile counted (the unit with its "
        "sub-units, the job profile filter, and an hr_coordinator's org scope)."
    )
    needs: list[DevelopmentNeed] = strawberry.field(
        description="Competencies with the largest weighted gap first."
    )
    csv: str = strawberry.field(
        description="The same list as CSV (header: " + ",".join(CSV_COLUMNS) + "; courses "
        "as `code:assigned` separated by spaces)."
    )

    @classmethod
    def of(cls, found: UnitNeeds) -> UnitDevelopmentNeeds:
        return cls(
            people=found.people,
            needs=[DevelopmentNeed.of(n) for n in found.needs],
            csv=to_csv(found),
        )


def to_csv(found: UnitNeeds) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for n in found.needs:
        writer.writerow(
            [
                n.competency_code,
                n.competency_name,
                n.requiring,
                n.with_gap,
                n.unassessed,
                n.average_gap,
                n.weighted_gap,
                n.assigned,
                " ".join(f"{c.course_code}:{c.assigned}" for c in n.courses),
            ]
        )
    return out.getvalue()


@strawberry.type
class NeedsQuery:
    @strawberry.field(
        description="Development needs of an org unit (with its sub-units) or the whole "
        "organisation: the competencies its people lack most, weighted by importance, "
        "with the courses that close them and how many are already assigned. admin, "
        "hr_leader, hr_coordinator (counting only the people in their org scope); null "
        "with FORBIDDEN for anyone else."
    )
    async def unit_development_needs(
        self,
        info: Ctx,
        org_unit_code: Annotated[
            str | None,
            strawberry.argument(
                description="The org unit, with its sub-units (`Engineering` covers "
                "`Engineering / Platform`); omitted: the whole organisation."
            ),
        ] = None,
        job_profile_code: Annotated[
            str | None,
            strawberry.argument(description="Only people in this job profile."),
        ] = None,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many competencies, 0-{MAX_NEEDS} (default 20); outside "
                "that BAD_USER_INPUT."
            ),
        ] = 20,
    ) -> UnitDevelopmentNeeds | None:
        checked_first(first, maximum=MAX_NEEDS)
        principal = info.context.principal
        principal.require(Role.ADMIN, Role.HR_LEADER, Role.HR_COORDINATOR)
        found = await NeedsRepository(info.context.session).needs(
            org_unit_code=org_unit_code,
            job_profile_code=job_profile_code,
            scope=principal.org_scope,
            first=first,
        )
        return UnitDevelopmentNeeds.of(found)
