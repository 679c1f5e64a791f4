"""Rebuilding the index without a moment of half-built results: a new timestamped index,
bulk loaded, then the alias swapped to it atomically and the old index deleted. Searches use
the old index until the swap; live updates during the load go to both (indexing.py)."""

import time

from elasticsearch.helpers import streaming_bulk

from .client import alias, building_alias
from .indexing import create_index, index_action, indices_of

# Documents per bulk request in a rebuild: a few MB of JSON per request, well under
# Elasticsearch's 100 MB limit, and few enough that one slow batch does not time out.
BULK_BATCH = 500
# Pages read from the database per batch while building documents for a rebuild.
READ_BATCH = 200


def rebuild(client, page_ids, build, out=None):
    """New index, bulk load, atomic alias swap, old index deleted. Returns the number of
    documents loaded."""
    old = indices_of(client, alias())
    new = create_index(client, aliases=[building_alias()])
    loaded = 0
    started = time.monotonic()

    def actions():
        for start in range(0, len(page_ids), READ_BATCH):
            for page_id in page_ids[start : start + READ_BATCH]:
                document = build(page_id)
                if document is not None:
                    yield index_action(document, new)

    bulk_client = client.options(request_timeout=120)
    # raise_on_error: a refused document stops the rebuild before the swap, so the alias
    # never points at an index missing pages.
    for _ok, _item in streaming_bulk(
        bulk_client, actions(), chunk_size=BULK_BATCH, raise_on_error=True
    ):
        loaded += 1
        if out and loaded % BULK_BATCH == 0:
            out(f"  {loaded} documents loaded ({time.monotonic() - started:.1f}s)")
    client.indices.refresh(index=new)
    swap = [{"remove": {"index": name, "alias": alias()}} for name in old]
    swap += [
        {"add": {"index": new, "alias": alias()}},
        {"remove": {"index": new, "alias": building_alias()}},
    ]
    client.indices.update_aliases(actions=swap)
    for name in old:
        client.indices.delete(index=name)
    if out:
        out(f"Loaded {loaded} document(s) into {new}; alias now points at it.")
        if old:
            out(f"Deleted old index {', '.join(old)}.")
    return loaded
