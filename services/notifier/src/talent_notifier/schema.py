"""The notifier subgraph. `python -m talent_notifier.schema` prints its SDL."""

import strawberry

from talent_notifier.announcements.graphql import (
    AnnouncementMutation,
    AnnouncementQuery,
    AnnouncementTemplateQuery,
)
from talent_notifier.digests.graphql import DigestMutation
from talent_notifier.notifications.graphql import (
    Employee,
    NotificationMutation,
    NotificationQuery,
    NotificationSubscription,
)
from talent_notifier.preferences.graphql import PreferenceMutation, PreferenceQuery
from talent_notifier.succession.graphql import (
    SuccessionRecipientMutation,
    SuccessionRecipientQuery,
)
from talent_notifier.webhooks.graphql import WebhookMutation, WebhookQuery
from talent_platform.graphql import ERROR_TYPES, TalentSchema, TransactionExtension


@strawberry.type
class Query(
    NotificationQuery,
    PreferenceQuery,
    WebhookQuery,
    AnnouncementQuery,
    AnnouncementTemplateQuery,
    SuccessionRecipientQuery,
):
    pass


@strawberry.type
class Mutation(
    NotificationMutation,
    PreferenceMutation,
    WebhookMutation,
    DigestMutation,
    AnnouncementMutation,
    SuccessionRecipientMutation,
):
    pass


@strawberry.type
class Subscription(NotificationSubscription):
    pass


schema = TalentSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    # Employee is reachable only through people's entities: declare it explicitly.
    types=[*ERROR_TYPES, Employee],
    extensions=[TransactionExtension],
    federation_version="2.9",
)

if __name__ == "__main__":
    print(schema.as_str())
