"""Accounts (accounts/): who a person is and what they belong to, through django-allauth.
Part of the settings every environment shares (base.py imports it).

https://docs.allauth.org/en/latest/account/configuration.html
"""

import environ

env = environ.Env()

# People sign in with their work email address, which must be verified by an emailed link
# before the account can do anything: the address is what vouches for them (accounts.membership).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Confirming is a button on the page the link opens, never the GET itself: mail scanners that
# open links must not confirm an address for someone.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
# Sign-up, sign-in and password reset say the same whether an address has an account or not.
ACCOUNT_PREVENT_ENUMERATION = True
# Sessions end when the browser closes (no "remember me" box on a shared police terminal).
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Safeguarding Practice Exchange: "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
# allauth's own limits, counted in the cache per visitor address (the adapter asks
# portal.client_address) and per account, beside django-axes' lockout in the database
# (security.py): five wrong passwords for one account in five minutes stop further tries.
# Wrong two-factor codes count as failed sign-ins too, per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/300s/key",
    "reset_password": "20/m/ip,3/15m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/180s/key",
}

# Two-factor: TOTP apps with recovery codes, and security keys (WebAuthn). Required for
# everyone who can reach the Wagtail admin (accounts.middleware); anyone else may opt in.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Safeguarding Practice Exchange"
MFA_RECOVERY_CODE_COUNT = 10

# Single sign-on: forces that run an OpenID Connect provider (Microsoft Entra ID, Okta, ...).
# ACCOUNTS_SSO_PROVIDERS names them, comma-separated (e.g. "kent,essex"); each NAME then needs
# ACCOUNTS_SSO_<NAME>_ISSUER, _CLIENT_ID, _SECRET and _ORGANISATION (the slug of the force it
# vouches for), and may have _LABEL (the button's words). README: "A force's single sign-on".
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_STORE_TOKENS = False
# Starting a sign-in with a provider is a POST (a button), never a link a page could embed.
SOCIALACCOUNT_LOGIN_ON_GET = False


def sso_apps(source=env):
    apps = []
    for name in [n.strip() for n in source.list("ACCOUNTS_SSO_PROVIDERS", default=[]) if n]:
        key = f"ACCOUNTS_SSO_{name.upper()}"
        apps.append(
            {
                "provider_id": name.lower(),
                "name": source.str(f"{key}_LABEL", default=f"{name.title()} single sign-on"),
                "client_id": source.str(f"{key}_CLIENT_ID"),
                "secret": source.str(f"{key}_SECRET"),
                "settings": {
                    "server_url": source.str(f"{key}_ISSUER"),
                    "organisation": source.str(f"{key}_ORGANISATION"),
                    "oauth_pkce_enabled": True,
                },
            }
        )
    return apps


SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": sso_apps(), "OAUTH_PKCE_ENABLED": True}}

# Everyone who can reach the Wagtail admin must use a second factor there. Only the test
# settings turn this off, for the tests of the admin's own behaviour; tests/accounts turns it on.
ACCOUNTS_ADMIN_REQUIRES_SECOND_FACTOR = True
# A code from the step before or after the server's clock is accepted (phones' clocks drift);
# a code is never accepted twice.
MFA_TOTP_TOLERANCE = 1


def sso_origins(providers):
    """The configured providers' origins: the sign-in button's form is answered with a redirect
    to one, which the Content-Security-Policy's form-action must allow."""
    from urllib.parse import urlsplit

    origins = []
    for app in providers.get("openid_connect", {}).get("APPS", []):
        parts = urlsplit(app["settings"]["server_url"])
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


# Memberships vouched for by an address are re-confirmed by an emailed link this many days after
# the last confirmation (accounts.lapsing, daily), and lapse this many days after the email if
# the link is not followed.
ACCOUNTS_RECONFIRM_AFTER_DAYS = 365
ACCOUNTS_RECONFIRM_GRACE_DAYS = 28
# An account whose address is never confirmed is deleted this many days after sign-up.
ACCOUNTS_UNCONFIRMED_DAYS = 30
CELERY_BEAT_SCHEDULE = {
    "accounts-reconfirm-memberships": {
        "task": "accounts.tasks.reconfirm_memberships",
        "schedule": 24 * 60 * 60,
    },
    # allauth's emails wait in the database until sent (accounts.emails); those never sent
    # are deleted once their links have expired.
    "accounts-forget-unsent-emails": {
        "task": "accounts.tasks.forget_unsent_emails",
        "schedule": 24 * 60 * 60,
    },
    "accounts-forget-unconfirmed-accounts": {
        "task": "accounts.tasks.forget_unconfirmed_accounts",
        "schedule": 24 * 60 * 60,
    },
    # django-axes' records of wrong passwords, once the lockout is over (accounts.retention).
    "accounts-forget-expired-lockouts": {
        "task": "accounts.tasks.forget_expired_lockouts",
        "schedule": 60 * 60,
    },
}
