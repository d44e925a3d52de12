"""Private-link tokens never reach the server's logs, the access log included (issue 14)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.core.test_serve import free_port
from tests.site.test_supervision import answers, environment, plenary, wait_for

pytestmark = pytest.mark.live

TOKEN = "SecretTokenAbcdefghijklmnopqrstuvwxyz0123456"


def test_the_access_log_masks_private_tokens(tmp_path):
    env = environment(tmp_path)
    plenary(env, "migrate", "-v0")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plenary",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-worker",
            "--access-log",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(lambda: answers(port), 30)
        for path in (f"/me/{TOKEN}/", f"/zh-hant/me/{TOKEN}/cancel/", f"/j/{TOKEN}/1/watch/"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
            except urllib.error.HTTPError as error:
                assert error.code in (404, 405)
        time.sleep(1)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "/me/Secr…/" in output  # the requests were logged, masked
    assert TOKEN not in output
