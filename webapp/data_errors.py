"""French (or English) wording of the data-file errors raised by the readers."""

from flask_babel import gettext as _

from targeting.errors import DataFileError, Problem


def _problem_text(problem: Problem) -> str:
    texts = {
        Problem.MISSING_FILE: _("the file is missing"),
        Problem.EMPTY_FILE: _("the file is empty"),
        Problem.ENCODING: _("the text is not UTF-8 encoded; save the file as UTF-8"),
        Problem.SEPARATOR: _("the columns are not separated by commas"),
        Problem.MISSING_COLUMN: _("a required column is missing"),
        Problem.MALFORMED_ROW: _("the row does not have as many fields as the header"),
        Problem.MALFORMED_CODE: _(
            "invalid code (INSEE codes keep their leading zeros, e.g. 01053)"
        ),
        Problem.MALFORMED_COORDINATE: _("invalid coordinate (decimal degrees expected)"),
        Problem.MALFORMED_NUMBER: _("invalid number, or totals that do not add up"),
        Problem.MALFORMED_GEOMETRY: _("invalid geometry"),
        Problem.DUPLICATE_KEY: _("this identifier appears twice"),
    }
    return str(texts[problem])


def describe_data_error(error: DataFileError) -> str:
    """Return one sentence naming the file, line, column and problem, in the current locale."""
    parts = [_("File %(file)s", file=error.file_name)]
    if error.line is not None:
        parts.append(_("line %(line)s", line=error.line))
    if error.column is not None:
        parts.append(_("column “%(column)s”", column=error.column))
    sentence = _(
        "%(place)s: %(problem)s.", place=", ".join(parts), problem=_problem_text(error.problem)
    )
    if error.value is not None:
        sentence += " " + _("Value found: “%(value)s”.", value=error.value)
    sentence += " " + _("Nothing was imported.")
    return str(sentence)
