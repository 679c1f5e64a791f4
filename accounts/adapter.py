"""The portal's ways with django-allauth: the visitor's address behind trusted proxies for
rate limits, its emails through the outbox, and which single sign-on claims to trust."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.sites.shortcuts import get_current_site

from portal.client_address import client_ip

from . import emails, single_sign_on


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        return client_ip(request)

    def send_mail(self, template_prefix, email, context):
        """Rendered here, in the request (its links are built from it), and sent after the
        commit through the outbox (accounts.emails), not by SMTP in the middle of the
        request. The context is allauth's own (DefaultAccountAdapter.send_mail)."""
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        emails.send_after_commit(self.render_mail(template_prefix, email, full_context))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        single_sign_on.distrust_foreign_addresses(sociallogin)
        super().pre_social_login(request, sociallogin)
