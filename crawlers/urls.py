"""Canonical URLs: one address per page, whatever tracking parameters a link carried."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "spm", "from", "share", "fbclid", "gclid", "mc_", "ref", "scene",
                     "isappinstalled", "wfr", "timestamp", "chksm")


def canonicalize_url(url: str) -> str:
    """Lower-case scheme and host, drop fragments, default ports and tracking parameters,
    sort the remaining query parameters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    if port and port != default:
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PREFIXES)
    )
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))
