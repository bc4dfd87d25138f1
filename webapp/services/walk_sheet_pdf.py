"""The walk sheet as an A4 PDF: session, plan, QR code and doors by side, with tick boxes.

Text goes through Flask-Babel, so the sheet renders in the locale of the request or of a
`force_locale` block. Nothing about a person is printed, not even a first name, because a
paper sheet is easily left behind.
"""

import io
import unicodedata
from collections.abc import Sequence
from xml.sax.saxutils import escape

import segno
from flask_babel import (
    format_decimal,
    format_number,
    format_time,
    get_locale,
    gettext,
    ngettext,
    pgettext,
)
from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from webapp.services.door_progress import OUTCOME_LABELS
from webapp.services.route_view import RouteSheet, RouteStop
from webapp.services.walk_sheet import (
    RoutePlan,
    StreetSides,
    is_large_building,
    project_route,
    split_sides,
    total_dwellings,
)
from webapp.session_labels import session_label

PAGE_MARGIN = 14 * mm
PLAN_WIDTH = 116 * mm
PLAN_HEIGHT = 86 * mm
PLAN_MARGIN = 8 * mm
QR_SIZE = 34 * mm
DOOR_DOT_RADIUS = 2.3 * mm
TICK_BOX_SIZE = 4.2 * mm
# Box, step and door columns of one side, then the gap between the two sides.
SIDE_COLUMNS = (7 * mm, 9 * mm, 67 * mm)
SIDE_GAP = 8 * mm

ACCENT = colors.HexColor("#0b5563")
MEETING = colors.HexColor("#f2b705")
MUTED = colors.HexColor("#4a4d55")
RULE = colors.HexColor("#8a8f99")
CANCELLED = colors.HexColor("#b3261e")

# The built-in Helvetica covers Windows-1252, which has every French letter, œ and ’.
PDF_ENCODING = "cp1252"

STYLES = {
    "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=22),
    "day": ParagraphStyle("day", fontName="Helvetica-Bold", fontSize=12.5, leading=16),
    "body": ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13),
    "small": ParagraphStyle("small", fontName="Helvetica", fontSize=8.5, leading=10.5),
    "muted": ParagraphStyle(
        "muted", fontName="Helvetica", fontSize=8.5, leading=10.5, textColor=MUTED
    ),
    "cancelled": ParagraphStyle(
        "cancelled",
        fontName="Helvetica-Bold",
        fontSize=11,
        leading=14,
        textColor=CANCELLED,
        borderColor=CANCELLED,
        borderWidth=1.2,
        borderPadding=5,
        spaceBefore=4,
        spaceAfter=8,
    ),
    "street": ParagraphStyle(
        "street", fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=9
    ),
    "side": ParagraphStyle(
        "side", fontName="Helvetica-Bold", fontSize=8.5, leading=10.5, textColor=MUTED
    ),
    "step": ParagraphStyle(
        "step",
        fontName="Helvetica",
        fontSize=8.5,
        leading=10.5,
        textColor=MUTED,
        alignment=TA_RIGHT,
    ),
    "door": ParagraphStyle("door", fontName="Helvetica-Bold", fontSize=11.5, leading=13.5),
    "flag": ParagraphStyle(
        "flag", fontName="Helvetica-Bold", fontSize=8, leading=10, textColor=ACCENT
    ),
    "qr": ParagraphStyle("qr", fontName="Helvetica", fontSize=8, leading=10, alignment=TA_CENTER),
    "link": ParagraphStyle(
        "link", fontName="Helvetica-Bold", fontSize=9, leading=11.5, alignment=TA_CENTER
    ),
    "figure": ParagraphStyle("figure", fontName="Helvetica", fontSize=10, leading=14),
}


