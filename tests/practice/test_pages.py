"""Practice pages and their listing, as a reader sees them."""

import pytest
from django.core.cache import cache

from practice.models import ContactMessage
from taxonomy.models import Audience, Criterion, Organisation, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()


def test_practice_page_shows_the_case_study_and_links_each_tag_to_the_filtered_listing(
    client, make_practice, practice_index
):
    page = make_practice(
        title="Link officers for children's homes",
        contact_email="secret-originator@force.police.example",
        adoption_people="The missing persons coordinator and each home manager.",
        adoption_cost="Two hours of officer time per home per month.",
        outcome="did-not-work",
        stage="evaluated-locally",
        source="NCPI inspection 2019",
    )
    html = client.get(page.url).content.decode()
    assert (
        "Link officers for children&#x27;s homes" in html
        or "Link officers for children's homes" in html
    )
    for text in [
        "Children in homes were reported missing far more often.",
        "Each home has a named link officer",
        "Repeat reports fell by 31%",
        "Map every home with the council first.",
        "The missing persons coordinator and each home manager.",
        "Two hours of officer time per home per month.",
        "Didn&#x27;t work",
        "Evaluated locally",
        "NCPI inspection 2019",
        "Inspector, Missing Persons Unit",
        "Avon and Somerset Constabulary",
    ]:
        assert text in html, text
    listing = practice_index.url
    assert f'href="{listing}?criterion=initial-contact"' in html
    assert f'href="{listing}?theme=missing-children"' in html
    assert f'href="{listing}?audience=frontline-response"' in html
    assert f'href="{listing}?force=avon-and-somerset-constabulary"' in html
    # The originator's address is never shown: the form relays messages instead.
    assert "secret-originator" not in html
    assert 'id="contact"' in html


def test_listing_filters_or_within_a_facet_and_and_across_facets(
    client, make_practice, practice_index
):
    initial, investigation = Criterion.objects.filter(
        slug__in=["initial-contact", "investigation"]
    ).order_by("slug")
    missing = Theme.objects.get(slug="missing-children")
    online = Theme.objects.get(slug="online-abuse")
    make_practice(title="Alpha practice", criteria=[initial], themes=[missing])
    make_practice(title="Bravo practice", criteria=[investigation], themes=[missing])
    make_practice(title="Charlie practice", criteria=[investigation], themes=[online])

    def titles(query):
        html = client.get(practice_index.url + query).content.decode()
        return {t for t in ("Alpha", "Bravo", "Charlie") if f"{t} practice" in html}

    assert titles("") == {"Alpha", "Bravo", "Charlie"}
    assert titles("?criterion=initial-contact") == {"Alpha"}
    assert titles("?criterion=initial-contact&criterion=investigation") == {
        "Alpha",
        "Bravo",
        "Charlie",
    }
    assert titles("?criterion=investigation&theme=missing-children") == {"Bravo"}
    assert titles("?force=avon-and-somerset-constabulary&theme=online-abuse") == {"Charlie"}


def test_unknown_filter_value_is_explained_not_an_error(client, practice_index, make_practice):
    make_practice(title="Alpha practice")
    response = client.get(practice_index.url + "?criterion=no-such-thing")
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "no-such-thing" in html


def test_listing_query_count_does_not_grow_with_results(
    client, make_practice, practice_index, django_assert_max_num_queries
):
    make_practice()
    client.get(practice_index.url)  # warm per-process caches (site root, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(practice_index.url)
    audiences = list(Audience.objects.all()[:3])
    forces = list(Organisation.objects.filter(kind="force")[:5])
    for number in range(12):
        make_practice(audiences=audiences, force=forces[number % 5])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(practice_index.url)
    assert response.content.decode().count("Practice number") >= 13


def contact_data(**overrides):
    data = {
        "name": "Sam Partner",
        "email": "sam@council.example",
        "organisation": "Northfield Children's Services",
        "message": "How did you fund it?",
    }
    data.update(overrides)
    return data


def test_contact_form_queues_the_message_after_commit(
    client, make_practice, django_capture_on_commit_callbacks
):
    page = make_practice()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(page.url, contact_data())
    assert response.status_code == 302
    assert response["Location"].endswith("#contact")
    assert len(callbacks) == 1
    message = ContactMessage.objects.get()
    assert message.page_id == page.pk and message.sent_at is None
    follow = client.get(response["Location"])
    assert "Your message has been sent" in follow.content.decode()


