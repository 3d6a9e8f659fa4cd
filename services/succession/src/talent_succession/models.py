"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_succession.audit.models import AccessGrant, AuditEntry
from talent_succession.db import Base, messaging
from talent_succession.diversity.models import DiversityAttribute
from talent_succession.key_roles.models import KeyRole
from talent_succession.ninebox.models import CurrentPlacement
from talent_succession.people.models import EmployeeProjection
from talent_succession.plans.models import DevelopmentPlan, PlanAction
from talent_succession.potential.models import HighPotentialDesignation, PotentialAssessment
from talent_succession.ratings.models import CalibratedRating
from talent_succession.reviews.models import ReviewDecision, ReviewedEmployee, TalentReview
from talent_succession.slates.models import Nomination, ReadinessAssessment
from talent_succession.staleness.models import StaleFlag

__all__ = [
    "AccessGrant",
    "AuditEntry",
    "Base",
    "CalibratedRating",
    "CurrentPlacement",
    "DevelopmentPlan",
    "DiversityAttribute",
    "EmployeeProjection",
    "HighPotentialDesignation",
    "KeyRole",
    "Nomination",
    "PlanAction",
    "PotentialAssessment",
    "ReadinessAssessment",
    "ReviewDecision",
    "ReviewedEmployee",
    "StaleFlag",
    "TalentReview",
    "messaging",
]
