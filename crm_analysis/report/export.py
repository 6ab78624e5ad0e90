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


#: Characters that Markdown (or a Markdown renderer meeting the text later) could turn
#: into links, images, emphasis or code; written as numeric character references.
_MARKDOWN_ACTIVE = {c: f"&#{ord(c)};" for c in "[]()!*_`\\<>#|~{}:"}


def safe_text(value: Any) -> str:
    """Text for the header: HTML-escaped, Markdown-inert, one line.

    Beyond ``html.escape``: every character Markdown acts on becomes a character
    reference and line breaks become ``<br>``, so no parameter value or error message
    can end the header's HTML block and reach a Markdown renderer (where
    ``[x](javascript:...)`` would become a live link and ``![x](http://host/t.png)``
    a remote image). Control characters other than tab and newline are dropped.
    """
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = "".join(c for c in text if c in "\t\n" or (ord(c) >= 32 and ord(c) != 127))
    text = html.escape(text, quote=True)
    text = text.translate({ord(k): v for k, v in _MARKDOWN_ACTIVE.items() if k not in "<>"})
    return "<br>".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def data_sources(run: NotebookRun) -> list[str]:
    """What data a notebook used: its ``data_source*`` parameters and the recorded
    ``data_source`` / ``data_source_used`` results. When a notebook records the data it
    actually ran on (a fallback after fetched data was unavailable), the parameter is
    shown as what was requested and the recorded value as what was used."""
    used = [run.results[k]["value"] for k in ("data_source_used", "data_source")
            if k in run.results and run.results[k].get("value") not in (None, "")]
    found = []
    for k, v in run.parameters.items():
        if k.startswith("data_source"):
            found.append(f"{k} = {v} (requested)" if used else f"{k} = {v}")
    prefix = "used: " if found else ""
    for value in used:
        found.extend(f"{prefix}{v}" for v in (value if isinstance(value, list) else [value]))
    return found


HEADER_TAG = "crm-report-header"


def header_html(run: NotebookRun, context: dict[str, Any]) -> str:
    """The report header: run facts, parameter table and data sources, as HTML."""
    rows = "".join(
        f"<tr><td><code>{safe_text(k)}</code></td><td><code>{safe_text(v)}</code></td>"
        f"<td>{'set for this run' if k in run.overrides else 'default'}</td></tr>"
        for k, v in run.parameters.items()
    )
    sources = "".join(f"<li>{safe_text(s)}</li>" for s in data_sources(run)) or "<li>—</li>"
    status = (
        "" if run.status == "ok" else
        f'<p style="color:#b00020"><b>This notebook {safe_text(run.status)}:</b> '
        f"{safe_text(str((run.error or {}).get('ename', '')))}: "
        f"{safe_text(str((run.error or {}).get('evalue', '')))}</p>"
    )
    commit = context.get("git_commit") or "not a git checkout"
    return (
        # wide tables (e.g. a data frame's first rows) scroll inside their output
        "<style>.jp-OutputArea-output.jp-RenderedHTMLCommon { overflow-x: auto; }</style>"
        '<div class="crm-report-header" style="font-family:sans-serif;border:1px solid #ccd;'
        'padding:8px 14px;background:#f7f8fb">'
        f"<p><b>crm-workbook report</b> · as of <b>{safe_text(str(context['as_of']))}</b>"
        f" · rendered {safe_text(context['rendered_at'])} · crm-workbook"
        f" {safe_text(context['package_version'])} · commit {safe_text(commit)}"
        f" · run time {run.duration_s:.1f} s · <a href=\"index.html\">run index</a></p>"
        f"{status}"
        "<details><summary>Parameters</summary><table><tr><th>name</th><th>value</th>"
        f"<th></th></tr>{rows}</table></details>"
        f"<p>Data sources:</p><ul>{sources}</ul></div>"
    )


def header_cell(run: NotebookRun, context: dict[str, Any]) -> nbformat.NotebookNode:
    """The header as the HTML *output* of an empty code cell (input removed on export):
    outputs are not run through Markdown, unlike a markdown cell."""
    cell = nbformat.v4.new_code_cell("")
    cell.metadata["tags"] = [HEADER_TAG]
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": header_html(run, context), "text/plain": ""})]
    return cell


def export_html(
    executed: Path, target: Path, run: NotebookRun, context: dict[str, Any], show_code: bool
) -> None:
    """Write ``target`` (HTML) from the executed notebook with the report header on top."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    nb = nbformat.read(str(executed), as_version=4)
    nb.cells.insert(0, header_cell(run, context))
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_input_tags = {HEADER_TAG}
    exporter = HTMLExporter(
        config=config,
        template_name="lab",
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": run.title}})
    target.write_text(body, encoding="utf-8")
