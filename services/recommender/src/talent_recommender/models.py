"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_recommender.db import Base, messaging
from talent_recommender.ingest.models import (
    Assessment,
    Competency,
    Completion,
    Course,
    CourseSkill,
    Employee,
    IngestState,
    JobHistory,
    JobProfile,
    JobRequirement,
    Rating,
)
from talent_recommender.profiles.models import RefitRequest, SkillEstimate, SkillModel
from talent_recommender.recommendations.models import CoursePopularity, Dismissal

__all__ = [
    "Assessment",
    "Base",
    "Competency",
    "Completion",
    "Course",
    "CoursePopularity",
    "CourseSkill",
    "Dismissal",
    "Employee",
    "IngestState",
    "JobHistory",
    "JobProfile",
    "JobRequirement",
    "Rating",
    "RefitRequest",
    "SkillEstimate",
    "SkillModel",
    "messaging",
]
