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

import importlib.util
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
