from portal.forms import ListingFilterForm, SlugMultipleChoiceField
from taxonomy.models import Audience, Criterion, EventFormat, Region, Theme


class EventFilterForm(ListingFilterForm):
    criterion = SlugMultipleChoiceField(Criterion.objects.all(), label="NCPI criterion")
    theme = SlugMultipleChoiceField(Theme.objects.all(), label="Theme")
    audience = SlugMultipleChoiceField(Audience.objects.all(), label="Audience")
    region = SlugMultipleChoiceField(Region.objects.all(), label="Region")
    format = SlugMultipleChoiceField(EventFormat.objects.all(), label="Format")

    lookups = {
        "criterion": "criteria__in",
        "theme": "themes__in",
        "audience": "audiences__in",
        "region": "region__in",
        "format": "format__in",
    }
