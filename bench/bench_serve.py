#!/usr/bin/python3
"""Latency of `repsim serve`'s /api/run as the page uses it (issue 16: results
within ~100 ms of a change for a single run). Sequential requests on one
keep-alive connection, after 10 of warm-up; prints the round trip and the
server's own time (Server-Timing) as median and 95th percentile.

usage: bench/bench_serve.py REPSIM [N=200]"""
import http.client
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "serve"))
from serve_util import Server  # noqa: E402

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def page_scenario():
    """The scenario the page opens with (web/app.js), assembled as the page does."""
    js = open(os.path.join(REPO, "web", "app.js")).read()

    def const(name):
        start = js.index(f"const {name} = `") + len(f"const {name} = `")
        return js[start:js.index("`", start)]

    return (const("DEFAULT_SCENARIO") + const("COMPARE_BLOCK") + "\n" + const("SWEEP_BLOCK")).encode()


def measure(port, path, body, n):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    trips, server = [], []
    for i in range(n + 10):
        t0 = time.perf_counter()
        conn.request("POST", path, body=body)
        res = conn.getresponse()
        res.read()
        trip = (time.perf_counter() - t0) * 1000
        if res.status != 200:
            raise RuntimeError(f"{path}: HTTP {res.status}")
        if i >= 10:
            trips.append(trip)
            server.append(float(res.getheader("Server-Timing").split("dur=")[1]))
    conn.close()

    def q(xs, p):
        return sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]

    return (statistics.median(trips), q(trips, 0.95), statistics.median(server), q(server, 0.95))


def main():
    repsim = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    page = page_scenario()
    cases = [
        ("page's default, single run (?sweep=0)", "/api/run?sweep=0", page),
        ("page's default, heatmap (32x32, ?columns=delta_pct)", "/api/run?columns=delta_pct", page),
        ("t5-base-token-crisis.toml", "/api/run",
         open(os.path.join(REPO, "scenarios", "t5-base-token-crisis.toml"), "rb").read()),
        ("dropout-schedules.toml", "/api/run",
         open(os.path.join(REPO, "scenarios", "dropout-schedules.toml"), "rb").read()),
    ]
    print(f"repsim serve /api/run, {n} sequential requests each, ms "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'request':<55} {'round trip p50':>15} {'p95':>7} {'server p50':>11} {'p95':>7}")
    with Server(repsim) as srv:
        for name, path, body in cases:
            trip50, trip95, srv50, srv95 = measure(srv.port, path, body, n)
            print(f"{name:<55} {trip50:>15.2f} {trip95:>7.2f} {srv50:>11.2f} {srv95:>7.2f}")


if __name__ == "__main__":
    main()
