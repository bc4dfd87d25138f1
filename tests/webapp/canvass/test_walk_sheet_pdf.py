from datetime import timedelta

import pytest
import segno
from flask import Flask
from flask.testing import FlaskClient
from reportlab.graphics.shapes import Rect
from reportlab.lib.pagesizes import A4
from sqlalchemy.orm import Session

from tests.factories import make_walk_route
from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, Walk, add_door
from tests.webapp.canvass.pdf_reading import TextPiece, text_lines, text_pieces
from tests.webapp.canvass.test_views import assert_private, record_visits
from webapp.db import utcnow
from webapp.models import Address, DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.services.walk_sheet_pdf import pdf_text, qr_drawing

MIDDLE_X = A4[0] / 2
OEUVRE = "Rue de l’Œuvre"
SIDES_TOKEN = "sides-route-token-0123456789abcdef"  # noqa: S105 - a test value


def get_pdf(client: FlaskClient, token: str = TOKEN) -> bytes:
    response = client.get(f"/parcours/{token}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return response.get_data()


def piece(pieces: list[TextPiece], text: str) -> TextPiece:
    found = [p for p in pieces if p.text == text]
    assert len(found) == 1, (text, found)
    return found[0]


def test_pdf_walk_sheet_in_french(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    response = client.get(f"/parcours/{TOKEN}.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="parcours-equipe-1.pdf"'
    assert_private(response)
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-")
    db_session.refresh(walk.route)
    lines = text_lines(pdf)
    assert lines[:4] == [
        "Feuille de route – Équipe 1",
        "Samedi 13 juin 2026 (Mairie)",
        "De 10:00 à 12:00",
        "Rendez-vous : Parvis de la mairie",
    ]
    for figure in ("5 adresses", "1,3 km à pied", "48 min au total", "environ 16 logements"):
        assert figure in lines, figure
    assert f"127.0.0.1:5000/p/{walk.route.short_code}" in lines
    assert "Retour au point de rendez-vous" == lines[-2]
    assert lines[-1] == "Équipe 1 · Samedi 13 juin 2026 (Mairie) Page 1"


def test_pdf_names_the_stop_where_the_walk_ends(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    canvass = walk.canvass_session
    canvass.end_lon, canvass.end_lat, canvass.end_point_label = 2.4893, 48.8953, "Gare de Bondy"
    db_session.commit()

    lines = text_lines(get_pdf(client))

    assert lines[4] == "Fin du parcours : Gare de Bondy"
    assert lines[-2] == "Finir à Gare de Bondy"
    # The plan marks the meeting point and the stop.
    assert "RDV" in lines
    assert "FIN" in lines
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert "Fin du parcours : Gare de Bondy" in page
    assert "Finir à Gare de Bondy" in page
    assert 'class="plan-meeting-mark plan-end-mark"' in page


def test_pdf_lists_streets_in_walking_order_by_side(client: FlaskClient, walk: Walk) -> None:
    lines = text_lines(get_pdf(client))

    headings = [line for line in lines if line.startswith((GUESDE, ESPERANTO))]
    assert headings == [f"{GUESDE} étapes 1 à 3", f"{ESPERANTO} étapes 4 à 5"]
    # Guesde has odd numbers only and Esperanto even ones only: each shows its one side.
    assert (lines.count("Côté impair"), lines.count("Côté pair")) == (1, 1)
    assert "immeuble, ~12 logements" in lines


def add_sides_route(db_session: Session, walk: Walk, doors: list[Address]) -> None:
    """Give team 2 a route through `doors`, opened by SIDES_TOKEN for an hour; commit."""
    make_walk_route(
        db_session,
        canvass_session=walk.canvass_session,
        addresses=tuple(doors),
        team=2,
        access_token=SIDES_TOKEN,
        token_expires_at=utcnow() + timedelta(hours=1),
    )
    db_session.commit()


def test_pdf_sides_in_two_columns(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    doors = [
        add_door(db_session, OEUVRE, 11, (2.4801, 48.9030)),
        add_door(db_session, OEUVRE, 14, (2.4802, 48.9031), dwellings=9),
        add_door(db_session, OEUVRE, 13, (2.4803, 48.9032), suffix="bis"),
        add_door(db_session, OEUVRE, 18, (2.4804, 48.9033)),
        add_door(db_session, OEUVRE, None, (2.4805, 48.9034)),
        add_door(db_session, OEUVRE, 20, (2.4806, 48.9035)),
    ]
    add_sides_route(db_session, walk, doors)

    pieces = text_pieces(get_pdf(client, SIDES_TOKEN))

    odd = [piece(pieces, number) for number in ("11", "13 bis")]
    even = [piece(pieces, number) for number in ("14", "18", "20")]
    assert all(p.x < MIDDLE_X for p in odd)
    assert all(p.x > MIDDLE_X for p in even)
    # Each side reads down in walking order, the n-th odd door beside the n-th even one.
    assert odd[0].y > odd[1].y
    assert even[0].y > even[1].y > even[2].y
    assert (odd[0].y, odd[1].y) == (even[0].y, even[1].y)
    unnumbered = piece(pieces, "sans numéro")
    assert unnumbered.x < MIDDLE_X
    assert unnumbered.y < even[2].y
    flag = piece(pieces, "immeuble, ~9 logements")
    assert flag.x == even[0].x
    assert even[1].y < flag.y < even[0].y


def test_pdf_names_nobody(client: FlaskClient, walk: Walk) -> None:
    pdf = get_pdf(client)
    text = " ".join(text_lines(pdf))

    for name in ("Camille", "Alex", "Martin", "Durand", "Noé", "Yanis", "+33", "@"):
        assert name not in text, name
    assert TOKEN.encode() not in pdf


def test_pdf_in_the_visitor_locale(client: FlaskClient, walk: Walk) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"

    lines = text_lines(get_pdf(client))

    assert lines[:2] == ["Walk sheet – Team 1", "Saturday, June 13, 2026 (Mairie)"]
    assert "Odd side" in lines
    assert "Even side" in lines
    assert "building, about 12 dwellings" in lines
    assert "about 16 dwellings" in lines


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        # Helvetica has no narrow no-break space: the sheet prints a plain one.
        ("fr", ["environ 1 238 logements", "immeuble, ~1 234 logements"]),
        ("en", ["about 1,238 dwellings", "building, about 1,234 dwellings"]),
    ],
)
def test_pdf_dwellings_have_thousands_separator(
    client: FlaskClient, db_session: Session, walk: Walk, locale: str, expected: list[str]
) -> None:
    walk.doors["G3"].dwellings = 1234
    db_session.commit()
    with client.session_transaction() as session:
        session["locale"] = locale

    lines = text_lines(get_pdf(client))

    assert [line for line in lines if "1,23" in line or "1 23" in line] == expected


def test_pdf_of_cancelled_session_says_so(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    walk.canvass_session.status = SessionStatus.CANCELLED
    db_session.commit()

    text = " ".join(text_lines(get_pdf(client)))

    assert "Cette session est annulée." in text


def test_pdf_of_empty_route(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    walk.route.address_ids = []
    walk.route.path = []
    db_session.commit()

    lines = text_lines(get_pdf(client))

    assert "Aucune adresse sur ce parcours pour l’instant." in lines
    assert "Côté impair Côté pair" not in lines


def test_long_pdf_breaks_between_streets(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    streets = [f"Rue numéro {index}" for index in range(1, 9)]
    doors = [
        add_door(db_session, street, number, (2.48 + index / 1000, 48.90 + number / 10_000))
        for index, street in enumerate(streets)
        for number in range(1, 15)
    ]
    walk.route.address_ids = [door.id for door in doors]
    db_session.commit()

    lines = text_lines(get_pdf(client))

    assert [line.split(" étapes")[0] for line in lines if line.startswith("Rue numéro")] == streets
    assert "Page 2" in " ".join(lines)
    assert "Page 4" not in " ".join(lines)


def test_same_route_gives_the_same_pdf(client: FlaskClient, walk: Walk) -> None:
    assert get_pdf(client) == get_pdf(client)


def test_pdf_of_unknown_or_expired_link(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    unknown = client.get("/parcours/inconnu.pdf")
    assert unknown.status_code == 404
    assert "Lien inconnu" in unknown.get_data(as_text=True)
    assert_private(unknown)

    walk.route.token_expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    expired = client.get(f"/parcours/{TOKEN}.pdf")
    assert expired.status_code == 410
    assert "Ce lien a expiré" in expired.get_data(as_text=True)
    assert_private(expired)


@pytest.mark.parametrize(
    ("text", "printable"),
    [
        ("Allée de l’Œuvre, cœur « ici »", "Allée de l’Œuvre, cœur « ici »"),
        ("Straße Ŝ 😀", "Straße S ?"),
        ("1\u202f260 m", "1 260 m"),
        ("", ""),
    ],
)
def test_pdf_text_keeps_french_and_folds_the_rest(text: str, printable: str) -> None:
    assert pdf_text(text) == printable


def test_street_with_unprintable_letters_still_renders(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    door = add_door(db_session, "Rue Ŝtraße 😀 <b>", 7, (2.48, 48.90))
    walk.route.address_ids = [door.id]
    db_session.commit()

    lines = text_lines(get_pdf(client))

    assert "Rue Straße ? <b> étape 1" in lines


def test_qr_drawing_has_the_modules_of_the_url(app: Flask) -> None:
    url = "http://127.0.0.1:5000/p/k7mq3xzp"
    expected = segno.make(url, error="m", micro=False).matrix
    size = len(expected) + 8

    drawing = qr_drawing(url, size)

    dark = [[0] * len(expected) for _ in expected]
    for shape in drawing.contents[1:]:
        assert isinstance(shape, Rect)
        row = round(size - shape.y - 1) - 4
        for column in range(round(shape.x) - 4, round(shape.x + shape.width) - 4):
            dark[row][column] = 1
    assert [bytes(row) for row in dark] == [bytes(row) for row in expected]


def test_pdf_ticks_doors_already_visited(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    record_visits(db_session, walk, 1)

    lines = text_lines(get_pdf(client))

    assert lines.count("faite : Absent") == 1


def test_pdf_leaves_doors_to_come_back_to_unticked(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    first, second = walk.route.address_ids[:2]
    db_session.add(DoorVisit(route_id=walk.route.id, address_id=first, outcome=DoorOutcome.ABSENT))
    db_session.add(
        DoorVisit(route_id=walk.route.id, address_id=second, outcome=DoorOutcome.COME_BACK)
    )
    db_session.flush()

    lines = text_lines(get_pdf(client))

    assert lines.count("faite : Absent") == 1
    assert lines.count("à repasser") == 1


def test_pdf_leaves_out_a_side_without_doors(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    doors = [
        add_door(db_session, OEUVRE, 14, (2.4802, 48.9031)),
        add_door(db_session, OEUVRE, 18, (2.4804, 48.9033)),
    ]
    add_sides_route(db_session, walk, doors)

    lines = text_lines(get_pdf(client, SIDES_TOKEN))

    assert "Côté pair" in lines
    assert not [line for line in lines if "Côté impair" in line]
