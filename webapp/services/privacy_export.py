"""Everything the site stores about one person, as JSON or as a zip of CSV files.

The export follows the data catalogue: every table with rows about the person is read
whole, except credential columns (password hash, second-factor secret, hashes of
codes and links), which are listed as withheld because a copy of them would weaken the
account. The CSV form is a zip holding one `<table>.csv` per table, with a header row
of column names, so a spreadsheet opens each table as it is in the database.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, select
from sqlalchemy.orm import Session

from webapp.models import (
    Address,
    Assignment,
    AuditEvent,
    AvailabilityException,
    AvailabilitySlot,
    Broadcast,
    Campaign,
    CanvassSession,
    Consent,
    InboundSms,
    Invitation,
    LeftOutVolunteer,
    Membership,
    Message,
    ProviderEvent,
    RecoveryCode,
    SessionFeedback,
    Suppression,
    User,
    VolunteerProfile,
)
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.addresses import postal_label
from webapp.services.audit import AuditAction, record_access
from webapp.services.data_catalogue import Category, column_tag
from webapp.services.erasure import (
    Contacts,
    PersonNotFoundError,
    contacts_of,
    messages_of_clause,
    provider_events_clause,
)
from webapp.services.recontact import lift_erasure_marks

EXPORT_FORMAT_VERSION = 1
# Spreadsheets run a cell starting with these as a formula; a leading quote stops that.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

JsonValue = Any
Row = dict[str, JsonValue]


@dataclass(frozen=True)
class PersonalExport:
    """The person's rows by table name, and the columns left out with the reason."""

    user_id: int
    generated_at: datetime
    tables: Mapping[str, tuple[Row, ...]]
    columns: Mapping[str, tuple[str, ...]]
    withheld: tuple[str, ...]

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


@dataclass(frozen=True)
class _Source:
    """How to find the person's rows of one table, and what to add to each row."""

    table: Table
    where: Callable[["_Person"], ColumnElement[bool]]
    enrich: Callable[[Session, Row], Row] | None = None
    extra_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Person:
    user_id: int
    contacts: Contacts
    provider_ids: tuple[str, ...]


def collect_personal_data(session: Session, user_id: int, *, now: datetime) -> PersonalExport:
    """Return every row about the person, table by table; raise PersonNotFoundError."""
    user = session.get(User, user_id)
    if user is None:
        raise PersonNotFoundError(f"user {user_id} not found")
    contacts = contacts_of(session, user)
    provider_ids = tuple(
        pid
        for pid in session.scalars(
            select(Message.provider_id).where(messages_of_clause(user_id, contacts))
        )
        if pid
    ) + tuple(
        session.scalars(
            select(InboundSms.provider_id).where(InboundSms.sender.in_(contacts.phones))
        )
    )
    person = _Person(user_id=user_id, contacts=contacts, provider_ids=provider_ids)
    tables: dict[str, tuple[Row, ...]] = {}
    columns: dict[str, tuple[str, ...]] = {}
    withheld: list[str] = []
    for source in _SOURCES:
        exported, hidden = _split_columns(source.table)
        withheld += [f"{source.table.name}.{name}" for name in hidden]
        columns[source.table.name] = (*exported, *source.extra_columns)
        tables[source.table.name] = _read_rows(session, source, person, exported)
    return PersonalExport(
        user_id=user_id,
        generated_at=now,
        tables=tables,
        columns=columns,
        withheld=tuple(withheld),
    )


