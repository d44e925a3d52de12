import pytest

from plenary.core.models import AuditEntry


@pytest.mark.django_db
def test_organiser_of_another_body_cannot_open_the_programmes_console_pages(
    client, reference_programme, outsider
):
    client.force_login(outsider)
    slug = reference_programme.slug
    session = reference_programme.sessions.first()
    for path in (
        f"/manage/p/{slug}/",
        f"/manage/p/{slug}/edit/",
        f"/manage/p/{slug}/audit/",
        f"/manage/p/{slug}/sessions/new/",
        f"/manage/p/{slug}/sessions/{session.pk}/",
        f"/manage/p/{slug}/sessions/{session.pk}/rundown/",
    ):
        assert client.get(path).status_code in (403, 404), path
    response = client.post(f"/manage/p/{slug}/edit/", {"title_en": "Hijacked"})
    assert response.status_code in (403, 404)
    reference_programme.refresh_from_db()
    assert reference_programme.title_en != "Hijacked"
    assert reference_programme.title_en not in client.get("/manage/").content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, reference_programme):
    response = client.get(f"/manage/p/{reference_programme.slug}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def session_form(session, **changes):
    data = {
        "kind": session.kind,
        "mode": session.mode,
        "title_en": session.title_en,
        "title_zh": session.title_zh,
        "description_en": session.description_en,
        "description_zh": session.description_zh,
        "starts_at": session.starts_at.astimezone(session.programme.tzinfo).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": session.ends_at.astimezone(session.programme.tzinfo).strftime("%Y-%m-%dT%H:%M"),
        "venue": session.venue_id or "",
        "online_url": session.online_url,
        "stream_url": session.stream_url,
        "online_capacity": session.online_capacity or "",
        "cpd_hours": str(session.cpd_hours),
        "counts_towards_certificate": "on" if session.counts_towards_certificate else "",
        "speakers": [speaker.pk for speaker in session.speakers.all()],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.django_db
def test_an_edit_appears_in_the_audit_log(client, reference_programme, organiser):
    client.force_login(organiser)
    session = reference_programme.sessions.get(kind="sharing")
    response = client.post(
        f"/manage/p/{reference_programme.slug}/sessions/{session.pk}/", session_form(session, cpd_hours="3")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert str(session.cpd_hours) == "3.00"

    entry = AuditEntry.objects.get(programme=reference_programme, action="update", object_id=str(session.pk))
    assert entry.actor == organiser
    assert ("cpd_hours", "2.50", "3.00") in entry.changes
    log = client.get(f"/manage/p/{reference_programme.slug}/audit/").content.decode()
    # Field names as the reader knows them ("CPD hours"), not the code name (issue 18).
    assert (
        "CPD hours" in log
        and "cpd_hours" not in log
        and "2.50" in log
        and "3.00" in log
        and "organiser" in log
    )


@pytest.mark.django_db
def test_validation_errors_are_shown_in_place_and_nothing_is_saved(client, reference_programme, organiser):
    client.force_login(organiser)
    session = reference_programme.sessions.get(kind="sharing")
    form = session_form(session, ends_at="2022-12-03T13:00", venue="")
    response = client.post(f"/manage/p/{reference_programme.slug}/sessions/{session.pk}/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A session must end after it starts." in html
    assert "An in-person or hybrid session needs a venue." in html
    assert 'aria-invalid="true"' in html
    session.refresh_from_db()
    assert session.venue is not None


@pytest.mark.django_db
def test_organiser_creates_a_programme_and_adds_a_session_and_run_down(
    client, reference_programme, organiser
):
    from plenary.organisations.models import Organisation
    from plenary.programmes.models import Programme

    client.force_login(organiser)
    lwb = Organisation.objects.get(acronym="LWB")
    response = client.post(
        "/manage/programmes/new/",
        {
            "lead_organisation": lwb.pk,
            "slug": "carers-week-2027",
            "title_en": "Carers week",
            "title_zh": "照顧者週",
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-05",
            "time_zone": "Asia/Hong_Kong",
            "status": "draft",
            "attendance_threshold_percent": 80,
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(slug="carers-week-2027")
    assert programme.co_organisers.get().organisation == lwb
    response = client.post(
        "/manage/p/carers-week-2027/sessions/new/",
        {
            "kind": "lecture",
            "mode": "online",
            "title_en": "Opening lecture",
            "starts_at": "2027-03-01T10:00",
            "ends_at": "2027-03-01T12:00",
            "cpd_hours": "2",
        },
    )
    assert response.status_code == 302
    session = programme.sessions.get()
    # Entered in Hong Kong time, stored in UTC.
    assert session.starts_at.isoformat() == "2027-03-01T02:00:00+00:00"
    response = client.post(
        f"/manage/p/carers-week-2027/sessions/{session.pk}/rundown/",
        {
            "order": 1,
            "kind": "welcome",
            "title_en": "Welcome",
            "duration_minutes": 10,
        },
    )
    assert response.status_code == 302
    assert session.agenda_items.get().title_en == "Welcome"
    assert AuditEntry.objects.filter(programme=programme).count() == 3
