"""As-you-type title suggestions (the completion suggester, with the user's restriction levels
as its contexts) and related practice (shared tags required, more_like_this ranking)."""

from elasticsearch import NotFoundError
from elasticsearch.dsl import Q

from ...es_documents import context_of
from .client import alias
from .hits import to_hit


def suggest(client, prefix, restrictions, limit):
    prefix = " ".join(prefix.split())[:100]
    if not prefix:
        return []
    response = client.search(
        index=alias(),
        source=["title", "url", "page_id"],
        suggest={
            "titles": {
                "prefix": prefix,
                "completion": {
                    "field": "suggest",
                    # A few spare: one page can complete through several of its words.
                    "size": limit * 2,
                    "contexts": {"restriction": [context_of(r) for r in restrictions]},
                },
            }
        },
    )
    seen, results = set(), []
    for option in response["suggest"]["titles"][0]["options"]:
        source = option["_source"]
        if source["page_id"] not in seen:
            seen.add(source["page_id"])
            results.append({"title": source["title"], "url": source["url"]})
    return results[:limit]


def related(client, page_id, restrictions, limit):
    try:
        source = client.get(index=alias(), id=page_id)["_source"]
    except NotFoundError:
        return []
    facets = source.get("facets", {})
    shared = [
        Q("terms", **{f"facets.{name}": facets[name]}, boost=2 if name == "theme" else 1)
        for name in ("criterion", "theme", "audience")
        if facets.get(name)
    ]
    if not shared:
        return []
    like = Q(
        "more_like_this",
        fields=["title", "summary", "keywords"],
        like=[{"_index": alias(), "_id": str(page_id)}],
        min_term_freq=1,
        min_doc_freq=1,
    )
    # Sharing tags is required (as in the database backend); more_like_this then ranks
    # the pages whose words are most alike.
    query = Q(
        "bool",
        must=[Q("bool", should=shared, minimum_should_match=1)],
        should=[like],
        filter=[Q("terms", restriction=restrictions)],
        must_not=[Q("ids", values=[str(page_id)])],
    )
    response = client.search(
        index=alias(),
        query=query.to_dict(),
        sort=["_score", {"published_date": "desc"}, {"page_id": "desc"}],
        size=limit,
        source={"excludes": ["body", "vocabulary", "suggest"]},
    )
    return [to_hit(h["_source"], h.get("_score")) for h in response["hits"]["hits"]]
