"""Registrations for learning events, the emails sent about them and the feedback they give."""

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.links import public_url

# Signed links carry the registration's key under this salt, so no other signed value made by
# the portal can stand in for one.
MANAGE_SALT = "events.registration.manage"

# What the registration form's list calls an organisation that is not in it, and what shows
# for one whose typed name has been anonymised away.
OTHER_ORGANISATION_LABEL = "Other (not listed)"


class Registration(models.Model):
    """One person's registration for one event. No account: signed links identify them.

    Anonymised (events.privacy) when the person erases it, or EVENTS_ANONYMISE_AFTER_DAYS after
    the event ends: name, email address, answers and a typed organisation name go, and the row
    stays so that the NCPI team's counts (by status, force, role and attendance) do not change.
    """

    class Status(models.TextChoices):
        # Police-only events: no seat or waitlist place until the emailed link proves the
        # address is the registrant's (booking.email_confirmed).
        AWAITING_EMAIL = "awaiting-email", "Awaiting email confirmation"
        PENDING = "pending", "Awaiting approval"
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waitlist"
        OFFERED = "offered", "Offered a seat"
        CANCELLED = "cancelled", "Cancelled"
        DECLINED = "declined", "Not approved"
        EXPIRED = "expired", "Offer lapsed"

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="registrations"
    )
    name = models.CharField(max_length=200)
    # Stored lower-cased, so one address is one registration however it is typed. Empty (NULL)
    # once anonymised: NULLs never clash in the one-live-registration constraint below.
    email = models.EmailField(null=True)
    # One of the listed organisations, or none and the name the person typed because theirs
    # was not listed (blank once anonymised: it is free text).
    organisation = models.ForeignKey(
        "taxonomy.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    organisation_other = models.CharField("organisation not listed", max_length=200, blank=True)
    role = models.ForeignKey(
        "taxonomy.JobRole",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    # An audience given as the role where no job role stands for it (registrations made when
    # the form listed audiences): kept, so counts by role keep it.
    role_audience = models.ForeignKey(
        "taxonomy.Audience", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(
        default=list, blank=True, help_text="[{question, answer}] for the event's questions."
    )
    consent_to_contact = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [
            # Granted to the NCPI team (the Moderators group) by migration 0003: editing an
            # event's page is not enough to download or list who is coming.
            ("export_registration", "Can export attendee lists (CSV and attendance)"),
        ]
        constraints = [
            # The database, not the form, refuses a second live registration by one address,
            # so two simultaneous submissions cannot both get in.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status__in=["cancelled", "expired"]),
                name="events_one_live_registration_per_email",
            ),
        ]
        indexes = [
            # Seat counts (event, status) and the waitlist's order share this one.
            models.Index(fields=["event", "status", "waitlist_position"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]

    def __str__(self):
        return f"{self.name or 'Anonymised registration'} for {self.event.title}"

    @property
    def organisation_name(self):
        """The organisation as the person gave it: chosen from the list or typed."""
        if self.organisation_id is not None:
            return self.organisation.name
        return self.organisation_other or OTHER_ORGANISATION_LABEL

    @property
    def role_name(self):
        if self.role_id is not None:
            return self.role.name
        return self.role_audience.name if self.role_audience_id is not None else ""

    @property
    def is_live(self):
        return self.status not in (self.Status.CANCELLED, self.Status.EXPIRED)

    @property
    def can_change_answers(self):
        """A live registration may change its answers until the event starts."""
        event = self.event
        return (
            self.is_live
            and self.status != self.Status.DECLINED
            and not event.cancelled
            and event.start > timezone.now()
        )

    def manage_token(self):
        # Signer, not signing.dumps: no timestamp, so every email carries the same link.
        return signing.Signer(salt=MANAGE_SALT).sign_object(self.pk)

    def manage_path(self):
        return reverse("events:manage", args=[self.manage_token()])

    def manage_url(self):
        return public_url(self.manage_path())

    @classmethod
    def from_token(cls, token, salt=MANAGE_SALT):
        """The registration a signed link names, or None for a forged or mangled link, or one
        whose registration has been anonymised."""
        try:
            pk = signing.Signer(salt=salt).unsign_object(token)
        except signing.BadSignature:
            return None
        if not isinstance(pk, int):
            return None
        registrations = cls.objects.select_related(
            "event", "organisation", "role", "role_audience"
        )
        return registrations.filter(pk=pk, anonymised_at__isnull=True).first()


class RegistrationEmail(models.Model):
    """One email of one kind to one registrant, recorded (claimed) before it is sent.

    The unique constraint is what makes reminders and follow-ups go once: a task that runs
    twice, or a worker restarted mid-batch, finds the row and skips. A claim whose sending
    failed is deleted so a retry can send it, unless the server refused the recipient for good.
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # An email anyone could cause by registering this address, waiting for the address's
    # cooldown to pass (events.cooldown): beat sends it after this time.
    send_after = models.DateTimeField(null=True, blank=True)
    # The mail server refused the recipient for good (events.emails.send): not retried.
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "kind"], name="events_one_email_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.kind} to {self.registration.email}"


class EmailCooldown(models.Model):
    """When an address was last sent an email that anyone could cause by registering it.

    Keyed by a keyed hash of the address, not the address: this table only needs to recognise
    an address again, never to read it (events.cooldown)."""

    address_key = models.CharField(max_length=64, unique=True)
    last_sent_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["last_sent_at"])]

    def __str__(self):
        return f"Email cooldown since {self.last_sent_at:%Y-%m-%d %H:%M}"


class EventState(models.Model):
    """Bookkeeping for one event, outside the page (which revisions overwrite).

    Its row is locked (SELECT ... FOR UPDATE) while seats are allocated, so concurrent
    registrations for one event queue up instead of overbooking; `sequence` and `fingerprint`
    give calendar clients a higher SEQUENCE whenever the event's time, place or status changes.
    """

    event = models.OneToOneField(
        "events.EventPage", on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"State of event {self.event_id}"


class Feedback(models.Model):
    """What an attendee thought of an event, from the form in their follow-up email."""

    USEFULNESS = [
        (5, "Very useful"),
        (4, "Useful"),
        (3, "Neither useful nor not useful"),
        (2, "Not very useful"),
        (1, "Not useful at all"),
    ]

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback"
    )
    usefulness = models.PositiveSmallIntegerField(choices=USEFULNESS)
    will_change = models.TextField(max_length=2000, blank=True)
    comments = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Feedback from {self.registration}"


class EventMessage(models.Model):
    """An email the NCPI team sent to an event's registrants, or one status group of them."""

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="messages"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=10000)
    statuses = models.JSONField(help_text="The registration statuses it went to.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject
