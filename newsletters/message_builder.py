"""Building each delivery row's email: which of a mailing's pages its recipient may see now,
rendered once per set of shown pages, with the recipient's own links and list headers."""

import time

from django.core.mail import EmailMultiAlternatives

from portal.visibility import PUBLIC_ONLY

from . import links, prepared, rendering
from .models import Mailing, NewsletterIssue

# While a chunk sends, whether each page may still be shown is checked again this often: a page
# unpublished or restricted mid-chunk stops going out within this time.
RECHECK_SECONDS = 1.0


def recipient_levels(subscriber):
    """The restriction levels (portal.visibility) a subscriber's copies may show. Subscribers
    are known only by an address nobody has verified as police, so public pages only."""
    return PUBLIC_ONLY


def issue_as_sent(mailing):
    """The issue as it was when sending started (its snapshot on the mailing), so everyone gets
    the same even if it is edited mid-send; the live issue for a mailing without one."""
    if mailing.body is None:
        return mailing.issue
    return NewsletterIssue(
        pk=mailing.issue_id, title=mailing.subject, summary="", body=mailing.body
    )


class MessageBuilder:
    """Builds each row's message. Which pages a copy shows is decided as it is built, from the
    recipient's levels and the pages' state now (rechecked every RECHECK_SECONDS). An issue is
    rendered once per set of shown pages (and, for the SMTP backend, turned into wire bytes
    once: see prepared.py); alerts and digests list each subscriber's own pages, so those are
    rendered per row."""

    def __init__(self, mailing, wire=False):
        self.mailing = mailing
        self.wire = wire
        self.issue = issue_as_sent(mailing) if mailing.kind == Mailing.Kind.ISSUE else None
        self.page_ids = rendering.chosen_page_ids(self.issue) if self.issue else []
        self._shown = {}  # levels -> (checked at, {page id: page})
        self._copies = {}  # levels -> (shown page ids, (subject, text, html), prepared)
        self.links = links.Links()

    def load_pages(self, rows):
        """Alerts and digests: the pages these rows list."""
        wanted = {pk for row in rows for pk in row.page_ids} - set(self.page_ids)
        if wanted:
            self.page_ids = [*self.page_ids, *sorted(wanted)]
            self._shown.clear()

    def shown(self, levels):
        """{page id: page} of this mailing's pages that `levels` may see now."""
        checked = self._shown.get(levels)
        if checked is None or time.monotonic() - checked[0] > RECHECK_SECONDS:
            checked = (time.monotonic(), rendering.shown_pages(self.page_ids, levels))
            self._shown[levels] = checked
        return checked[1]

    def issue_copy(self, levels):
        """((subject, text, html), prepared message or None) of the issue for `levels`."""
        shown = self.shown(levels)
        copy = self._copies.get(levels)
        if copy is None or copy[0] != set(shown):
            parts = rendering.render_issue(self.issue, levels, shown=shown)
            wire = prepared.PreparedMessage(*parts) if self.wire else None
            copy = (set(shown), parts, wire)
            self._copies[levels] = copy
        return copy[1], copy[2]

    def build_wire(self, row):
        """(envelope sender, recipient, message bytes) from the prepared issue, or None when
        this row needs an ordinary message (not an issue, or an address that needs encoding)."""
        if self.issue is None or not self.wire:
            return None
        subscriber = row.subscriber
        _parts, wire_message = self.issue_copy(recipient_levels(subscriber))
        wire = wire_message.render(
            subscriber.email,
            prepared.message_id(self.mailing.pk, row.pk),
            self.links.manage_url(subscriber),
            self.links.unsubscribe_url(subscriber),
        )
        if wire is None:
            return None
        sender, data = wire
        return sender, subscriber.email, data

    def build(self, row):
        subscriber = row.subscriber
        levels = recipient_levels(subscriber)
        manage_url = self.links.manage_url(subscriber)
        unsubscribe_url = self.links.unsubscribe_url(subscriber)
        if self.issue is not None:
            (subject, text, html), _wire = self.issue_copy(levels)
            text = rendering.personalise(text, manage_url, unsubscribe_url)
            html = rendering.personalise(html, manage_url, unsubscribe_url)
        else:
            shown = self.shown(levels)
            pages = [shown[pk] for pk in row.page_ids if pk in shown]
            if not pages:
                return None
            subject, text, html = rendering.render_updates(
                self.mailing.kind,
                pages,
                manage_url,
                unsubscribe_url,
                frequency=self.mailing.key.split(":")[1] if self.mailing.kind == "digest" else "",
            )
        return list_message(
            subscriber.email,
            subject,
            text,
            html,
            unsubscribe_url,
            manage_url,
            message_id=prepared.message_id(self.mailing.pk, row.pk),
        )


def list_message(to, subject, text, html, unsubscribe_url, manage_url, message_id=None):
    headers = prepared.list_headers(unsubscribe_url, manage_url)
    if message_id:
        headers["Message-ID"] = message_id
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers=headers,
        # Django sends from_email as the envelope sender and a From header, if given, instead.
        from_email=prepared.envelope_sender(),
    )
    message.attach_alternative(html, "text/html")
    return message