def export_json(export: PersonalExport) -> bytes:
    """Render the export as one UTF-8 JSON document."""
    document = {
        "format_version": EXPORT_FORMAT_VERSION,
        "generated_at": export.generated_at.isoformat(),
        "user_id": export.user_id,
        "withheld_columns": list(export.withheld),
        "tables": {name: list(rows) for name, rows in export.tables.items()},
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def export_csv_zip(export: PersonalExport) -> bytes:
    """Render the export as a zip of one CSV file per table, UTF-8 with a BOM for Excel."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in export.tables.items():
            archive.writestr(
                f"{name}.csv", _csv_text(export.columns[name], rows).encode("utf-8-sig")
            )
    return buffer.getvalue()


def _csv_text(header: tuple[str, ...], rows: tuple[Row, ...]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(row.get(name)) for name in header])
    return text.getvalue()


def _csv_cell(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def _split_columns(table: Table) -> tuple[tuple[str, ...], tuple[str, ...]]:
    exported: list[str] = []
    hidden: list[str] = []
    for column in table.columns:
        tag = column_tag(table, column)
        if tag is not None and tag.category is Category.CREDENTIAL:
            hidden.append(column.name)
        else:
            exported.append(column.name)
    return tuple(exported), tuple(hidden)


def _read_rows(
    session: Session, source: _Source, person: _Person, exported: tuple[str, ...]
) -> tuple[Row, ...]:
    table = source.table
    order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
    query = (
        select(*(table.c[name] for name in exported)).where(source.where(person)).order_by(*order)
    )
    rows: list[Row] = []
    for found in session.execute(query).mappings():
        row = {name: _json_value(found[name]) for name in exported}
        if source.enrich is not None:
            row.update(source.enrich(session, row))
        rows.append(row)
    return tuple(rows)


def _json_value(value: object) -> JsonValue:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _campaign_name(session: Session, row: Row) -> Row:
    campaign = session.get(Campaign, row["campaign_id"])
    return {"campaign_name": campaign.name if campaign else None}


def _session_details(session: Session, row: Row) -> Row:
    canvass = session.get(CanvassSession, row["session_id"])
    if canvass is None:
        return {}
    campaign = session.get(Campaign, canvass.campaign_id)
    return {
        "session_starts_at": canvass.starts_at.isoformat(),
        "session_ends_at": canvass.ends_at.isoformat(),
        "meeting_point": canvass.meeting_point_label,
        "iris_code": canvass.iris_code,
        "campaign_name": campaign.name if campaign else None,
    }


def _home_address(session: Session, row: Row) -> Row:
    address_id = row.get("home_address_id")
    address = session.get(Address, address_id) if address_id else None
    if address is None:
        return {"home_address": None}
    return {"home_address": postal_label(session, address)}


def _by_user(column: Any) -> Callable[[_Person], ColumnElement[bool]]:
    return lambda person: column == person.user_id


def _contacts_where(channel_column: Any, address_column: Any) -> Callable[[_Person], Any]:
    def where(person: _Person) -> ColumnElement[bool]:
        return or_(
            and_(channel_column == Channel.EMAIL, address_column.in_(person.contacts.emails)),
            and_(channel_column == Channel.SMS, address_column.in_(person.contacts.phones)),
        )

    return where


def _audit_where(person: _Person) -> ColumnElement[bool]:
    return or_(
        AuditEvent.actor_user_id == person.user_id,
        and_(AuditEvent.object_type == "user", AuditEvent.object_id == str(person.user_id)),
    )


def _provider_events_where(person: _Person) -> ColumnElement[bool]:
    return provider_events_clause(person.contacts, person.provider_ids)


_SESSION_COLUMNS = ("session_starts_at", "session_ends_at", "meeting_point", "iris_code")

_SOURCES: tuple[_Source, ...] = (
    _Source(User.__table__, _by_user(User.id)),  # type: ignore[arg-type]
    _Source(
        Membership.__table__,  # type: ignore[arg-type]
        _by_user(Membership.user_id),
        _campaign_name,
        ("campaign_name",),
    ),
    _Source(
        VolunteerProfile.__table__,  # type: ignore[arg-type]
        _by_user(VolunteerProfile.user_id),
        _home_address,
        ("home_address",),
    ),
    _Source(AvailabilitySlot.__table__, _by_user(AvailabilitySlot.user_id)),  # type: ignore[arg-type]
    _Source(
        AvailabilityException.__table__,  # type: ignore[arg-type]
        _by_user(AvailabilityException.user_id),
    ),
    _Source(Consent.__table__, _by_user(Consent.user_id)),  # type: ignore[arg-type]
    _Source(
        Assignment.__table__,  # type: ignore[arg-type]
        _by_user(Assignment.user_id),
        _session_details,
        (*_SESSION_COLUMNS, "campaign_name"),
    ),
    _Source(
        SessionFeedback.__table__,  # type: ignore[arg-type]
        lambda person: SessionFeedback.assignment_id.in_(
            select(Assignment.id).where(Assignment.user_id == person.user_id)
        ),
    ),
    _Source(
        LeftOutVolunteer.__table__,  # type: ignore[arg-type]
        _by_user(LeftOutVolunteer.user_id),
        _campaign_name,
        ("campaign_name",),
    ),
    _Source(
        Message.__table__,  # type: ignore[arg-type]
        lambda person: messages_of_clause(person.user_id, person.contacts),
    ),
    _Source(
        Suppression.__table__,  # type: ignore[arg-type]
        _contacts_where(Suppression.channel, Suppression.address),
    ),
    _Source(
        InboundSms.__table__,  # type: ignore[arg-type]
        lambda person: InboundSms.sender.in_(person.contacts.phones),
    ),
    _Source(ProviderEvent.__table__, _provider_events_where),  # type: ignore[arg-type]
    _Source(
        Invitation.__table__,  # type: ignore[arg-type]
        lambda person: Invitation.email.in_(person.contacts.emails),
    ),
    _Source(RecoveryCode.__table__, _by_user(RecoveryCode.user_id)),  # type: ignore[arg-type]
    _Source(Broadcast.__table__, _by_user(Broadcast.created_by_user_id)),  # type: ignore[arg-type]
    _Source(AuditEvent.__table__, _audit_where),  # type: ignore[arg-type]
)


# The "my data" page: what is held, and the consent decisions the person can change.

PRIVACY_PAGE_SOURCE = "privacy_page"
# Version of the consent sentences on the page; change it whenever they change.
PRIVACY_PAGE_WORDING_VERSION = "2026-12-privacy-page-v1"


@dataclass(frozen=True)
class ConsentState:
    """The latest decision for one purpose and channel; `is_granted` is None if never asked."""

    purpose: ConsentPurpose
    channel: Channel
    is_granted: bool | None
    decided_at: datetime | None
    source: str | None


@dataclass(frozen=True)
class MyData:
    row_counts: Mapping[str, int]
    consents: tuple[ConsentState, ...]


def load_my_data(session: Session, user_id: int, *, now: datetime) -> MyData:
    """Return how many rows each table contains about the person, and their consents."""
    export = collect_personal_data(session, user_id, now=now)
    return MyData(
        row_counts={name: len(rows) for name, rows in export.tables.items()},
        consents=list_consent_states(session, user_id),
    )


def prepare_export(session: Session, user_id: int, *, now: datetime) -> PersonalExport:
    """Collect the person's data for a download and write the audit event; flushes only."""
    export = collect_personal_data(session, user_id, now=now)
    record_access(session, user_id, AuditAction.EXPORT, "user", user_id, export.row_count, now=now)
    return export


def list_consent_states(session: Session, user_id: int) -> tuple[ConsentState, ...]:
    """Return the latest decision for every purpose and channel, purposes in enum order."""
    latest: dict[tuple[ConsentPurpose, Channel], Consent] = {}
    for consent in session.scalars(
        select(Consent).where(Consent.user_id == user_id).order_by(Consent.created_at, Consent.id)
    ):
        latest[(consent.purpose, consent.channel)] = consent
    states = []
    for purpose in ConsentPurpose:
        for channel in Channel:
            found = latest.get((purpose, channel))
            states.append(
                ConsentState(
                    purpose=purpose,
                    channel=channel,
                    is_granted=found.is_granted if found else None,
                    decided_at=found.created_at if found else None,
                    source=found.source if found else None,
                )
            )
    return tuple(states)


def change_consent(
    session: Session,
    user_id: int,
    purpose: ConsentPurpose,
    channel: Channel,
    *,
    is_granted: bool,
    now: datetime,
) -> bool:
    """Record a new decision unless it repeats the latest one; return whether it changed.

    A withdrawal is a new row, never an update, so the proof of the earlier consent
    stays. Flushes only; the caller commits.
    """
    current = next(
        state
        for state in list_consent_states(session, user_id)
        if state.purpose == purpose and state.channel == channel
    )
    if current.is_granted is is_granted or (current.is_granted is None and not is_granted):
        return False
    session.add(
        Consent(
            user_id=user_id,
            purpose=purpose,
            channel=channel,
            is_granted=is_granted,
            wording_version=PRIVACY_PAGE_WORDING_VERSION,
            source=PRIVACY_PAGE_SOURCE,
            created_at=now,
        )
    )
    session.flush()
    user = session.get(User, user_id)
    if is_granted and user is not None:
        lift_erasure_marks(session, user)
    return True
