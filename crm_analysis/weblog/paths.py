"""Navigation paths as a first-order Markov chain over page types.

Each session is the state sequence ``(entry) → page type → … → page type → (exit)``.
The transition probability P(b | a) is the number of moves a → b over the number of moves
out of a (maximum likelihood). :func:`most_likely_paths` finds the k most probable
complete paths from ``(entry)`` to ``(exit)`` by best-first search (a path's probability
only falls as it grows, so the first k complete paths popped are the k best).
:func:`path_flows` gives the counts behind a path (Sankey) chart.
"""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns

ENTRY, EXIT = "(entry)", "(exit)"


def session_sequences(pages: pd.DataFrame) -> pd.Series:
    """The page-type sequence of each session (a tuple), indexed by session."""
    require_columns(pages, ["session", "time", "page_type"], "pages")
    p = pages.sort_values(["session", "time"], kind="stable")
    return p.groupby("session")["page_type"].agg(tuple)


def transitions(pages: pd.DataFrame) -> pd.DataFrame:
    """Move counts between states (rows from, columns to), with ``(entry)`` and ``(exit)``."""
    p = pages.sort_values(["session", "time"], kind="stable")
    s = p["session"].to_numpy()
    state = p["page_type"].to_numpy(dtype=object)
    first = np.r_[True, s[1:] != s[:-1]]
    last = np.r_[s[1:] != s[:-1], True]
    prev = np.where(first, ENTRY, np.r_[[None], state[:-1]])
    frm = np.r_[prev, state[last]]
    to = np.r_[state, np.full(last.sum(), EXIT, dtype=object)]
    counts = pd.crosstab(pd.Series(frm, name="from"), pd.Series(to, name="to"))
    states = [ENTRY] + sorted(set(state)) + [EXIT]
    return counts.reindex(index=states[:-1], columns=states[1:], fill_value=0)


def transition_matrix(pages: pd.DataFrame) -> pd.DataFrame:
    """Next-page probabilities P(to | from); each row sums to 1."""
    counts = transitions(pages)
    return counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)


def most_likely_paths(matrix: pd.DataFrame, k: int = 5, max_length: int = 12) -> pd.DataFrame:
    """The ``k`` most probable complete paths (entry to exit, at most ``max_length`` pages)
    under the chain: columns ``path`` (``a > b > c``), ``pages``, ``probability``."""
    if k < 1:
        raise ValueError(f"most_likely_paths: k must be at least 1; got {k}")
    P = matrix
    heap = [(-1.0, (ENTRY,))]
    found = []
    while heap and len(found) < k:
        neg, path = heapq.heappop(heap)
        last = path[-1]
        if last == EXIT:
            found.append((" > ".join(path[1:-1]), len(path) - 2, -neg))
            continue
        if len(path) - 1 > max_length or last not in P.index:
            continue
        for nxt, prob in P.loc[last].items():
            if prob > 0 and not (nxt == EXIT and len(path) == 1):
                heapq.heappush(heap, (neg * prob, path + (nxt,)))
    return pd.DataFrame(found, columns=["path", "pages", "probability"])


def observed_paths(pages: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The most frequent page-type paths: ``path``, ``sessions``, ``share`` (of sessions)."""
    seq = session_sequences(pages).map(" > ".join)
    counts = seq.value_counts()
    return pd.DataFrame({"path": counts.index, "sessions": counts.to_numpy(),
                         "share": counts.to_numpy() / len(seq)}).head(top)


def path_flows(pages: pd.DataFrame, max_steps: int = 5) -> pd.DataFrame:
    """Sessions moving from page type a at step i to page type b at step i + 1 (steps 1 …
    ``max_steps``; a session that ends moves to ``(exit)``): columns step, from, to, sessions."""
    seq = session_sequences(pages)
    rows = []
    for path in seq:
        states = list(path[:max_steps]) + ([EXIT] if len(path) <= max_steps - 1 else [])
        for i in range(min(len(states) - 1, max_steps - 1)):
            rows.append((i + 1, states[i], states[i + 1]))
    flows = pd.DataFrame(rows, columns=["step", "from", "to"])
    return flows.value_counts().rename("sessions").reset_index().sort_values(["step", "sessions"], ascending=[True, False],
                                                                             ignore_index=True)
