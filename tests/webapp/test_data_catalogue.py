import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

from webapp.db import Base
from webapp.services.data_catalogue import (
    PERSON_TABLES,
    PURPOSES,
    REVIEWED_COLUMNS,
    REVIEWED_USER_LINKED_TABLES,
    CatalogueError,
    Category,
    Retention,
    catalogue,
    column_tag,
    format_record,
    looks_personal,
    personal_columns,
    record_of_processing,
    unreviewed_user_linked_tables,
    untagged_columns,
)


def test_every_column_that_looks_personal_is_tagged() -> None:
    assert untagged_columns() == ()


def test_every_table_pointing_at_users_has_been_reviewed() -> None:
    assert unreviewed_user_linked_tables() == ()


def test_every_tag_is_well_formed() -> None:
    tags = catalogue()

    assert len(tags) > 100
    assert {tag.category for tag in tags} <= set(Category)
    assert {tag.retention for tag in tags} <= set(Retention)


def test_reviewed_names_exist() -> None:
    tables = Base.metadata.tables
    assert PERSON_TABLES <= set(tables)
    assert REVIEWED_USER_LINKED_TABLES <= set(tables)
    for name in REVIEWED_COLUMNS:
        table, column = name.split(".")
        assert column in tables[table].c, name


def test_every_table_with_personal_data_has_a_purpose() -> None:
    records = record_of_processing()

    assert {record.table for record in records} <= set(PURPOSES)
    assert all(record.purpose for record in records)


@pytest.mark.parametrize(
    ("table", "column", "category", "retention"),
    [
        ("users", "email", Category.CONTACT, Retention.CAMPAIGN),
        ("users", "password_hash", Category.CREDENTIAL, Retention.ACCOUNT),
        ("volunteer_profiles", "home_lat", Category.LOCATION, Retention.CAMPAIGN),
        ("consents", "wording_version", Category.CONSENT_PROOF, Retention.PROOF),
        ("messages", "body", Category.MESSAGE_CONTENT, Retention.CAMPAIGN),
        ("inbound_sms", "sender", Category.CONTACT, Retention.CAMPAIGN),
        ("erased_contacts", "address_hash", Category.CONTACT_HASH, Retention.ERASURE_LIST),
        ("addresses", "lat", Category.NONE, Retention.NEVER_PERSONAL),
        ("survey_responses", "answers", Category.NONE, Retention.NEVER_PERSONAL),
        ("survey_responses", "created_at", Category.NONE, Retention.NEVER_PERSONAL),
    ],
)
def test_key_columns_are_classified(
    table: str, column: str, category: Category, retention: Retention
) -> None:
    table_ = Base.metadata.tables[table]
    tag = column_tag(table_, table_.c[column])

    assert tag is not None
    assert (tag.category, tag.retention) == (category, retention)


def test_name_patterns_catch_new_personal_columns() -> None:
    metadata = MetaData()
    table = Table(
        "newsletters",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("contact_email", String),
        Column("client_ip", String),
        Column("reviewer_user_id", Integer),
        Column("reviewed", Integer),
        Column("membership_count", Integer),
    )

    assert untagged_columns(metadata) == (
        "newsletters.contact_email",
        "newsletters.client_ip",
        "newsletters.reviewer_user_id",
    )
    assert not looks_personal(table, table.c.id)


def test_a_new_table_pointing_at_users_must_be_reviewed() -> None:
    metadata = MetaData()
    Table("users", metadata, Column("id", Integer, primary_key=True))
    Table(
        "badges",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("owner", Integer, ForeignKey("users.id")),
    )

    assert unreviewed_user_linked_tables(metadata) == ("badges",)


@pytest.mark.parametrize(
    "info",
    [
        {"personal": "contact"},
        {"personal": "gossip", "retention": "campaign"},
        {"personal": "contact", "retention": "forever"},
        {"personal": "none", "retention": "campaign"},
        {"personal": "contact", "retention": "never_personal"},
    ],
)
def test_malformed_tags_are_refused(info: dict[str, str]) -> None:
    table = Table("t", MetaData(), Column("email", String, info=info))

    with pytest.raises(CatalogueError):
        column_tag(table, table.c.email)


def test_personal_columns_of_users_leave_out_the_id() -> None:
    names = [tag.column for tag in personal_columns("users")]

    assert names[:3] == ["email", "password_hash", "first_name"]
    assert "id" not in names


def test_the_record_names_each_rule_once() -> None:
    text = format_record(record_of_processing())

    for rule in Retention:
        assert text.count(f"\n  {rule.value}: ") == 1
    assert "Table audit_events\n  purpose: accountability" in text


def test_survey_responses_foreign_keys() -> None:
    table = Base.metadata.tables["survey_responses"]

    assert {key.column.table.name for key in table.foreign_keys} == {"canvass_sessions", "iris"}
    assert "session's start" in table.c.created_at.info["note"]
