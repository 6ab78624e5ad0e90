"""Key results: record a notebook's headline figures where people and programs both see them.

``record(name, value)`` displays one bundle with three representations:

* ``text/html`` and ``text/plain``: a visible "key result" row for the reader;
* ``application/vnd.crm-workbook.result+json``: the value, machine-readable.

Because the bundle carries an HTML and a plain-text form, JupyterLab, VS Code and
nbconvert render it without "no renderer" warnings. ``read_results(path)`` walks an
executed notebook's outputs and returns the recorded values; the report index, the
run manifest and the notebook value tests read them back this way.

Written by hand because the one library that did this (scrapbook) is unmaintained and
its outputs carry no text fallback.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import nbformat

MIMETYPE = "application/vnd.crm-workbook.result+json"


@dataclass(frozen=True)
class Result:
    """One recorded figure: its name, JSON value, optional unit, note, human label and
    number of decimals to show."""

    name: str
    value: Any
    unit: str | None = None
    note: str | None = None
    label: str | None = None
    decimals: int | dict | None = None

    @property
    def title(self) -> str:
        """The label a reader sees: ``label``, else the name in words."""
        return self.label or humanize(self.name)


def _to_json(value: Any, path: str) -> Any:
    """Convert numpy/pandas scalars, arrays, Series, frames and dates to JSON types.

    Raises ``TypeError`` for types it does not know and ``ValueError`` for NaN or
    infinity, naming where in the value the problem sits (``path``).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item") and getattr(value, "shape", None) == ():  # numpy scalar
        value = value.item()
        if isinstance(value, (bool, str)):
            return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"record(): {path} is {value}; record a finite number or None")
        return value
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if hasattr(value, "isoformat") and hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.isoformat()
    if _is_estimate_table(value):
        return _estimate_json(value, path)
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # DataFrame
        return [_to_json(row, f"{path}[{i}]")
                for i, row in enumerate(value.to_dict(orient="records"))]
    if hasattr(value, "to_dict"):  # Series
        return {str(k): _to_json(v, f"{path}[{k!r}]") for k, v in value.to_dict().items()}
    if isinstance(value, dict):
        return {str(k): _to_json(v, f"{path}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        return [_to_json(v, f"{path}[{i}]") for i, v in enumerate(items)]
    raise TypeError(f"record(): {path} has type {type(value).__name__}, which has no JSON form")


#: Columns of an estimate table (``crm_analysis.estimates``) kept in its recorded form.
_ESTIMATE_KEYS = ("estimate", "ci_low", "ci_high", "std_err", "p_value", "level", "true")
#: Keys of a recorded estimate that the short form does not show.
_HIDDEN_KEYS = ("std_err", "level")


def _is_estimate_table(value: Any) -> bool:
    columns = getattr(value, "columns", None)
    return columns is not None and {"estimate", "ci_low", "ci_high"} <= set(columns)


def _estimate_json(table: Any, path: str) -> dict:
    """An estimate table as JSON: one row → ``{estimate, ci_low, ci_high, std_err, level
    [, p_value][, true]}``; several rows → ``{row label: that dict}``. Missing values
    (e.g. no standard error for a bootstrap interval) are left out."""
    rows = {}
    for label, row in table.iterrows():
        entry = {}
        for key in _ESTIMATE_KEYS:
            if key in table.columns and row[key] is not None and not (
                isinstance(row[key], float) and math.isnan(row[key])
            ):
                entry[key] = _to_json(row[key], f"{path}[{label!r}][{key!r}]")
        rows[str(label)] = entry
    return next(iter(rows.values())) if len(rows) == 1 else rows


def format_value(value: Any, limit: int = 160, decimals: int | dict | None = None) -> str:
    """Short human-readable form of a recorded JSON value (used in notebooks and indexes).

    Numbers get thousands separators and 4 significant digits (no decimals from 1,000
    up), or exactly ``decimals`` decimals when given, per key for a mapping
    (``decimals={"loglik": 1}`` shows a BG/NBD fit's log-likelihood as ``-9,582.4``);
    booleans read yes/no; an estimate recorded as
    ``{"estimate", "ci_low", "ci_high"[, "true"]}`` reads ``5.5 (CI 4.67 to 6.34; true 5)``
    (``share`` may stand for ``estimate``; text values label it: ``UK 0.24 (CI …)``;
    ``std_err`` and ``level`` are not shown); an estimate table
    (:func:`crm_analysis.estimates.estimate_table`) may be given directly: one row reads
    like the estimate, several rows ``label 5.5 (CI …); label 3.1 (CI …)``; other mappings
    read ``key value; key value``. Text longer than ``limit`` characters is cut after its
    last whole item (never inside a number) and ends with "… (n more)".
    """
    if _is_estimate_table(value):
        value = _estimate_json(value, "value")
    items = _items(value, decimals)
    text = "; ".join(items)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for item in items:
        if len("; ".join([*kept, item])) + 14 > limit:
            break
        kept.append(item)
    if not kept:  # one long item (text): cut at a word boundary
        cut = text[: limit - 1].rsplit(" ", 1)[0]
        return cut + "…"
    return "; ".join(kept) + f"; … ({len(items) - len(kept)} more)"


def display_value(value: Any, unit: str | None = None, limit: int = 160,
                  decimals: int | dict | None = None) -> str:
    """A recorded value with its unit, as a reader sees it: shares (unit ``share`` or
    ``share of …``) read as percentages with one decimal (``0.2498`` → ``25.0 %``, an
    interval ``0.65 to 0.68`` → ``65.0 to 68.0 %``), other units follow the number;
    at most ``limit`` characters (see :func:`format_value`)."""
    if unit and (unit == "share" or unit.startswith("share of ")):
        value = _as_percent(value)
        unit = "%" + unit[len("share"):]
        decimals = 1 if decimals is None else decimals
    suffix = f" {unit}" if unit else ""
    return format_value(value, limit=max(limit - len(suffix), 20), decimals=decimals) + suffix


def _as_percent(value: Any) -> Any:
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return 100.0 * value
    if isinstance(value, dict):
        return {k: (v if k in ("level", "p_value") else _as_percent(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_percent(v) for v in value]
    return value


def humanize(name: str) -> str:
    """``profit_mass`` → ``Profit mass``: the fallback label of a figure recorded without one."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


#: Keys that hold the point estimate of a value recorded with ``ci_low`` and ``ci_high``.
_POINT_KEYS = ("estimate", "share")


def _items(value: Any, decimals: int | dict | None) -> list[str]:
    """The top-level items of a value's text form (one item for a scalar or an estimate)."""
    if isinstance(value, dict) and not _is_estimate(value):
        return [f"{k} {_format(v, _for_key(decimals, k))}" for k, v in value.items()]
    return [_format(value, None if isinstance(decimals, dict) else decimals)]


def _for_key(decimals: int | dict | None, key: str) -> int | None:
    return decimals.get(key) if isinstance(decimals, dict) else decimals


def _is_estimate(value: dict) -> bool:
    return any(k in value for k in _POINT_KEYS) and {"ci_low", "ci_high"} <= value.keys()


def _number(value: float, decimals: int | None) -> str:
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    return f"{value:,.0f}" if abs(value) >= 1e3 else f"{value:,.4g}"


def _format(value: Any, decimals: int | dict | None = None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(decimals, dict) and not isinstance(value, dict):
        decimals = None
    if isinstance(value, float):
        return _number(value, decimals)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dict):
        if _is_estimate(value):
            point = next(k for k in _POINT_KEYS if k in value)
            rest = {k: v for k, v in value.items()
                    if k not in (point, "ci_low", "ci_high", *_HIDDEN_KEYS)}
            labels = "".join(f"{v} " for v in rest.values() if isinstance(v, str))
            extra = "".join(f"; {k} {_format(v, decimals)}" for k, v in rest.items()
                            if not isinstance(v, str))
            return (f"{labels}{_format(value[point], decimals)} (CI "
                    f"{_format(value['ci_low'], decimals)} to "
                    f"{_format(value['ci_high'], decimals)}{extra})")
        return "; ".join(_items(value, decimals))
    if isinstance(value, list):
        return "[" + ", ".join(_format(v, decimals) for v in value) + "]"
    return str(value)


def record(name: str, value: Any, unit: str | None = None, note: str | None = None,
           label: str | None = None, decimals: int | dict | None = None) -> None:
    """Display and store one headline figure of the running notebook.

    Parameters
    ----------
    name : identifier-like key (``auc``, ``bgnbd``), unique within a notebook; programs
        and tests read the figure by it.
    value : number, string, bool, None, date, numpy/pandas scalar, Series, DataFrame,
        an estimate table (columns ``estimate, std_err, ci_low, ci_high[, p_value], level``
        [, ``true``]: one row is recorded as one estimate, several as one per row label),
        or a dict/list of those. NaN and infinity are refused.
    unit : what the number is measured in (``"share"``, ``"EUR"``, ``"weeks"``).
    note : one short sentence saying what the figure means.
    label : the short human label a reader sees in the report and the index
        (``"Profit of mass mailing"``); default: the name in words.
    decimals : decimals to show, or a mapping key → decimals for a dict value
        (``{"loglik": 1}``: a log-likelihood published as -9,582.4); default:
        4 significant digits, see :func:`format_value`. The stored value is exact.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"record(): name must be an identifier-like string, got {name!r}")
    if decimals is not None and not all(
            isinstance(d, int) and 0 <= d <= 10
            for d in (decimals.values() if isinstance(decimals, dict) else [decimals])):
        raise ValueError(f"record(): decimals must be an integer from 0 to 10 (or a mapping "
                         f"of keys to such integers), got {decimals!r}")
    result = Result(name, _to_json(value, name), unit, note, label, decimals)
    from IPython.display import display  # imported here: the package works without IPython

    shown = display_value(result.value, unit, decimals=decimals)
    html_row = (
        '<div class="crm-key-result" style="border-left:4px solid #2a7ae2;'
        'padding:4px 10px;margin:4px 0;background:#f3f8fe;font-family:sans-serif">'
        f'<span style="color:#555">key result</span> <b>{html.escape(result.title)}</b> = '
        f"<code>{html.escape(shown)}</code>"
        + (f' <span style="color:#555">— {html.escape(note)}</span>' if note else "")
        + f' <span style="color:#999;font-size:0.8em">({html.escape(name)})</span>'
        + "</div>"
    )
    display(
        {
            "text/plain": f"key result {result.title} ({name}) = {shown}"
            + (f"  ({note})" if note else ""),
            "text/html": html_row,
            # "ordered": the value as JSON text, because notebook files store JSON objects
            # with sorted keys and a reader wants r, alpha, a, b in the order recorded
            MIMETYPE: {"name": name, "value": result.value, "unit": unit, "note": note,
                       "label": label, "decimals": decimals,
                       "ordered": json.dumps(result.value, ensure_ascii=False)},
        },
        raw=True,
    )


def read_results(notebook: str | Path | nbformat.NotebookNode) -> dict[str, Result]:
    """Return every figure recorded in an executed notebook, by name (last one wins)."""
    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(
        str(notebook), as_version=4
    )
    found: dict[str, Result] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            payload = output.get("data", {}).get(MIMETYPE)
            if payload is not None:
                value = (json.loads(payload["ordered"]) if "ordered" in payload
                         else payload["value"])
                found[payload["name"]] = Result(
                    payload["name"], value, payload.get("unit"), payload.get("note"),
                    payload.get("label"), payload.get("decimals"),
                )
    return found
