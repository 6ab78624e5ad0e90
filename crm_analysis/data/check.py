"""What ``crm-workbook data check PROFILE`` shows: each table of a data profile, loaded and
checked, described the way a careful analyst looks at new data first.

:func:`check_profile` loads every table of the profile and returns a :class:`TableCheck`
per table (numbers and a few small tables); :func:`format_check` turns them into the
text the command prints. Loading errors are raised as they are (``ValueError`` naming the
file, the column, the rows and a profile key that fixes it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from crm_analysis.data.profile import DataProfile, LoadReport
from crm_analysis.data.sources import redact_url


@dataclass
class TableCheck:
    """One table's check: its load report and facts (name → value) in print order."""

    table: str
    report: LoadReport | None
    facts: dict = field(default_factory=dict)


def _transactions_facts(frame: pd.DataFrame) -> dict:
    days = frame.assign(day=frame["date"].dt.floor("D")).groupby("customer_id")["day"].nunique()
    spend = frame.groupby("customer_id")["amount"].sum()
    amount = frame["amount"].describe(percentiles=[0.01, 0.25, 0.5, 0.75, 0.99])
    facts = {
        "customers": f"{frame['customer_id'].nunique():,}",
        "date range": f"{frame['date'].min()} to {frame['date'].max()}" if len(frame) else "none",
        "repeat buyers (bought on 2+ days)": f"{int((days >= 2).sum()):,} of {len(days):,} "
                                             f"({(days >= 2).mean():.1%})" if len(days) else "0",
        "purchase days per customer (median, max)": f"{days.median():g}, {days.max():g}" if len(days) else "",
        "amount per line": ", ".join(f"{k} {amount[k]:,.2f}" for k in
                                     ("min", "1%", "25%", "50%", "75%", "99%", "max") if k in amount),
        "total amount": f"{frame['amount'].sum():,.2f}",
        "net spend per customer (min, median, max)": (f"{spend.min():,.2f}, {spend.median():,.2f}, "
                                                     f"{spend.max():,.2f}") if len(spend) else "",
        "zero-amount lines": int((frame["amount"] == 0).sum()),
    }
    return facts


def check_profile(profile: DataProfile, as_of=None) -> list[TableCheck]:
    """Load every table of ``profile`` (rows dated after ``as_of`` left out) and describe it."""
    checks = []
    for table in profile.tables:
        if table == "transactions":
            frame = profile.transactions(as_of=as_of)
            checks.append(TableCheck(table, profile.reports[table], _transactions_facts(frame)))
        elif table == "customers":
            frame = profile.customers(as_of=as_of)
            facts = {"customers": len(frame)}
            for column in frame.columns:
                if pd.api.types.is_datetime64_any_dtype(frame[column]):
                    facts[f"{column} range"] = f"{frame[column].min()} to {frame[column].max()}"
                    facts[f"{column} missing"] = int(frame[column].isna().sum())
            facts["columns"] = ", ".join(frame.columns)
            checks.append(TableCheck(table, profile.reports[table], facts))
        elif table == "campaign":
            frame = profile.campaign()
            arms = frame.groupby("treated")["response"].agg(["size", "mean"])
            facts = {"customers": int(frame["customer_id"].nunique()),
                     "treated": f"{int(frame['treated'].sum()):,} ({frame['treated'].mean():.1%})"}
            for arm, row in arms.iterrows():
                facts[f"response rate, {'treated' if arm else 'control'}"] = (
                    f"{row['mean']:.2%} of {int(row['size']):,}")
            if "spend" in frame:
                facts["total spend"] = f"{frame['spend'].sum():,.2f}"
            checks.append(TableCheck(table, profile.reports[table], facts))
        else:
            log = profile.web_log()
            facts = {"file": str(log["path"]), "size": f"{os.path.getsize(log['path']):,} bytes",
                     "format": log["format"], "time zone": log["time_zone"] or "not given (times as written)"}
            checks.append(TableCheck(table, None, facts))
    return checks


def _source_lines(profile: DataProfile, table: str, report: LoadReport) -> list[str]:
    """Where the table came from: its file, or its database (URL without password) and
    table or query."""
    db = profile.spec.get(table, {}).get("_database")
    if db is None:
        return [f"  file: {report.path}"]
    shown = [f"  database: {redact_url(db.url)}"]
    shown.append(f"  table: {db.table}" if db.table else f"  query: {db.query.strip()}")
    return shown


def _report_lines(report: LoadReport, source: list[str]) -> list[str]:
    label = report.row_label
    lines = [*source,
             f"  {label}s read: {report.rows_read:,}; kept: {report.rows_kept:,}; "
             f"left out: {report.rows_read - report.rows_kept:,}"]
    for dropped in report.dropped:
        amount = "" if dropped.amount is None else f", amount {dropped.amount:,.2f}"
        shown = ", ".join(str(r) for r in dropped.rows[:5])
        more = ", ..." if dropped.count > 5 else ""
        lines.append(f"    - {dropped.count:,} {label}s: {dropped.reason}{amount} ({label}s {shown}{more})")
    net = report.netting
    if net.get("return_lines"):
        lines.append(
            f"  returns (returns: net, window {net['window_days']:g} days): {net['return_lines']:,} "
            f"return lines of {net['returned_amount']:,.2f}; netted {net['netted_amount']:,.2f} "
            f"({net['netted_in_same_order']:,.2f} in the same order, {net['netted_within_window']:,.2f} "
            f"against earlier purchases of the same customer and product); "
            f"{net['purchase_lines_reduced']:,} purchase lines reduced, "
            f"{net['purchase_lines_removed']:,} removed as fully returned; "
            f"{net['unmatched_lines']:,} return lines left {net['unmatched_amount']:,.2f} with no "
            "purchase to net against (dropped)")
    if net.get("duplicates_kept"):
        lines.append(f"  {net['duplicates_kept']:,} {label}s repeat an earlier {label} and are kept "
                     "(duplicates: keep)")
    return lines


def format_check(profile: DataProfile, checks: list[TableCheck]) -> str:
    """The text ``crm-workbook data check`` prints."""
    out = [f"data profile {profile.path}: tables {', '.join(profile.tables)}"]
    for check in checks:
        out.append("")
        out.append(f"{check.table}:")
        if check.report is not None:
            out += _report_lines(check.report, _source_lines(profile, check.table, check.report))
            if check.report.as_of is not None:
                out.append(f"  as of {check.report.as_of.date()}")
        out += [f"  {name}: {value}" for name, value in check.facts.items()]
    return "\n".join(out)
