"""The people subgraph. `python -m talent_people.schema` prints its SDL."""

import strawberry

from talent_people.employees.graphql import EmployeeMutation, EmployeeQuery
from talent_people.framework.graphql import FrameworkMutation, FrameworkQuery
from talent_people.imports.graphql import ImportMutation
from talent_platform.graphql import ERROR_TYPES, TalentSchema, TransactionExtension


@strawberry.type
class Query(EmployeeQuery, FrameworkQuery):
    pass


@strawberry.type
class Mutation(EmployeeMutation, FrameworkMutation, ImportMutation):
    pass


schema = TalentSchema(
    query=Query,
    mutation=Mutation,
    types=ERROR_TYPES,
    extensions=[TransactionExtension],
    federation_version="2.9",
)

if __name__ == "__main__":
    print(schema.as_str())
