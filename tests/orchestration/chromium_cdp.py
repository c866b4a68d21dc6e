"""Drive Debian's Chromium headless over the DevTools protocol (no network, no extra browser).

Chromium is installed by `make setup` (target `browser`). The flags are the ones that work on
a machine without network: no QUIC, no first-run, no background or component updates, no
sync, no GPU, and a fresh profile per browser.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

__all__ = ["CHROMIUM_FLAGS", "Chromium", "Page", "chromium_binary"]

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_binary() -> str | None:
    """Debian's chromium (/usr/bin/chromium) or one on PATH."""
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


class Page:
    """One tab, attached through a flat CDP session."""

    def __init__(self, browser: Chromium, session_id: str) -> None:
        self.browser = browser
        self.session_id = session_id

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, session_id=self.session_id)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def text(self) -> str:
        return self.evaluate("document.body ? document.body.innerText : ''") or ""

    def wait_for_text(self, needles: Iterable[str], timeout: float = 60.0) -> str:
        """Poll the page text until every needle is in it; return the text."""
        wanted = list(needles)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if all(needle in text for needle in wanted):
                return text
            time.sleep(0.5)
        missing = [needle for needle in wanted if needle not in text]
        raise AssertionError(f"page never showed {missing}; it shows:\n{text[:3000]}")

    def press(self, key: str, code: str, *, alt: bool = False) -> None:
        """Type one key (e.g. the UI's Alt+E shortcut) into the focused page."""
        for kind in ("keyDown", "keyUp"):
            self.send(
                "Input.dispatchKeyEvent",
                {"type": kind, "key": key, "code": code, "modifiers": 1 if alt else 0},
            )

    def wheel(self, x: int, y: int, delta_y: int, *, times: int = 1, ctrl: bool = False) -> None:
        """Turn the mouse wheel over (x, y); with Ctrl the asset graph zooms (out for > 0)."""
        for _ in range(times):
            self.send(
                "Input.dispatchMouseEvent",
                {
                    "type": "mouseWheel",
                    "x": x,
                    "y": y,
                    "deltaX": 0,
                    "deltaY": delta_y,
                    "modifiers": 2 if ctrl else 0,
                },
            )
            time.sleep(0.2)

    def text_while_panning(self, x: int, y: int, *, steps: int = 8, delta: int = 500) -> str:
        """The page text seen while panning the graph down: it renders only visible nodes."""
        seen = [self.text()]
        for _ in range(steps):
            self.wheel(x, y, delta)
            time.sleep(0.7)
            seen.append(self.text())
        return "\n".join(seen)

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


class Chromium:
    """A headless Chromium process with a fresh profile, and its DevTools websocket."""

    def __init__(self, profile_dir: Path, *, width: int = 1600, height: int = 1000) -> None:
        binary = chromium_binary()
        if binary is None:
            raise RuntimeError("chromium is not installed: run `make setup` (target browser)")
        profile_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = profile_dir / "chromium.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile_dir}",
                "--remote-debugging-port=0",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._ids = itertools.count(1)
        self._ws = self._connect(profile_dir / "DevToolsActivePort")
        self.width, self.height = width, height

    def _connect(self, port_file: Path, timeout: float = 30.0) -> ClientConnection:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited: {self.log_path.read_text()[-2000:]}")
            lines = port_file.read_text().splitlines() if port_file.exists() else []
            if len(lines) >= 2:
                return connect(
                    f"ws://127.0.0.1:{lines[0]}{lines[1]}", max_size=None, open_timeout=10
                )
            time.sleep(0.1)
        raise RuntimeError("chromium did not open its DevTools port")

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session_id: str | None = None
    ) -> dict[str, Any]:
        """Send one command and wait for its answer (events in between are dropped)."""
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session_id is not None:
            message["sessionId"] = session_id
        self._ws.send(json.dumps(message))
        while True:
            answer = json.loads(self._ws.recv(timeout=60))
            if answer.get("id") == message_id:
                if "error" in answer:
                    raise RuntimeError(f"{method} failed: {answer['error']}")
                return answer.get("result", {})

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        page = Page(self, session["sessionId"])
        page.send("Page.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - the process is ended below either way
            pass
        try:
            self._ws.close()
        finally:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self._log.close()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
