"""The `crm-workbook` command end to end, on small demo notebooks made in a temp folder.

One notebook succeeds and records a result derived from its `seed`; one raises on
purpose. The expectations come from what those notebooks do, not from a previous run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from crm_analysis.cli import main
from crm_analysis.notebook_params import ParameterError, discover_notebooks, plan_parameters

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _notebook(path: Path, title: str, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    params = nbformat.v4.new_code_cell(
        'seed: int = 3  # random seed\n'
        'as_of: str = "2024-01-01"  # cut-off date, ISO\n'
        'rate: float = 0.5  # a rate per year'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}\n\nDemo."),
        params,
        nbformat.v4.new_code_cell("from crm_analysis.results import record"),
        nbformat.v4.new_code_cell(body),
    ]
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("notebooks")
    _notebook(d / "01_good.ipynb", "Good demo",
              "record('double_seed', seed * 2, unit='units')\nrecord('as_of', as_of)\n"
              "record('rate', rate)")
    _notebook(d / "02_broken.ipynb", "Broken demo", "raise ValueError('planted failure')")
    return d


@pytest.fixture(scope="module")
def rendered(demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    code = main(["--notebook-dir", str(demo_dir), "render", "--output-dir", str(out),
                 "--as-of", "2024-06-30", "-p", "seed", "21", "--jobs", "2"])
    return code, out


def test_parallel_kernels_start_in_their_own_folders(tmp_path, monkeypatch):
    """Notebooks from two folders run two at a time, with relative paths: each kernel
    starts in its notebook's folder, and no run moves another's working folder."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    body = "import os, time\ntime.sleep({})\nrecord('folder', os.path.basename(os.getcwd()))"
    _notebook(tmp_path / "a" / "01_slow.ipynb", "Slow", body.format(3))
    _notebook(tmp_path / "b" / "02_quick.ipynb", "Quick", body.format(0))
    _notebook(tmp_path / "b" / "03_later.ipynb", "Later", body.format(0))
    monkeypatch.chdir(tmp_path)
    code = main(["render", "a/01_slow.ipynb", "b/02_quick.ipynb", "b/03_later.ipynb",
                 "--output-dir", "out", "--as-of", "2024-06-30", "--jobs", "2"])
    assert code == 0
    assert os.getcwd() == str(tmp_path)
    manifest = json.loads((tmp_path / "out" / "2024-06-30" / "manifest.json").read_text())
    folders = {nb["name"]: nb["results"]["folder"]["value"] for nb in manifest["notebooks"]}
    assert folders == {"01_slow": "a", "02_quick": "b", "03_later": "b"}


def test_list_shows_titles_and_parameters(demo_dir, capsys):
    assert main(["--notebook-dir", str(demo_dir), "list"]) == 0
    out = capsys.readouterr().out
    assert "01_good  —  Good demo" in out
    assert "seed: int = 3  # random seed" in out
    assert "rate: float = 0.5  # a rate per year" in out


def test_failure_is_reported_and_others_render(rendered):
    code, out = rendered
    assert code == 1
    run = out / "2024-06-30"
    manifest = json.loads((run / "manifest.json").read_text())
    by_name = {nb["name"]: nb for nb in manifest["notebooks"]}
    good, bad = by_name["01_good"], by_name["02_broken"]
    assert good["status"] == "ok"
    assert good["results"]["double_seed"]["value"] == 42  # seed 21 passed with -p
    assert good["results"]["as_of"]["value"] == "2024-06-30"  # --as-of sets as_of
    assert good["parameters"] == {"seed": 21, "as_of": "2024-06-30", "rate": 0.5}
    assert bad["status"] == "failed"
    assert bad["error"]["ename"] == "ValueError"
    assert bad["error"]["evalue"] == "planted failure"
    for nb in (good, bad):
        assert (run / nb["html"]).is_file() and (run / nb["ipynb"]).is_file()
    index = (run / "index.html").read_text()
    assert "planted failure" in index and 'href="01_good.html"' in index
    assert "Double seed" in index  # the recorded name in words (no label given)
    assert not [p for p in out.iterdir() if p.name.startswith((".tmp-", ".old-"))], "temporary folders left"
    assert (out / "2024-06-30").is_symlink() and len(list((out / ".runs").iterdir())) == 1


