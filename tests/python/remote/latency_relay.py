"""A TCP relay that adds propagation delay, for tests and benchmarks that
need a remote-like round trip on loopback.

The way to do this is ``tc qdisc ... netem delay`` in a network namespace;
kernels built without sch_netem (CONFIG_NET_SCH_NETEM unset, as on this
project's machines) refuse it, so ``netem_available()`` probes for it and
this relay stands in: every byte is held ``one_way_ms`` in each direction,
so a request/response exchange sees 2 x one_way_ms of round trip (and a
new connection one more, for its handshake), while bytes keep streaming
(the delay pipelines, as on a real link). The bytes waiting per
connection and direction are bounded, as by a TCP window. The relay
runs in a process of its own (``LatencyRelay`` starts it), so that it never
waits on the interpreter of the process being measured.
"""

from __future__ import annotations

import collections
import os
import socket
import subprocess
import sys
import threading
import time

CHUNK_BYTES = 1 << 20
MAX_IN_FLIGHT = 8 << 20


def netem_available() -> bool:
    """Whether this kernel accepts a netem qdisc (probed in a throwaway
    network namespace, so nothing outside it changes)."""
    name = f"geobatch-probe-{os.getpid()}"
    try:
        if subprocess.run(["ip", "netns", "add", name], capture_output=True).returncode != 0:
            return False
        try:
            return subprocess.run(["ip", "netns", "exec", name, "tc", "qdisc", "add", "dev", "lo", "root",
                                   "netem", "delay", "1ms"], capture_output=True).returncode == 0
        finally:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
    except FileNotFoundError:
        return False


class _Direction:
    """Moves bytes from one socket to another, each chunk released
    ``delay`` seconds after it arrived; at most ``MAX_IN_FLIGHT`` bytes wait
    at once (the reader stops reading beyond that, as a full TCP window)."""

    def __init__(self, src: socket.socket, dst: socket.socket, delay: float, first_extra: float = 0.0):
        self.src, self.dst, self.delay = src, dst, delay
        self.first_extra = first_extra
        self.chunks: collections.deque = collections.deque()
        self.waiting = 0
        self.changed = threading.Condition()
        self.eof = False
        threading.Thread(target=self._receive, daemon=True).start()
        threading.Thread(target=self._send, daemon=True).start()

    def _receive(self):
        try:
            while True:
                with self.changed:
                    while self.waiting >= MAX_IN_FLIGHT:
                        self.changed.wait()
                data = self.src.recv(CHUNK_BYTES)
                if not data:
                    break
                with self.changed:
                    self.chunks.append((time.monotonic() + self.delay + self.first_extra, data))
                    self.first_extra = 0.0
                    self.waiting += len(data)
                    self.changed.notify_all()
        except OSError:
            pass
        with self.changed:
            self.eof = True
            self.changed.notify_all()

    def _send(self):
        try:
            while True:
                with self.changed:
                    while not self.chunks and not self.eof:
                        self.changed.wait()
                    if not self.chunks:
                        break
                    due, data = self.chunks.popleft()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self.dst.sendall(data)
                with self.changed:
                    self.waiting -= len(data)
                    self.changed.notify_all()
            self.dst.shutdown(socket.SHUT_WR)
        except OSError:
            for s in (self.src, self.dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class LatencyRelay:
    """Starts a relay process listening on 127.0.0.1 that forwards each
    connection to ``upstream_port`` with ``rtt_ms`` of added round trip."""

    def __init__(self, upstream_port: int, rtt_ms: float):
        self.proc = subprocess.Popen([sys.executable, __file__, str(upstream_port), str(rtt_ms)],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def url(self, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}"

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class _Relay:
    def __init__(self, upstream_port: int, rtt_ms: float):
        self.upstream_port = upstream_port
        self.delay = rtt_ms / 2000.0
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.port = self.listener.getsockname()[1]

    def serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # A new connection's first bytes also wait out the TCP handshake (one round trip).
            _Direction(client, upstream, self.delay, first_extra=2 * self.delay)
            _Direction(upstream, client, self.delay)


if __name__ == "__main__":
    relay = _Relay(int(sys.argv[1]), float(sys.argv[2]))
    print(relay.port, flush=True)
    relay.serve()
