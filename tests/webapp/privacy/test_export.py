import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.privacy.conftest import log_in
from tests.webapp.privacy.seed import EMAIL, PHONE, TOTP_SECRET, SeededPerson
from webapp.db import utcnow
from webapp.models import AuditEvent, User
from webapp.services.privacy_export import (
    collect_personal_data,
    export_csv_zip,
    export_json,
)


def _scalars(value: Any) -> Iterator[object]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    else:
        yield value


def test_json_export_holds_every_seeded_value(client: FlaskClient, person: SeededPerson) -> None:
    log_in(client, EMAIL)

    response = client.get("/mes-donnees/donnees.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="mes-donnees.json"'
    assert response.headers["Cache-Control"] == "no-store"
    document = response.get_json()
    values = set(_scalars(document["tables"]))
    missing = [v for v in (*person.identifying_values, *person.other_values) if v not in values]
    assert missing == []


def test_json_export_has_one_row_per_seeded_row(person: SeededPerson, db_session: Session) -> None:
    export = collect_personal_data(db_session, person.user.id, now=utcnow())

    counts = {name: len(rows) for name, rows in export.tables.items() if rows}

    assert counts == {
        "users": 1,
        "memberships": 1,
        "volunteer_profiles": 1,
        "availability_slots": 1,
        "availability_exceptions": 1,
        "consents": 3,
        "assignments": 1,
        "left_out_volunteers": 1,
        "messages": 2,
        "suppressions": 2,
        "inbound_sms": 1,
        "provider_events": 1,
        "invitations": 1,
        "recovery_codes": 1,
    }


def test_export_names_the_campaign_session_and_home(
    person: SeededPerson, db_session: Session
) -> None:
    export = collect_personal_data(db_session, person.user.id, now=utcnow())

    (assignment,) = export.tables["assignments"]
    (membership,) = export.tables["memberships"]
    (profile,) = export.tables["volunteer_profiles"]
    assert assignment["team"] == 3
    assert assignment["session_ends_at"] == "2027-03-13T11:30:00+00:00"
    assert assignment["campaign_name"] == "Municipales Bondy 2026"
    assert membership["role"] == "volunteer"
    assert profile["home_address"] == "42 Rue de l’Essai-Privé, 93140 Bondy"


def test_credentials_are_withheld_and_listed(person: SeededPerson, db_session: Session) -> None:
    export = collect_personal_data(db_session, person.user.id, now=utcnow())
    text = export_json(export).decode()

    assert TOTP_SECRET not in text
    assert person.user.totp_secret is not None
    assert person.user.totp_secret not in text
    assert "59000000" not in text
    assert "$argon2id$" not in text
    assert "c3c3c3" not in text
    assert set(export.withheld) >= {
        "users.password_hash",
        "users.totp_secret",
        "users.totp_last_step",
        "recovery_codes.code_hash",
        "invitations.token_hash",
    }
    (code,) = export.tables["recovery_codes"]
    assert set(code) == {"id", "user_id", "created_at"}


def test_export_leaves_out_other_people(
    person: SeededPerson, bystander: User, db_session: Session
) -> None:
    text = export_json(collect_personal_data(db_session, person.user.id, now=utcnow())).decode()

    assert "alix.temoin@example.org" not in text
    assert "+33611223344" not in text
    assert "Témoin" not in text


def test_csv_zip_has_one_file_per_table_with_header(
    client: FlaskClient, person: SeededPerson
) -> None:
    log_in(client, EMAIL)

    response = client.get("/mes-donnees/donnees-csv.zip")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    assert {"users.csv", "messages.csv", "consents.csv", "broadcasts.csv"} <= names
    users = list(csv.DictReader(io.StringIO(archive.read("users.csv").decode("utf-8-sig"))))
    assert users[0]["email"] == EMAIL
    # A leading plus would make a spreadsheet read a formula: the cell starts with a quote.
    assert users[0]["phone_e164"] == "'" + PHONE
    assert "password_hash" not in users[0]
    messages = list(csv.DictReader(io.StringIO(archive.read("messages.csv").decode("utf-8-sig"))))
    assert {row["body"] for row in messages} == {
        "Bonjour Zoé, rendez-vous samedi (q-mail)",
        "Zoé, RDV samedi 10h (q-sms)",
    }
    empty = archive.read("broadcasts.csv").decode("utf-8-sig")
    assert empty.startswith("id,campaign_id,channel,")
    assert empty.count("\r\n") == 1


def test_csv_neutralises_formula_cells(person: SeededPerson, db_session: Session) -> None:
    person.user.first_name = '=HYPERLINK("http://example.invalid")'
    db_session.flush()

    archive = zipfile.ZipFile(
        io.BytesIO(export_csv_zip(collect_personal_data(db_session, person.user.id, now=utcnow())))
    )
    row = next(csv.DictReader(io.StringIO(archive.read("users.csv").decode("utf-8-sig"))))

    assert row["first_name"] == '\'=HYPERLINK("http://example.invalid")'


def test_each_download_writes_an_audit_event(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    log_in(client, EMAIL)

    client.get("/mes-donnees/donnees.json")
    client.get("/mes-donnees/donnees-csv.zip")

    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.actor_user_id == person.user.id)
    ).all()
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("export", "user", str(person.user.id)),
        ("export", "user", str(person.user.id)),
    ]
    assert events[0].row_count == 18
    # The second download also holds the audit event of the first.
    assert events[1].row_count == 19


def test_downloads_need_a_login(client: FlaskClient, person: SeededPerson) -> None:
    for path in ("/mes-donnees", "/mes-donnees/donnees.json", "/mes-donnees/donnees-csv.zip"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/connexion")


def test_my_data_page_counts_what_is_held(client: FlaskClient, person: SeededPerson) -> None:
    log_in(client, EMAIL)

    page = client.get("/mes-donnees").get_data(as_text=True)

    assert 'id="held-messages"' in page
    assert 'id="held-broadcasts"' not in page
