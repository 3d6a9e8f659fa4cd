from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from sqlalchemy import func, select
from strawberry.scalars import JSON
from strawberry.types import Info

from talent_platform.auth import Role
from talent_platform.db.base import utcnow
from talent_platform.events.lag import read_lag_snapshot_async
from talent_platform.graphql import (
    Conflict,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    run_mutation,
)
from talent_recommender.db import consumer_lag
from talent_recommender.ingest.models import IngestState
from talent_recommender.profiles.models import RefitRequest, SkillModel, StaleEstimate

Ctx = Info[TalentContext, None]


@strawberry.type(description="Health of the recommender: its model and its event intake.")
class RecommenderStatus:
    model_version: int | None = strawberry.field(description="Null until the first refit.")
    trained_at: dt.datetime | None = strawberry.field(
        description="When the current model was fitted (ISO date-time); null until then."
    )
    training_window_start: dt.date | None = strawberry.field(
        description="Earliest assessment or completion day in the data it was fitted on."
    )
    training_window_end: dt.date | None = strawberry.field(
        description="Latest assessment or completion day in the data it was fitted on."
    )
    model_metrics: JSON | None = strawberry.field(
        description="Held-out MAE of the model and of the competency-mean baseline, "
        "explained variance, fit time."
    )
    events_processed: int = strawberry.field(
        description="Events the worker has applied since the recommender's data was created."
    )
    pending_events: int = strawberry.field(
        description="Records published to the topics the recommender consumes and not yet "
        "applied, as its worker last observed them."
    )
    pending_estimates: int = strawberry.field(
        description="Employees whose skills estimates wait for a recompute after an "
        "import's burst of evidence (the worker's estimates job works through them)."
    )
    caught_up: bool = strawberry.field(
        description="True when no event and no estimate is pending and the worker observed "
        "that within the last `consumer_lag_stale_after_s` (15 s by default); false while "
        "either is pending and whenever the worker has not reported for longer (it is "
        "stopped or cannot reach the broker)."
    )
    lag_seconds: float | None = strawberry.field(
        description="0 when caught up; otherwise how long after it happened the last "
        "applied event was applied (null before any)."
    )
    last_event_at: dt.datetime | None = strawberry.field(
        description="When the latest applied event happened (ISO date-time); null before any."
    )


@strawberry.type
class StatusQuery:
    @strawberry.field(
        description="The current model version and event intake (any signed-in user)."
    )
    async def recommender_status(self, info: Ctx) -> RecommenderStatus:
        session = info.context.session
        model = (
            await session.execute(
                select(
                    SkillModel.version,
                    SkillModel.trained_at,
                    SkillModel.window_start,
                    SkillModel.window_end,
                    SkillModel.metrics,
                )
                .order_by(SkillModel.version.desc())
                .limit(1)
            )
        ).first()
        state = await session.get(IngestState, 1)
        intake = await read_lag_snapshot_async(
            session, consumer_lag, stale_after_s=info.context.settings.consumer_lag_stale_after_s
        )
        pending_estimates = int(
            await session.scalar(select(func.count()).select_from(StaleEstimate)) or 0
        )
        caught_up = intake.caught_up and pending_estimates == 0
        lag = None
        if caught_up:
            lag = 0.0
        elif state is not None and state.last_event_time and state.last_processed_at:
            lag = max(0.0, (state.last_processed_at - state.last_event_time).total_seconds())
        return RecommenderStatus(
            model_version=model.version if model else None,
            trained_at=model.trained_at if model else None,
            training_window_start=model.window_start if model else None,
            training_window_end=model.window_end if model else None,
            model_metrics=model.metrics if model else None,
            events_processed=state.events_processed if state else 0,
            pending_events=intake.pending,
            pending_estimates=pending_estimates,
            caught_up=caught_up,
            lag_seconds=round(lag, 3) if lag is not None else None,
            last_event_at=state.last_event_time if state else None,
        )


@strawberry.type(description="A refit queued for the worker.")
class RefitRequested:
    request_id: int = strawberry.field(description="Number of the queued request.")
    requested_at: dt.datetime = strawberry.field(
        description="When it was queued (ISO date-time with offset)."
    )


RefitResult = Annotated[
    RefitRequested | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "RefitRecommenderModelResult", description="The queued refit, or why none was queued."
    ),
]


@strawberry.input(description="Options of a refit request.")
class RefitRecommenderModelInput:
    reason: str | None = strawberry.field(
        default=None, description="Why, free text; accepted but not stored yet."
    )


@strawberry.type
class RefitMutation:
    @strawberry.mutation(
        description="Queue a full refit (hr_leader, admin); the worker starts it within "
        "seconds and `recommenderStatus.modelVersion` moves on when it is done."
    )
    async def refit_recommender_model(
        self,
        info: Ctx,
        input: Annotated[
            RefitRecommenderModelInput, strawberry.argument(description="Options of the refit.")
        ],
    ) -> RefitResult:
        context = info.context

        async def action() -> RefitRequested:
            context.principal.require(Role.HR_LEADER, Role.ADMIN)
            request = RefitRequest(requested_by=context.principal.subject, requested_at=utcnow())
            context.session.add(request)
            await context.session.flush()
            return RefitRequested(request_id=request.id, requested_at=request.requested_at)

        return await run_mutation(context, action)
