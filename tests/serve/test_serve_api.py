#!/usr/bin/python3
"""`repsim serve` on loopback: the API's answers against `repsim run`'s files,
its limits (413, 400 before work, 404, 405, 403), implausible inputs, 200 concurrent requests, slow and
abandoned clients, SIGINT/SIGTERM. Standard library only.

usage: test_serve_api.py REPSIM SOURCE_DIR"""
import concurrent.futures
import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_util import Server  # noqa: E402

REPSIM, SOURCE = sys.argv[1], sys.argv[2]
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def scenario(name):
    return read(os.path.join(SOURCE, "scenarios", name + ".toml"))


def run_summary(toml_bytes):
    """summary.json that `repsim run` writes for this scenario text."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.toml")
        with open(path, "wb") as f:
            f.write(toml_bytes)
        subprocess.run([REPSIM, "run", "--quiet", "--out", tmp, path], check=True)
        name = next(d for d in os.listdir(tmp) if os.path.isdir(os.path.join(tmp, d)))
        with open(os.path.join(tmp, name, "summary.json")) as f:
            return json.load(f)


def sweep_toml(points_per_axis):
    return f"""[scenario]
name = "grid"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
epochs = 4
[[sweep.axis]]
key = "training.epochs"
range = {{ from = 1, to = 100, steps = {points_per_axis}, scale = "log" }}
[[sweep.axis]]
key = "data.unique_tokens"
range = {{ from = 1e8, to = 1e12, steps = {points_per_axis}, scale = "log" }}
""".encode()


def main():
    with Server(REPSIM, "--max-sweep-points", "1000", "--timeout", "2", "--threads", "8") as srv:
        check("loopback only" in srv.startup and srv.url in srv.startup,
              f"start-up line names the URL and loopback: {srv.startup.strip()}")

        # --- the page and static answers -------------------------------------------
        status, headers, body = srv.request("GET", "/")
        check(status == 200 and headers.get("Content-Type", "").startswith("text/html")
              and b"/app.js" in body, "GET / serves the page")
        for path, kind in (("/app.js", "javascript"), ("/style.css", "css")):
            status, headers, body = srv.request("GET", path)
            check(status == 200 and kind in headers.get("Content-Type", "") and len(body) > 1000,
                  f"GET {path} ({len(body)} bytes)")
        status, doc = srv.json("GET", "/api/laws")
        check(status == 200 and "muennighoff2023" in [r["preset"] for r in doc], "GET /api/laws")
        status, doc = srv.json("GET", "/api/columns")
        check(status == 200 and any(c["name"] == "loss_repeated" and c["meaning"] for c in doc),
              "GET /api/columns has the meanings")
        status, doc = srv.json("GET", "/no/such/page")
        check(status == 404 and "no such page" in doc["error"], "unknown path: 404 with JSON")
        status, headers, body = srv.request("GET", "/api/run")
        doc = json.loads(body)
        check(status == 405 and headers.get("Allow") == "POST" and "POST only" in doc["error"],
              f"GET on a POST-only API path: 405, Allow: POST ({status} {doc})")
        status, headers, body = srv.request("POST", "/api/laws", b"")
        check(status == 405 and headers.get("Allow", "").startswith("GET"), "POST on a GET-only path: 405")

        # --- implausible inputs: a located 400 unless ?allow_implausible=1 ----------------
        slip = b'[scenario]\nname = "p"\n[model]\nparams = 7\n[data]\nunique_tokens = "200B"\n' \
               b'[training]\ntokens = "1.4T"\n'
        status, doc = srv.json("POST", "/api/run", slip)
        check(status == 400 and 'did you mean params = \\"7B\\"' in json.dumps(doc),
              f"params = 7: 400 naming the suffix ({status})")
        status, doc = srv.json("POST", "/api/run?allow_implausible=1", slip)
        check(status == 200 and doc.get("loss_unique", 0) > 11,
              "params = 7 with ?allow_implausible=1: evaluated")
        status, doc = srv.json("POST", "/api/check?allow_implausible=1", slip)
        check(status == 200, "/api/check?allow_implausible=1")

        # --- /api/run answers what `repsim run` writes ------------------------------------
        for name in ("t5-base-token-crisis", "dropout-schedules", "mixture-web-code"):
            status, doc = srv.json("POST", "/api/run", scenario(name))
            expected = json.loads(read(os.path.join(SOURCE, "results", name, "summary.json")))
            same = status == 200 and all(doc.get(k) == v for k, v in expected.items())
            check(same and "trajectory" in doc,
                  f"/api/run {name}: every key and number of results/{name}/summary.json")
        status, doc = srv.json("POST", "/api/run", scenario("dropout-schedules"))
        compare_csv = read(os.path.join(SOURCE, "results", "dropout-schedules", "compare.csv"))
        names = [row[0] for row in csv.reader(io.StringIO(compare_csv.decode()))][1:]
        check([c["name"] for c in doc.get("compare", [])] == names,
              "/api/run compare: the variants in compare.csv's order")
        # Issue 21: the caveats are the terminal's `assumption:` lines, structured.
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([REPSIM, "run", "--wide", "--out", tmp,
                                  os.path.join(SOURCE, "scenarios", "dropout-schedules.toml")],
                                 capture_output=True, text=True, check=True).stdout
        lines = [l[len("assumption: "):] for l in out.splitlines() if l.startswith("assumption: ")]
        caveats = doc.get("caveats", [])
        check(lines and [c["text"] for c in caveats] == lines
              and all("assumption" in c and "range" in c for c in caveats
                      if c["kind"] != "bootstrap_flip")
              and all("threshold" in c for c in caveats if c["kind"] == "ranking_flip"),
              f"/api/run caveats: the terminal's {len(lines)} assumption lines, with "
              "assumption, range and threshold")

        # A sweep: same rows as `repsim run`'s sweep.csv.
        status, doc = srv.json("POST", "/api/run?columns=delta_pct", sweep_toml(20))
        with tempfile.TemporaryDirectory() as tmp:
            p = os.path.join(tmp, "grid.toml")
            with open(p, "wb") as f:
                f.write(sweep_toml(20))
            subprocess.run([REPSIM, "run", "--quiet", "--out", tmp, p], check=True)
            lines = read(os.path.join(tmp, "grid", "sweep.csv")).decode().splitlines()
        header = lines[0].split(",")
        col = header.index("delta_pct")
        csv_delta = [float(line.split(",")[col]) for line in lines[1:]]
        api_delta = [row["delta_pct"] for row in doc.get("sweep", [])]
        check(status == 200 and api_delta == csv_delta and len(api_delta) == 400
              and set(doc["sweep"][0]) == {"training.epochs", "data.unique_tokens", "status",
                                           "delta_pct"},
              "/api/run sweep: 400 points, delta_pct equal to sweep.csv's")
        status, doc = srv.json("POST", "/api/run?sweep=0", sweep_toml(20))
        check(status == 200 and "sweep" not in doc, "?sweep=0 leaves the sweep out")
        status, doc = srv.json("POST", "/api/run?columns=no_such", sweep_toml(20))
        check(status == 400 and "no_such" in doc["error"], "unknown sweep column: 400")

        # --- bad input, limits ---------------------------------------------------------
        bad = b'[scenario]\nname = "x"\n[model]\nparams = "1B"\n[data]\nunique_tokens = "1B"\n' \
              b'[training]\nepoch = 4\n'
        status, doc = srv.json("POST", "/api/run", bad)
        d = doc.get("diagnostics", [{}])[0]
        check(status == 400 and d.get("line") == 8 and d.get("column") == 1
              and "did you mean" in d.get("message", ""),
              f"bad key: 400, located at 8:1 ({d.get('message')})")
        status, doc = srv.json("POST", "/api/check", bad)
        check(status == 400 and doc["diagnostics"][0]["line"] == 8, "/api/check: the same diagnostic")
        status, doc = srv.json("POST", "/api/check", scenario("t5-base-token-crisis"))
        check(status == 200 and doc["ok"] is True, "/api/check of a good file: ok")
        status, doc = srv.json("POST", "/api/run", b"\x00\xff garbage [[[")
        check(status == 400 and doc["diagnostics"], "binary garbage: 400 with a diagnostic")

        t0 = time.monotonic()
        status, doc = srv.json("POST", "/api/run", sweep_toml(40))  # 1600 > 1000 points
        took = time.monotonic() - t0
        d = doc.get("diagnostics", [{}])[0]
        check(status == 400 and "1600 points" in d.get("message", "")
              and "--max-sweep-points" in d.get("message", "") and d.get("line") == 9,
              f"sweep over the limit: 400 at the [[sweep.axis]] line, in {took * 1000:.0f} ms")
        status, doc = srv.json("POST", "/api/run?sweep=0", sweep_toml(40))
        check(status == 200 and "sweep" not in doc,
              "the same with ?sweep=0: 200 (the sweep is neither evaluated nor limited)")
        status, _, _ = srv.request("POST", "/api/run", b"#" * (1024 * 1024 + 1))
        check(status == 413, "body of 1 MiB + 1 byte: 413")
        status, _, _ = srv.request("POST", "/api/run", b"#" * (1024 * 1024 - 64) + b"\n")
        check(status == 400, "body just under 1 MiB: read (400: no [scenario])")
        status, doc = srv.json("GET", "/api/laws", headers={"Host": "evil.example:80"})
        check(status == 403, "a non-loopback Host header on a loopback server: 403")

        # --- the zip: a real archive of what `repsim run` writes --------------------------
        status, headers, body = srv.request("POST", "/api/results.zip", scenario("dropout-schedules"))
        z = zipfile.ZipFile(io.BytesIO(body))
        check(status == 200 and z.testzip() is None, "results.zip: a valid zip (CRCs check)")
        names = set(z.namelist())
        check("dropout-schedules.toml" in names and z.read("dropout-schedules.toml")
              == scenario("dropout-schedules"), "results.zip holds the scenario file")
        for f in ("summary.json", "summary.csv", "compare.csv", "trajectory.csv"):
            check(z.read(f"dropout-schedules/{f}")
                  == read(os.path.join(SOURCE, "results", "dropout-schedules", f)),
                  f"results.zip: {f} equals results/dropout-schedules/{f} byte for byte")

        # --- 200 concurrent requests -------------------------------------------------------
        bodies = {n: scenario(n) for n in ("t5-base-token-crisis", "dropout-schedules",
                                           "muennighoff-4-epochs")}
        expect = {n: json.loads(read(os.path.join(SOURCE, "results", n, "summary.json")))
                  ["loss_repeated"] for n in bodies}
        jobs = [list(bodies)[i % 3] for i in range(200)]

        def one(name):
            status, doc = srv.json("POST", "/api/run?sweep=0", bodies[name])
            return status == 200 and doc["loss_repeated"] == expect[name]

        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
            results = list(pool.map(one, jobs))
        took = time.monotonic() - t0
        check(all(results), f"200 concurrent /api/run: {sum(results)} of 200 right, {took:.2f} s")

        # --- slow and abandoned clients -------------------------------------------------------
        # Four clients that send half a request and stall, one that connects and
        # says nothing: the others are still served, and the server drops the
        # stalled ones after --timeout (2 s).
        stalled = []
        for i in range(5):
            s = socket.create_connection(("127.0.0.1", srv.port))
            if i < 4:
                s.sendall(b"POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n[sce")
            stalled.append(s)
        time.sleep(0.2)
        t0 = time.monotonic()
        status, doc = srv.json("POST", "/api/run", scenario("t5-base-token-crisis"))
        took = time.monotonic() - t0
        check(status == 200 and took < 1.5,
              f"with 5 stalled clients another is served in {took * 1000:.0f} ms")
        closed = 0
        for s in stalled:
            s.settimeout(6)
            try:
                data = s.recv(4096)
                closed += 1  # EOF or an error reply: the server let go
            except socket.timeout:
                pass
            except OSError:
                closed += 1
            s.close()
        check(closed == 5, f"the server dropped {closed} of 5 stalled clients after its timeout")

    # --- signals ----------------------------------------------------------------------
    for sig, name in ((signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM")):
        srv = Server(REPSIM)
        srv.json("GET", "/api/laws")
        t0 = time.monotonic()
        code, out = srv.stop(sig)
        took = time.monotonic() - t0
        check(code == 0 and f"stopped ({name})" in out,
              f"{name}: the server stops cleanly (exit {code}, {took * 1000:.0f} ms)")

    if FAILURES:
        print(f"{len(FAILURES)} failed")
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
