"""The privacy notice covers every kind of personal data the portal keeps, with the periods
the retention settings actually enforce."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_notice_says_what_is_kept_why_for_how_long_and_who_to_ask(client, settings):
    settings.NCPI_TEAM_EMAIL = "privacy@ncpi.example"
    settings.NEWSLETTERS_ERASE_AFTER_DAYS = 28
    settings.EVENTS_ANONYMISE_AFTER_DAYS = 365
    settings.PRACTICE_CONTACT_MESSAGES_KEEP_DAYS = 30
    settings.SEARCH_LOG_KEEP_DAYS = 60
    html = client.get("/privacy/").content.decode()
    for section in ("Newsletters and alerts", "Learning events", "Searching", "Technical logs"):
        assert f">{section}</h2>" in html
    assert "Contacting the people behind a case study" in html
    assert "feedback" in html
    assert 'href="mailto:privacy@ncpi.example"' in html
    assert "4 weeks after you unsubscribe from everything" in html
    assert "12 months after the event ends, we delete your name, email address" in html
    assert "We delete our copy 30 days after we have sent it" in html
    assert "We keep each search for 60 days" in html
    assert "download your information (as a JSON file) or erase it" in html
