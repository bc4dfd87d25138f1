"""Erasing a person: from every table, then from the queue, Redis and the SMS provider.

Inside the database the erasure is one unit of work. The user row is deleted, and its
memberships, profile, availability, consents, assignments, recovery codes and left-out
rows follow through `ON DELETE CASCADE`. The messages, suppressions, inbound SMS,
provider callbacks and invitations that name the person's contacts are deleted too.
Only one `ErasedContact` row per contact remains: a keyed hash that lets delivery
recognise the address without keeping it.

Outside the database, work starts only after the commit: the send jobs of the deleted
messages are deleted from RQ, Redis keys naming a contact are dropped, and Twilio is
asked to delete the SMS it keeps.

NOTE: PostgreSQL keeps deleted rows on disk until VACUUM reclaims them, and database
backups keep them until the backups expire; both must be shorter than the retention
promised in the information notice.
"""

import hashlib
import hmac
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers
import requests
from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import ColumnElement, Text, cast, delete, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Delete
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from messaging.providers.base import PROVIDER_HTTP_TIMEOUT_S
from webapp.db import call_after_commit
from webapp.models import (
    ErasedContact,
    InboundSms,
    Invitation,
    Membership,
    Message,
    ProviderEvent,
    Suppression,
    User,
)
from webapp.models.users import Channel, Role
from webapp.services.audit import AuditAction, record_access
from webapp.services.errors import NotFoundError, ServiceError
from webapp.services.passwords import spend_hashing_time, verify_password
from webapp.services.rate_limits import subject_key
from webapp.settings import Settings
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

SEND_MESSAGE_JOB_PREFIX = "send-message-"
REDIS_TIMEOUT_S = 5
REDIS_SCAN_COUNT = 500
_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")


class PersonNotFoundError(NotFoundError):
    """No user has this id: nothing to erase."""


class WrongPasswordError(ServiceError):
    """The password typed to confirm the erasure is not the account's."""


class SoleAdministratorError(ServiceError):
    """The person is the only administrator of a campaign that has other members."""


@dataclass(frozen=True)
class Contacts:
    """A person's addresses as stored: e-mails in lower case, phones in E.164."""

    emails: frozenset[str]
    phones: frozenset[str]

    def for_channel(self, channel: Channel) -> frozenset[str]:
        return self.emails if channel == Channel.EMAIL else self.phones

    @property
    def all(self) -> frozenset[str]:
        return self.emails | self.phones


@dataclass(frozen=True)
class ErasureTrace:
    """Message ids, SMS ids and Redis key parts for the clean-up after the commit."""

    user_id: int
    message_ids: tuple[int, ...]
    twilio_sids: tuple[str, ...]
    # Parts of Redis key names that point at the person: contacts and rate-limit subjects.
    redis_needles: frozenset[str] = field(repr=False)


@dataclass(frozen=True)
class ErasureReport:
    """Rows deleted per table; the contacts themselves are never part of it."""

    user_id: int
    deleted: dict[str, int]
    erased_contact_count: int
    trace: ErasureTrace = field(repr=False)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def normalise_address(channel: Channel, address: str) -> str:
    """Return the form a contact is hashed in: lower-case e-mail, E.164 phone number.

    A phone number that does not parse keeps its digits and a leading plus.
    """
    text = address.strip()
    if channel == Channel.EMAIL:
        return text.lower()
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        return re.sub(r"[^\d+]", "", text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_hash(secret_key: str, channel: Channel, address: str) -> str:
    """Return the HMAC-SHA256 (hex) of the channel and normalised address.

    NOTE: the key is the application's secret key; changing that key makes every
    stored hash unrecognisable, so erased people could be contacted again. Rotate it
    only together with a rehash, which is impossible without the addresses: keep it.
    """
    return normalised_contact_hash(secret_key, channel, normalise_address(channel, address))


def normalised_contact_hash(secret_key: str, channel: Channel, normalised: str) -> str:
    """Return `contact_hash` of an address already through `normalise_address`."""
    message = f"{channel.value}:{normalised}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def is_erased(
    session: Session, channel: Channel, address: str, *, secret_key: str | None = None
) -> bool:
    """Tell whether `address` belongs to an erased person, who must not be contacted."""
    if not normalise_address(channel, address):
        return False
    digest = contact_hash(secret_key or get_settings().secret_key, channel, address)
    found = session.scalars(
        select(ErasedContact.id).where(
            ErasedContact.channel == channel, ErasedContact.address_hash == digest
        )
    ).first()
    return found is not None


