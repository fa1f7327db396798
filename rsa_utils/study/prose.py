"""Numbers as the book's prose writes them, and glued by name for MyST's ``{glue}`` roles."""

from __future__ import annotations

import numpy as np


def glue_text(name: str, text: str) -> None:
    """Glue a piece of prose (a formatted number, an interval, a task name) for ``{glue:md}`name```."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)


def fmt(x: float, digits: int = 2) -> str:
    """A number as prose shows it (fixed digits, a true minus sign)."""
    return f"{x:.{digits}f}".replace("-", "−")


def number_agrees(n: int, one: str, many: str) -> str:
    """The word that agrees with the count ``n`` in prose: ``one`` for 1, else ``many``."""
    return one if n == 1 else many


def fmt_interval(est: float, low: float, high: float, digits: int = 2) -> str:
    """``0.93 [0.90, 0.95]``; ``0.93 (no interval)`` when the interval is undefined (e.g.
    nothing to resample)."""
    if np.isfinite(est) and not (np.isfinite(low) and np.isfinite(high)):
        return f"{fmt(est, digits)} (no interval)"
    return f"{fmt(est, digits)} [{fmt(low, digits)}, {fmt(high, digits)}]"


def glue_all(texts: dict[str, str]) -> None:
    """Glue every value of a section's result (name → prose text, see :func:`glue_text`)."""
    for name, text in texts.items():
        glue_text(name, text)


def glue_numbers(numbers: dict[str, int | float]) -> None:
    """Glue counts and plain numbers by name (shown with ``{glue:}`name```)."""
    from myst_nb import glue

    for name, value in numbers.items():
        glue(name, value, display=False)


def glue_result(result) -> None:
    """Glue a section's result object by name: its ``values`` (counts and plain numbers, see
    :func:`glue_numbers`) and its ``text`` (prose, see :func:`glue_all`)."""
    glue_numbers(result.values)
    glue_all(result.text)