def test_html_hides_code_and_shows_parameters(rendered):
    _, out = rendered
    page = (out / "2024-06-30" / "01_good.html").read_text()
    assert "crm-workbook report" in page and "as of <b>2024-06-30</b>" in page
    assert "<code>seed</code>" in page and "set for this run" in page
    assert "record(&#39;double_seed&#39;" not in page and "record('double_seed'" not in page
    assert "key result" in page


def test_links_are_relative(rendered):
    _, out = rendered
    for page in [out / "index.html", out / "2024-06-30" / "index.html"]:
        text = page.read_text()
        assert "file://" not in text and str(out) not in text


def test_rerendering_one_notebook_keeps_the_others(demo_dir, tmp_path):
    args = ["--notebook-dir", str(demo_dir), "render", "--output-dir", str(tmp_path),
            "--as-of", "2024-07-31"]
    assert main(args) == 1
    assert main(args + ["01_good", "-p", "seed", "5"]) == 0
    manifest = json.loads((tmp_path / "2024-07-31" / "manifest.json").read_text())
    by_name = {nb["name"]: nb for nb in manifest["notebooks"]}
    assert by_name["01_good"]["results"]["double_seed"]["value"] == 10
    assert by_name["02_broken"]["status"] == "failed"
    assert (tmp_path / "2024-07-31" / "02_broken.html").is_file()


def test_reports_index_lists_runs_newest_first(demo_dir, tmp_path):
    for day in ["2024-01-31", "2024-03-31", "2024-02-29"]:
        main(["--notebook-dir", str(demo_dir), "render", "01_good", "--output-dir",
              str(tmp_path), "--as-of", day])
    text = (tmp_path / "index.html").read_text()
    positions = [text.index(f'href="{d}/index.html"') for d in
                 ["2024-03-31", "2024-02-29", "2024-01-31"]]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["-p", "no_such_param", "1"], "no_such_param"),
        (["-p", "seed", "abc"], "-p seed abc"),
        (["--as-of", "30/06/2024"], "YYYY-MM-DD"),
        (["no_such_notebook"], "no notebook named 'no_such_notebook'"),
    ],
)
def test_bad_parameters_exit_2_and_render_nothing(demo_dir, tmp_path, capsys, extra, message):
    code = main(["--notebook-dir", str(demo_dir), "render", "--output-dir", str(tmp_path)] + extra)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_params_file_sections_and_errors(demo_dir, tmp_path):
    notebooks = discover_notebooks(demo_dir)
    good = tmp_path / "ok.yaml"
    good.write_text("defaults:\n  seed: 9\n01_good:\n  rate: 2\n  as_of: 2024-05-31\n")
    plan = plan_parameters(notebooks, good, [("seed", "11")])
    assert plan["01_good"] == {"seed": 11, "rate": 2.0, "as_of": "2024-05-31"}
    assert plan["02_broken"] == {"seed": 11}

    typo = tmp_path / "typo.yaml"
    typo.write_text("01_good:\n  raet: 2\n")
    with pytest.raises(ParameterError, match=r"typo.yaml: notebook 01_good .*'raet'.*'rate'"):
        plan_parameters(notebooks, typo)

    wrong_type = tmp_path / "type.yaml"
    wrong_type.write_text("01_good:\n  seed: '7'\n")
    with pytest.raises(ParameterError, match=r"type.yaml: notebook 01_good.*'seed': expected int"):
        plan_parameters(notebooks, wrong_type)

    section = tmp_path / "section.yaml"
    section.write_text("03_missing:\n  seed: 1\n")
    with pytest.raises(ParameterError, match="03_missing"):
        plan_parameters(notebooks, section)


@pytest.mark.skipif(os.name != "posix", reason="IPC kernels only on POSIX")
def test_kernels_get_distinct_absolute_socket_prefixes():
    from crm_analysis.report.execute import _kernel_options

    manager = _kernel_options()["kernel_manager_class"]
    first, second = manager(kernel_name="python3"), manager(kernel_name="python3")
    assert first.transport == "ipc"
    assert os.path.isabs(first.ip) and os.path.isabs(second.ip)
    assert first.ip != second.ip
