"""The "contact the originator" form relays a message through a real worker and SMTP server."""

import time

import pytest

from practice.models import ContactMessage

# Worker and test share committed data; restore the migrations' data (site, taxonomy) after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_message_is_relayed_to_the_originator_by_email(
    celery_worker, smtp_sink, client, make_practice, postgres
):
    page = make_practice(title="Joint visits", contact_email="originator@force.police.example")
    response = client.post(
        page.url,
        {
            "name": "Sam Partner",
            "email": "sam@council.example",
            "organisation": "Northfield Children's Services",
            "message": "How did you fund the link officers?",
        },
    )
    assert response.status_code == 302

    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    recipients, email = messages[0]
    assert recipients == ["originator@force.police.example"]
    assert email["Reply-To"] == "sam@council.example"
    assert "Joint visits" in email["Subject"]
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert "How did you fund the link officers?" in body
    assert "Northfield Children's Services" in body

    contact = ContactMessage.objects.get()
    for _ in range(50):
        contact.refresh_from_db()
        if contact.sent_at:
            break
        time.sleep(0.1)
    assert contact.sent_at is not None


def test_without_an_originator_address_the_ncpi_team_gets_it(
    celery_worker, smtp_sink, client, make_practice, settings, postgres
):
    page = make_practice(contact_email="")
    client.post(
        page.url,
        {"name": "A", "email": "a@b.example", "organisation": "C", "message": "Hello"},
    )
    messages = smtp_sink.wait_for(1)
    assert [recipients for recipients, _ in messages] == [[settings.NCPI_TEAM_EMAIL]]
