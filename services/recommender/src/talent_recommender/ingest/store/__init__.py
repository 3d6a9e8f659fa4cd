"""The statements the ingest consumers (`ingest/consumers/`) run on the projections, as
functions of a sync Session, one module per source service; here, what they share: the
multi-row upsert per wave of distinct keys and the count of events applied."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_platform.db.base import utcnow
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.events import in_waves
from talent_recommender.ingest.models import IngestState


def upsert(
    session: Session,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str],
) -> None:
    """One multi-row upsert per wave of distinct keys (later rows of a key win)."""
    columns = [getattr(model, k) for k in key]
    for wave in in_waves(rows, key=lambda row: tuple(row[k] for k in key)):
        names = list(wave[0])
        statement = unnest_insert(model, names)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=columns, set_={c: statement.excluded[c] for c in update}
            ),
            unnest_params(wave, names),
        )


def add_progress(session: Session, *, events: int, last_event_time: dt.datetime) -> None:
    """Add `events` to the count of events applied; the latest event time applied moves on
    to `last_event_time` unless it is further already."""
    statement = insert(IngestState).values(
        id=1, events_processed=events, last_event_time=last_event_time, last_processed_at=utcnow()
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[IngestState.id],
            set_={
                "events_processed": IngestState.events_processed
                + statement.excluded.events_processed,
                "last_event_time": func.greatest(
                    IngestState.last_event_time, statement.excluded.last_event_time
                ),
                "last_processed_at": statement.excluded.last_processed_at,
            },
        )
    )
