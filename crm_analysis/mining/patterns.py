"""Level 3, hidden patterns: interaction scans, rule trees and customer clusters.

- :func:`interaction_scan` measures what one- and two-way tables of a response can show
  (a chi-square test of equal rates across each table's cells).
- :class:`OptimalTree` searches **every** tree of binary splits up to ``max_depth`` and
  keeps the one with the smallest binomial deviance plus a penalty per leaf. A pure
  interaction (a response that depends on three factors jointly and on no one or two of
  them) gives a greedy tree no reason to make the first split, so greedy CART
  (:func:`greedy_tree`, scikit-learn) finds it only by luck; an exhaustive search over
  small depths does not depend on luck. Written by hand because scikit-learn's trees are
  greedy only and the optimal-tree packages on PyPI (DL8.5, GOSDT) are compiled
  research code for binary classification *accuracy*, not for estimating rates. The
  search is the DL8 idea: memoize the best subtree per set of path conditions, on the
  data compressed to its distinct feature patterns.
- :func:`leaf_rules` prints either tree's leaves as rules in words, with counts and rates.
- :func:`cluster_customers` groups customers by recency, frequency and spend with
  k-means (scikit-learn) on standardized log features, the number of clusters chosen by
  the silhouette score; :func:`describe_clusters` describes each group in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from crm_analysis.common import require_columns
from crm_analysis.estimates import FittedModel, alpha_of


def interaction_scan(frame: pd.DataFrame, outcome: str, factors: list[str],
                     max_order: int = 2) -> pd.DataFrame:
    """One row per table of ``outcome`` rates over 1 … ``max_order`` of the ``factors``.

    Columns: ``table`` (e.g. ``"segment × channel"``), ``order``, ``cells``,
    ``max_deviation`` (largest |cell rate − overall rate|, as a share), ``chi2`` and
    ``p_value`` of the test that every cell has the same rate.
    """
    require_columns(frame, [outcome, *factors], "interaction_scan")
    y = frame[outcome].to_numpy(dtype="float64")
    overall = y.mean()
    rows = []
    for order in range(1, max_order + 1):
        for combo in combinations(factors, order):
            cells = frame.groupby(list(combo), observed=True)[outcome].agg(["sum", "count"])
            table = np.column_stack([cells["sum"], cells["count"] - cells["sum"]])
            chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
            rate = cells["sum"] / cells["count"]
            rows.append({"table": " × ".join(combo), "order": order, "cells": len(cells),
                         "max_deviation": float((rate - overall).abs().max()),
                         "chi2": float(chi2), "p_value": float(p)})
    return pd.DataFrame(rows)


def binary_features(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Indicator columns named ``"col = level"`` and the words for each one's negation.

    A two-level column gives one indicator (its second level in sorted order, the
    negation naming the first); a column with more levels gives one per level (negation
    ``"col ≠ level"``).
    """
    require_columns(frame, columns, "binary_features")
    out, negation = {}, {}
    for col in columns:
        levels = sorted(frame[col].astype(str).unique())
        if len(levels) < 2:
            raise ValueError(f"binary_features: column {col!r} has one level only ({levels})")
        values = frame[col].astype(str).to_numpy()
        chosen = levels[1:] if len(levels) == 2 else levels
        for level in chosen:
            name = f"{col} = {level}"
            out[name] = values == level
            negation[name] = f"{col} = {levels[0]}" if len(levels) == 2 else f"{col} ≠ {level}"
    return pd.DataFrame(out, index=frame.index), negation


def _deviance(successes: float, n: float) -> float:
    """Binomial deviance (−2 log-likelihood) of a leaf at its own rate."""
    if n == 0 or successes in (0, n):
        return 0.0
    p = successes / n
    return float(-2 * (successes * np.log(p) + (n - successes) * np.log1p(-p)))


@dataclass(frozen=True)
class _Node:
    cost: float
    feature: int | None = None
    children: tuple = ()  # (node if feature false, node if feature true)
    n: float = 0.0
    successes: float = 0.0


