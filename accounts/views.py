"""A person's own account page, and the sign-in pages that now lead to the one sign-in page."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from portal.decorators import signed_link
from portal.visibility import POLICE_GROUP
from taxonomy.models import OrganisationMembership

from . import mine, two_factor


def to_sign_in_page(request):
    """Wagtail's admin and private-page sign-in forms: everyone signs in on the portal's own
    page, which asks for a second factor where one is set up, so a password alone never
    signs anyone in to the admin."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    query = f"?{urlencode({'next': target})}" if target else ""
    return redirect(f"{reverse('account_login')}{query}")


@login_required
def home(request):
    user = request.user
    membership = (
        OrganisationMembership.objects.select_related("organisation").filter(user=user).first()
    )
    context = {
        "membership": membership,
        "police": user.groups.filter(name=POLICE_GROUP).exists(),
        "may_use_admin": two_factor.may_use_admin(user),
        "has_second_factor": two_factor.has_second_factor(user),
        "ncpi_email": settings.NCPI_TEAM_EMAIL,
        "access_requests": user.access_requests.all()[:5],
        "submissions": mine.submissions(user),
        "registrations": mine.registrations(user),
        "subscriptions": mine.subscriptions(user),
    }
    return TemplateResponse(request, "accounts/home.html", context)


@login_required
def request_access(request):
    """A plain account asks the NCPI team for police or partner access."""
    from .access import ask
    from .forms import AccessRequestForm
    from .models import AccessRequest

    pending = AccessRequest.objects.filter(
        user=request.user, status=AccessRequest.Status.PENDING
    ).first()
    if request.method == "POST" and pending is None:
        form = AccessRequestForm(request.POST)
        if form.is_valid():
            ask(request.user, form.cleaned_data["organisation"], form.cleaned_data["reason"])
            messages.success(
                request, "Your request has been sent. The NCPI team will email you their decision."
            )
            return redirect("accounts:home")
        status = 400
    else:
        form = AccessRequestForm()
        status = 200
    context = {"form": form, "pending": pending}
    return TemplateResponse(request, "accounts/request_access.html", context, status=status)


@signed_link
def reconfirm(request, token):
    """The yearly re-confirmation link: a page with a button (mail scanners open links)."""
    from . import lapsing

    found = lapsing.membership_from_token(token)
    if found is None:
        context = {"ncpi_email": settings.NCPI_TEAM_EMAIL}
        return TemplateResponse(request, "accounts/reconfirm_invalid.html", context, status=404)
    if request.method == "POST":
        lapsing.reconfirm(found)
        messages.success(request, f"Thank you: you are confirmed as {found.organisation_name}.")
        return redirect("/")
    return TemplateResponse(request, "accounts/reconfirm.html", {"membership": found})


@login_required
def delete_account(request):
    """Deleting an account deletes its addresses, memberships, requests, authenticators and
    single sign-on links with it (foreign keys cascade); practice it submitted stays, without
    its owner."""
    from .forms import DeleteAccountForm

    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user.delete()
        messages.success(request, "Your account has been deleted.")
        return redirect("/")
    status = 400 if form.errors else 200
    return TemplateResponse(request, "accounts/delete.html", {"form": form}, status=status)


@login_required
def export_data(request):
    response = JsonResponse(mine.export(request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-account.json"'
    response["Cache-Control"] = "no-store"
    return response
