import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from events.importer import import_events
from inspections.importer import import_reports
from portal.importing import ImportFailed, publish
from portal.models import HomePage
from practice.importer import import_practice

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# The inspections app's documented sample doubles as demo content for the register.
INSPECTIONS_SAMPLE = (
    Path(__file__).resolve().parents[3] / "inspections" / "sample" / "reports.jsonl"
)
DEMO_USERNAME = "demo"
# Printed in the README: the demo account exists only on a DEBUG (local) site.
DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105
DEMO_EMAIL = "demo@practice-exchange.example"
UK = ZoneInfo("Europe/London")
# The first demo event starts this long after the day the demo is loaded.
FIRST_EVENT_AFTER = dt.timedelta(days=14)

HOME_BODY = [
    ("heading", "What the exchange is for"),
    (
        "paragraph",
        "<p>The National Child Protection Inspection (NCPI) team inspects how police forces in "
        "England and Wales protect children. Inspections keep finding practice worth copying, "
        "and forces tell us they want to learn from each other. This exchange publishes that "
        "practice, explains how to adopt it, and lists the learning events where staff from "
        "forces and partner agencies meet.</p>",
    ),
    ("heading", "Who it is for"),
    (
        "paragraph",
        "<p>Frontline, custody, neighbourhood and child protection officers and staff, senior "
        "leaders, and partners in children's services, health and education.</p>",
    ),
]


# Fictional explanations of the programmes the sample reports come from (demo only).
DEMO_PROGRAMMES = {
    "ncpi-inspection": {
        "title": "NCPI inspections (demo)",
        "slug": "ncpi-inspections",
        "summary": "An inspection of how well one police force protects children, from the first "
        "call to the end of an investigation.",
        "aims": "<p>To find out how well children are protected, recognise practice worth "
        "sharing and recommend what must improve.</p>",
        "fieldwork": "<p>Two weeks in the force: case audits, interviews and focus groups with "
        "officers, staff and partner agencies.</p>",
        "outcome_for_force": "<p>A published report with recommendations, and a post-inspection "
        "review about a year later.</p>",
    },
    "jtai": {
        "title": "Joint targeted area inspections (demo)",
        "slug": "joint-targeted-area-inspections",
        "summary": "An unannounced inspection, by several inspectorates together, of how one "
        "area's agencies respond to children at risk.",
        "aims": "<p>To see how police, children's social care, health, education and probation "
        "work together for children in one area.</p>",
        "fieldwork": "<p>A week of case tracking with every agency involved.</p>",
        "outcome_for_force": "<p>A joint letter to the area's agencies with findings for each "
        "of them.</p>",
    },
}


class Command(BaseCommand):
    help = (
        "Load the fictional demo content (practice, events, home page text) and create the demo "
        "admin account. Safe to run again. Only on a DEBUG site."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo only runs with DEBUG on: it creates a known password.")
        home = HomePage.objects.first()
        if home is None:
            raise CommandError("There is no home page: run `manage.py migrate` first.")
        try:
            practice = import_practice(DEMO_DIR / "practice.jsonl")
            events = import_events(DEMO_DIR / "events.jsonl", adjust=self.move_events_ahead())
            reports = import_reports(INSPECTIONS_SAMPLE)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Demo content: {len(practice.created) + len(practice.updated)} case studies, "
            f"{len(events.created) + len(events.updated)} events, "
            f"{len(reports.created) + len(reports.updated)} inspection reports."
        )
        self.add_programme_pages()
        # The imports added children under the home page: reload it so that saving it does not
        # write back a stale child count (treebeard keeps numchild on the row).
        home.refresh_from_db()
        if not home.body:
            home.body = HOME_BODY
            publish(home)

        User = get_user_model()
        if not User.objects.filter(username=DEMO_USERNAME).exists():
            user = User.objects.create_superuser(DEMO_USERNAME, DEMO_EMAIL, DEMO_PASSWORD)
            # People sign in with a verified email address (accounts/).
            EmailAddress.objects.create(user=user, email=DEMO_EMAIL, verified=True, primary=True)
            self.stdout.write(f"Created the admin account {DEMO_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))

    def add_programme_pages(self):
        """A page explaining each programme the demo reports come from, unless one exists."""
        from inspections.models import InspectionIndexPage, InspectionReportPage, ProgrammePage

        index = InspectionIndexPage.objects.first()
        if index is None:
            return
        used = set(InspectionReportPage.objects.values_list("programme", flat=True))
        have = set(ProgrammePage.objects.values_list("programme", flat=True))
        for programme in sorted(used - have):
            text = DEMO_PROGRAMMES.get(programme)
            if text is None:
                continue
            index.refresh_from_db()
            page = ProgrammePage(programme=programme, **text)
            index.add_child(instance=page)
            publish(page)

    def move_events_ahead(self):
        """Shift demo events by whole weeks so the first starts about two weeks ahead (with its
        registration open), keeping each event's weekday and UK wall-clock time."""
        state = {}

        def adjust(values):
            if "shift" not in state:
                first = self.first_demo_start()
                target = timezone.localdate() + FIRST_EVENT_AFTER
                # Earlier or later, so registration is open for the first events.
                weeks = -(-(target - first).days // 7)
                state["shift"] = dt.timedelta(weeks=weeks)
            shift = state["shift"]
            values = dict(values)
            for name in ("start", "end"):
                local = values[name].astimezone(UK).replace(tzinfo=None) + shift
                values[name] = local.replace(tzinfo=UK)
            for name in ("registration_opens", "registration_closes"):
                if values[name]:
                    values[name] += shift
            return values

        return adjust

    def first_demo_start(self):
        from portal.importing import read_records

        starts = [
            dt.datetime.fromisoformat(record.data["start"]).astimezone(UK).date()
            for record in read_records(DEMO_DIR / "events.jsonl")
        ]
        return min(starts)
