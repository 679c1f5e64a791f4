"""Public views: registering, the signed-link pages for registrants, and calendars."""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from wagtail.wagtail_hooks import require_wagtail_login

from portal import visibility
from portal.decorators import signed_link
from taxonomy.models import Criterion

from . import booking, calendar, privacy, receipts
from .forms import FeedbackForm, RegistrationChangeForm
from .models import EventPage, EventQuestion, Feedback, Registration

# How far back the calendar feeds reach: enough for a subscriber to see last year's events.
FEED_HISTORY = dt.timedelta(days=365)


@require_http_methods(["GET", "POST"])
def register(request, event_id):
    """The registration form's post, straight to the event by its id: Wagtail's page routing
    would first look up the Site and then each page along the path, which cost more than the
    registration itself when a popular event opens. The answer is the event page's own
    (EventPage.register), after the same view-restriction check Wagtail makes before serving
    the page. A GET (the address of a form in error, reloaded) goes to the event page."""
    # The form reads the event's format (its hints differ for online events).
    # Most events ask no questions of their own: the form need not look for them.
    questions = EventQuestion.objects.filter(page=OuterRef("pk"))
    events = (
        EventPage.objects.live().select_related("format").annotate(has_questions=Exists(questions))
    )
    # get(), not first(): first() would order by the pages' path, and compiling that ORDER BY
    # (Django compares it with the annotation) was a sixth of the lookup's CPU.
    try:
        event = events.get(pk=event_id)
    except EventPage.DoesNotExist:
        raise Http404("No such event") from None
    if request.method == "GET":
        return redirect(event.url)
    if not visibility.may_be_restricted(event):
        return event.register(request)
    for restriction in event.get_view_restrictions():
        if not restriction.accept_request(request):
            # A password is asked for on the page itself; a sign-in on the portal's page.
            if restriction.restriction_type == restriction.PASSWORD:
                return redirect(event.url)
            return require_wagtail_login(next=event.url)
    return event.register(request)


def _registration_or_404(token):
    registration = Registration.from_token(token)
    if registration is None:
        raise Http404("This link is not valid")
    return registration


@signed_link
@require_safe
def received(request, token):
    """Straight after registering: the same page whatever happened (booked, waitlisted, waiting
    for approval or for the address to be confirmed, or already registered), because whoever
    filled in the form may not own the address. The email tells the owner the outcome."""
    try:
        event_id = receipts.event_id_from(token)
    except signing.BadSignature as exc:
        raise Http404("This link is not valid") from exc
    event = get_object_or_404(EventPage.objects.live(), pk=event_id)
    context = {
        "event": event,
        "needs_email_confirmation": booking.needs_email_confirmation(event),
        "confirm_hours": settings.EVENTS_EMAIL_CONFIRMATION_HOURS,
    }
    return TemplateResponse(request, "events/registration_received.html", context)


@signed_link
@require_http_methods(["GET", "POST"])
def manage(request, token):
    """The registrant's own page, reached by the signed link in every email."""
    registration = _registration_or_404(token)
    change_form = None
    if registration.can_change_answers:
        change_form = RegistrationChangeForm(registration)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "verify" and registration.status == Registration.Status.AWAITING_EMAIL:
            event = registration.event
            registration = booking.email_confirmed(registration)
            if registration is None:
                messages.error(
                    request,
                    "The time to confirm this registration has passed. Register again if you "
                    "still want a place.",
                )
                return redirect(event.url)
            if registration.status == Registration.Status.AWAITING_EMAIL:
                messages.error(request, "This event is no longer taking registrations.")
            else:
                messages.success(request, "Your email address is confirmed. We have emailed you.")
        elif action == "change" and change_form is not None:
            change_form = RegistrationChangeForm(registration, request.POST)
            if not change_form.is_valid():
                return _manage_page(request, registration, token, change_form, status=400)
            change_form.save()
            messages.success(request, "Your answers are saved.")
        elif action == "change":
            messages.error(request, "The answers to this registration can no longer be changed.")
        elif action == "cancel" and registration.is_live:
            booking.cancel(registration)
            messages.success(request, "Your registration is cancelled. We have emailed you.")
        elif action == "accept":
            if booking.accept_offer(registration):
                messages.success(request, "Your place is confirmed. We have emailed you.")
            else:
                messages.error(request, "This offer has lapsed or was already answered.")
        return redirect(request.path)
    return _manage_page(request, registration, token, change_form)


