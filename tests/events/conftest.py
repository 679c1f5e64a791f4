"""Helpers for the events tests: registration form data and quick registrations."""

import pytest

from taxonomy.models import JobRole, Organisation


@pytest.fixture
def form_data():
    """POST data for the registration form; keyword arguments override the defaults."""

    def data(**overrides):
        values = {
            "name": "Sam Officer",
            "email": "sam.officer@avon.police.uk",
            "organisation": Organisation.objects.get(slug="avon-and-somerset-constabulary").pk,
            "role": JobRole.objects.get(slug="response-officer").pk,
            "consent_to_contact": "on",
        }
        values.update(overrides)
        return values

    return data


@pytest.fixture
def book():
    """Register someone directly through the booking service."""
    from events import booking

    counter = {"n": 0}

    def make(event, **overrides):
        counter["n"] += 1
        fields = {
            "name": f"Person {counter['n']}",
            "email": f"person{counter['n']}@avon.police.uk",
            "organisation": Organisation.objects.get(slug="avon-and-somerset-constabulary"),
            "role": JobRole.objects.get(slug="response-officer"),
        }
        fields.update(overrides)
        return booking.register(event, **fields)

    return make
