"""Every absolute link the portal sends out starts with the one configured PUBLIC_BASE_URL:
links to pages and to signed-link pages alike, in every kind of email."""

import re

import pytest
from django.core import mail
from wagtail.models import Site

from events import tasks as event_tasks
from newsletters import rendering
from portal import links
from practice import tasks as practice_tasks
from practice.models import ContactMessage
from taxonomy.models import JobRole, Organisation

pytestmark = pytest.mark.django_db

BASE = "https://practice.example:8443"
URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def public_base(settings):
    # A deployment sets PUBLIC_BASE_URL; the admin's base URL follows it unless set apart.
    settings.PUBLIC_BASE_URL = settings.WAGTAILADMIN_BASE_URL = BASE
    return BASE


def urls_in(text):
    return URL.findall(text)


def test_event_emails_link_pages_and_signed_links_at_the_public_base_url(
    public_base, make_event, client
):
    from events import booking

    event = make_event(title="Hearing the child")
    registration = booking.register(
        event,
        name="Sam Officer",
        email="sam@avon.police.uk",
        organisation=Organisation.objects.get(slug="avon-and-somerset-constabulary"),
        role=JobRole.objects.get(slug="response-officer"),
    )
    assert event_tasks.send_registration_email(registration.pk, "confirmed") == 1
    found = urls_in(mail.outbox[0].body)
    assert f"{BASE}{event.url}" in found  # the event page
    assert registration.manage_url() in found
    assert found and all(url.startswith(BASE + "/") for url in found), found


def test_newsletter_alerts_link_pages_at_the_public_base_url(public_base, make_practice):
    page = make_practice(title="Joint visits")
    subject, text, html = rendering.render_updates(
        "alert", [page.specific], f"{BASE}/manage/", f"{BASE}/unsubscribe/"
    )
    for body in (text, html):
        found = urls_in(body)
        assert f"{BASE}{page.url}" in found
        assert all(url.startswith(BASE + "/") for url in found), found


def test_practice_contact_relay_links_the_page_at_the_public_base_url(public_base, make_practice):
    page = make_practice(title="Joint visits", contact_email="originator@force.police.example")
    contact = ContactMessage.objects.create(
        page=page, name="Sam", email="sam@council.example", organisation="C", message="Hello"
    )
    practice_tasks.relay_contact_message.apply(args=[contact.pk])
    found = urls_in(mail.outbox[0].body)
    assert found == [f"{BASE}{page.url}"]


def test_the_default_site_follows_the_public_base_url_after_migrate(settings, make_practice):
    # The test database was migrated with PUBLIC_BASE_URL=http://testserver.
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("testserver", 80)
    settings.PUBLIC_BASE_URL = "https://practice.example"
    links.sync_default_site()
    site.refresh_from_db()
    assert (site.hostname, site.port) == ("practice.example", 443)
    page = make_practice()
    # Wagtail's own absolute URL (the admin's "view live") now agrees with ours.
    assert page.full_url == links.page_url(page) == f"https://practice.example{page.url}"


def test_public_url_joins_paths_and_leaves_absolute_urls_alone(public_base):
    assert links.public_url("/search/?q=x") == f"{BASE}/search/?q=x"
    assert links.public_url("search/") == f"{BASE}/search/"
    assert links.public_url("https://elsewhere.example/a") == "https://elsewhere.example/a"
    assert links.public_host() == "practice.example"
