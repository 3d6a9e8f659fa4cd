"""The CSV interchange formats (DESIGN.md, "Interchange formats"): the columns of each
kind, in the order files are written. Importers accept them in any order."""

from __future__ import annotations

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "competencies": ("code", "name", "tier", "description"),
    "job-profiles": ("code", "title", "family", "level"),
    "job-profile-competencies": (
        "job_profile_code",
        "competency_code",
        "required_level",
        "importance",
    ),
    "employees": (
        "employee_id",
        "name",
        "email",
        "hire_date",
        "job_profile_code",
        "org_unit",
        "location",
        "manager_id",
        "status",
    ),
    "job-history": ("employee_id", "job_profile_code", "start_date", "end_date"),
    "courses": (
        "code",
        "title",
        "description",
        "duration_hours",
        "modality",
        "mandatory",
        "recertify_months",
    ),
    "course-skills": ("course_code", "competency_code", "level"),
    "completions": ("employee_id", "course_code", "completed_on", "score"),
    "assessments": ("employee_id", "competency_code", "level", "assessed_on", "source"),
    "ratings": ("employee_id", "cycle_code", "overall_rating", "rated_on"),
    "key-roles": ("code", "title", "job_profile_code", "incumbent_id", "criticality"),
    "potential": ("employee_id", "potential", "assessed_on"),
    "diversity": ("employee_id", "attribute", "value"),
}
