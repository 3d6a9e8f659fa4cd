"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_recommender.audit.models import AuditEntry
from talent_recommender.db import Base, messaging
from talent_recommender.ingest.models import (
    Assessment,
    Competency,
    Completion,
    Course,
    CourseSkill,
    Employee,
    Enrollment,
    IngestState,
    JobHistory,
    JobProfile,
    JobRequirement,
    KeyRole,
    Nomination,
    PerformanceSummary,
    Potential,
    Rating,
)
from talent_recommender.profiles.models import (
    RefitRequest,
    SkillEstimate,
    SkillModel,
    StaleEstimate,
)
from talent_recommender.recommendations.models import (
    CoursePopularity,
    Dismissal,
    IssuedRecommendation,
)
from talent_recommender.successors.models import SuccessorDismissal

__all__ = [
    "Assessment",
    "AuditEntry",
    "Base",
    "Competency",
    "Completion",
    "Course",
    "CoursePopularity",
    "CourseSkill",
    "Dismissal",
    "Employee",
    "Enrollment",
    "IngestState",
    "IssuedRecommendation",
    "JobHistory",
    "JobProfile",
    "JobRequirement",
    "KeyRole",
    "Nomination",
    "PerformanceSummary",
    "Potential",
    "Rating",
    "RefitRequest",
    "SkillEstimate",
    "SkillModel",
    "StaleEstimate",
    "SuccessorDismissal",
    "messaging",
]
