"""What a figure is about, as DailyMetric.dimension strings, and the look-ups that give them.

A dimension is "kind:value" ("force:kent-police", "criterion:initial-contact", "role:custody",
"orgtype:force", "event:12", "page:40", "q:missing from care") or two joined by "|" for the
coverage grid ("force:kent-police|criterion:initial-contact"). "" is the total.
"""

from taxonomy.models import Organisation

TOTAL = ""


def force(slug):
    return f"force:{slug}"


def criterion(slug):
    return f"criterion:{slug}"


def pair(force_slug, criterion_slug):
    return f"{force(force_slug)}|{criterion(criterion_slug)}"


def force_slugs_by_id():
    """{organisation id: slug} for police forces only: partners are never named by force."""
    return dict(
        Organisation.objects.filter(kind=Organisation.Kind.FORCE).values_list("id", "slug")
    )


class ForceByEmail:
    """The force an email address belongs to, from the forces' email_domains (subdomains
    included), or None for anyone else."""

    def __init__(self):
        self.domains = {}
        forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE).exclude(
            email_domains=""
        )
        for slug, domains in forces.values_list("slug", "email_domains"):
            for domain in domains.split(","):
                domain = domain.strip().lower().lstrip("@")
                if domain:
                    self.domains[domain] = slug

    def __call__(self, email):
        domain = (email or "").rpartition("@")[2].lower()
        while domain:
            if domain in self.domains:
                return self.domains[domain]
            domain = domain.partition(".")[2]
        return None
