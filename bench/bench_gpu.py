"""GPU benchmark (run on a GPU machine by scripts/gpu_run.sh): the same
datacube delivered to the GPU by

  geobatch      BatchGenerator -> pinned ring -> to_device (transforms on the GPU)
  geobatch-gpu  DeviceReader: chunks decoded on the GPU (nvCOMP), windows gathered there
  xbatcher      xbatcher.BatchGenerator + torch DataLoader(workers) + .cuda()
  zarr-gpu      zarr-python with GPU buffers (zarr.config.enable_gpu()), where CuPy allows

each feeding a small conv training step (step time, loader share, samples/s);
plus host-to-device throughput against the link's peak (pinned cudaMemcpy)
and GPU vs CPU decode throughput per codec. Writes results.json and prints a
table.

    python bench/bench_gpu.py [--out DIR] [--steps N] [--batch N]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import geobatch
import geobatch.gpu as gbgpu

T, Y, X, WINDOW = 256, 181, 360, 64  # hourly steps on a 1 degree grid


def write_cube(root: Path, codec: str) -> Path:
    import numcodecs
    import zarr

    path = root / f"cube-{codec}.zarr"
    if path.exists():
        return path
    compressors = {
        "zstd": [zarr.codecs.ZstdCodec(level=3)],
        "gzip": [zarr.codecs.GzipCodec(level=5)],
        "lz4": [numcodecs.LZ4()],
        "blosc": [zarr.codecs.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")],
        "none": None,
    }[codec]
    fmt = 2 if codec == "lz4" else 3
    rng = np.random.default_rng(0)
    base = (280 + 20 * np.cos(np.linspace(0, np.pi, Y))[:, None] + rng.standard_normal((Y, X))).astype(np.float32)
    array = zarr.create_array(store=str(path), name="t2m", shape=(T, Y, X), chunks=(24, 64, 64), dtype="float32",
                              compressors=compressors, zarr_format=fmt,
                              dimension_names=("time", "lat", "lon") if fmt == 3 else None)
    for t in range(0, T, 24):
        array[t:t + 24] = base + rng.standard_normal((min(24, T - t), Y, X)).astype(np.float32) * 0.5
    if fmt == 2:
        array.attrs["_ARRAY_DIMENSIONS"] = ["time", "lat", "lon"]
    zarr.consolidate_metadata(str(path))
    return path


class SmallConv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(),
                                       torch.nn.Conv2d(32, 32, 3, padding=1), torch.nn.ReLU(),
                                       torch.nn.Conv2d(32, 1, 3, padding=1))

    def forward(self, x):
        return self.net(x)


def train(batches, steps: int, batch: int) -> dict:
    """Runs `steps` training steps on batches (each (B, H, W) on the GPU);
    loader share = time waiting for the next batch / total."""
    model = SmallConv().cuda()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    it = iter(batches)
    wait = 0.0
    torch.cuda.synchronize()
    start = time.perf_counter()
    done = 0
    for _ in range(steps):
        t0 = time.perf_counter()
        try:
            x = next(it)
        except StopIteration:
            break
        wait += time.perf_counter() - t0
        x = x.float().unsqueeze(1)
        loss = torch.nn.functional.mse_loss(model(x), x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        done += 1
    torch.cuda.synchronize()
    total = time.perf_counter() - start
    return {"steps": done, "step_ms": 1e3 * total / max(done, 1), "loader_share": wait / total,
            "samples_per_s": done * batch / total}


def geobatch_batches(path: Path, batch: int):
    ds = geobatch.open_dataset(str(path))
    allocator = gbgpu.PinnedAllocator(slots=8)
    gen = geobatch.BatchGenerator(ds, input_dims={"lat": WINDOW, "lon": WINDOW}, batch_size=batch, shuffle=True,
                                  allocator=allocator, prefetch=4, threads=2)
    while True:
        for b in gen:
            yield torch.from_dlpack(gbgpu.to_device(b["t2m"], allocator=allocator, normalize=(285.0, 0.1),
                                                    valid_rows=b.size))


def geobatch_gpu_decode_batches(path: Path, batch: int):
    ds = geobatch.open_dataset(str(path))
    var = ds["t2m"]
    reader = gbgpu.DeviceReader(decode="auto")
    rng = np.random.default_rng(0)
    while True:
        origins = np.stack([rng.integers(0, T, batch), rng.integers(0, Y - WINDOW + 1, batch),
                            rng.integers(0, X - WINDOW + 1, batch)], axis=1)
        yield torch.from_dlpack(reader.read(var, origins, [1, WINDOW, WINDOW])).reshape(batch, WINDOW, WINDOW)


def xbatcher_batches(path: Path, batch: int, workers: int):
    import xarray as xr
    import xbatcher

    ds = xr.open_zarr(str(path))
    gen = xbatcher.BatchGenerator(ds["t2m"], input_dims={"lat": WINDOW, "lon": WINDOW}, batch_dims={"time": 1})

    class Samples(torch.utils.data.Dataset):
        def __len__(self):
            return len(gen)

        def __getitem__(self, i):
            return torch.from_numpy(np.asarray(gen[i].values, np.float32).reshape(-1, WINDOW, WINDOW)[0])

    loader = torch.utils.data.DataLoader(Samples(), batch_size=batch, shuffle=True, num_workers=workers,
                                         pin_memory=True, persistent_workers=workers > 0)
    while True:
        for x in loader:
            yield x.cuda(non_blocking=True)


def zarr_gpu_batches(path: Path, batch: int):
    import zarr

    zarr.config.enable_gpu()
    array = zarr.open_array(str(path), path="t2m" if (path / "t2m").exists() else None, mode="r")
    rng = np.random.default_rng(0)
    while True:
        t = int(rng.integers(0, T))
        y, x = int(rng.integers(0, Y - WINDOW + 1)), int(rng.integers(0, X - WINDOW + 1))
        out = [torch.as_tensor(array[t, y:y + WINDOW, x:x + WINDOW], device="cuda") for _ in range(batch)]
        yield torch.stack(out)


def h2d_bandwidth() -> dict:
    """Pinned host-to-device copies: the link's peak (torch's cudaMemcpyAsync)
    and geobatch's to_device of the same bytes."""
    nbytes = 256 << 20
    host = torch.empty(nbytes, dtype=torch.uint8).pin_memory()
    dev = torch.empty(nbytes, dtype=torch.uint8, device="cuda")
    for _ in range(3):
        dev.copy_(host, non_blocking=True)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(10):
        dev.copy_(host, non_blocking=True)
    torch.cuda.synchronize()
    peak = 10 * nbytes / (time.perf_counter() - t0) / 1e9
    allocator = gbgpu.PinnedAllocator(slots=3)
    staged = allocator((nbytes,), np.uint8)
    staged[...] = 1
    gbgpu.to_device(staged, allocator=allocator).synchronize()
    t0 = time.perf_counter()
    for _ in range(10):
        out = gbgpu.to_device(staged, allocator=allocator)
    out.synchronize()
    ours = 10 * nbytes / (time.perf_counter() - t0) / 1e9
    return {"peak_GBps": peak, "geobatch_GBps": ours, "fraction_of_peak": ours / peak}


