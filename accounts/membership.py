"""What a verified address makes a person: a member of a police force (and of the police group
that police-only content is restricted to), a member of a partner organisation, or neither.

The domain decides, a subdomain counting as its parent: `police.uk` and `pnn.police.uk` (the
EVENTS_POLICE_EMAIL_DOMAINS setting) are police, and each organisation's `email_domains` name
its own staff. The most specific domain wins, so `kent.police.uk` recorded on Kent Police makes
a Kent member, while an unrecorded `*.police.uk` address is police with no force (a
membership without an organisation, re-confirmed like any other).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.visibility import police_group
from taxonomy.models import Organisation, OrganisationMembership

Basis = OrganisationMembership.Basis


@dataclass(frozen=True)
class Standing:
    """What one address vouches for."""

    organisation: Organisation | None
    police: bool

    @property
    def partner(self):
        return self.organisation is not None and self.organisation.kind == "partner"


PLAIN = Standing(organisation=None, police=False)


def domain_of(email):
    return email.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def _covers(domain, parent):
    return domain == parent or domain.endswith("." + parent)


def _split(value):
    return [d.strip().lower().lstrip("@") for d in value.split(",") if d.strip()]


def standing_of(email):
    """The organisation and police standing an address at this domain vouches for."""
    domain = domain_of(email)
    best, best_length = None, -1
    for organisation in Organisation.objects.exclude(email_domains=""):
        for parent in _split(organisation.email_domains):
            if _covers(domain, parent) and len(parent) > best_length:
                best, best_length = organisation, len(parent)
    national = any(_covers(domain, d.lower()) for d in settings.EVENTS_POLICE_EMAIL_DOMAINS)
    if best is not None and best.kind == Organisation.Kind.PARTNER:
        # A partner's own domain says more than a national police suffix it may sit under.
        return Standing(organisation=best, police=False)
    return Standing(organisation=best, police=national or best is not None)


def verified_addresses(user):
    from allauth.account.models import EmailAddress

    return list(
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
    )


@transaction.atomic
def grant(user, email, basis=Basis.EMAIL_DOMAIN, standing=None):
    """Make the user what `email` (just verified) vouches for; a plain address changes
    nothing, so memberships set by hand or by an approved request stay.

    Police access always comes with a membership, so that it is re-confirmed and lapses: an
    address at a national police domain that names no force makes one without an
    organisation, which a membership naming an organisation is never replaced by."""
    standing = standing or standing_of(email)
    if standing.police:
        user.groups.add(police_group())
    if standing == PLAIN:
        return standing
    organisation_id = standing.organisation.pk if standing.organisation else None
    existing = OrganisationMembership.objects.filter(user=user).first()
    if existing and existing.organisation_id != organisation_id:
        if existing.basis in (Basis.BY_HAND, Basis.ACCESS_REQUEST):
            return standing
        if organisation_id is None:
            return standing
    OrganisationMembership.objects.update_or_create(
        user=user,
        defaults={
            "organisation": standing.organisation,
            "basis": existing.basis if existing and existing.basis != basis else basis,
            "email": email,
            "verified_at": timezone.now(),
        },
    )
    return standing


@transaction.atomic
def revoke_police_access(user):
    """Take away police access and the membership that came from an address: what someone
    subscribed to or registered for stays."""
    user.groups.remove(police_group())
    OrganisationMembership.objects.filter(user=user).delete()
