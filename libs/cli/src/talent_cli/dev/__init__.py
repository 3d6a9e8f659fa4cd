"""`talent dev up`."""

from talent_cli.dev.model import DevError, DevOptions
from talent_cli.dev.stack import dev_up, repo_root
from talent_cli.migrations import migrate

__all__ = ["DevError", "DevOptions", "dev_up", "migrate", "repo_root"]