def decode_throughput(root: Path, codec: str, batch: int) -> dict:
    """Decoded MB/s of whole-chunk windows read into GPU memory, decoded on
    the GPU (nvCOMP) vs on the CPU (then copied)."""
    path = write_cube(root, codec)
    array = geobatch.open_array(str(path), "t2m")
    origins = np.array([[t, y, x] for t in range(0, T, 24) for y in range(0, Y - 64 + 1, 64)
                        for x in range(0, X - 64 + 1, 64)], dtype=np.int64)[:batch * 4]
    extent = [24, 64, 64]
    nbytes = len(origins) * 24 * 64 * 64 * 4
    out = {}
    for decode in ("gpu", "cpu"):
        try:
            reader = gbgpu.DeviceReader(decode=decode, cache=geobatch.ChunkCache(1))
            reader.read(array, origins[:1], extent).synchronize()
        except geobatch.UnsupportedError as e:
            out[decode] = f"n/a ({e})"
            continue
        t0 = time.perf_counter()
        for _ in range(3):
            reader.read(array, origins, extent).synchronize()
        out[decode] = 3 * nbytes / (time.perf_counter() - t0) / 1e6
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="build/gpu-bench")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--workers", type=int, default=min(16, os.cpu_count() or 1))
    args = parser.parse_args()
    gbgpu.device_index("cuda")  # a clear error first without a GPU
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="geobatch-gpu-bench-"))
    cube = write_cube(root, "zstd")
    results = {"device": torch.cuda.get_device_name(0), "cube": f"{T}x{Y}x{X} float32 zstd, chunks 24x64x64",
               "window": WINDOW, "batch": args.batch, "nvcomp": gbgpu.nvcomp_error() or "loaded",
               "training": {}, "h2d": h2d_bandwidth(), "decode_MBps": {}}
    loaders = {
        "geobatch": lambda: geobatch_batches(cube, args.batch),
        "geobatch-gpu-decode": lambda: geobatch_gpu_decode_batches(cube, args.batch),
        "xbatcher+DataLoader": lambda: xbatcher_batches(cube, args.batch, args.workers),
        "zarr-gpu": lambda: zarr_gpu_batches(cube, args.batch),
    }
    for name, make in loaders.items():
        try:
            results["training"][name] = train(make(), args.steps, args.batch)
        except Exception as e:  # a peer missing on this machine is reported, not fatal
            results["training"][name] = f"failed: {type(e).__name__}: {e}"
    for codec in ("zstd", "gzip", "lz4", "none", "blosc"):
        results["decode_MBps"][codec] = decode_throughput(root, codec, args.batch)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
