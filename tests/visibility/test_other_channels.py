"""Every channel outside search x every way of hiding a page: listings, the page itself, the
sitemap, force, report and recommendation pages and their counts, documents, page previews,
newsletter issues (email and archive), alerts, digests and view counts."""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from newsletters import tasks
from newsletters.models import Delivery, Mailing, NewsletterIssue
from search.models import PageViewCount
from taxonomy.models import Criterion

from .conftest import FORCE, HIDINGS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache")]


@pytest.fixture(params=HIDINGS)
def scenario(request, postgres, settings, build_scenario):
    settings.SEARCH_BACKEND = "database"
    return build_scenario(request.param)


def sitemap_text(client):
    """The sitemap index and every part it lists, as one text."""
    index = client.get("/sitemap.xml").content.decode()
    parts = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    return index + "".join(client.get(part).content.decode() for part in parts)


def test_listings_and_the_page_itself(client, scenario):
    for url in ("/", "/practice/"):
        body = client.get(url).content.decode()
        assert not scenario.leaks(body) and scenario.shows_public(body), url
    sitemap = sitemap_text(client)
    assert not scenario.leaks(sitemap) and f"/{scenario.public.slug}/" in sitemap
    response = client.get(scenario.hidden.url or f"/practice/{scenario.hidden.slug}/")
    if scenario.hiding in ("police", "login"):
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == 404
    assert not scenario.leaks(response.content.decode())


def test_force_report_and_recommendation_pages_show_and_count_only_public_practice(
    client, scenario
):
    force = client.get(f"/forces/{FORCE}/").content.decode()
    assert not scenario.leaks(force) and scenario.shows_public(force)
    assert "1 practice case study" in force
    register = client.get("/recommendations/").content.decode()
    assert re.search(r"Practice that answers it:</dt>\s*<dd>1</dd>", register)
    recommendation = client.get(f"/recommendations/{scenario.recommendation.pk}/").content.decode()
    assert not scenario.leaks(recommendation) and scenario.shows_public(recommendation)
    report = client.get(scenario.recommendation.report.url).content.decode()
    assert not scenario.leaks(report)


def test_documents_inherit_the_visibility_of_the_pages_that_use_them(client, scenario):
    public = client.get(scenario.public_document.url)
    assert public.status_code == 200
    assert b"fictional attachment" in body_of(public)
    hidden = client.get(scenario.hidden_document.url)
    assert hidden.status_code in (302, 403)
    assert b"fictional attachment" not in body_of(hidden)


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_page_previews_need_an_editor(client, scenario, police_user):
    for user in (None, police_user):
        client.logout()
        if user:
            client.force_login(user)
        preview = client.get(f"/admin/pages/{scenario.hidden.pk}/edit/preview/")
        assert preview.status_code in (302, 403)
        assert not scenario.leaks(preview.content.decode())


def test_newsletter_issue_copies_and_archive_carry_public_pages_only(
    client, scenario, sink, eager_celery, make_subscriber, django_capture_on_commit_callbacks
):
    make_subscriber(email="reader@council.example")
    issue = NewsletterIssue.objects.create(
        title="December newsletter",
        body=[
            ("text", f'<p>Read <a id="{scenario.hidden.pk}" linktype="page">this</a>.</p>'),
            ("featured", {"heading": "New", "pages": [scenario.public, scenario.hidden]}),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.start_sending(issue.pk)
    (message,) = [m for _, m in sink.messages]
    assert not scenario.leaks(message.as_string()) and scenario.shows_public(message.as_string())
    archive = client.get(f"/newsletters/issues/{issue.pk}/").content.decode()
    assert not scenario.leaks(archive) and scenario.shows_public(archive)


def test_an_issue_page_restricted_after_sending_leaves_the_archive(
    client, postgres, clean_cache, build_scenario
):
    scenario = build_scenario("unpublished")
    issue = NewsletterIssue.objects.create(
        title="Sent earlier",
        status=NewsletterIssue.Status.SENT,
        sent_at=timezone.now(),
        body=[("featured", {"heading": "New", "pages": [scenario.public]})],
    )
    assert scenario.shows_public(client.get(f"/newsletters/issues/{issue.pk}/").content.decode())
    scenario.public.unpublish()
    archive = client.get(f"/newsletters/issues/{issue.pk}/").content.decode()
    assert not scenario.shows_public(archive)


def test_alerts_and_digests_recheck_visibility_when_the_message_is_built(
    scenario, sink, eager_celery, make_subscriber
):
    """Rows are queued while the page is public (as a publish queues them); the page is hidden
    before the chunk sends: nothing about it goes out."""
    subscriber = make_subscriber(
        email="reader@council.example",
        topics=[Criterion.objects.get(slug="initial-contact")],
    )
    from newsletters import claims

    for kind in ("alert", "digest:weekly"):
        mailing = Mailing.objects.create(
            kind=kind.split(":")[0],
            key=f"{kind}:{scenario.hidden.pk}:test",
            subject="Updates",
            prepared_at=timezone.now(),
        )
        Delivery.objects.create(
            mailing=mailing, subscriber=subscriber, page_ids=[scenario.hidden.pk]
        )
        tasks.send_chunk(mailing.pk)
        assert sink.messages == []
        assert Delivery.objects.get(mailing=mailing).status == Delivery.Status.SKIPPED
    # The same path sends a page the subscriber may see.
    mailing = Mailing.objects.create(
        kind="alert", key="alert:public:test", subject="Updates", prepared_at=timezone.now()
    )
    Delivery.objects.create(mailing=mailing, subscriber=subscriber, page_ids=[scenario.public.pk])
    assert claims.claimable(mailing.pk).exists()
    tasks.send_chunk(mailing.pk)
    (message,) = [m for _, m in sink.messages]
    assert scenario.shows_public(message.as_string())


def test_views_count_after_the_privacy_check_once_per_visitor_a_day(client, scenario):
    for _ in range(3):
        client.get(scenario.hidden.url or f"/practice/{scenario.hidden.slug}/")
    assert not PageViewCount.objects.filter(page_id=scenario.hidden.pk, views__gt=0).exists()
    for _ in range(3):
        assert client.get(scenario.public.url).status_code == 200
    assert PageViewCount.objects.get(page_id=scenario.public.pk).views == 1
    other = client_with_address("203.0.113.9")
    other.get(scenario.public.url)
    assert PageViewCount.objects.get(page_id=scenario.public.pk).views == 2


def client_with_address(address):
    from django.test import Client

    return Client(REMOTE_ADDR=address)
