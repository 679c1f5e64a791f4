"""Clauses as to_tsquery text: exactly (with the proximity of a phrase's words), loosely (the
words merely all present, what the GIN index answers), and the phrases of the bonus."""

from ....query import NEAR, STOP_WORDS, Clause, content_words

# In what the index answers, a phrase's words found in more than this share of documents are
# left out (the rarest word always stays): the index reads every document listed under each
# word, and "child" (in 98% of them at 100,000) cost more than the rest of "child sexual
# exploitation" narrowed; the exact check on the rows found puts the phrase back.
COMMON_WORD_SHARE = 0.5


def _tsquery_alternative(words, prefix, exact):
    parts = list(words) if exact else content_words(words)
    if prefix:
        parts[-1] += ":*"
    if exact or len(parts) == 1:
        return " <-> ".join(parts)
    pairs = []
    for a, b in zip(parts, parts[1:], strict=False):
        near = [f"{x} <{n}> {y}" for n in range(1, NEAR + 1) for x, y in ((a, b), (b, a))]
        pairs.append("(" + " | ".join(near) + ")")
    return " & ".join(pairs)


def clause_tsquery(clause):
    """A clause as to_tsquery text. Words are [^\\W_]+ only (see search.query), so the text
    can hold no operator the user typed. Quoted phrases match word for word; other phrases
    (hyphenated words, glossary alternatives) match their words near each other."""
    alternatives = [
        _tsquery_alternative(alt, clause.prefix and i == 0, clause.quoted)
        for i, alt in enumerate(clause.alternatives)
    ]
    return "(" + " | ".join(alternatives) + ")"


def clause_loose_tsquery(clause, frequency=None, total=0):
    """The clause with each phrase's words merely all present (a & b), which every document
    matching clause_tsquery also matches. PostgreSQL's GIN index answers it without the
    positions, and evaluates its small tree quickly for every candidate document; the eight
    proximity variants per word pair of a glossary phrase cost far more there, so they are
    checked afterwards, only on the rows that pass (see matching.Matching).

    With the words' `frequency` ({word: (lexemes, documents)}) and the corpus size, a phrase
    also loses its words found in more than COMMON_WORD_SHARE of the documents: what the
    index is asked."""
    alternatives = []
    for i, alt in enumerate(clause.alternatives):
        parts = list(alt) if clause.quoted else content_words(alt)
        if clause.prefix and i == 0:
            parts[-1] += ":*"
        elif frequency is not None and len(parts) > 1:
            # A stop word has no lexeme and is never the one kept (to_tsquery drops it: the
            # alternative would match nothing).
            known = {w: frequency[w][1] for w in parts if frequency.get(w, (0, 0))[0]}
            if known:
                rarest = min(known, key=known.get)
                parts = [w for w in known if w == rarest or known[w] <= COMMON_WORD_SHARE * total]
        alternatives.append(" & ".join(parts))
    return "(" + " | ".join(alternatives) + ")"


def phrase_tsquery(pair):
    """Typed words next to each other (search.query.adjacent_words) as a phrase."""
    first, second, distance, prefix = pair
    return f"{first} <{distance}> {second}" + (":*" if prefix else "")


def phrase_loose_tsquery(pair):
    first, second, _distance, prefix = pair
    return f"{first} & {second}" + (":*" if prefix else "")


def matching_clauses(clauses):
    """The clauses as matching needs them: without the phrase alternatives that hold a word
    which is itself an alternative of some clause. Clauses are ORed, so a document with such a
    phrase matches through the word anyway, and every phrase left is a proximity check on each
    candidate row, which reads its TOASTed vector ("runaway" brings "missing" and "missing
    from home": the phrase adds nothing). Clauses left with no alternative go. The ranking
    keeps the clauses whole."""
    words = {
        alternative[0]
        for clause in clauses
        for alternative in clause.alternatives
        if len(alternative) == 1 and alternative[0] not in STOP_WORDS
    }
    matched = []
    for clause in clauses:
        kept = tuple(
            alternative
            for i, alternative in enumerate(clause.alternatives)
            # The first alternative carries the prefix, if any: it stays first.
            if len(alternative) == 1 or (i == 0 and clause.prefix) or not words & set(alternative)
        )
        if kept:
            matched.append(
                Clause(kept, clause.negated, clause.prefix, clause.phrase, clause.quoted)
            )
    return matched
