"""Side-by-side read benchmark: geobatch against zarr-python 3 (default codec
pipeline), zarr-python with the zarrs codec pipeline, and tensorstore, in one
run, on the same stores, next to the codec ceiling of each store.

    PYTHONPATH=python .venv/bin/python bench/bench_read.py [--gigabytes 1.0]
        [--repeats 3] [--codecs zstd,blosc-lz4,gzip,none,zstd-sharded]
        [--readers geobatch,zarr-python,zarrs,tensorstore] [--quick]
        [--markdown FILE] [--json FILE]

For every store (a reanalysis-like float32 datacube written by
make_datacube.py under .data/bench/) it measures

- read-all: the whole array into a new numpy array, and
- chunk-by-chunk: a loop reading every read-chunk (the inner chunk when
  sharded) on its own, each into a new numpy array,

as decoded GB/s (array bytes / seconds), best of --repeats. Before timing,
the store's files are read once (page cache warm) and every reader does one
untimed read-all (warm page cache, thread pools and codec contexts for
everyone). Repeats are interleaved over the readers so that drift in the
machine's state does not favour one of them. Opening the array is not
timed. The ceiling comes from build/release/bench/codec_ceiling (every
stored chunk decoded on one thread, times the hardware threads; run before
and after the readers, best of both); a whole-
array read cannot beat it, a chunk-by-chunk loop (one chunk at a time)
cannot beat its single-thread rate. The "read-all bound" column is the
stricter limit a whole-array read into a new array faces: decode, plus the
copy of each chunk into place, plus first touch of the fresh output pages,
on one thread, times the hardware threads (codec_ceiling measures it
too). geobatch's result is checked against zarr-python's (and the peers'
against it) once per store.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import pathlib
import platform
import subprocess
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "python"))

import make_datacube  # noqa: E402

ALL_CODECS = ["zstd", "blosc-lz4", "gzip", "none", "zstd-sharded"]
ALL_READERS = ["geobatch", "zarr-python", "zarrs", "tensorstore"]
CHUNKS = (24, 91, 180)
SHARD_CHUNKS = (4, 2, 2)


# --- readers --------------------------------------------------------------------
# Each reader: open(store_path) -> handle; read_all(handle) -> ndarray;
# read_region(handle, slices) -> ndarray.

class GeobatchReader:
    name = "geobatch"

    def open(self, path):
        import geobatch
        return geobatch.open_array(str(path), "t2m")

    def read_all(self, a):
        return a.read()

    def read_chunks(self, a, coords_list, regions):
        n = 0
        for coords in coords_list:
            n += a.read_chunk(coords).nbytes
        return n


class ZarrPythonReader:
    name = "zarr-python"
    pipeline = None  # zarr's default

    def open(self, path):
        import zarr
        config = {"codec_pipeline.path": self.pipeline} if self.pipeline else {}
        with zarr.config.set(config):
            a = zarr.open_array(store=str(path), path="t2m", mode="r")
        self.pipeline_used = type(a._async_array.codec_pipeline).__name__
        return a

    def read_all(self, a):
        return a[...]

    def read_chunks(self, a, coords_list, regions):
        n = 0
        for region in regions:
            n += a[region].nbytes
        return n


class ZarrsReader(ZarrPythonReader):
    name = "zarrs"
    pipeline = "zarrs.ZarrsCodecPipeline"


class TensorstoreReader:
    name = "tensorstore"

    def open(self, path):
        import tensorstore as ts
        cores = os.cpu_count() or 1
        context = ts.Context({
            "data_copy_concurrency": {"limit": cores},   # decode/copy threads: every core
            "file_io_concurrency": {"limit": 64},        # reads in flight
            "cache_pool": {"total_bytes_limit": 0},      # no chunk cache: every read decodes
        })
        spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path / "t2m") + "/"}}
        return ts.open(spec, context=context, read=True).result()

    def read_all(self, t):
        return t.read().result()

    def read_chunks(self, t, coords_list, regions):
        n = 0
        for region in regions:
            n += t[region].read().result().nbytes
        return n


READERS = {r.name: r for r in (GeobatchReader, ZarrPythonReader, ZarrsReader, TensorstoreReader)}


# --- helpers --------------------------------------------------------------------

def warm_page_cache(path: pathlib.Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                while block := fh.read(1 << 24):
                    total += len(block)
    return total


def chunk_grid(shape, chunks):
    grid = [-(-s // c) for s, c in zip(shape, chunks)]
    coords_list = list(np.ndindex(*grid))
    regions = [tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(coords, chunks, shape))
               for coords in coords_list]
    return coords_list, regions


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads."""
    import resource
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def timed(fn):
    """(wall seconds, CPU seconds, result) of fn()."""
    gc.collect()
    cpu = cpu_seconds()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, cpu_seconds() - cpu, result


