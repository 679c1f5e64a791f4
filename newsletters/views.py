"""Public pages: subscribe, confirm, manage, unsubscribe, and the archive of sent issues.

Nobody has an account: every page about a subscriber is reached by a signed link (links.py).
"""

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal import outbox
from portal.decorators import signed_link
from portal.ratelimits import is_ratelimited
from portal.visibility import PUBLIC_ONLY

from . import cooldown, links, rendering, saved_searches, subscribers
from .forms import FrequencyForm, SubscribeForm
from .models import Delivery, NewsletterIssue, Subscriber, Subscription
from .tasks import send_confirmation, send_manage_link

# Enough for someone to sign up a few addresses or correct a typo; too few to mail-bomb
# strangers with confirmation emails.
SUBSCRIBE_RATE = "10/h"
ISSUES_PER_PAGE = 20


@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "GET":
        initial = {"frequency": Subscription.Frequency.WEEKLY}
        listing, search = request.GET.get("listing", ""), request.GET.get("search", "")
        search_description = ""
        if listing or search:
            try:
                initial["search"] = saved_searches.clean_search(listing, search)
                initial["listing"] = listing
                search_description = saved_searches.describe_search(listing, initial["search"])
            except ValueError:
                messages.info(request, "That search's filters no longer exist: choose topics.")
        if request.user.is_authenticated:
            initial.setdefault("email", request.user.email)
        form = SubscribeForm(initial=initial)
        return _subscribe_page(request, form, search_description)

    form = SubscribeForm(request.POST)
    if not form.is_valid():
        description = ""
        if form.data.get("listing") in Subscription.Listing.values:
            description = saved_searches.describe_search(
                form.data["listing"], form.data.get("search")
            )
        return _subscribe_page(request, form, description, status=400)
    # Only sign-ups that would send an email count, so mistakes never lock anyone out.
    if is_ratelimited(
        request, group="newsletters-subscribe", key="ip", rate=SUBSCRIBE_RATE, increment=True
    ):
        return TemplateResponse(request, "429.html", status=429)
    request_subscription(form.cleaned_data["email"], form)
    # The same answer whether or not the address was known: no enumeration.
    return redirect("newsletters:subscribe_done")


def _subscribe_page(request, form, search_description, status=200):
    return TemplateResponse(
        request,
        "newsletters/subscribe.html",
        {"form": form, "search_description": search_description},
        status=status,
    )


def request_subscription(email, form):
    """Record the chosen topics as unconfirmed and email a confirmation link. Nothing the
    address already gets changes until the link is used, so nobody can alter a stranger's
    subscriptions; suppressed addresses (bounces, complaints) get no email at all, and an address
    gets at most one confirmation per cooldown (cooldown.py), however many sign-ups name it."""
    now = timezone.now()
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
            email=email,
            defaults={"organisation_type": form.cleaned_data["organisation_type"]},
        )
        if subscriber.status == Subscriber.Status.SUPPRESSED:
            return
        if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.PENDING
            subscriber.unsubscribed_at = None
        if subscriber.status == Subscriber.Status.PENDING:
            subscriber.organisation_type = form.cleaned_data["organisation_type"]
        existing = {topic.topic_key(): topic for topic in subscriber.subscriptions.all()}
        for topic in form.subscriptions():
            topic.subscriber = subscriber
            known = existing.get(topic.topic_key())
            if known is None:
                topic.save()
            elif not known.active:
                known.frequency = topic.frequency
                known.created_at = now
                known.save(update_fields=["frequency", "created_at"])
        # Decided under the row lock, so concurrent sign-ups for one address ask for one email.
        if not cooldown.confirmation_requested_recently(subscriber, now):
            subscriber.confirmation_requested_at = now
            outbox.send_after_commit(send_confirmation, subscriber.pk)
        subscriber.save()


def subscribe_done(request):
    return TemplateResponse(request, "newsletters/subscribe_done.html")


