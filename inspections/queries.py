"""What the public may see of the register, filtered the same way by the page, CSV and API."""

import re

from django.db.models import Count
from django.utils.html import strip_tags

from portal.visibility import PUBLIC_ONLY, visible_pages, visible_q
from practice.models import PracticePage

from .forms import RegisterFilterForm
from .models import InspectionReportPage, Recommendation

# Suggestions are ranked in Python; the newest practice under the criterion is enough to rank.
SUGGESTION_CANDIDATES = 200
STOP_WORDS = set(
    """about after against also among and any are been before being between both but can could
    does each either ensure ensures every for from further has have into its may more most must
    not only other our out over own same should should such than that the their them then there
    these they this those through under until upon very was were what when where which while who
    whom why will with within would your force forces police""".split()
)


def public_reports():
    return InspectionReportPage.objects.live().public()


def public_recommendations():
    """Recommendations of live, public reports, with everything a listing row shows."""
    return Recommendation.objects.filter(report__in=public_reports()).for_listing()


def filter_register(params):
    """(form, recommendations). When the filters are not valid the recommendations are
    unfiltered and the caller decides: the page shows an error, the CSV and API answer 400."""
    form = RegisterFilterForm(params or None)
    recommendations = public_recommendations()
    if form.is_valid():
        recommendations = form.filter(recommendations)
    return form, recommendations


def with_answer_counts(recommendations, levels):
    """Each recommendation with how many practice pages that someone who may see `levels`
    may see answer it (one query, no N+1)."""
    return recommendations.annotate(
        answer_count=Count(
            "answering_practice",
            filter=visible_q(levels, prefix="answering_practice__"),
            distinct=True,
        )
    )


def stem(word):
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words(text):
    """The significant words of a text, crudely stemmed, so "referrals" meets "referral"."""
    return {
        stem(word)
        for word in re.findall(r"[a-z]{4,}", strip_tags(text).lower())
        if word not in STOP_WORDS
    }


def suggest_practice(recommendation, levels=PUBLIC_ONLY, limit=5):
    """Practice from other forces under the recommendation's criterion that shares words with
    it, best first: words in the title count double. Editors' choices are not repeated."""
    wanted = words(recommendation.text)
    if not wanted:
        return []
    candidates = (
        visible_pages(PracticePage.objects.all(), levels)
        .filter(criteria=recommendation.criterion_id)
        .exclude(force_id__in={recommendation.owner_id, recommendation.report.force_id})
        .exclude(answers_recommendations=recommendation)
        .select_related("force")
        .order_by("-published_date", "-pk")[:SUGGESTION_CANDIDATES]
    )
    scored = []
    for practice in candidates:
        title = wanted & words(practice.title)
        body = wanted & words(f"{practice.summary} {practice.approach}")
        score = 2 * len(title) + len(body - title)
        if score:
            scored.append((score, practice))
    scored.sort(key=lambda pair: -pair[0])  # stable: equal scores keep newest first
    return [practice for _score, practice in scored[:limit]]
