"""BG/BB model of discrete-time repeat transactions (Fader, Hardie & Shang 2010,
"Customer-base analysis in a discrete-time noncontractual setting", *Marketing Science*
29(6):1086–1108).

For "opportunity" businesses — a donation per year, an annual event, a renewal at a fixed
date — time is a sequence of transaction opportunities 1, 2, …, n after the customer's
first transaction (opportunity 0).  While alive, a customer transacts at each opportunity
with probability p ~ Beta(α, β); before each opportunity an alive customer dies with
probability θ ~ Beta(γ, δ).  A customer's data are (x, t_x, n): x repeat transactions,
the last at opportunity t_x (0 if x = 0), out of n opportunities.

Likelihood of one customer (FHS 2010 eq. 5):

    L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
        + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)

evaluated as a log-sum-exp over its terms, with the analytic gradient (each term's
gradient is a difference of digammas; the sum's is their softmax-weighted mean).  All
customers with the same (x, t_x, n) — a "recency/frequency cell" — share one likelihood,
so the fit runs on the weighted cells (at most (n+1)(n+2)/2 per n): a million customers
with 6 opportunities are 22 rows.

Predictions (FHS 2010 eqs. 7–13): :meth:`BGBB.expected_transactions` (a new customer's
expected transactions in the first n opportunities), :meth:`BGBB.p_alive`,
:meth:`BGBB.conditional_expected_transactions` in the next n* opportunities,
:meth:`BGBB.dert` (discounted expected residual transactions) and
:meth:`BGBB.frequency_pmf` P(X(n) = x).  Conditional expectations are computed as sums
over the future opportunities of E[p | data] · P(alive at n+k | data), which stays finite
at γ = 1 where the paper's closed form has a removable singularity.

No evidence of drop-out (γ → 0: every customer keeps transacting with their own p, the
beta-binomial) is a result, not a failure: see :mod:`crm_analysis.clv.edges`.

Written by hand because no maintained Python library fits BG/BB by weighted maximum
likelihood with standard errors (lifetimes, archived, has no standard errors and numeric
gradients; pymc-marketing is Bayesian).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, hyp2f1

from . import edges
from ._fit import ConvergenceError, MLEModel

#: Column names of a discrete-opportunity summary (see :mod:`.discrete`).
FREQUENCY, RECENCY, OPPORTUNITIES, WEIGHT = "frequency", "recency_opportunities", "opportunities", "customers"


def opportunity_arrays(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x, t_x, n, weight)`` as float arrays from a discrete summary (one row per customer,
    or one row per cell with a ``customers`` weight column); checks the values."""
    missing = [c for c in (FREQUENCY, RECENCY, OPPORTUNITIES) if c not in summary.columns]
    if missing:
        raise ValueError(
            f"discrete summary: missing column(s) {missing}; build it with "
            "clv.summarize_opportunities(transactions, ...) or load_donations()"
        )
    x, t_x, n = (summary[c].to_numpy(dtype="float64") for c in (FREQUENCY, RECENCY, OPPORTUNITIES))
    w = summary[WEIGHT].to_numpy(dtype="float64") if WEIGHT in summary.columns else np.ones(x.size)
    bad = ~(np.isfinite(x) & np.isfinite(t_x) & np.isfinite(n) & np.isfinite(w)) | (x < 0) | (w < 0) | (
        x > t_x) | (t_x > n) | ((x > 0) & (t_x < 1)) | (np.mod(x, 1) != 0) | (np.mod(t_x, 1) != 0) | (
        np.mod(n, 1) != 0)
    if bad.any():
        rows = list(summary.index[bad][:10])
        raise ValueError(
            f"discrete summary: {int(bad.sum())} rows are not valid (x, t_x, n) cells — need whole "
            f"numbers with 0 <= x <= t_x <= n, t_x >= 1 when x > 0, weights >= 0 — e.g. rows {rows}"
        )
    return x, t_x, n, w


