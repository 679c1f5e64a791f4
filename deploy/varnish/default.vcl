vcl 4.1;

# Varnish in front of the portal's gunicorn (docker-compose.yml's varnish service; the tests
# start it with another backend: tests/caching/test_varnish.py).
#
# Only answers the portal marks "Cache-Control: public" are kept (caching/policy.py decides:
# anonymous visitors, public pages, no cookies set); everything else passes through uncached.
# A request with a session or messages cookie, or credentials, is someone's own and is never
# answered from the cache. Other cookies (the CSRF cookie) do not change a public page and are
# dropped, so that every anonymous visitor shares one copy.
#
# The portal purges with HTTP PURGE <path> (Wagtail's HTTPBackend, VARNISH_PURGE_URL), from
# the addresses in the purgers ACL; every cached answer in the path's purge group (all its
# query strings, or everything under a prefix like /sitemaps/: the X-Cache-Group header) goes.

import std;

backend default {
    .host = "web";
    .port = "8000";
}

acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # The purge group of a path: the path, or the prefix it falls under (caching/store.py).
        set req.http.X-Purge-Group = regsub(req.url, "\?.*$", "");
        if (req.http.X-Purge-Group ~ "^/(sitemaps|recommendations)/") {
            set req.http.X-Purge-Group = regsub(req.http.X-Purge-Group, "^(/[^/]+/).*$", "\1");
        } elsif (req.http.X-Purge-Group ~ "^/events/(feed|calendar)/") {
            set req.http.X-Purge-Group = regsub(req.http.X-Purge-Group, "^(/events/[^/]+/).*$", "\1");
        }
        ban("obj.http.X-Cache-Group == " + req.http.X-Purge-Group);
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Kept only when the portal says anyone may have it, and never with a cookie.
    if (beresp.http.Cache-Control !~ "public" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    set beresp.grace = 10s;
    return (deliver);
}

sub vcl_deliver {
    # Whether this answer came from the cache, for people and tests; the purge group is ours.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    unset resp.http.X-Cache-Group;
}
