"""Sphinx extension of the book: each script is included once per page.

sphinx-thebe registers its inline configuration script on every build-environment read, so
pages can carry it twice, which the browser reports as a SyntaxError ('THEBE_JS_URL has already
been declared'). Here repeated scripts are dropped from each page's context.
"""


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attrs = getattr(script, "attributes", {})
        key = (getattr(script, "filename", str(script)) or "", tuple(sorted(attrs.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