class OptimalTree(FittedModel):
    """The rate tree of depth ≤ ``max_depth`` with the least deviance + ``penalty``·leaves.

    Splits are on binary features (e.g. from :func:`binary_features`); every leaf holds
    at least ``min_leaf`` rows. The default penalty is the 0.1 % critical value of a
    chi-square with one degree of freedom, so a split is kept only when the deviance it
    removes (over the whole subtree it opens) would be significant at that level.

    After ``fit``: ``rules_`` (one row per leaf: ``rule`` in words, ``n``,
    ``successes``, ``rate``), ``params_`` (leaf rates by rule), ``std_err_``, and
    ``split_features_`` (the feature names used).
    """

    def __init__(self, max_depth: int = 3, min_leaf: int = 50, penalty: float | None = None):
        if max_depth < 1:
            raise ValueError(f"max_depth must be at least 1; got {max_depth}")
        self.max_depth = max_depth
        self.min_leaf = min_leaf
        self.penalty = float(stats.chi2.ppf(0.999, 1)) if penalty is None else float(penalty)
        self.params_ = None

    def fit(self, features: pd.DataFrame, y, negation: dict[str, str] | None = None) -> "OptimalTree":
        """Search the best tree for outcome ``y`` (0/1) on the boolean ``features``."""
        X = features.to_numpy(dtype=bool)
        y = np.asarray(y, dtype="float64")
        if len(y) != len(X):
            raise ValueError(f"features have {len(X)} rows but y has {len(y)}")
        patterns, inverse = np.unique(X, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        n = np.bincount(inverse, minlength=len(patterns)).astype("float64")
        s = np.bincount(inverse, weights=y, minlength=len(patterns))
        memo: dict[frozenset, _Node] = {}

        def best(conditions: frozenset, mask: np.ndarray, depth: int) -> _Node:
            if conditions in memo:
                return memo[conditions]
            total, hits = n[mask].sum(), s[mask].sum()
            node = _Node(_deviance(hits, total) + self.penalty, n=total, successes=hits)
            used = {f for f, _ in conditions}
            if depth > 0 and total >= 2 * self.min_leaf:
                for f in range(X.shape[1]):
                    if f in used:
                        continue
                    left, right = mask & ~patterns[:, f], mask & patterns[:, f]
                    if n[left].sum() < self.min_leaf or n[right].sum() < self.min_leaf:
                        continue
                    a = best(conditions | {(f, False)}, left, depth - 1)
                    b = best(conditions | {(f, True)}, right, depth - 1)
                    if a.cost + b.cost < node.cost - 1e-9:
                        node = _Node(a.cost + b.cost, f, (a, b), total, hits)
            memo[conditions] = node
            return node

        self.tree_ = best(frozenset(), np.ones(len(patterns), dtype=bool), self.max_depth)
        self.feature_names_ = list(features.columns)
        negation = negation or {}
        rows = []

        def walk(node: _Node, path: list[str]):
            if node.feature is None:
                rows.append({"rule": " and ".join(path) or "everyone", "n": int(node.n),
                             "successes": int(node.successes), "rate": node.successes / node.n})
                return
            name = self.feature_names_[node.feature]
            walk(node.children[0], [*path, negation.get(name, f"not ({name})")])
            walk(node.children[1], [*path, name])

        walk(self.tree_, [])
        self.rules_ = pd.DataFrame(rows)
        self.split_features_ = sorted({self.feature_names_[f] for f in self._features(self.tree_)})
        rate = self.rules_["rate"].to_numpy()
        self.params_ = pd.Series(rate, index=self.rules_["rule"], name="rate")
        self.std_err_ = pd.Series(np.sqrt(rate * (1 - rate) / self.rules_["n"].to_numpy()),
                                  index=self.rules_["rule"])
        return self

    def _features(self, node: _Node) -> set[int]:
        if node.feature is None:
            return set()
        return {node.feature} | self._features(node.children[0]) | self._features(node.children[1])

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wilson interval of each leaf's rate."""
        self._check_fitted()
        low, high = proportion_confint(self.rules_["successes"].to_numpy(), self.rules_["n"].to_numpy(),
                                       alpha=alpha_of(level), method="wilson")
        return pd.DataFrame({"ci_low": low, "ci_high": high}, index=self.params_.index)

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Each row's leaf rate (the tree's estimated probability of the outcome)."""
        self._check_fitted()
        X = features[self.feature_names_].to_numpy(dtype=bool)
        out = np.empty(len(X))
        stack = [(self.tree_, np.ones(len(X), dtype=bool))]
        while stack:
            node, rows = stack.pop()
            if node.feature is None:
                out[rows] = node.successes / node.n
                continue
            stack.append((node.children[0], rows & ~X[:, node.feature]))
            stack.append((node.children[1], rows & X[:, node.feature]))
        return out


def greedy_tree(features: pd.DataFrame, y, max_depth: int = 3, min_leaf: int = 50, seed: int = 0):
    """scikit-learn's greedy CART (log-loss splits) on the same binary features."""
    from sklearn.tree import DecisionTreeClassifier

    model = DecisionTreeClassifier(criterion="log_loss", max_depth=max_depth,
                                   min_samples_leaf=min_leaf, random_state=seed)
    return model.fit(features.astype("int8"), np.asarray(y, dtype="int64"))


