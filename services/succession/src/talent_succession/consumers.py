"""Every event handler of the succession worker, in one registry."""

from talent_platform.events import HandlerRegistry
from talent_succession.people import consumers as people

registry = HandlerRegistry()
people.register(registry)
