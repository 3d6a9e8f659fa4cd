"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_performance.audit.models import AuditEntry
from talent_performance.calibration.models import (
    CalibrationEntry,
    CalibrationMember,
    CalibrationSession,
)
from talent_performance.cycles.models import CyclePhaseDeadline, ReviewCycle
from talent_performance.db import Base, messaging
from talent_performance.goals.models import CheckIn, Goal
from talent_performance.imports.models import HistoricalAssessment, HistoricalRating
from talent_performance.people.models import (
    CompetencyProjection,
    EmployeeProjection,
    JobProfileProjection,
    JobProfileRequirement,
)
from talent_performance.reviews.models import PeerRequest, Review, ReviewCompetency, ReviewNotice

__all__ = [
    "AuditEntry",
    "Base",
    "CalibrationEntry",
    "CalibrationMember",
    "CalibrationSession",
    "CheckIn",
    "CompetencyProjection",
    "CyclePhaseDeadline",
    "EmployeeProjection",
    "Goal",
    "HistoricalAssessment",
    "HistoricalRating",
    "JobProfileProjection",
    "JobProfileRequirement",
    "PeerRequest",
    "Review",
    "ReviewCompetency",
    "ReviewCycle",
    "ReviewNotice",
    "messaging",
]
