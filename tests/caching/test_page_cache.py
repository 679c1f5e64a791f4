"""The application's page cache: anonymous visitors get public pages without a database query,
nothing personal or restricted is shared, and changes are visible on the next request."""

import pytest
from django.test import Client

from events import booking
from events.receipts import received_path

pytestmark = pytest.mark.django_db


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def test_a_public_page_is_shared_and_then_answered_without_the_database(
    client,
    page_cache,
    make_practice,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_practice(title="Link officers for children's homes")
    first = client.get(page.url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    assert "public" in first["Cache-Control"] and "s-maxage=600" in first["Cache-Control"]
    assert "Cookie" in first["Vary"]
    assert not first.cookies
    with django_assert_num_queries(0):
        second = client.get(page.url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Link officers for children" in second.content.decode()


@pytest.mark.parametrize("name", ["home", "practice", "events", "forces", "sitemap", "feed"])
def test_every_kind_of_public_page_is_shared(
    client, page_cache, make_practice, make_event, django_assert_num_queries, name
):
    make_practice()
    make_event()
    url = {
        "home": "/",
        "practice": "/practice/",
        "events": "/events/",
        "forces": "/forces/avon-and-somerset-constabulary/",
        "sitemap": "/sitemap.xml",
        "feed": "/events/feed.ics",
    }[name]
    assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"


def test_publishing_is_visible_on_the_next_request(
    client, page_cache, make_practice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_practice(title="First title")
    client.get("/practice/")
    client.get(page.url)
    client.get("/practice/?page=1")
    with django_capture_on_commit_callbacks(execute=True):
        page.title = "Second title"
        page.save_revision().publish()
        added = make_practice(title="A newly added practice")
    assert "Second title" in fetch(client, page.url)[1]
    assert "A newly added practice" in fetch(client, "/practice/")[1]
    assert "A newly added practice" in fetch(client, "/practice/?page=1")[1]
    assert "A newly added practice" in fetch(client, "/")[1]
    assert added.url in fetch(client, "/sitemaps/practice-practicepage/1.xml")[1]


def test_unpublishing_and_restricting_are_visible_on_the_next_request(
    client, page_cache, make_practice, restrict_to_police, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gone = make_practice(title="Soon unpublished")
        hidden = make_practice(title="Soon police only")
    for url in (gone.url, hidden.url, "/practice/"):
        assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        gone.unpublish()
        restrict_to_police(hidden)
    assert client.get(gone.url).status_code == 404
    assert client.get(hidden.url).status_code == 302  # to the sign-in page
    listing = fetch(client, "/practice/")[1]
    assert "Soon unpublished" not in listing and "Soon police only" not in listing


def test_a_restricted_page_seen_by_a_police_user_is_never_shared(
    page_cache,
    make_practice,
    restrict_to_police,
    police_user,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_practice(title="Police eyes only")
        restrict_to_police(page)
    officer = Client()
    officer.force_login(police_user)
    seen = officer.get(page.url)
    assert seen.status_code == 200 and "Police eyes only" in seen.content.decode()
    assert "private" in seen["Cache-Control"]
    assert "X-Page-Cache" not in seen
    anonymous = Client().get(page.url)
    assert anonymous.status_code == 302
    assert "Police eyes only" not in anonymous.content.decode()


def test_signed_in_visitors_are_neither_served_from_nor_stored_in_the_cache(
    client, page_cache, make_practice, police_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_practice()
    officer = Client()
    officer.force_login(police_user)
    for _ in range(2):
        response = officer.get("/practice/")
        assert "X-Page-Cache" not in response and "private" in response["Cache-Control"]
    assert client.get("/practice/")["X-Page-Cache"] == "miss"


def test_signed_links_search_and_errors_are_never_shared(
    client, page_cache, make_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event()
    for _ in range(2):
        received = client.get(received_path(event))
        assert "no-store" in received["Cache-Control"] and "X-Page-Cache" not in received
        search = client.get("/search/?q=missing")
        assert "private" in search["Cache-Control"] and "X-Page-Cache" not in search
    refused = client.post(event.url, {"name": "", "email": "not an address"})
    assert refused.status_code == 400
    assert "private" in refused["Cache-Control"]


def test_a_registration_changes_the_seats_left_on_the_next_request(
    client, page_cache, make_event, django_capture_on_commit_callbacks
):
    from taxonomy.models import JobRole, Organisation

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(capacity=5)
    assert "5 of 5 left" in fetch(client, event.url)[1]
    assert "5 of 5 left" in fetch(client, "/events/")[1]
    with django_capture_on_commit_callbacks(execute=True):
        booking.register(
            event,
            name="Sam",
            email="sam@council.example",
            organisation=Organisation.objects.get(slug="avon-and-somerset-constabulary"),
            role=JobRole.objects.get(slug="response-officer"),
        )
    assert "4 of 5 left" in fetch(client, event.url)[1]
    assert "4 of 5 left" in fetch(client, "/events/")[1]


def _register(event, email):
    from taxonomy.models import JobRole, Organisation

    booking.register(
        event,
        name="Sam",
        email=email,
        organisation=Organisation.objects.get(slug="avon-and-somerset-constabulary"),
        role=JobRole.objects.get(slug="response-officer"),
    )


def test_a_registration_that_changes_nothing_shown_keeps_the_event_page_cached(
    client, page_cache, make_event, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """With many places left the pages say only that places are available, so a registration
    leaves them cached; once few are left, each registration shows on the next request."""
    from events.places import FEW_PLACES

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(capacity=FEW_PLACES + 2)
    assert "Places available" in fetch(client, event.url)[1]
    with django_capture_on_commit_callbacks(execute=True):
        _register(event, "first@council.example")
    with django_assert_num_queries(0):
        response, html = fetch(client, event.url)
    assert response["X-Page-Cache"] == "hit"
    assert "Places available" in html
    with django_capture_on_commit_callbacks(execute=True):
        _register(event, "second@council.example")
    few = f"{FEW_PLACES} of {FEW_PLACES + 2} left"
    assert few in fetch(client, event.url)[1]
    assert few in fetch(client, "/events/")[1]
    with django_capture_on_commit_callbacks(execute=True):
        _register(event, "third@council.example")
    assert f"{FEW_PLACES - 1} of {FEW_PLACES + 2} left" in fetch(client, event.url)[1]


def test_joining_the_waitlist_of_a_full_event_keeps_its_page_cached(
    client, page_cache, make_event, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """A registration is written as confirmed before its seat is counted, and waitlisted if the
    event is full: no seat changed hands, so nothing shown changed and nothing is purged."""
    from events.models import Registration

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(capacity=1)
        _register(event, "first@council.example")
    fetch(client, event.url)
    with django_capture_on_commit_callbacks(execute=True):
        _register(event, "second@council.example")
    assert Registration.objects.get(email="second@council.example").status == "waitlisted"
    with django_assert_num_queries(0):
        response, _html = fetch(client, event.url)
    assert response["X-Page-Cache"] == "hit"


def test_a_cancellation_that_hides_the_count_again_reaches_the_next_request(
    client, page_cache, make_event, django_capture_on_commit_callbacks
):
    from events.models import Registration
    from events.places import FEW_PLACES

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(capacity=FEW_PLACES + 1)
        _register(event, "sam@council.example")
    assert f"{FEW_PLACES} of {FEW_PLACES + 1} left" in fetch(client, event.url)[1]
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel(Registration.objects.get(email="sam@council.example"))
    assert "Places available" in fetch(client, event.url)[1]


@pytest.mark.parametrize("model", ["JobRole", "Organisation"])
def test_renaming_what_the_registration_form_lists_reaches_the_event_pages(
    client, page_cache, make_event, django_capture_on_commit_callbacks, model
):
    from taxonomy import models

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event()
    term = getattr(models, model).objects.order_by("pk").first()
    assert term.name in fetch(client, event.url)[1]
    fetch(client, event.url)  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        term.name = "A name nobody had before"
        term.save()
    assert "A name nobody had before" in fetch(client, event.url)[1]


def test_a_taxonomy_change_reaches_the_pages_showing_it(
    client, page_cache, make_practice, django_capture_on_commit_callbacks
):
    from taxonomy.models import Theme

    with django_capture_on_commit_callbacks(execute=True):
        page = make_practice()
    assert "Missing and absent children" in fetch(client, page.url)[1]
    with django_capture_on_commit_callbacks(execute=True):
        theme = Theme.objects.get(slug="missing-children")
        theme.name = "Children who go missing"
        theme.save()
    assert "Children who go missing" in fetch(client, page.url)[1]
    assert "Children who go missing" in fetch(client, "/practice/")[1]


def test_the_public_forms_work_without_a_token_and_refuse_other_sites(
    page_cache, make_event, django_capture_on_commit_callbacks
):
    from taxonomy.models import JobRole, Organisation

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event()
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(event.url)
    assert "csrfmiddlewaretoken" not in page.content.decode() and not page.cookies
    data = {
        "name": "Sam",
        "email": "sam@council.example",
        "organisation": Organisation.objects.get(slug="avon-and-somerset-constabulary").pk,
        "role": JobRole.objects.get(slug="response-officer").pk,
    }
    for headers in (
        {"Origin": "https://attacker.example"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
        {"Referer": "https://attacker.example/page"},
    ):
        refused = browser.post(event.url, data, headers=headers)
        assert refused.status_code == 403
    assert not event.registrations.exists()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = browser.post(
            event.url,
            data,
            headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        )
    assert accepted.status_code == 302
    assert event.registrations.count() == 1


def test_pages_are_served_when_the_cache_is_unreachable(client, settings, make_practice):
    settings.PAGE_CACHE_APPLICATION = True
    settings.CACHES = {
        **settings.CACHES,
        "pages-down": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    settings.PAGE_CACHE_ALIAS = "pages-down"
    page = make_practice(title="Still served")
    for _ in range(2):
        response = client.get(page.url)
        assert response.status_code == 200 and "Still served" in response.content.decode()


def test_renaming_a_page_purges_its_old_and_new_addresses(
    client, page_cache, make_practice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_practice(title="On the move")
    old_url = page.url
    assert client.get(old_url).status_code == 200
    assert "On the move" in fetch(client, "/practice/")[1]
    with django_capture_on_commit_callbacks(execute=True):
        page.slug = "moved-practice"
        page.save_revision().publish()
    # Wagtail redirects the old address to the new one (not the cached old page).
    old = client.get(old_url)
    assert old.status_code == 301 and old["Location"] == "/practice/moved-practice/"
    assert client.get("/practice/moved-practice/").status_code == 200


def test_a_signed_in_visitor_s_answers_are_private_even_where_the_view_says_public(
    page_cache, make_event, police_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_event()
    anonymous = Client().get("/events/feed.ics")
    assert "public" in anonymous["Cache-Control"] and "max-age=900" in anonymous["Cache-Control"]
    officer = Client()
    officer.force_login(police_user)
    own = officer.get("/events/feed.ics")
    assert "private" in own["Cache-Control"] and "public" not in own["Cache-Control"]


def test_an_editor_s_preview_is_never_answered_from_or_stored_in_the_cache(
    client, page_cache, make_practice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_practice(title="Live title")
    assert "Live title" in fetch(client, page.url)[1]
    # Wagtail renders a preview by passing a "dummy" request for the page's URL through the
    # middleware: it must show the draft, not the cached live page, and leave no trace.
    page.title = "Draft title in preview"
    preview = page.make_preview_request()
    assert "Draft title in preview" in preview.content.decode()
    assert "X-Page-Cache" not in preview
    live = fetch(client, page.url)
    assert live[0]["X-Page-Cache"] == "hit" and "Draft title in preview" not in live[1]
