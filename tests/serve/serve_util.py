"""Shared by the `repsim serve` tests: start the real binary on a free
loopback port, talk HTTP to it (standard library only), stop it."""
import http.client
import json
import os
import re
import signal
import subprocess
import time


class Server:
    """`repsim serve --port 0 ARGS`, stopped (SIGTERM) on exit from `with`."""

    def __init__(self, repsim, *args):
        self.proc = subprocess.Popen(
            [repsim, "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"no URL in the start-up line: {line!r} "
                               f"(stderr: {self.proc.stderr.read()!r})")
        self.startup = line
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}/"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends `sig`; returns (exit code, rest of stdout)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            out, _ = self.proc.communicate()
            return None, out
        return self.proc.returncode, out

    def request(self, method, path, body=None, headers=None, timeout=30):
        """(status, headers dict, body bytes) over a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            res = conn.getresponse()
            return res.status, dict(res.getheaders()), res.read()
        finally:
            conn.close()

    def json(self, method, path, body=None, headers=None):
        status, _, data = self.request(method, path, body, headers)
        return status, json.loads(data)
