"""The glossary of synonyms and acronyms: query expansion and explaining acronyms to readers."""

from django.core.cache import cache

from .query import Clause, ParsedQuery, words_of

CACHE_KEY = "search:glossary:v1"
# Editors see their change within this time even if a cache invalidation is missed.
CACHE_SECONDS = 10 * 60
# Longest glossary phrase, in words, looked for among consecutive query words.
MAX_PHRASE_WORDS = 6


def _load():
    from .models import GlossaryTerm

    groups, acronyms = [], {}
    for term in GlossaryTerm.objects.all():
        names = [tuple(words_of(name)) for name in term.names()]
        groups.append([n for n in names if n])
        if term.is_acronym and term.meaning:
            acronyms[term.term] = term.meaning
    return {"groups": groups, "acronyms": acronyms}


def data():
    return cache.get_or_set(CACHE_KEY, _load, CACHE_SECONDS)


def invalidate():
    cache.delete(CACHE_KEY)


def acronyms():
    """{"MASH": "Multi-Agency Safeguarding Hub", ...} for the acronyms with a meaning."""
    return data()["acronyms"]


def expand(parsed: ParsedQuery) -> ParsedQuery:
    """Add every other name of a glossary term as an alternative, both ways: "MASH" also finds
    "multi-agency safeguarding hub", "runaway" also finds "missing". Quoted phrases are taken
    as typed. Consecutive words that
    spell a glossary phrase gain the term as an extra clause, which only adds recall."""
    groups = [[tuple(name) for name in group] for group in data()["groups"]]
    index = {}
    for group in groups:
        for name in group:
            index.setdefault(name, []).extend(n for n in group if n != name)
    clauses = []
    for clause in parsed.clauses:
        extra = []
        for alternative in [] if clause.quoted else clause.alternatives:
            extra.extend(index.get(alternative, []))
        clauses.append(clause.with_alternatives(extra) if extra else clause)
    # Unquoted consecutive words that together name a glossary entry.
    words = [w for c in parsed.clauses if not c.negated and not c.quoted for w in c.words]
    for size in range(2, min(MAX_PHRASE_WORDS, len(words)) + 1):
        for start in range(len(words) - size + 1):
            phrase = tuple(words[start : start + size])
            if phrase in index:
                clauses.append(Clause((phrase, *index[phrase]), phrase=True))
    return ParsedQuery(text=parsed.text, clauses=clauses)
