from __future__ import annotations

from pathlib import Path

from graphql import ObjectTypeDefinitionNode, parse

from talent_recommender.schema import schema

SDL = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_the_checked_in_sdl_is_what_the_service_serves() -> None:
    # Regenerate with: python -m talent_recommender.schema > services/recommender/schema.graphql
    assert SDL.read_text() == schema.as_str() + "\n"


def test_the_recommender_extends_peoples_employee_with_its_fields() -> None:
    types = {
        d.name.value: d
        for d in parse(schema.as_str()).definitions
        if isinstance(d, ObjectTypeDefinitionNode)
    }

    employee = types["Employee"]

    assert [f.name.value for f in employee.fields or ()] == [
        "id",
        "skillProfile",
        "skillGaps",
        "careerPaths",
        "keyRoleGaps",
        "recommendedCourses",
        "teamDevelopmentActions",
        "recommendationHistory",
    ]
    assert [d.name.value for d in employee.directives or ()] == ["key"]
    key_role = types["KeyRole"]
    assert [f.name.value for f in key_role.fields or ()] == [
        "id",
        "successorSuggestions",
        "successorSuggestionOrgUnits",
    ]
    assert [d.name.value for d in key_role.directives or ()] == ["key"]
    job_profile = types["JobProfile"]
    assert [f.name.value for f in job_profile.fields or ()] == ["code", "nextMoves"]
    assert [d.name.value for d in job_profile.directives or ()] == ["key"]
