"""The contract every search backend passes: matching, ranking, syntax, typos, glossary,
facets, sorting, paging, highlights and who may see what.

Parametrised over tests/search/conftest.py's BACKENDS; the database backend runs twice, once
with PostgreSQL full-text search and once in the portable mode the SQLite default uses.
"""

import datetime as dt

import pytest
from wagtail.models import PageViewRestriction

from search import index, service
from search.facets import InvalidFilter
from search.models import PageViewCount
from taxonomy.models import Criterion, Organisation, Theme

from .conftest import BACKENDS

pytestmark = pytest.mark.django_db


@pytest.fixture(params=BACKENDS)
def backend(request, postgres):
    if request.param == "elasticsearch":
        request.getfixturevalue("elasticsearch_backend")  # tests/search/conftest.py
    return request.param


def titles(results):
    return [hit.title for hit in results.hits]


def run(backend, query="", filters=None, sort="relevance", page=1, user=None, **kwargs):
    return service.search(query, filters, sort, page, user, backend=backend, log=False, **kwargs)


def test_words_are_alternatives_and_title_matches_rank_first(backend, indexed):
    indexed(
        title="Joint visits",
        summary="Visits with social workers.",
        outcomes="<p>Return interviews were completed more often.</p>",
    )
    indexed(title="Return interviews for looked-after children", summary="Talking to them.")
    indexed(title="Interviews in custody", summary="Diverting children from custody.")
    indexed(title="Unrelated", summary="Nothing to see.")
    results = run(backend, "return interviews")
    # Every page matching any word is found (recall); both words in the title rank first.
    assert set(titles(results)) == {
        "Return interviews for looked-after children",
        "Joint visits",
        "Interviews in custody",
    }
    assert titles(results)[0] == "Return interviews for looked-after children"


def test_a_title_match_outranks_the_same_word_in_the_body(backend, indexed):
    indexed(title="Joint visits", outcomes="<p>Debriefs were completed more often.</p>")
    indexed(title="Debriefs after every episode")
    assert titles(run(backend, "debriefs")) == ["Debriefs after every episode", "Joint visits"]


def test_rare_words_outweigh_common_ones(backend, indexed):
    for n in range(4):
        indexed(title=f"Children practice {n}", summary="Work with children and families.")
    indexed(title="Grab packs", summary="Children's homes keep a grab pack for each resident.")
    results = run(backend, "children grab")
    assert titles(results)[0] == "Grab packs"
    assert results.count == 5


def test_quoted_phrase_and_minus(backend, indexed):
    indexed(title="Alpha", summary="A named link officer visits each home.")
    indexed(title="Bravo", summary="The officer will link the records.")
    indexed(title="Charlie", summary="A link officer for schools.", problem="<p>Adults only.</p>")
    assert set(titles(run(backend, '"link officer"'))) == {"Alpha", "Charlie"}
    assert set(titles(run(backend, '"link officer" -schools'))) == {"Alpha"}
    assert set(titles(run(backend, "officer OR records"))) == {"Alpha", "Bravo", "Charlie"}
    assert titles(run(backend, "-officer")) == []


def test_last_word_matches_as_a_prefix(backend, indexed):
    indexed(title="Safeguarding hub triage", summary="Triage in the hub.")
    indexed(title="Unrelated", summary="Nothing to see.")
    assert titles(run(backend, "safegu")) == ["Safeguarding hub triage"]


def test_misspelt_word_still_finds_and_suggests_the_right_one(backend, indexed):
    indexed(title="Safeguarding hub triage", summary="Triage in the hub.")
    results = run(backend, "safegaurding triage")
    assert titles(results) == ["Safeguarding hub triage"]
    assert results.suggestion == "safeguarding triage"
    assert run(backend, "safeguarding triage").suggestion == ""


def test_short_words_match_exactly_not_their_near_spellings(backend, indexed):
    # Typo tolerance is for longer words: one letter away from "CSE" is "case" (Elasticsearch's
    # default fuzziness made "CSE" find every case conference).
    indexed(title="CSE screening", summary="Screening for child sexual exploitation.")
    indexed(title="Case conferences", summary="Officers attend every case conference.")
    assert titles(run(backend, "CSE")) == ["CSE screening"]


@pytest.mark.parametrize(
    ("query", "together", "apart"),
    [
        (
            "police protection",
            "Officers used police protection powers for a child left alone.",
            "Officers used their powers for a child left alone, with police and protection.",
        ),
        # Stop words in between keep their places: "voice of the child" is that phrase.
        (
            "voice of the child",
            "The voice of the child was recorded at every visit.",
            "The child was asked; the voice recorder was used at every visit.",
        ),
    ],
)
def test_typed_words_found_together_outrank_the_same_words_apart(
    backend, indexed, query, together, apart
):
    # The older page has the words as typed; the newer one (first among equals) has them apart.
    indexed(title="Together", summary=together, published_date=dt.date(2020, 1, 1))
    indexed(title="Apart", summary=apart, published_date=dt.date(2024, 1, 1))
    assert titles(run(backend, query)) == ["Together", "Apart"]


