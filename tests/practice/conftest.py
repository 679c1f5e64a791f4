"""Fixtures the practice tests share with other folders: subscribers and inline Celery (for
alerts), and a police user; and the people of submission and moderation: a force, one of its
officers and an NCPI moderator."""

import pytest
from django.contrib.auth.models import Group, User

from taxonomy.models import Organisation, OrganisationMembership
from tests.newsletters.conftest import clean_cache, eager_celery, make_subscriber  # noqa: F401
from tests.search.conftest import police_user  # noqa: F401


def make_user(username, organisation=None, **extra):
    user = User.objects.create_user(
        username, email=f"{username}@example.police.uk", password="a-long-test-password", **extra
    )
    if organisation is not None:
        OrganisationMembership.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def force(db):
    return Organisation.objects.get(slug="avon-and-somerset-constabulary")


@pytest.fixture
def force_user(force):
    return make_user("force-officer", force)


@pytest.fixture
def moderator(db):
    user = make_user("ncpi-moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user
