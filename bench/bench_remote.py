"""Remote read benchmark: geobatch against zarr-python (over obstore) and
tensorstore, side by side in one run, reading the same Zarr array over HTTP
from a real nginx on 127.0.0.1, with and without added round-trip latency,
next to geobatch reading the same store from local disk.

    PYTHONPATH=python .venv/bin/python bench/bench_remote.py [--gigabytes 0.5]
        [--rtt-ms 0,20] [--in-flight 1,4,16,64] [--repeats 2] [--markdown FILE]

For each added RTT and each number of requests in flight it measures

- read-all throughput: the whole t2m array (a reanalysis-like float32
  datacube, zstd, written by make_datacube.py) into a new numpy array, as
  decoded GB/s, best of --repeats, no cache anywhere (geobatch's memory
  cache off, tensorstore's cache pool 0, zarr-python has none);
- time to first read: a fresh open of the array plus a one-element read,
  new connections included.

Latency: the kernel of this project's machines has no sch_netem, so `tc
netem` cannot delay loopback traffic (the script says whether netem is
available); tests/python/remote/latency_relay.py, a relay process that
holds every byte RTT/2 in each direction, adds the round trip instead.
The servers and the relay share the machine's cores with the readers.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import platform
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "tests" / "python" / "remote"))

import make_datacube  # noqa: E402
from latency_relay import LatencyRelay, netem_available  # noqa: E402
from servers import NginxServer  # noqa: E402

ARRAY = "t2m"


class Geobatch:
    name = "geobatch"

    def open(self, url: str, in_flight: int):
        import geobatch
        os.environ["GEOBATCH_MAX_REQUESTS"] = str(in_flight)
        os.environ["GEOBATCH_CACHE_BYTES"] = "0"
        return geobatch.open_array(url, ARRAY)

    def read_all(self, a):
        return a.read()

    def read_one(self, a):
        return a[0, 0, 0]


class ZarrPythonObstore:
    name = "zarr-python+obstore"

    def open(self, url: str, in_flight: int):
        import zarr
        from obstore.store import HTTPStore
        from zarr.storage import ObjectStore
        zarr.config.set({"async.concurrency": in_flight})
        store = HTTPStore.from_url(url, client_options={"allow_http": True})
        return zarr.open_array(ObjectStore(store, read_only=True), path=ARRAY, mode="r")

    def read_all(self, a):
        return a[...]

    def read_one(self, a):
        return a[0, 0, 0]


class Tensorstore:
    name = "tensorstore"

    def open(self, url: str, in_flight: int):
        import tensorstore as ts
        context = ts.Context({
            "data_copy_concurrency": {"limit": os.cpu_count() or 1},
            "http_request_concurrency": {"limit": in_flight},
            "cache_pool": {"total_bytes_limit": 0},
        })
        spec = {"driver": "zarr3", "kvstore": {"driver": "http", "base_url": url + "/" + ARRAY + "/"}}
        return ts.open(spec, context=context, read=True).result()

    def read_all(self, t):
        return t.read().result()

    def read_one(self, t):
        return t[0, 0, 0].read().result()


READERS = [Geobatch(), ZarrPythonObstore(), Tensorstore()]

# The training task of bench_batches.py: shuffled 3 x 48 x 48 windows, 32 per batch.
WINDOW = {"time": 3, "latitude": 48, "longitude": 48}
OVERLAP = {"time": 1, "latitude": 16, "longitude": 16}
BATCH = 32


def geobatch_stream(url: str, batches: int) -> tuple[float, float]:
    """(seconds to the first batch from opening, samples/s after it) of
    geobatch's shuffled batch stream over the remote dataset."""
    import geobatch
    start = time.perf_counter()
    gen = geobatch.BatchGenerator(geobatch.open_dataset(url)[[ARRAY]], WINDOW, OVERLAP, batch_size=BATCH,
                                  shuffle=True, seed=0)
    it = iter(gen)
    next(it)
    first = time.perf_counter() - start
    t0, samples = time.perf_counter(), 0
    for _ in range(batches - 1):
        samples += len(next(it)[ARRAY])
    return first, samples / (time.perf_counter() - t0)


def xbatcher_stream(url: str, batches: int) -> tuple[float, float]:
    """The same for xbatcher over xarray.open_zarr (fsspec HTTP), drawing
    shuffled samples in-process as DataLoader(num_workers=0) would."""
    import xarray as xr
    import xbatcher
    start = time.perf_counter()
    gen = xbatcher.BatchGenerator(xr.open_zarr(url)[[ARRAY]], input_dims=WINDOW, input_overlap=OVERLAP)
    order = np.random.default_rng(0).permutation(len(gen))

    def batch(k):
        return np.stack([gen[int(i)][ARRAY].values for i in order[k * BATCH:(k + 1) * BATCH]])
    batch(0)
    first = time.perf_counter() - start
    t0 = time.perf_counter()
    for k in range(1, batches):
        batch(k)
    return first, (batches - 1) * BATCH / (time.perf_counter() - t0)


