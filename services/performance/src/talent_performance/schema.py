"""The performance subgraph. `python -m talent_performance.schema` prints its SDL."""

import strawberry

from talent_performance.audit.graphql import AuditQuery
from talent_performance.calibration.graphql import CalibrationMutation, CalibrationQuery
from talent_performance.cycles.graphql import CycleMutation, CycleQuery
from talent_performance.goals.graphql import GoalMutation, GoalQuery
from talent_performance.imports.graphql import ImportMutation
from talent_performance.people.graphql import Employee
from talent_performance.reports.graphql import ReportQuery
from talent_performance.reviews.graphql import ReviewMutation, ReviewQuery
from talent_platform.graphql import ERROR_TYPES, TalentSchema, TransactionExtension


@strawberry.type
class Query(CycleQuery, ReviewQuery, CalibrationQuery, GoalQuery, ReportQuery, AuditQuery):
    pass


@strawberry.type
class Mutation(CycleMutation, ReviewMutation, CalibrationMutation, GoalMutation, ImportMutation):
    pass


schema = TalentSchema(
    query=Query,
    mutation=Mutation,
    # Employee is reachable only through people's entities: declare it explicitly.
    types=[*ERROR_TYPES, Employee],
    extensions=[TransactionExtension],
    federation_version="2.9",
)

if __name__ == "__main__":
    print(schema.as_str())
