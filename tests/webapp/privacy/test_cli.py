import json

from click.testing import Result
from flask import Flask
from sqlalchemy.orm import Session

from tests.webapp.privacy.seed import EMAIL, SeededPerson
from webapp.models import User


def _invoke(app: Flask, args: list[str], **kwargs: object) -> Result:
    """Run a `flask` command in an app context, as the `flask` command line provides one."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=args, **kwargs)


def test_record_lists_every_personal_table_with_purpose_and_rules(app: Flask) -> None:
    result = _invoke(app, ["privacy", "record"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Record of processing activities (GDPR art. 30)\n")
    assert "Table users\n  purpose: volunteer and staff accounts;" in result.output
    assert "    email: contact, campaign\n" in result.output
    assert "    password_hash: credential, account\n" in result.output
    assert "Table consents" in result.output
    assert "(missing)" not in result.output
    assert "Table iris\n" not in result.output


def test_record_as_json(app: Flask) -> None:
    result = _invoke(app, ["privacy", "record", "--json"])

    records = {record["table"]: record for record in json.loads(result.output)}
    assert records["erased_contacts"]["columns"][1] == {
        "table": "erased_contacts",
        "column": "address_hash",
        "category": "contact_hash",
        "retention": "erasure_list",
        "note": "",
    }


def test_erase_by_email(app: Flask, person: SeededPerson, db_session: Session) -> None:
    user_id = person.user.id

    result = _invoke(app, ["privacy", "erase", EMAIL.upper(), "--yes"])

    assert result.exit_code == 0, result.output
    assert result.output == f"user {user_id} erased: 8 rows deleted\n"
    db_session.expunge_all()
    assert db_session.get(User, user_id) is None


def test_erase_an_unknown_address(app: Flask, person: SeededPerson) -> None:
    result = _invoke(app, ["privacy", "erase", "nobody@example.org", "--yes"])

    assert result.exit_code == 1
    assert "no account" in result.output


def test_erase_asks_for_confirmation(app: Flask, person: SeededPerson, db_session: Session) -> None:
    result = _invoke(app, ["privacy", "erase", EMAIL], input="n\n")

    assert result.exit_code == 1
    assert db_session.get(User, person.user.id) is not None
