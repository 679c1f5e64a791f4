"""A generated data set for the insight tests: subscribers from three forces and a partner,
events with registrations, attendance, waitlists and feedback, practice with views and contact
messages, a search log across both its tables, and recommendations."""

import datetime as dt
import random

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from taxonomy.models import Criterion, JobRole, Organisation

DOMAINS = {
    "avon-and-somerset-constabulary": "avonandsomerset.police.uk",
    "kent-police": "kent.police.uk",
    "bedfordshire-police": "beds.pnn.police.uk",
}
QUERIES = ["missing children", "mash", "child exploitation", "zzz nothing", "custody", ""]
PASSWORD = "insight-password-for-tests"


def _at(days_ago, hour=12):
    moment = timezone.localtime() - dt.timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def insight_user(db):
    """A member of the NCPI team (the Moderators group, given view_insight by a migration)
    who may also add glossary terms."""
    user = User.objects.create_user("ncpi-analyst", "analyst@ncpi.example", PASSWORD)
    user.groups.add(Group.objects.get(name="Moderators"))
    user.user_permissions.add(Permission.objects.get(codename="add_glossaryterm"))
    return user


@pytest.fixture
def editor_without_insight(db):
    user = User.objects.create_user("editor", "editor@ncpi.example", PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def dataset(db, make_event, make_practice):
    from events.models import Feedback, Registration
    from newsletters.models import Subscriber, Subscription
    from practice.models import ContactMessage
    from search.models import PageViewVisit, SearchQuery, SearchQueryDay

    rng = random.Random(16)
    forces = {}
    for slug, domain in DOMAINS.items():
        force = Organisation.objects.get(slug=slug)
        force.email_domains = domain
        force.save()
        forces[slug] = force
    partner = Organisation.objects.create(name="Anyshire Council", kind="partner")
    criteria = list(Criterion.objects.all())
    roles = list(JobRole.objects.all()[:3])

    subscribers = []
    for n in range(90):
        slug = rng.choice([*DOMAINS, None])
        domain = f"mail.{DOMAINS[slug]}" if slug and n % 7 == 0 else DOMAINS.get(slug)
        status = rng.choice(["active"] * 6 + ["unsubscribed", "suppressed", "pending"])
        confirmed = None if status == "pending" else _at(rng.randrange(0, 80), rng.randrange(24))
        subscribers.append(
            Subscriber(
                email=f"person{n}@{domain or 'anyshire.gov.uk'}",
                organisation_type="force" if slug else "partner",
                status=status,
                confirmed_at=confirmed,
                unsubscribed_at=_at(rng.randrange(0, 20)) if status == "unsubscribed" else None,
            )
        )
    Subscriber.objects.bulk_create(subscribers)
    Subscription.objects.bulk_create(
        Subscription(
            subscriber=subscriber,
            kind="criterion",
            criterion=rng.choice(criteria[:2]),
            active=subscriber.status == "active",
        )
        for subscriber in Subscriber.objects.all()
    )

    past = make_event(start=_at(10), criteria=criteria[:2], capacity=20)
    older = make_event(start=_at(40), criteria=criteria[1:3], capacity=20)
    future = make_event(start=timezone.now() + dt.timedelta(days=20))
    organisations = [*forces.values(), partner]
    for n in range(150):
        event = rng.choice([past, older, future])
        status = rng.choice(["confirmed"] * 3 + ["waitlisted", "cancelled"])
        attended = None
        if event is not future and status == "confirmed":
            attended = rng.choice([True, True, False, None])
        registration = Registration.objects.create(
            event=event,
            name=f"Person {n}",
            email=f"reg{n}@example.org",
            organisation=rng.choice(organisations),
            role=rng.choice(roles),
            status=status,
            attended=attended,
        )
        Registration.objects.filter(pk=registration.pk).update(
            created_at=_at(rng.randrange(0, 70), rng.randrange(24))
        )
        if attended and n % 2:
            feedback = Feedback.objects.create(
                registration=registration, usefulness=rng.randrange(1, 6)
            )
            Feedback.objects.filter(pk=feedback.pk).update(created_at=_at(rng.randrange(0, 9)))

    pages = [
        make_practice(title="Link officers", force=forces["kent-police"], criteria=criteria[:1]),
        make_practice(title="Night patrols", force=forces["kent-police"], criteria=criteria[1:3]),
        make_practice(title="Return interviews", force=forces["bedfordshire-police"]),
    ]
    today = timezone.localdate()
    PageViewVisit.objects.bulk_create(
        PageViewVisit(
            page=rng.choice(pages),
            day=today - dt.timedelta(days=rng.randrange(0, 3)),
            visitor=f"v{n}",
        )
        for n in range(120)
    )
    for n in range(12):
        message = ContactMessage.objects.create(
            page=rng.choice(pages),
            name="Someone",
            email=f"c{n}@example.org",
            organisation="A council",
            message="Can we talk?",
        )
        ContactMessage.objects.filter(pk=message.pk).update(created_at=_at(rng.randrange(0, 25)))

    SearchQuery.objects.bulk_create(
        SearchQuery(
            query=(query := rng.choice(QUERIES)),
            result_count=0 if query.startswith("zzz") or rng.random() < 0.1 else 4,
            created_at=_at(rng.randrange(0, 60), rng.randrange(24)),
        )
        for _ in range(400)
    )
    SearchQueryDay.objects.bulk_create(
        SearchQueryDay(
            day=today - dt.timedelta(days=days),
            query=query,
            source="web",
            searches=5 + days % 3,
            zero_results=days % 2,
        )
        for days in range(95, 120)
        for query in QUERIES[:3]
    )
    return {"forces": forces, "partner": partner, "pages": pages, "events": [past, older, future]}
