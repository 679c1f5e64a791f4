"""The Atom feed (RFC 4287) of any filtered search: /search/feed/?q=…&criterion=….

Every link and id is an absolute IRI: entries are identified by the page's translation key
(urn:uuid:…, which Wagtail keeps for the life of the page, wherever it moves and whatever the
domain), and the feed by its own canonical address, which keeps the query, so a reader that
re-subscribes from rel="self" keeps the filter. Each entry's <updated> is when its page was
last published. Readers poll: the answer carries an ETag and Last-Modified, and a conditional
request for an unchanged feed gets 304 Not Modified. A bad filter gets 400 with a plain-text
reason (a feed reader shows the status; an HTML page would be read as a broken feed).
"""

import datetime as dt
import hashlib

from django.contrib.syndication.views import Feed
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date, quote_etag
from wagtail.models import Page

from portal.links import public_url

from . import facets, service
from .forms import read_parameters
from .views import _querystring

FEED_ITEMS = 20
# Feed readers poll; a few minutes' staleness saves searches.
FEED_MAX_AGE = 5 * 60


def search_feed(request):
    # One feed object per request: it holds the request's parameters and pages.
    return SearchFeed()(request)


class SearchFeed(Feed):
    """Newest matching practice first. Public content only: feed readers fetch without the
    reader's session, and a feed URL gets shared."""

    feed_type = Atom1Feed
    description_template = None

    def __call__(self, request, *args, **kwargs):
        try:
            results = self.get_object(request)
        except (service.InvalidSearch, facets.InvalidFilter) as error:
            return HttpResponseBadRequest(
                f"This feed address is not valid: {error}\n",
                content_type="text/plain; charset=utf-8",
            )
        etag, last_modified = self._validators(results)
        # 304 when the reader's copy (If-None-Match / If-Modified-Since) is current.
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=last_modified and int(last_modified.timestamp())
        )
        response = not_modified or self._render(request, results)
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        return response

    def _render(self, request, results):
        feed = self.get_feed(results, request)
        response = HttpResponse(content_type=feed.content_type)
        feed.write(response, "utf-8")
        return response

    def get_object(self, request):
        self.params = read_parameters(request.GET)
        results = service.search(
            self.params["query"],
            self.params["filters"],
            sort="newest",
            page=1,
            user=None,
            per_page=FEED_ITEMS,
            log=False,
        )
        pages = Page.objects.filter(pk__in=[hit.page_id for hit in results.hits]).values_list(
            "pk", "translation_key", "last_published_at"
        )
        self.pages = {pk: (key, published) for pk, key, published in pages}
        return results

    def _validators(self, results):
        """(ETag, Last-Modified) from what the feed shows: the address and each entry's id and
        publication, so any new, removed or republished entry changes them."""
        parts = [self.feed_url(results)]
        parts += [
            f"{hit.page_id}:{self.item_updateddate(hit).isoformat()}" for hit in results.hits
        ]
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        updated = [self.item_updateddate(hit) for hit in results.hits]
        return quote_etag(digest), max(updated, default=None)

    def title(self, obj):
        described = f' for "{obj.query}"' if obj.query else ""
        return f"Notable practice{described} – Safeguarding Practice Exchange"

    def link(self, obj):
        query = _querystring(self.params)
        return public_url(reverse("search:search") + (f"?{query}" if query else ""))

    def feed_url(self, obj):
        query = _querystring(self.params)
        return public_url(reverse("search:feed") + (f"?{query}" if query else ""))

    def feed_guid(self, obj):
        return self.feed_url(obj)

    def subtitle(self, obj):
        return "New notable practice matching this search."

    def author_name(self, obj):
        return "NCPI team, Safeguarding Practice Exchange"

    def items(self, obj):
        return obj.hits

    def item_title(self, hit):
        return hit.title

    def item_description(self, hit):
        return hit.summary

    def item_link(self, hit):
        return public_url(hit.url)

    def item_guid(self, hit):
        key = self.pages.get(hit.page_id, (None, None))[0]
        return f"urn:uuid:{key}" if key else self.item_link(hit)

    def item_guid_is_permalink(self, hit):
        return False

    def item_pubdate(self, hit):
        # The date the practice was published (a date), at 09:00 UK time.
        return timezone.make_aware(dt.datetime.combine(hit.published_date, dt.time(9)))

    def item_updateddate(self, hit):
        published = self.pages.get(hit.page_id, (None, None))[1]
        pubdate = self.item_pubdate(hit)
        return max(published, pubdate) if published else pubdate

    def item_author_name(self, hit):
        return hit.force
