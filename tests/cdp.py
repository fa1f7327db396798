"""A minimal headless-Chromium driver over the DevTools protocol (no browser download).

Opens pages of a site served on localhost, records every request, console error and uncaught
exception, checks images and takes screenshots.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
]  # fmt: skip


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, executable: str):
        self.profile = tempfile.mkdtemp(prefix="cdp-")
        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _ in range(200):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        self.port = int(port_file.read_text().split()[0])
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json").read())
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self._id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params):
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def _drain(self, seconds: float) -> None:
        end = time.time() + seconds
        self.ws.settimeout(0.2)
        while time.time() < end:
            try:
                self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                continue
        self.ws.settimeout(30)

    def open(self, url: str, settle: float = 1.5) -> dict:
        """Load ``url``; returns requests, console errors, exceptions and broken images."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        for _ in range(300):
            if any(e.get("method") == "Page.loadEventFired" for e in self.events):
                break
            self._drain(0.1)
        self._drain(settle)
        broken = self.call(
            "Runtime.evaluate",
            expression="JSON.stringify(Array.from(document.images)"
            ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src))",
            returnByValue=True,
        )["result"]["value"]
        n_images = self.call(
            "Runtime.evaluate", expression="document.images.length", returnByValue=True
        )
        ev = self.events
        return {
            "requests": [e["params"]["request"]["url"] for e in ev if e.get("method") == "Network.requestWillBeSent"],
            "console_errors": [
                " ".join(str(a.get("value", a.get("description", ""))) for a in e["params"]["args"])
                for e in ev if e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error"
            ] + [e["params"]["entry"]["text"] for e in ev
                 if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"],
            "exceptions": [json.dumps(e["params"]["exceptionDetails"])[:600] for e in ev
                           if e.get("method") == "Runtime.exceptionThrown"],
            "broken_images": json.loads(broken),
            "n_images": n_images["result"]["value"],
        }  # fmt: skip

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)
