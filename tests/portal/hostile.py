"""A realistic site and the list of everything the public can send it, for the hostile-input walk
(test_hostile_input.py).

`PUBLIC_URLS` names every URL pattern a visitor can reach, with the query parameters and form
fields each reads; the walk checks that it names every pattern in the URLconf, so a new page
cannot be added without being walked.
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import quote

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction

# Values percent-encoded as they go on the wire, so that invalid UTF-8 can be sent too.
HOSTILE_VALUES = {
    "NUL byte": "a%00b",
    "control characters": "a%01%08%0B%1B%7Fb",
    "line break": "a%0D%0AEmail%20address%3A%20x%40evil.example",
    "C1, separators, non-characters": "a%C2%85%E2%80%A8%EF%BF%BEb",
    "invalid UTF-8": "%FF%FEa%C0%AF",
    "UTF-8 of a lone surrogate": "%ED%A0%80",
    "huge integer": "99999999999999999999",
    "5,000 digits": "9" * 5000,
    "negative number": "-1",
    "Arabic-Indic digit": "%D9%A3",
    "empty": "",
    "very long": "x" * 20_000,
}
# An array where a scalar is expected: the parameter twice.
ARRAY = "array (parameter given twice)"

# Values for path segments matched by <str:...>; <int:...> only matches digits.
HOSTILE_STR_SEGMENTS = ["a%00b", "%FF", "%ED%A0%80", "x" * 2000, "a%0Ab", "..", "%D9%A3"]
HOSTILE_INT_SEGMENTS = ["99999999999999999999", "0", "9" * 400]
HOSTILE_SLUG_SEGMENTS = ["x" * 2000, "-", "_0"]


@dataclass
class Target:
    """One URL to walk: GET with `params`, POST with `fields` (a valid `baseline` for the rest),
    logged in as `user` when the page needs it."""

    path: str
    params: list = field(default_factory=list)
    fields: list = field(default_factory=list)
    baseline: dict = field(default_factory=dict)
    user: object = None


def public_patterns():
    """(route, name) of every URL pattern outside the admin, from the URLconf."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                found.append((route, f"{namespace}{pattern.name or route}"))

    walk(get_resolver().url_patterns, "", "")
    # The admins are for signed-in staff only, behind their own login.
    return [(route, name) for route, name in found if not route.startswith(ADMIN_PREFIXES)]


ADMIN_PREFIXES = ("admin/", "django-admin/")


def encode(data):
    """A urlencoded body or query string, from {name: value or [values]}."""
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append(f"{quote(name)}={quote(str(item))}")
    return "&".join(pairs)


