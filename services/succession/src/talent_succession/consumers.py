"""Every event handler of the succession worker, in one registry."""

from talent_platform.events import HandlerRegistry
from talent_succession.people import consumers as people
from talent_succession.plans import consumers as plans
from talent_succession.ratings import consumers as ratings

registry = HandlerRegistry()
people.register(registry)
ratings.register(registry)
plans.register(registry)
