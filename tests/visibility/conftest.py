"""The visibility matrix: one public case study and one hidden one, hidden in each of the ways a
page can be hidden, built as editors and the publish tasks would build them.

Each hidden page holds a word found nowhere else, in its title and body; a channel leaks when
that word, the page's title or its address reaches someone who may not see the page. The public
page holds a word of its own, so every test also proves that the channel it checks works.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction

from portal import visibility
from search import index
from taxonomy.models import Criterion, Organisation, Theme
from tests.inspections.conftest import inspection_index, make_recommendation, make_report  # noqa: F401
from tests.newsletters.conftest import clean_cache, eager_celery, make_subscriber  # noqa: F401
from tests.search.conftest import elasticsearch_backend, osmem_server  # noqa: F401

# The ways a page is hidden: restricted to the police group, to signed-in users, published then
# unpublished (so it was once public and indexed), and a draft never published.
HIDINGS = ["police", "login", "unpublished", "draft"]
# A word only the hidden page holds, and a misspelling of it for "did you mean".
SECRETS = {
    "police": ("xylophonist", "xylophonisk"),
    "login": ("quarterstaff", "quarterstaft"),
    "unpublished": ("zeppelinist", "zeppelinisk"),
    "draft": ("kaleidoscopic", "kaleidoscopik"),
}
PUBLIC_WORD, PUBLIC_TYPO = "harbourmaster", "harbourmastr"
FORCE = "avon-and-somerset-constabulary"


@dataclass
class Scenario:
    hiding: str
    secret: str
    typo: str
    public: object
    hidden: object
    public_document: object
    hidden_document: object
    recommendation: object

    def leaks(self, text, typed=""):
        """Whether text shows anything of the hidden page: its word, title or address. What
        the person typed themselves (echoed back as "results for ...") does not count."""
        lowered = text.lower()
        if typed:
            lowered = lowered.replace(typed.lower(), "")
        return (
            self.secret in lowered
            or self.hidden.title.lower() in lowered
            or f"/{self.hidden.slug}/" in lowered
            or self.hidden_document.file.name.rsplit("/", 1)[-1].lower() in lowered
        )

    def shows_public(self, text):
        return PUBLIC_WORD in text.lower()


def _document(title, name):
    document = get_document_model()(title=title)
    document.file.save(name, ContentFile(b"%PDF-1.4 fictional attachment\n"), save=False)
    document.save()
    return document


@pytest.fixture
def police_user(db):
    user = get_user_model().objects.create_user("officer", "officer@force.police.example", "pw")
    user.groups.add(visibility.police_group())
    return user


@pytest.fixture
def partner_user(db):
    return get_user_model().objects.create_user("partner", "partner@council.example", "pw")


@pytest.fixture
def build_scenario(make_practice, practice_index, make_recommendation):  # noqa: F811
    """build(hiding) -> Scenario. Call it after choosing the search backend, so every backend
    in use is indexed."""
    from practice.models import PracticeAttachment, PracticePage

    def build(hiding):
        secret, typo = SECRETS[hiding]
        recommendation = make_recommendation(
            criterion=Criterion.objects.get(slug="initial-contact")
        )
        public_document = _document("Public protocol", f"public-{PUBLIC_WORD}.pdf")
        hidden_document = _document("Hidden protocol", f"hidden-{secret}.pdf")
        public = make_practice(
            title=f"Public {PUBLIC_WORD} practice",
            summary=f"The {PUBLIC_WORD} visits every home.",
            force=Organisation.objects.get(slug=FORCE),
            themes=[Theme.objects.get(slug="missing-children")],
            published_date=dt.date(2025, 1, 1),
        )
        fields = {
            "title": f"Hidden {secret} practice",
            "summary": f"The {secret} works quietly with children's homes.",
            "force": Organisation.objects.get(slug=FORCE),
            "problem": f"<p>Nobody had tried a {secret} before.</p>",
            "approach": f'<p>See the <a linktype="document" id="{hidden_document.pk}">'
            "protocol</a>.</p>",
            "outcomes": "<p>Repeat reports fell.</p>",
            "published_date": dt.date(2025, 2, 1),
        }
        # The same theme as the public page (so it is "related"), and one of its own, whose
        # facet count must not show.
        themes = [Theme.objects.get(slug="missing-children"), Theme.objects.get(slug="training")]
        if hiding == "draft":
            hidden = PracticePage(live=False, **fields)
            practice_index.add_child(instance=hidden)
            hidden.criteria.set([Criterion.objects.get(slug="initial-contact")])
            hidden.themes.set(themes)
            hidden.save_revision()
        else:
            hidden = make_practice(themes=themes, **fields)
        PracticeAttachment.objects.create(page=public, document=public_document)
        PracticeAttachment.objects.create(page=hidden, document=hidden_document)
        recommendation.answering_practice.add(public, hidden)
        recommendation.save()
        index.update(public.pk)
        index.update(hidden.pk)
        if hiding == "police":
            restriction = PageViewRestriction.objects.create(
                page=hidden, restriction_type=PageViewRestriction.GROUPS
            )
            restriction.groups.set([visibility.police_group()])
        elif hiding == "login":
            PageViewRestriction.objects.create(
                page=hidden, restriction_type=PageViewRestriction.LOGIN
            )
        elif hiding == "unpublished":
            hidden.unpublish()
        hidden.refresh_from_db()
        # What the publish, unpublish and restriction signals' tasks do after commit.
        index.update(hidden.pk)
        return Scenario(
            hiding=hiding,
            secret=secret,
            typo=typo,
            public=public,
            hidden=hidden,
            public_document=public_document,
            hidden_document=hidden_document,
            recommendation=recommendation,
        )

    return build
