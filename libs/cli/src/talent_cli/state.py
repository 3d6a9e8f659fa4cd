"""The CLI's state directory (`.talent` by default): the dev secret, the embedded
PostgreSQL's data and `dev.json`, which tells later commands where the running stack is."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_DIR_VARIABLE = "TALENT_STATE_DIR"
DATABASE_URL_VARIABLE = "TALENT_DATABASE_URL"
DEFAULT_STATE_DIR = ".talent"


class StateError(RuntimeError):
    pass


def default_state_dir() -> Path:
    return Path(os.environ.get(STATE_DIR_VARIABLE, DEFAULT_STATE_DIR))


@dataclass(frozen=True)
class StateDir:
    path: Path

    @property
    def secret_path(self) -> Path:
        return self.path / "secret"

    @property
    def dev_json_path(self) -> Path:
        return self.path / "dev.json"

    @property
    def postgres_dir(self) -> Path:
        return self.path / "postgres"

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)

    def jwt_secret(self, *, create: bool = False) -> str:
        """The dev JWT secret: generated once (random, 256 bits), then read back."""
        try:
            value = self.secret_path.read_text().strip()
        except FileNotFoundError:
            if not create:
                raise StateError(
                    f"no dev secret at {self.secret_path}: run `talent dev up` first "
                    f"(or pass --state-dir)"
                ) from None
            self.create()
            value = secrets.token_urlsafe(48)
            descriptor = os.open(self.secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(value + "\n")
            return value
        if len(value) < 32:
            raise StateError(f"{self.secret_path} holds a secret shorter than 32 characters")
        return value

    def gateway_secret(self, *, create: bool = False) -> str:
        """The gateway's shared secret, derived from the dev secret (one file to keep)."""
        key = self.jwt_secret(create=create).encode()
        return hmac.new(key, b"talent-gateway-secret", hashlib.sha256).hexdigest()

    def dev_info(self) -> dict[str, Any] | None:
        """The contents of dev.json, or None when there is none."""
        try:
            loaded: Any = json.loads(self.dev_json_path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError) as exc:
            raise StateError(f"cannot read {self.dev_json_path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise StateError(f"{self.dev_json_path} is not a JSON object")
        return loaded

    def write_dev_info(self, info: dict[str, Any]) -> None:
        self.create()
        temporary = self.dev_json_path.with_suffix(".json.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(info, handle, indent=2)
            handle.write("\n")
        temporary.replace(self.dev_json_path)

    def remove_dev_info(self) -> None:
        self.dev_json_path.unlink(missing_ok=True)

    def service_database_url(self, service: str) -> str | None:
        from talent_platform.db.admin import normalize_postgres_url

        info = self.dev_info()
        if info is None:
            return None
        url = info.get("services", {}).get(service, {}).get("database_url")
        return normalize_postgres_url(url) if isinstance(url, str) else None

    def broker(self) -> str | None:
        info = self.dev_info()
        broker = info.get("broker") if info else None
        return broker if isinstance(broker, str) else None
