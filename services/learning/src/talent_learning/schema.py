"""The learning subgraph. `python -m talent_learning.schema` prints its SDL."""

import strawberry

from talent_learning.cohorts.graphql import CohortMutation, CohortQuery
from talent_learning.completions.graphql import CompletionMutation
from talent_learning.compliance.graphql import ComplianceMutation, ComplianceQuery
from talent_learning.courses.graphql import CourseMutation, CourseQuery
from talent_learning.enrollments.graphql import EnrollmentMutation, EnrollmentQuery
from talent_learning.imports.graphql import ImportMutation
from talent_learning.paths.graphql import PathMutation, PathQuery
from talent_learning.people.graphql import Employee
from talent_learning.reports.graphql import ReportQuery
from talent_learning.requests.graphql import TrainingRequestMutation, TrainingRequestQuery
from talent_platform.graphql import ERROR_TYPES, TalentSchema, TransactionExtension


@strawberry.type
class Query(
    CourseQuery,
    PathQuery,
    EnrollmentQuery,
    ComplianceQuery,
    ReportQuery,
    TrainingRequestQuery,
    CohortQuery,
):
    pass


@strawberry.type
class Mutation(
    CourseMutation,
    PathMutation,
    EnrollmentMutation,
    ComplianceMutation,
    CompletionMutation,
    ImportMutation,
    TrainingRequestMutation,
    CohortMutation,
):
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
