"""Names of roles and other account values, in the visitor's language."""

from flask_babel import lazy_gettext

from webapp.models.users import Channel, ConsentPurpose, Role

ROLE_LABELS = {
    Role.VOLUNTEER: lazy_gettext("Volunteer"),
    # Translators: a volunteer who leads a team of canvassers in the field.
    Role.TEAM_LEAD: lazy_gettext("Team lead"),
    Role.COORDINATOR: lazy_gettext("Coordinator"),
    Role.ADMINISTRATOR: lazy_gettext("Administrator"),
}

# The words each consent choice of the profile page shows; they are the wording of
# PROFILE_CONSENT_WORDING_VERSION.
CONSENT_LABELS = {
    (ConsentPurpose.CANVASS_MESSAGES, Channel.EMAIL): lazy_gettext(
        "E-mails about my canvassing: confirmations, routes and reminders"
    ),
    (ConsentPurpose.CANVASS_MESSAGES, Channel.SMS): lazy_gettext(
        "Text messages (SMS) about my canvassing: confirmations, routes and reminders"
    ),
    (ConsentPurpose.STAY_IN_TOUCH, Channel.EMAIL): lazy_gettext(
        "E-mails from the campaign after the election. We then keep your contact details "
        "after the campaign ends, until you withdraw."
    ),
    (ConsentPurpose.STAY_IN_TOUCH, Channel.SMS): lazy_gettext(
        "Text messages from the campaign after the election. We then keep your contact "
        "details after the campaign ends, until you withdraw."
    ),
}
