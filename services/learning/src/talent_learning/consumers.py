"""Every event the learning worker handles: people's employees, succession's plan actions."""

from __future__ import annotations

from talent_contracts.succession import PlanActionCreated
from talent_learning.enrollments.consumers import assign_plan_action
from talent_learning.people.consumers import registry as people_registry
from talent_platform.events import HandlerRegistry

registry = HandlerRegistry()
registry.include(people_registry)
registry.on(PlanActionCreated)(assign_plan_action)