def render_walk_sheet_pdf(sheet: RouteSheet, *, short_url: str, compress: bool = True) -> bytes:
    """Return the A4 walk sheet of `sheet` as PDF bytes; `short_url` goes into its QR code."""
    buffer = io.BytesIO()
    title = pdf_text(_title(sheet))
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN + 4 * mm,
        title=title,
        creator="Tournée",
        lang=str(get_locale() or ""),
        # No creation date or random id: the same route gives the same bytes.
        invariant=True,
        pageCompression=1 if compress else 0,
    )
    footer = pdf_text(f"{_team(sheet)} · {_day(sheet)}")

    def draw_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(PAGE_MARGIN, PAGE_MARGIN - 2 * mm, footer)
        page = pdf_text(gettext("Page %(number)s", number=doc.page))
        canvas.drawRightString(A4[0] - PAGE_MARGIN, PAGE_MARGIN - 2 * mm, page)
        canvas.restoreState()

    document.build(_story(sheet, short_url), onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()


def pdf_text(text: str) -> str:
    """Return `text` with what Helvetica cannot print replaced by its nearest letters."""
    printable = []
    for char in text:
        if _encodable(char):
            printable.append(char)
            continue
        # "ŝ" becomes "s", a narrow no-break space a space, and anything else a "?".
        folded = "".join(c for c in unicodedata.normalize("NFKD", char) if _encodable(c))
        printable.append(folded or "?")
    return "".join(printable)


def qr_drawing(url: str, size: float) -> Drawing:
    """Draw the QR code of `url` as vector squares, so it prints sharp at any resolution."""
    code = segno.make(url, error="m", micro=False)
    border = 4
    modules = len(code.matrix) + 2 * border
    module = size / modules
    drawing = Drawing(size, size)
    drawing.add(Rect(0, 0, size, size, fillColor=colors.white, strokeColor=None))
    for row_index, row in enumerate(code.matrix):
        y = size - (row_index + border + 1) * module
        for start, length in _dark_runs(row):
            drawing.add(
                Rect(
                    (start + border) * module,
                    y,
                    length * module,
                    module,
                    fillColor=colors.black,
                    strokeColor=None,
                )
            )
    return drawing


def plan_drawing(
    sheet: RouteSheet, width: float = PLAN_WIDTH, height: float = PLAN_HEIGHT
) -> Drawing:
    """Draw the path, the numbered doors, the meeting point and the end, north up, without
    tiles."""
    plan = project_route(sheet, width=width, height=height, margin=PLAN_MARGIN)
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.white, strokeColor=RULE))
    if len(plan.path) >= 2:
        drawing.add(
            PolyLine(
                [coordinate for point in plan.path for coordinate in point],
                strokeColor=ACCENT,
                strokeWidth=1.6,
                strokeLineJoin=1,
                strokeLineCap=1,
            )
        )
    # Translators: two or three letters marking the meeting point on the printed plan.
    _draw_mark(drawing, *plan.meeting, pgettext("printed plan", "MP"))
    if plan.end is not None:
        # Translators: three or four letters marking where the route ends on the printed plan.
        _draw_mark(drawing, *plan.end, pgettext("printed plan", "END"))
    for door in plan.doors:
        drawing.add(
            Circle(door.x, door.y, DOOR_DOT_RADIUS, fillColor=ACCENT, strokeColor=colors.white)
        )
        label = door.label
        font_size = _door_font_size(label)
        drawing.add(
            String(
                door.x,
                door.y - font_size * 0.35,
                label,
                fontName="Helvetica-Bold",
                fontSize=font_size,
                fillColor=colors.white,
                textAnchor="middle",
            )
        )
    _draw_scale_bar(drawing, plan)
    _draw_north_arrow(drawing, plan)
    return drawing


def _title(sheet: RouteSheet) -> str:
    walk_sheet = gettext("Walk sheet")
    return f"{walk_sheet} – {_team(sheet)}"


def _story(sheet: RouteSheet, short_url: str) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(_markup(_title(sheet)), STYLES["title"]),
        Spacer(0, 2 * mm),
    ]
    if sheet.is_cancelled:
        story.append(
            Paragraph(
                _markup(
                    gettext(
                        "This session has been cancelled. Check with your coordinator before going."
                    )
                ),
                STYLES["cancelled"],
            )
        )
    start, end = format_time(sheet.starts_at, "short"), format_time(sheet.ends_at, "short")
    story += [
        Paragraph(_markup(_day(sheet)), STYLES["day"]),
        Paragraph(
            _markup(gettext("From %(start)s to %(end)s", start=start, end=end)), STYLES["body"]
        ),
        Paragraph(
            _markup(gettext("Meeting point: %(place)s", place=sheet.meeting_point)), STYLES["body"]
        ),
        *_end_point(sheet),
        Spacer(0, 4 * mm),
        _overview(sheet, short_url),
        Spacer(0, 3 * mm),
        Paragraph(
            _markup(
                gettext(
                    "Tick each door once done. Never write down anything about a resident "
                    "on this sheet."
                )
            ),
            STYLES["muted"],
        ),
    ]
    if not sheet.sections:
        story.append(Paragraph(_markup(gettext("No address on this route yet.")), STYLES["body"]))
        return story
    for section in sheet.sections:
        story.append(_street_block(split_sides(section)))
    story += [
        Spacer(0, 4 * mm),
        Paragraph(_markup(_finish(sheet)), STYLES["day"]),
    ]
    return story


