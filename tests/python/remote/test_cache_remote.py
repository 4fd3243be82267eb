"""The caches: a second epoch over the same data does not touch the network,
from memory within a process and from the cache directory across processes;
the cache directory stays within its byte budget."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np

import geobatch
from conftest import Data
from test_helpers import assert_same

REPO = Path(__file__).resolve().parents[3]
CLI = Path(os.environ.get("GEOBATCH_CLI", REPO / "build" / "release" / "tools" / "geobatch"))


def test_second_epoch_from_memory(nginx, data: Data, private_cache):
    for array in ("t2m", "sharded"):
        geobatch.open_array(nginx.url + "/cube.zarr", array)[...]
    before = len(nginx.requests())
    assert_same(geobatch.open_array(nginx.url + "/cube.zarr", "t2m")[...], data.t2m)
    assert_same(geobatch.open_array(nginx.url + "/cube.zarr", "sharded")[...], data.sharded)
    assert len(nginx.requests()) == before


def test_second_epoch_from_disk_in_another_process(nginx, tmp_path):
    env = dict(os.environ, GEOBATCH_CACHE_DIR=str(tmp_path / "cache"))

    def scan():
        done = subprocess.run([str(CLI), "scan", nginx.url + "/cube.zarr"], env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = scan()
    before = len(nginx.requests())
    second = scan()
    assert len(nginx.requests()) == before
    sizes = lambda text: [line.split()[:3] for line in text.splitlines()]  # array, MB, "MB"
    assert sizes(first) == sizes(second)


def test_cache_directory_stays_within_its_budget(nginx, data: Data, tmp_path):
    # Every read runs in a process of its own, whose exit finishes the cache's writes.
    def cli(cache: Path, budget: int | None, *args: str) -> None:
        env = dict(os.environ, GEOBATCH_CACHE_DIR=str(cache))
        if budget is not None:
            env["GEOBATCH_CACHE_DIR_BYTES"] = str(budget)
        done = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr

    def held(cache: Path) -> int:
        return sum(f.stat().st_size for f in cache.rglob("*") if f.is_file())

    cli(tmp_path / "all", None, "scan", nginx.url + "/cube.zarr")
    budget = held(tmp_path / "all") // 3
    small = tmp_path / "small"
    for round in range(3):  # later rounds meet a full cache: some hits, the rest fetched and evicting
        out = tmp_path / f"t2m{round}.npy"
        cli(small, budget, "read", nginx.url + "/cube.zarr", "--array", "t2m", "--out", str(out))
        assert_same(np.load(out), data.t2m)
        assert 0 < held(small) <= budget
