"""The deployment files the README ships (deploy/) agree with Plenary: the systemd units run commands that
exist with options they accept, the nginx site is valid for nginx and lets through what Plenary accepts,
and the environment example names only settings Plenary reads. (tests/site/test_several_nodes.py runs
them on PostgreSQL; these checks run everywhere.)"""

from __future__ import annotations

import configparser
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import load_command_class

from tests.site.test_several_nodes import DEPLOY, NGINX, NGINX_MAIN, VENV_PLENARY, nginx_site

SRC = Path(__file__).resolve().parents[2] / "src" / "plenary"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


@pytest.mark.parametrize(
    ("name", "command"), [("plenary-web@.service", "serve"), ("plenary-worker@.service", "worker")]
)
def test_each_unit_runs_a_plenary_command_with_options_it_accepts(name, command):
    service = unit(name)["Service"]
    words = shlex.split(service["ExecStart"].replace("%i", "8001"))
    assert words[:2] == [VENV_PLENARY, command]
    parser = load_command_class("plenary.site", command).create_parser("plenary", command)
    options = parser.parse_args(words[2:])  # an unknown option fails here
    if command == "serve":
        assert options.no_worker and options.host == "127.0.0.1" and options.port == 8001
    assert service["EnvironmentFile"] == "/etc/plenary/plenary.env"
    assert service["Restart"] == "always"
    assert service["KillMode"] == "mixed"  # SIGTERM to plenary itself, which stops its children gracefully


def test_the_environment_example_names_only_settings_plenary_reads():
    source = "\n".join(path.read_text() for path in SRC.rglob("*.py") if "migrations" not in path.parts)
    names = [
        line.split("=", 1)[0]
        for line in (DEPLOY / "plenary.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert {"DATABASE_URL", "REDIS_URL", "PLENARY_SECRET_KEY", "PLENARY_TRUSTED_PROXIES"} <= set(names)
    for name in names:
        assert f'"{name}"' in source, f"{name} in deploy/plenary.env.example is read nowhere in src/"


def test_nginx_lets_through_every_body_plenary_accepts():
    text = (DEPLOY / "nginx" / "plenary.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", text)
    assert size and int(size.group(1)) * 1024 * 1024 >= settings.PLENARY_MAX_REQUEST_BYTES
    read = re.search(r"proxy_read_timeout (\d+)s;", text)
    assert read and int(read.group(1)) > 120  # gunicorn's --timeout in `plenary serve`
    # Media go through Plenary's views (publication and access checks), never straight from disk.
    assert "/media/" not in re.sub(r"#.*", "", text)


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")
def test_nginx_accepts_the_site_file(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "plenary.conf").write_text(nginx_site(8080, [8001, 8002], tmp_path / "static"))
    (tmp_path / "nginx.conf").write_text(NGINX_MAIN.format(root=tmp_path, header="X-Test", user=""))
    checked = subprocess.run(
        [
            NGINX,
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
