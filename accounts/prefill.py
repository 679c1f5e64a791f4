"""What a signed-in person need not type again on the portal's forms: name, email address and
organisation, from their account."""


def initial_for(user, organisation_as="instance"):
    """Initial values for a form's name, email and organisation fields; {} when signed out.
    `organisation_as` is "instance" (a choice field's pk) or "name" (a text field)."""
    if user is None or not user.is_authenticated:
        return {}
    from taxonomy.models import OrganisationMembership

    initial = {"email": user.email}
    name = user.get_full_name().strip()
    if name:
        initial["name"] = name
    membership = (
        OrganisationMembership.objects.select_related("organisation").filter(user=user).first()
    )
    if membership is not None and membership.organisation is not None:
        organisation = membership.organisation
        initial["organisation"] = (
            organisation.name if organisation_as == "name" else organisation.pk
        )
    return initial
