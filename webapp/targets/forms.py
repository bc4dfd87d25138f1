"""Forms of the targeting page: the set of target IRIS and the scoring button."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField


class TargetsForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    # IRIS codes. Any value passes here because the scoring service decides which IRIS
    # may be targets.
    targets = SelectMultipleField(validate_choice=False)


class ScoringForm(FlaskForm):  # type: ignore[misc]
    """A button with its CSRF token."""
