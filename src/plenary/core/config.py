"""Reads Plenary's configuration from the environment (see CONTRACT.md, "Configuration")."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def data_dir() -> Path:
    path = Path(env("PLENARY_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """The configured key, or one generated on first start and kept in the data dir.

    Keeping it on disk means sessions and signed links survive restarts without anyone
    having to invent a key; several web processes sharing the data dir share the key.
    """
    configured = env("PLENARY_SECRET_KEY")
    if configured:
        return configured
    path = directory / "secret_key"
    if not path.exists():
        key = secrets.token_urlsafe(50)
        # O_EXCL: when two processes start at once, exactly one writes the key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
    return path.read_text().strip()