def _invalid_link(request):
    return TemplateResponse(request, "newsletters/link_invalid.html", status=404)


@signed_link
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    # A GET only asks: mail scanners open links, and must not confirm on someone's behalf.
    subscriber = links.subscriber_from_token(
        token, links.CONFIRM_SALT, max_age=settings.NEWSLETTERS_CONFIRM_MAX_AGE
    )
    if subscriber is None or subscriber.status == Subscriber.Status.SUPPRESSED:
        return _invalid_link(request)
    pending = subscriber.subscriptions.filter(active=False).select_related(
        "criterion", "theme", "audience"
    )
    if request.method == "GET":
        return TemplateResponse(request, "newsletters/confirm.html", {"pending": pending})
    now = timezone.now()
    with transaction.atomic():
        pending.update(active=True)
        Subscriber.objects.filter(pk=subscriber.pk).update(
            status=Subscriber.Status.ACTIVE,
            confirmed_at=subscriber.confirmed_at or now,
            unsubscribed_at=None,
        )
    messages.success(request, "Your subscription is confirmed.")
    return redirect("newsletters:manage", token=links.make_token(subscriber, links.MANAGE_SALT))


def _manage_link_subscriber(request, token):
    """(subscriber, None) for a working manage link, else (None, the page to answer with):
    an expired link offers to email a new one to the address it was sent to."""
    subscriber, expired = links.read_manage_token(token)
    if subscriber is not None:
        return subscriber, None
    if expired:
        return None, TemplateResponse(
            request,
            "newsletters/link_expired.html",
            {"token": token, "days": settings.NEWSLETTERS_MANAGE_MAX_AGE // 86400},
            status=410,
        )
    return None, _invalid_link(request)


@signed_link
@require_http_methods(["POST"])
def new_manage_link(request, token):
    """Email a fresh manage link to the address an expired one was made for. Nothing is shown
    about the subscriber, and the answer is the same whether or not an email goes."""
    subscriber = links.subscriber_from_token(token, links.MANAGE_SALT)
    if subscriber is None:
        return _invalid_link(request)
    with transaction.atomic():
        if cooldown.take_manage_link_slot(subscriber.pk, timezone.now()):
            outbox.send_after_commit(send_manage_link, subscriber.pk)
    return TemplateResponse(request, "newsletters/new_link_sent.html")


@signed_link
@require_http_methods(["GET", "POST"])
def manage(request, token):
    subscriber, dead = _manage_link_subscriber(request, token)
    if dead:
        return dead
    status = 200
    if request.method == "POST":
        chosen = request.POST.get("subscription", "")
        # A key is a bigint's digits; anything else names no subscription (and the database,
        # or Python's int(), would refuse it).
        topic = (
            subscriber.subscriptions.filter(pk=chosen).first()
            if chosen.isascii() and chosen.isdigit() and len(chosen) <= 18
            else None
        )
        action = request.POST.get("action")
        if topic is None or action not in ("change", "remove"):
            messages.info(request, "That subscription no longer exists.")
            return redirect(request.path)
        if action == "remove":
            description = topic.describe()
            topic.delete()
            messages.success(request, f"You will no longer get emails about {description}.")
            return redirect(request.path)
        form = FrequencyForm(request.POST)
        if form.is_valid():
            topic.frequency = form.cleaned_data["frequency"]
            topic.save(update_fields=["frequency"])
            messages.success(
                request,
                f"{topic.describe()}: you will now get {topic.get_frequency_display().lower()}.",
            )
            return redirect(request.path)
        status = 400
    subscriptions = subscriber.subscriptions.select_related("criterion", "theme", "audience")
    return TemplateResponse(
        request,
        "newsletters/manage.html",
        {
            "subscriber": subscriber,
            "subscriptions": subscriptions,
            "frequencies": Subscription.Frequency.choices,
            "token": token,
            "unsubscribe_token": links.make_token(subscriber, links.UNSUBSCRIBE_SALT),
            "erase_on": (
                subscriber.unsubscribed_at
                + dt.timedelta(days=settings.NEWSLETTERS_ERASE_AFTER_DAYS)
                if subscriber.unsubscribed_at
                else None
            ),
        },
        status=status,
    )


@signed_link
def manage_data(request, token):
    """Everything held about the subscriber, as JSON (UK GDPR right of access)."""
    subscriber, dead = _manage_link_subscriber(request, token)
    if dead:
        return dead
    subscriptions = subscriber.subscriptions.select_related("criterion", "theme", "audience")
    deliveries = Delivery.objects.filter(subscriber=subscriber).select_related("mailing")
    data = {
        "email": subscriber.email,
        "organisation_type": subscriber.organisation_type,
        "status": subscriber.status,
        "subscribed_at": subscriber.created_at.isoformat(),
        "confirmed_at": subscriber.confirmed_at and subscriber.confirmed_at.isoformat(),
        "unsubscribed_at": subscriber.unsubscribed_at and subscriber.unsubscribed_at.isoformat(),
        "subscriptions": [
            {
                "topic": topic.describe(),
                "frequency": topic.frequency,
                "confirmed": topic.active,
                "created_at": topic.created_at.isoformat(),
            }
            for topic in subscriptions
        ],
        "emails": [
            {
                "subject": delivery.mailing.subject,
                "status": delivery.status,
                "sent_at": delivery.sent_at and delivery.sent_at.isoformat(),
            }
            for delivery in deliveries.order_by("pk")
        ],
    }
    response = HttpResponse(
        json.dumps(data, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-subscription-data.json"'
    return response


@signed_link
@require_http_methods(["GET", "POST"])
def erase(request, token):
    subscriber, dead = _manage_link_subscriber(request, token)
    if dead:
        return dead
    if request.method == "GET":
        return TemplateResponse(request, "newsletters/erase.html", {"token": token})
    subscriber.delete()
    return TemplateResponse(request, "newsletters/erased.html")


# RFC 8058 one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click" to this URL
# with no cookie and no CSRF token, so CSRF protection cannot apply; the signed token in the
# URL is what authorises the request, and all it can do is stop mail. The link is in every
# email, forwarded ones too, and never expires: so its pages show nothing about the subscriber
# and lead nowhere else (no address, no manage, download or erase link).
@signed_link
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = links.subscriber_from_token(token, links.UNSUBSCRIBE_SALT)
    if subscriber is None:
        return _invalid_link(request)
    if request.method == "GET":
        # Link scanners follow links: a GET only asks.
        return TemplateResponse(request, "newsletters/unsubscribe.html", {"token": token})
    unsubscribed_at = subscribers.unsubscribe_from_everything(subscriber)
    erase_on = unsubscribed_at and unsubscribed_at + dt.timedelta(
        days=settings.NEWSLETTERS_ERASE_AFTER_DAYS
    )
    return TemplateResponse(request, "newsletters/unsubscribed.html", {"erase_on": erase_on})


def archive(request):
    issues = NewsletterIssue.objects.filter(status=NewsletterIssue.Status.SENT).order_by(
        "-sent_at", "-pk"
    )
    page_obj = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "newsletters/archive.html", {"page_obj": page_obj})


def issue(request, pk):
    """A sent issue in the public archive: its public pages only, as they are now (pages
    unpublished or restricted since it was sent are left out), whoever is reading."""
    issue = get_object_or_404(NewsletterIssue, pk=pk)
    if issue.status != NewsletterIssue.Status.SENT:
        raise Http404("Not sent yet")
    context = rendering.issue_context(issue, PUBLIC_ONLY)
    return TemplateResponse(
        request, "newsletters/issue.html", {"issue": issue, "issue_sections": context["sections"]}
    )
