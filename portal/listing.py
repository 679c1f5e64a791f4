"""One listing base for the index pages that list their child pages (/practice/, /events/):
the pages the reader may see (portal.visibility), filtered by a ListingFilterForm read from
the query string, arranged by the page, and paged. Their templates extend
portal/listing_page.html.

The steps are the same for every listing; what differs is small and named: which pages
(`listed_model`), which filters (`filter_form_class`), any other choice in the query string
(`listing_options`: practice's sort, events' upcoming or past), how the results are fetched
and ordered (`arrange_listing`) and anything else the page shows (`listing_context`)."""

from django.apps import apps
from django.core.paginator import Paginator
from django.utils.module_loading import import_string

from .visibility import visible_to

LISTED_PER_PAGE = 20


class ListingPageMixin:
    """Mix into a Page before Page. Context: `filter_form` (bound to the query string),
    `page_obj` (a Django Page of the results), plus the page's options and extras.

    Bad input never fails the page: an unknown filter value leaves the form invalid, so
    nothing is filtered and the template's error summary names the value; an option the page
    cannot read is explained by `listing_options` in the same way; a page number that is not
    one, or is past the end, shows the nearest page (Paginator.get_page)."""

    # Named, not imported, as subpage_types are: the listed model is defined after its index,
    # and an app's forms module imports its models.
    listed_model = ""  # "app_label.Model": the pages below this one that are listed
    filter_form_class = ""  # dotted path of its portal.forms.ListingFilterForm
    per_page = LISTED_PER_PAGE

    def listing_options(self, request):
        """Choices in the query string besides the filters, as context names."""
        return {}

    def arrange_listing(self, listed, options):
        """The filtered pages with what each result shows, in the order `options` ask."""
        return listed

    def listing_context(self, request, form, visible, page_obj, options):
        """Anything else the page shows, as context names; `visible` is every page the
        reader may see here, unfiltered (for counts)."""
        return {}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        form = import_string(self.filter_form_class)(request.GET)
        model = apps.get_model(self.listed_model)
        visible = visible_to(model.objects.descendant_of(self), request.user)
        options = self.listing_options(request)
        listed = form.filter(visible) if form.is_valid() else visible
        listed = self.arrange_listing(listed, options)
        page_obj = Paginator(listed, self.per_page).get_page(request.GET.get("page"))
        context.update(options, filter_form=form, page_obj=page_obj)
        context.update(self.listing_context(request, form, visible, page_obj, options))
        return context
