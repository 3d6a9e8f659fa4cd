from __future__ import annotations

import uuid

from talent_contracts.learning import EnrollmentCompleted
from talent_learning.completions.models import Completion


def enrollment_completed(
    completion: Completion, *, course_code: str, enrollment_id: uuid.UUID | None = None
) -> EnrollmentCompleted:
    return EnrollmentCompleted(
        completion_id=completion.id,
        employee_id=completion.employee_id,
        course_code=course_code,
        completed_on=completion.completed_on,
        score=completion.score,
        source=completion.source,
        enrollment_id=enrollment_id,
    )
