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
from ..results import format_value
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
    return env


def _inline_markdown(text: str):
    """A learning goal (Markdown from the notebook) as HTML."""
    import markupsafe
    import mistune

    return markupsafe.Markup(mistune.html(text).strip().removeprefix("<p>").removesuffix("</p>"))


def headline(name: str, result: dict[str, Any], lang: str) -> str:
    """What the index shows for a recorded figure: its ``label`` (a short human label)
    or else its name, in Korean when the run's ``lang`` is ``ko`` and the glossary has it."""
    return translate(result.get("label") or name, lang)


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
    env.globals["headline"] = headline
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
