"""Student and instructor editions of the notebooks.

Worked solutions live in the notebooks themselves, in cells (markdown or code) tagged
``solution``, after each notebook's "## Exercises" cell. The *student* edition is the
notebook without those cells; the *instructor* edition keeps them. Every place that runs
or hands out notebooks goes through :func:`edition_notebook` / :func:`strip_solutions`:
``crm-workbook render`` (student by default, ``--edition instructor`` into its own run
folder), ``crm-workbook export --edition student|instructor DIR`` and the test fixture
``run_notebook`` (which leaves the solutions out so that value tests at other seeds do
not pay for them; nbval executes the stored notebooks, solutions included).
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

SOLUTION_TAG = "solution"
EDITIONS = ("student", "instructor")
#: Title of each edition where a page names it.
EDITION_TITLES = {"student": "Student edition", "instructor": "Instructor edition (with solutions)"}


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is a worked solution (tagged ``solution``)."""
    return SOLUTION_TAG in (cell.get("metadata", {}).get("tags") or [])


def count_solutions(nb: nbformat.NotebookNode) -> int:
    return sum(is_solution(c) for c in nb.cells)


def strip_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without its solution cells; everything else is kept as it is."""
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if not is_solution(c)]
    return out


def check_edition(edition: str) -> str:
    if edition not in EDITIONS:
        raise ValueError(f"edition {edition!r} is not one of {', '.join(EDITIONS)}")
    return edition


def edition_notebook(source: str | Path | nbformat.NotebookNode,
                     edition: str) -> nbformat.NotebookNode:
    """The notebook at ``source`` (path or node) as the given edition."""
    check_edition(edition)
    nb = source if isinstance(source, nbformat.NotebookNode) else nbformat.read(
        str(source), as_version=4)
    return strip_solutions(nb) if edition == "student" else copy.deepcopy(nb)


def clear_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs and execution counts in place (for hand-out copies); returns ``nb``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def export_notebooks(paths: list[Path], target: Path, edition: str) -> list[Path]:
    """Write the notebooks ``paths`` as ``edition`` into the folder ``target`` (created),
    outputs cleared, everything else intact; return the written paths."""
    check_edition(edition)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        nb = clear_outputs(edition_notebook(path, edition))
        out = target / Path(path).name
        nbformat.write(nb, str(out))
        written.append(out)
    return written
