#!/usr/bin/python3
"""The page of `repsim serve` in a real browser: headless Debian chromium,
driven over the Chrome DevTools Protocol (a small websocket client below,
standard library only). Loads the page, changes the parameters field, waits
for the update, checks the loss the page shows against `repsim run` on the
scenario the page's TOML pane shows, and saves a screenshot.

usage: test_browser.py REPSIM OUTPUT_DIR
Exit 77 (CTest: skipped) when chromium is not installed."""
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_util import Server  # noqa: E402

REPSIM, OUT = sys.argv[1], sys.argv[2]
SKIP = 77
TIMEOUT = 60  # seconds for any one wait


class WebSocket:
    """RFC 6455 client: text frames, masked, no extensions. Enough for CDP."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("websocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"websocket handshake refused: {head[:200]!r}")

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("websocket closed")
            data += chunk
        return data

    def send(self, text):
        payload = text.encode()
        head = bytes([0x81])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("websocket closed by the browser")
            if opcode in (0x9, 0xA):  # ping/pong: not used by chromium's CDP
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class DevTools:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, expression, what):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.eval(expression):
                return
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for {what} ({expression})")


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def main():
    chromium = find_chromium()
    if not chromium:
        print("SKIPPED: chromium is not installed (`make deps` installs Debian's chromium)")
        return SKIP
    os.makedirs(OUT, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="repsim-chromium-")
    server = Server(REPSIM)
    browser = None
    failures = []
    try:
        args = [chromium, "--headless=new", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1", "--window-size=1440,1250",
                "--no-proxy-server", "about:blank"]
        # Chromium refuses to run as root with its sandbox, and containers (CI) often
        # lack the user namespaces it needs otherwise; the browser loads only our page.
        args.insert(1, "--no-sandbox")
        browser = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        # chromium writes its port to DevToolsActivePort in the profile.
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if time.monotonic() > deadline or browser.poll() is not None:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        devtools_port = int(open(port_file).read().split()[0])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        targets = json.load(opener.open(f"http://127.0.0.1:{devtools_port}/json/list",
                                        timeout=TIMEOUT))
        page = next(t for t in targets if t["type"] == "page")
        cdp = DevTools(WebSocket(page["webSocketDebuggerUrl"]))
        cdp.call("Page.enable")
        cdp.call("Emulation.setDeviceMetricsOverride", width=1440, height=1250,
                 deviceScaleFactor=1, mobile=False)
        cdp.call("Page.navigate", url=server.url)
        cdp.wait("document.body && document.body.dataset.runs >= 1 && "
                 "document.body.dataset.state === 'ready'", "the first result")
        first = float(cdp.eval("document.getElementById('card-loss_repeated').dataset.value"))

        # Change a value as a person would: type into the field, leave it.
        cdp.eval("""(() => {
            const f = document.getElementById('params');
            f.focus(); f.value = '3B';
            f.dispatchEvent(new Event('change', {bubbles: true})); f.blur();
            window.__runs = Number(document.body.dataset.runs);
        })()""")
        t0 = time.monotonic()
        cdp.wait("Number(document.body.dataset.runs) > window.__runs && "
                 "document.body.dataset.state === 'ready'", "the update after the change")
        took = time.monotonic() - t0
        cdp.wait("document.body.dataset.heatmap === 'ready'", "the heatmap")
        shown_value = float(cdp.eval("document.getElementById('card-loss_repeated').dataset.value"))
        shown_text = cdp.eval("document.querySelector('#card-loss_repeated .value').textContent")
        table_text = cdp.eval("document.querySelector('#row-loss_repeated td.num').textContent")
        toml = cdp.eval("document.getElementById('toml').value")
        caveats_text = cdp.eval("document.getElementById('compare-caveats').textContent")
        fetch_ms = cdp.eval("document.body.dataset.ms")
        server_ms = cdp.eval("document.body.dataset.serverMs")
        latency = cdp.eval("document.body.dataset.latency")
        print(f"page: loss_repeated {first} -> {shown_value} (shown '{shown_text}'); from the "
              f"change to the page redrawn {latency} ms (request {fetch_ms} ms, of which the "
              f"server {server_ms} ms); seen by this script {took * 1000:.0f} ms after")

        # The same scenario through `repsim run`.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "page.toml")
            with open(path, "w") as f:
                f.write(toml)
            subprocess.run([REPSIM, "run", "--quiet", "--out", tmp, path], check=True)
            name = next(d for d in os.listdir(tmp) if os.path.isdir(os.path.join(tmp, d)))
            with open(os.path.join(tmp, name, "summary.json")) as f:
                expected = json.load(f)

        def check(cond, what):
            print(("ok   " if cond else "FAIL ") + what)
            if not cond:
                failures.append(what)

        check('params = "3B"' in toml, "the TOML pane shows the changed field")
        check(expected["params"] == 3e9, "repsim run on the pane's TOML has params 3e9")
        check(shown_value == expected["loss_repeated"],
              f"shown loss {shown_value!r} == repsim run's {expected['loss_repeated']!r}")
        check(abs(float(shown_text) - expected["loss_repeated"]) <= 5e-6 * expected["loss_repeated"]
              and abs(float(table_text) - expected["loss_repeated"])
              <= 5e-6 * expected["loss_repeated"],
              f"the card ('{shown_text}') and the table ('{table_text}') show it to 6 digits")
        check(shown_value != first, "the change moved the loss")
        # Issue 21: the caveats next to the ranking are the terminal's assumption lines.
        want = "\n".join(f"assumption: {c['text']}" for c in expected.get("caveats", []))
        check(bool(expected.get("caveats")) and caveats_text == want,
              f"the ranking's caveats on the page ({caveats_text.count('assumption:')} lines) are "
              f"summary.json's ({len(expected.get('caveats', []))})")

        shot = cdp.call("Page.captureScreenshot", format="png")
        png = os.path.join(OUT, "serve_page.png")
        with open(png, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print(f"screenshot: {png}")
        try:
            cdp.call("Browser.close")
        except RuntimeError:
            pass
    finally:
        if browser and browser.poll() is None:
            try:
                browser.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(browser.pid, signal.SIGKILL)
                browser.wait()
        server.stop()
        shutil.rmtree(profile, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failed")
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
