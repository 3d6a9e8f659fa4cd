"""Makes test module names unique across services (`notifier.tests...`): pytest imports
every service's `tests` package, and each would otherwise be named plain `tests`."""
