"""The personal data the models hold, read from the `info` tags of their columns.

A column holding personal data carries `info={"personal": <category>, "retention": <rule>}`,
with an optional `"note"`. A column whose name looks personal but whose content is not
carries `{"personal": "none", "retention": "never_personal"}`, so that the choice is
visible where the column is declared. The record of processing activities (GDPR
Article 30) is built from these tags, and a test fails on any column that looks personal
without one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Column, MetaData, Table

import webapp.models  # noqa: F401 - registers every table on the metadata
from webapp.db import Base


class Category(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    # A key that points at a person, such as a user id in another table.
    IDENTIFIER = "identifier"
    LOCATION = "location"
    AVAILABILITY = "availability"
    PREFERENCE = "preference"
    # Taking part in a political campaign: membership, role, sessions, teams.
    PARTICIPATION = "participation"
    CONSENT_PROOF = "consent_proof"
    CREDENTIAL = "credential"
    MESSAGE_CONTENT = "message_content"
    # A keyed hash of a contact: it cannot be read back, only matched.
    CONTACT_HASH = "contact_hash"
    TECHNICAL = "technical"
    NONE = "none"


class Retention(StrEnum):
    CAMPAIGN = "campaign"
    ACCOUNT = "account"
    PROOF = "proof"
    INVITATION = "invitation"
    AUDIT = "audit"
    DELIVERY_LOG = "delivery_log"
    LINK_EXPIRY = "link_expiry"
    ERASURE_LIST = "erasure_list"
    NEVER_PERSONAL = "never_personal"


CATEGORY_DESCRIPTIONS: dict[Category, str] = {
    Category.IDENTITY: "first and last name",
    Category.CONTACT: "e-mail address or mobile phone number",
    Category.IDENTIFIER: "internal key pointing at a person",
    Category.LOCATION: "home address, postcode or home coordinates",
    Category.AVAILABILITY: "weekly availability and dated exceptions",
    Category.PREFERENCE: "canvassing preferences (experience, travel, languages, partner)",
    Category.PARTICIPATION: "membership of the campaign, role, sessions and teams",
    Category.CONSENT_PROOF: "consent or opt-out decision with its wording, source and time",
    Category.CREDENTIAL: "password hash, second-factor secret, link or recovery code",
    Category.MESSAGE_CONTENT: "text of a message sent to or received from the person",
    Category.CONTACT_HASH: "keyed hash of an erased contact, to honour the erasure",
    Category.TECHNICAL: "timestamps, statuses and provider ids about the person's data",
    Category.NONE: "not personal data",
}

RETENTION_RULES: dict[Retention, str] = {
    Retention.CAMPAIGN: (
        "volunteers and team leads are erased on the retention date of their campaign "
        "unless they chose to stay in touch; staff data follows the account; erasure on "
        "request at any time"
    ),
    Retention.ACCOUNT: "while the account exists; erased with it",
    Retention.PROOF: "as long as the data whose consent it proves",
    Retention.INVITATION: (
        "with the invited account once accepted; otherwise 30 days after the invitation expired"
    ),
    Retention.AUDIT: "one year, then deleted by the daily purge",
    Retention.DELIVERY_LOG: "30 days after the provider callback was processed",
    Retention.LINK_EXPIRY: "usable until the link expires; deleted with the session",
    Retention.ERASURE_LIST: (
        "kept while the campaign sends messages, so an erased person is never contacted again"
    ),
    Retention.NEVER_PERSONAL: "not personal data",
}

# Tables whose every row is about one person: each of their columns but `id` is tagged.
PERSON_TABLES = frozenset(
    {
        "users",
        "memberships",
        "volunteer_profiles",
        "consents",
        "availability_slots",
        "availability_exceptions",
        "recovery_codes",
        "invitations",
        "assignments",
        "session_feedbacks",
        "left_out_volunteers",
        "messages",
        "suppressions",
        "inbound_sms",
        "provider_events",
        "erased_contacts",
        "audit_events",
    }
)
# Tables pointing at users whose rows are about something else, reviewed one by one.
REVIEWED_USER_LINKED_TABLES = frozenset({"broadcasts"})

# Parts of a column name (split on "_") that suggest personal data.
PERSONAL_NAME_PARTS = frozenset(
    {
        "email",
        "phone",
        "name",
        "address",
        "home",
        "lon",
        "lat",
        "body",
        "subject",
        "recipient",
        "sender",
        "token",
        "secret",
        "hash",
        "password",
        "payload",
        "ip",
        "user",
    }
)
# Columns whose names do not give them away, reviewed one by one.
REVIEWED_COLUMNS = frozenset(
    {
        "routes.short_code",
        "survey_responses.answers",
        "survey_responses.created_at",
        "volunteer_profiles.languages",
        "volunteer_profiles.travel_mode",
        "users.locale",
    }
)

PURPOSES: dict[str, str] = {
    "users": "volunteer and staff accounts; contacting volunteers about canvassing",
    "memberships": "knowing who takes part in which campaign, and with which role",
    "volunteer_profiles": "proposing sessions near home and forming teams",
    "consents": "proving consent to messages (GDPR art. 7) and honouring withdrawals",
    "availability_slots": "planning sessions when volunteers are free",
    "availability_exceptions": "planning sessions when volunteers are free",
    "recovery_codes": "account security: second-factor recovery",
    "invitations": "inviting staff to a campaign",
    "assignments": "planning sessions and teams",
    "session_feedbacks": "improving the sessions from the volunteers' ratings and comments",
    "left_out_volunteers": "explaining to coordinators why a volunteer was not placed",
    "messages": "sending confirmations, routes, reminders and campaign messages",
    "suppressions": "honouring opt-outs (STOP replies, unsubscribe links)",
    "inbound_sms": "handling replies and stop requests",
    "provider_events": "tracking message delivery",
    "erased_contacts": "never contacting an erased person again",
    "audit_events": "accountability: who read or changed personal data",
    "broadcasts": "campaign messages to groups of volunteers",
    "routes": "giving a team its route through a private link",
    "replaced_route_links": "telling a volunteer that a route link was replaced by a new one",
}

DATA_SUBJECTS: dict[str, str] = {
    "invitations": "invited staff",
    "audit_events": "staff and volunteers",
    "inbound_sms": "people replying by SMS",
    "provider_events": "message recipients",
    "erased_contacts": "erased people",
    "broadcasts": "staff",
    "routes": "volunteers",
    "replaced_route_links": "volunteers",
    "session_feedbacks": "volunteers",
}
DEFAULT_DATA_SUBJECTS = "volunteers and staff"


@dataclass(frozen=True)
class ColumnTag:
    """One tagged column: its category, retention rule and an optional note."""

    table: str
    column: str
    category: Category
    retention: Retention
    note: str = ""

    @property
    def is_personal(self) -> bool:
        return self.category is not Category.NONE


@dataclass(frozen=True)
class TableRecord:
    """One table of the record of processing: purpose, data subjects and tagged columns."""

    table: str
    purpose: str
    data_subjects: str
    columns: tuple[ColumnTag, ...]

    @property
    def retention_rules(self) -> tuple[Retention, ...]:
        return tuple(dict.fromkeys(tag.retention for tag in self.columns))


class CatalogueError(ValueError):
    """A tag names an unknown category or rule, or misses a key."""


def column_tag(table: Table, column: Column[object]) -> ColumnTag | None:
    """Return the column's tag, None when it has none; raise CatalogueError when malformed."""
    info = column.info
    if "personal" not in info and "retention" not in info:
        return None
    try:
        category = Category(info["personal"])
        retention = Retention(info["retention"])
    except (KeyError, ValueError) as error:
        raise CatalogueError(f"{table.name}.{column.name}: bad tag {dict(info)!r}") from error
    if (category is Category.NONE) != (retention is Retention.NEVER_PERSONAL):
        raise CatalogueError(
            f"{table.name}.{column.name}: 'none' goes with 'never_personal' and only with it"
        )
    return ColumnTag(table.name, column.name, category, retention, str(info.get("note", "")))


