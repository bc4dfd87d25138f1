"""The notice of a changed route, in French and English, by SMS and by e-mail."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask

from messaging.segments import count_sms_segments
from webapp.models.users import Channel
from webapp.services.message_batch import render_message

# A link as a deployment sends it, 85 characters: an HTTPS host of 24 characters and the
# 43 characters of `secrets.token_urlsafe(32)`. With the longest sender, the French text
# with a two-digit door count then takes the whole 160 characters of one segment.
ROUTE_URL = "https://tournee.exemple-bondy.fr/parcours/" + "Ab3_x-" * 7 + "Z"
# A sender of 11 characters, the maximum length of `Campaign.sms_sender_name`.
SENDER = "Bondy Coeur"
NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def context(count: int) -> dict[str, object]:
    return {
        "first_name": "Camille",
        "starts_at": datetime(2027, 3, 6, 8, 0, tzinfo=UTC),
        "iris_name": "Mairie",
        "route_url": ROUTE_URL,
        "to_visit_count": count,
        "campaign_name": "Municipales Bondy",
        "sender_name": SENDER,
    }


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [
        (
            "fr",
            99,
            f"{SENDER} : votre parcours a changé (99 adresses à visiter). Ouvrez-le : {ROUTE_URL}",
        ),
        (
            "fr",
            1,
            f"{SENDER} : votre parcours a changé (1 adresse à visiter). Ouvrez-le : {ROUTE_URL}",
        ),
        (
            "fr",
            0,
            f"{SENDER} : votre parcours a changé, plus rien à visiter. Ouvrez-le : {ROUTE_URL}",
        ),
        ("en", 12, f"{SENDER}: your route has changed (12 doors to visit). Open it: {ROUTE_URL}"),
        ("en", 1, f"{SENDER}: your route has changed (1 door to visit). Open it: {ROUTE_URL}"),
        (
            "en",
            0,
            f"{SENDER}: your route has changed, no door left to visit. Open it: {ROUTE_URL}",
        ),
    ],
)
def test_sms_fits_one_gsm7_segment(locale: str, count: int, expected: str) -> None:
    content = render_message("route_changed", Channel.SMS, locale, context(count))

    assert content.body == expected
    segments = count_sms_segments(content.body)
    assert segments.encoding == "GSM-7"
    assert segments.segments == 1


def test_sms_door_count_has_no_separator() -> None:
    content = render_message("route_changed", Channel.SMS, "fr", context(1234))

    assert "(1234 adresses à visiter)" in content.body
    assert count_sms_segments(content.body).encoding == "GSM-7"


@pytest.mark.parametrize(
    ("locale", "count", "subject", "lines"),
    [
        (
            "fr",
            1234,
            "Votre parcours de porte-à-porte du samedi 6 mars 2027 à 09:00 (Mairie) a changé",
            [
                "Bonjour Camille,",
                "",
                "Le parcours de votre équipe pour la session de porte-à-porte du samedi "
                "6 mars 2027 à 09:00 (Mairie) a changé.",
                f"Votre équipe a désormais 1{NNBSP}234 adresses à visiter. Ouvrez le parcours "
                f"sur votre téléphone pour voir la nouvelle liste :",
                ROUTE_URL,
                "Ce lien est réservé à votre équipe : ne le partagez pas.",
                "",
                "Municipales Bondy",
            ],
        ),
        (
            "fr",
            0,
            "Votre parcours de porte-à-porte du samedi 6 mars 2027 à 09:00 (Mairie) a changé",
            [
                "Bonjour Camille,",
                "",
                "Le parcours de votre équipe pour la session de porte-à-porte du samedi "
                "6 mars 2027 à 09:00 (Mairie) a changé.",
                "Votre équipe n’a plus aucune adresse à visiter. Ouvrez le parcours sur votre "
                "téléphone pour le voir :",
                ROUTE_URL,
                "Ce lien est réservé à votre équipe : ne le partagez pas.",
                "",
                "Municipales Bondy",
            ],
        ),
        (
            "en",
            1,
            f"Your canvassing route of Saturday, March 6, 2027 at 9:00{NNBSP}AM (Mairie) has "
            "changed",
            [
                "Hello Camille,",
                "",
                "Your team's route for the canvassing session of Saturday, March 6, 2027 at "
                f"9:00{NNBSP}AM (Mairie) has changed.",
                "Your team now has 1 door to visit. Open the route on your phone to see the new "
                "list:",
                ROUTE_URL,
                "This link is for your team only: do not share it.",
                "",
                "Municipales Bondy",
            ],
        ),
    ],
)
def test_email_names_the_session_and_the_doors_left(
    locale: str, count: int, subject: str, lines: list[str]
) -> None:
    content = render_message("route_changed", Channel.EMAIL, locale, context(count))

    assert content.subject == subject
    assert content.body.splitlines() == lines


def team_context(count: int, **values: object) -> dict[str, object]:
    return {**context(count), **values}


@pytest.mark.parametrize(
    ("locale", "values", "expected"),
    [
        (
            "fr",
            {"is_new_member": True, "names": ["Léa", "Hugo"]},
            f"{SENDER} : vous faites équipe avec Léa et Hugo. Votre parcours : {ROUTE_URL}",
        ),
        (
            "fr",
            {"is_new_member": False, "names": ["Inès"], "is_route_changed": True},
            f"{SENDER} : Inès rejoint votre équipe, et votre parcours a changé : {ROUTE_URL}",
        ),
        (
            "fr",
            {"is_new_member": False, "names": ["Léa", "Hugo"], "is_route_changed": False},
            f"{SENDER} : Léa et Hugo rejoignent votre équipe. Votre parcours : {ROUTE_URL}",
        ),
        (
            "en",
            {"is_new_member": True, "names": ["Léa", "Hugo", "Ana"]},
            f"{SENDER}: you now canvass with Léa, Hugo, and Ana. Your route: {ROUTE_URL}",
        ),
        (
            "en",
            {"is_new_member": False, "names": ["Léa"], "is_route_changed": True},
            f"{SENDER}: Léa joins your team, and your route has changed: {ROUTE_URL}",
        ),
        (
            "en",
            {"is_new_member": False, "names": ["Léa", "Hugo"], "is_route_changed": False},
            f"{SENDER}: Léa and Hugo join your team. Your route: {ROUTE_URL}",
        ),
    ],
)
def test_team_sms_fits_one_gsm7_segment(
    locale: str, values: dict[str, object], expected: str
) -> None:
    content = render_message("team_changed", Channel.SMS, locale, team_context(12, **values))

    assert content.body == expected
    segments = count_sms_segments(content.body)
    assert segments.encoding == "GSM-7"
    assert segments.segments == 1


@pytest.mark.parametrize(
    ("locale", "values", "subject", "lines"),
    [
        (
            "fr",
            {"is_new_member": False, "names": ["Léa", "Hugo"], "is_route_changed": True},
            "Léa et Hugo rejoignent votre équipe pour le porte-à-porte du samedi 6 mars 2027 "
            "à 09:00 (Mairie)",
            [
                "Bonjour Camille,",
                "",
                "Léa et Hugo rejoignent votre équipe pour la session de porte-à-porte du samedi "
                "6 mars 2027 à 09:00 (Mairie).",
                "Le parcours de votre équipe a changé aussi.",
                f"Votre équipe a 1{NNBSP}234 adresses à visiter. Ouvrez le parcours sur votre "
                "téléphone :",
                ROUTE_URL,
                "Ce lien est réservé à votre équipe : ne le partagez pas.",
                "",
                "Municipales Bondy",
            ],
        ),
        (
            "fr",
            {"is_new_member": True, "names": ["Léa"]},
            "Votre nouvelle équipe pour le porte-à-porte du samedi 6 mars 2027 à 09:00 (Mairie)",
            [
                "Bonjour Camille,",
                "",
                "Pour la session de porte-à-porte du samedi 6 mars 2027 à 09:00 (Mairie), vous "
                "faites désormais équipe avec Léa.",
                f"Votre équipe a 1{NNBSP}234 adresses à visiter. Ouvrez le parcours sur votre "
                "téléphone :",
                ROUTE_URL,
                "Ce lien est réservé à votre équipe : ne le partagez pas.",
                "",
                "Municipales Bondy",
            ],
        ),
        (
            "en",
            {"is_new_member": False, "names": ["Léa"], "is_route_changed": False},
            f"Léa joins your team for the canvassing of Saturday, March 6, 2027 at 9:00{NNBSP}AM "
            "(Mairie)",
            [
                "Hello Camille,",
                "",
                "Léa joins your team for the canvassing session of Saturday, March 6, 2027 at "
                f"9:00{NNBSP}AM (Mairie).",
                "Your team has 1,234 doors to visit. Open the route on your phone:",
                ROUTE_URL,
                "This link is for your team only: do not share it.",
                "",
                "Municipales Bondy",
            ],
        ),
    ],
)
def test_team_email_names_who_joins(
    locale: str, values: dict[str, object], subject: str, lines: list[str]
) -> None:
    content = render_message("team_changed", Channel.EMAIL, locale, team_context(1234, **values))

    assert content.subject == subject
    assert content.body.splitlines() == lines


def test_team_email_without_doors_left() -> None:
    values = {"is_new_member": True, "names": ["Léa"]}

    content = render_message("team_changed", Channel.EMAIL, "fr", team_context(0, **values))

    assert content.body.splitlines()[3] == (
        "Votre équipe n’a plus aucune adresse à visiter. Ouvrez le parcours sur votre "
        "téléphone pour le voir :"
    )
