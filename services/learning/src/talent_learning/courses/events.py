"""From a course and its skills to the event that publishes them."""

from __future__ import annotations

from collections.abc import Iterable

from talent_contracts.learning import CoursePublished
from talent_contracts.learning import CourseSkill as SkillSnapshot
from talent_learning.courses.models import Course, CourseSkill


def course_published(course: Course, skills: Iterable[CourseSkill]) -> CoursePublished:
    """The course as it now is, with its full skill list (sorted, so equal states give
    equal events)."""
    return CoursePublished(
        code=course.code,
        title=course.title,
        description=course.description,
        duration_hours=course.duration_hours,
        modality=course.modality,
        mandatory=course.mandatory,
        recertify_months=course.recertify_months,
        skills=tuple(
            SkillSnapshot(competency_code=s.competency_code, level=s.level)
            for s in sorted(skills, key=lambda s: s.competency_code)
        ),
    )
