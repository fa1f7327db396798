"""Compare every glued value of two folders of executed notebooks (and, with ``--data``, the
CSV files of their figures): prints each difference; exit status 1 when there is any.

    python benchmarks/compare_glue.py BEFORE_DIR AFTER_DIR [--data] [--ignore REGEX ...]

Used to show that a change leaves the book's numbers as they were: execute the book before and
after (``python -m rsa_utils.runner --profile smoke --outdir DIR``) and compare the two folders.
``--ignore`` skips glue names matching a regular expression (e.g. wall times).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

RECORD = "application/papermill.record/"


def read_glue(notebook: Path) -> dict[str, str]:
    """Every glued value of an executed notebook, each representation apart: ``name`` for its
    text (Markdown when glued as prose, else plain text) and ``name [mime]`` for the others.
    (:func:`rsa_utils.report.read_glued` gives plain text only, which for prose is the repr of
    a Markdown object.)"""
    nb = nbformat.read(notebook, as_version=4)
    out: dict[str, str] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if not name:
                continue
            data = {
                k.removeprefix(RECORD): v
                for k, v in o.get("data", {}).items()
                if k.startswith(RECORD)
            }
            main = "text/markdown" if "text/markdown" in data else "text/plain"
            for mime, value in data.items():
                text = value if isinstance(value, str) else repr(value)
                if mime == main:
                    out[name] = text
                elif not (mime == "text/plain" and text.startswith("<IPython.core.display.")):
                    out[f"{name} [{mime}]"] = text
    return out


def compare_glue(before: Path, after: Path, ignore: list[str] = ()) -> tuple[int, list[str]]:
    """(number of values compared, lines describing each difference) of two notebook folders."""
    diffs, compared = [], 0
    names = sorted(
        {p.name for p in before.glob("*.ipynb")} | {p.name for p in after.glob("*.ipynb")}
    )
    for nb in names:
        if not (before / nb).is_file() or not (after / nb).is_file():
            diffs.append(f"{nb}: only in {'after' if (after / nb).is_file() else 'before'}")
            continue
        a, b = read_glue(before / nb), read_glue(after / nb)
        for key in sorted(set(a) | set(b)):
            if any(re.search(rx, key) for rx in ignore):
                continue
            compared += 1
            if key not in a or key not in b:
                diffs.append(f"{nb} {key}: only in {'after' if key in b else 'before'}")
            elif a[key] != b[key]:
                diffs.append(f"{nb} {key}:\n  before {a[key]!r}\n  after  {b[key]!r}")
    return compared, diffs


def compare_data(before: Path, after: Path) -> tuple[int, list[str]]:
    """(number of CSV files compared, differences) of the figures' data folders."""
    diffs, compared = [], 0
    files = sorted({p.relative_to(before) for p in before.rglob("data/**/*.csv")}
                   | {p.relative_to(after) for p in after.rglob("data/**/*.csv")})  # fmt: skip
    for rel in files:
        compared += 1
        if not (before / rel).is_file() or not (after / rel).is_file():
            diffs.append(f"{rel}: only in {'after' if (after / rel).is_file() else 'before'}")
        elif (before / rel).read_bytes() != (after / rel).read_bytes():
            diffs.append(f"{rel}: contents differ")
    return compared, diffs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--data", action="store_true", help="compare the CSV files in data/ as well")
    ap.add_argument("--ignore", action="append", default=[], metavar="REGEX")
    args = ap.parse_args(argv)
    n, diffs = compare_glue(args.before, args.after, args.ignore)
    print(f"{n} glued values compared, {len(diffs)} difference(s)")
    if args.data:
        m, data_diffs = compare_data(args.before, args.after)
        print(f"{m} data files compared, {len(data_diffs)} difference(s)")
        diffs += data_diffs
    for d in diffs:
        print(d)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
