"""The one check that every `next=` redirect goes through."""

from urllib.parse import unquote, urlsplit


def safe_next_url(target: str | None) -> str | None:
    """Return `target` when it is a path on this site, else None.

    Rejects anything with a scheme, a host, a backslash or a control character, since
    browsers read `\\host` and `/\\host` as another site.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    # A proxy or framework that decodes the path once would read `/%2F/host` as `//host`.
    decoded = unquote(target)
    if decoded.startswith("//") or "\\" in decoded:
        return None
    return target
