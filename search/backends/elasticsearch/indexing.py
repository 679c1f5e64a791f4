"""The index behind the alias and writing to it: creating it from the mapping
(search/es_documents.py), finding which indices the aliases point at, and the live index
updates (upsert, delete, clear), which also reach an index a rebuild is loading."""

from django.utils import timezone
from elasticsearch import NotFoundError

from ...es_documents import PracticeDocument
from .client import alias, building_alias


def new_index_name():
    return f"{alias()}-{timezone.now():%Y%m%d%H%M%S%f}"


def create_index(client, name=None, aliases=()):
    name = name or new_index_name()
    index = PracticeDocument._index.clone(name)
    index.aliases(**{a: {} for a in aliases})
    index.create(using=client)
    return name


def index_aliases(client):
    """{index name: set of its aliases} for this site's indices (named after the alias)."""
    try:
        body = client.indices.get_alias(index=f"{alias()}-*").body
    except NotFoundError:
        return {}
    return {name: set(value.get("aliases", {})) for name, value in body.items()}


def indices_of(client, name, aliased=None):
    aliased = index_aliases(client) if aliased is None else aliased
    return sorted(index for index, names in aliased.items() if name in names)


def ensure_index(client):
    """Create an index behind the alias unless there is one. Returns (index, created)."""
    existing = indices_of(client, alias())
    if existing:
        return existing[0], False
    return create_index(client, aliases=[alias()]), True


def index_action(document, index):
    """A bulk action writing the document into the index."""
    return {
        "_op_type": "index",
        "_index": index,
        "_id": document.page_id,
        "_source": PracticeDocument.from_document(document).to_dict(),
    }


def _write_targets(client):
    """The live index, and the one a rebuild is loading (if any), so that the rebuilt
    index does not miss a page published while it loads."""
    aliased = index_aliases(client)
    targets = indices_of(client, alias(), aliased) + indices_of(client, building_alias(), aliased)
    if not targets:
        targets = [ensure_index(client)[0]]
    return targets


def _bulk(client, actions):
    # wait_for: the index update is visible to searches when the task finishes, so a
    # published page is findable right after its task, without forcing a refresh.
    response = client.bulk(operations=actions, refresh="wait_for")
    errors = [
        item
        for item in response["items"]
        for op, result in item.items()
        if result.get("status", 200) >= 300
        and not (op == "delete" and result.get("status") == 404)
    ]
    if errors:
        raise RuntimeError(f"Elasticsearch refused index updates: {errors[:3]}")


def upsert(client, documents):
    documents = list(documents)
    if not documents:
        return
    operations = []
    for index in _write_targets(client):
        for doc in documents:
            operations.append({"index": {"_index": index, "_id": doc.page_id}})
            operations.append(PracticeDocument.from_document(doc).to_dict())
    _bulk(client, operations)


def delete(client, page_ids):
    page_ids = list(page_ids)
    if not page_ids:
        return
    operations = [
        {"delete": {"_index": index, "_id": page_id}}
        for index in _write_targets(client)
        for page_id in page_ids
    ]
    _bulk(client, operations)


def clear(client):
    ensure_index(client)
    client.delete_by_query(
        index=alias(), query={"match_all": {}}, refresh=True, conflicts="proceed"
    )
