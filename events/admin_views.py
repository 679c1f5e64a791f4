"""The NCPI team's pages for one event in the Wagtail admin: registrations with status and
answers, counts by force and role, CSV export, waitlist actions, attendance and emails."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal import outbox

from . import booking
from .admin_forms import AttendanceUploadForm, EventEmailForm
from .models import OTHER_ORGANISATION_LABEL, EventMessage, EventPage, Feedback, Registration
from .tasks import send_event_message, send_follow_ups

Status = Registration.Status
# Lists of who is coming (the CSV and the attendance page) need this as well as the right to
# edit the event: the NCPI team has it (migration 0003), other editors are refused.
EXPORT_PERMISSION = "events.export_registration"


def _event_for(request, page_id):
    event = get_object_or_404(EventPage.objects.select_related("format"), pk=page_id)
    if not event.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return event


def _export_refused(request, event):
    """A 403 page rather than PermissionDenied, which Wagtail turns into a redirect to the
    dashboard: the editor should see why the list is not theirs to download."""
    return TemplateResponse(
        request, "events/admin/export_refused.html", {"event": event}, status=403
    )


def _registrations_url(event):
    return reverse("events_admin:registrations", args=[event.pk])


# A registration's organisation and role as Registration.organisation_name and role_name
# give them, for counting in the database.
ORGANISATION_NAME = Coalesce(
    "organisation__name", NullIf("organisation_other", Value("")), Value(OTHER_ORGANISATION_LABEL)
)
ROLE_NAME = Coalesce("role__name", "role_audience__name", Value(""))
NAMES = ("organisation", "role", "role_audience")


def registrations(request, page_id):
    event = _event_for(request, page_id)
    regs = event.registrations.select_related(*NAMES).order_by(
        "status", "waitlist_position", "created_at"
    )
    status = request.GET.get("status")
    if status in Status.values:
        regs = regs.filter(status=status)
    live = event.registrations.exclude(status__in=[Status.CANCELLED, Status.EXPIRED])
    context = {
        "event": event,
        "registrations": regs,
        "status": status,
        "statuses": Status.choices,
        "status_counts": dict(
            event.registrations.values_list("status").annotate(n=Count("pk")).order_by()
        ),
        "by_force": _counts_by(live, ORGANISATION_NAME),
        "by_role": _counts_by(live, ROLE_NAME),
        "seats_left": event.seats_left(),
        "feedback": Feedback.objects.filter(registration__event=event).select_related(
            "registration"
        ),
    }
    return TemplateResponse(request, "events/admin/registrations.html", context)


def _counts_by(registrations, name):
    """[{"label", "n"}], most first."""
    named = registrations.annotate(label=name).values("label")
    return named.annotate(n=Count("pk")).order_by("-n", "label")


ACTIONS = {
    "approve": (booking.approve, "Approved {name}."),
    "decline": (booking.decline, "Declined {name}."),
    "promote": (booking.promote, "Confirmed {name}'s place."),
    "up": (lambda r: booking.move(r, -1), "Moved {name} up the waitlist."),
    "down": (lambda r: booking.move(r, 1), "Moved {name} down the waitlist."),
}


@require_POST
def registration_action(request, page_id, registration_id):
    event = _event_for(request, page_id)
    registration = get_object_or_404(event.registrations, pk=registration_id)
    action = ACTIONS.get(request.POST.get("action"))
    if action is None:
        messages.error(request, "Choose an action.")
    else:
        function, message = action
        function(registration)
        messages.success(request, message.format(name=registration.name))
    return redirect(_registrations_url(event))


def export_csv(request, page_id):
    event = _event_for(request, page_id)
    if not request.user.has_perm(EXPORT_PERMISSION):
        return _export_refused(request, event)
    regs = list(event.registrations.select_related(*NAMES).order_by("created_at"))
    questions = []
    for registration in regs:
        for answer in registration.answers:
            if answer.get("question") not in questions:
                questions.append(answer.get("question"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-registrations.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "name",
            "email",
            "organisation",
            "role",
            "status",
            "waitlist position",
            "attended",
            "consent to contact",
            "registered at",
            *questions,
        ]
    )
    for r in regs:
        answers = {a.get("question"): a.get("answer", "") for a in r.answers}
        row = [
            r.name,
            r.email or "",
            r.organisation_name,
            r.role_name,
            r.get_status_display(),
            r.waitlist_position or "",
            {True: "yes", False: "no", None: ""}[r.attended],
            "yes" if r.consent_to_contact else "no",
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            *[answers.get(q, "") for q in questions],
        ]
        # Cells starting with = + - @ are formulas to spreadsheet programs: neutralise them.
        writer.writerow([_safe_cell(cell) for cell in row])
    return response


def _safe_cell(value):
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def attendance(request, page_id):
    event = _event_for(request, page_id)
    if not request.user.has_perm(EXPORT_PERMISSION):
        return _export_refused(request, event)
    confirmed = event.registrations.filter(status=Status.CONFIRMED).select_related("organisation")
    upload = AttendanceUploadForm(event)
    if request.method == "POST":
        if request.POST.get("mode") == "upload":
            upload = AttendanceUploadForm(event, request.POST, request.FILES)
            if upload.is_valid():
                marks = upload.cleaned_data["marks"]
                _save_marks(event, marks)
                messages.success(request, f"Attendance recorded for {len(marks)} people.")
                return redirect(reverse("events_admin:attendance", args=[event.pk]))
        else:
            ticked = set(request.POST.getlist("attended"))
            marks = {r.pk: str(r.pk) in ticked for r in confirmed}
            _save_marks(event, marks)
            messages.success(request, "Attendance saved.")
            return redirect(reverse("events_admin:attendance", args=[event.pk]))
    context = {"event": event, "registrations": confirmed, "upload": upload}
    status = 400 if upload.errors else 200
    return TemplateResponse(request, "events/admin/attendance.html", context, status=status)


def _save_marks(event, marks):
    with transaction.atomic():
        present = [pk for pk, attended in marks.items() if attended]
        absent = [pk for pk, attended in marks.items() if not attended]
        event.registrations.filter(pk__in=present).update(attended=True)
        event.registrations.filter(pk__in=absent).update(attended=False)


@require_POST
def follow_ups(request, page_id):
    event = _event_for(request, page_id)
    if not event.is_past:
        messages.error(request, "Follow-up emails can be sent once the event has finished.")
    else:
        outbox.send_after_commit(send_follow_ups, event.pk)
        messages.success(
            request,
            "Follow-up emails are being sent: feedback and resources to attendees, resources "
            "to those who missed it. Nobody gets one twice.",
        )
    return redirect(reverse("events_admin:attendance", args=[event.pk]))


def email(request, page_id):
    event = _event_for(request, page_id)
    form = EventEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            message = EventMessage.objects.create(
                event=event,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                statuses=form.cleaned_data["statuses"],
                created_by=request.user,
            )
            outbox.send_after_commit(send_event_message, message.pk)
        count = event.registrations.filter(status__in=message.statuses).count()
        messages.success(request, f"Your email is being sent to {count} registrants.")
        return redirect(_registrations_url(event))
    context = {"event": event, "form": form, "sent": event.messages.all()[:20]}
    return TemplateResponse(
        request, "events/admin/email.html", context, status=400 if form.errors else 200
    )