def leaf_rules(model, negation: dict[str, str] | None = None) -> pd.DataFrame:
    """The leaves of a fitted tree as rules in words: ``rule``, ``n``, ``successes``, ``rate``.

    Takes an :class:`OptimalTree` or a scikit-learn ``DecisionTreeClassifier`` fitted on
    binary features (split "feature ≤ 0.5" reads as the feature's negation).
    """
    if isinstance(model, OptimalTree):
        return model.rules_.copy()
    tree, names, negation = model.tree_, list(model.feature_names_in_), negation or {}
    rows = []

    def walk(node: int, path: list[str]):
        left, right = tree.children_left[node], tree.children_right[node]
        if left == right:  # a leaf
            n = int(tree.n_node_samples[node])
            share = tree.value[node][0]
            rate = float(share[1] / share.sum())
            rows.append({"rule": " and ".join(path) or "everyone", "n": n,
                         "successes": int(round(rate * n)), "rate": rate})
            return
        name = names[tree.feature[node]]
        walk(left, [*path, negation.get(name, f"not ({name})")])
        walk(right, [*path, name])

    walk(0, [])
    return pd.DataFrame(rows)


def split_columns(feature_names) -> list[str]:
    """The data columns behind binary feature names ``"col = level"``."""
    return sorted({name.split(" = ")[0] for name in feature_names})


def rule_recovery(predicted_rate, true_group) -> float:
    """Share of rows whose predicted rate is on the right side of the mean prediction.

    ``true_group`` is 1 where the truth puts the row in the high-response group. A tree
    that found the planted rule scores near 1; one that did not scores near 1/2.
    """
    p = np.asarray(predicted_rate, dtype="float64")
    truth = np.asarray(true_group, dtype=bool)
    return float(np.mean((p > p.mean()) == truth))


def customer_features(transactions: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Per customer: ``recency_days`` (days from the last purchase to the end), ``frequency``
    (purchases), ``monetary`` (mean amount per purchase, currency) from ``customer_id, date,
    amount`` rows dated up to ``as_of``.

    The end is ``as_of`` or the last day with data, whichever is earlier: a report dated
    after an export ends measures recency at the export's end, not at the report's date.
    """
    require_columns(transactions, ["customer_id", "date", "amount"], "transactions")
    dates = pd.to_datetime(transactions["date"])
    if as_of is not None:
        keep = dates <= pd.Timestamp(as_of)
        transactions, dates = transactions.loc[keep], dates.loc[keep]
    end = dates.max() if as_of is None else min(pd.Timestamp(as_of), dates.max())
    grouped = transactions.assign(date=dates).groupby("customer_id", sort=True)
    out = pd.DataFrame({"recency_days": (end - grouped["date"].max()).dt.days.astype("float64"),
                        "frequency": grouped.size().astype("float64"),
                        "monetary": grouped["amount"].mean()})
    return out


@dataclass(frozen=True)
class Clusters:
    """A clustering: ``labels`` (Series by customer), ``silhouette`` by k, the chosen ``k``."""

    labels: pd.Series
    silhouette: pd.Series
    k: int


def cluster_customers(features: pd.DataFrame, k_values=range(2, 9), seed: int = 0,
                      sample: int = 1500) -> Clusters:
    """k-means on standardized log1p features for each k; keep the best silhouette.

    Each k is fitted and scored on the same random ``sample`` of customers (all of them
    when there are fewer), so choosing k costs little on large bases; the chosen model
    then labels every customer (nearest centre).
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    values = np.log1p(features.to_numpy(dtype="float64").clip(min=0))
    X = StandardScaler().fit_transform(values)
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(X), size=min(sample, len(X)), replace=False)
    scores, fitted = {}, {}
    for k in k_values:
        if k >= len(rows):
            break
        fitted[k] = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(X[rows])
        scores[k] = float(silhouette_score(X[rows], fitted[k].labels_))
    if not scores:
        raise ValueError(f"cluster_customers: {len(X)} customers are too few for k in {list(k_values)}")
    k = max(scores, key=scores.get)
    return Clusters(pd.Series(fitted[k].predict(X), index=features.index, name="cluster"),
                    pd.Series(scores, name="silhouette").rename_axis("k"), k)


