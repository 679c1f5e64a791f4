"""Where each page type may be created: editors get only the choices that make sense."""

from wagtail.test.utils import WagtailPageTestCase

from events.models import EventIndexPage, EventPage
from portal.models import HomePage
from practice.models import PracticeIndexPage, PracticePage


class PageTreeRulesTest(WagtailPageTestCase):
    def test_practice_lives_under_the_practice_index(self):
        self.assertCanCreateAt(HomePage, PracticeIndexPage)
        self.assertCanCreateAt(PracticeIndexPage, PracticePage)
        self.assertCanNotCreateAt(HomePage, PracticePage)
        self.assertCanNotCreateAt(PracticePage, PracticePage)

    def test_events_live_under_the_events_index(self):
        self.assertCanCreateAt(HomePage, EventIndexPage)
        self.assertCanCreateAt(EventIndexPage, EventPage)
        self.assertCanNotCreateAt(HomePage, EventPage)
        self.assertCanNotCreateAt(PracticeIndexPage, EventPage)