def compress_cells(x, t_x, n, w=None) -> dict[str, np.ndarray]:
    """Collapse customers into (x, t_x, n) cells with summed weights: one integer key per
    customer, counted with ``np.bincount`` when the key range is small (a million customers
    in about 10 ms), else ``np.unique``; no pandas group-by."""
    x, t_x, n = (np.asarray(v, dtype="int64") for v in (x, t_x, n))
    w = np.ones(x.size) if w is None else np.asarray(w, dtype="float64")
    base = int(n.max()) + 1
    key = (n * base + t_x) * base + x
    if base ** 3 <= 5_000_000:  # dense key range: one pass of bincount, no sort
        weight = np.bincount(key, weights=w, minlength=base ** 3)
        cells = np.flatnonzero(np.bincount(key, minlength=base ** 3))
        weight = weight[cells]
    else:
        cells, inverse = np.unique(key, return_inverse=True)
        weight = np.bincount(inverse, weights=w, minlength=cells.size)
    keep = weight > 0
    cells, weight = cells[keep], weight[keep]
    return {"x": (cells % base).astype("float64"), "t_x": (cells // base % base).astype("float64"),
            "n": (cells // base // base).astype("float64"), "w": weight}


class BGBB(MLEModel):
    """BG/BB fitter: ``BGBB().fit(summary)`` with a discrete summary (per customer, or per
    cell with a ``customers`` weight column); opportunities are whole periods."""

    param_names = ("alpha", "beta", "gamma", "delta")

    def fit(self, summary: pd.DataFrame, start: dict | None = None) -> BGBB:
        """Fit by maximum likelihood; ``start`` optionally gives {alpha, beta, gamma, delta}."""
        x, t_x, n, w = opportunity_arrays(summary)
        return self.fit_cells(x, t_x, n, w, start=start)

    def fit_cells(self, x, t_x, n, weights=None, start: dict | None = None) -> BGBB:
        """Fit from arrays of x, t_x, n (and optional weights: customers per row)."""
        data = self._data_from(compress_cells(x, t_x, n, weights))
        if not np.any(data["x"] > 0):
            raise ValueError("discrete summary: no customer made a repeat transaction, so BG/BB "
                             "is not identified; use more opportunities (a longer window)")
        at_boundary = edges.bgbb_at_boundary(data)
        if at_boundary is not None:  # γ → 0: the beta-binomial limit (see crm_analysis.clv.edges)
            edges.set_bgbb_boundary(self, at_boundary)
            return self
        first = {"alpha": 1.0, "beta": 1.0, "gamma": 1.0, "delta": 1.0}
        first.update(start or {})
        try:
            self._maximize(data, np.log([first[k] for k in self.param_names]), n_obs=float(data["w"].sum()))
        except ConvergenceError:
            if not self._fall_back(data, converged=False):
                raise
            return self
        self._fall_back(data, converged=True)  # converged with mean drop-out < 1e-4: the limit
        return self

    def _fall_back(self, data, converged: bool) -> bool:
        """Store the beta-binomial limit when the optimizer stopped with γ/(γ+δ) < 1e-4, or
        (failed fits) at a small drop-out not significantly better than none
        (:func:`crm_analysis.clv.edges.not_significant`)."""
        last = self._last_log_params
        ga, de = np.exp(last[2:])
        mean = ga / (ga + de)
        if not mean < (1e-4 if converged else 1e-2):
            return False
        log_params, loglik, cov = edges.fit_beta_binomial(data["x"], data["n"], data["w"])
        if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
            return False
        found = self._loglik(last, data)
        clause = "" if mean < 1e-4 else edges.not_significant(found, loglik, mean)
        if clause is None:
            return False
        edges.set_bgbb_boundary(self, {"log_params": log_params, "loglik": loglik, "cov_log": cov, "data": data})
        self.boundary_ += clause
        self._loglik_found = found
        return True

    def _full_data(self) -> dict:
        return self._data

    def _prediction_params(self) -> tuple[float, float, float, float]:
        """(α, β, γ, δ) for the prediction formulas; at the no-drop-out boundary (γ = 0) the
        limit γ → 0 with δ = 1 (γ = 1e-200: B(γ, δ+k)/B(γ, δ) = 1 and death terms 0 to
        double precision)."""
        al, be, ga, de = self.params_.to_numpy()
        return (al, be, 1e-200, 1.0) if ga == 0 else (al, be, ga, de)

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Estimate table (log-scale Wald intervals); at the no-drop-out boundary α, β of the
        beta-binomial and a ``mean_dropout`` row with its profile-likelihood interval."""
        if not getattr(self, "boundary_", None):
            return super().summary(level)
        fit = self._boundary_fit
        table = edges.boundary_table(self, level, fit["log_params"], np.sqrt(np.diag(fit["cov_log"])), [0, 1])
        table.attrs.update(boundary=self.boundary_, loglik=self.loglik_, n_obs=self.n_obs_, model="BGBB")
        return table

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        if getattr(self, "boundary_", None):
            return self.summary(level).loc[list(self.param_names), ["ci_low", "ci_high"]]
        return super().conf_int(level)

    @staticmethod
    def _data_from(cells: dict) -> dict:
        """Cells plus the padded term matrices of the likelihood: column 0 is the "alive
        through n" term, columns 1.. the "died after opportunity t_x+i" terms."""
        x, t_x, n = cells["x"], cells["t_x"], cells["n"]
        m = int((n - t_x).max()) + 1
        i = np.arange(m - 1, dtype="float64")[None, :]
        valid = np.c_[np.ones(x.size, bool), i < (n - t_x)[:, None]]
        # term k: B(α+x, β+b_k)/B(α,β) · B(γ+g_k, δ+d_k)/B(γ,δ)
        b = np.c_[n - x, t_x[:, None] - x[:, None] + i]
        g = np.c_[np.zeros(x.size), np.ones((x.size, m - 1))]
        d = np.c_[n, t_x[:, None] + i]
        return {**cells, "valid": valid, "b": np.where(valid, b, 0.0), "g": g, "d": np.where(valid, d, 0.0)}

    def _loglik(self, log_params, data):
        return self._loglik_grad(log_params, data, gradient=False)[0]

    def _loglik_grad(self, log_params, data, gradient=True):
        al, be, ga, de = np.exp(log_params)
        x, w, valid, b, g, d = (data[k] for k in ("x", "w", "valid", "b", "g", "d"))
        xa = x[:, None]
        terms = (betaln(al + xa, be + b) - betaln(al, be) + betaln(ga + g, de + d) - betaln(ga, de))
        terms = np.where(valid, terms, -np.inf)
        top = terms.max(axis=1, keepdims=True)
        share = np.exp(terms - top)
        total = share.sum(axis=1, keepdims=True)
        ll_rows = top[:, 0] + np.log(total[:, 0])
        loglik = float(w @ ll_rows)
        if not gradient:
            return loglik, None
        soft = w[:, None] * share / total  # weight of each term in d log L
        psi_ab = digamma(al + be + xa + b)
        d_al = np.sum(soft * (digamma(al + xa) - psi_ab)) - w.sum() * (digamma(al) - digamma(al + be))
        d_be = np.sum(soft * np.where(valid, digamma(be + b) - psi_ab, 0.0)) - w.sum() * (
            digamma(be) - digamma(al + be))
        psi_gd = digamma(ga + de + g + d)
        d_ga = np.sum(soft * (digamma(ga + g) - psi_gd)) - w.sum() * (digamma(ga) - digamma(ga + de))
        d_de = np.sum(soft * np.where(valid, digamma(de + d) - psi_gd, 0.0)) - w.sum() * (
            digamma(de) - digamma(ga + de))
        return loglik, np.array([d_al, d_be, d_ga, d_de]) * np.array([al, be, ga, de])

    # ------------------------------------------------------------------ predictions
    def _log_lik_cells(self, x, t_x, n) -> np.ndarray:
        data = self._data_from({"x": x, "t_x": t_x, "n": n, "w": np.ones(x.size)})
        al, be, ga, de = self._prediction_params()
        xa = x[:, None]
        terms = (betaln(al + xa, be + data["b"]) - betaln(al, be) + betaln(ga + data["g"], de + data["d"])
                 - betaln(ga, de))
        terms = np.where(data["valid"], terms, -np.inf)
        top = terms.max(axis=1)
        return top + np.log(np.exp(terms - top[:, None]).sum(axis=1))

    def _cells(self, frequency, recency, n):
        """Unique (x, t_x, n) of the inputs and the map back (predictions are per cell)."""
        arrays = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (frequency, recency, n)))
        shape = arrays[0].shape
        stacked = np.stack([a.ravel() for a in arrays], axis=1)
        unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
        return unique[:, 0], unique[:, 1], unique[:, 2], inverse.reshape(shape)

    def loglik_per_customer(self, frequency, recency, n) -> np.ndarray:
        """ln L(α, β, γ, δ | x, t_x, n) per customer."""
        self._check_fitted()
        x, t, nn, inv = self._cells(frequency, recency, n)
        return self._log_lik_cells(x, t, nn)[inv]

    def expected_transactions(self, n) -> np.ndarray:
        """E[X(n)]: a new customer's expected repeat transactions in opportunities 1..n."""
        self._check_fitted()
        al, be, ga, de = self._prediction_params()
        n = np.asarray(n, dtype="int64")
        k = np.arange(1, int(n.max(initial=0)) + 1)
        per = al / (al + be) * np.exp(betaln(ga, de + k) - betaln(ga, de))
        cum = np.r_[0.0, np.cumsum(per)]
        return cum[n]

    def p_alive(self, frequency, recency, n, future: int = 1) -> np.ndarray:
        """P(alive at opportunity n + ``future`` | x, t_x, n); ``future=1`` is FHS 2010's
        P(alive in period n+1), ``future=0`` alive at the last observed opportunity."""
        self._check_fitted()
        al, be, ga, de = self._prediction_params()
        x, t, nn, inv = self._cells(frequency, recency, n)
        log_p = (betaln(al + x, be + nn - x) - betaln(al, be) + betaln(ga, de + nn + future)
                 - betaln(ga, de) - self._log_lik_cells(x, t, nn))
        return np.exp(log_p)[inv]

    def conditional_expected_transactions(self, n_star, frequency, recency, n) -> np.ndarray:
        """E[X(n, n+n*) | x, t_x, n]: expected transactions in the next ``n_star`` opportunities
        (FHS 2010 eq. 13, as the sum over k = 1..n* of E[p | data] · P(alive at n+k | data))."""
        self._check_fitted()
        al, be, ga, de = self._prediction_params()
        x, t, nn, inv = self._cells(frequency, recency, n)
        k = np.arange(1, int(n_star) + 1, dtype="float64")[None, :]
        base = betaln(al + x + 1, be + nn - x) - betaln(al, be) - betaln(ga, de) - self._log_lik_cells(x, t, nn)
        per = np.exp(base[:, None] + betaln(ga, de + nn[:, None] + k))
        return per.sum(axis=1)[inv]

    def dert(self, discount_rate: float, frequency, recency, n) -> np.ndarray:
        """Discounted expected residual transactions (FHS 2010 eq. 14) at ``discount_rate``
        per opportunity: Σ_k E[transaction at n+k | data] / (1+d)^k, k ≥ 1."""
        self._check_fitted()
        if not discount_rate > 0:
            raise ValueError(f"discount_rate must be > 0 (per opportunity), got {discount_rate!r}")
        al, be, ga, de = self._prediction_params()
        x, t, nn, inv = self._cells(frequency, recency, n)
        log_front = (betaln(al + x + 1, be + nn - x) - betaln(al, be) + betaln(ga, de + nn + 1) - betaln(ga, de)
                     - np.log1p(discount_rate) - self._log_lik_cells(x, t, nn))
        return (np.exp(log_front) * hyp2f1(1.0, de + nn + 1, ga + de + nn + 1, 1 / (1 + discount_rate)))[inv]

    def frequency_pmf(self, x, n) -> np.ndarray:
        """P(X(n) = x): probability that a new customer makes x repeat transactions in
        opportunities 1..n (FHS 2010 eq. 8)."""
        self._check_fitted()
        al, be, ga, de = self._prediction_params()
        x, n = np.broadcast_arrays(np.asarray(x, dtype="float64"), np.asarray(n, dtype="float64"))
        from scipy.special import gammaln

        def log_choose(a, k):
            return gammaln(a + 1) - gammaln(k + 1) - gammaln(a - k + 1)

        first = np.exp(log_choose(n, x) + betaln(al + x, be + n - x) - betaln(al, be) + betaln(ga, de + n)
                       - betaln(ga, de))
        i = np.arange(int(n.max(initial=0)), dtype="float64")
        ii = i.reshape((1,) * x.ndim + (-1,))
        xe, ne = x[..., None], n[..., None]
        ok = (ii >= xe) & (ii <= ne - 1)
        with np.errstate(invalid="ignore"):
            terms = np.exp(log_choose(ii, xe) + betaln(al + xe, be + ii - xe) - betaln(al, be)
                           + betaln(ga + 1, de + ii) - betaln(ga, de))
        return first + np.where(ok, terms, 0.0).sum(axis=-1)


def bgbb_tracking(model: BGBB, summary: pd.DataFrame, actual=None, labels=None,
                  n_holdout: int = 0) -> pd.DataFrame:
    """Expected repeat transactions of a cohort per opportunity, 1..N (N = the largest n plus
    ``n_holdout``, or ``len(actual)`` when ``actual`` is given): for the calibration
    opportunities (k <= n of each customer) the unconditional expectation
    α/(α+β)·B(γ, δ+k)/B(γ,δ) per customer, after it the conditional expectation given each
    customer's (x, t_x, n).  ``actual`` (per opportunity) and ``labels`` (e.g. years) are
    added as columns when given.  Returns ``opportunity``, ``expected`` (transactions) and
    ``period`` ("calibration"/"holdout")."""
    x, t_x, n, w = opportunity_arrays(summary)
    cells = compress_cells(x, t_x, n, w)
    n_max = int(cells["n"].max())
    horizon = len(actual) if actual is not None else n_max + int(n_holdout)
    al, be, ga, de = model._prediction_params()
    k = np.arange(1, horizon + 1)
    per_new = al / (al + be) * np.exp(betaln(ga, de + k) - betaln(ga, de))
    expected = np.zeros(horizon)
    x, t_x, n, w = cells["x"], cells["t_x"], cells["n"], cells["w"]
    # E[transaction at opportunity n+a | data] = E[p | data] · P(alive at n+a | data)
    base = (betaln(al + x + 1, be + n - x) - betaln(al, be) - betaln(ga, de)
            - model._log_lik_cells(x, t_x, n))
    for j, step in enumerate(k):
        inside = n >= step
        expected[j] = w[inside].sum() * per_new[j]
        ahead = step - n[~inside]
        expected[j] += w[~inside] @ np.exp(base[~inside] + betaln(ga, de + n[~inside] + ahead))
    table = pd.DataFrame({"opportunity": k, "expected": expected,
                          "period": np.where(k <= n_max, "calibration", "holdout")})
    if labels is not None:
        table.insert(0, "label", list(labels))
    if actual is not None:
        table["actual"] = np.asarray(actual, dtype="float64")
    return table
