"""Worked solutions (instructor edition): every exercise has one, in the agreed form.

Right after a notebook's "Exercises" cell, for each exercise i in order: a markdown cell
tagged ``solution`` starting ``**Solution i.**`` and then one or more code cells tagged
``solution`` that compute the answer and check its claims with ``assert``. nbval (and the
instructor render) executes those cells, so the asserts are the checks of the claims;
this test checks the structure. One row per notebook: (notebook, number of exercises).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

EXERCISES = [
    ("01_crm_vs_mass_marketing", 5),
    ("02_customer_data_audit", 6),
    ("03_lifetime_value", 6),
    ("04_target_customer_selection", 5),
    ("05_dynamic_customer_management", 7),
    ("06_offer_design", 5),
]

HEADING = re.compile(r"^#+ .*Exercises", re.M)
SOLUTION = re.compile(r"^\*\*Solution (\d+)\.\*\*")


def _is_solution(cell) -> bool:
    return "solution" in cell.metadata.get("tags", [])


@pytest.mark.parametrize(("name", "n_exercises"), EXERCISES, ids=[row[0] for row in EXERCISES])
def test_one_checked_solution_per_exercise(name, n_exercises):
    nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    headings = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and HEADING.search(c.source)]
    assert len(headings) == 1, f"{name}: expected one Exercises cell, found {len(headings)}"
    exercises = re.findall(r"^(\d+)\.\s+\S", nb.cells[headings[0]].source, re.M)
    assert [int(e) for e in exercises] == list(range(1, n_exercises + 1)), (
        f"{name}: the Exercises cell numbers {exercises}, the table expects 1..{n_exercises}")

    tagged = [(i, c) for i, c in enumerate(nb.cells) if _is_solution(c)]
    assert tagged and tagged[0][0] == headings[0] + 1, f"{name}: solutions start right after Exercises"
    assert [i for i, _ in tagged] == list(range(tagged[0][0], tagged[0][0] + len(tagged))), (
        f"{name}: the solution cells are not one contiguous block")
    numbers = [int(m.group(1)) for _, c in tagged if c.cell_type == "markdown"
               for m in [SOLUTION.match(c.source)] if m]
    assert numbers == list(range(1, n_exercises + 1)), (
        f"{name}: solution markdown cells number {numbers}, expected 1..{n_exercises} once each")
    untitled = [i for i, c in tagged if c.cell_type == "markdown" and not SOLUTION.match(c.source)]
    assert not untitled, f"{name}: solution markdown cells {untitled} do not start **Solution i.**"

    blocks = []
    for _, cell in tagged:
        if cell.cell_type == "markdown":
            blocks.append([])
        else:
            blocks[-1].append(cell.source)
    for i, code in enumerate(blocks, start=1):
        assert 1 <= len(code) <= 2, f"{name}: solution {i} has {len(code)} code cells (want 1-2)"
        assert any(re.search(r"^\s*assert\b", src, re.M) for src in code), (
            f"{name}: solution {i} checks none of its claims with assert")
