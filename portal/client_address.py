"""The visitor's address, as every rate limit and the sign-in lockout see it.

Behind TRUSTED_PROXY_COUNT reverse proxies (a TLS terminator, a load balancer, a CDN) every
request arrives from the nearest proxy, so REMOTE_ADDR is the same for everyone. Each proxy
appends the address it was connected from to X-Forwarded-For, so the entry TRUSTED_PROXY_COUNT
places from the right was written by the outermost trusted proxy and is the visitor. Anything
further left came from the visitor and is never believed: a spoofed entry cannot move them into
someone else's allowance.

django-ratelimit (RATELIMIT_IP_META_KEY) and django-axes (AXES_CLIENT_IP_CALLABLE) both call
client_ip, so a rate limit and a lockout always count the same visitor.
"""

from django.conf import settings
from python_ipware import IpWare


def client_ip(request):
    """The visitor's IP address, taken from X-Forwarded-For only as far as proxies are trusted."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if not trusted:
        return remote_addr
    # python-ipware counts the proxies listed in the header after the client; the nearest
    # proxy's own address is REMOTE_ADDR, not in the header, so that count is one less.
    resolver = IpWare(precedence=("HTTP_X_FORWARDED_FOR",), leftmost=True, proxy_count=trusted - 1)
    address, _ = resolver.get_client_ip(request.META, strict=False)
    if address is None:
        # A header shorter than the proxy chain means the request skipped a trusted proxy: its
        # entries cannot be placed, so count the request against the connection's own address.
        return remote_addr
    # An IPv6 zone ("fe80::1%eth0") names an interface of the sender's machine, meaningless
    # here, and the database's address columns refuse it.
    return str(address).split("%", 1)[0]
