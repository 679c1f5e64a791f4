"""From recommendation to practice: editors' choices, suggestions, and the practice page."""

import datetime as dt

import pytest

from inspections.queries import suggest_practice
from taxonomy.models import Criterion, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria():
    return {c.slug: c for c in Criterion.objects.all()}


def test_suggestions_share_the_criterion_and_words_and_rank_title_words_first(
    make_recommendation, make_practice, criteria
):
    rec = make_recommendation(
        text="Use return home interviews to plan safety for missing children.",
        criterion=criteria["managing-risk"],
    )
    beds = Organisation.objects.get(slug="bedfordshire-police")
    in_title = make_practice(
        title="Return home interviews that shape safety plans",
        summary="Interviews after every episode.",
        criteria=[criteria["managing-risk"]],
        force=beds,
    )
    in_summary = make_practice(
        title="A new approach",
        summary="Officers hold return home interviews with missing children.",
        criteria=[criteria["managing-risk"]],
        force=beds,
    )
    make_practice(  # the same words under another criterion
        title="Return home interviews in custody",
        criteria=[criteria["police-detention"]],
        force=beds,
    )
    make_practice(  # the right criterion but nothing in common
        title="Quarterly audits",
        summary="Audits of case files.",
        approach="<p>Sampling.</p>",
        criteria=[criteria["managing-risk"]],
        force=beds,
    )
    make_practice(  # the inspected force's own practice is not "how others met it"
        title="Return home interviews at Avon",
        criteria=[criteria["managing-risk"]],
    )
    assert suggest_practice(rec) == [in_title, in_summary]
    # Once editors choose a page it is no longer a suggestion.
    rec.answering_practice.add(in_title)
    rec.save()  # a ParentalManyToMany is written when its owner is saved
    assert suggest_practice(rec) == [in_summary]


def test_practice_page_lists_the_recommendations_it_answers(
    client, make_recommendation, make_practice, make_report
):
    practice = make_practice(title="Referral within a day")
    answered = make_recommendation(reference="R4", text="Refer children within 24 hours.")
    answered.answering_practice.add(practice)
    answered.save()  # a ParentalManyToMany is written when its owner is saved
    draft = make_recommendation(report=make_report(publish=False), text="Hidden draft rec.")
    draft.answering_practice.add(practice)
    draft.save()  # a ParentalManyToMany is written when its owner is saved
    html = client.get(practice.url).content.decode()
    assert "Recommendations it answers" in html
    assert f'href="/recommendations/{answered.pk}/"' in html
    assert "R4: Refer children within 24 hours." in html
    assert "Hidden draft rec." not in html


def test_practice_page_without_recommendations_has_no_section(client, make_practice):
    assert "Recommendations it answers" not in client.get(make_practice().url).content.decode()


def test_recommendation_page_shows_chosen_practice_then_suggestions(
    client, make_recommendation, make_practice, criteria
):
    beds = Organisation.objects.get(slug="bedfordshire-police")
    rec = make_recommendation(
        text="Make referrals to children's services quickly.",
        criterion=criteria["assessment-and-help"],
    )
    chosen = make_practice(title="Chosen by editors", force=beds)
    rec.answering_practice.add(chosen)
    rec.save()  # a ParentalManyToMany is written when its owner is saved
    make_practice(
        title="Faster referrals to children's services",
        criteria=[criteria["assessment-and-help"]],
        force=beds,
        published_date=dt.date(2025, 1, 1),
    )
    html = client.get(f"/recommendations/{rec.pk}/").content.decode()
    assert html.index("How other forces met it") < html.index("Chosen by editors")
    assert html.index("Practice that may help") < html.index("Faster referrals")


def test_a_suggestion_that_did_not_work_says_so(
    client, make_recommendation, make_practice, criteria
):
    beds = Organisation.objects.get(slug="bedfordshire-police")
    rec = make_recommendation(
        text="Make referrals to children's services quickly.",
        criterion=criteria["assessment-and-help"],
    )
    make_practice(
        title="Faster referrals to children's services",
        criteria=[criteria["assessment-and-help"]],
        force=beds,
        outcome="did-not-work",
    )
    make_practice(
        title="Quicker referrals for children",
        criteria=[criteria["assessment-and-help"]],
        force=beds,
        outcome="worked",
    )
    html = client.get(f"/recommendations/{rec.pk}/").content.decode()
    suggestions = html[html.index("Practice that may help") :]
    failed = suggestions[suggestions.index("Faster referrals") :]
    assert failed.index("Didn't work</strong>") < failed.index("</li>")
    worked = suggestions[suggestions.index("Quicker referrals") :]
    assert "Didn't work" not in worked[: worked.index("</li>")]