def run_ceiling(binary: pathlib.Path, path: pathlib.Path, repeats: int):
    if not binary.exists():
        return None
    try:
        out = subprocess.run([str(binary), str(path), "--array", "t2m", "--json", "--repeats", str(repeats)],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError) as e:
        print(f"warning: codec_ceiling failed on {path}: {e}", file=sys.stderr)
        return None


def run_cli_scan(binary: pathlib.Path, path: pathlib.Path, repeats: int, chunks: bool):
    """geobatch's own C++ whole-array (or chunk) scan, no Python: MB/s, best of N."""
    if not binary.exists():
        return None
    best = 0.0
    for _ in range(repeats):
        args = [str(binary), "scan", str(path), "--array", "t2m"] + (["--chunks"] if chunks else [])
        try:
            out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"warning: geobatch scan failed on {path}: {e}", file=sys.stderr)
            return None
        line = [l for l in out.splitlines() if l.startswith("total")][-1]
        best = max(best, float(line.split("MB/s")[0].split()[-1]))
    return best / 1e3


def first_touch_seconds(nbytes: int, repeats: int = 3) -> float:
    """Time to allocate and first-touch a fresh numpy array of nbytes: a cost
    every reader pays on read-all (and the ceiling program does not)."""
    best = 1e300
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        a = np.empty(nbytes, dtype=np.uint8)
        a[::4096] = 0
        best = min(best, time.perf_counter() - start)
        del a
    return best


def versions() -> dict:
    out = {"python": platform.python_version()}
    from importlib import metadata
    for dist in ["numpy", "zarr", "numcodecs", "zarrs", "tensorstore"]:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    try:
        import geobatch
        out["geobatch"] = geobatch.__version__
    except Exception as e:  # noqa: BLE001
        out["geobatch"] = f"unavailable ({type(e).__name__})"
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        out["geobatch_commit"] = commit + ("+dirty" if dirty else "")
    except OSError:
        pass
    return out


def machine() -> dict:
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "platform": platform.platform()}


# --- the benchmark --------------------------------------------------------------

def bench_store(label, path, info, readers, repeats, ceiling_bin, cli_bin, log):
    shape = tuple(info["shape"])
    nbytes = int(np.prod(shape)) * 4
    coords_list, regions = chunk_grid(shape, CHUNKS)
    result = {"codec": label, "path": str(path), "ratio": info["ratio"], "shape": shape,
              "array_bytes": nbytes, "read_chunks": len(regions), "all": {}, "chunks": {},
              "checks": {}}
    warm_page_cache(path)

    # The ceiling is measured before and after the readers (machine speed
    # drifts on a shared host); each rate is the best of the two runs.
    log(f"  ceiling ...")
    ceiling_runs = [run_ceiling(ceiling_bin, path, max(1, repeats - 1))]

    handles, warm = {}, {}
    for name in readers:
        reader = READERS[name]()
        handle = reader.open(path)
        handles[name] = (reader, handle)
        if hasattr(reader, "pipeline_used"):
            result.setdefault("pipelines", {})[name] = reader.pipeline_used
        warm[name] = np.asarray(reader.read_all(handle))  # the warm-up read
    # Correctness, once per store: every reader's warm-up result against
    # zarr-python's.
    ref_name = "zarr-python" if "zarr-python" in warm else readers[0]
    reference = warm.pop(ref_name)
    result["checks"]["reference"] = ref_name
    for name in list(warm):
        data = warm.pop(name)
        result["checks"][name] = bool(data.shape == reference.shape and data.dtype == reference.dtype
                                      and np.array_equal(reference, data, equal_nan=True))
        del data
    # Spot-check chunk-by-chunk results too (first and last read-chunk).
    if "geobatch" in handles:
        reader, handle = handles["geobatch"]
        ok = all(np.array_equal(handle.read_chunk(coords_list[i]), reference[regions[i]], equal_nan=True)
                 for i in (0, len(regions) - 1))
        result["checks"]["geobatch_read_chunk"] = bool(ok)
    del reference
    gc.collect()

    for mode in ("all", "chunks"):
        best = {name: 1e300 for name in readers}
        best_cpu = {name: 1e300 for name in readers}
        for r in range(repeats):
            for name in readers:
                reader, handle = handles[name]
                if mode == "all":
                    seconds, cpu, data = timed(lambda: reader.read_all(handle))
                    del data
                else:
                    seconds, cpu, _ = timed(lambda: reader.read_chunks(handle, coords_list, regions))
                best[name] = min(best[name], seconds)
                best_cpu[name] = min(best_cpu[name], cpu)
        for name in readers:
            result[mode][name] = {"seconds": best[name], "gbs": nbytes / best[name] / 1e9,
                                  "cpu_seconds": best_cpu[name],
                                  "cpu_s_per_gb": best_cpu[name] / (nbytes / 1e9)}
        log("  " + mode + ": " + ", ".join(f"{n} {result[mode][n]['gbs']:.2f}" for n in readers) + " GB/s")
    # Diagnostic: geobatch reading the whole array into one reused numpy
    # array (the native read_into the package's read() wraps), i.e. without
    # first-touch page faults on a fresh output.
    if "geobatch" in handles:
        _, handle = handles["geobatch"]
        reused = np.empty(shape, dtype=np.float32)
        view = reused.reshape(-1).view(np.uint8)
        handle._native.read_into([0] * len(shape), list(shape), view)
        best = min(timed(lambda: handle._native.read_into([0] * len(shape), list(shape), view))[0]
                   for _ in range(repeats))
        result["geobatch_reused_output_gbs"] = nbytes / best / 1e9
        del reused, view
    result["cli_scan_gbs"] = run_cli_scan(cli_bin, path, repeats, chunks=False)
    log(f"  ceiling ...")
    ceiling_runs.append(run_ceiling(ceiling_bin, path, max(1, repeats - 1)))
    result["ceiling_runs"] = ceiling_runs
    result["ceiling"] = merge_ceilings([c for c in ceiling_runs if c])
    return result


