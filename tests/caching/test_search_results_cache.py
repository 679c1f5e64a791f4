"""Anonymous search pages kept in the application's cache: a repeated search is answered from
it and still logged, a change to what it shows is visible on the next search, and nothing a
signed-in visitor sees is kept or given to anyone else."""

import pytest
from django.test import Client

from search import index
from search.models import SearchQuery

pytestmark = pytest.mark.django_db

SEARCH = "/search/?q=grooming"


@pytest.fixture
def search_cache(settings, page_cache):
    settings.SEARCH_RESULTS_CACHE = True


@pytest.fixture
def indexed(make_practice):
    """Publish a practice page and index it, as the worker does after a publish."""

    def make(**fields):
        page = make_practice(**fields)
        index.update(page.pk)
        return page

    return make


def logged():
    return list(SearchQuery.objects.order_by("pk").values_list("query", "result_count", "sort"))


def test_a_repeated_search_is_answered_from_the_cache_and_logged_each_time(
    client,
    search_cache,
    indexed,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    with django_capture_on_commit_callbacks(execute=True):
        indexed(title="Online grooming disruption")
    first = client.get(SEARCH)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    # Only the log entry is written (with its transaction's setting): no search, no page.
    with django_assert_max_num_queries(4) as queries:
        second = client.get(SEARCH)
    written = " ".join(query["sql"] for query in queries.captured_queries)
    assert "search_searchquery" in written and "wagtailcore_page" not in written
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Online grooming disruption" in second.content.decode()
    # Never shared with a proxy: each search must reach the portal to be logged.
    assert "private" in second["Cache-Control"] and "public" not in second["Cache-Control"]
    assert logged() == [("grooming", 1, "relevance"), ("grooming", 1, "relevance")]


def test_publishing_changing_and_unpublishing_practice_is_visible_on_the_next_search(
    client, search_cache, indexed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = indexed(title="Grooming awareness for taxi drivers")
    assert "1 result" in client.get(SEARCH).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        indexed(title="Grooming awareness in schools")
    html = client.get(SEARCH).content.decode()
    assert "2 results" in html and "Grooming awareness in schools" in html
    with django_capture_on_commit_callbacks(execute=True):
        page.title = "Grooming awareness for licensed drivers"
        page.save_revision().publish()
        index.update(page.pk)
    assert "licensed drivers" in client.get(SEARCH).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
        index.update(page.pk)
    html = client.get(SEARCH).content.decode()
    assert "1 result" in html and "licensed drivers" not in html


def test_restricting_a_page_takes_it_out_of_kept_results(
    client, search_cache, indexed, restrict_to_police, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = indexed(title="Grooming investigations playbook")
    assert "Grooming investigations playbook" in client.get(SEARCH).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        restrict_to_police(page)
        index.update(page.pk)
    assert "Grooming investigations playbook" not in client.get(SEARCH).content.decode()


def test_what_a_police_user_finds_is_never_kept_nor_given_to_anyone_else(
    search_cache,
    indexed,
    restrict_to_police,
    police_user,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        indexed(title="Grooming: public guidance")
        hidden = indexed(title="Grooming: police tactics")
        restrict_to_police(hidden)
        index.update(hidden.pk)
    officer = Client()
    officer.force_login(police_user)
    for _ in range(2):
        seen = officer.get(SEARCH)
        assert "Grooming: police tactics" in seen.content.decode()
        assert "X-Page-Cache" not in seen
    anonymous = Client()
    for expected in ("miss", "hit"):
        answer = anonymous.get(SEARCH)
        assert answer["X-Page-Cache"] == expected
        html = answer.content.decode()
        assert "Grooming: public guidance" in html and "police tactics" not in html
    # And the anonymous visitor's kept page is not what the officer gets.
    assert "Grooming: police tactics" in officer.get(SEARCH).content.decode()


def test_later_pages_are_kept_but_not_logged_and_views_order_is_never_kept(
    client, search_cache, indexed, settings, django_capture_on_commit_callbacks
):
    settings.SEARCH_RESULTS_PER_PAGE = 1
    with django_capture_on_commit_callbacks(execute=True):
        indexed(title="Grooming one")
        indexed(title="Grooming two")
    for expected in ("miss", "hit"):
        assert client.get(SEARCH + "&page=2")["X-Page-Cache"] == expected
    assert logged() == []
    for _ in range(2):
        assert "X-Page-Cache" not in client.get(SEARCH + "&sort=most-viewed")
    assert len(logged()) == 2


def test_a_search_in_error_is_never_kept(client, search_cache):
    for _ in range(2):
        answer = client.get("/search/?q=grooming&criterion=no-such-criterion")
        assert answer.status_code == 400
        assert "X-Page-Cache" not in answer


def test_a_taxonomy_or_glossary_change_is_visible_on_the_next_search(
    client, search_cache, indexed, django_capture_on_commit_callbacks
):
    from search.models import GlossaryTerm
    from taxonomy.models import Theme

    theme = Theme.objects.get(slug="training")
    with django_capture_on_commit_callbacks(execute=True):
        indexed(title="Grooming training", themes=[theme])
        indexed(title="Quarterly licensing sweeps", themes=[theme])
    html = client.get(SEARCH).content.decode()
    assert theme.name in html and "Quarterly licensing sweeps" not in html
    with django_capture_on_commit_callbacks(execute=True):
        theme.name = "Learning and development"
        theme.save()
    assert "Learning and development" in client.get(SEARCH).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        term = GlossaryTerm.objects.get(term="grooming")
        term.synonyms += ", licensing sweeps"
        term.save()
    assert "Quarterly licensing sweeps" in client.get(SEARCH).content.decode()


def test_the_rate_limit_still_applies_to_kept_results(client, search_cache):
    from search import views

    client.get(SEARCH)
    limit = int(views.SEARCH_RATE.split("/")[0])
    answers = [client.get(SEARCH).status_code for _ in range(limit)]
    assert answers[-1] == 429 and set(answers[:-1]) == {200}


def test_a_change_to_the_navigation_is_visible_on_the_next_search(
    client, search_cache, event_index, django_capture_on_commit_callbacks
):
    # The navigation's link to the events listing: gone once the listing is unpublished.
    link = f'href="{event_index.url}"'
    assert link in client.get(SEARCH).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        event_index.unpublish()
    assert link not in client.get(SEARCH).content.decode()
