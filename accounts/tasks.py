"""Beat's accounts jobs."""

from celery import shared_task

from . import lapsing


@shared_task(soft_time_limit=290, time_limit=300)
def reconfirm_memberships():
    """Daily: ask memberships a year old to re-confirm, and lapse those that did not in time."""
    return {"asked": lapsing.ask_to_reconfirm(), "lapsed": lapsing.lapse_unconfirmed()}
