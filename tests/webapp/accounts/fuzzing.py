"""Hostile and odd form values for property tests of the accounts forms."""

from typing import Any

from hypothesis import strategies as st
from werkzeug.test import TestResponse

# Any value holding this tag must come back escaped, whatever the field.
MARKER = "<x-fuzz data-x='1'>"
HTML_PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><b>gras</b>",
    "<a href=javascript:alert(1)>lien</a>",
    "{{ 7 * 7 }}{% if 1 %}x{% endif %}",
)
SQL_PAYLOADS = (
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "camille@example.org' --",
    "%' AND 1=1 AND '%'='",
)
LOOKALIKES = (
    "саmille@example.org",  # Cyrillic а
    "camille@exаmple.org",
    "ｃａｍｉｌｌｅ@example.org",
    "camille@example.org\u200b",
    "\u202ecamille@example.org",
    "CAMILLE@EXAMPLE.ORG",
    "İstanbul",
    "straße",
    "\ufeffCamille",
    "ﬁlle",
)
PHONES = (
    "06 12 34 56 78",
    "+33612345678",
    "٠٦١٢٣٤٥٦٧٨",
    "０６１２３４５６７８",
    "06\u00a012\u00a034\u00a056\u00a078",
    "+999 12 34",
    "06-12-34-56-78-90-12-34",
    "tel:+33612345678",
    "+33 (0)6 12 34 56 78",
    "0" * 41,
)
CODES = ("000000", "12345", "1234567", "abcde-fghjk", "------", "٠٠٠٠٠٠", " 123 456 ")
DATES = ("2027-02-30", "2027-13-01", "0000-00-00", "9999-12-31", "2027-1-1", "٢٠٢٧-٠١-٠١")
TIMES = ("24:00", "23:60", "9:5", "-1:00", "12:00:00", "１２:００")
SPECIALS = HTML_PAYLOADS + SQL_PAYLOADS + LOOKALIKES + PHONES + CODES + DATES + TIMES

_control = st.text(st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=6)
_long = st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(255, 5000))

field_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(SPECIALS),
    st.builds(
        lambda before, payload, after: before + payload + after,
        st.text(max_size=6),
        st.sampled_from((MARKER, *SPECIALS)),
        st.text(max_size=6),
    ),
    st.builds(lambda a, b: a + b, st.sampled_from(SPECIALS), _control),
    _long,
)


def form_of(valid: dict[str, Any], *, lists: frozenset[str] = frozenset()) -> st.SearchStrategy:
    """Draw a form starting from `valid`, each field kept, changed, or left out."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, value in valid.items():
        hostile: st.SearchStrategy[Any]
        if name in lists:
            hostile = st.lists(st.one_of(st.sampled_from(value or ["x"]), field_values), max_size=4)
        else:
            hostile = field_values
        fields[name] = st.one_of(st.just(value), hostile, st.none())
    return st.fixed_dictionaries(fields).map(
        lambda data: {name: value for name, value in data.items() if value is not None}
    )


def assert_handled(response: TestResponse, data: dict[str, Any]) -> None:
    """Check that the response is a page or a redirect, with everything typed escaped."""
    assert response.status_code in {200, 302, 400, 422}, response.status_code
    body = response.get_data(as_text=True)
    assert "<x-fuzz" not in body
    sent = [v for value in data.values() for v in (value if isinstance(value, list) else [value])]
    for payload in HTML_PAYLOADS[:5]:
        if any(payload in str(value) for value in sent):
            assert payload not in body