def build_site(settings):
    """The demo content (practice, events, reports, indexed for search) plus one of everything a
    signed link, a password or a form leads to. Returns {URL name: [Target, ...]}."""
    from events.forms import EventFilterForm, FeedbackForm, RegistrationForm
    from events.models import EventIndexPage, EventPage, Registration
    from events.receipts import received_path
    from feedback.forms import FeedbackForm as FeedbackMessageForm
    from inspections.forms import RegisterFilterForm
    from inspections.models import InspectionIndexPage, ProgrammePage, Recommendation
    from newsletters import links
    from newsletters.forms import SubscribeForm
    from newsletters.models import NewsletterIssue, Subscriber, Subscription
    from practice.forms import ContactOriginatorForm, PracticeFilterForm, PracticeSubmissionForm
    from practice.models import PracticeIndexPage, PracticePage
    from search import facets
    from search.api import SearchParams
    from taxonomy.models import Criterion, JobRole, Organisation, OrganisationMembership
    from tests.portal.hostile_accounts import account_targets  # it imports Target from here
    from tests.portal.hostile_practice import sent_back_for_changes

    # The URLconf is read once per process: read it as the site serves it (DEBUG adds media
    # routes) before load_demo, which runs only with DEBUG on.
    get_resolver().url_patterns  # noqa: B018
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    call_command("search_index", "rebuild", verbosity=0)

    inspections = InspectionIndexPage.objects.get()
    # The demo has programme pages; one is made if it ever stops having them.
    programme = ProgrammePage.objects.filter(programme="ncpi-inspection").first()
    if programme is None:
        programme = inspections.add_child(
            instance=ProgrammePage(
                title="NCPI inspections",
                slug="ncpi-inspections",
                programme="ncpi-inspection",
                summary="How the NCPI team inspects forces.",
                aims="<p>Aims.</p>",
                fieldwork="<p>Fieldwork.</p>",
                outcome_for_force="<p>A report.</p>",
            )
        )
        programme.save_revision().publish()

    force = Organisation.objects.get(slug="avon-and-somerset-constabulary")
    job_role = JobRole.objects.first()
    criterion = Criterion.objects.first()
    practice = PracticePage.objects.live().first()
    event = EventPage.objects.live().filter(start__gt=timezone.now()).first()
    past = EventPage.objects.live().first()
    past.start, past.end = timezone.now() - dt.timedelta(days=3), timezone.now() - dt.timedelta(2)
    past.save_revision().publish()
    registration = Registration.objects.create(
        event=event, name="Sam", email="sam@example.police.uk", organisation=force,
        role=job_role, status=Registration.Status.CONFIRMED,
    )  # fmt: skip
    attended = Registration.objects.create(
        event=past, name="Kim", email="kim@example.police.uk", organisation=force,
        role=job_role, status=Registration.Status.CONFIRMED,
    )  # fmt: skip
    subscriber = Subscriber.objects.create(
        email="reader@example.police.uk", organisation_type="force", status="pending"
    )
    topic = Subscription.objects.create(
        subscriber=subscriber, kind="criterion", criterion=criterion, frequency="weekly"
    )
    issue = NewsletterIssue.objects.create(
        title="March", summary="News.", status=NewsletterIssue.Status.SENT, sent_at=timezone.now()
    )
    restricted = practice.get_parent().add_child(
        instance=PracticePage(
            **{f: getattr(practice, f) for f in PRACTICE_COPY}, title="Locked", slug="locked"
        )
    )
    restricted.save_revision().publish()
    restriction = PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    collection = Collection.get_first_root_node().add_child(name="Locked documents")
    locked = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password="x1"
    )
    document = get_document_model().objects.create(
        title="Report", file=ContentFile(b"%PDF-1.7\n", name="report.pdf"), collection=collection
    )
    member = User.objects.create_user("member", "member@example.police.uk", "a-long-password")
    OrganisationMembership.objects.create(user=member, organisation=force)

    manage = links.make_token(subscriber, links.MANAGE_SALT)
    listing = {
        "page": ["page"],
        "search": ["q", "sort", "page", *facets.FACET_NAMES],
        "register": [*RegisterFilterForm.base_fields, "page"],
    }
    contact = {
        "name": "Ann",
        "email": "ann@example.org",
        "organisation": "Council",
        "message": "Hi",
    }
    registration_form = RegistrationForm(event)
    register_baseline = {
        "name": "Lee",
        "email": "lee@example.police.uk",
        "organisation": force.pk,
        "role": job_role.pk,
    }
    submission = {
        "title": "Joint visits",
        "summary": "Visits.",
        "criteria": criterion.pk,
        "problem": "A problem.",
        "approach": "An approach.",
        "outcomes": "Outcomes.",
        "outcome": "worked",
        "stage": "untested",
        "contact_role": "Inspector",
        "contact_email": "inspector@example.police.uk",
    }
    subscribe = {
        "email": "new@example.org",
        "organisation_type": "partner",
        "criteria": criterion.slug,
        "frequency": "weekly",
    }
    page_targets = {
        PracticeIndexPage: Target(
            PracticeIndexPage.objects.get().url, [*PracticeFilterForm.base_fields, "page"]
        ),
        EventIndexPage: Target(
            EventIndexPage.objects.get().url,
            [*EventFilterForm.base_fields, "when", "page"],
        ),
    }
    # Every page plainly; hostile parameters and forms on one page of each type (each type's
    # pages share their code).
    pages, typed = [], set()
    for page in Page.objects.live().specific().exclude(depth=1).order_by("path"):
        if type(page) in typed:
            pages.append(Target(page.url))
            continue
        typed.add(type(page))
        target = page_targets.get(type(page)) or Target(page.url, ["page"])
        if type(page) is PracticePage:
            target = Target(page.url, ["page"], list(ContactOriginatorForm.base_fields), contact)
        elif type(page) is EventPage:
            target = Target(event.url, [], list(registration_form.fields), register_baseline)
        pages.append(target)

    api = "/api/v1/"
    return {
        "wagtail_serve": pages,
        "wagtailcore_authenticate_with_password": [
            Target(
                reverse(
                    "wagtailcore_authenticate_with_password", args=[restriction.pk, restricted.pk]
                ),
                ["next"],
                ["password", "return_url"],
                {"password": "wrong", "return_url": restricted.url},
            )
        ],
        "wagtailcore_login": [Target(reverse("wagtailcore_login"), ["next"])],
        "_util/login/": [Target("/_util/login/", ["next"], ["next"])],
        "wagtaildocs_serve": [Target(document.url)],
        "wagtaildocs_authenticate_with_password": [
            Target(
                reverse("wagtaildocs_authenticate_with_password", args=[locked.pk]),
                ["next"],
                ["password", "return_url"],
                {"password": "wrong", "return_url": document.url},
            )
        ],
        "sitemap": [Target("/sitemap.xml", ["p"])],
        "sitemap_part": [
            Target("/sitemaps/static/1.xml"),
            Target("/sitemaps/practice-practicepage/1.xml"),
        ],
        "robots_txt": [Target("/robots.txt")],
        "api-v1:openapi-json": [Target(api + "openapi.json")],
        "api-v1:openapi-view": [Target(api + "docs")],
        "api-v1:api-root": [Target(api)],
        "api-v1:search": [Target(api + "search", list(SearchParams.model_fields))],
        "api-v1:list_recommendations": [
            Target(
                api + "recommendations",
                ["force", "programme", "criterion", "status", "year", "limit", "offset"],
            )
        ],  # fmt: skip
        "events:feed": [Target(reverse("events:feed"))],
        "events:criterion_feed": [Target(reverse("events:criterion_feed", args=[criterion.slug]))],
        "events:event_calendar": [Target(reverse("events:event_calendar", args=[event.pk]))],
        "events:register": [
            Target(
                reverse("events:register", args=[event.pk]),
                [],
                list(registration_form.fields),
                register_baseline,
            )
        ],
        "events:received": [Target(received_path(registration.event))],
        "events:manage": [
            Target(registration.manage_path(), [], ["action"], {"action": "accept"})
        ],
        "events:feedback": [
            Target(
                attended.manage_path() + "feedback/",
                [],
                list(FeedbackForm.base_fields),
                {"usefulness": "4"},
            )
        ],
        "events:registration_calendar": [Target(registration.manage_path() + "event.ics")],
        "events:registration_data": [Target(registration.manage_path() + "data.json")],
        "events:erase": [Target(registration.manage_path() + "erase/", [], ["x"], {"x": "1"})],
        "accessibility": [Target("/accessibility/")],
        "privacy": [Target("/privacy/")],
        **account_targets(member),
        "feedback:feedback": [
            Target(
                "/feedback/",
                ["from"],
                list(FeedbackMessageForm.base_fields),
                {"message": "The filters help."},
            )
        ],
        "feedback:sent": [Target("/feedback/sent/")],
        "practice_submit": [
            Target(
                "/practice/submit/",
                [],
                list(PracticeSubmissionForm.base_fields),
                submission,
                user=member,
            )
        ],  # fmt: skip
        "practice_submitted": [Target("/practice/submit/received/", user=member)],
        "practice_respond": [sent_back_for_changes(member, submission)],
        "newsletters:archive": [Target("/newsletters/", listing["page"])],
        "newsletters:issue": [Target(reverse("newsletters:issue", args=[issue.pk]))],
        "newsletters:subscribe": [
            Target(
                "/newsletters/subscribe/",
                ["listing", "search"],
                list(SubscribeForm.base_fields),
                subscribe,
            )
        ],
        "newsletters:subscribe_done": [Target("/newsletters/subscribe/check-your-email/")],
        "newsletters:confirm": [
            Target(
                reverse(
                    "newsletters:confirm", args=[links.make_token(subscriber, links.CONFIRM_SALT)]
                ),
                [],
                ["confirm"],
            )
        ],
        "newsletters:manage": [
            Target(
                reverse("newsletters:manage", args=[manage]),
                [],
                ["subscription", "action", "frequency"],
                {"subscription": topic.pk, "action": "change", "frequency": "weekly"},
            )
        ],
        "newsletters:manage_data": [Target(reverse("newsletters:manage_data", args=[manage]))],
        "newsletters:erase": [Target(reverse("newsletters:erase", args=[manage]))],
        "newsletters:new_manage_link": [
            Target(reverse("newsletters:new_manage_link", args=[manage]), [], ["x"], {"x": "1"})
        ],
        "newsletters:unsubscribe": [
            Target(
                reverse(
                    "newsletters:unsubscribe",
                    args=[links.make_token(subscriber, links.UNSUBSCRIBE_SALT)],
                ),
                [],
                ["List-Unsubscribe"],
                {"List-Unsubscribe": "One-Click"},
            )
        ],
        "inspections:register": [Target("/recommendations/", listing["register"])],
        "inspections:register_csv": [Target("/recommendations/download.csv", listing["register"])],
        "inspections:recommendation": [
            Target(reverse("inspections:recommendation", args=[Recommendation.objects.first().pk]))
        ],
        "inspections:force_list": [Target("/forces/")],
        "inspections:force": [Target(reverse("inspections:force", args=[force.slug]))],
        "search:search": [Target("/search/", listing["search"])],
        "search:feed": [Target("/search/feed/", listing["search"])],
        "search:suggest": [Target("/search/suggest/", ["q"])],
        "search:glossary": [Target("/glossary/")],
    }


PRACTICE_COPY = ["summary", "force", "problem", "approach", "outcomes", "published_date"]
