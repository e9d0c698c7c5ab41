"""A real headless Chromium driven over the DevTools protocol, for the HTML tests and the
viewer benchmark: open a page, evaluate script, click an element with real mouse events,
take a screenshot.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``); ``find_chromium()``
returns None without it. The websocket client is aiohttp's (installed with wfdb).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    """One headless browser with one page. Use as a context manager."""

    def __init__(self, width: int = 1400, height: int = 1000, exe: str | None = None):
        self.exe = exe or find_chromium()
        if self.exe is None:
            raise RuntimeError("chromium not installed (apt-get install -y chromium)")
        self.width, self.height = width, height
        self._loop = asyncio.new_event_loop()
        self._profile = tempfile.TemporaryDirectory(prefix="gemeval-chromium-", ignore_cleanup_errors=True)
        self._id = 0
        self.console_errors: list[str] = []

    def __enter__(self) -> "Chromium":
        self._proc = subprocess.Popen(
            [self.exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--remote-debugging-port=0", f"--user-data-dir={self._profile.name}",
             f"--window-size={self.width},{self.height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 60
        port = None
        assert self._proc.stderr is not None
        while time.monotonic() < deadline:
            line = self._proc.stderr.readline()
            if not line and self._proc.poll() is not None:
                raise RuntimeError("chromium exited before it listened")
            match = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if match:
                port = int(match.group(1))
                break
        if port is None:
            raise RuntimeError("chromium did not start its DevTools server")
        self._loop.run_until_complete(self._connect(port))
        return self

    async def _connect(self, port: int) -> None:
        self._session = aiohttp.ClientSession()
        async with self._session.get(f"http://127.0.0.1:{port}/json/list") as resp:
            targets = await resp.json(content_type=None)
        page = next(t for t in targets if t.get("type") == "page")
        self._ws = await self._session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        await self._send("Page.enable")
        await self._send("Runtime.enable")
        await self._send("Emulation.setDeviceMetricsOverride",
                         {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})

    async def _send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._id += 1
        my_id = self._id
        await self._ws.send_str(json.dumps({"id": my_id, "method": method, "params": params or {}}))
        while True:
            msg = await self._ws.receive(timeout=120)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"DevTools connection closed ({msg.type})")
            data = json.loads(msg.data)
            if data.get("method") == "Runtime.exceptionThrown":
                self.console_errors.append(json.dumps(data["params"]["exceptionDetails"])[:2000])
            if data.get("method") == "Runtime.consoleAPICalled" and data["params"].get("type") == "error":
                self.console_errors.append(json.dumps(data["params"]["args"])[:2000])
            if data.get("id") == my_id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data.get("result", {})

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._loop.run_until_complete(self._send(method, params))

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} raised {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str, ready: str = "document.body && document.body.dataset.ready === '1'", timeout: float = 60) -> float:
        """Navigate and wait until ``ready`` is true; returns the seconds from navigation."""
        start = time.perf_counter()
        self.send("Page.navigate", {"url": url})
        self.wait_for(ready, timeout)
        return time.perf_counter() - start

    def wait_for(self, expression: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(f"!!({expression})"):
                return
            time.sleep(0.02)
        raise TimeoutError(f"{expression!r} not true after {timeout} s; page errors: {self.console_errors}")

    def click(self, selector: str) -> None:
        """A real left click (mouse pressed and released) at the centre of the element."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        if box is None:
            raise RuntimeError(f"no element matches {selector!r}")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})

    def type_text(self, selector: str, text: str) -> None:
        self.click(selector)
        self.send("Input.insertText", {"text": text})

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        Path(path).write_bytes(base64.b64decode(data))
        return Path(path)

    def __exit__(self, *exc: Any) -> None:
        try:
            self._loop.run_until_complete(self._close())
        finally:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._loop.close()
            self._profile.cleanup()

    async def _close(self) -> None:
        await self._ws.close()
        await self._session.close()
