from django.template.response import TemplateResponse


def rate_limited(request, exception):
    """Shown when someone sends a public form too often (django-ratelimit's RATELIMIT_VIEW)."""
    return TemplateResponse(request, "429.html", status=429)
