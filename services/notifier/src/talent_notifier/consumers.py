"""Every event handler of the notifier worker, in one registry (the projection first)."""

from talent_notifier.announcements import consumers as announcements
from talent_notifier.notifications import consumers as notifications
from talent_notifier.people import consumers as people
from talent_notifier.recommendations import consumers as recommendations
from talent_notifier.reviews import consumers as reviews
from talent_notifier.succession import consumers as succession
from talent_platform.events import HandlerRegistry

registry = HandlerRegistry()
people.register(registry)
notifications.register(registry)
reviews.register(registry)
recommendations.register(registry)
announcements.register(registry)
succession.register(registry)
