"""django-axes counts wrong passwords per account: allauth signs in with an email address
(credentials["email"]), Django's own forms with a username."""


def username_of(request, credentials):
    credentials = credentials or {}
    for key in ("email", "username"):
        if credentials.get(key):
            return str(credentials[key]).strip().lower()
    data = getattr(request, "POST", {}) or {}
    return str(data.get("login") or data.get("username") or "").strip().lower() or None
