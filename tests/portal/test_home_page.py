import pytest

pytestmark = pytest.mark.django_db


def test_home_page_leads_to_practice_and_events(
    client, make_practice, make_event, practice_index, event_index
):
    make_practice(title="Shown on the home page")
    make_event(title="Coming up soon")
    html = client.get("/").content.decode()
    assert "National Child Protection Inspection" in html
    assert f'href="{practice_index.url}"' in html
    assert f'href="{event_index.url}"' in html
    assert "Shown on the home page" in html
    assert "Coming up soon" in html
    assert 'href="/newsletters/subscribe/"' in html
    assert 'href="/search/"' in html
