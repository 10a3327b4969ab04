"""Security headers on every response, set in a before-send hook so error responses get them too."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)
# The API docs page (/schema) runs Redoc from static/ (web/api_docs.py): no inline script, no CDN, no
# 'unsafe-inline'. Redoc injects two kinds of <style> element, each allowed by the hash of its text:
# perfect-scrollbar's fixed stylesheet, and the empty elements styled-components then fills through the
# CSSOM (which CSP does not govern). A new bundle version may change the first hash: the browser test
# tests/browser/test_api_docs_browser.py then fails on the console error. Search runs in a blob: worker.
REDOC_SCROLLBAR_STYLE_HASH = "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
SCHEMA_POLICY = (
    PAGE_POLICY.replace("style-src 'self'", f"style-src 'self' {REDOC_SCROLLBAR_STYLE_HASH} {EMPTY_STYLE_HASH}")
    + "; worker-src 'self' blob:"
)


def security_headers(debug: bool):
    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path = scope.get("path", "")
        is_schema_page = path.startswith("/schema") and not path.endswith((".json", ".yaml"))
        if "content-security-policy" not in headers:  # a route may set a stricter one (photos do)
            headers["Content-Security-Policy"] = SCHEMA_POLICY if is_schema_page else PAGE_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not debug:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if "cache-control" not in headers and not path.startswith("/static/"):
            # Pages carry personal navigation and CSRF tokens: never store them in shared caches.
            headers["Cache-Control"] = "no-store"

    return add_security_headers


def _in_networks(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


@lru_cache(maxsize=8)
def _networks(trusted_proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted_proxies)


def client_address(scope: Scope, trusted_proxies: tuple[str, ...]) -> str:
    """The address of whoever sent the request, as far as it can be known.

    X-Forwarded-For is read only when the direct peer is one of BLOCK_TRUSTED_PROXIES: then the nearest
    address in it that is not itself a trusted proxy (anything further left is what the client claimed).
    From anybody else the header is ignored, so a client cannot choose its own rate-limit key."""
    client = scope.get("client")
    peer = client[0] if client else "127.0.0.1"
    networks = _networks(trusted_proxies)
    if not networks or not _in_networks(peer, networks):
        return peer
    forwarded = [value.decode("latin-1") for key, value in scope.get("headers", []) if key == b"x-forwarded-for"]
    hops = [hop.strip() for hop in ",".join(forwarded).split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _in_networks(hop, networks):
            return hop if _is_address(hop) else peer
    return peer


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
