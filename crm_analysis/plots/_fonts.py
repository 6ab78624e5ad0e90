"""Korean glyphs in plots on any machine: register the NanumGothic font that the PyPI
package ``koreanize-matplotlib`` ships (font licence: SIL Open Font License 1.1).

:func:`register_korean_font` runs once, when :mod:`crm_analysis.plots` is imported. It adds
the font file to matplotlib's font manager and appends ``NanumGothic`` to the end of
``rcParams["font.family"]``, so matplotlib falls back to it, glyph by glyph, for characters
the first family (DejaVu Sans) lacks: Latin text, digits and the minus sign look as before,
and Hangul no longer renders as empty boxes with a missing-glyph warning per character.
Nothing else is changed (``koreanize_matplotlib`` itself is not imported: its import
replaces the whole font family and turns off the Unicode minus sign).
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import io
import re
from pathlib import Path

KOREAN_FONT = "NanumGothic"


def korean_font_path() -> Path | None:
    """The NanumGothic .ttf shipped by ``koreanize-matplotlib`` (found without importing
    that package), or None if it is not installed."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NanumGothic.ttf"
    return path if path.is_file() else None


def register_korean_font() -> str | None:
    """Register the Korean font with matplotlib as a fallback family; return its name, or
    None when the font package is missing (plots then work, without Hangul glyphs)."""
    import matplotlib as mpl
    from matplotlib import font_manager

    path = korean_font_path()
    if path is None:
        return None
    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    families = list(mpl.rcParams["font.family"])
    if KOREAN_FONT not in families:
        mpl.rcParams["font.family"] = families + [KOREAN_FONT]
    return KOREAN_FONT



HANGUL_FAMILY = "'CRM Hangul'"
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


@functools.lru_cache(maxsize=64)
def _subset_base64(chars: str) -> str:
    import logging

    from fontTools import subset

    # fontTools logs each hinting table it drops (TSI0 …): not news for a report reader
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    options = subset.Options()
    options.flavor = None
    options.hinting = False  # half the size; screens render Hangul well without it
    font = subset.load_font(str(korean_font_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def hangul_font_css(text: str) -> str:
    """CSS ``@font-face`` for the family ``'CRM Hangul'`` (Hangul code points only, so pages
    list it *first* and keep their own fonts for everything else; listed last, Chrome shows
    boxes for some Hangul runs): NanumGothic cut down (fontTools)
    to the Hangul characters in ``text`` and inlined as a data URL, so a page shows its
    Korean words offline on a machine without a Korean font (a few kB, not the 4.7 MB
    file; browsers do not load fonts from ``file://`` links). Empty when ``text`` has
    no Hangul or the font package is missing."""
    chars = "".join(sorted(set(_HANGUL.findall(text))))
    if not chars or korean_font_path() is None:
        return ""
    return ("@font-face { font-family: 'CRM Hangul'; src: local('NanumGothic'), "
            f"url(data:font/ttf;base64,{_subset_base64(chars)}) format('truetype'); "
            "unicode-range: U+1100-11FF, U+3130-318F, U+AC00-D7A3; }")


def with_hangul_font(page: str) -> str:
    """``page`` (HTML) with :func:`hangul_font_css` for its own text added to its head."""
    css = hangul_font_css(page)
    if not css:
        return page
    return page.replace("</head>", f"<style>{css}</style>\n</head>", 1)
