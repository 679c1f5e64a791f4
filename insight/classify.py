"""Which NCPI criterion a search most likely belongs to, from its words.

Each criterion's vocabulary is the words of its name and description (weighted three times)
and of the titles and summaries of the live practice tagged with it; a query goes to the
criterion whose vocabulary shares most of its words, or to none ("") when it shares none.
Plural "s" is dropped on both sides, so "referrals" meets "referral"."""

import collections

from practice.models import PracticePage
from search.query import STOP_WORDS, words_of
from taxonomy.models import Criterion

NAME_WEIGHT = 3


def _stem(word):
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _words(text):
    return {_stem(w) for w in words_of(text or "") if w not in STOP_WORDS and len(w) > 2}


class CriterionGuesser:
    def __init__(self):
        self.weights = collections.defaultdict(collections.Counter)
        for slug, name, description in Criterion.objects.values_list(
            "slug", "name", "description"
        ):
            for word in _words(f"{name} {description}"):
                self.weights[word][slug] += NAME_WEIGHT
        tagged = PracticePage.criteria.through.objects.filter(practicepage__live=True).values_list(
            "criterion__slug", "practicepage__title", "practicepage__summary"
        )
        for slug, title, summary in tagged:
            for word in _words(f"{title} {summary}"):
                self.weights[word][slug] += 1
        self.cache = {}

    def __call__(self, query):
        if query not in self.cache:
            scores = collections.Counter()
            for word in _words(query):
                scores.update(self.weights.get(word, {}))
            # Ties go to the alphabetically first slug, so a query always lands in one place.
            best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
            self.cache[query] = best[0][0] if best else ""
        return self.cache[query]