def _overview(sheet: RouteSheet, short_url: str) -> Table:
    """Put the plan on the left, and the QR code, short link and totals on the right."""
    side: list[Flowable] = [
        qr_drawing(short_url, QR_SIZE),
        Paragraph(_markup(gettext("Scan to open the route on a phone")), STYLES["qr"]),
        Paragraph(_markup(short_url.split("://", 1)[-1]), STYLES["link"]),
        Spacer(0, 4 * mm),
        *_totals_caption(sheet),
        *(Paragraph(line, STYLES["figure"]) for line in _totals(sheet)),
    ]
    table = Table(
        [[plan_drawing(sheet), side]],
        colWidths=(PLAN_WIDTH + 4 * mm, None),
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return table


def _totals(sheet: RouteSheet) -> list[str]:
    """Return the lines of figures: the whole route's, or the walk left after a re-planning.

    The figures are those of the route page (`canvass/route.html`).
    """
    doors = sheet.walk_door_count
    dwellings = total_dwellings(sheet)
    kilometres = format_decimal(sheet.length_m / 1000, "#,##0.0")
    # Babel does not extract calls written inside f-strings, so each text is its own call.
    if sheet.is_walk_left:
        addresses = ngettext("address to visit", "addresses to visit", doors)
        minutes = gettext("min left")
    else:
        addresses = ngettext("address", "addresses", doors)
        minutes = gettext("min in all")
    on_foot = gettext("km on foot")
    return [
        f"<b>{_markup(format_number(doors))}</b> {_markup(addresses)}",
        f"<b>{_markup(kilometres)}</b> {_markup(on_foot)}",
        f"<b>{sheet.total_minutes}</b> {_markup(minutes)}",
        _markup(
            ngettext(
                "about %(count)s dwelling",
                "about %(count)s dwellings",
                dwellings,
                count=format_number(dwellings),
            )
        ),
    ]


def _totals_caption(sheet: RouteSheet) -> list[Paragraph]:
    """Return the line naming the step where the walk left starts, when the figures are its."""
    if not (sheet.is_walk_left and sheet.walk_door_count):
        return []
    text = gettext("Route re-planned from step %(step)s:", step=sheet.walk_start_step)
    return [Paragraph(_markup(text), STYLES["muted"])]


def _street_block(sides: StreetSides) -> Flowable:
    """Return a street's heading and its two sides, kept on one page when they fit."""
    if sides.first_step == sides.last_step:
        steps = gettext("step %(step)s", step=sides.first_step)
    else:
        steps = gettext("steps %(first)s to %(last)s", first=sides.first_step, last=sides.last_step)
    heading = Paragraph(
        f"{_markup(sides.street)} <font name='Helvetica' size='8.5' color='#4a4d55'>"
        f"{_markup(steps)}</font>",
        STYLES["street"],
    )
    return KeepTogether([heading, _sides_table(sides)])


def _sides_table(sides: StreetSides) -> Table:
    blank = ("", "", "")
    # A side without a door gets no heading and no ruled lines to fill in.
    has_odd = any(odd for odd, _even in sides.rows)
    has_even = any(even for _odd, even in sides.rows)
    rows: list[Sequence[object]] = [
        [
            Paragraph(_markup(gettext("Odd side")), STYLES["side"]) if has_odd else "",
            "",
            "",
            "",
            Paragraph(_markup(gettext("Even side")), STYLES["side"]) if has_even else "",
            "",
            "",
        ]
    ]
    for odd, even in sides.rows:
        left = _door_cells(odd) if odd else blank
        right = _door_cells(even) if even else blank
        rows.append([*left, "", *right])
    first_unnumbered = len(rows)
    for stop in sides.unnumbered:
        rows.append([*_door_cells(stop), "", "", "", ""])
    style = [
        ("SPAN", (0, 0), (2, 0)),
        ("SPAN", (4, 0), (6, 0)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 1), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
        # Lowers the small step number onto the baseline of the large door number.
        ("TOPPADDING", (1, 1), (1, -1), 5.5),
        ("TOPPADDING", (5, 1), (5, -1), 5.5),
    ]
    if has_odd or not has_even:
        style.append(("LINEBELOW", (0, 0), (2, -1), 0.4, RULE))
    if has_even:
        style.append(("LINEBELOW", (4, 0), (6, -1), 0.4, RULE))
    style += [("SPAN", (2, row), (6, row)) for row in range(first_unnumbered, len(rows))]
    widths = (*SIDE_COLUMNS, SIDE_GAP, *SIDE_COLUMNS)
    return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style), hAlign="LEFT")


