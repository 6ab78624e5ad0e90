"""Helpers shared by the synthetic generators: customer ids, argument checks, time axes."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: One week, the time unit of the purchase-process parameters.
WEEK = pd.Timedelta(weeks=1)


def customer_ids(n: int) -> pd.api.extensions.ExtensionArray:
    """Customer ids ``C0000001`` … for customers 1..n (str dtype).

    The same ``n`` gives the same ids in every generator, so the customer master of
    :func:`simulate_customers` joins the transactions of :func:`simulate_transactions`.
    """
    width = max(7, len(str(n)))
    numbers = np.arange(1, n + 1).astype(f"<U{width}")
    return pd.array(np.char.add("C", np.char.zfill(numbers, width)), dtype="str")


def check_positive(**values: float) -> None:
    """Raise ``ValueError`` naming every argument that is not a finite number > 0."""
    bad = [name for name, v in values.items() if not (np.isfinite(v) and v > 0)]
    if bad:
        shown = ", ".join(f"{name}={values[name]!r}" for name in bad)
        raise ValueError(f"these parameters must be finite and > 0: {shown}")


def check_probability(**values: float) -> None:
    """Raise ``ValueError`` naming every argument outside [0, 1]."""
    bad = [name for name, v in values.items() if not (0.0 <= v <= 1.0)]
    if bad:
        shown = ", ".join(f"{name}={values[name]!r}" for name in bad)
        raise ValueError(f"these parameters must be probabilities in [0, 1]: {shown}")


def check_count(name: str, n: int, minimum: int = 1) -> None:
    """Raise ``ValueError`` unless ``n`` is an integer >= ``minimum``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n!r}")


def window(start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Parse an observation window ``[start, end)``; ``end`` must come after ``start``."""
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    if not end_ts > start_ts:
        raise ValueError(f"end ({end_ts}) must be later than start ({start_ts})")
    return start_ts, end_ts


def weeks_to_datetime(start: pd.Timestamp, weeks: np.ndarray) -> np.ndarray:
    """Convert times in weeks after ``start`` into ``datetime64[s]`` (floored to the second)."""
    seconds = np.floor(np.asarray(weeks) * WEEK.total_seconds()).astype("int64")
    return np.datetime64(start.to_datetime64(), "s") + seconds.astype("timedelta64[s]")