def catalogue(metadata: MetaData = Base.metadata) -> tuple[ColumnTag, ...]:
    """Return every tagged column of every table, by table name then column order."""
    tags: list[ColumnTag] = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        for column in table.columns:
            tag = column_tag(table, column)
            if tag is not None:
                tags.append(tag)
    return tuple(tags)


def personal_columns(table_name: str, metadata: MetaData = Base.metadata) -> tuple[ColumnTag, ...]:
    """Return the tagged personal columns of one table."""
    return tuple(tag for tag in catalogue(metadata) if tag.table == table_name and tag.is_personal)


def looks_personal(table: Table, column: Column[object]) -> bool:
    """Tell whether a column must carry a tag: by its table, its name or a review."""
    if column.name == "id":
        return False
    if table.name in PERSON_TABLES:
        return True
    if f"{table.name}.{column.name}" in REVIEWED_COLUMNS:
        return True
    return not PERSONAL_NAME_PARTS.isdisjoint(column.name.lower().split("_"))


def untagged_columns(metadata: MetaData = Base.metadata) -> tuple[str, ...]:
    """Return `table.column` of every column that looks personal but has no tag."""
    return tuple(
        f"{table.name}.{column.name}"
        for table in sorted(metadata.tables.values(), key=lambda t: t.name)
        for column in table.columns
        if looks_personal(table, column) and column_tag(table, column) is None
    )


