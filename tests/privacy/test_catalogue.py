"""Every field of every model is classified in the catalogue of personal data."""

from __future__ import annotations

from plenary.privacy import catalogue


def test_every_field_of_every_model_is_classified():
    assert catalogue.problems() == []


def test_a_new_field_would_be_caught(monkeypatch):
    entry = catalogue.CATALOGUE["registrations.Registration"]
    shrunk = catalogue.Entry(
        owner="", personal={k: v for k, v in entry.personal.items() if k != "phone"}, other=entry.other
    )
    monkeypatch.setitem(catalogue.CATALOGUE, "registrations.Registration", shrunk)
    assert catalogue.problems() == ["registrations.Registration.phone: not classified"]


def test_a_model_missing_from_the_catalogue_is_caught(monkeypatch):
    monkeypatch.delitem(catalogue.CATALOGUE, "engagement.Answer")
    assert "engagement.Answer: not in the catalogue" in catalogue.problems()


def test_exclusions_say_why():
    for label, entry in catalogue.CATALOGUE.items():
        for name, personal in entry.personal.items():
            if not personal.exported:
                assert personal.reason, f"{label}.{name}"
