from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import views
from .api import api

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # An index of sections at PUBLIC_BASE_URL (portal/sitemap.py), and robots.txt naming it.
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemaps/<slug:section>/<int:part>.xml", views.sitemap_part, name="sitemap_part"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("api/v1/", api.urls),
    # Learning events: calendar feeds and registrants' signed-link pages.
    path("", include("events.urls")),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="portal/accessibility.html"),
        name="accessibility",
    ),
    path("privacy/", TemplateView.as_view(template_name="portal/privacy.html"), name="privacy"),
    # Practice: submission by force staff (/practice/submit/) and their sign-in page.
    path("", include("practice.urls")),
    # Newsletters: subscribe, manage by signed link, the archive; email providers' webhooks.
    path("newsletters/", include("newsletters.urls")),
    path("anymail/", include("anymail.urls")),
    # Inspections: the public recommendations register and the force pages.
    path("", include("inspections.urls")),
    # Search: the search page, its Atom feed, suggestions and the glossary.
    path("", include("search.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving catches everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
