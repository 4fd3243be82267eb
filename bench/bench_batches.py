"""Training batches from an ERA5-like cube into a PyTorch DataLoader:
geobatch against xbatcher, side by side in one run.

The cube: hourly t2m, u10, v10 (float32) on a 0.5 degree grid (361 x 720),
zstd chunks of 24 x 91 x 180, a few GB decoded (written once, reused).
The task: windows of 3 time steps x 48 x 48 with overlap, 32 samples per
batch, shuffled, with 0 and 2 DataLoader workers.

- geobatch: ``geobatch.BatchGenerator(open_dataset(cube), batch_size=32,
  shuffle=True)`` in ``geobatch.torch.BatchDataset``,
  ``DataLoader(batch_size=None)``; workers started by a (pre-started)
  forkserver.
- xbatcher: ``xbatcher.BatchGenerator(xr.open_zarr(cube), input_dims=...)``
  in ``xbatcher.loaders.torch.MapDataset``, ``DataLoader(batch_size=32,
  shuffle=True)``, the usual way to feed xbatcher to PyTorch.

- PyTorch IPC alone: a DataLoader with 2 workers whose dataset yields
  freshly written tensors of a batch's shape and reads nothing — the most
  any loader run in DataLoader workers can deliver here, as every batch
  crosses to the main process through PyTorch's shared-memory pickling.

Each configuration runs in a fresh process. Reported: samples/s after the
first batch, decoded MB/s (chunk bytes decompressed per second: counted by
geobatch's chunk cache; for xbatcher, every chunk each sample's window
touches, which dask decodes per sample), delivered MB/s (sample bytes:
decoded data handed to the training loop; overlapping windows count each
time), both also as a fraction of the codec ceiling,
time to first batch (from opening the store), peak RSS of the main process
and of each worker. The codec ceiling (single-thread decode rate of the
cube's chunks x cores) comes from build/release/bench/codec_ceiling, run
before and after the loaders; the highest measured counts. As the VM's
speed drifts, the in-process geobatch loader also runs --paired-repeats
more times, each right after a ceiling measurement of its own, and its
delivered / ceiling ratio is reported for each such pair.

A second comparison, against insitubatch (PyPI), runs insitubatch's own kind
of task, which windows are not: shuffled batches of 32 whole fields (every
variable's 361 x 720 grid at one time step per sample), geobatch with
``input_dims={"latitude": 361, "longitude": 720}``. insitubatch needs
Python >= 3.12, so it runs in its own virtualenv (.venv-insitubatch, made
on first use from --insitubatch-python, by default a python3.12+ found on
the machine) through bench/insitubatch_stream.py; skipped when there is none.

    .venv/bin/python bench/bench_batches.py [--cube PATH] [--hours 1008]
        [--batches 150] [--xbatcher-batches 12] [--field-batches 31] [--field-repeats 3] [--paired-repeats 3]
        [--insitubatch-python PYTHON]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import pathlib
import platform
import resource
import subprocess
import sys
import time
import warnings

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "python"))

import torch  # noqa: E402

import geobatch  # noqa: E402
from geobatch.torch import BatchDataset  # noqa: E402

VARIABLES = ("t2m", "u10", "v10")
CHUNKS = (24, 91, 180)
WINDOW = {"time": 3, "latitude": 48, "longitude": 48}
OVERLAP = {"time": 1, "latitude": 16, "longitude": 16}
BATCH = 32
IPC_PEER = "PyTorch IPC alone (nothing read)"


# ---------------------------------------------------------------- the cube
def write_cube(path: pathlib.Path, hours: int) -> None:
    """Three variables of make_datacube's realistic values (wind from other
    stretches of its series), reused when already written."""
    import zarr
    import zarr.codecs as zc

    from make_datacube import grid, t2m_hours

    stamp = path / "bench_batches.json"
    params = {"hours": hours, "chunks": list(CHUNKS), "variables": list(VARIABLES), "version": 1}
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return
    root = zarr.open_group(str(path), mode="w", zarr_format=3)
    lat, lon = grid()
    for name, values, attrs in (("latitude", lat, {"units": "degrees_north"}),
                                ("longitude", lon, {"units": "degrees_east"}),
                                ("time", np.arange(hours, dtype=np.int64), {"units": "hours since 2020-01-01"})):
        root.create_array(name, shape=values.shape, dtype=values.dtype, chunks=values.shape,
                          dimension_names=[name], attributes=attrs)[:] = values
    arrays = {name: root.create_array(name, shape=(hours, len(lat), len(lon)), dtype="float32", chunks=CHUNKS,
                                      compressors=[zc.ZstdCodec(level=3)], fill_value=float("nan"),
                                      dimension_names=["time", "latitude", "longitude"])
              for name in VARIABLES}
    for start in range(0, hours, 96):
        stop = min(hours, start + 96)
        arrays["t2m"][start:stop] = t2m_hours(start, stop)
        arrays["u10"][start:stop] = t2m_hours(start + 20_000, stop + 20_000) - 280.0
        arrays["v10"][start:stop] = t2m_hours(start + 40_000, stop + 40_000) - 280.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.consolidate_metadata(str(path))
    stamp.write_text(json.dumps(params))


def codec_ceiling(path: pathlib.Path) -> dict:
    program = HERE.parent / "build" / "release" / "bench" / "codec_ceiling"
    result = subprocess.run([str(program), str(path), "--array", "t2m", "--json", "--repeats", "5"],
                            capture_output=True, text=True, check=True)
    info = json.loads(result.stdout)
    info["ceiling_decoded_mbs"] = info["decoded_gbs_1thread"] * info["threads"] * 1e3
    return info


def best_ceiling(measures: list[dict]) -> dict:
    """The highest of ceilings measured before and after the loaders: this
    VM's speed drifts, and the ceiling is what the codec can do at best."""
    best = max(measures, key=lambda m: m["ceiling_decoded_mbs"])
    return {**best, "measured_parallel_gbs": max(m["measured_parallel_gbs"] for m in measures)}


