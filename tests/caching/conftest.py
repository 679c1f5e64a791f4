import pytest


@pytest.fixture
def page_cache(settings, redis_available):
    """The application's page cache on, empty: this run's own Redis database."""
    from django.core.cache import cache

    settings.PAGE_CACHE_APPLICATION = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def police_user(django_user_model):
    from portal import visibility

    user = django_user_model.objects.create_user("officer", "officer@force.police.example", "pw")
    user.groups.add(visibility.police_group())
    return user


@pytest.fixture
def restrict_to_police():
    from wagtail.models import PageViewRestriction

    from portal import visibility

    def restrict(page):
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set([visibility.police_group()])
        return restriction

    return restrict
