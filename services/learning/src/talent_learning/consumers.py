"""Every event the learning worker handles: people's employees (the projection first, then
onboarding and compliance, each subscribed by its own domain), succession's plan actions."""

from __future__ import annotations

from talent_learning.compliance.consumers import registry as compliance_registry
from talent_learning.enrollments.consumers import registry as enrollments_registry
from talent_learning.paths.consumers import registry as onboarding_registry
from talent_learning.people.consumers import registry as people_registry
from talent_platform.events import HandlerRegistry

registry = HandlerRegistry()
registry.include(people_registry)
registry.include(onboarding_registry)
registry.include(compliance_registry)
registry.include(enrollments_registry)