def merge_ceilings(runs):
    """One ceiling from several runs: the best of each rate and time."""
    if not runs:
        return None
    merged = dict(runs[0])
    for run in runs[1:]:
        for key, value in run.items():
            if key.endswith("_gbs") or key.endswith("_gbs_1thread"):
                merged[key] = max(merged[key], value)
            elif key.endswith("_seconds"):
                merged[key] = min(merged[key], value)
    return merged


def fmt(x, digits=2):
    return "n/a" if x is None else f"{x:.{digits}f}"


def tables(results, readers) -> str:
    peers = [r for r in readers if r != "geobatch"]
    gb = "geobatch" in readers
    lines = []
    head = ["codec", "ratio", "ceiling GB/s (1 thread)", "read-all bound GB/s"]
    for r in readers:
        head.append(f"{r} all GB/s" + (" (% ceiling, % bound)" if r == "geobatch" else ""))
    for r in readers:
        head.append(f"{r} chunk GB/s" + (" (% 1-thread)" if r == "geobatch" else ""))
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for res in results:
        c = res["ceiling"]
        ceil = c["ceiling_gbs"] if c else None
        one = c["array_gbs_1thread"] if c else None
        bound = c.get("read_all_ceiling_gbs") if c else None
        row = [res["codec"], fmt(res["ratio"]), f"{fmt(ceil)} ({fmt(one)})", fmt(bound)]
        for r in readers:
            v = res["all"][r]["gbs"]
            row.append(f"{fmt(v)} ({100 * v / ceil:.0f}%, {100 * v / bound:.0f}%)"
                       if r == "geobatch" and ceil and bound else fmt(v))
        for r in readers:
            v = res["chunks"][r]["gbs"]
            row.append(f"{fmt(v)} ({100 * v / one:.0f}%)" if r == "geobatch" and one else fmt(v))
        lines.append("| " + " | ".join(row) + " |")
    if gb and peers:
        lines.append("")
        head = ["codec"] + [f"geobatch / {p} (all)" for p in peers] + [f"geobatch / {p} (chunks)" for p in peers]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for res in results:
            row = [res["codec"]]
            for mode in ("all", "chunks"):
                for p in peers:
                    row.append(f"{res[mode]['geobatch']['gbs'] / res[mode][p]['gbs']:.2f}x")
            lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    head = ["codec", "ceiling CPU s/GB"] + [f"{r} all CPU s/GB" for r in readers] + \
        [f"{r} chunk CPU s/GB" for r in readers]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for res in results:
        c = res["ceiling"]
        row = [res["codec"], fmt(1 / c["array_gbs_1thread"] if c else None)]
        row += [fmt(res[mode][r]["cpu_s_per_gb"]) for mode in ("all", "chunks") for r in readers]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    head = ["codec", "ceiling: measured on all threads GB/s", "geobatch all, reused output GB/s",
            "geobatch CLI scan (C++, no Python) GB/s", "correct (vs zarr-python)"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for res in results:
        c = res["ceiling"]
        checks = ", ".join(f"{k}: {'ok' if v else 'MISMATCH'}" for k, v in res["checks"].items()
                           if isinstance(v, bool))
        lines.append(f"| {res['codec']} | {fmt(c['measured_parallel_gbs'] if c else None)} | "
                     f"{fmt(res.get('geobatch_reused_output_gbs'))} | "
                     f"{fmt(res.get('cli_scan_gbs'))} | {checks} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=1.0, help="decoded size of each cube")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--codecs", default=",".join(ALL_CODECS))
    parser.add_argument("--readers", default=",".join(ALL_READERS))
    parser.add_argument("--quick", action="store_true", help="smoke test: 0.05 GB cubes, 1 repeat")
    parser.add_argument("--data-dir", type=pathlib.Path, default=ROOT / ".data" / "bench")
    parser.add_argument("--build-dir", type=pathlib.Path, default=ROOT / "build" / "release")
    parser.add_argument("--markdown", type=pathlib.Path, help="also write the tables here")
    parser.add_argument("--json", type=pathlib.Path, help="also write every number here")
    args = parser.parse_args()
    if args.quick:
        args.gigabytes, args.repeats = 0.05, 1
    codecs = [c for c in args.codecs.split(",") if c]
    readers = [r for r in args.readers.split(",") if r]
    for c in codecs:
        if c not in ALL_CODECS:
            parser.error(f"unknown codec {c}; choose from {ALL_CODECS}")
    for r in readers:
        if r not in READERS:
            parser.error(f"unknown reader {r}; choose from {ALL_READERS}")

    t0 = time.perf_counter()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    load = os.getloadavg()[0]
    if load > 0.5:
        log(f"warning: load average {load:.1f}: other processes are running; numbers will be noisy")
    ceiling_bin = args.build_dir / "bench" / "codec_ceiling"
    cli_bin = args.build_dir / "tools" / "geobatch"
    if not ceiling_bin.exists():
        log(f"warning: {ceiling_bin} missing (configure with -DGEOBATCH_BUILD_BENCH=ON); no ceilings")

    args.data_dir.mkdir(parents=True, exist_ok=True)
    stores = []
    for label in codecs:
        codec, sharded = label.removesuffix("-sharded"), label.endswith("-sharded")
        path = args.data_dir / f"t2m_{args.gigabytes:g}GB_{label}.zarr"
        info = make_datacube.write_cube(path, args.gigabytes, codec, sharded, CHUNKS, SHARD_CHUNKS,
                                        verbose=False)
        log(f"store {path.name}: {info['shape']} float32, {label}, ratio {info['ratio']:.2f}")
        stores.append((label, path, info))
    log(f"stores ready after {time.perf_counter() - t0:.0f} s")

    t_bench = time.perf_counter()
    results = []
    for label, path, info in stores:
        log(f"{label}:")
        results.append(bench_store(label, path, info, readers, args.repeats, ceiling_bin, cli_bin, log))
    nbytes = results[0]["array_bytes"] if results else 0
    touch = first_touch_seconds(nbytes) if nbytes else 0.0

    header = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(sys.executable, ROOT)] + sys.argv),
        "machine": machine(), "versions": versions(), "repeats": args.repeats,
        "gigabytes": args.gigabytes, "chunks": CHUNKS, "shard_chunks": SHARD_CHUNKS,
        "first_touch_seconds": touch, "load_average_at_start": load,
        "benchmark_seconds": time.perf_counter() - t_bench,
        "total_seconds": time.perf_counter() - t0,
    }
    text = tables(results, readers)
    notes = (f"\nfirst touch of a fresh {nbytes / 1e9:.2f} GB numpy array: {touch:.3f} s "
             f"({nbytes / touch / 1e9:.1f} GB/s) -- paid by every read-all, not by the ceiling\n"
             f"pipelines: {results[0].get('pipelines') if results else {}}\n"
             f"benchmark {header['benchmark_seconds']:.0f} s, total {header['total_seconds']:.0f} s")
    print(json.dumps({k: header[k] for k in ("date", "command", "machine", "versions")}, indent=1))
    print(text)
    print(notes)
    if args.markdown:
        args.markdown.write_text(text + "\n" + notes + "\n")
    if args.json:
        args.json.write_text(json.dumps({"header": header, "results": results}, indent=1, default=str))
    bad = [(r["codec"], k) for r in results for k, v in r["checks"].items() if v is False]
    if bad:
        print(f"MISMATCHES: {bad}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
