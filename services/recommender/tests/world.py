"""A small finance organisation shared by the recommender tests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from .factories import TODAY, competency, course, deliver, hired, job_profile

COURSES = {
    "FM-2": {"fin-model": 2},
    "FM-3": {"fin-model": 3},
    "FM-4": {"fin-model": 4},
    "FM-4B": {"fin-model": 4, "excel": 3},
    "FM-5": {"fin-model": 5},
    "XL-3": {"excel": 3},
    "COM-3": {"comms": 3},
    "LEAD-3": {"lead": 3},
    "LEAD-5": {"lead": 5},
}


async def build_world(session: AsyncSession) -> None:
    """Competencies, two job profiles, a catalog, a manager M1 (Finance Manager) with two
    analysts: E1 (hired today, so no time-in-role evidence yet) and E2; and P1, a
    Finance Manager outside M1's team."""
    await deliver(
        session,
        competency("fin-model", "Financial Modelling"),
        competency("excel", "Excel"),
        competency("comms", "Communication"),
        competency("lead", "Leadership"),
        job_profile(
            "analyst", "Financial Analyst", {"fin-model": (3, 5), "excel": (3, 3), "comms": (2, 2)}
        ),
        job_profile(
            "fin-manager",
            "Finance Manager",
            {"fin-model": (4, 5), "excel": (3, 3), "comms": (3, 4), "lead": (3, 4)},
        ),
        *(course(code, skills) for code, skills in COURSES.items()),
        hired("M1", profile="fin-manager"),
        hired("E1", profile="analyst", manager="M1", hire_date=TODAY),
        hired("E2", profile="analyst", manager="M1"),
        hired("P1", profile="fin-manager"),
    )
