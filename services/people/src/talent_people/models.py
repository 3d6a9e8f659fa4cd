"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_people.db import Base, messaging
from talent_people.employees.models import Employee, JobHistory, OrgUnit
from talent_people.framework.models import Competency, JobProfile, JobProfileRequirement

__all__ = [
    "Base",
    "Competency",
    "Employee",
    "JobHistory",
    "JobProfile",
    "JobProfileRequirement",
    "OrgUnit",
    "messaging",
]
