"""Accounts, roles per campaign, volunteer profiles, consents and availability."""

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, UtcDateTime, enum_column, utcnow


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    TEAM_LEAD = "team_lead"
    COORDINATOR = "coordinator"
    ADMINISTRATOR = "administrator"


# The roles that run a campaign: they see its planning pages and get its notices.
COORDINATOR_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class ConsentPurpose(StrEnum):
    # Messages about the volunteer's own canvassing: confirmations, routes, reminders.
    CANVASS_MESSAGES = "canvass_messages"
    # Hearing from the campaign after the election; also keeps the data past retention.
    STAY_IN_TOUCH = "stay_in_touch"


class User(UserMixin, Base):  # type: ignore[misc]  # flask_login ships no types
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(
        String(254), unique=True, info={"personal": "contact", "retention": "campaign"}
    )
    password_hash: Mapped[str] = mapped_column(
        String(255), info={"personal": "credential", "retention": "account"}
    )
    first_name: Mapped[str] = mapped_column(
        String(100), info={"personal": "identity", "retention": "campaign"}
    )
    last_name: Mapped[str] = mapped_column(
        String(100), info={"personal": "identity", "retention": "campaign"}
    )
    phone_e164: Mapped[str | None] = mapped_column(
        String(20), info={"personal": "contact", "retention": "campaign"}
    )
    locale: Mapped[str] = mapped_column(
        String(8), default="fr", info={"personal": "preference", "retention": "campaign"}
    )
    is_enabled: Mapped[bool] = mapped_column(
        Boolean, default=True, info={"personal": "technical", "retention": "account"}
    )
    email_verified_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "technical", "retention": "account"}
    )
    # A new address waiting for its verification link; the old one stays until then.
    pending_email: Mapped[str | None] = mapped_column(
        String(254), info={"personal": "contact", "retention": "campaign"}
    )
    # Bumped on logout and password change: sessions carrying an older value are refused.
    session_version: Mapped[int] = mapped_column(
        Integer, default=1, info={"personal": "credential", "retention": "account"}
    )
    # A Fernet token: the secret encrypted under a key derived from SECRET_KEY.
    totp_secret: Mapped[str | None] = mapped_column(
        String(255), info={"personal": "credential", "retention": "account"}
    )
    totp_enabled_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "credential", "retention": "account"}
    )
    # The 30-second step of the last TOTP code accepted: that code and older ones are refused.
    totp_last_step: Mapped[int | None] = mapped_column(
        Integer, info={"personal": "credential", "retention": "account"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "account"}
    )

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    profile: Mapped["VolunteerProfile | None"] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="VolunteerProfile.user_id"
    )
    availability: Mapped[list["AvailabilitySlot"]] = relationship(
        cascade="all, delete-orphan", order_by="AvailabilitySlot.weekday"
    )
    availability_exceptions: Mapped[list["AvailabilityException"]] = relationship(
        cascade="all, delete-orphan", order_by="AvailabilityException.on_date"
    )
    consents: Mapped[list["Consent"]] = relationship(
        cascade="all, delete-orphan", order_by="Consent.id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login reads this name.
        return self.is_enabled

    def role_in(self, campaign_id: int) -> Role | None:
        for membership in self.memberships:
            if membership.campaign_id == campaign_id:
                return membership.role
        return None

    def has_consent(
        self, channel: Channel, purpose: ConsentPurpose = ConsentPurpose.CANVASS_MESSAGES
    ) -> bool:
        """Return whether the latest consent row for this channel and purpose grants it."""
        latest = [c for c in self.consents if c.channel == channel and c.purpose == purpose]
        return bool(latest) and latest[-1].is_granted


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        info={"personal": "identifier", "retention": "campaign"},
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        info={"personal": "participation", "retention": "campaign"},
    )
    role: Mapped[Role] = mapped_column(
        enum_column(Role, 20), info={"personal": "participation", "retention": "campaign"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "campaign"}
    )

    user: Mapped[User] = relationship(back_populates="memberships")


