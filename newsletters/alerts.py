"""The newsletters app's public entry points for other apps (DESIGN.md: apps talk through
small public functions)."""

from portal import outbox


def queue_for(page):
    """Alert matching "as it happens" subscribers about this page once the publish commits."""
    from .tasks import queue_alert

    outbox.send_after_commit(queue_alert, page.pk)


def on_page_published(sender, instance, **kwargs):
    queue_for(instance)


def on_tracking_event(sender, event, esp_name, **kwargs):
    """django-anymail's tracking signal: a hard bounce or complaint stops all mail to the
    address at once. Soft bounces and deferrals are left to the provider's own retries."""
    from portal.signals import address_bounced

    from .failures import suppress_address

    if not event.recipient:
        return
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if esp_event.get("Type") == "SoftBounce":
        # Postmark reports soft bounces as "bounced" too; they are temporary.
        return
    if event.event_type == "complained":
        suppress_address(event.recipient, f"Complaint reported by {esp_name}")
    elif event.event_type == "bounced" and event.reject_reason == "bounced":
        suppress_address(event.recipient, f"Hard bounce reported by {esp_name}")
        address_bounced.send(sender=None, email=event.recipient)
    elif event.event_type == "rejected" and event.reject_reason in ("invalid", "blocked"):
        suppress_address(event.recipient, f"Rejected by {esp_name}: {event.reject_reason}")
