"""Access requests: asking, and carrying out the NCPI team's decision."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal.links import public_url
from taxonomy.models import Organisation, OrganisationMembership

from . import emails, membership
from .models import AccessRequest


def ask(user, organisation, reason):
    with transaction.atomic():
        request = AccessRequest.objects.create(user=user, organisation=organisation, reason=reason)
        context = {"access_request": request, "admin_url": public_url("/admin/snippets/")}
        emails.send_after_commit(
            EmailMessage(
                "Safeguarding Practice Exchange: a request for access",
                render_to_string("accounts/email/access_requested.txt", context),
                to=[settings.NCPI_TEAM_EMAIL],
            )
        )
    return request


def carry_out(access_request):
    """After the team saves a decision: grant what was approved and tell the person, once per
    decision."""
    status = access_request.status
    if status == AccessRequest.Status.PENDING or access_request.notified_status == status:
        return
    user = access_request.user
    organisation = access_request.organisation
    with transaction.atomic():
        if status == AccessRequest.Status.APPROVED and organisation is not None:
            standing = membership.Standing(
                organisation=organisation, police=organisation.kind == Organisation.Kind.FORCE
            )
            membership.grant(
                user,
                user.email,
                basis=OrganisationMembership.Basis.ACCESS_REQUEST,
                standing=standing,
            )
        access_request.decided_at = timezone.now()
        access_request.notified_status = status
        access_request.save(update_fields=["decided_at", "notified_status"])
        context = {"access_request": access_request, "account_url": public_url("/account/")}
        emails.send_after_commit(
            EmailMessage(
                "Safeguarding Practice Exchange: your request for access",
                render_to_string("accounts/email/access_decided.txt", context),
                to=[user.email],
            )
        )
