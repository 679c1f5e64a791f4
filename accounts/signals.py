"""Memberships follow verified addresses: when one is confirmed by its emailed link, and at
each single sign-on (the force's provider vouching for the person afresh). An ordinary sign-in
with a password proves nothing about the address, so it grants nothing."""

from allauth.account.signals import email_confirmed, user_logged_in
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver

from . import membership, single_sign_on, two_factor


@receiver(email_confirmed)
def address_confirmed(sender, request, email_address, **kwargs):
    membership.grant(email_address.user, email_address.email)


@receiver(user_logged_in)
def signed_in(sender, request, user, sociallogin=None, **kwargs):
    if sociallogin is not None:
        single_sign_on.grant_vouched(user, sociallogin)


@receiver(authenticator_added)
def second_factor_added(sender, request, user, **kwargs):
    two_factor.mark_used(request, user)
