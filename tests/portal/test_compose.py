"""docker-compose.yml describes a production stack that production settings can start on."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"

SERVICES = (
    "web",
    "worker",
    "mailer",
    "beat",
    "postgres",
    "redis-broker",
    "redis-cache",
    "elasticsearch",
    "mailcatcher",
    "varnish",
)
# Every variable portal/settings/production.py reads without a default.
REQUIRED_VARIABLES = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "ELASTICSEARCH_URL",
    "PUBLIC_BASE_URL",
)


@pytest.fixture(scope="module")
def compose_services():
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]


def command_of(service):
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def environment_of(service):
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return environment


def interpolate(value):
    """Resolve compose's ${VAR:-default} to its default and ${VAR:?error} or ${VAR} to "set"."""
    return re.sub(
        r"\$\{\w+(?::?([-?])([^}]*))?\}",
        lambda match: match[2] if match[1] == "-" else "set",
        value,
    )


def host_of(url):
    return urlsplit(interpolate(url)).hostname


def test_every_service_is_described(compose_services):
    assert set(SERVICES) <= set(compose_services)


def test_web_runs_gunicorn_on_port_8000(compose_services):
    command = " ".join(command_of(compose_services["web"]))
    assert command.startswith("gunicorn portal.wsgi")
    assert ":8000" in command
    assert compose_services["web"]["build"]


def test_worker_and_beat_run_celery(compose_services):
    assert command_of(compose_services["worker"])[:4] == ["celery", "-A", "portal", "worker"]
    assert command_of(compose_services["mailer"])[:4] == ["celery", "-A", "portal", "worker"]
    assert command_of(compose_services["beat"])[:4] == ["celery", "-A", "portal", "beat"]


def test_every_queue_tasks_are_routed_to_has_a_worker(compose_services, settings):
    """A task routed to a queue no worker serves would wait forever: newsletters never sent."""
    served = set()
    for name in ("worker", "mailer"):
        (option,) = [part for part in command_of(compose_services[name]) if "--queues" in part]
        served.update(option.split("=", 1)[1].split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {settings.CELERY_TASK_DEFAULT_QUEUE} <= served
    mailer = command_of(compose_services["mailer"])
    assert "--pool=threads" in mailer and "--queues=mail" in mailer


@pytest.mark.parametrize("name", ["web", "worker", "mailer", "beat"])
def test_portal_services_have_every_required_variable(compose_services, name):
    environment = environment_of(compose_services[name])
    assert environment["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    missing = [var for var in REQUIRED_VARIABLES if not environment.get(var)]
    assert not missing, f"{name} lacks {missing}"


def test_portal_services_share_one_environment(compose_services):
    web = environment_of(compose_services["web"])
    assert environment_of(compose_services["worker"]) == web
    assert environment_of(compose_services["mailer"]) == web
    assert environment_of(compose_services["beat"]) == web


def test_urls_point_at_the_services_of_the_stack(compose_services):
    environment = environment_of(compose_services["web"])
    assert host_of(environment["DATABASE_URL"]) == "postgres"
    assert urlsplit(environment["DATABASE_URL"]).scheme in ("postgres", "postgresql")
    assert host_of(environment["REDIS_URL"]) == "redis-cache"
    assert host_of(environment["CELERY_BROKER_URL"]) == "redis-broker"
    assert host_of(environment["ELASTICSEARCH_URL"]) == "elasticsearch"
    assert host_of(environment["EMAIL_URL"]) == "mailcatcher"


def test_secret_key_must_be_given(compose_services):
    assert compose_services["web"]["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")


@pytest.mark.parametrize("name", ["web", "worker", "mailer", "beat"])
def test_portal_services_wait_for_healthy_backends(compose_services, name):
    depends_on = compose_services[name]["depends_on"]
    for backend in ("postgres", "redis-broker", "redis-cache", "elasticsearch"):
        assert depends_on[backend]["condition"] == "service_healthy"
        assert compose_services[backend]["healthcheck"]["test"], f"{backend} has no healthcheck"


def test_broker_never_evicts_and_persists(compose_services):
    command = command_of(compose_services["redis-broker"])
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    assert command[command.index("--appendonly") + 1] == "yes"


def test_cache_evicts_least_recently_used(compose_services):
    command = command_of(compose_services["redis-cache"])
    assert command[command.index("--maxmemory-policy") + 1] == "allkeys-lru"


def test_postgres_keeps_its_data(compose_services):
    postgres = compose_services["postgres"]
    assert postgres["image"].startswith("postgres:15")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])


def test_elasticsearch_is_version_8_single_node(compose_services):
    elasticsearch = compose_services["elasticsearch"]
    image, _, tag = elasticsearch["image"].rpartition(":")
    assert image == "docker.elastic.co/elasticsearch/elasticsearch"
    assert tag.split(".")[0] == "8"
    assert elasticsearch["environment"]["discovery.type"] == "single-node"


def test_varnish_caches_in_front_of_web_with_the_repository_vcl(compose_services):
    varnish = compose_services["varnish"]
    assert "./deploy/varnish/default.vcl:/etc/varnish/default.vcl:ro" in varnish["volumes"]
    vcl = (COMPOSE_FILE.parent / "deploy" / "varnish" / "default.vcl").read_text()
    assert re.search(r'\.host = "web";\s*\.port = "8000";', vcl)
    purge = urlsplit(environment_of(compose_services["web"])["VARNISH_PURGE_URL"])
    assert purge.hostname == "varnish"
