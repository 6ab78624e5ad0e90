"""Student and instructor editions, the hand-out export and offline report pages, on a tiny
notebook made here with solution cells (markdown with formulas, and code that records a
figure), so the tests do not depend on the real notebooks' solutions.

Expectations come from what the tiny notebook does: the solution records ``seed + 100``,
so it is in the instructor run's results and absent from the student run's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from crm_analysis.cli import main
from crm_analysis.report.editions import (
    SOLUTION_TAG,
    count_solutions,
    edition_notebook,
    is_solution,
    strip_solutions,
)

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
FORMULA = r"$$\mathrm{LTV} = \sum_{t=1}^{T} \frac{S_t}{(1+r)^{t-1}}$$"


def _tiny(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["crm_workbook"] = {"tables": []}
    params = nbformat.v4.new_code_cell("seed: int = 3  # random seed [0, inf)")
    params.metadata["tags"] = ["parameters"]
    sol_md = nbformat.v4.new_markdown_cell(
        f"**Solution 1.** The share is $x_1 = \\frac{{a}}{{b}}$ and\n\n{FORMULA}")
    sol_code = nbformat.v4.new_code_cell("record('solved', seed + 100)")
    for cell in (sol_md, sol_code):
        cell.metadata["tags"] = [SOLUTION_TAG]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny lesson\n\n**Learning goals**\n- Add one.\n- Add `two`.\n"),
        params,
        nbformat.v4.new_code_cell("from crm_analysis.results import record\nrecord('base', seed)"),
        nbformat.v4.new_markdown_cell("## Exercises\n\n1. Add 100 to the seed."),
        sol_md,
        sol_code,
        nbformat.v4.new_markdown_cell("Closing words."),
    ]
    nbformat.write(nb, str(path))
    return nb


@pytest.fixture(scope="module")
def lesson_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lessons")
    _tiny(folder / "01_tiny.ipynb")
    return folder


@pytest.fixture(scope="module")
def runs(lesson_dir, tmp_path_factory):
    """The tiny notebook rendered twice into one output folder: default and instructor."""
    out = tmp_path_factory.mktemp("reports")
    base = ["--notebook-dir", str(lesson_dir), "render", "--output-dir", str(out),
            "--as-of", "2024-06-30"]
    assert main(base) == 0
    assert main(base + ["--edition", "instructor"]) == 0
    return out


def test_strip_solutions_removes_only_the_tagged_cells(lesson_dir):
    nb = nbformat.read(str(lesson_dir / "01_tiny.ipynb"), as_version=4)
    stripped = strip_solutions(nb)
    assert count_solutions(nb) == 2 and count_solutions(stripped) == 0
    kept = [c for c in nb.cells if not is_solution(c)]
    assert [c.source for c in stripped.cells] == [c.source for c in kept]
    assert [c.id for c in stripped.cells] == [c.id for c in kept]
    assert stripped.metadata == nb.metadata
    assert len(nb.cells) == 7  # the input is not changed
    assert len(edition_notebook(nb, "instructor").cells) == 7
    with pytest.raises(ValueError, match="student, instructor"):
        edition_notebook(nb, "teacher")


def test_default_render_leaves_solutions_out(runs):
    manifest = json.loads((runs / "2024-06-30" / "manifest.json").read_text())
    (entry,) = manifest["notebooks"]
    assert manifest["run"]["edition"] == "student"
    assert entry["results"]["base"]["value"] == 3
    assert "solved" not in entry["results"]
    page = (runs / "2024-06-30" / "01_tiny.html").read_text()
    assert "Solution 1" not in page and "<math" not in page.split("Tiny lesson", 1)[1]
    assert "Instructor edition" not in (runs / "2024-06-30" / "index.html").read_text()


def test_instructor_render_runs_solutions_into_its_own_folder(runs):
    folder = runs / "2024-06-30-instructor"
    manifest = json.loads((folder / "manifest.json").read_text())
    (entry,) = manifest["notebooks"]
    assert manifest["run"]["edition"] == "instructor"
    assert entry["results"]["solved"]["value"] == 103
    assert "Instructor edition (with solutions)" in (folder / "index.html").read_text()
    page = (folder / "01_tiny.html").read_text()
    assert "Instructor edition (with solutions)" in page
    # the solution's code is shown, the other code stays hidden
    assert "celltag_solution" in page and '<span class="n">seed</span>' in page
    assert "from</span> <span class=\"nn\">crm_analysis.results" not in page
    runs_page = (runs / "index.html").read_text()
    assert "2024-06-30-instructor/index.html" in runs_page and "2024-06-30/index.html" in runs_page


def test_formulas_become_mathml_and_pages_load_nothing_from_the_network(runs):
    page = (runs / "2024-06-30-instructor" / "01_tiny.html").read_text()
    assert page.count("<math") == 2 and 'display="block"' in page
    assert "<mfrac>" in page and "$$" not in page
    for html in runs.glob("*/*.html"):
        text = html.read_text()
        remote = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//",
                            text, flags=re.I)
        assert not remote, f"{html.name} loads {remote}"
        assert "require.js" not in text and "MathJax.Hub" not in text and "@import url(http" not in text


def test_export_student_and_instructor_copies(lesson_dir, tmp_path, capsys):
    source = nbformat.read(str(lesson_dir / "01_tiny.ipynb"), as_version=4)
    source.cells[2].outputs = [nbformat.v4.new_output("stream", text="old output\n")]
    source.cells[2].execution_count = 4
    nbformat.write(source, str(lesson_dir / "01_tiny.ipynb"))
    try:
        for edition, solutions in (("student", 0), ("instructor", 2)):
            target = tmp_path / edition
            assert main(["--notebook-dir", str(lesson_dir), "export", str(target),
                         "--edition", edition]) == 0
            written = nbformat.read(str(target / "01_tiny.ipynb"), as_version=4)
            assert count_solutions(written) == solutions
            assert all(c.get("outputs", []) == [] and c.get("execution_count") is None
                       for c in written.cells if c.cell_type == "code")
            expected = source.cells if solutions else strip_solutions(source).cells
            assert [c.source for c in written.cells] == [c.source for c in expected]
            assert [c.metadata for c in written.cells] == [c.metadata for c in expected]
            assert written.metadata == source.metadata
        assert "solution cell(s) left out" in capsys.readouterr().out
    finally:
        _tiny(lesson_dir / "01_tiny.ipynb")


@pytest.mark.parametrize("command", [["render", "--output-dir", "OUT"], ["export", "OUT"]])
def test_bad_edition_exits_2_with_the_choices(lesson_dir, command, capsys, tmp_path):
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    with pytest.raises(SystemExit) as stop:
        main(["--notebook-dir", str(lesson_dir), *args, "--edition", "teacher"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'teacher'" in err and "'student'" in err and "'instructor'" in err
    assert not (tmp_path / "out").exists()
