"""Test-only transport for osmem-server, the in-memory OpenSearch-compatible test server.

The official 8.x client sends "application/vnd.elasticsearch+json; compatible-with=8", which
osmem refuses; this node rewrites exactly those media types to their plain equivalents and
changes nothing else. Production uses the client's own node class.
"""

import re

from elastic_transport import Urllib3HttpNode

COMPAT = re.compile(r"application/vnd\.elasticsearch\+(json|x-ndjson);\s*compatible-with=\d+")


class CompatNode(Urllib3HttpNode):
    def perform_request(self, method, target, body=None, headers=None, **kw):
        if headers:
            headers = headers.copy()
            for key in ("accept", "content-type"):
                if key in headers:
                    headers[key] = COMPAT.sub(r"application/\1", headers[key])
        return super().perform_request(method, target, body=body, headers=headers, **kw)