def _manage_page(request, registration, token, change_form, status=200):
    context = {
        "registration": registration,
        "event": registration.event,
        "token": token,
        "anonymise_on": privacy.anonymise_on(registration.event),
        "change_form": change_form,
    }
    if registration.status == Registration.Status.WAITLISTED:
        context["waitlist_place"] = booking.waitlist_place(registration)
    if registration.status == Registration.Status.AWAITING_EMAIL:
        context["confirm_by"] = booking.confirmation_deadline(registration)
    return TemplateResponse(request, "events/registration_manage.html", context, status=status)


@signed_link
@require_GET
def registration_data(request, token):
    """Everything held about the registration, as JSON (UK GDPR right of access)."""
    registration = _registration_or_404(token)
    response = HttpResponse(
        json.dumps(privacy.registration_data(registration), indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-registration-data.json"'
    return response


@signed_link
@require_http_methods(["GET", "POST"])
def erase(request, token):
    registration = _registration_or_404(token)
    event = registration.event
    if request.method == "GET":
        context = {"registration": registration, "event": event, "token": token}
        return TemplateResponse(request, "events/registration_erase.html", context)
    privacy.erase(registration)
    return TemplateResponse(request, "events/registration_erased.html", {"event": event})


@signed_link
@require_http_methods(["GET", "POST"])
def feedback(request, token):
    registration = _registration_or_404(token)
    event = registration.event
    if not event.is_past or registration.status != Registration.Status.CONFIRMED:
        raise Http404("Feedback opens after the event, for people who had a place")
    existing = Feedback.objects.filter(registration=registration).first()
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and existing is None:
        if form.is_valid():
            form.instance.registration = registration
            form.save()
            return redirect(request.path)
    context = {"registration": registration, "event": event, "form": form, "done": existing}
    status = 400 if form.errors else 200
    return TemplateResponse(request, "events/feedback.html", context, status=status)


def _ics_response(body, filename):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@signed_link
@require_safe
def registration_calendar(request, token):
    registration = _registration_or_404(token)
    body, _ = calendar.registration_ics(registration, method="PUBLISH")
    return _ics_response(body, "event.ics")


def _public_events():
    return (
        EventPage.objects.live()
        .public()
        .filter(end__gte=timezone.now() - FEED_HISTORY)
        .select_related("format")
        .order_by("start")
    )


def _conditional(request, body, events, response_for):
    """Answer with ETag and Last-Modified, or 304 when the client's copy is current. The body
    is the same bytes until an event in it changes (calendar.calendar), so its hash is the
    ETag; Last-Modified is the latest publication of an event in it."""
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    published = [event.last_published_at for event in events if event.last_published_at]
    last_modified = int(max(published).timestamp()) if published else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = response_for(body)
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    return response


@require_safe
def event_calendar(request, pk):
    event = get_object_or_404(_public_events(), pk=pk)
    body = calendar.calendar([event])
    return _conditional(request, body, [event], lambda b: _ics_response(b, f"{event.slug}.ics"))


def _feed_response(body):
    # Inline, not an attachment: calendar apps subscribe to the address.
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "public, max-age=900"
    return response


@require_safe
def feed(request):
    events = list(_public_events())
    body = calendar.calendar(events, name="NCPI learning events")
    return _conditional(request, body, events, _feed_response)


@require_safe
def criterion_feed(request, slug):
    criterion = get_object_or_404(Criterion, slug=slug)
    events = list(_public_events().filter(criteria=criterion).distinct())
    body = calendar.calendar(events, name=f"NCPI learning events: {criterion.name}")
    return _conditional(request, body, events, _feed_response)
