"""The demo step issues the reference programme's certificates; the command does so with a progress bar."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from plenary.certificates.models import Certificate, CertificateRule
from plenary.site.demo import DemoContext
from plenary.site.demo import certificates as certificates_demo

from .conftest import attend, attend_all, person


def test_demo_issues_certificates_for_the_attendance_there_is(client, reference_programme, sessions):
    holders = [person(reference_programme, number) for number in range(3)]
    for registration in holders:
        attend_all(registration, sessions)
    attend(person(reference_programme, 9), sessions[0])
    context = DemoContext(programme=reference_programme, rng=random.Random(1), registrants=4, seed=1)

    certificates_demo.load(context)
    certificates_demo.load(context)  # idempotent

    rule = CertificateRule.objects.get(programme=reference_programme)
    assert list(rule.signatories.values_list("name_zh", flat=True)) == ["李佩詩女士", "孫玉菡先生"]
    assert Certificate.objects.filter(state="valid").count() == 3
    serial = Certificate.objects.first().serial
    assert client.get(f"/verify/{serial}/").status_code == 200
    assert client.get("/verify/PLN-2022-MADE-UP00/").status_code == 404


def test_issue_certificates_command_reports_progress(reference_programme, sessions, mailoutbox):
    for number in range(2):
        attend_all(person(reference_programme, number), sessions)
    output = StringIO()
    call_command("issue_certificates", reference_programme.slug, stdout=output)
    text = output.getvalue()
    assert "[##############################] 2/2" in text
    assert "2 eligible: 2 issued, 0 re-issued, 0 unchanged; 2 e-mailed." in text
    assert len(mailoutbox) == 2
    again = StringIO()
    call_command("issue_certificates", reference_programme.slug, stdout=again)
    assert "2 eligible: 0 issued, 0 re-issued, 2 unchanged; 0 e-mailed." in again.getvalue()
    with pytest.raises(CommandError):
        call_command("issue_certificates", "no-such-programme")


def test_bench_command_runs_from_the_command_line(tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "plenary", "bench", "certificates", "--n", "4", "--processes", "1"],
        env={**os.environ, "PLENARY_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "certificates: 4 PDFs in" in result.stdout


def test_the_documented_hyphenated_command_name_dispatches(tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "plenary", "issue-certificates", "--help"],
        env={**os.environ, "PLENARY_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Issue every certificate due for a programme" in result.stdout
