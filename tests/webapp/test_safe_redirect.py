"""No `next=` value leads the browser off the site."""

from urllib.parse import unquote

import pytest

from webapp.safe_redirect import safe_next_url

HOSTILE = [
    "//evil.example",
    "//evil.example/",
    "///evil.example",
    "////evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "https://evil.example",
    "http://evil.example",
    "HTTP://evil.example",
    "ftp://evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "evil.example",
    "evil.example/path",
    "@evil.example",
    "/@evil.example",
    "//@evil.example",
    "//user@evil.example",
    "/%2F/evil.example",
    "/\tevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "\x00//evil.example",
    "/\x00/evil.example",
    "//evil.example%2F..",
    "//evil%E3%80%82example",
    "//evil。example",
    "\u3002//evil.example",
    "/\u2044evil.example",
    "//evil.example:443",
    "//127.0.0.1",
    "//[::1]",
    "https://127.0.0.1",
    "/\\\\evil.example",
    "%2F%2Fevil.example",
    "%5C%5Cevil.example",
    "/%5Cevil.example",
    "//evil.example/%2e%2e",
    "/.//evil.example",
    "https:\\\\evil.example",
    "\\\\\\evil.example",
    "//evil.example#/",
    "//evil.example?/",
    "",
    "#",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_rejected_or_local(target: str) -> None:
    result = safe_next_url(target)

    if result is not None:
        # Anything accepted must be a plain path: one leading slash, no scheme or host,
        # and still a path once a browser decodes it.
        assert result.startswith("/")
        assert not result.startswith("//")
        assert "\\" not in result
        assert not unquote(result).startswith("//")


@pytest.mark.parametrize(
    "target", ["/", "/ciblage/", "/planification/sessions?page=2", "/mon-espace#top"]
)
def test_local_paths_kept(target: str) -> None:
    assert safe_next_url(target) == target


def test_at_least_fifty_payloads() -> None:
    assert len(HOSTILE) >= 50
