"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_learning.cohorts.models import (
    Cohort,
    CohortParticipant,
    CohortSession,
    SessionAttendance,
)
from talent_learning.completions.models import Completion
from talent_learning.compliance.models import ComplianceRule
from talent_learning.courses.models import Course, CourseSkill
from talent_learning.db import Base, messaging
from talent_learning.enrollments.models import DueDateChange, Enrollment, Reminder
from talent_learning.paths.models import LearningPath, LearningPathStep
from talent_learning.people.models import EmployeeProjection
from talent_learning.requests.models import TrainingRequest, TrainingRequestChange, TuitionPolicy
from talent_learning.xapi.models import XapiStatement

__all__ = [
    "Base",
    "Cohort",
    "CohortParticipant",
    "CohortSession",
    "Completion",
    "ComplianceRule",
    "Course",
    "CourseSkill",
    "DueDateChange",
    "EmployeeProjection",
    "Enrollment",
    "LearningPath",
    "LearningPathStep",
    "Reminder",
    "SessionAttendance",
    "TrainingRequest",
    "TrainingRequestChange",
    "TuitionPolicy",
    "XapiStatement",
    "messaging",
]