def test_contact_form_with_errors_says_what_is_wrong_and_saves_nothing(client, make_practice):
    page = make_practice()
    response = client.post(page.url, contact_data(email="not-an-address", message=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter an email address in the correct format" in html
    assert "Enter your message" in html
    assert not ContactMessage.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # The relayed email lists name and organisation one per line: a line break would let
        # the sender forge an "Email address:" line for the originator to reply to.
        ("name", "Sam\r\nEmail address: attacker@evil.example", "Your name must be on one line"),
        ("organisation", "Council\nEmail address: x@evil.example", "must be on one line"),
        ("name", "Sam\u0000", "Your name must not contain control characters"),
        ("message", "Hello\u001b[31m", "Your message must not contain control characters"),
    ],
)
def test_contact_form_refuses_line_breaks_in_one_line_fields_and_control_characters(
    client, make_practice, field, value, message
):
    page = make_practice()
    response = client.post(page.url, contact_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ContactMessage.objects.exists()


def test_contact_form_is_rate_limited(client, make_practice, django_capture_on_commit_callbacks):
    page = make_practice()
    with django_capture_on_commit_callbacks(execute=False):
        statuses = [client.post(page.url, contact_data()).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert ContactMessage.objects.count() == 5


def test_contact_form_refuses_posts_from_other_sites(make_practice):
    # The page is shared from a cache, so its form has no CSRF token: the browser's Origin
    # header says where it was posted from (caching/csrf.py).
    from django.test import Client

    page = make_practice()
    response = Client(enforce_csrf_checks=True).post(
        page.url, contact_data(), headers={"Origin": "https://attacker.example"}
    )
    assert response.status_code == 403
    assert not ContactMessage.objects.exists()


def test_contact_email_task_sends_once_even_if_run_twice(make_practice, mailoutbox):
    from practice.tasks import relay_contact_message

    page = make_practice(contact_email="originator@force.police.example")
    message = ContactMessage.objects.create(page=page, **contact_data())
    relay_contact_message(message.pk)
    relay_contact_message(message.pk)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["originator@force.police.example"]
    assert mailoutbox[0].reply_to == ["sam@council.example"]


def test_a_line_break_in_the_practice_title_does_not_stop_the_relay(make_practice, mailoutbox):
    from practice.tasks import relay_contact_message

    page = make_practice(title="Joint visits\nfor homes", contact_email="o@force.police.example")
    relay_contact_message(ContactMessage.objects.create(page=page, **contact_data()).pk)
    assert mailoutbox[0].subject == "Enquiry about your practice: Joint visits for homes"


def test_public_pages_send_a_content_security_policy(client, make_practice):
    page = make_practice()
    response = client.get(page.url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'sha256-" in policy


def test_mistakes_do_not_count_towards_the_rate_limit(
    client, make_practice, django_capture_on_commit_callbacks
):
    page = make_practice()
    for _ in range(6):
        assert client.post(page.url, contact_data(email="wrong")).status_code == 400
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(page.url, contact_data()).status_code == 302


def test_attachments_are_listed_with_a_download_link(client, make_practice):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from practice.models import PracticeAttachment

    page = make_practice()
    document = Document.objects.create(
        title="Grab pack template", file=ContentFile(b"template", name="grab-pack.pdf")
    )
    PracticeAttachment.objects.create(page=page, document=document, title="")
    html = client.get(page.url).content.decode()
    assert "Grab pack template" in html
    assert f'href="{document.url}"' in html


def test_an_editor_creates_a_case_study_in_the_admin(admin_client, practice_index):
    from django.urls import reverse
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    from practice.models import PracticePage
    from taxonomy.models import Organisation

    force = Organisation.objects.get(slug="kent-police")
    criterion = Criterion.objects.get(slug="investigation")
    data = nested_form_data(
        {
            "title": "Video-recorded interviews within 24 hours",
            "slug": "video-interviews",
            "summary": "Children are interviewed sooner.",
            "force": force.pk,
            "published_date": "2025-01-10",
            "problem": rich_text("<p>Interviews took weeks.</p>"),
            "approach": rich_text("<p>A rota of trained interviewers.</p>"),
            "outcomes": rich_text("<p>Median wait fell to one day.</p>"),
            "implementation": rich_text(""),
            "adoption_steps": streamfield([]),
            "adoption_people": "",
            "adoption_cost": "",
            "adoption_pitfalls": rich_text(""),
            "evidence_level": "",
            "outcome": "worked",
            "stage": "untested",
            "recognised_by": "",
            "source": "",
            "contact_role": "Detective Inspector",
            "contact_email": "",
            "attachments": inline_formset([]),
            "action-publish": "publish",
        }
    )
    data["criteria"] = [criterion.pk]
    url = reverse("wagtailadmin_pages:add", args=["practice", "practicepage", practice_index.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    page = PracticePage.objects.get(slug="video-interviews")
    assert page.live and page.force == force
    assert list(page.criteria.all()) == [criterion]
