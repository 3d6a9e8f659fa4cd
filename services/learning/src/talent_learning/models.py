"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_learning.completions.models import Completion
from talent_learning.courses.models import Course, CourseSkill
from talent_learning.db import Base, messaging
from talent_learning.people.models import EmployeeProjection

__all__ = ["Base", "Completion", "Course", "CourseSkill", "EmployeeProjection", "messaging"]
