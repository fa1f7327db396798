"""The book's visual convention: task-type colours, colormaps, tick colouring, shared axes helpers.

One visual convention for every figure of the book, defined here:

* task types are coloured by :data:`TYPE_COLORS` (Okabe-Ito, colour-blind safe): 2D blue,
  3D vermillion, geometric bluish green, semantic reddish purple (:data:`TYPE_COLOR_NAMES`);
* similarity matrices use :data:`SIMILARITY_CMAP` (``gray_r``) and dissimilarity matrices (RDMs)
  :data:`DISSIMILARITY_CMAP` (``gray``), so that in both **dark = similar**; colour bars say so.

Matrix plots follow SPEC §1: tasks grouped by type. Figures are sized for a page about 700 px
wide: text is at least ~8 px high there (font size in points ≥ ~0.85 × figure width in inches).
Titles inside figures are descriptive only; the book's captions number the figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from rsa_utils.world.tasks import TASK_NAMES, TASK_TYPES, TASKS

#: Colour of each task type in every figure (Okabe-Ito palette, colour-blind safe).
TYPE_COLORS: dict[str, str] = {
    "2D": "#0072B2",  # blue
    "3D": "#D55E00",  # vermillion
    "geometric": "#009E73",  # bluish green
    "semantic": "#CC79A7",  # reddish purple
}
#: The colours of :data:`TYPE_COLORS` in words, for captions.
TYPE_COLOR_NAMES: dict[str, str] = {
    "2D": "blue",
    "3D": "vermillion",
    "geometric": "green",
    "semantic": "pink",
}
#: Colormap of similarity matrices (high = dark) ...
SIMILARITY_CMAP = "gray_r"
#: ... and of dissimilarity matrices (low = dark): in both, dark = similar.
DISSIMILARITY_CMAP = "gray"
#: Default colour-bar label of a similarity matrix.
SIMILARITY_LABEL = "RSA similarity (dark = similar)"
#: Colours of the two architectures where they are compared (S1).
ARCH_COLORS: dict[str, str] = {"taskonomy": "0.25", "small": "#E69F00"}


def type_color(name: str) -> str:
    """The colour of a task's type (black for a name that is not a task)."""
    return TYPE_COLORS[TASKS[name].type] if name in TASKS else "k"


def type_colors_text() -> str:
    """``"2D blue, 3D vermillion, geometric green, semantic pink"`` (for captions)."""
    return ", ".join(f"{t} {TYPE_COLOR_NAMES[t]}" for t in TASK_TYPES)


def type_legend(fig, types: Sequence[str] | None = None, **kw):
    """A figure legend of the task-type colours (``types``: default all); returns it."""
    types = [t for t in TASK_TYPES if types is None or t in set(types)]
    handles = [plt.Line2D([], [], color=TYPE_COLORS[t], lw=0, marker="s", ms=10, label=t)
               for t in types]  # fmt: skip
    kw = {"loc": "outside lower center", "ncol": len(types), "fontsize": 10, "frameon": False,
          "title": "task type", "title_fontsize": 10, **kw}  # fmt: skip
    return fig.legend(handles=handles, **kw)


def by_type(names: Sequence[str]) -> list[str]:
    """``names`` in the registry's order (grouped 2D, 3D, geometric, semantic)."""
    return [n for n in TASK_NAMES if n in set(names)]


def task_label(name: str) -> str:
    return TASKS[name].label if name in TASKS else str(name)


def color_ticks(ax, names: Sequence[str], axis: str = "both") -> None:
    ticks = []
    if axis in ("x", "both"):
        ticks += list(zip(ax.get_xticklabels(), names))
    if axis in ("y", "both"):
        ticks += list(zip(ax.get_yticklabels(), names))
    for tick, n in ticks:
        if n in TASKS:
            tick.set_color(type_color(n))


def type_boundaries(ax, names: Sequence[str]) -> None:
    """Thin lines between the type groups of a matrix whose rows/columns are ``names``."""
    types = [TASKS[n].type if n in TASKS else None for n in names]
    for i in range(1, len(types)):
        if types[i] != types[i - 1]:
            ax.axhline(i - 0.5, color="tab:gray", lw=0.8, alpha=0.8)
            ax.axvline(i - 0.5, color="tab:gray", lw=0.8, alpha=0.8)


def matrix_label(title: str) -> str:
    if "affinit" in title.lower():
        return "transfer affinity (dark = high)"
    return SIMILARITY_LABEL


def consistency_ylim(low, *, floor: float = 0.8, step: float = 0.05) -> tuple[float, float]:
    """y limits of a "ρ with the reference ranking" plot, zoomed to the data: from the smaller
    of ``floor`` and the lowest value of ``low`` (rounded down to ``step``) up to 1."""
    lo = min(float(np.nanmin(np.asarray(low, dtype=float))), floor)
    return float(np.floor(lo / step + 1e-9) * step), 1.0


def separate_labels(ax, texts, *, step: float = 2.0, max_moves: int = 60) -> None:
    """Nudge annotation ``texts`` (``ax.annotate`` with offsets in points) of one axes up or
    down until their boxes no longer overlap (greedy, in drawing order of increasing y)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    placed = []
    for t in sorted(texts, key=lambda t: (t.xy[1], t.xy[0])):
        for k in range(max_moves):
            box = t.get_window_extent(renderer).expanded(1.02, 1.1)
            if not any(box.overlaps(b) for b in placed):
                break
            dx, dy = t.get_position()
            direction = 1 if k % 2 == 0 else -1  # alternately further up and further down
            t.set_position((dx, dy + direction * step * (k + 1)))
        placed.append(t.get_window_extent(renderer).expanded(1.02, 1.1))
