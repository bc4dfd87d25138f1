"""Labels of message statuses and reasons, and the sentences about sending times."""

import ast
import importlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from messaging.providers.base import FailureReason
from messaging.send_timing import SendTiming, TimingProblem
from messaging.silence import SilencePeriod
from webapp.broadcasts.timing_labels import duration_label, timing_problem_label
from webapp.message_labels import FAILURE_REASONS, MESSAGE_STATUSES, failure_reason_label
from webapp.models.messaging import MessageStatus
from webapp.services.delivery import UNREACHABLE_RETRIED
from webapp.services.message_batch import WITHDRAWN_REASON

ROOT = Path(__file__).resolve().parents[3]
SOURCE_PACKAGES = ("webapp", "messaging")


def _resolve(module: object, node: ast.expr) -> object:
    """Return the value of a constant, a module-level name or an attribute chain, else None."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return getattr(module, node.id, None)
    if isinstance(node, ast.Attribute):
        base = _resolve(module, node.value)
        return None if base is None else getattr(base, node.attr, None)
    return None


def _reason_expressions(tree: ast.AST) -> list[ast.expr]:
    """Return what the code assigns to `failure_reason`, as an attribute or a keyword."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Attribute) and target.attr == "failure_reason"
            for target in node.targets
        ):
            found.append(node.value)
        elif isinstance(node, ast.keyword) and node.arg == "failure_reason":
            found.append(node.value)
    return found


def reasons_written_by_the_code() -> set[str]:
    """Collect every failure reason the source writes that can be read without running it.

    Values computed at run time (`reason.value`) come from FailureReason, checked apart.
    """
    reasons: set[str] = set()
    for package in SOURCE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if "failure_reason" not in text:
                continue
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            module = importlib.import_module(dotted)
            for expression in _reason_expressions(ast.parse(text)):
                value = _resolve(module, expression)
                if isinstance(value, str):
                    reasons.add(value)
    return reasons


def test_every_message_status_has_a_label() -> None:
    assert set(MESSAGE_STATUSES) == {status.value for status in MessageStatus}


def test_every_failure_reason_has_a_label() -> None:
    missing = {reason.value for reason in FailureReason} - set(FAILURE_REASONS)

    assert missing == set()


def test_reasons_set_outside_the_enum_have_labels() -> None:
    written = reasons_written_by_the_code()

    # The scan finds the three ways the code writes a reason: a constant of its own
    # module, an imported constant and an enum member.
    assert {WITHDRAWN_REASON, UNREACHABLE_RETRIED, FailureReason.OPTED_OUT.value} <= written
    assert written - set(FAILURE_REASONS) == set()


def test_labels_render_in_french(app: Flask) -> None:
    with app.test_request_context():
        assert str(failure_reason_label("withdrawn")) != "withdrawn"
        assert all(str(label) for label in FAILURE_REASONS.values())
        assert all(str(label) for label in MESSAGE_STATUSES.values())


def test_unknown_reason_shows_its_code(app: Flask) -> None:
    with app.test_request_context():
        assert failure_reason_label("carrier_mood") == "carrier_mood"


@pytest.mark.parametrize(
    ("seconds", "label"),
    [
        (0.0, "less than a second"),
        (0.4, "less than a second"),
        (1.0, "1 second"),
        (44.2, "45 seconds"),
        (59.5, "1 minute"),
        (61.0, "2 minutes"),
        (3540.0, "59 minutes"),
        (3599.5, "1 h 00 min"),
        (10_000.0, "2 h 47 min"),
        (90_000.0, "25 h 00 min"),
    ],
)
def test_duration_label(app: Flask, seconds: float, label: str) -> None:
    with app.test_request_context(), force_locale("en"):
        assert duration_label(seconds) == label


def timing(problem: TimingProblem, silence: SilencePeriod | None = None) -> SendTiming:
    """An SMS broadcast of Wednesday 3 June 2026 from 19:30 in Paris."""
    return SendTiming(
        units=1_000_000,
        rate_per_s=100.0,
        validity_period_s=3600,
        duration_s=10_000.0,
        requested_at=datetime(2026, 6, 3, 17, 30, tzinfo=UTC),
        starts_at=datetime(2026, 6, 3, 17, 30, tzinfo=UTC),
        ends_at=datetime(2026, 6, 4, 8, 46, 40, tzinfo=UTC),
        window_closes_at=datetime(2026, 6, 3, 18, 0, tzinfo=UTC),
        problem=problem,
        silence=silence,
    )


def test_validity_problem_sentence(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        text = timing_problem_label(timing(TimingProblem.EXCEEDS_VALIDITY))

    assert text == (
        "Sending takes about 2 h 47 min at the sender's rate (100 per second), longer than "
        "the 1 h 00 min an SMS may wait at the provider before it is dropped. Choose fewer "
        "recipients or a shorter text."
    )


def test_window_problem_sentence(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        text = timing_problem_label(timing(TimingProblem.PAST_WINDOW_CLOSE))

    assert text == (
        "Sending would start on Wednesday, June 3, 2026 at 7:30\u202fPM and take about "
        "2 h 47 min: it would still be running at 8:00\u202fPM, when campaign SMS must stop. "
        "Choose an earlier time, fewer recipients or a shorter text."
    )


def test_silence_problem_sentence(app: Flask) -> None:
    silence = SilencePeriod(
        starts_at=datetime(2026, 3, 13, 23, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 15, 19, 0, tzinfo=UTC),
    )

    with app.test_request_context(), force_locale("en"):
        text = timing_problem_label(timing(TimingProblem.INTO_SILENCE, silence))

    assert text == (
        "Sending would run into the electoral silence, from Saturday, March 14, 2026 at "
        "12:00\u202fAM until Sunday, March 15, 2026 at 8:00\u202fPM, when campaign messages "
        "are forbidden. Choose another time, or fewer recipients so that sending ends "
        "before it."
    )


def test_no_problem_no_sentence(app: Flask) -> None:
    fine = replace(timing(TimingProblem.EXCEEDS_VALIDITY), problem=None)

    with app.test_request_context(), force_locale("en"):
        assert timing_problem_label(fine) == ""
