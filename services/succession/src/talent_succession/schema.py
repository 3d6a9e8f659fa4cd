"""The succession subgraph. `python -m talent_succession.schema` prints its SDL."""

import strawberry

from talent_platform.graphql import ERROR_TYPES, TalentSchema, TransactionExtension
from talent_succession.audit.graphql import AccessMutation, AuditQuery
from talent_succession.diversity.graphql import DiversityMutation, DiversityQuery
from talent_succession.imports.graphql import ImportMutation
from talent_succession.key_roles.graphql import KeyRoleMutation, KeyRoleQuery
from talent_succession.metrics.graphql import MetricsQuery
from talent_succession.ninebox.graphql import NineBoxQuery
from talent_succession.people.graphql import Employee
from talent_succession.plans.graphql import PlanMutation, PlanQuery
from talent_succession.potential.graphql import PotentialMutation
from talent_succession.reviews.graphql import ReviewMutation, ReviewQuery
from talent_succession.slates.graphql import SlateMutation
from talent_succession.staleness.graphql import StalenessQuery


@strawberry.type
class Query(
    KeyRoleQuery,
    NineBoxQuery,
    PlanQuery,
    MetricsQuery,
    StalenessQuery,
    ReviewQuery,
    DiversityQuery,
    AuditQuery,
):
    pass


@strawberry.type
class Mutation(
    KeyRoleMutation,
    PotentialMutation,
    SlateMutation,
    PlanMutation,
    ReviewMutation,
    DiversityMutation,
    ImportMutation,
    AccessMutation,
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
