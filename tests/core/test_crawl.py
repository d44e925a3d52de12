"""Every page reachable from the demo answers without a server error, for each kind of visitor, and
the pages each visitor works with are reached by following links and answer 200.

A crawler follows same-site links (GET only) from each visitor's start pages, in English and
Traditional Chinese. It catches what unit tests of one capability miss: a link or template that
breaks where two capabilities meet, a page that answers 403 or 404 to the people it is for, or a page
nobody links to any more. (Every route's status for every role, linked or not, is in
tests/access/test_routes.py.)
"""

import re
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from plenary.registrations.models import Registration

LINK = re.compile(r'href="(/[^"]*)"')
# Links that change state, download large exports or lead out of the site are not followed.
SKIP = re.compile(r"(logout|/delete/|\.zip$|\.xlsx$|\.csv$|\.docx$|/admin/|/static/|/media/|/j/[^/]+/\d+/$)")


def crawl(client, starts: list[str], limit: int = 400, follow=None, visit=None) -> dict[str, int]:
    """Visits pages breadth first from ``starts``; ``follow(url)`` may narrow the links followed and
    ``visit(url, response)`` sees every answer (tests/core/test_chinese_leftovers.py reads them)."""
    seen: dict[str, int] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        url = urldefrag(queue.pop(0))[0]
        if url in seen or SKIP.search(urlsplit(url).path) or (follow and not follow(url)):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if visit:
            visit(url, response)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            for link in LINK.findall(response.content.decode()):
                link = link.replace("&amp;", "&")
                if link not in seen:
                    queue.append(link)
    return seen


@pytest.fixture(autouse=True)
def english_afterwards():
    """A Chinese page leaves Chinese active in this thread: later tests (the route table) expect English."""
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture
def demo(db):
    call_command("demo", registrants=60, seed=3)


# Pages (regular expressions over the path, in either language) that each visitor must reach by
# following links from their start pages, and that must answer 200 wherever they were reached.
P = "/p/sw-20th-congress-workshops-2022"
M = "/manage/p/sw-20th-congress-workshops-2022"
# The demo programme (2022) is past: its page no longer links the registration form (issue 18).
PUBLIC = ["/", "/news/", "/news/[^/]+/", "/verify/", f"{P}/"]
CONSOLE = [
    "/manage/",
    "/manage/programmes/new/",
    r"/manage/venues/\d+/",
    f"{M}/",
    f"{M}/edit/",
    f"{M}/audit/",
    rf"{M}/sessions/\d+/",
    rf"{M}/sessions/\d+/rundown/",
    rf"{M}/sessions/\d+/photos/",
    rf"{M}/speakers/\d+/",
    f"{M}/registrations/",
    f"{M}/registrations/add/",
    f"{M}/registrations/quotas/",
    f"{M}/registrations/r/[^/]+/",
    f"{M}/attendance/",
    rf"{M}/attendance/sessions/\d+/",
    f"{M}/door/",
    f"{M}/certificates/",
    f"{M}/certificates/preview.pdf",
    f"{M}/certificates/[^/]+.pdf",
    f"{M}/releases/",
    rf"{M}/releases/\d+/",
    f"{M}/reflections/",
    f"{M}/surveys/",
    rf"{M}/surveys/\d+/",
    r"/checkin/",
    r"/checkin/\d+/",
    r"/checkin/\d+/desk/",
]
MUST_ANSWER_200 = {
    # The registrant: their private page, pass, feedback, reflection, survey, stream and certificate.
    None: [
        *PUBLIC,
        "/me/[^/]+/",
        "/me/[^/]+/pass.pdf",
        "/me/[^/]+/feedback/",
        r"/me/[^/]+/reflect/\d+/",
        r"/me/[^/]+/survey/\d+/",
        "/me/[^/]+/certificates/[^/]+.pdf",
        r"/j/[^/]+/\d+/watch/",
    ],
    "organiser": [*PUBLIC, "/accounts/password/", *CONSOLE],
    "admin": [*PUBLIC, "/accounts/password/", *CONSOLE],
    "coordinator": [
        *PUBLIC,
        "/accounts/password/",
        "/agency/",
        "/agency/p/[^/]+/",
        "/agency/p/[^/]+/nominate/",
    ],
    # Check-in staff: the scanner and nothing else (everything else answers 403).
    "door": ["/accounts/password/", "/checkin/", r"/checkin/\d+/", r"/checkin/\d+/desk/"],
    # An organiser of a body that co-organises nothing here: a console with no programme of L in it.
    "outsider": [
        *PUBLIC,
        "/accounts/password/",
        "/manage/",
        "/manage/programmes/new/",
        "/manage/venues/new/",
    ],
}
# Pages a visitor must never have answered 200 (they are someone else's), as full paths.
NEVER_200 = {
    None: ["/manage/.*", "/agency/.*", "/checkin/.*"],
    "coordinator": ["/manage/.*", r"/checkin/\d+/.*"],
    "door": ["/", "/manage/.*", "/agency/.*", "/news/.*", "/p/.*"],
    "outsider": ["/manage/p/.*", r"/checkin/\d+/.*", "/agency/.*"],
}


def matching(pattern: str, seen: dict[str, int]) -> dict[str, int]:
    compiled = re.compile(rf"(?:/zh-hant)?{pattern}")
    return {url: status for url, status in seen.items() if compiled.fullmatch(urlsplit(url).path)}


@pytest.mark.parametrize("username", [None, "organiser", "coordinator", "door", "admin", "outsider"])
def test_no_page_reachable_from_the_demo_fails(client, demo, username):
    starts = ["/", "/zh-hant/", "/news/", "/zh-hant/news/", "/verify/"]
    if username:
        client.force_login(get_user_model().objects.get(username=username))
        starts += ["/manage/", "/zh-hant/manage/", "/agency/", "/checkin/"]
    else:
        registration = Registration.objects.filter(status="confirmed").first()
        starts += [f"/me/{registration.token}/", f"/zh-hant/me/{registration.token}/"]
    seen = crawl(client, starts)
    errors = {url: status for url, status in seen.items() if status >= 500}
    assert errors == {}

    unreached = [pattern for pattern in MUST_ANSWER_200[username] if not matching(pattern, seen)]
    assert unreached == [], f"not reached by following links as {username}"
    not_ok = {
        url: status
        for pattern in MUST_ANSWER_200[username]
        for url, status in matching(pattern, seen).items()
        if status != 200
    }
    assert not_ok == {}, f"expected 200 as {username}"
    leaked = {
        url: status
        for pattern in NEVER_200.get(username, [])
        for url, status in matching(pattern, seen).items()
        if status == 200
    }
    assert leaked == {}, f"pages {username} must not get"
