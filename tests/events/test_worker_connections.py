"""The worker keeps its database connection between tasks, as gunicorn does between requests
(CONN_MAX_AGE): a new PostgreSQL connection for every email cost the worker and the database
more than the email. A connection the server drops between tasks is replaced, and the next
email still goes. Through the real view, PostgreSQL, SMTP sink and a prefork Celery worker."""

import pytest
from django.db import connection

from tests.newsletters.conftest import start_worker  # noqa: F401 - fixture
from tests.workers import wait_for, wait_until_idle

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def worker_backends():
    """The worker's PostgreSQL backends (tests/newsletters/worker_settings.py names its
    connections) that sent registration emails: their last query marked one sent. The main
    process's start-up check (newsletters.recovery) is not one of them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, query FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'spe-test-worker'"
        )
        rows = cursor.fetchall()
    return {pid for pid, query in rows if "events_registrationemail" in query}


def register(client, event, form_data, sink, email):
    client.post(event.url, form_data(email=email))
    wait_until_idle()
    assert email in sink.per_recipient()


def test_the_worker_reuses_its_database_connection_and_replaces_a_dropped_one(
    start_worker,  # noqa: F811
    sink,
    client,
    make_event,
    form_data,
    postgres,
):
    start_worker(pool="prefork", concurrency=1)
    event = make_event(title="Hearing the child")

    register(client, event, form_data, sink, "first@avon.police.uk")
    kept = worker_backends()
    assert len(kept) == 1, "the connection was closed after the task"

    register(client, event, form_data, sink, "second@avon.police.uk")
    assert worker_backends() == kept, "the second email opened a new connection"

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [next(iter(kept))])
    assert wait_for(lambda: not worker_backends())

    register(client, event, form_data, sink, "third@avon.police.uk")
    replaced = worker_backends()
    assert len(replaced) == 1 and replaced != kept
    assert sink.per_recipient() == {
        "first@avon.police.uk": 1,
        "second@avon.police.uk": 1,
        "third@avon.police.uk": 1,
    }
