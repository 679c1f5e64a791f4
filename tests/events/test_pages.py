import datetime as dt

import pytest
import time_machine

from taxonomy.models import EventFormat, Region

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 5, 1, 12, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_event_page_shows_uk_time_and_hides_joining_instructions(client, make_event, event_index):
    event = make_event(
        title="Hearing the child",
        start=dt.datetime(2027, 6, 8, 9, 0, tzinfo=dt.UTC),  # 10am in British Summer Time
        format=EventFormat.objects.get(slug="in-person"),
        venue="Civic Centre, Market Street",
        region=Region.objects.get(slug="north-east"),
        capacity=80,
        registration_opens=dt.date(2027, 4, 1),
        registration_closes=dt.date(2027, 6, 6),
        joining_instructions="<p>Secret joining link https://meet.example/abc</p>",
    )
    html = client.get(event.url).content.decode()
    assert "Hearing the child" in html
    assert "8 June 2027" in html
    assert "10am" in html or "10:00am" in html or "10:00" in html
    assert "Civic Centre, Market Street" in html
    assert "North East" in html
    assert "80" in html
    assert "meet.example" not in html
    assert f'href="{event_index.url}?criterion=initial-contact"' in html


@time_machine.travel(NOW, tick=False)
def test_listing_separates_upcoming_and_past_and_filters(client, make_event, event_index):
    make_event(title="Future online event", start=NOW + dt.timedelta(days=10))
    make_event(
        title="Future regional day",
        start=NOW + dt.timedelta(days=20),
        format=EventFormat.objects.get(slug="in-person"),
        venue="Hall",
        region=Region.objects.get(slug="wales"),
    )
    make_event(title="Last year's event", start=NOW - dt.timedelta(days=300))

    upcoming = client.get(event_index.url).content.decode()
    assert "Future online event" in upcoming and "Future regional day" in upcoming
    assert "Last year&#x27;s event" not in upcoming and "Last year's event" not in upcoming
    past = client.get(event_index.url + "?when=past").content.decode()
    assert "Last year" in past and "Future online event" not in past

    wales = client.get(event_index.url + "?region=wales").content.decode()
    assert "Future regional day" in wales and "Future online event" not in wales
    online = client.get(event_index.url + "?format=online&format=hybrid").content.decode()
    assert "Future online event" in online and "Future regional day" not in online


def test_event_listing_query_count_does_not_grow(
    client, make_event, event_index, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_event()
    client.get(event_index.url)
    with CaptureQueriesContext(connection) as few:
        client.get(event_index.url)
    for _ in range(10):
        make_event()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(event_index.url)
