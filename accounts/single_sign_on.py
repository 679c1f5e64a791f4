"""A force's OpenID Connect provider vouches for its own staff, and for no one else.

Each configured provider names the force it vouches for (settings/accounts.py). An address the
provider claims is verified counts as verified here only when its domain belongs to that force,
or is a national police domain that names no force (then the provider's force is theirs).
Anything else is treated as unverified, and allauth emails a link to it as for any sign-up.
"""

from taxonomy.models import Organisation, OrganisationMembership

from . import membership


def vouched_organisation(sociallogin):
    slug = sociallogin.account.get_provider().app.settings.get("organisation", "")
    return Organisation.objects.filter(slug=slug, kind=Organisation.Kind.FORCE).first()


def standing_vouched(email, force):
    """What the provider of `force` may vouch for about `email`, or None."""
    if force is None:
        return None
    standing = membership.standing_of(email)
    if standing.organisation is not None and standing.organisation.pk == force.pk:
        return standing
    if standing.police and standing.organisation is None:
        return membership.Standing(organisation=force, police=True)
    return None


def distrust_foreign_addresses(sociallogin):
    """Before sign-in: un-verify addresses the provider may not vouch for."""
    force = vouched_organisation(sociallogin)
    for address in sociallogin.email_addresses:
        if address.verified and standing_vouched(address.email, force) is None:
            address.verified = False


def grant_vouched(user, sociallogin):
    force = vouched_organisation(sociallogin)
    for address in sociallogin.email_addresses:
        standing = standing_vouched(address.email, force)
        if address.verified and standing is not None:
            membership.grant(
                user,
                address.email,
                basis=OrganisationMembership.Basis.SINGLE_SIGN_ON,
                standing=standing,
            )
            return
