"""The run manifest (``manifest.json``) and the index pages.

``<run>/index.html`` tables the notebooks of one run; ``reports/index.html`` lists the
runs, newest first. All links are relative, so a run folder can be zipped and mailed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import jinja2

from ..glossary import CONCEPTS, translate
from ..plots._fonts import with_hangul_font
from ..results import display_value, format_value, humanize
from .course import course_map
from .editions import EDITION_TITLES

MANIFEST = "manifest.json"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crm_analysis", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["figure"] = format_value
    env.filters["translate"] = translate
    env.filters["markdown"] = _inline_markdown
    env.filters["headlines"] = headlines
    return env


def _inline_markdown(text: str):
    """A learning goal (Markdown from the notebook) as HTML."""
    import markupsafe
    import mistune

    return markupsafe.Markup(mistune.html(text).strip().removeprefix("<p>").removesuffix("</p>"))



#: Recorded names that describe a run's inputs rather than its findings.
_NOT_HEADLINES = ("data_source", "data_source_used")


def headlines(results: dict[str, dict[str, Any]], first: list[str] | tuple = (),
              count: int = 6, width: int = 90, lang: str = "en") -> list[dict[str, str]]:
    """A notebook's findings for the index, each as ``label``, ``text`` (value and unit, at
    most ``width`` characters, cut between items, never inside a number) and ``note``.

    The results named in ``first`` (the notebook's metadata ``crm_workbook.headlines``)
    come first, in that order; the other places, up to ``count`` in all, go to findings
    whose value is a number, a text or one estimate, then to tables and long mappings.
    With ``lang="ko"`` (the run's notebooks ran with ``lang=ko``) the labels the glossary
    knows are shown in Korean.
    """
    def short(result: dict[str, Any]) -> bool:
        value = result.get("value")
        return not isinstance(value, (list, dict)) or (
            isinstance(value, dict) and {"ci_low", "ci_high"} <= value.keys())

    found = [(name, r) for name, r in results.items() if name not in _NOT_HEADLINES]
    chosen = ([(name, results[name]) for name in first if name in results]
              + [item for item in found if short(item[1]) and item[0] not in first]
              + [item for item in found if not short(item[1]) and item[0] not in first])
    chosen = chosen[:max(count, sum(name in results for name in first))]
    rows = []
    for name, result in chosen:
        text = display_value(result.get("value"), result.get("unit"), limit=width,
                             decimals=result.get("decimals"))
        rows.append({"name": name,
                     "label": translate(result.get("label") or humanize(name), lang),
                     "text": text, "note": result.get("note") or ""})
    return rows


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    write_atomically(run_dir / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def write_run_index(run_dir: Path, manifest: dict[str, Any]) -> None:
    notebooks = manifest["notebooks"]
    counts = {
        "ok": sum(nb["status"] == "ok" for nb in notebooks),
        "failed": sum(nb["status"] not in ("ok", "not run") for nb in notebooks),
        "not_run": sum(nb["status"] == "not run" for nb in notebooks),
    }
    run = manifest["run"]
    env = _environment()
    page = env.get_template("run_index.html.j2").render(
        run=run, notebooks=notebooks, counts=counts, course=course_map(notebooks),
        edition_title=EDITION_TITLES.get(run.get("edition", "student"), ""),
        lang=run.get("lang", "en"),
    )
    write_atomically(run_dir / "index.html", with_hangul_font(page))
    write_glossary(run_dir, notebooks)


def write_glossary(run_dir: Path, notebooks: list[dict[str, Any]]) -> None:
    """``glossary.html``: every concept's Korean term, English term, and the notebook and
    section that teach it (linked to that notebook's report when the run has it)."""
    by_number = {nb["name"][:2]: nb for nb in notebooks}
    rows = [{"ko": term.ko, "en": term.en, "section": term.section, "number": term.notebook,
             "nb": by_number.get(term.notebook)} for term in CONCEPTS]
    rows.sort(key=lambda r: (r["number"], r["section"]))
    page = _environment().get_template("glossary.html.j2").render(rows=rows)
    write_atomically(run_dir / "glossary.html", with_hangul_font(page))


def write_reports_index(reports_dir: Path) -> None:
    """Rewrite ``reports/index.html`` from the manifests of the run folders in it."""
    runs = []
    for folder in reports_dir.iterdir():
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        manifest = read_manifest(folder)
        if manifest is None:
            continue
        runs.append({
            "folder": folder.name,
            "as_of": manifest["run"]["as_of"],
            "rendered_at": manifest["run"]["rendered_at"],
            "n": len(manifest["notebooks"]),
            "edition": EDITION_TITLES.get(manifest["run"].get("edition", "student"), ""),
            "failed": sum(nb["status"] not in ("ok", "not run") for nb in manifest["notebooks"]),
        })
    runs.sort(key=lambda r: (r["as_of"], r["rendered_at"]), reverse=True)
    page = _environment().get_template("reports_index.html.j2").render(runs=runs)
    write_atomically(reports_dir / "index.html", page)
