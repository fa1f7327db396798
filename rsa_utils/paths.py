"""Where the repository is: the root that the book, the notebooks and the default cache hang from."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The committed edition: the executed notebooks, their figures and data.
BOOK_DIR = REPO_ROOT / "book"