def _door_cells(stop: RouteStop) -> tuple[Flowable, Paragraph, list[Paragraph]]:
    number = stop.number or gettext("no number")
    door = [Paragraph(_markup(number), STYLES["door"])]
    if is_large_building(stop):
        flag = ngettext(
            "building, about %(count)s dwelling",
            "building, about %(count)s dwellings",
            stop.dwellings,
            count=format_number(stop.dwellings),
        )
        door.append(Paragraph(_markup(flag), STYLES["flag"]))
    if stop.is_to_come_back:
        door.append(Paragraph(_markup(gettext("to come back to")), STYLES["flag"]))
    elif stop.outcome is not None:
        label = gettext("done: %(outcome)s", outcome=str(OUTCOME_LABELS[stop.outcome]))
        door.append(Paragraph(_markup(label), STYLES["flag"]))
    box = TickBox(TICK_BOX_SIZE, is_ticked=stop.is_done)
    return box, Paragraph(str(stop.step), STYLES["step"]), door


def _door_font_size(label: str) -> float:
    """Return the font size that fits a door mark's label ("7", "12", "4–5") in its dot."""
    if len(label) <= 2:
        return 6
    if len(label) <= 3:
        return 4.6
    return 3.4


class TickBox(Flowable):  # type: ignore[misc]
    """A square to tick with a pen, ticked already for a door visited before printing."""

    def __init__(self, size: float, *, is_ticked: bool = False) -> None:
        super().__init__()
        self.size = size
        self.width = size
        self.height = size
        self.is_ticked = is_ticked

    def draw(self) -> None:
        self.canv.setLineWidth(0.9)
        self.canv.setStrokeColor(colors.black)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)
        if self.is_ticked:
            size = self.size
            self.canv.line(0.2 * size, 0.5 * size, 0.42 * size, 0.22 * size)
            self.canv.line(0.42 * size, 0.22 * size, 0.82 * size, 0.82 * size)


def _finish(sheet: RouteSheet) -> str:
    """Return the last step of the walk: the end point, or back to the meeting point."""
    if sheet.end_point:
        return str(gettext("Finish at %(place)s", place=sheet.end_point))
    return str(gettext("Back to the meeting point"))


def _end_point(sheet: RouteSheet) -> list[Paragraph]:
    """Return the line naming where the route ends, when not at the meeting point."""
    if not sheet.end_point:
        return []
    text = gettext("End of the route: %(place)s", place=sheet.end_point)
    return [Paragraph(_markup(text), STYLES["body"])]


def _draw_mark(drawing: Drawing, x: float, y: float, text: str) -> None:
    """Draw a labelled square, for the meeting point or the end of the route."""
    half = 2.6 * mm
    drawing.add(
        Rect(
            x - half,
            y - half,
            2 * half,
            2 * half,
            fillColor=MEETING,
            strokeColor=colors.black,
            strokeWidth=0.8,
        )
    )
    mark = pdf_text(text)
    drawing.add(
        String(x, y - 2.2, mark, fontName="Helvetica-Bold", fontSize=6, textAnchor="middle")
    )


def _draw_scale_bar(drawing: Drawing, plan: RoutePlan) -> None:
    x, y = 3 * mm, 3 * mm
    drawing.add(Line(x, y, x + plan.scale_bar_length, y, strokeColor=colors.black, strokeWidth=1.2))
    for end in (x, x + plan.scale_bar_length):
        drawing.add(Line(end, y - 1.2, end, y + 1.8, strokeColor=colors.black, strokeWidth=1.2))
    label = pdf_text(f"{format_decimal(plan.scale_bar_m)} m")
    drawing.add(String(x, y + 2.6, label, fontName="Helvetica", fontSize=6.5))


def _draw_north_arrow(drawing: Drawing, plan: RoutePlan) -> None:
    x, top = plan.width - 5 * mm, plan.height - 3 * mm
    drawing.add(
        Polygon(
            [x, top, x - 1.6 * mm, top - 4 * mm, x + 1.6 * mm, top - 4 * mm],
            fillColor=colors.black,
            strokeColor=None,
        )
    )
    # Translators: the letter for north on the printed plan.
    north = pdf_text(pgettext("printed plan", "N"))
    drawing.add(
        String(x, top - 7.2 * mm, north, fontName="Helvetica-Bold", fontSize=7, textAnchor="middle")
    )


def _dark_runs(row: Sequence[int]) -> list[tuple[int, int]]:
    """Return (start, length) of each run of dark modules in a QR matrix row."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, module in enumerate((*row, 0)):
        if module and start is None:
            start = index
        elif not module and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def _team(sheet: RouteSheet) -> str:
    return str(gettext("Team %(number)s", number=sheet.team))


def _day(sheet: RouteSheet) -> str:
    day = session_label(sheet.starts_at, sheet.iris_name, with_time=False)
    return day[:1].upper() + day[1:]


def _markup(text: str) -> str:
    """Return plain text ready for a Paragraph: printable and with markup escaped."""
    return escape(pdf_text(text))


def _encodable(char: str) -> bool:
    try:
        char.encode(PDF_ENCODING)
    except UnicodeEncodeError:
        return False
    return True
