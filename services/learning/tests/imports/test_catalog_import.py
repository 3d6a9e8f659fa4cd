from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import CoursePublished, CourseSkill
from talent_learning.courses.models import Course
from talent_learning.courses.models import CourseSkill as CourseSkillModel

from ..factories import (
    count,
    execute,
    fields_of,
    import_csv,
    outbox_size,
    principal,
    published,
)

COURSES = """code,title,description,duration_hours,modality,mandatory,recertify_months
SEC-101,Information security basics,Phishing and passwords,1.5,E-Learning,true,12
PY-201,Python for analysts,"Pandas, plotting",16,classroom,false,
LEAD-301,Leading teams,,8,virtual,FALSE,
"""
SKILLS = """course_code,competency_code,level
SEC-101,security-awareness,2
PY-201,python,3
PY-201,data-analysis,2
LEAD-301,people-leadership,3
"""
COURSE = """
query($code: String!) {
  course(code: $code) {
    code title description durationHours modality mandatory recertifyMonths active
    skills { competencyCode level }
  }
}
"""


async def test_courses_and_skills_import_build_the_catalog(session: AsyncSession) -> None:
    courses = await import_csv(session, "COURSES", COURSES)
    skills = await import_csv(session, "COURSE_SKILLS", SKILLS)

    assert courses == {
        "__typename": "ImportPayload",
        "kind": "COURSES",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "events": 3,
        "dryRun": False,
    }
    assert (skills["created"], skills["events"]) == (4, 3)
    data = await execute(session, COURSE, as_=principal(), variables={"code": "PY-201"})
    assert data["course"] == {
        "code": "PY-201",
        "title": "Python for analysts",
        "description": "Pandas, plotting",
        "durationHours": 16.0,
        "modality": "CLASSROOM",
        "mandatory": False,
        "recertifyMonths": None,
        "active": True,
        "skills": [
            {"competencyCode": "python", "level": 3},
            {"competencyCode": "data-analysis", "level": 2},
        ],
    }
    sec = await execute(session, COURSE, as_=principal(), variables={"code": "SEC-101"})
    assert (sec["course"]["modality"], sec["course"]["mandatory"]) == ("E_LEARNING", True)
    assert sec["course"]["recertifyMonths"] == 12
    # The last event of each course carries its full skill list, for the recommender.
    latest = {e.code: e for e in await published(session, CoursePublished)}
    assert latest["PY-201"].skills == (
        CourseSkill(competency_code="data-analysis", level=2),
        CourseSkill(competency_code="python", level=3),
    )
    assert latest["LEAD-301"].title == "Leading teams"


async def test_reimporting_the_same_files_changes_and_publishes_nothing(
    session: AsyncSession,
) -> None:
    await import_csv(session, "COURSES", COURSES)
    await import_csv(session, "COURSE_SKILLS", SKILLS)
    events_before = await outbox_size(session)

    courses = await import_csv(session, "COURSES", COURSES)
    skills = await import_csv(session, "COURSE_SKILLS", SKILLS)

    assert (courses["created"], courses["updated"], courses["unchanged"]) == (0, 0, 3)
    assert (skills["created"], skills["updated"], skills["unchanged"]) == (0, 0, 4)
    assert courses["events"] == skills["events"] == 0
    assert await outbox_size(session) == events_before
    assert await count(session, Course) == 3
    assert await count(session, CourseSkillModel) == 4


async def test_changed_rows_update_the_course_and_republish_it_with_its_skills(
    session: AsyncSession,
) -> None:
    await import_csv(session, "COURSES", COURSES)
    await import_csv(session, "COURSE_SKILLS", SKILLS)

    courses = await import_csv(
        session, "COURSES", COURSES.replace("Python for analysts", "Python for data analysts")
    )
    skills = await import_csv(
        session, "COURSE_SKILLS", "course_code,competency_code,level\nPY-201,python,4\n"
    )

    assert (courses["updated"], courses["unchanged"], courses["events"]) == (1, 2, 1)
    assert (skills["updated"], skills["events"]) == (1, 1)
    latest = (await published(session, CoursePublished))[-1]
    assert latest.code == "PY-201"
    assert latest.title == "Python for data analysts"
    # Skills absent from a file are kept.
    assert latest.skills == (
        CourseSkill(competency_code="data-analysis", level=2),
        CourseSkill(competency_code="python", level=4),
    )


async def test_a_bad_courses_file_reports_every_bad_row_and_writes_nothing(
    session: AsyncSession,
) -> None:
    bad = """code,title,description,duration_hours,modality,mandatory,recertify_months
SEC-101,Information security basics,,1.5,e-learning,true,12
SEC-102,,,two,e-learning,maybe,0
SEC-101,Duplicate,,1,e-learning,false,
"""
    result = await import_csv(session, "COURSES", bad)

    assert fields_of(result) == {
        "row 3: title": "is required",
        "row 3: duration_hours": "'two' is not a number",
        "row 3: mandatory": "'maybe' is not true or false",
        "row 3: recertify_months": "0 is outside 1-600",
        "row 4: code": "repeats row 2",
    }
    assert "nothing was imported" in result["message"]
    assert await count(session, Course) == 0
    assert await outbox_size(session) == 0


async def test_skills_of_an_unknown_course_are_row_errors(session: AsyncSession) -> None:
    await import_csv(session, "COURSES", COURSES)
    events_before = await outbox_size(session)

    result = await import_csv(
        session,
        "COURSE_SKILLS",
        "course_code,competency_code,level\nSEC-101,phishing,2\nNOPE-1,python,2\nPY-201,python,6\n",
    )

    assert fields_of(result) == {
        "row 3: course_code": "unknown course 'NOPE-1'",
        "row 4: level": "6 is outside 1-5",
    }
    assert await count(session, CourseSkillModel) == 0
    assert await outbox_size(session) == events_before


async def test_a_wrong_header_names_the_missing_and_unknown_columns(session: AsyncSession) -> None:
    result = await import_csv(session, "COURSES", "code,name\nSEC-101,Security\n")

    assert result["__typename"] == "ValidationError"
    assert [(f["field"], f["message"]) for f in result["fields"]] == [
        (
            "row 1",
            "missing column(s): title, description, duration_hours, modality, mandatory, "
            "recertify_months",
        ),
        ("row 1", "unknown column(s): name"),
    ]


async def test_a_dry_run_reports_counts_and_writes_nothing(session: AsyncSession) -> None:
    result = await import_csv(session, "COURSES", COURSES, dry_run=True)

    assert (result["created"], result["events"], result["dryRun"]) == (3, 3, True)
    assert await count(session, Course) == 0
    assert await outbox_size(session) == 0


async def test_only_hr_and_admin_may_import(session: AsyncSession) -> None:
    result = await import_csv(session, "COURSES", COURSES, as_=principal())

    assert result["__typename"] == "Forbidden"
    assert await count(session, Course) == 0