def test_glossary_acronyms_and_synonyms_expand_both_ways(backend, indexed):
    indexed(title="Hub triage", summary="Triage in the multi-agency safeguarding hub.")
    indexed(title="Grab packs", summary="Fewer children go missing from care homes.")
    indexed(title="MASH attendance", summary="Officers attend every strategy discussion.")
    assert set(titles(run(backend, "MASH"))) == {"Hub triage", "MASH attendance"}
    assert set(titles(run(backend, "multi-agency safeguarding hub"))) >= {
        "Hub triage",
        "MASH attendance",
    }
    assert titles(run(backend, "runaway")) == ["Grab packs"]


def test_facets_or_within_and_across_with_counts_ignoring_own_selection(backend, indexed):
    initial = Criterion.objects.get(slug="initial-contact")
    investigation = Criterion.objects.get(slug="investigation")
    missing = Theme.objects.get(slug="missing-children")
    online = Theme.objects.get(slug="online-abuse")
    other_force = Organisation.objects.get(slug="kent-police")
    indexed(title="Alpha", criteria=[initial], themes=[missing])
    indexed(title="Bravo", criteria=[investigation], themes=[missing], force=other_force)
    indexed(title="Charlie", criteria=[investigation], themes=[online])
    indexed(title="Delta", criteria=[initial, investigation], themes=[online])

    results = run(backend, filters={"criterion": ["investigation"], "theme": ["online-abuse"]})
    assert set(titles(results)) == {"Charlie", "Delta"}
    facets = {f.name: {o.value: (o.count, o.selected) for o in f.options} for f in results.facets}
    # Criterion counts ignore the criterion selection but respect the theme one.
    assert facets["criterion"] == {
        "initial-contact": (1, False),
        "investigation": (2, True),
    }
    # Theme counts ignore the theme selection but respect the criterion one.
    assert facets["theme"] == {"missing-children": (1, False), "online-abuse": (2, True)}
    assert facets["force"] == {"avon-and-somerset-constabulary": (2, False)}
    assert facets["year"] == {"2025": (2, False)}

    either = run(backend, filters={"theme": ["online-abuse", "missing-children"]})
    assert either.count == 4
    both = run(backend, filters={"force": ["kent-police"], "theme": ["missing-children"]})
    assert titles(both) == ["Bravo"]
    region = Organisation.objects.get(slug="kent-police").region.slug
    assert titles(run(backend, filters={"region": [region]})) == ["Bravo"]
    assert {o.value for o in run(backend).facets[5].options} == {"promising"}


def test_a_renamed_or_new_taxonomy_term_shows_at_once_in_facets_and_filters(backend, indexed):
    """Facet labels are cached between searches; editing the taxonomy drops the cache."""
    online = Theme.objects.get(slug="online-abuse")
    indexed(title="Alpha", themes=[online])
    run(backend)  # the labels are now cached
    online.name = "Online harm"
    online.save()
    themes = {o.value: o.label for o in run(backend).facets[1].options}
    assert themes["online-abuse"] == "Online harm"
    new = Theme.objects.create(name="Sextortion", slug="sextortion")
    indexed(title="Bravo", themes=[new])
    results = run(backend, filters={"theme": ["sextortion"]})
    assert titles(results) == ["Bravo"]
    new.delete()
    with pytest.raises(InvalidFilter, match="'sextortion' does not exist"):
        run(backend, filters={"theme": ["sextortion"]})


def test_facet_values_combine_with_words(backend, indexed):
    indexed(title="Missing in 2023", published_date=dt.date(2023, 5, 1))
    indexed(title="Missing in 2024", published_date=dt.date(2024, 5, 1))
    indexed(title="Custody in 2024", published_date=dt.date(2024, 6, 1))
    results = run(backend, "missing", {"year": ["2024"]})
    assert titles(results) == ["Missing in 2024"]
    years = {o.value: o.count for o in results.facets[-1].options}
    assert years == {"2023": 1, "2024": 1}


def test_empty_query_lists_everything_newest_first_and_pages(backend, indexed):
    for year in (2019, 2024, 2021):
        indexed(title=f"From {year}", published_date=dt.date(year, 1, 1))
    results = run(backend)
    assert titles(results) == ["From 2024", "From 2021", "From 2019"]
    first = run(backend, per_page=2)
    second = run(backend, page=2, per_page=2)
    assert (first.count, first.num_pages, titles(first)) == (3, 2, ["From 2024", "From 2021"])
    assert titles(second) == ["From 2019"]


def test_sort_by_newest_and_most_viewed(backend, indexed):
    old = indexed(title="Old missing", published_date=dt.date(2018, 1, 1))
    indexed(title="New missing", published_date=dt.date(2025, 1, 1))
    PageViewCount.objects.create(page_id=old.pk, views=40)
    assert titles(run(backend, "missing", sort="newest")) == ["New missing", "Old missing"]
    assert titles(run(backend, "missing", sort="most-viewed")) == ["Old missing", "New missing"]


