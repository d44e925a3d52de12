"""Reads Plenary's configuration from the environment (see CONTRACT.md, "Configuration")."""

from __future__ import annotations

import os
import secrets
import socket
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


def lan_address() -> str:
    """This machine's address on the local network (the one a phone on the same Wi-Fi reaches).

    Connecting a UDP socket sends nothing; it only asks the kernel which interface would be used.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, never contacted
            address = sock.getsockname()[0]
            if address and not address.startswith("0."):
                return address
    except OSError:
        pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]", ""}  # noqa: S104 - names, not a bind


def site_address(host: str, port: str | int) -> tuple[str, list[str]]:
    """The base URL links should carry and the host names to allow, for a server bound to host:port.

    Bound to every interface (0.0.0.0), links use the LAN address so that phones on the same network
    can open them; that address, the machine's name and the loopback names are allowed.
    """
    host = (host or "").strip()
    names = ["127.0.0.1", "localhost"]
    if host in WILDCARD_HOSTS:
        public = lan_address()
        names += [public, socket.gethostname()]
    else:
        public = host
        names.append(host.strip("[]"))
    shown = f"[{public}]" if ":" in public and not public.startswith("[") else public
    base = f"http://{shown}" if str(port) == "80" else f"http://{shown}:{port}"
    return base, list(dict.fromkeys(name for name in names if name))
