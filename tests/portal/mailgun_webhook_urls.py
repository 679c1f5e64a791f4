"""A URLconf with only Mailgun's tracking webhook: tests of a provider that signs its posts."""

from django.urls import include, path

from portal.webhooks import tracking_webhook_urlpatterns

urlpatterns = [path("anymail/", include((tracking_webhook_urlpatterns("mailgun"), "anymail")))]
