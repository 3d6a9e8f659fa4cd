"""The recommender subgraph. `python -m talent_recommender.schema` prints its SDL."""

import strawberry

from talent_platform.graphql import ERROR_TYPES, TalentSchema, TransactionExtension
from talent_recommender.audit.graphql import AuditQuery
from talent_recommender.careers.graphql import JobProfile
from talent_recommender.needs.graphql import NeedsQuery
from talent_recommender.profiles.graphql import RefitMutation, StatusQuery
from talent_recommender.recommendations.graphql import Employee, RecommendationMutation
from talent_recommender.successors.graphql import KeyRole, SuccessorMutation


@strawberry.type
class Query(StatusQuery, AuditQuery, NeedsQuery):
    pass


@strawberry.type
class Mutation(RecommendationMutation, RefitMutation, SuccessorMutation):
    pass


schema = TalentSchema(
    query=Query,
    mutation=Mutation,
    # Employee, KeyRole and JobProfile are reachable only through other subgraphs' entities.
    types=[*ERROR_TYPES, Employee, KeyRole, JobProfile],
    extensions=[TransactionExtension],
    federation_version="2.9",
)

if __name__ == "__main__":
    print(schema.as_str())
