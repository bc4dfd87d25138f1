"""The questionnaire's answers summed up per IRIS for the coordinators.

Counts are per IRIS and theme, never per session, door or person. Only the answers of
sessions that have ended count, so that an answer never shows up alone, just after the
door it came from was recorded. An IRIS with fewer than `MIN_ANSWERS_FOR_DETAILS` such
answers shows its number of answers only. From that number up, its themes, voting
intentions and texts show, the texts without any date and in alphabetical order rather
than the order they came in.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import CanvassSession, Iris, SurveyResponse
from webapp.services.answer_themes import THEME_KEYWORDS
from webapp.services.survey_answers import VOTE_LABELS

# Below this many answers in an IRIS, a theme, a text or a voting intention could describe
# the few households that gave them, so the page shows the number of answers only.
# NOTE: the threshold applies to an IRIS's total, so a coordinator comparing the page
# before and after one session ends can still tell that session's answers apart.
MIN_ANSWERS_FOR_DETAILS = 5

# One stored answer: the answers as given, and the theme keys tagged on the open answer.
StoredAnswer = tuple[dict[str, str], list[str]]


@dataclass(frozen=True)
class IrisAnswers:
    """The answers heard in one IRIS: how many, and their details when there are enough.

    Every field but the code, name and count stays empty or zero while `is_detail_hidden`.
    """

    code: str
    name: str
    answer_count: int
    # (theme key, answers with that theme), the most frequent first. An answer can have
    # several themes, so the counts can add up to more than `answer_count`.
    theme_counts: tuple[tuple[str, int], ...] = ()
    # Answers with no theme at all.
    unthemed_count: int = 0
    texts: tuple[str, ...] = ()
    # (choice, answers) for each key of `VOTE_LABELS`, in its order.
    vote_counts: tuple[tuple[str, int], ...] = ()
    # Answers without a voting intention: `vote_counts` and this add up to `answer_count`.
    no_vote_count: int = 0

    @property
    def is_detail_hidden(self) -> bool:
        return self.answer_count < MIN_ANSWERS_FOR_DETAILS


def summarise_answers(
    session: Session, campaign_id: int, *, now: datetime
) -> tuple[IrisAnswers, ...]:
    """Return the answers of the campaign's sessions ended by `now`, per IRIS.

    The IRIS with the most answers come first.
    """
    rows = session.execute(
        select(SurveyResponse.iris_code, Iris.name, SurveyResponse.answers, SurveyResponse.themes)
        .join(CanvassSession, CanvassSession.id == SurveyResponse.session_id)
        .join(Iris, Iris.code == SurveyResponse.iris_code)
        .where(CanvassSession.campaign_id == campaign_id, CanvassSession.ends_at <= now)
    )
    names: dict[str, str] = {}
    answers_by_iris: dict[str, list[StoredAnswer]] = {}
    for code, name, answers, themes in rows:
        names[code] = name
        answers_by_iris.setdefault(code, []).append((answers, themes))
    summaries = [
        _summarise_iris(code, names[code], answers) for code, answers in answers_by_iris.items()
    ]
    return tuple(sorted(summaries, key=lambda iris: (-iris.answer_count, iris.code)))


def _summarise_iris(code: str, name: str, answers: list[StoredAnswer]) -> IrisAnswers:
    if len(answers) < MIN_ANSWERS_FOR_DETAILS:
        return IrisAnswers(code, name, len(answers))
    order = {theme: index for index, theme in enumerate(THEME_KEYWORDS)}
    # A key no longer in `THEME_KEYWORDS` is left out, and its answer counts as unthemed.
    known_themes = [[theme for theme in tagged if theme in order] for _, tagged in answers]
    themes = Counter(theme for tagged in known_themes for theme in tagged)
    texts = sorted((given.get("topic", "") for given, _ in answers), key=str.casefold)
    votes = Counter(given.get("intends_to_vote") for given, _ in answers)
    vote_counts = tuple((choice, votes[choice]) for choice in VOTE_LABELS)
    return IrisAnswers(
        code,
        name,
        len(answers),
        theme_counts=tuple(sorted(themes.items(), key=lambda item: (-item[1], order[item[0]]))),
        unthemed_count=sum(1 for tagged in known_themes if not tagged),
        texts=tuple(text for text in texts if text),
        vote_counts=vote_counts,
        no_vote_count=len(answers) - sum(count for _, count in vote_counts),
    )
