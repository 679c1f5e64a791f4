"""The elasticsearch backend beyond the contract suite (which it also passes): who may see what,
index lifecycle (create, rebuild with an alias swap) and production's choice of backend.

Every test talks HTTP to osmem-server, an in-memory OpenSearch-compatible server (a fresh
clone per test); see tests/search/conftest.py.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from search import documents, index, service
from search.backends import get_backend
from search.backends.elasticsearch import alias, building_alias, get_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres")]

REPO = Path(__file__).resolve().parents[2]


def titles(results):
    return [hit.title for hit in results.hits]


def run(query="", user=None, **kwargs):
    return service.search(query, user=user, backend="elasticsearch", log=False, **kwargs)


def stored_ids(backend):
    response = backend.client.search(index=alias(), query={"match_all": {}}, size=100)
    return {int(hit["_id"]) for hit in response["hits"]["hits"]}


def test_police_only_practice_never_reaches_anonymous_users(
    elasticsearch_backend, indexed, restrict_to_police, police_user, client
):
    indexed(title="Public triage", summary="Triage at the front counter.")
    secret = indexed(title="Covert triage tactics", summary="Covert deployment in hotels.")
    restrict_to_police(secret)
    # The page is in Elasticsearch, marked as police-only: the filter is what hides it.
    assert secret.pk in stored_ids(elasticsearch_backend)

    assert titles(run("covert triage")) == ["Public triage"]
    assert titles(run("covert triage", user=police_user))[0] == "Covert triage tactics"
    # Neither suggestions, "did you mean" nor related practice reveal it.
    assert service.suggest("cover", backend="elasticsearch")["practice"] == []
    assert service.suggest("cover", user=police_user, backend="elasticsearch")["practice"] == [
        {"title": "Covert triage tactics", "url": secret.url}
    ]
    assert run("covrt").suggestion == ""
    assert titles(run("hotels")) == []

    # The same over HTTP, through the search page.
    page = client.get("/search/", {"q": "covert triage"})
    assert page.status_code == 200
    assert "Public triage" in page.content.decode()
    assert "Covert triage tactics" not in page.content.decode()
    client.force_login(police_user)
    assert "Covert triage tactics" in client.get("/search/", {"q": "covert"}).content.decode()


def test_unpublishing_and_password_protection_remove_the_page_from_elasticsearch(
    elasticsearch_backend, indexed
):
    kept = indexed(title="Grab packs")
    gone = indexed(title="Grab bags")
    assert stored_ids(elasticsearch_backend) == {kept.pk, gone.pk}
    gone.unpublish()
    index.update(gone.pk)
    assert stored_ids(elasticsearch_backend) == {kept.pk}
    assert titles(run("grab")) == ["Grab packs"]


def test_create_makes_one_index_behind_the_alias_and_is_repeatable(osmem_clone, settings):
    from .es_transport import CompatNode

    settings.ELASTICSEARCH_URL = osmem_clone.url
    settings.ELASTICSEARCH_CLIENT_OPTIONS = {"node_class": CompatNode}
    out = io.StringIO()
    call_command("search_index", "create", stdout=out)
    backend = get_backend("elasticsearch")
    [name] = backend.indices_of(alias())
    assert name.startswith("spe-practice-")
    assert f"Created index {name}" in out.getvalue()

    call_command("search_index", "create", stdout=out)
    assert backend.indices_of(alias()) == [name]
    assert f"Using existing index {name}" in out.getvalue()


def test_rebuild_swaps_the_alias_and_deletes_the_old_index(elasticsearch_backend, indexed):
    pages = [indexed(title=f"Grab packs {n}") for n in range(3)]
    [old] = elasticsearch_backend.indices_of(alias())
    # A page whose index entry was lost: the rebuild loads it from the database again.
    elasticsearch_backend.client.delete(index=old, id=pages[0].pk, refresh=True)
    assert run("grab").count == 2

    out = io.StringIO()
    call_command("search_index", "rebuild", stdout=out)

    [new] = elasticsearch_backend.indices_of(alias())
    assert new != old
    assert not elasticsearch_backend.client.indices.exists(index=old)
    assert elasticsearch_backend.indices_of(building_alias()) == []
    assert run("grab").count == 3
    assert "Rebuilding: 3 live practice page(s) to load." in out.getvalue()
    assert f"Loaded 3 document(s) into {new}" in out.getvalue()
    assert f"Deleted old index {old}." in out.getvalue()


def test_searches_keep_working_during_a_rebuild_and_nothing_published_meanwhile_is_lost(
    elasticsearch_backend, indexed
):
    first = indexed(title="Grab packs")
    second = indexed(title="Grab bags")
    during = []

    def build(page_id):
        if not during:
            # Mid-load: searches still answer from the old index...
            during.append(titles(run("grab")))
            # ...and a page published now reaches the index being loaded too.
            during.append(indexed(title="Grab teams"))
        return documents.build(page_id)

    elasticsearch_backend.rebuild([first.pk, second.pk], build)

    assert sorted(during[0]) == ["Grab bags", "Grab packs"]
    assert sorted(titles(run("grab"))) == ["Grab bags", "Grab packs", "Grab teams"]


def test_index_updates_go_to_the_alias_when_no_index_exists_yet(osmem_clone, settings, indexed):
    """The first publish after deploying creates the index rather than failing."""
    from .es_transport import CompatNode

    settings.ELASTICSEARCH_URL = osmem_clone.url
    settings.ELASTICSEARCH_CLIENT_OPTIONS = {"node_class": CompatNode}
    settings.SEARCH_BACKEND = "elasticsearch"
    indexed(title="Grab packs")
    assert titles(run("grab")) == ["Grab packs"]


def test_a_missing_url_is_a_configuration_error(settings):
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(ImproperlyConfigured, match="ELASTICSEARCH_URL"):
        get_client()


@pytest.mark.parametrize(
    ("url", "backend"), [("http://elasticsearch:9200", "elasticsearch"), ("", "database")]
)
def test_production_searches_with_elasticsearch_when_its_url_is_set(url, backend):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": "k8Jq2vRz7WmX4tLp9NcB3hYf6DsG1aEo5uKi8TrQw2ZxVn7MbHj4LcPy0FdSg3Ae",
        "ALLOWED_HOSTS": "practice.example",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "ELASTICSEARCH_URL": url,
        "PUBLIC_BASE_URL": "https://practice.example",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "--settings=portal.settings.production",
            "-c",
            "from django.conf import settings; print(settings.SEARCH_BACKEND)",
        ],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == backend


def test_the_full_rebuild_drops_withdrawn_pages_from_elasticsearch(elasticsearch_backend, indexed):
    kept = indexed(title="Grab packs")
    gone = indexed(title="Grab bags")
    # Withdrawn without its index update (a lost task): the full re-index removes it.
    gone.unpublish()
    assert stored_ids(elasticsearch_backend) == {kept.pk, gone.pk}
    call_command("search_index", "rebuild", stdout=io.StringIO())
    assert stored_ids(elasticsearch_backend) == {kept.pk}


def test_searches_are_answered_from_the_database_while_elasticsearch_is_down(
    indexed, settings, caplog
):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    indexed(title="Link officers for children's homes")  # into the database index
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{closed_port}"
    settings.ELASTICSEARCH_CLIENT_OPTIONS = {"max_retries": 0}
    settings.SEARCH_BACKEND = "elasticsearch"

    results = service.search("link officers", log=False)
    assert titles(results) == ["Link officers for children's homes"]
    assert service.suggest("link")["practice"]
    assert "Search backend 'elasticsearch' unavailable" in caplog.text


def test_pages_matching_more_of_the_typed_words_rank_first(elasticsearch_backend, indexed):
    """Each matched word counts for itself: a page repeating one rare word in every field no
    longer outscores the page with all three (on the judged set, "safeguarding hub referrals"
    ranked pages about referring first). The database backend weighs the same by its
    coordination factor, more softly (a rare word can still win there)."""
    indexed(
        title="Referrals checked daily",
        summary="Referrals from schools are read the day they arrive.",
        outcomes="<p>Referrals were answered within a day.</p>",
    )
    indexed(title="Triage", outcomes="<p>The safeguarding hub reads referrals.</p>")
    for n in range(6):
        indexed(title=f"Custody note {n}", outcomes="<p>The safeguarding hub was told.</p>")
    assert titles(run("safeguarding hub referrals"))[0] == "Triage"
