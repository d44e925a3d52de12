"""Settings and runtime promises: WAL, the generated secret key, security headers."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from plenary.core.config import secret_key


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_secret_key_is_generated_once_and_kept_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("PLENARY_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("PLENARY_SECRET_KEY", "from-the-environment")
    assert secret_key(tmp_path) == "from-the-environment"


def test_production_defaults_debug_off_and_secure_cookies_behind_https(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    env = {
        **os.environ,
        "PLENARY_DATA_DIR": str(tmp_path),
        "PLENARY_BASE_URL": "https://plenary.example.org",
        "DJANGO_SETTINGS_MODULE": "plenary.core.settings",
    }
    env.pop("PLENARY_DEBUG", None)
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["False", "True", "True", "True"]


@pytest.mark.django_db
def test_pages_carry_security_headers(client, reference_programme):
    response = client.get(f"/p/{reference_programme.slug}/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pdfs_refuse_to_run_without_a_chinese_font_and_say_how_to_fix_it(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from plenary.core.pdf import cjk_font

    cjk_font.cache_clear()
    settings.PLENARY_CJK_FONT = str(tmp_path / "missing.ttc")
    try:
        with pytest.raises(ImproperlyConfigured):
            cjk_font()
    finally:
        cjk_font.cache_clear()
