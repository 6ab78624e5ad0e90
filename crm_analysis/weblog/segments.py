"""Behaviour segments: k-means clusters of scaled session features, described in words.

Features per human session: ``pages`` (page views), ``duration_min`` (minutes from first to
last request), ``product_views``, ``cart`` and ``checkout`` (1 if the session reached the
step). They are standardized (mean 0, sd 1) so that no unit dominates; the number of
clusters is the k in ``k_range`` with the highest mean silhouette (scikit-learn
``silhouette_score``, on at most 2,000 sessions), the stated criterion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns

FEATURES = ("pages", "duration_min", "product_views", "cart", "checkout")
_WORDS = {
    "pages": ("many pages", "few pages"),
    "duration_min": ("long visits", "short visits"),
    "product_views": ("many product views", "few product views"),
    "cart": ("often reach the cart", "rarely reach the cart"),
    "checkout": ("buy", "do not buy"),
}


def session_features(sessions: pd.DataFrame, pages: pd.DataFrame, reached: pd.DataFrame) -> pd.DataFrame:
    """The clustering features of each session (index session)."""
    require_columns(sessions, ["pages", "duration_s"], "sessions")
    product = pages[pages["page_type"].eq("product")].groupby("session").size()
    r = reached.reindex(sessions.index).fillna(False)
    return pd.DataFrame({
        "pages": sessions["pages"].astype(float),
        "duration_min": sessions["duration_s"] / 60.0,
        "product_views": product.reindex(sessions.index).fillna(0).astype(float),
        "cart": r["cart"].astype(float) if "cart" in r else 0.0,
        "checkout": r["checkout"].astype(float) if "checkout" in r else 0.0,
    }, index=sessions.index)


@dataclass(frozen=True, eq=False)
class Segments:
    """``k``: clusters chosen; ``silhouette``: mean silhouette per k tried; ``labels``:
    cluster (1 … k, largest first) per session; ``profile``: per cluster its share of
    sessions and feature means; ``descriptions``: one sentence per cluster."""

    k: int
    silhouette: pd.Series
    labels: pd.Series
    profile: pd.DataFrame
    descriptions: pd.Series


def cluster_sessions(features: pd.DataFrame, k_range=range(2, 7), seed: int = 0) -> Segments:
    """k-means on standardized features; k chosen by the highest mean silhouette."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    ks = [k for k in k_range if 2 <= k < len(features)]
    if not ks:
        raise ValueError(f"cluster_sessions: {len(features)} sessions are too few for k in {list(k_range)}")
    X = StandardScaler().fit_transform(features.to_numpy(dtype=float))
    X = np.nan_to_num(X)
    fits, scores = {}, {}
    with threadpool_limits(limits=1):  # small problem: threads only add overhead on a shared machine
        for k in ks:
            km = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(X)
            fits[k] = km.labels_
            scores[k] = silhouette_score(X, km.labels_, sample_size=min(2000, len(X)), random_state=seed)
    k = max(scores, key=scores.get)
    raw = pd.Series(fits[k], index=features.index)
    order = raw.value_counts().index  # largest cluster first
    labels = raw.map({c: i + 1 for i, c in enumerate(order)}).rename("segment")
    profile = features.groupby(labels).mean()
    profile.insert(0, "share", labels.value_counts(normalize=True).sort_index())
    return Segments(k, pd.Series(scores, name="silhouette").rename_axis("k"), labels, profile,
                    describe(profile, features))


def describe(profile: pd.DataFrame, features: pd.DataFrame, threshold: float = 0.5) -> pd.Series:
    """A sentence per cluster: its share and the features whose cluster mean lies at least
    ``threshold`` standard deviations above or below the overall mean."""
    mean, sd = features.mean(), features.std(ddof=0).replace(0, np.nan)
    out = {}
    for seg, row in profile.iterrows():
        z = ((row[features.columns] - mean) / sd).dropna().sort_values(key=np.abs, ascending=False)
        words = [(_WORDS.get(f, (f"high {f}", f"low {f}"))[0 if v > 0 else 1]) for f, v in z.items() if abs(v) >= threshold]
        text = ", ".join(words[:3]) if words else "close to the average session"
        out[seg] = f"{row['share']:.0%} of sessions: {text}"
    return pd.Series(out, name="description")
