"""A small reader of rendered pages: elements by id, form values, text without tags."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text_parts: list[str] = field(default_factory=list)
    parent: "Element | None" = field(default=None, repr=False, compare=False)

    def is_inside(self, other: "Element") -> bool:
        """Tell whether this element is nested, at any depth, in `other`."""
        ancestor = self.parent
        while ancestor is not None:
            if ancestor is other:
                return True
            ancestor = ancestor.parent
        return False

    @property
    def text(self) -> str:
        return " ".join("".join(self.text_parts).split())


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(
            tag,
            {name: value if value is not None else "" for name, value in attrs},
            parent=self.open[-1] if self.open else None,
        )
        self.elements.append(element)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text_parts.append(data)


class Page:
    """The elements of one HTML document."""

    def __init__(self, html: str) -> None:
        collector = _Collector()
        collector.feed(html)
        collector.close()
        self.elements = collector.elements
        self.html = html

    def by_id(self, element_id: str) -> Element:
        matches = [e for e in self.elements if e.attrs.get("id") == element_id]
        assert len(matches) == 1, f"{len(matches)} elements with id {element_id!r}"
        return matches[0]

    def has_id(self, element_id: str) -> bool:
        return any(e.attrs.get("id") == element_id for e in self.elements)

    def select(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def checked_values(self, name: str) -> set[str]:
        return {e.attrs["value"] for e in self.select("input", name=name) if "checked" in e.attrs}

    def text(self) -> str:
        body = [e for e in self.elements if e.tag == "main"]
        return body[0].text if body else ""


def csrf_token(html: str) -> str:
    """Return the first CSRF token of a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


def flash_boxes(page: Page) -> list[Element]:
    """Return the page's flashed messages, in order."""
    return [e for e in page.elements if "flash" in e.attrs.get("class", "").split()]


def flashes(page: Page) -> list[str]:
    """Return the texts of the page's flashed messages, in order."""
    return [element.text for element in flash_boxes(page)]


def flash_lines(page: Page) -> list[str]:
    """Return the lines of the page's flashed messages, in order.

    A message with lines listed under it gives its first line, then each listed line.
    """
    lines = []
    for box in flash_boxes(page):
        inner = [e for e in page.elements if e.tag in ("p", "li") and e.is_inside(box)]
        lines.extend(element.text for element in inner or [box])
    return lines
