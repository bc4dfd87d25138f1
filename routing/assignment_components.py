"""Split a problem into parts that share no volunteer, session or friend pair.

Every rule and every objective term stays inside one part, so the parts can be solved
one by one and their plans put side by side: a national weekend falls apart into the
towns and suburbs whose volunteers can reach each other's sessions.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from routing.assignment_index import PlanningIndex

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Components:
    """The part of every candidate, and the candidates of each part in order."""

    count: int
    of_candidate: IntArray
    order: IntArray  # candidate indices sorted by part
    start: IntArray  # part k holds order[start[k]:start[k + 1]]

    def candidates(self, part: int) -> IntArray:
        """Return the candidate indices of one part, ascending."""
        return self.order[self.start[part] : self.start[part + 1]]


def split_components(index: PlanningIndex) -> Components:
    """Group candidates by connected part of the volunteer-session-friend graph."""
    cand = index.candidates
    volunteers = index.volunteer_count
    nodes = volunteers + index.session_count
    partners = np.array(index.partners, dtype=np.int64).reshape(-1, 2)
    rows = np.concatenate([cand.volunteer, partners[:, 0]])
    cols = np.concatenate([cand.session + volunteers, partners[:, 1]])
    graph = coo_matrix(
        (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(nodes, nodes)
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    raw = labels[cand.volunteer].astype(np.int64)
    used, of_candidate = np.unique(raw, return_inverse=True)
    of_candidate = of_candidate.astype(np.int64)
    order = np.argsort(of_candidate, kind="stable").astype(np.int64)
    start = np.searchsorted(of_candidate[order], np.arange(len(used) + 1)).astype(np.int64)
    return Components(count=len(used), of_candidate=of_candidate, order=order, start=start)