def forget_erased_contact(
    session: Session, channel: Channel, address: str, *, secret_key: str | None = None
) -> bool:
    """Drop the erasure mark of a contact whose owner signed up again and consented anew.

    Return whether a mark was removed. Flushes only.
    """
    digest = contact_hash(secret_key or get_settings().secret_key, channel, address)
    result = session.execute(
        delete(ErasedContact).where(
            ErasedContact.channel == channel, ErasedContact.address_hash == digest
        )
    )
    return _row_count(result) > 0


def check_own_erasure(session: Session, user_id: int, password: str) -> None:
    """Raise unless the password is right and the person may erase their own account."""
    user = session.get(User, user_id)
    if user is None:
        spend_hashing_time(password)
        raise PersonNotFoundError(f"user {user_id} not found")
    if not verify_password(user.password_hash, password):
        raise WrongPasswordError("wrong password")
    if _sole_administrator_of(session, user_id):
        raise SoleAdministratorError("the only administrator of a campaign")


def erase_person(
    session: Session,
    user_id: int,
    *,
    actor_user_id: int | None = None,
    reason: str = "request",
    settings: Settings | None = None,
) -> ErasureReport:
    """Remove the person from every table and leave only the hashes of their contacts.

    Flushes only; the caller commits. The queue, Redis and provider clean-up is
    registered to run after that commit and never on a rollback. Idempotent in effect:
    a second call raises PersonNotFoundError and changes nothing.
    """
    settings = settings or get_settings()
    user = session.get(User, user_id)
    if user is None:
        raise PersonNotFoundError(f"user {user_id} not found")
    contacts = contacts_of(session, user)
    own = _exclusive_contacts(session, user_id, contacts)
    messages = _messages_of(session, user_id, own)
    inbound = session.execute(
        select(InboundSms.id, InboundSms.provider_id).where(InboundSms.sender.in_(own.phones))
    ).all()
    provider_ids = [pid for _, _, pid in messages if pid] + [pid for _, pid in inbound]
    deleted = {
        "provider_events": _delete_provider_events(session, own, provider_ids),
        "messages": _delete_ids(session, Message, [mid for mid, _, _ in messages]),
        "inbound_sms": _delete_ids(session, InboundSms, [iid for iid, _ in inbound]),
        "suppressions": _delete_suppressions(session, own),
        "invitations": _row_count(
            session.execute(_delete(Invitation).where(func.lower(Invitation.email).in_(own.emails)))
        ),
    }
    session.expunge(user)
    deleted["users"] = _row_count(session.execute(_delete(User).where(User.id == user_id)))
    erased = _mark_erased(session, settings.secret_key, own)
    record_access(session, actor_user_id, AuditAction.ERASE, "user", user_id, sum(deleted.values()))
    trace = ErasureTrace(
        user_id=user_id,
        message_ids=tuple(mid for mid, _, _ in messages),
        twilio_sids=tuple(_twilio_sids(messages, inbound)),
        redis_needles=_redis_needles(settings.secret_key, user_id, own),
    )
    call_after_commit(session, lambda: forget_outside_database(settings, trace))
    logger.info(
        "User %s erased (%s): %s rows deleted, %s contacts marked",
        user_id,
        reason,
        sum(deleted.values()),
        erased,
        extra={"user_id": user_id},
    )
    return ErasureReport(user_id=user_id, deleted=deleted, erased_contact_count=erased, trace=trace)


def forget_outside_database(settings: Settings, trace: ErasureTrace) -> None:
    """Delete the person's send jobs and Redis keys, and ask Twilio to delete their SMS.

    Runs after the erasure committed. Each step tolerates failures with a log line:
    the database no longer contains the messages, so a leftover job sends nothing.
    NOTE: SendGrid offers no way to delete one sent e-mail; its activity feed expires
    on its own schedule, which the information notice must state.
    """
    if _uses_redis(settings):
        _forget_in_redis(settings, trace)
    if trace.twilio_sids:
        delete_twilio_messages(settings, trace.twilio_sids, user_id=trace.user_id)


