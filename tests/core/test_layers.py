"""The layers of the code base hold: the kernel (core) imports no domain app, and no domain app
imports the site package (URL roots, server, demo, benchmarks)."""

from __future__ import annotations

import ast
from pathlib import Path

import plenary

ROOT = Path(plenary.__file__).parent
DOMAIN = {
    "access",
    "api",
    "attendance",
    "certificates",
    "checkin",
    "engagement",
    "media",
    "messaging",
    "organisations",
    "privacy",
    "programmes",
    "publicity",
    "registrations",
    "reports",
}


def imported_packages(path: Path) -> set[str]:
    """The ``plenary.<package>`` names a module imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "plenary" and len(parts) > 1:
                found.add(parts[1])
    return found


def modules(package: str) -> list[Path]:
    return [path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts]


def test_the_kernel_imports_no_domain_app_and_not_the_site():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & (DOMAIN | {"site"}))
        for path in modules("core")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_no_domain_app_imports_the_site_package():
    offenders = {
        str(path.relative_to(ROOT)): "site"
        for package in DOMAIN
        for path in modules(package)
        if "site" in imported_packages(path)
    }
    assert offenders == {}


def test_the_checker_sees_imports_at_every_depth():
    """The test above would pass on an empty walk; make sure it reads real imports."""
    assert {"core", "registrations", "programmes"} <= imported_packages(
        ROOT / "registrations" / "services.py"
    )
    assert "registrations" in imported_packages(ROOT / "site" / "demo" / "registrations.py")