def describe_clusters(features: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """Size, share and medians per cluster, and a description in words.

    A cluster's median is called high (or low) when it is above 1.25 × (below 0.8 ×) the
    median of all customers.
    """
    words = {"recency_days": ("lapsed", "recent"), "frequency": ("frequent", "infrequent"),
             "monetary": ("big baskets", "small baskets")}
    overall = features.median()
    table = features.groupby(labels).median()
    table.insert(0, "share", labels.value_counts(normalize=True).sort_index())
    table.insert(0, "customers", labels.value_counts().sort_index())

    def describe(row) -> str:
        parts = []
        for col, (high, low) in words.items():
            ratio = row[col] / overall[col] if overall[col] else 1.0
            if ratio > 1.25:
                parts.append(high)
            elif ratio < 0.8:
                parts.append(low)
        return ", ".join(parts) or "typical"

    table["description"] = table.apply(describe, axis=1)
    return table


def cell_rates(train: pd.DataFrame, test: pd.DataFrame, factors: list[str], outcome: str) -> np.ndarray:
    """Each ``test`` row's outcome rate in its cell of the ``train`` cross-tab over ``factors``
    (the training overall rate where the cell is empty): how a pivot table scores customers."""
    rates = train.groupby(factors, observed=True)[outcome].mean().rename("rate").reset_index()
    scored = test[factors].merge(rates, on=factors, how="left")["rate"]
    return scored.fillna(train[outcome].mean()).to_numpy()


def compare_selections(scores: dict[str, np.ndarray], responded, expected, share: float) -> pd.DataFrame:
    """Contact the top ``share`` of rows by each score; what each selection gets.

    ``responded`` is the observed 0/1 outcome and ``expected`` the probability of a
    response (the truth on synthetic data, else pass ``responded`` again). Ties within a
    score are broken by row position. One row per method: ``contacted``,
    ``responders``, ``response_rate`` and ``expected_responders``.
    """
    from crm_analysis.common import top_k

    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1]; got {share}")
    y = np.asarray(responded, dtype="float64")
    p = np.asarray(expected, dtype="float64")
    k = int(round(share * len(y)))
    rows = []
    for method, score in scores.items():
        chosen = top_k(score, k)
        rows.append({"method": method, "contacted": k, "responders": int(y[chosen].sum()),
                     "response_rate": float(y[chosen].mean()),
                     "expected_responders": float(p[chosen].sum())})
    return pd.DataFrame(rows).set_index("method")


def holdout_mask(customer_id, share: float, seed: int = 0) -> np.ndarray:
    """True for rows of customers drawn into the holdout (a ``share`` of the customers),
    so all rows of one customer fall on the same side."""
    if not 0 < share < 1:
        raise ValueError(f"holdout share must be in (0, 1); got {share}")
    ids = pd.Series(customer_id)
    unique = np.sort(ids.unique())
    rng = np.random.default_rng(seed)
    held = set(unique[rng.random(len(unique)) < share])
    return ids.isin(held).to_numpy()