def test_most_viewed_pages_through_viewed_then_unviewed_practice(backend, indexed):
    pages = {
        name: indexed(title=f"Missing {name}", published_date=dt.date(2020 + i, 1, 1))
        for i, name in enumerate(["a", "b", "c", "d", "e"])
    }
    PageViewCount.objects.create(page_id=pages["a"].pk, views=9)
    PageViewCount.objects.create(page_id=pages["b"].pk, views=3)
    PageViewCount.objects.create(page_id=pages["c"].pk, views=3)  # as many as b, and newer
    PageViewCount.objects.create(page_id=pages["d"].pk, views=0)  # counted, never viewed
    order = [
        title
        for page in (1, 2, 3)
        for title in titles(run(backend, "missing", sort="most-viewed", page=page, per_page=2))
    ]
    # Viewed first by views (ties newest first), then the unviewed newest first.
    assert order == ["Missing a", "Missing c", "Missing b", "Missing e", "Missing d"]
    filtered = run(backend, "missing", {"year": ["2021", "2024"]}, sort="most-viewed")
    assert titles(filtered) == ["Missing b", "Missing e"]


def test_highlights_mark_matched_words_and_escape_the_rest(backend, indexed):
    indexed(
        title="Grab packs",
        summary="Homes <keep> a grab pack & a photo.",
        problem="<p>Staff rang the police as soon as a resident was late.</p>",
    )
    hit = run(backend, "resident").hits[0]
    assert "<mark>resident</mark>" in hit.highlight
    assert "<keep>" not in hit.highlight


def test_police_only_practice_is_found_only_by_police_users(
    backend, indexed, restrict_to_police, police_user, partner_user
):
    indexed(title="Public triage")
    secret = indexed(title="Covert triage tactics")
    restrict_to_police(secret)
    for user in (None, partner_user):
        results = run(backend, "triage", user=user)
        assert titles(results) == ["Public triage"]
        assert results.count == 1
        assert all(
            o.count == 1 for f in results.facets for o in f.options if f.name == "criterion"
        )
    assert set(titles(run(backend, "triage", user=police_user))) == {
        "Public triage",
        "Covert triage tactics",
    }
    assert titles(run(backend, "covert")) == []
    assert run(backend, "covert").suggestion == ""


def test_password_protected_and_unpublished_practice_is_never_found(backend, indexed, police_user):
    locked = indexed(title="Locked triage")
    PageViewRestriction.objects.create(
        page=locked, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    index.update(locked.pk)
    gone = indexed(title="Withdrawn triage")
    gone.unpublish()
    index.update(gone.pk)
    assert titles(run(backend, "triage", user=police_user)) == []


def test_a_very_long_query_is_answered(backend, indexed):
    indexed(title="Grab packs")
    results = run(backend, "grab " + "children homes missing " * 800)
    assert titles(results)[0] == "Grab packs"


def test_related_practice_shares_the_most_themes_then_is_newest(backend, indexed):
    themes = {slug: Theme.objects.get(slug=slug) for slug in ("online-abuse", "training")}
    both = [themes["online-abuse"], themes["training"]]
    source = indexed(title="Source", themes=both)
    one = [themes["training"]]
    indexed(title="One theme, new", themes=one, published_date=dt.date(2025, 1, 1))
    indexed(title="Both themes, old", themes=both, published_date=dt.date(2018, 1, 1))
    indexed(title="Both themes, new", themes=both, published_date=dt.date(2024, 1, 1))
    related = service.related(source.pk, limit=3, backend=backend)
    assert [hit.title for hit in related][:2] == ["Both themes, new", "Both themes, old"]
    assert [hit.title for hit in related][2] == "One theme, new"


def test_suggestions_and_related_respect_restrictions(backend, indexed, restrict_to_police):
    initial = Criterion.objects.get(slug="initial-contact")
    online = Theme.objects.get(slug="online-abuse")
    source = indexed(title="Grab packs for homes", themes=[online], criteria=[initial])
    indexed(title="Grab bags in schools", themes=[online], criteria=[initial])
    hidden = indexed(title="Grab teams", themes=[online], criteria=[initial])
    restrict_to_police(hidden)
    suggestions = service.suggest("grab", backend=backend)
    assert {s["title"] for s in suggestions["practice"]} == {
        "Grab packs for homes",
        "Grab bags in schools",
    }
    assert service.suggest("MA", backend=backend)["terms"][0]["term"] in {"MAPPA", "MARAC", "MASH"}
    # Two letters start too many titles: only the glossary answers them.
    assert service.suggest("gr", backend=backend)["practice"] == []
    related = service.related(source.pk, backend=backend)
    assert [hit.title for hit in related] == ["Grab bags in schools"]
