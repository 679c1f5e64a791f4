"""Index updates, run by Celery after the publishing transaction commits, and the daily
roll-up of the search log.

Index tasks take page ids and look the page up again, so they index what is committed at the
time they run; running one twice, or out of order, leaves the index matching the page tree.
"""

from celery import shared_task
from django.db import OperationalError

from . import analytics, index, popularity
from .backends.elasticsearch import ElasticsearchBackend

# While a search server is unreachable, index updates wait and try again (doubling the delay up
# to 10 minutes, for about two hours) rather than being lost; searches meanwhile are answered
# from the database index, which these tasks update first. A database OperationalError is
# retried too: concurrent updates share word-frequency rows (SearchLexeme) and PostgreSQL may
# end one of them as a deadlock victim, whose transaction is rolled back whole.
RETRY = {
    "autoretry_for": (*ElasticsearchBackend.unavailable_errors, OperationalError),
    "retry_backoff": 30,
    "retry_backoff_max": 10 * 60,
    "max_retries": 15,
}


@shared_task(soft_time_limit=50, time_limit=60, acks_late=True, **RETRY)
def index_page(page_id):
    index.update(page_id)


@shared_task(soft_time_limit=9 * 60, time_limit=10 * 60, acks_late=True, **RETRY)
def index_subtree(page_id, after=0):
    """A batch of the subtree's pages; the rest in another run, so that a move high in the
    tree never outlasts the time limit."""
    _, continue_after = index.update_subtree(page_id, after=after)
    if continue_after is not None:
        index_subtree.delay(page_id, after=continue_after)


@shared_task(soft_time_limit=110, time_limit=120)
def forget_page_view_visits():
    """Beat, hourly: forget who viewed what on days that are over."""
    return popularity.forget_visits()


@shared_task(soft_time_limit=9 * 60, time_limit=10 * 60)
def roll_up_search_log():
    """Beat, daily: search log entries older than SEARCH_LOG_KEEP_DAYS become daily totals.
    Safe to run twice or at once (search.analytics.roll_up)."""
    days, more = analytics.roll_up()
    if more:
        roll_up_search_log.delay()
    return days
