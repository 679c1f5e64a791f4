"""An event page's own URL, and registering for it: the form posts to the event's registration
address (events.views.register, which skips Wagtail's page routing) and a post to the page
itself is answered the same way. A RoutablePageMixin route that calls into the app's services
(events.booking), so the model imports no view."""

from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from wagtail.contrib.routable_page.models import RoutablePageMixin, path

from portal.ratelimits import is_ratelimited


class RegistrationRoutesMixin(RoutablePageMixin):
    """Mixed into EventPage, which provides get_context(registration_form=...)."""

    @path("")
    def event(self, request):
        """The event; a registration posted here is taken as at its registration address."""
        if request.method == "POST":
            return self.register(request)
        return self.render(request)

    def register(self, request):
        """Register, or tell the address's owner that someone tried to register it again: the
        answer is the same page either way, so nobody learns who is registered for what."""
        from accounts.membership import verified_addresses

        from .. import booking, receipts
        from ..forms import RegistrationForm

        form = RegistrationForm(self, request.POST)
        if not form.is_valid():
            context = self.get_context(request, registration_form=form)
            return TemplateResponse(request, self.get_template(request), context, status=400)
        # Generous: a training coordinator may book a team from one office's address.
        rate = getattr(settings, "EVENTS_REGISTRATION_RATE", "30/h")
        if is_ratelimited(
            request, group="events-register", key="ip", rate=rate, method="POST", increment=True
        ):
            return TemplateResponse(request, "429.html", status=429)
        # A signed-in person whose account has this address verified has proven it already.
        email = form.cleaned_data["email"].lower()
        email_verified = request.user.is_authenticated and email in {
            address.lower() for address in verified_addresses(request.user)
        }
        try:
            booking.register(self, email_verified=email_verified, **form.registration_fields())
        except booking.AlreadyRegistered:
            booking.tell_already_registered(self, form.cleaned_data["email"])
        return redirect(receipts.received_path(self))
