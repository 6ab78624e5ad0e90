"""The glossary (Korean and English terms, plot labels), the Korean plot font, the `lang`
parameter of the notebooks, the course map and the index headlines."""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crm_analysis import glossary  # noqa: E402
from crm_analysis.notebook_params import discover_notebooks  # noqa: E402
from crm_analysis.report.course import STAGE_OF, TEACHING_ORDER, course_map, learning_goals  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture
def korean():
    glossary.set_language("ko")
    yield
    glossary.set_language("en")


def _markdown(path: Path) -> str:
    nb = nbformat.read(str(path), as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_lookup_translates_known_terms_and_falls_back_to_english(korean):
    assert glossary.t("Customer lifetime value") == "고객생애가치"
    assert glossary.t("  share of WALLET ") == "고객점유율"  # case and blanks ignored
    assert glossary.t("a label nobody translated") == "a label nobody translated"
    assert glossary.t(None) is None and glossary.t(3) == 3
    glossary.set_language("en")
    assert glossary.t("Customer lifetime value") == "Customer lifetime value"
    with pytest.raises(ValueError, match="lang 'fr'.*en, ko"):
        glossary.set_language("fr")


def test_every_term_is_taught_where_the_glossary_says():
    """Each Korean term is written in its notebook's markdown (spacing aside) and its
    section is a heading of that notebook: the glossary page points at real places."""
    by_number = {p.name[:2]: p for p in NOTEBOOKS}
    for term in glossary.CONCEPTS:
        text = _markdown(by_number[term.notebook])
        headings = [ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")]
        assert re.sub(r"\s", "", term.ko) in re.sub(r"\s", "", text), term
        assert any(h.startswith(term.section) for h in headings), term


def test_korean_renders_with_the_shipped_font_and_no_glyph_warning(tmp_path):
    from matplotlib import font_manager

    from crm_analysis.plots._fonts import KOREAN_FONT, korean_font_path

    path = korean_font_path()
    assert path is not None and path.name == "NanumGothic.ttf"
    assert KOREAN_FONT in matplotlib.rcParams["font.family"]
    assert matplotlib.rcParams["font.family"][0] != KOREAN_FONT  # Latin text looks as before
    props = font_manager.FontProperties(family=matplotlib.rcParams["font.family"])
    found = [Path(p) for p in font_manager.fontManager._find_fonts_by_props(props)]
    assert path in found
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would raise
        fig, ax = plt.subplots()
        ax.set_title("고객생애가치 (customer lifetime value) −1")
        ax.set_xlabel("고객점유율")
        fig.savefig(tmp_path / "ko.png")
        plt.close(fig)


def test_plot_functions_label_in_the_chosen_language(korean):
    from crm_analysis.plots import marketing

    assert getattr(marketing.plot_revenue_lorenz, "__localized__", False)
    curve = pd.DataFrame({"customer_share": [0, 0.5, 1], "revenue_share": [0, 0.2, 1]})
    ax = marketing.plot_revenue_lorenz(curve, 0.3)
    assert ax.get_title() == "매출 집중도 (로렌츠 곡선)"
    assert ax.get_ylabel() == "매출 비율"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["customers (Gini 0.30)", "고객당 매출 균등"]  # untranslated: English
    plt.close(ax.figure)
    glossary.set_language("en")
    ax = marketing.plot_revenue_lorenz(curve, 0.3)
    assert ax.get_title() == "Revenue concentration (Lorenz curve)"
    plt.close(ax.figure)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_notebook_has_lang_and_sets_it_once(path):
    nb = nbformat.read(str(path), as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert 'lang: str = "en"  # language of plot labels and index headlines {en, ko}' in params.source
    calls = [c for c in nb.cells if c.cell_type == "code" and "set_language(lang)" in c.source]
    assert len(calls) == 1


def test_course_map_places_every_notebook_once_numbered_without_gaps():
    infos = discover_notebooks(ROOT / "notebooks")
    numbers = [info.name[:2] for info in infos]
    assert numbers == [f"{i:02d}" for i in range(1, len(numbers) + 1)]
    assert sorted(STAGE_OF) == numbers
    assert sorted(n for n, _ in TEACHING_ORDER) == numbers
    entries = [{"name": info.name, "title": info.title, "html": f"{info.name}.html"} for info in infos]
    course = course_map(entries)
    placed = [nb["name"] for stage in course["stages"] for nb in stage["notebooks"]]
    assert sorted(placed) == [info.name for info in infos]
    assert [s["en"] for s in course["stages"]] == [
        "Understand customers", "Design offers", "Execute", "Evaluate and refine"]


def test_learning_goals_are_read_from_the_notebook():
    goals = learning_goals(ROOT / "notebooks" / "04_target_customer_selection.ipynb")
    assert len(goals) == 5
    assert goals[0].startswith("Score customers by recency, frequency and monetary value")
    assert goals[-1].endswith("on a real e-mail test.")  # continuation lines joined
    assert all(learning_goals(p) for p in NOTEBOOKS)


def test_index_headlines_use_labels_translated_when_the_run_is_korean(tmp_path):
    from crm_analysis.report.index import write_run_index
    from crm_analysis.results import humanize

    entry = {"name": "03_lifetime_value", "title": "Customer lifetime value", "status": "ok",
             "duration_s": 1.0, "error": None, "html": "03_lifetime_value.html", "ipynb": None,
             "goals": ["Compute `LTV`."],
             "results": {"clv_mean": {"value": 12.5, "unit": "EUR", "label": "Customer lifetime value"},
                         "n_customers": {"value": 10, "unit": None}}}
    run = {"as_of": "2024-06-30", "rendered_at": "x", "duration_s": 1.0, "package_version": "0",
           "git_commit": None, "versions": {"python": "3"}, "edition": "student"}
    for lang, label in (("en", "Customer lifetime value: <b>"), ("ko", "고객생애가치: <b>")):
        write_run_index(tmp_path, {"run": {**run, "lang": lang}, "notebooks": [entry]})
        page = (tmp_path / "index.html").read_text()
        assert label in page and f"{humanize('n_customers')}: <b>10</b>" in page
        assert "<code>LTV</code>" in page  # the learning goal's Markdown rendered
        assert "고객생애가치" in (tmp_path / "glossary.html").read_text()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_passes_allow_root_only_as_root():
    import os

    out = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    lab = [ln for ln in out.splitlines() if "jupyter lab" in ln]
    assert len(lab) == 1 and ("--allow-root" in lab[0]) == (os.geteuid() == 0)
    assert "open http://127.0.0.1:8888/lab" in out
    out = subprocess.run(["make", "-n", "lab", "LAB_ARGS=--ServerApp.token=x", "LAB_PORT=9999"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "--port=9999 --ServerApp.token=x" in out and "--allow-root" not in out


def test_labels_set_in_the_notebook_are_translated_before_the_figure_is_shown(monkeypatch):
    """In a kernel, set_language("ko") puts a hook before the inline backend's: a title the
    notebook sets itself is Korean by the time the cell's figures are drawn."""
    import types

    import IPython

    def flush_figures():  # stands for the inline backend's post_execute hook
        pass

    fig, ax = plt.subplots()  # pyplot meets the real (absent) IPython first
    shell = types.SimpleNamespace(events=types.SimpleNamespace(
        callbacks={"post_execute": [flush_figures], "pre_execute": []},
        register=lambda *a: None))
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    try:
        glossary.set_language("ko")
        glossary.set_language("ko")  # installed once
        hooks = shell.events.callbacks["post_execute"]
        assert hooks == [glossary._localize_open_figures, flush_figures]
        ax.set_title("Profit curve")
        ax.set_ylabel("an unknown label")
        hooks[0]()
        assert (ax.get_title(), ax.get_ylabel()) == ("이익 곡선", "an unknown label")
        plt.close(fig)
    finally:
        glossary.set_language("en")
