"""The recommender's projections of other services' data, built only from their events.

Never written by anything but the consumers (`ingest/consumers/`, through the statements of
`ingest/store/`) and the bench loader.
Keys are the other services' natural keys (employee id, competency and course codes), so
replaying an event is an idempotent upsert.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from talent_recommender.db import Base


class Employee(Base):
    __tablename__ = "employee"

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None)
    job_profile_code: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    hire_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # Since when the employee holds the current job profile (a transfer's effective date).
    in_role_since: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # The time of the people event this row reflects (its `ce_time`).
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Competency(Base):
    __tablename__ = "competency"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    tier: Mapped[str] = mapped_column(String(20))


class JobProfile(Base):
    __tablename__ = "job_profile"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    family: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)


class JobRequirement(Base):
    __tablename__ = "job_requirement"

    job_profile_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    competency_code: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    required_level: Mapped[int] = mapped_column(SmallInteger)
    importance: Mapped[int] = mapped_column(SmallInteger)


class Course(Base):
    __tablename__ = "course"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    mandatory: Mapped[bool] = mapped_column(default=False)


class CourseSkill(Base):
    __tablename__ = "course_skill"

    course_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    competency_code: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    level: Mapped[int] = mapped_column(SmallInteger)


class Completion(Base):
    __tablename__ = "completion"
    __table_args__ = (Index("ix_completion_employee_id_course_code", "employee_id", "course_code"),)

    completion_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employee_id: Mapped[uuid.UUID] = mapped_column()
    course_code: Mapped[str] = mapped_column(String(100), index=True)
    completed_on: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Double, default=None)


class Assessment(Base):
    __tablename__ = "assessment"

    assessment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(index=True)
    competency_code: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(20))
    assessed_on: Mapped[dt.date] = mapped_column(Date)


class Rating(Base):
    """A calibrated overall rating per cycle."""

    __tablename__ = "rating"

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    cycle_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    overall_rating: Mapped[int] = mapped_column(SmallInteger)
    rated_on: Mapped[dt.date] = mapped_column(Date)


class JobHistory(Base):
    __tablename__ = "job_history"

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Indexed for career paths: the histories of everyone who held one job profile.
    job_profile_code: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    start_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, default=None)


class IngestState(Base):
    """One row: how many events the consumer applied and how late the last one was."""

    __tablename__ = "ingest_state"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=1)
    events_processed: Mapped[int] = mapped_column(BigInteger, default=0)
    last_event_time: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_processed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Enrollment(Base):
    """Learning's enrollments (assigned or self-enrolled): an open one keeps its course out
    of the employee's recommendations. Closed by completion, cancellation, waiver or a
    failed attempt; a close seen before its assignment (replay) is kept closed."""

    __tablename__ = "enrollment"
    __table_args__ = (
        Index(
            "ix_enrollment_employee_id_open",
            "employee_id",
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    enrollment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employee_id: Mapped[uuid.UUID] = mapped_column()
    course_code: Mapped[str] = mapped_column(String(100))
    recommendation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # completed, cancelled, waived or failed
    closed_as: Mapped[str | None] = mapped_column(String(20), default=None)


class PerformanceSummary(Base):
    """Per employee: the mean of the two most recent calibrated ratings (what successor
    ranking uses), kept by the rating consumer so a shortlist needs no per-employee sort."""

    __tablename__ = "performance_summary"

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    recent_mean: Mapped[float] = mapped_column(Double)
    ratings: Mapped[int] = mapped_column(SmallInteger)


class KeyRole(Base):
    """Succession's key roles, as of its latest key_role.defined / vacated event."""

    __tablename__ = "key_role"

    key_role_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    job_profile_code: Mapped[str | None] = mapped_column(String(100), default=None)
    incumbent_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None)
    criticality: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Potential(Base):
    """An employee's latest potential assessment (low, medium, high)."""

    __tablename__ = "potential"

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column()
    potential: Mapped[str] = mapped_column(String(10))
    assessed_on: Mapped[dt.date] = mapped_column(Date)


class Nomination(Base):
    """A successor on a key role's slate, with HR's readiness for that role. Built from
    successor.nominated, readiness.assessed and successor.removed in any order: a removal
    seen first leaves a removed row that a late nomination does not revive."""

    __tablename__ = "nomination"
    __table_args__ = (Index("ix_nomination_key_role_id", "key_role_id"),)

    nomination_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key_role_id: Mapped[uuid.UUID] = mapped_column()
    employee_id: Mapped[uuid.UUID] = mapped_column()
    readiness: Mapped[str | None] = mapped_column(String(30), default=None)
    readiness_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    rank: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    suggestion_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    nominated_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    removed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