def delete_twilio_messages(
    settings: Settings, sids: Iterable[str], *, user_id: int | None = None
) -> int:
    """Ask Twilio to delete each message; return how many it deleted.

    Twilio refuses to delete a message still being sent; such a refusal is logged and
    the message stays in Twilio's log until its own retention ends.
    NOTE: with the outbox backend the development outbox file keeps its lines.
    """
    if settings.message_backend != "providers" or not (
        settings.twilio_account_sid and settings.twilio_auth_token
    ):
        return 0
    client = _twilio_client(settings)
    deleted = 0
    for sid in sids:
        try:
            client.messages(sid).delete()
        except (TwilioException, requests.RequestException) as error:
            logger.warning(
                "Twilio kept message %s of erased user %s: %s",
                sid,
                user_id,
                type(error).__name__,
                extra={"user_id": user_id, "provider_id": sid},
            )
            continue
        deleted += 1
    logger.info(
        "Twilio deleted %s messages of erased user %s", deleted, user_id, extra={"user_id": user_id}
    )
    return deleted


def _twilio_client(settings: Settings) -> Client:
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=TwilioHttpClient(timeout=PROVIDER_HTTP_TIMEOUT_S),
    )
    if settings.twilio_api_base_url:
        # The same redirection the SMS sender applies, for a test server.
        client.api.base_url = settings.twilio_api_base_url.rstrip("/")
        client.edge = None
        client.region = None
    return client


def _uses_redis(settings: Settings) -> bool:
    return not settings.is_queue_synchronous or settings.is_rate_limit_enabled


def _forget_in_redis(settings: Settings, trace: ErasureTrace) -> None:
    try:
        redis = Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_S,
            socket_timeout=REDIS_TIMEOUT_S,
        )
        jobs = _delete_send_jobs(redis, trace.message_ids)
        keys = _delete_keys_naming(redis, trace.redis_needles)
    except RedisError as error:
        logger.warning(
            "Redis clean-up after erasing user %s failed: %s",
            trace.user_id,
            type(error).__name__,
            extra={"user_id": trace.user_id},
        )
        return
    logger.info(
        "Redis clean-up after erasing user %s: %s jobs and %s keys deleted",
        trace.user_id,
        jobs,
        keys,
        extra={"user_id": trace.user_id},
    )


def _delete_send_jobs(redis: Redis, message_ids: Iterable[int]) -> int:
    count = 0
    for message_id in message_ids:
        try:
            job = Job.fetch(f"{SEND_MESSAGE_JOB_PREFIX}{message_id}", connection=redis)
        except NoSuchJobError:
            continue
        job.delete()
        count += 1
    return count


def _redis_needles(secret_key: str, user_id: int, contacts: Contacts) -> frozenset[str]:
    """Return what a Redis key naming the person contains: a contact or a limit subject."""
    subjects = {subject_key(secret_key, "account", str(user_id))}
    subjects |= {subject_key(secret_key, "email", email) for email in contacts.emails}
    return contacts.all | frozenset(subjects)


def _delete_keys_naming(redis: Redis, values: Iterable[str]) -> int:
    """Delete every key whose name contains one of `values` (rate-limit keys, for one)."""
    count = 0
    for value in values:
        pattern = "*" + _GLOB_SPECIAL.sub(r"\\\1", value) + "*"
        keys = list(redis.scan_iter(match=pattern, count=REDIS_SCAN_COUNT))
        if keys:
            deleted: int = redis.delete(*keys)  # type: ignore[assignment]
            count += deleted
    return count


def contacts_of(session: Session, user: User) -> Contacts:
    """Return the person's current, pending and past addresses, normalised."""
    emails = {user.email, user.pending_email}
    phones = {user.phone_e164}
    # Messages keep the address they went to, which may be an older one.
    for channel, recipient in session.execute(
        select(Message.channel, Message.recipient).where(Message.user_id == user.id).distinct()
    ):
        (emails if channel == Channel.EMAIL else phones).add(recipient)
    return Contacts(
        emails=frozenset(normalise_address(Channel.EMAIL, e) for e in emails if e) - {""},
        phones=frozenset(normalise_address(Channel.SMS, p) for p in phones if p) - {""},
    )


def _exclusive_contacts(session: Session, user_id: int, contacts: Contacts) -> Contacts:
    """Leave out a phone or e-mail that another account also uses: it is not only theirs."""
    shared_phones = set(
        session.scalars(
            select(User.phone_e164).where(User.id != user_id, User.phone_e164.in_(contacts.phones))
        )
    )
    shared_emails = set(
        session.scalars(
            select(func.lower(User.email)).where(
                User.id != user_id, func.lower(User.email).in_(contacts.emails)
            )
        )
    )
    return Contacts(emails=contacts.emails - shared_emails, phones=contacts.phones - shared_phones)


