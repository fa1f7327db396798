"""Sphinx extension of the book: each script is included once per page, and the data behind
the figures is published with the pages.

sphinx-thebe registers its inline configuration script on every build-environment read, so
pages can carry it twice, which the browser reports as a SyntaxError ('THEBE_JS_URL has already
been declared'). Here repeated scripts are dropped from each page's context.

Captions link the CSV files that the notebooks write to ``book/data/`` (``data/x.csv``); after
an HTML build they are copied to the same place in the output, so the links resolve.
"""

import shutil
from pathlib import Path


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attrs = getattr(script, "attributes", {})
        key = (getattr(script, "filename", str(script)) or "", tuple(sorted(attrs.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _copy_data(app, exception):
    src = Path(app.srcdir) / "data"
    if exception is None and app.builder.format == "html" and src.is_dir():
        shutil.copytree(src, Path(app.outdir) / "data", dirs_exist_ok=True)


def setup(app):
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("build-finished", _copy_data)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
