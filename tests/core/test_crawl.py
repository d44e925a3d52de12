"""Every page reachable from the demo answers without a server error, for each kind of visitor.

A crawler follows same-site links (GET only) from each visitor's start pages, in English and
Traditional Chinese. It catches what unit tests of one capability miss: a link or template that
breaks where two capabilities meet.
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


def crawl(client, starts: list[str], limit: int = 400) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        url = urldefrag(queue.pop(0))[0]
        if url in seen or SKIP.search(urlsplit(url).path):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            for link in LINK.findall(response.content.decode()):
                link = link.replace("&amp;", "&")
                if link not in seen:
                    queue.append(link)
    return seen


@pytest.fixture
def demo(db):
    call_command("demo", registrants=60, seed=3)


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
    assert sum(1 for status in seen.values() if status == 200) >= 5
