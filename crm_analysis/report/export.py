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
#: Tag put, in the exported copy only, on code cells whose input the report hides.
HIDE_INPUT_TAG = "crm-hide-input"
#: Solution cells (instructor edition) stand out: an orange bar and a "Solution" label.
SOLUTION_CSS = (
    ".celltag_solution { border-left: 5px solid #e08a00; background: #fff8ec;"
    " padding-left: 6px; }"
    ".jp-MarkdownCell.celltag_solution::before, .jp-MarkdownOutput.celltag_solution::before"
    " { content: 'Solution'; display: block; font: bold 0.8em sans-serif; color: #8a4b00;"
    " text-transform: uppercase; letter-spacing: 0.05em; }"
    "math[display=block] { margin: 0.6em 0; }"
)


def _font_css() -> str:
    """Hangul offline: the run folder's Korean font as the last fallback of the page fonts."""
    from ..plots._fonts import HANGUL_FAMILY

    return (":root { --jp-content-font-family: " + HANGUL_FAMILY + ", system-ui, -apple-system, "
            "'Segoe UI', Helvetica, Arial, sans-serif; "
            "--jp-ui-font-family: " + HANGUL_FAMILY + ", system-ui, -apple-system, 'Segoe UI', "
            "Helvetica, Arial, sans-serif; }"
            ".crm-report-header { font-family: " + HANGUL_FAMILY + ", sans-serif !important; }")


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
    edition = (
        '<p style="color:#8a4b00"><b>Instructor edition (with solutions)</b>: the worked '
        "solutions follow the exercises, marked <i>Solution</i>, with their code.</p>"
        if context.get("edition") == "instructor" else "")
    return (
        # wide tables (e.g. a data frame's first rows) scroll inside their output
        "<style>.jp-OutputArea-output.jp-RenderedHTMLCommon { overflow-x: auto; }"
        f"{SOLUTION_CSS}{_font_css()}</style>"
        '<div class="crm-report-header" style="font-family:sans-serif;border:1px solid #ccd;'
        'padding:8px 14px;background:#f7f8fb">'
        f"{edition}"
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


def _mathml(latex: str, display: str) -> str:
    """MathML for a LaTeX formula (rendered by the browser, no script, no network); the
    escaped LaTeX in ``<code>`` if latex2mathml cannot convert it."""
    from latex2mathml.converter import convert

    try:
        return convert(latex.strip(), display=display)
    except Exception:  # noqa: BLE001 - an unsupported command: show the source
        return f"<code>{html.escape(latex)}</code>"


def offline_exporter(config: Any = None, **kw: Any):
    """An nbconvert ``HTMLExporter`` whose pages need no network: the ``crm_lab`` template
    (lab without require.js, MathJax and mermaid) and LaTeX in Markdown (``$…$``, ``$$…$$``,
    ``\\(…\\)``, ``\\[…\\]``, ``\\begin{…}``) turned into MathML at build time."""
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class MathMLRenderer(IPythonRenderer):
        def block_math(self, body: str) -> str:
            return _mathml(body, "block")

        def inline_math(self, body: str) -> str:
            return _mathml(body, "inline")

        def latex_environment(self, name: str, body: str) -> str:
            return _mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")

    class OfflineHTMLExporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context: dict, source: str) -> str:
            cell = context.get("cell", {})
            renderer = MathMLRenderer(
                escape=False,
                attachments=cell.get("attachments", {}),
                embed_images=self.embed_images,
                path=context.get("resources", {}).get("metadata", {}).get("path", ""),
                anchor_link_text=self.anchor_link_text,
                exclude_anchor_links=self.exclude_anchor_links,
                **self.lexer_options,
            )
            return MarkdownWithMath(renderer=renderer).render(source)

    templates = str(Path(__file__).resolve().parents[1] / "templates" / "nbconvert")
    return OfflineHTMLExporter(config=config, extra_template_basedirs=[templates],
                               template_name="crm_lab", **kw)


def export_html(
    executed: Path, target: Path, run: NotebookRun, context: dict[str, Any], show_code: bool
) -> None:
    """Write ``target`` (HTML) from the executed notebook with the report header on top.

    The page loads nothing from the network (:func:`offline_exporter`). In the instructor
    edition (``context["edition"]``) the code of the solution cells is shown even when
    the rest of the code is hidden."""
    from traitlets.config import Config

    from ..plots._fonts import with_hangul_font
    from .editions import is_solution

    nb = nbformat.read(str(executed), as_version=4)
    nb.cells.insert(0, header_cell(run, context))
    show_solutions = context.get("edition") == "instructor" and not show_code
    if show_solutions:
        for cell in nb.cells:
            if cell.cell_type == "code" and not is_solution(cell):
                cell.metadata.setdefault("tags", []).append(HIDE_INPUT_TAG)
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_input_tags = {HEADER_TAG, HIDE_INPUT_TAG}
    hide_code = not show_code and not show_solutions
    exporter = offline_exporter(
        config=config,
        exclude_input=hide_code,
        exclude_input_prompt=hide_code or show_solutions,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": run.title}})
    target.write_text(with_hangul_font(body), encoding="utf-8")
