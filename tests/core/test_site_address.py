"""Links and allowed hosts follow HOST/PORT; `plenary serve` on 0.0.0.0 says which address phones use and answers it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request

from plenary.core.config import lan_address, site_address
from tests.core.test_serve import free_port


def test_a_named_host_gives_its_url_and_is_allowed():
    base, hosts = site_address("plenary.example.org", 9000)
    assert base == "http://plenary.example.org:9000"
    assert "plenary.example.org" in hosts and "127.0.0.1" in hosts


def test_every_interface_uses_the_lan_address():
    base, hosts = site_address("0.0.0.0", 8123)  # noqa: S104
    assert base == f"http://{lan_address()}:8123"
    assert lan_address() in hosts
    assert not base.startswith("http://0.0.0.0")


def test_settings_derive_base_url_and_hosts_from_host_and_port(tmp_path):
    env = {**os.environ, "PLENARY_DATA_DIR": str(tmp_path), "HOST": "10.1.2.3", "PORT": "9001"}
    for name in ("PLENARY_BASE_URL", "PLENARY_ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    code = "from plenary.core import settings as s; print(s.BASE_URL); print(','.join(s.ALLOWED_HOSTS))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    base, hosts = out.stdout.split()
    assert base == "http://10.1.2.3:9001"
    assert "10.1.2.3" in hosts.split(",")
    env["PLENARY_BASE_URL"] = "https://plenary.example.org"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "https://plenary.example.org"


def test_serve_on_every_interface_names_the_phone_address_answers_it_and_warns_about_the_font(tmp_path):
    env = {**os.environ, "PLENARY_DATA_DIR": str(tmp_path), "PLENARY_CJK_FONT": str(tmp_path / "none.ttc")}
    for name in ("DATABASE_URL", "PLENARY_BASE_URL", "PLENARY_ALLOWED_HOSTS"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "plenary", "migrate", "-v0"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plenary",
            "serve",
            "--host",
            "0.0.0.0",  # noqa: S104
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        started = time.monotonic()
        while time.monotonic() - started < 30 and not any("fonts-wqy-microhei" in line for line in lines):
            lines.append(server.stdout.readline())
        output = "".join(lines)
        assert "sudo apt-get install fonts-wqy-microhei" in output
        match = re.search(r"Phones on the same network: open (http://[^/\s]+)/", output)
        assert match, output
        phone_url = match.group(1)
        assert phone_url == f"http://{lan_address()}:{port}"
        status = None
        while time.monotonic() - started < 30:
            try:
                with urllib.request.urlopen(f"{phone_url}/", timeout=2) as response:  # noqa: S310
                    status = response.status
                    break
            except urllib.error.HTTPError as error:
                status = error.code
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200  # not "Bad Request (400)": the LAN address is an allowed host
    finally:
        server.terminate()
        server.wait(timeout=20)
