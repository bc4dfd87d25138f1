"""Words the privacy pages show for stored codes: purposes, channels, tables, actions."""

from typing import Any

from flask_babel import lazy_gettext

from webapp.models.users import Channel, ConsentPurpose
from webapp.services.audit import AuditAction

PURPOSE_LABELS: dict[ConsentPurpose, Any] = {
    ConsentPurpose.CANVASS_MESSAGES: lazy_gettext(
        "Messages about my canvassing: confirmations, routes and reminders"
    ),
    ConsentPurpose.STAY_IN_TOUCH: lazy_gettext(
        "Staying in touch after the election: the campaign keeps my name and contact "
        "details after its retention date and may write to me about its next actions"
    ),
}

CHANNEL_LABELS: dict[Channel, Any] = {
    Channel.EMAIL: lazy_gettext("by e-mail"),
    Channel.SMS: lazy_gettext("by SMS"),
}

# Tables of the download, in the order of the page.
TABLE_LABELS: dict[str, Any] = {
    "users": lazy_gettext("Account: name, e-mail address, phone number, language"),
    "memberships": lazy_gettext("Campaigns you take part in, and your role"),
    "volunteer_profiles": lazy_gettext("Volunteer profile: home, experience, preferences"),
    "availability_slots": lazy_gettext("Weekly availability"),
    "availability_exceptions": lazy_gettext("Dated changes to your availability"),
    "consents": lazy_gettext("Consents and withdrawals, with their date and wording"),
    "assignments": lazy_gettext("Sessions you were assigned to"),
    "left_out_volunteers": lazy_gettext("Plannings that could not place you, with the reason"),
    "messages": lazy_gettext("Messages sent to you"),
    "suppressions": lazy_gettext("Addresses of yours that must not receive messages"),
    "inbound_sms": lazy_gettext("Your SMS replies"),
    "provider_events": lazy_gettext("Delivery reports of messages sent to you"),
    "invitations": lazy_gettext("Invitations sent to your e-mail address"),
    "recovery_codes": lazy_gettext("Recovery codes of the second factor (dates only)"),
    "broadcasts": lazy_gettext("Group messages you wrote"),
    "audit_events": lazy_gettext("Log of reads and downloads of your data, and of your actions"),
}

ACTION_LABELS: dict[str, Any] = {
    AuditAction.READ: lazy_gettext("read"),
    AuditAction.EXPORT: lazy_gettext("download"),
    AuditAction.ERASE: lazy_gettext("erasure"),
    AuditAction.PURGE: lazy_gettext("retention purge"),
    AuditAction.CONSENT_CHANGE: lazy_gettext("consent change"),
}
