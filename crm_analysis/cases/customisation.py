"""Mass customisation in one computation: how many club designs the options give, and
what the customer data must hold to choose each option for a customer."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

#: The customer data each club option is fitted from (ChipShotGolf's inputs: body,
#: physical condition and shot style).
DATA_NEEDS = {
    "length": "height and wrist-to-floor distance",
    "flex": "swing speed",
    "lie": "height and posture at address (lie board or photo)",
    "grip": "hand and finger size",
    "head": "skill level and shot shape (slice, hook)",
    "loft": "launch angle and ball flight",
}


def designs_count(options: Mapping[str, int]) -> int:
    """Number of distinct designs: the product of each option's number of choices."""
    bad = {k: v for k, v in options.items() if not isinstance(v, (int, np.integer)) or v < 1}
    if bad:
        raise ValueError(f"designs_count: every option needs a whole number of choices ≥ 1; got {bad}")
    return int(np.prod([int(v) for v in options.values()], dtype=object)) if options else 1


def data_needs(options: Mapping[str, int]) -> pd.DataFrame:
    """One row per option: its choices and the customer data needed to pick one."""
    return pd.DataFrame({"choices": pd.Series(dict(options), dtype="int64"),
                         "customer data needed": pd.Series({k: DATA_NEEDS.get(k, "(not listed)")
                                                            for k in options})}).rename_axis("option")