def best_of(repeats: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gigabytes", type=float, default=0.5)
    parser.add_argument("--rtt-ms", default="0,20")
    parser.add_argument("--in-flight", default="1,4,16,64")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--markdown", type=pathlib.Path)
    parser.add_argument("--batches", type=int, default=100, help="geobatch batches per stream (xbatcher: 4)")
    args = parser.parse_args()
    rtts = [float(x) for x in args.rtt_ms.split(",")]
    in_flight = [int(x) for x in args.in_flight.split(",")]

    data = ROOT / ".data" / "bench"
    store = data / f"remote-zstd-{args.gigabytes:g}.zarr"
    info = make_datacube.write_cube(store, args.gigabytes, "zstd", sharded=False, verbose=False)
    nginx = NginxServer(data, workers=2)
    import geobatch
    os.environ["GEOBATCH_CACHE_BYTES"] = "0"
    local = geobatch.open_array(str(store), ARRAY)
    expected = local.read()
    gb = expected.nbytes / 1e9
    local_s, _ = best_of(args.repeats + 1, local.read)
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
        f"{datetime.date.today()}. Array: t2m {expected.shape} float32, chunks "
        f"{tuple(local.chunks)}, zstd, {gb:.2f} GB decoded, {info.get('stored_bytes', 0) / 1e9:.2f} GB stored. "
        f"netem available: {netem_available()} (delay added by the relay process otherwise).",
        "",
        f"geobatch from local disk (page cache warm): {gb / local_s:.2f} GB/s",
        "",
        "| RTT added | requests in flight | " + " | ".join(r.name + " GB/s" for r in READERS) + " |",
        "| --- | --- |" + " --- |" * len(READERS),
    ]
    first_reads, streams = {}, {}
    try:
        for rtt in rtts:
            relay = LatencyRelay(nginx.port, rtt) if rtt > 0 else None
            base = (relay.url() if relay else nginx.url) + "/" + store.name
            for n in in_flight:
                row = []
                for reader in READERS:
                    handle = reader.open(base, n)
                    reader.read_all(handle)  # warm: connections, pools
                    seconds, values = best_of(args.repeats, lambda: reader.read_all(handle))
                    assert np.array_equal(np.asarray(values), expected), f"{reader.name} read wrong values"
                    row.append(f"{gb / seconds:.2f}")
                    print(f"rtt {rtt:g} ms, {n} in flight, {reader.name}: {gb / seconds:.2f} GB/s", flush=True)
                lines.append(f"| {rtt:g} ms | {n} | " + " | ".join(row) + " |")
            for reader in READERS:
                start = time.perf_counter()
                reader.read_one(reader.open(base, max(in_flight)))
                first_reads[(rtt, reader.name)] = time.perf_counter() - start
            for name, stream, count in (("geobatch", geobatch_stream, args.batches),
                                        ("xbatcher", xbatcher_stream, 4)):
                streams[(rtt, name)] = stream(base, count)
                print(f"rtt {rtt:g} ms, {name} batch stream: first batch {streams[(rtt, name)][0]:.2f} s, "
                      f"{streams[(rtt, name)][1]:.0f} samples/s", flush=True)
            if relay:
                relay.close()
    finally:
        nginx.close()
    lines += ["", "Time to first read (open + one element, fresh connections):", "",
              "| RTT added | " + " | ".join(r.name for r in READERS) + " |",
              "| --- |" + " --- |" * len(READERS)]
    for rtt in rtts:
        lines.append(f"| {rtt:g} ms | " + " | ".join(f"{first_reads[(rtt, r.name)] * 1000:.0f} ms"
                                                   for r in READERS) + " |")
    lines += ["", f"Batch streams (shuffled {WINDOW} windows with overlap {OVERLAP}, {BATCH} per batch, t2m "
              f"only; geobatch {args.batches} batches, xbatcher 4; in-process, default settings):", "",
              "| RTT added | geobatch samples/s | xbatcher samples/s | ratio | geobatch first batch | "
              "xbatcher first batch |", "| --- | --- | --- | --- | --- | --- |"]
    for rtt in rtts:
        (g_first, g_rate), (x_first, x_rate) = streams[(rtt, "geobatch")], streams[(rtt, "xbatcher")]
        lines.append(f"| {rtt:g} ms | {g_rate:.0f} | {x_rate:.1f} | {g_rate / x_rate:.0f}x | {g_first:.2f} s | "
                     f"{x_first:.2f} s |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
