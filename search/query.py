"""Parsing what people type into a structure every backend understands.

Web-search syntax: words, "quoted phrases", -excluded words or phrases, and OR (accepted and
ignored: words are already alternatives, since results that match more of them rank higher).
Backends never see the raw text, only clauses of plain lower-case alphanumeric words, so no
input can inject operators into a tsquery or an Elasticsearch query string.
"""

import re
from dataclasses import dataclass, field

# Bounds the work one request can cause: a 10,000-character query is cut to this many clauses.
MAX_CLAUSES = 24
MAX_QUERY_CHARS = 2000
MAX_WORD_CHARS = 40

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_WORD = re.compile(r"[^\W_]+")


def words_of(text):
    """Lower-case alphanumeric words: "Children's (MASH)" -> ["children", "s", "mash"]."""
    return [w[:MAX_WORD_CHARS] for w in _WORD.findall(text.lower())]


@dataclass(frozen=True)
class Clause:
    """One thing the user asked for. `alternatives` are phrases (tuples of words), the first as
    typed, the others from the glossary or typo correction; any one of them matches. A negated
    clause excludes documents that match it. `prefix` lets the last word match as a prefix
    (as-you-type)."""

    alternatives: tuple[tuple[str, ...], ...]
    negated: bool = False
    prefix: bool = False
    phrase: bool = False  # more than one word, matched next to each other
    quoted: bool = False  # typed in quotes: exactly these words, never expanded

    @property
    def words(self):
        return self.alternatives[0]

    def with_alternatives(self, extra):
        new = [alt for alt in extra if alt and alt not in self.alternatives]
        return Clause(
            self.alternatives + tuple(new), self.negated, self.prefix, self.phrase, self.quoted
        )


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause] = field(default_factory=list)

    @property
    def positive(self):
        return [c for c in self.clauses if not c.negated]

    @property
    def negative(self):
        return [c for c in self.clauses if c.negated]

    def __bool__(self):
        return bool(self.clauses)


def parse(text):
    """Parse a query. Single words become one clause each; a quoted phrase is one clause."""
    text = (text or "")[:MAX_QUERY_CHARS]
    clauses = []
    for match in _TOKEN.finditer(text):
        if len(clauses) >= MAX_CLAUSES:
            break
        if match.group(2) is not None:
            negated, words = match.group(1) == "-", tuple(words_of(match.group(2)))
            if words:
                clauses.append(
                    Clause((words,), negated=negated, phrase=len(words) > 1, quoted=True)
                )
            continue
        negated, token = match.group(3) == "-", match.group(4)
        if token == "OR":  # noqa: S105 - the OR operator, not a password
            continue
        # "multi-agency" is one token with two words: keep them together as a phrase.
        words = tuple(words_of(token))
        if words:
            clauses.append(Clause((words,), negated=negated, phrase=len(words) > 1))
    # The last plain word may be unfinished (as-you-type), unless the user typed a space after it.
    if clauses and not text.endswith((" ", '"')):
        last = clauses[-1]
        if not last.negated and not last.phrase:
            clauses[-1] = Clause(last.alternatives, prefix=True)
    return ParsedQuery(text=text.strip(), clauses=clauses)


# PostgreSQL's English stop words (tsearch_data/english.stop): to_tsquery drops them, so
# proximity between the words of a phrase is counted between the words that remain (the
# database backend), and no typed pair of adjacent words is one of them (adjacent_words).
STOP_WORDS = frozenset(
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his "
    "himself she her hers herself it its itself they them their theirs themselves what which "
    "who whom this that these those am is are was were be been being have has had having do "
    "does did doing a an the and but if or because as until while of at by for with about "
    "against between into through during before after above below to from up down in out on "
    "off over under again further then once here there when where why how all any both each "
    "few more most other some such no nor not only own same so than too very s t can will "
    "just don should now".split()
)


def content_words(words):
    """The words of a phrase without its stop words (all of them when nothing else is left),
    as proximity between a phrase's words is counted."""
    kept = [w for w in words if w not in STOP_WORDS]
    return kept or list(words)


# Words of an unquoted phrase match "near each other" (both backends): the next word within
# this many positions, either way round. A glossary phrase ("died unexpectedly") then finds the
# way a page words it ("died suddenly and unexpectedly"), where strict adjacency found nothing.
NEAR = 4


def adjacent_words(query):
    """Typed words next to each other in the query, stop words aside ("voice of the child"):
    (word, word, distance in words, prefix). Both backends rank pages with them as that
    phrase above pages with the words apart."""
    pairs, previous = [], None
    for position, clause in enumerate(query.clauses):
        if clause.negated or clause.quoted or len(clause.words) != 1:
            previous = None
            continue
        word = clause.words[0]
        if word in STOP_WORDS:
            continue
        if previous is not None:
            pairs.append((previous[1], word, position - previous[0], clause.prefix))
        previous = (position, word)
    return pairs
