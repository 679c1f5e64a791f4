"""The shared vocabulary every piece of content is tagged with.

The facts (eight NCPI criteria, themes, audiences, job roles, evidence levels, event formats,
the 43 forces and their regions) ship in taxonomy/data/taxonomy.json and are loaded by a data
migration; the NCPI team edits them as snippets afterwards.
"""

from django.conf import settings
from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class TaxonomyTerm(index.Indexed, models.Model):
    """A named term with a stable slug used in URLs and imports."""

    name = models.CharField(max_length=255, unique=True)
    slug = models.SlugField(
        max_length=255, unique=True, help_text="Used in web addresses and imports."
    )
    sort_order = models.PositiveIntegerField(default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:255]
        super().save(*args, **kwargs)


class Criterion(TaxonomyTerm):
    """One of the eight NCPI assessment criteria."""

    description = models.TextField(blank=True)

    panels = TaxonomyTerm.panels + [FieldPanel("description")]

    class Meta(TaxonomyTerm.Meta):
        verbose_name = "NCPI criterion"
        verbose_name_plural = "NCPI criteria"


class Theme(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "theme"


class Audience(TaxonomyTerm):
    """A role that practice or an event is for (custody, control room, senior leaders...)."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = "audience"


class JobRole(TaxonomyTerm):
    """What someone does at work (response officer, call handler, social worker...): asked of
    people registering for an event, where an audience (who content is for) would not fit."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = "job role"


class EvidenceLevel(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "evidence level"


class EventFormat(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "event format"


class Region(TaxonomyTerm):
    """A police region of England and Wales, or "National" for events open to every region."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = "region"


class Organisation(index.Indexed, models.Model):
    """A police force or a partner organisation (children's services, health, education...)."""

    class Kind(models.TextChoices):
        FORCE = "force", "Police force"
        PARTNER = "partner", "Partner organisation"

    name = models.CharField(max_length=255, unique=True)
    slug = models.SlugField(max_length=255, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FORCE, db_index=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations"
    )
    territorial = models.BooleanField(
        default=False,
        help_text="One of the 43 territorial police forces of England and Wales.",
    )
    email_domains = models.CharField(
        max_length=500,
        blank=True,
        help_text="Comma-separated email domains of this organisation's staff.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("region"),
        FieldPanel("territorial"),
        FieldPanel("email_domains"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unused_slug()
        super().save(*args, **kwargs)

    def unused_slug(self):
        """A slug from the name that no other organisation has: names that differ only in
        punctuation ("Children's Services", "Childrens Services") slugify alike, and a name
        in another script may slugify to nothing."""
        base = slugify(self.name)[:240] or "organisation"
        taken = set(
            Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True)
        )
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        return slug


class OrganisationMembership(models.Model):
    """Links a person's account to the organisation they work for.

    The NCPI team creates these by hand after checking who someone is: a member of a police
    force may submit practice on the force's behalf, so membership is what vouches for a
    submission. One organisation per account keeps "on whose behalf" unambiguous.

    A membership without an organisation is police whose force is not identified: an address
    at a national police domain that no force's `email_domains` names. It gives police access
    and is re-confirmed and lapses like any other, but vouches for no force's submissions.
    """

    FORCE_NOT_IDENTIFIED = "Police, force not identified"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_membership"
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text="Leave blank for police whose force is not identified.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Basis(models.TextChoices):
        BY_HAND = "by-hand", "Set by the NCPI team"
        EMAIL_DOMAIN = "email-domain", "Verified work email address"
        SINGLE_SIGN_ON = "single-sign-on", "Force single sign-on"
        ACCESS_REQUEST = "access-request", "Access request approved"

    basis = models.CharField(
        max_length=20, choices=Basis.choices, default=Basis.BY_HAND, db_index=True
    )
    # The address that vouched for this membership and when it was last shown to be the
    # person's: memberships from an email domain lapse a year later unless re-confirmed
    # (accounts.tasks).
    email = models.EmailField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reconfirm_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [FieldPanel("user"), FieldPanel("organisation"), FieldPanel("basis")]

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = "organisation membership"

    def __str__(self):
        return f"{self.user} ({self.organisation_name})"

    @property
    def organisation_name(self):
        """What the person belongs to, as the admin and their account page say it."""
        return self.organisation.name if self.organisation else self.FORCE_NOT_IDENTIFIED

    @property
    def works_for(self):
        """Whom the person works for, as a question to them says it ("Do you still work for
        ...?")."""
        return self.organisation.name if self.organisation else "the police"

    @property
    def gives_police_access(self):
        return self.organisation is None or self.organisation.kind == Organisation.Kind.FORCE

    @property
    def may_submit_practice(self):
        return self.organisation is not None and self.organisation.kind == Organisation.Kind.FORCE
