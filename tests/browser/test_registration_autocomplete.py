"""The registration form's organisation in headless Chromium: with JavaScript an accessible
autocomplete (typing finds an organisation; a name that is not listed leads to "Other (not
listed)" and the name field), without it a plain select and the name field. No WCAG 2.2 AA
violations (axe) with the suggestions open."""

import pytest
from playwright.sync_api import expect

from tests.accessibility import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def event(make_event):
    return make_event(title="Hearing the child")


def fill_in_the_rest(tab, email):
    tab.get_by_label("Full name").fill("Sam Officer")
    tab.get_by_label("Email address").fill(email)
    tab.get_by_label("Role").select_option(label="Response officer")


def registration_for(email):
    from events.models import Registration

    return Registration.objects.select_related("organisation", "role").get(email=email)


def test_typing_in_the_autocomplete_finds_an_organisation_and_registers(event, live_server, page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + event.url)
    combobox = page.get_by_role("combobox", name="Organisation", exact=True)
    # The select became the autocomplete, and the name field waits for "Other".
    expect(page.locator("select#register-organisation-select")).to_be_hidden()
    expect(page.get_by_label("Organisation name")).to_be_hidden()

    combobox.fill("somer")
    option = page.get_by_role("option", name="Avon and Somerset Constabulary")
    expect(option).to_be_visible()
    expect(page.get_by_role("option", name="Other (not listed)")).to_be_visible()
    expect(page.get_by_role("option", name="Kent Police")).to_have_count(0)
    # The field's hint still describes it while the suggestions show.
    described = combobox.get_attribute("aria-describedby").split()
    assert "register-organisation-hint" in described
    assert_no_violations(page)

    option.click()
    expect(combobox).to_have_value("Avon and Somerset Constabulary")
    expect(page.get_by_label("Organisation name")).to_be_hidden()
    fill_in_the_rest(page, "sam@avon.police.uk")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert errors == []

    registration = registration_for("sam@avon.police.uk")
    assert registration.organisation.slug == "avon-and-somerset-constabulary"
    assert registration.organisation_other == ""
    assert registration.role.slug == "response-officer"


def test_a_name_not_listed_leads_to_other_and_the_name_field(event, live_server, page):
    page.goto(live_server.url + event.url)
    combobox = page.get_by_role("combobox", name="Organisation", exact=True)
    combobox.fill("Acme Youth")
    other = page.get_by_role("option", name="Other (not listed)")
    expect(other).to_be_visible()
    suggestions = page.locator("#register-organisation__listbox").get_by_role("option")
    expect(suggestions).to_have_count(1)
    other.click()

    name = page.get_by_label("Organisation name")
    expect(name).to_be_visible()
    expect(name).to_have_value("Acme Youth")  # what was typed, carried over
    name.fill("Acme Youth Trust")
    fill_in_the_rest(page, "kim@acme.example")
    assert_no_violations(page)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    registration = registration_for("kim@acme.example")
    assert (registration.organisation, registration.organisation_other) == (
        None,
        "Acme Youth Trust",
    )


def test_other_without_a_name_shows_the_error_at_the_name_field(event, live_server, page):
    page.goto(live_server.url + event.url)
    page.get_by_role("combobox", name="Organisation", exact=True).fill("Other")
    page.get_by_role("option", name="Other (not listed)").click()
    fill_in_the_rest(page, "kim@acme.example")
    page.get_by_role("button", name="Register").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="Enter the name of your organisation").click()
    expect(page.get_by_label("Organisation name")).to_be_focused()
    combobox = page.get_by_role("combobox", name="Organisation", exact=True)
    expect(combobox).to_have_value("Other (not listed)")
    assert_no_violations(page)
    from events.models import Registration

    assert not Registration.objects.exists()


def test_without_javascript_the_select_and_the_name_field_register(event, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server.url + event.url)
    tab.get_by_label("Organisation", exact=True).select_option(label="Other (not listed)")
    tab.get_by_label("Organisation name").fill("Acme Youth Trust")
    fill_in_the_rest(tab, "kim@acme.example")
    tab.get_by_role("button", name="Register").click()
    expect(tab.get_by_role("heading", name="Check your email")).to_be_visible()
    context.close()

    registration = registration_for("kim@acme.example")
    assert registration.organisation is None
    assert registration.organisation_other == "Acme Youth Trust"


@pytest.fixture
def member(db):
    from django.contrib.auth import get_user_model

    from taxonomy.models import Organisation, OrganisationMembership

    user = get_user_model().objects.create_user(
        "kim", "kim@kent.police.uk", "a-long-passphrase-1", first_name="Kim", last_name="Lee"
    )
    kent = Organisation.objects.get(slug="kent-police")
    OrganisationMembership.objects.create(user=user, organisation=kent)
    return user


def test_a_signed_in_member_finds_their_organisation_filled_in(event, member, live_server, page):
    from tests.browser.sessions import sign_in_as

    sign_in_as(page, live_server, member)
    page.goto(live_server.url + event.url)
    combobox = page.get_by_role("combobox", name="Organisation", exact=True)
    expect(combobox).to_have_value("Kent Police")
    expect(page.get_by_label("Full name")).to_have_value("Kim Lee")
    page.get_by_label("Role").select_option(label="Call handler or dispatcher")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    registration = registration_for("kim@kent.police.uk")
    assert registration.organisation.slug == "kent-police"
