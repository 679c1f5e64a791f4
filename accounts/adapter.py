"""The portal's ways with django-allauth: the visitor's address behind trusted proxies for
rate limits, and which single sign-on claims to trust."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from portal.client_address import client_ip

from . import single_sign_on


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        return client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        single_sign_on.distrust_foreign_addresses(sociallogin)
        super().pre_social_login(request, sociallogin)
