#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets that have no files of their own
in the tree: HTTP requests (fuzz_http) and .npy/CSV embeddings (fuzz_npy),
plus the hostile cases of issue 22 for every target. Standard library only.

usage: seeds.py SOURCE_DIR CORPUS_DIR   (writes CORPUS_DIR/<target>/...)"""
import os
import struct
import sys

src, out = sys.argv[1], sys.argv[2]


def write(target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# --- fuzz_scenario: the pre-parse guard's cases (issue 22 item 1) -------------
write("fuzz_scenario", "deep-key.toml", ".".join(["a"] * 2000) + " = 1\n")
write("fuzz_scenario", "deep-header.toml", "[" + ".".join(["a"] * 2000) + "]\n")
write("fuzz_scenario", "deep-array-header.toml", "[[" + ".".join(['"a"'] * 2000) + "]]\n")
write("fuzz_scenario", "deep-inline.toml", "a = " + "{b.c = " * 80 + "1" + "}" * 80 + "\n")
write("fuzz_scenario", "many-tables.toml", "".join(f"[t{i}]\n" for i in range(800)))

# --- fuzz_http: requests, good and hostile (issue 22 items 2, 3, 9) ------------
scenario = open(os.path.join(src, "scenarios", "t5-base-token-crisis.toml"), "rb").read()
small = b'[scenario]\nname = "s"\n[model]\nparams = 1e8\n[data]\nunique_tokens = 1e9\n' \
        b'[training]\nepochs = 4\n'
H = b"Host: 127.0.0.1:8787\r\n"


def post(path, body, extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\n" + H + extra
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def chunked(path, body, extra=b""):
    chunks = b"".join(b"%x\r\n" % len(body[i:i + 100]) + body[i:i + 100] + b"\r\n"
                      for i in range(0, len(body), 100))
    return (b"POST " + path + b" HTTP/1.1\r\n" + H + extra
            + b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")


cases = {
    "get-laws": b"GET /api/laws HTTP/1.1\r\n" + H + b"\r\n",
    "get-index": b"GET / HTTP/1.1\r\n" + H + b"Accept-Encoding: gzip\r\n\r\n",
    "get-404": b"GET /no/such HTTP/1.1\r\n" + H + b"\r\n",
    "head-columns": b"HEAD /api/columns HTTP/1.0\r\n" + H + b"\r\n",
    "run": post(b"/api/run?sweep=0", scenario),
    "run-small": post(b"/api/run", small),
    "run-columns": post(b"/api/run?columns=delta_pct,%ff%fe", small),
    "check": post(b"/api/check", small),
    "check-deep": post(b"/api/check", (".".join(["a"] * 1500) + " = 1\n").encode()),
    "zip": post(b"/api/results.zip", small),
    "chunked": chunked(b"/api/check", small),
    "chunked-ext": b"POST /api/check HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                   b"5;x=y\r\nhello\r\n0\r\nTrailer: v\r\n\r\n",
    "chunked-huge": b"POST /api/check HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                    b"fffffff\r\n",
    "cl-conflict": b"POST /api/check HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n"
                   b"Content-Length: 4\r\n\r\nabcd",
    "cl-and-te": b"POST /api/check HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "te-space": b"POST /api/check HTTP/1.1\r\n" + H + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
    "te-gzip": b"POST /api/check HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n",
    "origin-evil": post(b"/api/run", small, b"Origin: http://evil.example\r\n"),
    "origin-same": post(b"/api/run", small, b"Origin: http://127.0.0.1:8787\r\n"
                                          b"Sec-Fetch-Site: same-origin\r\n"),
    "cross-site": post(b"/api/run", small, b"Sec-Fetch-Site: cross-site\r\n"),
    "host-evil": b"GET /api/laws HTTP/1.1\r\nHost: evil.example\r\n\r\n",
    "utf8-query": b"GET /%ff%c3(?x=%80 HTTP/1.1\r\n" + H + b"\r\n",
    "pipelined": (b"GET /api/laws HTTP/1.1\r\n" + H + b"\r\n") * 2 + post(b"/api/check", small),
    "close": b"GET /api/columns HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n",
    "expect": post(b"/api/check", small, b"Expect: 100-continue\r\n"),
    "fold": b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n b\r\n\r\n",
    "bare-lf": b"GET / HTTP/1.1\n" + H + b"\n",
    "http2": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
}
for name, data in cases.items():
    write("fuzz_http", name + ".http", data)


# --- fuzz_npy: .npy files (NEP 1) and CSVs, good and hostile (issue 22) -------
def npy(descr, shape, payload, version=1, header=None):
    h = header or ("{'descr': '%s', 'fortran_order': False, 'shape': %s, }"
                   % (descr, "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"))
    head = b"\x93NUMPY" + bytes([version, 0])
    size_fmt = "<H" if version == 1 else "<I"
    pre = len(head) + struct.calcsize(size_fmt)
    pad = (-(pre + len(h) + 1)) % 64
    hb = (h + " " * pad + "\n").encode("latin1" if version < 3 else "utf-8")
    return head + struct.pack(size_fmt, len(hb)) + hb + payload


vals = [float(i % 7) - 3.0 for i in range(24)]
write("fuzz_npy", "f4.npy", npy("<f4", (6, 4), struct.pack("<24f", *vals)))
write("fuzz_npy", "f8.npy", npy("<f8", (4, 6), struct.pack("<24d", *vals), version=2))
write("fuzz_npy", "v3.npy", npy("<f4", (3, 8), struct.pack("<24f", *vals), version=3))
write("fuzz_npy", "nan.npy", npy("<f4", (2, 2), struct.pack("<4f", 1, float("nan"), 2, 3)))
write("fuzz_npy", "huge-shape.npy", npy("<f4", (2 ** 62, 2 ** 62), b"\0" * 16))
write("fuzz_npy", "short.npy", npy("<f8", (100, 100), b"\0" * 64))
write("fuzz_npy", "fortran.npy", npy("<f4", (2, 2), b"\0" * 16,
                                     header="{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"))
write("fuzz_npy", "rows.csv", "id,a,b\nx,1,2\ny,3,4\n")
write("fuzz_npy", "quoted.csv", '"1","2"\n"3",4\n')
