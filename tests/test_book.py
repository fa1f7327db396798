"""The smoke profile end to end: every notebook through papermill, the strict book build, and
the built site in a real (headless Chromium) browser."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cdp import Browser, find_chromium

from rsa_utils import report
from rsa_utils.runner import toc_files, toc_notebooks

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def smoke_book(tmp_path_factory):
    """A copy of book/ with every notebook executed on the smoke profile and built strictly."""
    tmp = tmp_path_factory.mktemp("smoke")
    book = tmp / "book"
    shutil.copytree(
        ROOT / "book", book, ignore=shutil.ignore_patterns("_build", "*.ipynb", "figures")
    )
    for name in ("_config.yml", "_toc.yml"):
        (book / name).unlink()
        shutil.copy(ROOT / name, book / name)
    env = dict(os.environ, RSA_CACHE_DIR=str(tmp / "cache"))
    run = subprocess.run(
        [sys.executable, "-m", "rsa_utils.runner", "--profile", "smoke", "--device", "cpu", "--outdir", str(book)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    build = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book), "-W", "-n", "--keep-going"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    return book


def test_every_notebook_runs_and_the_strict_build_passes(smoke_book):
    html = smoke_book / "_build" / "html"
    for f in toc_files():
        assert (html / f"{f}.html").is_file(), f
    for nb in (ROOT / "notebooks").glob("*.py"):
        assert (smoke_book / f"{nb.stem}.ipynb").is_file(), nb.stem
    # the runner's record says which notebooks computed networks (empty cache: models first)
    rec = report.notebook_record([smoke_book / f"{n}.ipynb" for n in toc_notebooks()])
    built = dict(zip(rec.notebook, rec["zoo entries built"], strict=True))
    assert built["rsa_primer"] == 0 and built["models"] >= 40, built
    # every "data: ….csv" link of a caption or a page resolves in the built site
    import re

    links = {
        (f, m)
        for f in toc_files()
        for m in re.findall(r'href="(data/[^"#]+\.csv)"', (html / f"{f}.html").read_text())
    }
    assert len(links) > 20, links
    missing = [(f, m) for f, m in links if not (html / m).is_file()]
    assert not missing, missing


def test_site_is_offline_and_complete_in_a_browser(smoke_book):
    exe = find_chromium()
    if exe is None:
        pytest.skip("no chromium/chrome executable on PATH (Debian: apt-get install chromium)")
    html = smoke_book / "_build" / "html"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    browser = Browser(exe)
    shots = ROOT / "book" / "_build" / "screenshots"
    try:
        total_images = 0
        for f in toc_files():
            res = browser.open(f"{base}/{f}.html")
            remote = [u for u in res["requests"] if not u.startswith((base, "data:", "blob:"))]
            assert not remote, f"{f}: requests leave localhost: {remote[:5]}"
            assert not res["console_errors"], f"{f}: console errors {res['console_errors']}"
            assert not res["exceptions"], f"{f}: exceptions {res['exceptions']}"
            assert not res["broken_images"], f"{f}: images without size {res['broken_images']}"
            total_images += res["n_images"]
            if f == toc_files()[0] or f == "rsa_primer":
                browser.call(
                    "Runtime.evaluate",
                    expression="document.querySelector('figure img')?.scrollIntoView()",
                )
                browser.screenshot(shots / f"{f}.png")
        assert total_images > 0
        assert (shots / "rsa_primer.png").stat().st_size > 10_000
    finally:
        browser.close()
        server.shutdown()
