"""Where the repository is: the root that the book, the notebooks and the default cache hang from."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The committed edition: the executed notebooks, their figures and data.
BOOK_DIR = REPO_ROOT / "book"
#: The previous edition's claims table, shipped with the book (columns: edition, then a claims row).
PREVIOUS_EDITION = BOOK_DIR / "data" / "claims_previous_edition.csv"
#: The claims table of a run of this edition's code with another study seed (a reseed), shipped
#: with the book (columns: edition, then a claims row; written by ``benchmarks/reseed.py --export``).
RESEED = BOOK_DIR / "data" / "claims_reseed.csv"


def portable(path, placeholder: str = "<run>") -> str:
    """``path`` as a benchmark record may store it: relative to the repository when inside it,
    else ``placeholder`` followed by its last part (``/scratch/x/book`` -> ``<run>/book``), so
    that a committed record names no machine's folders. ``None`` stays ``None``."""
    if path is None:
        return None
    p = Path(path).resolve()
    if p.is_relative_to(REPO_ROOT):
        return str(p.relative_to(REPO_ROOT)) or "."
    return f"{placeholder}/{p.name}"
