"""Export an executed notebook to a self-contained HTML report.

Code is hidden by default (``exclude_input``), which also hides papermill's injected
parameters, so a header cell shows what ran: the as-of date, the effective parameters
(overridden ones marked), the package version and commit, and the data sources. The
header is added to the exported copy only; the executed ``.ipynb`` stays as papermill
wrote it. Plots are already inline base64 images, so the file can be mailed alone.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import nbformat

from .execute import NotebookRun


def _value(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def data_sources(run: NotebookRun) -> list[str]:
    """What data a notebook used: its ``data_source*`` parameters and a recorded
    ``data_source`` result, if any."""
    found = [f"{k} = {v}" for k, v in run.parameters.items() if k.startswith("data_source")]
    recorded = run.results.get("data_source")
    if recorded:
        value = recorded["value"]
        found.extend(value if isinstance(value, list) else [str(value)])
    return found


def header_html(run: NotebookRun, context: dict[str, Any]) -> str:
    """The report header: run facts, parameter table and data sources, as HTML."""
    rows = "".join(
        f"<tr><td><code>{html.escape(k)}</code></td><td><code>{_value(v)}</code></td>"
        f"<td>{'set for this run' if k in run.overrides else 'default'}</td></tr>"
        for k, v in run.parameters.items()
    )
    sources = "".join(f"<li>{html.escape(s)}</li>" for s in data_sources(run)) or "<li>—</li>"
    status = (
        "" if run.status == "ok" else
        f'<p style="color:#b00020"><b>This notebook {run.status}:</b> '
        f"{html.escape(str((run.error or {}).get('ename', '')))}: "
        f"{html.escape(str((run.error or {}).get('evalue', '')))}</p>"
    )
    commit = context.get("git_commit") or "not a git checkout"
    return (
        # wide tables (e.g. a data frame's first rows) scroll inside their output
        "<style>.jp-OutputArea-output.jp-RenderedHTMLCommon { overflow-x: auto; }</style>"
        '<div class="crm-report-header" style="font-family:sans-serif;border:1px solid #ccd;'
        'padding:8px 14px;background:#f7f8fb">'
        f"<p><b>crm-workbook report</b> · as of <b>{html.escape(str(context['as_of']))}</b>"
        f" · rendered {html.escape(context['rendered_at'])} · crm-workbook"
        f" {html.escape(context['package_version'])} · commit {html.escape(commit)}"
        f" · run time {run.duration_s:.1f} s · <a href=\"index.html\">run index</a></p>"
        f"{status}"
        "<details><summary>Parameters</summary><table><tr><th>name</th><th>value</th>"
        f"<th></th></tr>{rows}</table></details>"
        f"<p>Data sources:</p><ul>{sources}</ul></div>"
    )


def export_html(
    executed: Path, target: Path, run: NotebookRun, context: dict[str, Any], show_code: bool
) -> None:
    """Write ``target`` (HTML) from the executed notebook with the report header on top."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(header_html(run, context)))
    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": run.title}})
    target.write_text(body, encoding="utf-8")
