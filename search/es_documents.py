"""The Elasticsearch mapping of a practice document.

STYLE.md puts mappings in search/documents.py, but that module is the backend-neutral Document
every backend indexes; the Elasticsearch-specific mapping lives here so that importing
search.documents never needs the Elasticsearch client.
"""

from elasticsearch.dsl import Completion, Date, Document, InnerDoc, Keyword, Long, Object, Text

from . import facets as facet_defs

# Completion contexts cannot hold an empty string, which is what Restriction.PUBLIC is.
PUBLIC_CONTEXT = "public"
# Titles are completed from the start of each word, not only the first: "packs" completes
# "Grab packs for homes". Long titles stop here, which keeps the suggester's FST small.
MAX_SUGGEST_INPUTS = 12


def context_of(restriction):
    return restriction or PUBLIC_CONTEXT


# One keyword field per facet (search/facets.py names them), under "facets." so that the
# "force" facet (a slug) does not collide with the force's display name.
Facets = type(
    "Facets",
    (InnerDoc,),
    {name: Keyword(multi=True) for name in facet_defs.FACET_NAMES},
)


class PracticeDocument(Document):
    page_id = Long()
    external_id = Keyword()
    # English analysis (stemming, stop words) on the searched text; boosts are set per query
    # (title over summary and tags over body), see backends/elasticsearch/query.py.
    title = Text(analyzer="english")
    summary = Text(analyzer="english")
    keywords = Text(analyzer="english")
    body = Text(analyzer="english")
    # The words, unstemmed: the vocabulary the term suggester corrects typos against. The
    # backend keeps only corrections that a document the user may see holds (with its
    # restriction), so "did you mean" never reveals a word of restricted practice.
    vocabulary = Text(analyzer="standard")
    url = Keyword(index=False)
    force = Keyword(index=False)
    published_date = Date()
    restriction = Keyword()
    facets = Object(Facets)
    # Suggestions are filtered by who may see them through the restriction context.
    suggest = Completion(contexts=[{"name": "restriction", "type": "category"}])

    @classmethod
    def from_document(cls, doc):
        """The Elasticsearch document for a search.documents.Document."""
        words = doc.title.split()
        return cls(
            meta={"id": doc.page_id},
            page_id=doc.page_id,
            external_id=doc.external_id,
            title=doc.title,
            summary=doc.summary,
            keywords=doc.keywords,
            body=doc.body,
            vocabulary=" ".join([doc.title, doc.summary, doc.keywords, doc.body]),
            url=doc.url,
            force=doc.force,
            published_date=doc.published_date,
            restriction=doc.restriction,
            facets=Facets(**doc.facets),
            suggest={
                "input": [" ".join(words[i:]) for i in range(min(len(words), MAX_SUGGEST_INPUTS))],
                "contexts": {"restriction": [context_of(doc.restriction)]},
            },
        )