class VolunteerProfile(Base):
    """Where a volunteer lives and how they canvass; the home is never shown to others."""

    __tablename__ = "volunteer_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        info={"personal": "identifier", "retention": "campaign"},
    )
    home_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("addresses.id", ondelete="SET NULL"),
        info={"personal": "location", "retention": "campaign"},
    )
    home_postcode: Mapped[str | None] = mapped_column(
        String(5), info={"personal": "location", "retention": "campaign"}
    )
    home_lon: Mapped[float | None] = mapped_column(
        Float, info={"personal": "location", "retention": "campaign"}
    )
    home_lat: Mapped[float | None] = mapped_column(
        Float, info={"personal": "location", "retention": "campaign"}
    )
    is_experienced: Mapped[bool] = mapped_column(
        Boolean, default=False, info={"personal": "preference", "retention": "campaign"}
    )
    max_distance_m: Mapped[int | None] = mapped_column(
        Integer, info={"personal": "preference", "retention": "campaign"}
    )
    # Longest trip from home to a meeting point the volunteer accepts, in minutes.
    max_travel_minutes: Mapped[int | None] = mapped_column(
        Integer, info={"personal": "preference", "retention": "campaign"}
    )
    travel_mode: Mapped[str] = mapped_column(
        String(20), default="walk", info={"personal": "preference", "retention": "campaign"}
    )
    max_sessions_per_week: Mapped[int | None] = mapped_column(
        Integer, info={"personal": "availability", "retention": "campaign"}
    )
    # ISO 639-1 codes of the languages the volunteer speaks besides French.
    languages: Mapped[list[str]] = mapped_column(
        JSON, default=list, info={"personal": "preference", "retention": "campaign"}
    )
    # Another volunteer this one asked to canvass with.
    partner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        info={"personal": "preference", "retention": "campaign"},
    )

    user: Mapped[User] = relationship(back_populates="profile", foreign_keys=[user_id])


class Consent(Base):
    """One consent decision; a withdrawal is a new row, never an update."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "identifier", "retention": "proof"},
    )
    purpose: Mapped[ConsentPurpose] = mapped_column(
        enum_column(ConsentPurpose, 40), info={"personal": "consent_proof", "retention": "proof"}
    )
    channel: Mapped[Channel] = mapped_column(
        enum_column(Channel, 10), info={"personal": "consent_proof", "retention": "proof"}
    )
    is_granted: Mapped[bool] = mapped_column(
        Boolean, info={"personal": "consent_proof", "retention": "proof"}
    )
    wording_version: Mapped[str] = mapped_column(
        String(40), info={"personal": "consent_proof", "retention": "proof"}
    )
    source: Mapped[str] = mapped_column(
        String(40), info={"personal": "consent_proof", "retention": "proof"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "consent_proof", "retention": "proof"}
    )


class AvailabilityException(Base):
    """A dated change to the weekly grid: a day off, or extra hours on one date.

    With no minutes, the exception covers the whole day.
    """

    __tablename__ = "availability_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "identifier", "retention": "campaign"},
    )
    on_date: Mapped[date] = mapped_column(
        info={"personal": "availability", "retention": "campaign"}
    )
    start_minute: Mapped[int | None] = mapped_column(
        info={"personal": "availability", "retention": "campaign"}
    )
    end_minute: Mapped[int | None] = mapped_column(
        info={"personal": "availability", "retention": "campaign"}
    )
    is_available: Mapped[bool] = mapped_column(
        Boolean, default=False, info={"personal": "availability", "retention": "campaign"}
    )


class AvailabilitySlot(Base):
    """A recurring weekly window in local time (Europe/Paris), end exclusive."""

    __tablename__ = "availability_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "identifier", "retention": "campaign"},
    )
    # 0 = Monday
    weekday: Mapped[int] = mapped_column(info={"personal": "availability", "retention": "campaign"})
    start_minute: Mapped[int] = mapped_column(
        info={"personal": "availability", "retention": "campaign"}
    )
    end_minute: Mapped[int] = mapped_column(
        info={"personal": "availability", "retention": "campaign"}
    )


class RecoveryCode(Base):
    """A single-use code that replaces the authenticator app; only its hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "identifier", "retention": "account"},
    )
    code_hash: Mapped[str] = mapped_column(
        String(255), info={"personal": "credential", "retention": "account"}
    )
    used_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "credential", "retention": "account"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "account"}
    )


class Invitation(Base):
    """A staff invitation sent by e-mail; only the hash of its token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "technical", "retention": "invitation"},
    )
    email: Mapped[str] = mapped_column(
        String(254), info={"personal": "contact", "retention": "invitation"}
    )
    role: Mapped[Role] = mapped_column(
        enum_column(Role, 20), info={"personal": "participation", "retention": "invitation"}
    )
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, info={"personal": "credential", "retention": "invitation"}
    )
    invited_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        info={"personal": "identifier", "retention": "invitation"},
    )
    expires_at: Mapped[datetime] = mapped_column(
        UtcDateTime, info={"personal": "technical", "retention": "invitation"}
    )
    accepted_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "technical", "retention": "invitation"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "invitation"}
    )
