"""An HTTP proxy for the tests that injects the faults of real object
stores in front of a real server (nginx): dropped connections, stalls,
500/503/429 answers, and bodies cut short (the connection closes before the
announced Content-Length, or a 206 whose body is shorter than its
Content-Range). Each request draws its fate from ``faults`` ({kind: rate});
the rest pass through untouched, Range headers included. Counts of requests
and of each fault injected are kept for the tests' assertions.

The proxy runs in a process of its own (``FaultProxy`` starts it), as a real
server would: the process under test never shares an interpreter with it.
Tests steer it through /__control__/faults?KIND=RATE&... and read its counts
from /__control__/stats.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import subprocess
import sys
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from urllib.request import urlopen

FAULT_KINDS = ("drop", "stall", "500", "503", "429", "truncate", "short_range")


class FaultProxy:
    """The client side: starts the proxy process in front of ``upstream``."""

    def __init__(self, upstream: str, seed: int = 1234, stall_seconds: float = 3.0):
        self.proc = subprocess.Popen([sys.executable, __file__, upstream, str(seed), str(stall_seconds)],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _control(self, what: str) -> dict:
        with urlopen(f"{self.url}/__control__/{what}", timeout=10) as response:
            return json.loads(response.read())

    def set_faults(self, **rates: float) -> None:
        """Sets the fault rates and resets the counts."""
        unknown = set(rates) - set(FAULT_KINDS)
        assert not unknown, f"unknown faults {unknown}"
        self._control("faults?" + "&".join(f"{kind}={rate}" for kind, rate in rates.items()))

    @property
    def requests(self) -> int:
        return self._control("stats")["requests"]

    @property
    def injected(self) -> dict:
        return self._control("stats")["injected"]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class _ProxyServer:
    def __init__(self, upstream: str, seed: int, stall_seconds: float):
        self.upstream = urlsplit(upstream)
        self.faults: dict[str, float] = {}
        self.stall_seconds = stall_seconds
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.requests = 0
        self.injected = {kind: 0 for kind in FAULT_KINDS}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy._handle(self, "GET")

            def do_HEAD(self):
                proxy._handle(self, "HEAD")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._local = threading.local()

    def _answer_control(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        with self.lock:
            if parts.path == "/__control__/faults":
                self.faults = {kind: float(rate) for kind, rate in parse_qsl(parts.query)}
                self.requests = 0
                self.injected = {kind: 0 for kind in FAULT_KINDS}
            body = json.dumps({"requests": self.requests, "injected": self.injected}).encode()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _draw(self) -> str | None:
        with self.lock:
            self.requests += 1
            x = self.random.random()
            for kind, rate in self.faults.items():
                if x < rate:
                    self.injected[kind] += 1
                    return kind
                x -= rate
        return None

    def _forward(self, method: str, path: str, headers: dict):
        conn = getattr(self._local, "conn", None)
        for attempt in range(2):
            if conn is None:
                conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
                self._local.conn = conn
            try:
                conn.request(method, path, headers=headers)
                response = conn.getresponse()
                return response.status, response.reason, response.getheaders(), response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = self._local.conn = None
                if attempt:
                    raise

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        if handler.path.startswith("/__control__/"):
            self._answer_control(handler)
            return
        fault = self._draw()
        if fault == "drop":
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "stall":
            time.sleep(self.stall_seconds)
            handler.close_connection = True
            return
        if fault in ("500", "503", "429"):
            body = f"injected {fault}".encode()
            handler.send_response(int(fault))
            if fault == "429":
                handler.send_header("Retry-After", "0")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if method != "HEAD":
                handler.wfile.write(body)
            return
        headers = {k: v for k, v in handler.headers.items() if k.lower() in ("range", "authorization") or
                   k.lower().startswith("x-amz-")}
        headers["Host"] = f"{self.upstream.hostname}:{self.upstream.port}"
        status, reason, response_headers, body = self._forward(method, handler.path, headers)
        cut = fault in ("truncate", "short_range") and method != "HEAD" and len(body) > 1 and status in (200, 206)
        handler.send_response(status, reason)
        for name, value in response_headers:
            if name.lower() in ("connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"):
                continue
            handler.send_header(name, value)
        if cut and fault == "short_range" and status == 206:
            # A consistent Content-Length, but fewer bytes than the Content-Range says.
            body = body[: len(body) // 2]
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if method == "HEAD":
            return
        if cut:
            # The announced length, then half the bytes and a closed connection.
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        handler.wfile.write(body)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("upstream")
    parser.add_argument("seed", type=int)
    parser.add_argument("stall_seconds", type=float)
    args = parser.parse_args()
    proxy = _ProxyServer(args.upstream, args.seed, args.stall_seconds)
    print(proxy.server.server_address[1], flush=True)
    proxy.server.serve_forever()
