"""Beat's accounts jobs, and sending the emails allauth renders in requests."""

from celery import shared_task

from . import emails, lapsing, retention


@shared_task(soft_time_limit=290, time_limit=300)
def reconfirm_memberships():
    """Daily: ask memberships a year old to re-confirm, and lapse those that did not in time."""
    return {"asked": lapsing.ask_to_reconfirm(), "lapsed": lapsing.lapse_unconfirmed()}


@shared_task(bind=True, max_retries=8, soft_time_limit=50, time_limit=60)
def send_held_email(self, held_id):
    """One email allauth rendered (accounts.emails), sent through the outbox. Safe to run
    twice; a mail server that is down is tried again with backoff. Returns only whether it
    sent, never the email: task results and logs must not carry its links."""
    try:
        return emails.send_held(held_id)
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task(soft_time_limit=110, time_limit=120)
def forget_unsent_emails():
    """Daily: delete held emails whose links have expired before they could be sent."""
    return emails.forget_unsent()


@shared_task(soft_time_limit=110, time_limit=120)
def forget_expired_lockouts():
    """Hourly: delete records of wrong passwords past the lockout's cool-off."""
    return retention.forget_expired_lockouts()


@shared_task(soft_time_limit=290, time_limit=300)
def forget_unconfirmed_accounts():
    """Daily: delete accounts whose address was never confirmed (accounts.retention)."""
    return retention.forget_unconfirmed_accounts()
