"""Staff invitations: a role in a campaign offered to an e-mail address.

The link carries a random token; only its SHA-256 is stored, so a copy of the database
does not open any invitation. Accepting creates the account, or adds the role to the
account of that address, and never lowers a role the account already holds.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import Campaign, Invitation, Membership, User
from webapp.models.users import Role
from webapp.services.errors import ServiceError
from webapp.services.passwords import hash_password
from webapp.services.recontact import lift_erasure_marks

logger = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=7)
MAX_TOKEN_LENGTH = 100
# Higher ranks win when an invitation meets an existing membership.
ROLE_RANKS = {Role.VOLUNTEER: 0, Role.TEAM_LEAD: 1, Role.COORDINATOR: 2, Role.ADMINISTRATOR: 3}


class InvitationProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    OTHER_ACCOUNT = "other_account"
    ACCOUNT_EXISTS = "account_exists"
    ROLE_NOT_ALLOWED = "role_not_allowed"


class InvitationError(ServiceError):
    def __init__(self, problem: InvitationProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and the token to e-mail; the token is never stored."""

    invitation_id: int
    email: str
    role: Role
    campaign_name: str
    expires_at: datetime
    token: str


@dataclass(frozen=True)
class InvitationView:
    invitation_id: int
    email: str
    role: Role
    campaign_name: str
    expires_at: datetime
    has_account: bool


@dataclass(frozen=True)
class PendingInvitation:
    email: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True)
class NewAccount:
    first_name: str
    last_name: str
    password: str
    locale: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(
    session: Session,
    *,
    campaign_id: int,
    inviter: User,
    inviter_role: Role,
    grantable: tuple[Role, ...],
    email: str,
    role: Role,
    now: datetime | None = None,
) -> IssuedInvitation:
    """Create an invitation, replacing any earlier one for this address and campaign."""
    if role not in grantable:
        raise InvitationError(InvitationProblem.ROLE_NOT_ALLOWED)
    now = now or utcnow()
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise InvitationError(InvitationProblem.UNKNOWN)
    # Earlier links to the same address stop working, so only the latest role applies.
    session.execute(
        update(Invitation)
        .where(
            Invitation.campaign_id == campaign_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        campaign_id=campaign_id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by_user_id=inviter.id,
        expires_at=now + INVITATION_LIFETIME,
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    logger.info(
        "user %s (%s) invited someone as %s to campaign %s",
        inviter.id,
        inviter_role.value,
        role.value,
        campaign_id,
        extra={"user_id": inviter.id, "campaign_id": campaign_id},
    )
    return IssuedInvitation(
        invitation_id=invitation.id,
        email=email,
        role=role,
        campaign_name=campaign.name,
        expires_at=invitation.expires_at,
        token=token,
    )


def list_pending_invitations(
    session: Session, campaign_id: int, now: datetime | None = None
) -> list[PendingInvitation]:
    """Return the campaign's invitations not yet accepted nor expired, newest first."""
    now = now or utcnow()
    rows = session.scalars(
        select(Invitation)
        .where(
            Invitation.campaign_id == campaign_id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return [PendingInvitation(row.email, row.role, row.expires_at) for row in rows]


def read_invitation(session: Session, token: str, now: datetime | None = None) -> InvitationView:
    """Return what the invitation offers, or raise InvitationError."""
    invitation = _usable(session, token, now or utcnow())
    campaign = session.get(Campaign, invitation.campaign_id)
    has_account = (
        session.scalars(select(User.id).where(User.email == invitation.email)).first() is not None
    )
    return InvitationView(
        invitation_id=invitation.id,
        email=invitation.email,
        role=invitation.role,
        campaign_name=campaign.name if campaign else "",
        expires_at=invitation.expires_at,
        has_account=has_account,
    )


def accept_as(session: Session, token: str, user: User, now: datetime | None = None) -> Membership:
    """Give the logged-in `user` the invited role; the invitation must name their address."""
    now = now or utcnow()
    invitation = _usable(session, token, now, for_update=True)
    if user.email != invitation.email:
        raise InvitationError(InvitationProblem.OTHER_ACCOUNT)
    membership = _grant(session, user, invitation, now)
    invitation.accepted_at = now
    # The link reached this mailbox, which proves the address.
    if user.email_verified_at is None:
        user.email_verified_at = now
    session.flush()
    lift_erasure_marks(session, user)
    _log_accepted(user, invitation)
    return membership


def accept_with_new_account(
    session: Session, token: str, account: NewAccount, now: datetime | None = None
) -> User:
    """Create the account of the invited address with the invited role."""
    now = now or utcnow()
    password_hash = hash_password(account.password)
    invitation = _usable(session, token, now, for_update=True)
    user = User(
        email=invitation.email,
        password_hash=password_hash,
        first_name=account.first_name,
        last_name=account.last_name,
        locale=account.locale,
        email_verified_at=now,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise InvitationError(InvitationProblem.ACCOUNT_EXISTS) from None
    _grant(session, user, invitation, now)
    invitation.accepted_at = now
    session.flush()
    _log_accepted(user, invitation)
    return user


def _usable(session: Session, token: str, now: datetime, *, for_update: bool = False) -> Invitation:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvitationError(InvitationProblem.UNKNOWN)
    query = select(Invitation).where(Invitation.token_hash == hash_token(token))
    if for_update:
        query = query.with_for_update()
    invitation = session.scalars(query).first()
    if invitation is None:
        raise InvitationError(InvitationProblem.UNKNOWN)
    if invitation.accepted_at is not None:
        raise InvitationError(InvitationProblem.USED)
    if invitation.expires_at <= now:
        raise InvitationError(InvitationProblem.EXPIRED)
    return invitation


def _grant(session: Session, user: User, invitation: Invitation, now: datetime) -> Membership:
    for membership in user.memberships:
        if membership.campaign_id == invitation.campaign_id:
            if ROLE_RANKS[invitation.role] > ROLE_RANKS[membership.role]:
                membership.role = invitation.role
            return membership
    membership = Membership(
        campaign_id=invitation.campaign_id, role=invitation.role, created_at=now
    )
    user.memberships.append(membership)
    session.flush()
    return membership


def _log_accepted(user: User, invitation: Invitation) -> None:
    logger.info(
        "user %s accepted invitation %s as %s",
        user.id,
        invitation.id,
        invitation.role.value,
        extra={"user_id": user.id, "campaign_id": invitation.campaign_id},
    )