def unreviewed_user_linked_tables(metadata: MetaData = Base.metadata) -> tuple[str, ...]:
    """Return tables with a key to `users` that are neither person tables nor reviewed."""
    linked = {
        table.name
        for table in metadata.tables.values()
        for key in table.foreign_keys
        if key.column.table.name == "users"
    }
    return tuple(sorted(linked - PERSON_TABLES - REVIEWED_USER_LINKED_TABLES))


def record_of_processing(metadata: MetaData = Base.metadata) -> tuple[TableRecord, ...]:
    """Return, per table holding personal data, its purpose, data subjects and columns."""
    by_table: dict[str, list[ColumnTag]] = {}
    for tag in catalogue(metadata):
        if tag.is_personal:
            by_table.setdefault(tag.table, []).append(tag)
    return tuple(
        TableRecord(
            table=name,
            purpose=PURPOSES.get(name, ""),
            data_subjects=DATA_SUBJECTS.get(name, DEFAULT_DATA_SUBJECTS),
            columns=tuple(tags),
        )
        for name, tags in sorted(by_table.items())
    )


def format_record(records: Iterable[TableRecord]) -> str:
    """Render the record of processing as plain text, one block per table."""
    lines = [
        "Record of processing activities (GDPR art. 30)",
        "",
        "Recipients: the campaign's coordinators and administrators; Twilio (SMS) and "
        "SendGrid (e-mail) as processors for contacts and message texts.",
        "",
        "Retention rules:",
    ]
    lines += [f"  {rule.value}: {text}" for rule, text in RETENTION_RULES.items()]
    for record in records:
        lines += [
            "",
            f"Table {record.table}",
            f"  purpose: {record.purpose or '(missing)'}",
            f"  data subjects: {record.data_subjects}",
            "  retention: " + ", ".join(rule.value for rule in record.retention_rules),
            "  columns:",
        ]
        for tag in record.columns:
            note = f" ({tag.note})" if tag.note else ""
            lines.append(f"    {tag.column}: {tag.category.value}, {tag.retention.value}{note}")
    return "\n".join(lines) + "\n"
