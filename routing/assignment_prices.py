"""Prices that bring the soft team rules into the flow bound (Lagrangian relaxation).

A penalty w * max(0, x) is at least p * x for every price p in [0, w], and a penalty
w * |y| at least p * y for every p in [-w, w]. Replacing each penalty by such a product
keeps the flow an upper bound whatever the prices, and turns the products into points
on candidates: for a session with price p on "teams without an experienced member"
(x = teams - experienced), every member costs p / team size and every experienced
member earns p back. Good prices come from the previous flow answer: raise the price
where that answer breaks the rule, lower it where it keeps it (a subgradient step).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_index import PlanningIndex

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Prices:
    """Per-session prices of the experienced and language rules, per friend-pair-session
    price of the partner rule, all in objective points."""

    experienced: IntArray
    language: IntArray
    partner: IntArray  # aligned with `partner_links`


@dataclass(frozen=True, slots=True)
class PartnerLinks:
    """Every (friend a's candidate, friend b's candidate) on a session both could join."""

    first: IntArray
    second: IntArray


def partner_links(index: PlanningIndex) -> PartnerLinks:
    """List the candidate pairs the partner rule compares."""
    first: list[int] = []
    second: list[int] = []
    for (a, b), shared in zip(index.partners, index.partner_shared, strict=True):
        if not shared:
            continue
        sessions = np.array(sorted(shared), dtype=np.int64)
        first.extend(index.find(np.full(len(sessions), a), sessions).tolist())
        second.extend(index.find(np.full(len(sessions), b), sessions).tolist())
    return PartnerLinks(np.array(first, dtype=np.int64), np.array(second, dtype=np.int64))


def zero_prices(index: PlanningIndex, links: PartnerLinks) -> Prices:
    """Return prices that leave the flow as it is."""
    return Prices(
        experienced=np.zeros(index.session_count, dtype=np.int64),
        language=np.zeros(index.session_count, dtype=np.int64),
        partner=np.zeros(len(links.first), dtype=np.int64),
    )


def next_prices(
    index: PlanningIndex, links: PartnerLinks, prices: Prices, chosen: IntArray, step: float
) -> Prices:
    """Move the prices along the rules' violations in the flow answer `chosen`.

    `step` is a fraction of each weight, and prices stay within their ranges.
    """
    weights = index.weights
    cand = index.candidates
    size = index.problem.team_size
    session = cand.session[chosen]
    counts = np.bincount(session, minlength=index.session_count).astype(np.float64)
    seasoned = np.bincount(
        session, weights=index.experienced[cand.volunteer[chosen]], minlength=index.session_count
    )
    speakers = np.bincount(session, weights=cand.speaks[chosen], minlength=index.session_count)
    experienced = _step(prices.experienced, counts / size - seasoned, weights.experienced, step)
    language = _step(prices.language, counts / size - speakers, weights.language, step)
    language = np.where(index.needs_language, language, 0)
    taken = np.zeros(len(cand), dtype=np.float64)
    taken[chosen] = 1.0
    gap = taken[links.first] - taken[links.second] if len(links.first) else np.zeros(0)
    partner = _step(prices.partner, gap, weights.partner, step, low=-weights.partner)
    return Prices(experienced=experienced, language=language, partner=partner)


def _step(
    price: IntArray, violation: FloatArray, weight: int, step: float, low: int = 0
) -> IntArray:
    moved = np.rint(price + step * weight * violation)
    result: IntArray = np.clip(moved, low, weight).astype(np.int64)
    return result


def price_points(
    index: PlanningIndex, links: PartnerLinks, prices: Prices, per_member: int
) -> IntArray:
    """Return the points the prices add to each candidate, times the flow's scale.

    `per_member` is the flow's scale divided by the team size, so that a price divided
    among a team's members stays a whole number.
    """
    cand = index.candidates
    size = index.problem.team_size
    scale = per_member * size
    experienced = prices.experienced[cand.session]
    language = prices.language[cand.session]
    points = (
        experienced * (index.experienced[cand.volunteer] * scale - per_member)
        + language * (cand.speaks * scale - per_member)
    ).astype(np.int64)
    if len(links.first):
        np.add.at(points, links.first, -prices.partner * scale)
        np.add.at(points, links.second, prices.partner * scale)
    return points
