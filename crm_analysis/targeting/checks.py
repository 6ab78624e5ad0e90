"""Input checks of the targeting modules: clear errors that name the input and rows.

The value checks every topic needs (``as_binary``, ``as_scores``, ``same_length``) live in
:mod:`crm_analysis.common` and are imported here; this module adds the campaign checks.
"""

from __future__ import annotations

import numpy as np

from ..common import as_binary, as_scores, same_length

__all__ = ["as_binary", "as_scores", "check_campaign", "require_both_classes", "same_length"]


def require_both_classes(y: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` when the 0/1 array ``y`` holds only one class."""
    if len(y) == 0:
        raise ValueError(f"{name} is empty")
    if y.min() == y.max():
        raise ValueError(f"{name} holds a single class ({int(y[0])} in all {len(y)} rows); "
                         f"a response model needs responders and non-responders")


def check_campaign(y, treatment, name_y: str = "response",
                   name_t: str = "treated") -> tuple[np.ndarray, np.ndarray]:
    """Validate a randomized campaign's outcome and treatment flags.

    Both must be 0/1; there must be treated and control rows, and the outcome must vary.
    Returns ``(y, t)`` as integer arrays.
    """
    y = as_binary(y, name_y)
    t = as_binary(treatment, name_t)
    same_length(**{name_y: y, name_t: t})
    if t.sum() == 0:
        raise ValueError(f"{name_t} has no treated rows (all {len(t)} are 0); uplift needs "
                         f"a randomized treated group and a control group")
    if t.sum() == len(t):
        raise ValueError(f"{name_t} has no control rows (all {len(t)} are 1); uplift needs "
                         f"a randomized treated group and a control group")
    require_both_classes(y, name_y)
    return y, t
