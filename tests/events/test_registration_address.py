"""The registration form posts to the event's own registration address (events:register),
which skips Wagtail's page routing but must refuse exactly what the event page would."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction

from events.models import Registration
from portal.visibility import POLICE_GROUP

pytestmark = pytest.mark.django_db


def form_action(client, event):
    html = client.get(event.url).content.decode()
    return re.search(r'<form method="post" action="([^"]+)" novalidate>', html).group(1)


def test_the_form_posts_to_the_registration_address_and_registers(client, make_event, form_data):
    event = make_event(capacity=5)
    action = form_action(client, event)
    assert action == reverse("events:register", args=[event.pk]) + "#register"

    response = client.post(action.split("#")[0], form_data())
    assert response.status_code == 302
    assert Registration.objects.get().status == Registration.Status.CONFIRMED


def test_a_form_in_error_is_the_event_page_with_its_errors_and_saves_nothing(
    client, make_event, form_data
):
    event = make_event()
    response = client.post(reverse("events:register", args=[event.pk]), form_data(email="no"))
    assert response.status_code == 400
    html = response.content.decode()
    assert event.title in html and "govuk-error-summary" in html
    assert not Registration.objects.exists()


def test_the_address_opened_in_a_browser_goes_to_the_event(client, make_event):
    event = make_event()
    response = client.get(reverse("events:register", args=[event.pk]))
    assert response.status_code == 302 and response["Location"] == event.url


def test_an_unpublished_or_unknown_event_is_not_found(client, make_event, form_data):
    event = make_event()
    event.unpublish()
    assert client.post(reverse("events:register", args=[event.pk]), form_data()).status_code == 404
    assert client.post(reverse("events:register", args=[999999]), form_data()).status_code == 404
    assert not Registration.objects.exists()


@pytest.mark.parametrize("restriction_type", ["login", "groups", "password"])
def test_a_restricted_event_takes_no_registration_from_who_may_not_see_it(
    client, make_event, form_data, django_user_model, restriction_type
):
    event = make_event()
    restriction = PageViewRestriction.objects.create(
        page=event, restriction_type=restriction_type, password="letmein"
    )
    if restriction_type == "groups":
        restriction.groups.set([Group.objects.get_or_create(name=POLICE_GROUP)[0]])
        client.force_login(django_user_model.objects.create_user("partner", "p@example.org"))

    response = client.post(reverse("events:register", args=[event.pk]), form_data())
    assert response.status_code == 302
    if restriction_type == "password":
        assert response["Location"] == event.url
    else:
        assert response["Location"].startswith("/account/login/?next=")
    assert not Registration.objects.exists()


def test_a_police_only_page_registers_a_police_user(
    client, make_event, form_data, django_user_model
):
    event = make_event()
    restriction = PageViewRestriction.objects.create(page=event, restriction_type="groups")
    police = Group.objects.get_or_create(name=POLICE_GROUP)[0]
    restriction.groups.set([police])
    officer = django_user_model.objects.create_user("officer", "sam.officer@avon.police.uk")
    officer.groups.add(police)
    client.force_login(officer)

    response = client.post(reverse("events:register", args=[event.pk]), form_data())
    assert response.status_code == 302
    assert Registration.objects.filter(event=event).count() == 1


def test_a_post_from_another_site_is_refused(client, make_event, form_data):
    event = make_event()
    response = client.post(
        reverse("events:register", args=[event.pk]),
        form_data(),
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_a_restriction_on_the_events_section_takes_no_registration_from_anonymous_visitors(
    client, make_event, event_index, form_data
):
    event = make_event()
    PageViewRestriction.objects.create(page=event_index, restriction_type="login")

    response = client.post(reverse("events:register", args=[event.pk]), form_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")
    assert not Registration.objects.exists()


def test_registering_for_an_unrestricted_event_asks_wagtail_nothing_more(
    client, make_event, form_data, django_assert_num_queries
):
    # The event (with whether it asks questions), whether anything could restrict it, the
    # organisation and the role, then the booking: no query for questions it does not ask nor
    # for Wagtail's restriction check, which would find nothing.
    event = make_event()
    data = form_data()
    # In the test's transaction: a savepoint and its release stand for BEGIN and COMMIT.
    with django_assert_num_queries(10) as queries:
        response = client.post(reverse("events:register", args=[event.pk]), data)
    assert response.status_code == 302
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "events_eventquestion" in sql  # asked with the event, in one query
    assert '"wagtailcore_pageviewrestriction"."restriction_type"' not in sql
