"""portal.visibility.may_be_restricted, which lets registering skip Wagtail's restriction
check: it may say "nothing to check" only when Wagtail's check would find no restriction."""

import pytest
from wagtail.models import Page, PageViewRestriction

from portal import visibility

pytestmark = pytest.mark.django_db


def test_it_agrees_with_wagtails_check(home_page):
    section = home_page.add_child(instance=Page(title="Section", slug="section"))
    inside = section.add_child(instance=Page(title="Inside", slug="inside"))
    # A sibling whose path starts like the section's must not inherit its restriction.
    beside = home_page.add_child(instance=Page(title="Beside", slug="beside"))
    assert not visibility.may_be_restricted(inside) and not inside.get_view_restrictions().exists()

    PageViewRestriction.objects.create(page=section, restriction_type="login")
    for page in (section, inside):
        assert visibility.may_be_restricted(page) and page.get_view_restrictions().exists()
    assert not visibility.may_be_restricted(beside) and not beside.get_view_restrictions().exists()


def test_an_alias_is_always_checked_by_wagtail(home_page):
    source = home_page.add_child(instance=Page(title="Source", slug="source"))
    PageViewRestriction.objects.create(page=source, restriction_type="login")
    alias = source.create_alias(parent=home_page, update_slug="alias")
    # Without a restriction of its own (Wagtail copies the source's; an editor can remove
    # it), the source's still applies: Wagtail resolves an alias to its source.
    PageViewRestriction.objects.filter(page=alias).delete()
    assert alias.get_view_restrictions().exists()
    assert visibility.may_be_restricted(alias)
