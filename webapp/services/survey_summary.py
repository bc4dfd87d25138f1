"""The questionnaire's answers summed up per IRIS for the coordinators.

Counts are per IRIS and theme, never per session, door or person. The answer texts of
an IRIS are listed only from `MIN_ANSWERS_FOR_TEXTS` answers up, without any date, in
alphabetical order rather than the order they came in.
"""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import CanvassSession, Iris, SurveyResponse
from webapp.services.answer_themes import THEME_KEYWORDS
from webapp.services.survey_answers import VOTE_LABELS

# Below this many answers in an IRIS, a text or a voting intention could point at the
# one household that gave it, so the page shows the counts per theme only.
MIN_ANSWERS_FOR_TEXTS = 5


@dataclass(frozen=True)
class IrisAnswers:
    """The answers heard in one IRIS: how many, by theme, and the texts when enough."""

    code: str
    name: str
    answer_count: int
    # (theme key, answers with that theme), the most frequent first.
    theme_counts: tuple[tuple[str, int], ...]
    # Empty while `answer_count` is under `MIN_ANSWERS_FOR_TEXTS`.
    texts: tuple[str, ...] = ()
    # (choice, answers), in `VOTE_LABELS` order; empty like `texts`.
    vote_counts: tuple[tuple[str, int], ...] = ()

    @property
    def is_detail_hidden(self) -> bool:
        return self.answer_count < MIN_ANSWERS_FOR_TEXTS


def summarise_answers(session: Session, campaign_id: int) -> tuple[IrisAnswers, ...]:
    """Return the campaign's answers per IRIS, the IRIS with the most answers first."""
    rows = session.execute(
        select(SurveyResponse.iris_code, Iris.name, SurveyResponse.answers, SurveyResponse.themes)
        .join(CanvassSession, CanvassSession.id == SurveyResponse.session_id)
        .join(Iris, Iris.code == SurveyResponse.iris_code)
        .where(CanvassSession.campaign_id == campaign_id)
    )
    names: dict[str, str] = {}
    answers_by_iris: dict[str, list[tuple[dict[str, str], list[str]]]] = {}
    for code, name, answers, themes in rows:
        names[code] = name
        answers_by_iris.setdefault(code, []).append((answers, themes))
    summaries = [
        _summarise_iris(code, names[code], answers) for code, answers in answers_by_iris.items()
    ]
    return tuple(sorted(summaries, key=lambda iris: (-iris.answer_count, iris.code)))


def _summarise_iris(
    code: str, name: str, answers: list[tuple[dict[str, str], list[str]]]
) -> IrisAnswers:
    order = {theme: index for index, theme in enumerate(THEME_KEYWORDS)}
    themes = Counter(theme for _, tagged in answers for theme in tagged if theme in order)
    theme_counts = tuple(sorted(themes.items(), key=lambda item: (-item[1], order[item[0]])))
    if len(answers) < MIN_ANSWERS_FOR_TEXTS:
        return IrisAnswers(code, name, len(answers), theme_counts)
    texts = sorted((given.get("topic", "") for given, _ in answers), key=str.casefold)
    votes = Counter(given.get("intends_to_vote") for given, _ in answers)
    return IrisAnswers(
        code,
        name,
        len(answers),
        theme_counts,
        texts=tuple(text for text in texts if text),
        vote_counts=tuple((choice, votes[choice]) for choice in VOTE_LABELS),
    )
