import os

import pytest

from tests import services

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(transactional_db, live_server):
    """Headless Chromium, started for each test after its database is ready.

    Playwright's sync API keeps an asyncio loop running in this thread, and while it runs
    Django's per-context connection handling hands out fresh connections. Starting the browser
    only after the test database is set up, and stopping it before teardown, keeps pytest-django's
    serialized rollback (which restores the migrations' data after each flush) on the real one.
    """
    services.require_chromium()
    # The ORM refuses to run while an event loop is running unless told it is safe; here one
    # thread drives both, one call at a time.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=services.CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