# ---------------------------------------------------------------- loaders
class WithStats(BatchDataset):
    """geobatch's dataset, adding (worker id, chunks decoded so far) to each batch."""

    def __iter__(self):
        for batch in super().__iter__():
            info = torch.utils.data.get_worker_info()
            batch["stats"] = (info.id if info else 0, self.generator.cache.stats()["misses"])
            yield batch


def _geobatch_loader(cube: str, workers: int):
    ds = geobatch.open_dataset(cube)
    gen = geobatch.BatchGenerator(ds[list(VARIABLES)], WINDOW, OVERLAP, batch_size=BATCH, shuffle=True, seed=0,
                                  cache_bytes=1 << 30)
    context = multiprocessing.get_context("forkserver") if workers else None
    return torch.utils.data.DataLoader(WithStats(gen), batch_size=None, num_workers=workers,
                                       multiprocessing_context=context)


class BatchShapedTensors(torch.utils.data.IterableDataset):
    """Freshly written tensors of one batch's shape, nothing read: what is
    left is PyTorch moving each batch from a worker to the main process, the
    bound of any loader run in DataLoader workers."""

    def __iter__(self):
        while True:
            yield {name: torch.from_numpy(np.ones((BATCH, *WINDOW.values()), np.float32)) for name in VARIABLES}


def _ipc_loader(cube: str, workers: int):
    return torch.utils.data.DataLoader(BatchShapedTensors(), batch_size=None, num_workers=workers,
                                       multiprocessing_context=multiprocessing.get_context("forkserver"))


def _xbatcher_loader(cube: str, workers: int):
    import xarray as xr
    import xbatcher
    from xbatcher.loaders.torch import MapDataset

    ds = xr.open_zarr(cube)[list(VARIABLES)]
    gen = xbatcher.BatchGenerator(ds, input_dims=WINDOW, input_overlap=OVERLAP)
    loader = torch.utils.data.DataLoader(MapDataset(gen, transform=_variables_tensor), batch_size=BATCH, shuffle=True, num_workers=workers,
                                         generator=torch.Generator().manual_seed(0))
    return loader


def _variables_tensor(sample) -> torch.Tensor:
    """One xbatcher sample (a Dataset of the three variables) as a tensor
    (variable, time, latitude, longitude); xbatcher's default handles one variable."""
    return torch.from_numpy(sample.to_array().values)


