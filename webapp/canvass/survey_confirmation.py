"""The mark that answers were just recorded, carried in the cookie session to the route page.

The redirect after sending answers scrolls to the questionnaire, so the page confirms
them there, where the volunteer is looking, rather than with the flashed messages at the
top. Like a flashed message, it shows once.
"""

from flask import session

SESSION_KEY = "survey_recorded"


def remember_survey_recorded() -> None:
    session[SESSION_KEY] = True


def pop_survey_recorded() -> bool:
    """Remove the mark from the session and return whether it was there."""
    return session.pop(SESSION_KEY, None) is True
