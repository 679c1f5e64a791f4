"""Typo corrections ("did you mean"): the term suggester's closest words, kept only where a
live document the user may see holds them now."""

from ...vocabulary import MIN_CORRECTABLE
from .client import alias

# Closest words the term suggester offers for a typo, checked against what the user may see.
CORRECTION_CANDIDATES = 5


def corrections(client, words, restrictions):
    candidates = [w for w in dict.fromkeys(words) if len(w) >= MIN_CORRECTABLE and w.isalpha()]
    if not candidates:
        return {}
    visible = {"terms": {"restriction": list(restrictions)}}

    def in_visible(condition):
        return {"filter": {"bool": {"filter": [condition, visible]}}}

    # First: whether each word begins a word of a document the user may see (unfinished
    # as-you-type words are not typos), and the term suggester's closest words. The
    # suggester reads the whole index, whoever may see it, and a deleted document's words
    # linger in it until its segment merges: its options are only candidates.
    response = client.search(
        index=alias(),
        size=0,
        aggs={
            f"prefix{i}": in_visible({"prefix": {"vocabulary": word}})
            for i, word in enumerate(candidates)
        },
        suggest={
            "text": " ".join(candidates),
            "words": {
                "term": {
                    "field": "vocabulary",
                    "suggest_mode": "always",
                    "min_word_length": MIN_CORRECTABLE,
                    "prefix_length": 1,
                    "size": CORRECTION_CANDIDATES,
                }
            },
        },
    )
    known_prefixes = {
        word
        for i, word in enumerate(candidates)
        if response["aggregations"][f"prefix{i}"]["doc_count"]
    }
    options = {}
    for entry in response["suggest"]["words"]:
        word = entry["text"]
        if word in candidates and word not in known_prefixes:
            options[word] = [o["text"] for o in entry["options"] if o["text"] != word]
    wanted = sorted({option for found in options.values() for option in found})
    if not wanted:
        return {}
    # Then: which candidates a live document the user may see holds now.
    response = client.search(
        index=alias(),
        size=0,
        aggs={
            f"word{i}": in_visible({"term": {"vocabulary": option}})
            for i, option in enumerate(wanted)
        },
    )
    held = {
        option
        for i, option in enumerate(wanted)
        if response["aggregations"][f"word{i}"]["doc_count"]
    }
    corrected = {}
    for word, found in options.items():
        best = next((option for option in found if option in held), None)
        if best:
            corrected[word] = best
    return corrected
