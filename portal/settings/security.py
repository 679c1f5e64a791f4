"""What the portal lets in and sends out: security headers, the sign-in lockout, rate limits
and request sizes. Part of the settings every environment shares (base.py imports it).
"""

import datetime as dt

from csp.constants import NONE, SELF, UNSAFE_INLINE

# Content-Security-Policy: https://django-csp.readthedocs.io/en/latest/configuration.html
# Three policies, chosen by path (portal/middleware/content_security.py). The public site uses
# only its own assets; the one inline script (GOV.UK's js-enabled class, in portal/templates/
# base.html) is allowed by its hash, as GOV.UK Frontend documents, not by a per-request nonce:
# public pages are shared from a cache, where a nonce would be the same for everyone.
GOVUK_JS_ENABLED_SCRIPT_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, GOVUK_JS_ENABLED_SCRIPT_HASH],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# The Wagtail admin: its templates have inline styles and a few inline scripts without a nonce
# (inline panels, date pickers), so those are allowed; it still loads, connects to and frames
# nothing but this site (its previews, in an iframe), and no other site may frame it.
ADMIN_URL_PREFIX = "/admin/"
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "frame-src": [SELF],
    },
}
# Previews: the public page as the public sees it, framed by the admin on this site; newsletter
# emails are styled inline.
PREVIEW_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "style-src": [SELF, UNSAFE_INLINE],
        "frame-ancestors": [SELF],
    },
}
# Wagtail's URL names for the admin views its editor shows in an iframe.
ADMIN_FRAMED_URL_NAMES = {
    "preview_on_add",
    "preview_on_edit",
    "revisions_view",
    "workflow_preview",
    "wagtailadmin_block_preview",
}

# Permissions-Policy: https://github.com/adamchainz/django-permissions-policy
# Nothing on the portal uses a camera, a microphone, location, payments or devices: no page,
# and nothing injected into one, may ask for them. Interest-based advertising is off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Staff sessions end after this many seconds without a request (admin_sessions.py); requests a
# browser makes unprompted, under these paths, do not count.
ADMIN_SESSION_IDLE_TIMEOUT = 30 * 60
ADMIN_BACKGROUND_URL_PREFIXES = ("/admin/editing-sessions/",)

# django-ratelimit counts in its own cache alias (portal/settings/caching.py): the cache's Redis,
# shared by every process, or each process's memory while that Redis is down.
# https://django-ratelimit.readthedocs.io/en/stable/settings.html
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = "portal.views.rate_limited"
RATELIMIT_IP_META_KEY = "portal.client_address.client_ip"
# Retry-After, in seconds, on a 429 whose limit did not say when it resets.
RATELIMIT_DEFAULT_RETRY_AFTER = 60

# Sign-in lockout: https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Every sign-in page (the public one, Wagtail's admin and frontend logins) authenticates through
# AUTHENTICATION_BACKENDS, so all of them share one count. After 10 wrong passwords for one
# account, or from one address, signing in is refused for 15 minutes from the last attempt.
# Attempts are kept in the database, so a cache outage neither lifts nor forgets a lockout.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_ip"
# The account a guess is against: the email address allauth signs in with, or a username.
AXES_USERNAME_CALLABLE = "accounts.axes.username_of"
AXES_LOCKOUT_CALLABLE = "portal.views.locked_out"
# A record of every successful sign-in would be personal data kept for no purpose here.
AXES_DISABLE_ACCESS_LOG = True

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads
# Documents and images are attachments to practice: keep uploads modest.
WAGTAILDOCS_DOCUMENT_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# Wagtail's admin shows no Gravatar (it would send staff email hashes to a third party) and
# does not ask wagtail.io for new releases: the admin's CSP allows only this site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Request bodies (portal/middleware/request_size.py): anything larger is answered 413 before it
# is read. Public forms need a few kilobytes.
REQUEST_BODY_MAX_SIZE = 1024 * 1024
# Larger bodies where people upload files: (path prefix, bytes, who may: "anyone", "signed-in"
# or a permission). Twice the largest upload allowed, so that a file a little too big is
# refused by its form, which says why, and only far larger bodies are cut off unread.
REQUEST_BODY_UPLOAD_LIMITS = [
    (
        "/admin/",
        2 * max(WAGTAILDOCS_DOCUMENT_MAX_UPLOAD_SIZE, WAGTAILIMAGES_MAX_UPLOAD_SIZE),
        "wagtailadmin.access_admin",
    ),
    # practice/forms.py allows attachments of 25 MB in total.
    ("/practice/submit/", 50 * 1024 * 1024, "signed-in"),
    # Email providers post batches of events.
    ("/anymail/", 5 * 1024 * 1024, "anyone"),
]
