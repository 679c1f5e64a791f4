"""manage.py search_index rebuild: every backend builds its new index aside and swaps it in,
so that searches meanwhile are answered from the old one; index updates made while it runs
win over it. Large subtrees are re-indexed in batches, each task queueing the next."""

import io

import pytest
from django.core.management import call_command

from search import documents, index, service, tasks
from search.backends import get_backend
from search.models import SearchDocument

from .conftest import BACKENDS

pytestmark = pytest.mark.django_db


@pytest.fixture(params=BACKENDS)
def backend(request, postgres):
    if request.param == "elasticsearch":
        request.getfixturevalue("elasticsearch_backend")  # tests/search/conftest.py
    return request.param


def titles(results):
    return sorted(hit.title for hit in results.hits)


def run(backend, query, user=None):
    return service.search(query, user=user, backend=backend, log=False)


def test_a_search_during_a_rebuild_returns_results(backend, indexed, monkeypatch):
    indexed(title="Grab packs")
    indexed(title="Grab bags")
    build = documents.build
    during = []

    def build_and_search(page_id):
        if not during:  # mid-rebuild: the new index is being built
            during.append(titles(run(backend, "grab")))
        return build(page_id)

    monkeypatch.setattr(documents, "build", build_and_search)
    out = io.StringIO()
    call_command("search_index", "rebuild", "--backend", backend, stdout=out)

    assert during == [["Grab bags", "Grab packs"]]
    assert titles(run(backend, "grab")) == ["Grab bags", "Grab packs"]
    assert "Rebuilding: 2 live practice page(s) to load." in out.getvalue()


def test_the_rebuild_drops_withdrawn_pages_and_restores_lost_ones(indexed, postgres):
    indexed(title="Grab packs")
    lost = indexed(title="Grab bags")
    withdrawn = indexed(title="Grab teams")
    get_backend("database").delete([lost.pk])  # its index entry was lost
    withdrawn.unpublish()  # without its index update (a lost task)

    out = io.StringIO()
    call_command("search_index", "rebuild", stdout=out)

    assert titles(run("database", "grab")) == ["Grab bags", "Grab packs"]
    assert "Loaded 2 document(s) into the database index; removed 1 other(s)." in out.getvalue()


def test_a_page_restricted_while_the_rebuild_runs_is_not_put_back_in_public(
    indexed, restrict_to_police, police_user, monkeypatch, postgres
):
    indexed(title="Grab packs")
    secret = indexed(title="Grab bags")
    build = documents.build
    restricted = []

    def build_then_restrict(page_id):
        document = build(page_id)
        if page_id == secret.pk and not restricted:
            # Restricted just after the rebuild built its (public) document.
            restricted.append(secret.pk)
            restrict_to_police(secret)
        return document

    monkeypatch.setattr(documents, "build", build_then_restrict)
    index.rebuild(["database"])

    assert restricted
    assert titles(run("database", "grab")) == ["Grab packs"]
    assert titles(run("database", "grab", user=police_user)) == ["Grab bags", "Grab packs"]


def test_a_large_subtree_is_reindexed_in_batches_each_queueing_the_next(
    indexed, monkeypatch, postgres
):
    pages = [indexed(title=f"Grab packs {n}") for n in range(5)]
    section = pages[0].get_parent()
    get_backend("database").delete([page.pk for page in pages])  # e.g. a lost restriction update
    monkeypatch.setattr(index, "SUBTREE_BATCH", 2)
    queued = []
    monkeypatch.setattr(
        tasks.index_subtree, "delay", lambda page_id, after: queued.append((page_id, after))
    )

    tasks.index_subtree(section.pk)
    runs = 1
    while queued:
        page_id, after = queued.pop(0)
        tasks.index_subtree(page_id, after=after)
        runs += 1

    assert runs == 3
    assert SearchDocument.objects.filter(page__in=pages).count() == 5