def _messages_of(
    session: Session, user_id: int, contacts: Contacts
) -> list[tuple[int, Channel, str | None]]:
    """Return (id, channel, provider id) of the person's messages.

    Their rows are those naming them, and those naming no user but sent to one of their
    contacts. A row naming another user belongs to that user.
    """
    rows = session.execute(
        select(Message.id, Message.channel, Message.provider_id).where(
            messages_of_clause(user_id, contacts)
        )
    ).all()
    return [(mid, channel, provider_id) for mid, channel, provider_id in rows]


def messages_of_clause(user_id: int, contacts: Contacts) -> ColumnElement[bool]:
    """Select the messages naming the person, or naming no user and sent to their contacts."""
    to_contact = or_(
        (Message.channel == Channel.EMAIL) & func.lower(Message.recipient).in_(contacts.emails),
        (Message.channel == Channel.SMS) & Message.recipient.in_(contacts.phones),
    )
    return or_(Message.user_id == user_id, Message.user_id.is_(None) & to_contact)


def provider_events_clause(contacts: Contacts, provider_ids: Iterable[str]) -> ColumnElement[bool]:
    """Select the provider callbacks that name one of the contacts or provider ids."""
    ids = sorted(set(provider_ids))
    payload = cast(ProviderEvent.payload, Text)
    conditions = [payload.icontains(needle, autoescape=True) for needle in sorted(contacts.all)]
    conditions += [payload.contains(pid, autoescape=True) for pid in ids]
    conditions += [ProviderEvent.event_key.contains(pid, autoescape=True) for pid in ids]
    return or_(false(), *conditions)


def _delete_provider_events(session: Session, contacts: Contacts, provider_ids: list[str]) -> int:
    if not contacts.all and not provider_ids:
        return 0
    statement = _delete(ProviderEvent).where(provider_events_clause(contacts, provider_ids))
    return _row_count(session.execute(statement))


def _delete_suppressions(session: Session, contacts: Contacts) -> int:
    statement = _delete(Suppression).where(
        or_(
            (Suppression.channel == Channel.EMAIL)
            & func.lower(Suppression.address).in_(contacts.emails),
            (Suppression.channel == Channel.SMS) & Suppression.address.in_(contacts.phones),
        )
    )
    return _row_count(session.execute(statement))


def _delete_ids(session: Session, model: type[Message] | type[InboundSms], ids: list[int]) -> int:
    if not ids:
        return 0
    return _row_count(session.execute(_delete(model).where(model.id.in_(ids))))


def _mark_erased(session: Session, secret_key: str, contacts: Contacts) -> int:
    hashes = {
        contact_hash(secret_key, channel, address): channel
        for channel in (Channel.EMAIL, Channel.SMS)
        for address in contacts.for_channel(channel)
    }
    if not hashes:
        return 0
    present = {
        (channel, digest)
        for channel, digest in session.execute(
            select(ErasedContact.channel, ErasedContact.address_hash).where(
                ErasedContact.address_hash.in_(hashes)
            )
        )
    }
    for digest, channel in hashes.items():
        if (channel, digest) not in present:
            session.add(ErasedContact(channel=channel, address_hash=digest))
    session.flush()
    return len(hashes)


def _twilio_sids(
    messages: list[tuple[int, Channel, str | None]], inbound: Iterable[tuple[int, str]]
) -> list[str]:
    sids = [pid for _, channel, pid in messages if channel == Channel.SMS and pid]
    sids += [pid for _, pid in inbound if pid]
    return sorted(set(sids))


def _sole_administrator_of(session: Session, user_id: int) -> bool:
    campaigns = session.scalars(
        select(Membership.campaign_id).where(
            Membership.user_id == user_id, Membership.role == Role.ADMINISTRATOR
        )
    ).all()
    for campaign_id in campaigns:
        others = session.scalars(
            select(Membership.role).where(
                Membership.campaign_id == campaign_id, Membership.user_id != user_id
            )
        ).all()
        if others and Role.ADMINISTRATOR not in others:
            return True
    return False


def _delete(model: type[object]) -> Delete:
    return delete(model).execution_options(synchronize_session=False)


def _row_count(result: object) -> int:
    """Return how many rows a DELETE touched (PostgreSQL and SQLite both report it)."""
    return int(getattr(result, "rowcount", 0) or 0)
