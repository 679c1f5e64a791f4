"""Memberships follow verified addresses: when one is confirmed by its emailed link, and at
each single sign-on (the force's provider vouching for the person afresh). An ordinary sign-in
with a password proves nothing about the address, so it grants nothing."""

from allauth.account.signals import email_confirmed, user_logged_in
from allauth.mfa.signals import authenticator_added
from django.db.models.signals import post_delete
from django.dispatch import receiver

from portal.signals import address_bounced
from portal.visibility import police_group
from taxonomy.models import OrganisationMembership

from . import lapsing, membership, single_sign_on, two_factor


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


@receiver(address_bounced)
def address_hard_bounced(sender, email, **kwargs):
    lapsing.lapse_address(email)


@receiver(post_delete, sender=OrganisationMembership)
def membership_revoked(sender, instance, **kwargs):
    """The NCPI team revoking a force membership, or one of police whose force is not
    identified, in the admin takes police access with it."""
    if instance.gives_police_access:
        # Through the link table: when the user itself is being deleted, it may be gone.
        User = OrganisationMembership._meta.get_field("user").related_model
        User.groups.through.objects.filter(user_id=instance.user_id, group=police_group()).delete()
