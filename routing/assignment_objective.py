"""Score a set of chosen candidates term by term, with the weights of the problem.

Two scorings share this code. With teams given, each team without an experienced
volunteer (or without a speaker of a needed language) counts. Without teams, a session
with t teams and e experienced volunteers counts max(0, t - e) such teams: the fewest any
split into teams can reach, which is what the solvers optimise.
"""

import numpy as np
import numpy.typing as npt

from routing.assignment_index import PlanningIndex
from routing.assignment_types import ObjectiveTerm
from routing.assignment_weights import WeightName

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def score_terms(
    index: PlanningIndex, chosen: IntArray, team_of: IntArray | None = None
) -> tuple[ObjectiveTerm, ...]:
    """Return every objective term of the chosen candidates, in `WeightName` order.

    `chosen` contains candidate indices and `team_of`, if given, the team (1..k) of each.
    Sessions are assumed to hold whole teams.
    """
    weights = index.weights
    cand = index.candidates
    sessions = index.problem.sessions
    size = index.problem.team_size
    session = cand.session[chosen]
    counts = np.bincount(session, minlength=index.session_count).astype(np.int64)
    teams = counts // size
    target = np.array([s.weight for s in sessions], dtype=np.float64)
    target_points = np.array(
        [round(weights.target_score * s.weight) for s in sessions], dtype=np.int64
    )
    per_volunteer = np.bincount(cand.volunteer[chosen], minlength=index.volunteer_count)
    fairness_steps = int((per_volunteer * (per_volunteer - 1) // 2).sum())
    distance = cand.distance_m[chosen]
    lacking_experienced, lacking_language = _lacking(index, chosen, teams, team_of)
    amounts = {
        WeightName.TEAM: int(teams.sum()),
        WeightName.TARGET_SCORE: round(float((teams * target).sum())),
        WeightName.SESSION_OPENED: int((counts > 0).sum()),
        WeightName.TRAVEL: int(distance.sum()),
        WeightName.FAIRNESS: fairness_steps,
        WeightName.STABILITY: int(cand.is_previous[chosen].sum()),
        WeightName.EXPERIENCED: lacking_experienced,
        WeightName.PARTNER: _partner_misses(index, chosen),
        WeightName.LANGUAGE: lacking_language,
    }
    points = {
        WeightName.TEAM: weights.team * amounts[WeightName.TEAM],
        WeightName.TARGET_SCORE: int((teams * target_points).sum()),
        WeightName.SESSION_OPENED: weights.session_opened * amounts[WeightName.SESSION_OPENED],
        WeightName.TRAVEL: -int((weights.travel * distance // 1000).sum()),
        WeightName.FAIRNESS: -weights.fairness * fairness_steps,
        WeightName.STABILITY: weights.stability * amounts[WeightName.STABILITY],
        WeightName.EXPERIENCED: -weights.experienced * lacking_experienced,
        WeightName.PARTNER: -weights.partner * amounts[WeightName.PARTNER],
        WeightName.LANGUAGE: -weights.language * lacking_language,
    }
    return tuple(ObjectiveTerm(name, amounts[name], points[name]) for name in WeightName)


def total_points(terms: tuple[ObjectiveTerm, ...]) -> int:
    """Return the objective: the sum of the terms' points."""
    return sum(term.points for term in terms)


def score(index: PlanningIndex, chosen: IntArray) -> int:
    """Return the objective of the chosen candidates as the solvers count it."""
    return total_points(score_terms(index, chosen))


def score_by_part(
    index: PlanningIndex, chosen: IntArray, part_of_candidate: IntArray, parts: int
) -> IntArray:
    """Return the objective of the chosen candidates split by part, as solvers count it.

    Parts must not share a volunteer, a session or a friend pair.
    """
    weights = index.weights
    cand = index.candidates
    size = index.problem.team_size
    session_part = np.zeros(index.session_count, dtype=np.int64)
    session_part[cand.session] = part_of_candidate
    volunteer_part = np.zeros(index.volunteer_count, dtype=np.int64)
    volunteer_part[cand.volunteer] = part_of_candidate
    part = part_of_candidate[chosen]
    totals = np.bincount(part, weights=cand.points[chosen], minlength=parts).astype(np.float64)
    session = cand.session[chosen]
    counts = np.bincount(session, minlength=index.session_count).astype(np.int64)
    teams = counts // size
    seasoned = np.bincount(
        session, weights=index.experienced[cand.volunteer[chosen]], minlength=index.session_count
    ).astype(np.int64)
    speakers = np.bincount(
        session, weights=cand.speaks[chosen], minlength=index.session_count
    ).astype(np.int64)
    per_session = (
        teams * index.team_points
        + weights.session_opened * (counts > 0)
        - weights.experienced * np.maximum(teams - seasoned, 0)
        - weights.language * np.maximum(teams - speakers, 0) * index.needs_language
    )
    totals += np.bincount(session_part, weights=per_session, minlength=parts)
    load = np.bincount(cand.volunteer[chosen], minlength=index.volunteer_count).astype(np.int64)
    fairness = weights.fairness * (load * (load - 1) // 2)
    totals -= np.bincount(volunteer_part, weights=fairness, minlength=parts)
    has_candidates = np.zeros(index.volunteer_count, dtype=np.bool_)
    has_candidates[cand.volunteer] = True
    sessions_of = _partner_sessions(index, chosen)
    for (a, b), shared in zip(index.partners, index.partner_shared, strict=True):
        misses = len((sessions_of.get(a, set()) ^ sessions_of.get(b, set())) & shared)
        owner = a if has_candidates[a] else b
        totals[volunteer_part[owner]] -= weights.partner * misses
    result: IntArray = np.rint(totals).astype(np.int64)
    return result


def _lacking(
    index: PlanningIndex, chosen: IntArray, teams: IntArray, team_of: IntArray | None
) -> tuple[int, int]:
    cand = index.candidates
    session = cand.session[chosen]
    experienced = index.experienced[cand.volunteer[chosen]]
    speaks = cand.speaks[chosen]
    needs = index.needs_language
    if team_of is None:
        seasoned = np.bincount(session, weights=experienced, minlength=index.session_count)
        speakers = np.bincount(session, weights=speaks, minlength=index.session_count)
        lack_e = np.maximum(teams - seasoned.astype(np.int64), 0)
        lack_l = np.maximum(teams - speakers.astype(np.int64), 0)
        return int(lack_e.sum()), int(lack_l[needs].sum())
    if len(chosen) == 0:
        return 0, 0
    keys = session * (int(team_of.max()) + 1) + team_of
    unique, inverse = np.unique(keys, return_inverse=True)
    has_e = np.bincount(inverse, weights=experienced) > 0
    has_l = np.bincount(inverse, weights=speaks) > 0
    team_session = unique // (int(team_of.max()) + 1)
    return int((~has_e).sum()), int((~has_l & needs[team_session]).sum())


def _partner_sessions(index: PlanningIndex, chosen: IntArray) -> dict[int, set[int]]:
    """Return the chosen sessions of every volunteer who has a friend pair."""
    cand = index.candidates
    involved = np.fromiter({v for pair in index.partners for v in pair}, dtype=np.int64)
    volunteers = cand.volunteer[chosen]
    mask = np.isin(volunteers, involved)
    sessions_of: dict[int, set[int]] = {}
    for v, s in zip(volunteers[mask].tolist(), cand.session[chosen][mask].tolist(), strict=True):
        sessions_of.setdefault(v, set()).add(s)
    return sessions_of


def _partner_misses(index: PlanningIndex, chosen: IntArray) -> int:
    """Count, per friend pair, the sessions both could join that only one of them joins."""
    if not index.partners:
        return 0
    sessions_of = _partner_sessions(index, chosen)
    return sum(
        len((sessions_of.get(a, set()) ^ sessions_of.get(b, set())) & shared)
        for (a, b), shared in zip(index.partners, index.partner_shared, strict=True)
    )
