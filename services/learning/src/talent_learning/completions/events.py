from __future__ import annotations

from talent_contracts.learning import EnrollmentCompleted
from talent_learning.completions.models import Completion


def enrollment_completed(completion: Completion, *, course_code: str) -> EnrollmentCompleted:
    return EnrollmentCompleted(
        completion_id=completion.id,
        employee_id=completion.employee_id,
        course_code=course_code,
        completed_on=completion.completed_on,
        score=completion.score,
        source=completion.source,
    )
