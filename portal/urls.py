from django.conf import settings
from django.urls import include, path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views

from . import throttled, views
from .api import api
from .webhooks import tracking_webhook_urlpatterns

urlpatterns = [
    # Wagtail's password reset and shared-password forms, rate-limited (portal/throttled.py):
    # these come before Wagtail's own URLs, which have the same paths.
    path("admin/password_reset/", throttled.admin_password_reset),
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        throttled.page_password,
        # Wagtail's own name, so that its privacy pages post here.
        name="wagtailcore_authenticate_with_password",
    ),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        throttled.document_password,
        name="wagtaildocs_authenticate_with_password",
    ),
    # One sign-in page for everyone (accounts/): the admin's and Wagtail's private-page forms
    # send people to it.
    path("admin/login/", account_views.to_sign_in_page),
    path("_util/login/", account_views.to_sign_in_page),
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
    path("privacy/", views.privacy_notice, name="privacy"),
    # Accounts: sign-in, sign-up, email verification, two-factor and single sign-on
    # (django-allauth), and the person's own pages.
    path("account/", include("accounts.urls")),
    path("account/", include("allauth.urls")),
    # Practice: submission by force staff (/practice/submit/).
    path("", include("practice.urls")),
    # Newsletters: subscribe, manage by signed link, the archive.
    path("newsletters/", include("newsletters.urls")),
    # The email provider's tracking webhook, authenticated (portal/webhooks.py).
    path("anymail/", include((tracking_webhook_urlpatterns(), "anymail"))),
    # Inspections: the public recommendations register and the force pages.
    path("", include("inspections.urls")),
    # Search: the search page, its Atom feed, suggestions and the glossary.
    path("", include("search.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Images only: documents are served through /documents/, which checks who may see them.
    for folder in ("images", "original_images"):
        urlpatterns += static(
            f"{settings.MEDIA_URL}{folder}/", document_root=f"{settings.MEDIA_ROOT}/{folder}"
        )

# Wagtail's page serving catches everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
