"""The course map of the run index: the sources' CRM loop, where each notebook sits on it,
a suggested teaching order, and each notebook's learning goals.

The loop is row 1 of the sources' digest (CRM = deep knowledge of each customer →
differentiated offers → a long relationship): understand customers → design offers →
execute → evaluate and refine, and back to understanding.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

#: The loop's stages in order: (key, English name, Korean name, what happens there).
STAGES = (
    ("understand", "Understand customers", "고객 이해",
     "who the customers are, what they are worth, what the data can say"),
    ("design", "Design offers", "오퍼 설계",
     "whom to contact, with which offer, at which price"),
    ("execute", "Execute", "실행",
     "run the programme: track each customer's status, time the offers"),
    ("evaluate", "Evaluate and refine", "평가 및 개선",
     "measure what the programme changed and keep the customers worth keeping"),
)

#: Notebook number → stage key.
STAGE_OF = {
    "01": "understand", "02": "understand", "03": "understand", "10": "understand",
    "12": "understand",
    "04": "design", "06": "design", "08": "design", "09": "design",
    "05": "execute", "13": "execute",
    "07": "evaluate", "11": "evaluate",
}

#: Suggested teaching order, with the reason each step comes where it does.
TEACHING_ORDER = (
    ("01", "why CRM: the customer view beside the product view"),
    ("02", "the data every later notebook relies on"),
    ("12", "three levels of analysis (SQL, OLAP, mining) used from here on"),
    ("03", "what a customer is worth: the measure offers are judged by"),
    ("04", "whom to target: response and uplift"),
    ("06", "which offer for which customer, within a budget"),
    ("09", "what else to offer: cross-selling and recommendation"),
    ("10", "the web channel: behaviour from access logs"),
    ("05", "customers over time: migration and revitalisation"),
    ("11", "churn and whom to save"),
    ("07", "did the loyalty programme work? causal evaluation"),
    ("08", "case: differentiated premiums at Progressive"),
    ("13", "cases: Dell's tiers and ChipShotGolf's replacement cycle"),
)

_GOALS = re.compile(r"\*\*Learning goals\*\*\s*\n(?P<body>(?:[ \t]*(?:[-*]|\d+\.)\s.*\n?(?:[ \t]+\S.*\n?)*)+)")


def learning_goals(path: Path) -> list[str]:
    """The items of the "**Learning goals**" list in the notebook's first markdown cells
    (Markdown text, continuation lines joined); empty when there is none."""
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells[:4]:
        if cell.cell_type != "markdown":
            continue
        found = _GOALS.search(cell.source + "\n")
        if found:
            items: list[str] = []
            for line in found.group("body").splitlines():
                bullet = re.match(r"[ \t]*(?:[-*]|\d+\.)\s+(.*)", line)
                if bullet and not line.startswith((" ", "\t")):
                    items.append(bullet.group(1).strip())
                elif items and line.strip():
                    items[-1] += " " + line.strip()
            return items
    return []


def course_map(notebooks: list[dict]) -> dict:
    """The course map for the run index from its manifest entries (``name``, ``title``,
    ``html``, and ``goals`` when recorded): the stages with their notebooks, and the
    teaching order (only notebooks in the run)."""
    by_number = {nb["name"][:2]: nb for nb in notebooks}
    stages = []
    for key, en, ko, what in STAGES:
        members = [by_number[n] for n in sorted(STAGE_OF) if STAGE_OF[n] == key and n in by_number]
        stages.append({"key": key, "en": en, "ko": ko, "what": what, "notebooks": members})
    order = [{"number": n, "why": why, "nb": by_number[n], "stage": STAGE_OF.get(n)}
             for n, why in TEACHING_ORDER if n in by_number]
    placed = {n for n, _ in TEACHING_ORDER}
    order += [{"number": n, "why": "", "nb": nb, "stage": STAGE_OF.get(n)}
              for n, nb in sorted(by_number.items()) if n not in placed]
    return {"stages": stages, "order": order}
