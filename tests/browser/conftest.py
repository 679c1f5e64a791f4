import os

import pytest

from tests import services


@pytest.fixture(scope="session")
def browser():
    services.require_chromium()
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # inside one unless told it is safe, which it is here (one thread drives both).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=services.CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