def _mean_chunks_touched(sizes: tuple[int, ...]) -> float:
    """Chunks of one variable a window overlaps, averaged over all windows
    (shuffled samples are drawn uniformly among them)."""
    mean = 1.0
    for size, chunk, dim in zip(sizes, CHUNKS, ("time", "latitude", "longitude")):
        stride = WINDOW[dim] - OVERLAP[dim]
        starts = np.arange((size - OVERLAP[dim]) // stride) * stride
        mean *= np.mean((starts + WINDOW[dim] - 1) // chunk - starts // chunk + 1)
    return mean


def run_field(cube: str, batches: int) -> dict:
    """geobatch on insitubatch's task: shuffled batches of whole fields."""
    start = time.perf_counter()
    gen = geobatch.BatchGenerator(geobatch.open_dataset(cube)[list(VARIABLES)],
                                  {"latitude": 361, "longitude": 720}, batch_size=BATCH, shuffle=True, seed=0)
    it = iter(gen)
    first = next(it)
    first_batch_s = time.perf_counter() - start
    t0, samples = time.perf_counter(), 0
    for _ in range(min(batches, len(gen)) - 1):
        samples += len(next(it)["t2m"])
    elapsed = time.perf_counter() - t0
    return {"peer": "geobatch", "samples": samples, "seconds": elapsed, "samples_per_s": samples / elapsed,
            "first_batch_s": first_batch_s, "batch_shape": list(first["t2m"].shape),
            "main_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def insitubatch_python(requested: str | None) -> pathlib.Path | None:
    """The python of .venv-insitubatch, made (and insitubatch installed) on
    first use from a Python >= 3.12; None when there is no such Python."""
    venv = HERE.parent / ".venv-insitubatch"
    python = venv / "bin" / "python"
    if python.exists():
        return python
    candidates = [requested] if requested else sorted(
        str(p) for p in pathlib.Path("/root/.pyenv/versions").glob("3.1[2-9]*/bin/python"))
    candidates += [] if requested else ["python3.13", "python3.12"]
    for base in candidates:
        try:
            subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            continue
        subprocess.run([str(python), "-m", "pip", "install", "-q", "insitubatch==0.2.0"], check=True)
        return python
    return None


def _peak_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))


def run(peer: str, cube: str, workers: int, batches: int) -> dict:
    start = time.perf_counter()
    loader = {"geobatch": _geobatch_loader, "xbatcher": _xbatcher_loader, IPC_PEER: _ipc_loader}[peer](cube, workers)
    it = iter(loader)
    first = next(it)
    first_batch_s = time.perf_counter() - start
    counted = {}
    decoded_at_first = 0
    if peer == "geobatch":
        wid, misses = first["stats"]
        counted[wid] = misses
        decoded_at_first = sum(counted.values())
    t0 = time.perf_counter()
    samples = 0
    for _ in range(batches - 1):
        batch = next(it)
        if peer == "xbatcher":
            samples += len(batch)
        else:
            samples += len(batch["t2m"])
        if peer == "geobatch":
            wid, misses = batch["stats"]
            counted[wid] = max(counted.get(wid, 0), misses)
    elapsed = time.perf_counter() - t0
    worker_rss = [_peak_rss_kb(w.pid) for w in getattr(it, "_workers", [])]
    chunk_bytes = math.prod(CHUNKS) * 4
    if peer == "geobatch":
        decoded = (sum(counted.values()) - decoded_at_first) * chunk_bytes
    elif peer == IPC_PEER:
        decoded = 0
    else:
        # dask decodes every chunk a sample's window touches, per variable, for every sample.
        sizes = tuple(geobatch.open_dataset(cube)["t2m"].shape)
        decoded = samples * _mean_chunks_touched(sizes) * len(VARIABLES) * chunk_bytes
    sample_bytes = len(VARIABLES) * math.prod(WINDOW.values()) * 4
    del it
    return {"peer": peer, "workers": workers, "batches": batches, "samples": samples, "seconds": elapsed,
            "samples_per_s": samples / elapsed, "decoded_mbs": decoded / elapsed / 1e6,
            "delivered_mbs": samples * sample_bytes / elapsed / 1e6, "first_batch_s": first_batch_s,
            "main_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_rss_mb": [r / 1024 for r in worker_rss]}


# ---------------------------------------------------------------- report
def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, Python {platform.python_version()}"


def table(results: list[dict], ceiling: dict) -> str:
    lines = ["| loader | workers | samples/s | decoded MB/s | of codec ceiling | delivered MB/s | "
             "delivered / codec ceiling | first batch (s) | peak RSS main / worker (MB) |",
             "|---|---|---|---|---|---|---|---|---|"]
    top = ceiling["ceiling_decoded_mbs"]
    for r in results:
        workers = "/".join(f"{m:.0f}" for m in r["worker_rss_mb"]) or "-"
        lines.append(f"| {r['peer']} | {r['workers']} | {r['samples_per_s']:.0f} | {r['decoded_mbs']:.0f} | "
                     f"{r['decoded_mbs'] / top:.0%} | {r['delivered_mbs']:.0f} | {r['delivered_mbs'] / top:.0%} | "
                     f"{r['first_batch_s']:.2f} | {r['main_rss_mb']:.0f} / {workers} |")
    return "\n".join(lines)


def field_comparison(args, env: dict) -> str:
    """geobatch vs insitubatch on whole-field batches, as a markdown table:
    --field-repeats runs of each, alternating (this VM's speed drifts), and
    the median run of each in the table."""
    python = insitubatch_python(args.insitubatch_python)
    commands = {"geobatch": ([sys.executable, __file__, "--cube", str(args.cube), "--field-batches",
                              str(args.field_batches), "--run", "geobatch-field", "0"], env)}
    if python is None:
        note = "insitubatch: not run (no Python >= 3.12 on this machine)"
    else:
        commands["insitubatch"] = ([str(python), str(HERE / "insitubatch_stream.py"), str(args.cube),
                                    str(args.field_batches), ",".join(VARIABLES)], None)
        note = f"insitubatch 0.2.0 under {python}"
    runs = {peer: [] for peer in commands}
    for _ in range(args.field_repeats):
        for peer, (command, environment) in commands.items():
            out = subprocess.run(command, capture_output=True, text=True, env=environment)
            if out.returncode:
                sys.exit(out.stderr)
            runs[peer].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[peer][-1]), file=sys.stderr)
    results = [sorted(r, key=lambda x: x["samples_per_s"])[len(r) // 2] for r in runs.values()]
    sample_mb = len(VARIABLES) * 361 * 720 * 4 / 1e6
    lines = [f"whole-field batches ({BATCH} x {len(VARIABLES)} x 361 x 720, shuffled, {args.field_batches} batches; "
             f"{note}; median of {args.field_repeats} alternating runs each):", "",
             "| loader | samples/s | delivered MB/s | first batch (s) | peak RSS (MB) | samples/s of every run |",
             "|---|---|---|---|---|---|"]
    for r, peer_runs in zip(results, runs.values()):
        every = ", ".join(f"{x['samples_per_s']:.0f}" for x in peer_runs)
        lines.append(f"| {r['peer']} | {r['samples_per_s']:.0f} | {r['samples_per_s'] * sample_mb:.0f} | "
                     f"{r['first_batch_s']:.2f} | {r['main_rss_mb']:.0f} | {every} |")
    if len(results) == 2:
        lines.append(f"\ngeobatch / insitubatch (median samples/s): "
                     f"{results[0]['samples_per_s'] / results[1]['samples_per_s']:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cube", type=pathlib.Path, default=pathlib.Path(".data/bench_batches.zarr"))
    parser.add_argument("--hours", type=int, default=1008, help="time steps (3.1 MB decoded per hour)")
    parser.add_argument("--batches", type=int, default=150, help="batches per geobatch run")
    parser.add_argument("--xbatcher-batches", type=int, default=12, help="batches per xbatcher run")
    parser.add_argument("--field-batches", type=int, default=31,
                        help="batches per full-field run (at most one epoch: hours / 32)")
    parser.add_argument("--field-repeats", type=int, default=3,
                        help="alternating runs of each loader in the full-field comparison")
    parser.add_argument("--paired-repeats", type=int, default=3,
                        help="in-process geobatch runs, each right after a ceiling measurement of its own")
    parser.add_argument("--insitubatch-python", help="a Python >= 3.12 for insitubatch's virtualenv")
    parser.add_argument("--run", nargs=2, metavar=("PEER", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        peer, workers = args.run[0], int(args.run[1])
        if peer in ("geobatch", IPC_PEER) and workers:
            # The forkserver started (torch imported) before timing, as in a training script after its first epoch.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["torch", "geobatch.torch"])
            ready = context.Process(target=time.sleep, args=(0,))
            ready.start()
            ready.join()
        if peer == "geobatch-field":
            print(json.dumps(run_field(str(args.cube), args.field_batches)))
            return
        batches = args.xbatcher_batches if peer == "xbatcher" else args.batches
        print(json.dumps(run(peer, str(args.cube), workers, batches)))
        return
    write_cube(args.cube, args.hours)
    ceilings = [codec_ceiling(args.cube)]
    results = []
    # The forkserver imports its preloaded modules from PYTHONPATH (not from sys.path).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent / "python"), os.environ.get("PYTHONPATH", "")])}

    def run_loader(peer: str, workers: int) -> dict:
        out = subprocess.run([sys.executable, __file__, "--cube", str(args.cube), "--batches", str(args.batches),
                              "--xbatcher-batches", str(args.xbatcher_batches), "--run", peer, str(workers)],
                             capture_output=True, text=True, env=env)
        if out.returncode:
            sys.exit(out.stderr)
        print(out.stdout.strip().splitlines()[-1], file=sys.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])

    for peer in ("geobatch", "xbatcher"):
        for workers in (0, 2):
            results.append(run_loader(peer, workers))
    results.append(run_loader(IPC_PEER, 2))
    # This VM's speed drifts within minutes: the in-process loader again, each
    # run right after a ceiling measurement of its own, for ratios of neighbours.
    paired = []
    for _ in range(args.paired_repeats):
        measured = codec_ceiling(args.cube)
        ceilings.append(measured)
        loader = run_loader("geobatch", 0)
        paired.append(loader["delivered_mbs"] / measured["ceiling_decoded_mbs"])
    field = field_comparison(args, env)
    ceiling = best_ceiling(ceilings + [codec_ceiling(args.cube)])
    speedup = {w: next(r for r in results if r["peer"] == "geobatch" and r["workers"] == w)["samples_per_s"]
               / next(r for r in results if r["peer"] == "xbatcher" and r["workers"] == w)["samples_per_s"]
               for w in (0, 2)}
    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"cube: {args.hours} h x 361 x 720 x {len(VARIABLES)} float32 "
          f"({args.hours * 361 * 720 * 4 * len(VARIABLES) / 1e9:.2f} GB decoded), zstd chunks {CHUNKS}")
    print(f"codec ceiling (t2m): {ceiling['decoded_gbs_1thread'] * 1e3:.0f} MB/s on 1 thread x {ceiling['threads']} "
          f"= {ceiling['ceiling_decoded_mbs']:.0f} MB/s; measured with {ceiling['threads']} threads "
          f"{ceiling['measured_parallel_gbs'] * 1e3:.0f} MB/s")
    print(table(results, ceiling))
    if paired:
        print(f"geobatch in-process, {len(paired)} more runs each right after its own ceiling measurement: "
              f"delivered / codec ceiling {', '.join(f'{r:.0%}' for r in paired)} "
              f"(median {sorted(paired)[len(paired) // 2]:.0%})")
    best = {peer: max((r for r in results if r["peer"] == peer), key=lambda r: r["samples_per_s"])
            for peer in ("geobatch", "xbatcher")}
    print(field)
    print(f"speedup (samples/s): {speedup[0]:.0f}x with 0 workers, {speedup[2]:.0f}x with 2 workers; "
          f"best against best: {best['geobatch']['samples_per_s'] / best['xbatcher']['samples_per_s']:.0f}x "
          f"(geobatch with {best['geobatch']['workers']} workers, xbatcher with {best['xbatcher']['workers']})")


if __name__ == "__main__":
    main()
