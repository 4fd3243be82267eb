"""Fixtures of the remote-store tests: real servers on 127.0.0.1 (nginx,
moto in server mode, the fault-injecting proxy) serving Zarr data written by
zarr-python, and the expected arrays as zarr-python reads them locally.

Every test runs with a clean remote configuration: no AWS variables or
files from the machine, caching off unless the test turns it on, quick
retries."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import zarr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fault_proxy import FaultProxy  # noqa: E402
from servers import MotoServer, NginxServer  # noqa: E402

# Children of the group whose listing takes more than one ListObjectsV2 page.
MANY_CHILDREN = 1005


@dataclass
class Data:
    www: Path                      # the directory nginx serves
    t2m: np.ndarray                # cube.zarr/t2m, missing chunks as NaN
    sharded: np.ndarray            # cube.zarr/sharded
    tree_arrays: dict              # tree.zarr (v2, not consolidated): path -> array


def _write_cube(root: Path) -> tuple[np.ndarray, np.ndarray]:
    group = zarr.open_group(str(root), mode="w", zarr_format=3)
    group.attrs["title"] = "remote test cube"
    rng = np.random.default_rng(7)
    t2m = group.create_array("t2m", shape=(24, 60, 90), chunks=(6, 30, 45), dtype="float32",
                             fill_value=float("nan"), dimension_names=("time", "lat", "lon"),
                             compressors=zarr.codecs.ZstdCodec(level=3))
    values = (rng.standard_normal((24, 60, 90)) * 10 + 280).astype("float32")
    t2m[:18] = values[:18]  # the last time chunk is never written: it reads as the fill value
    sharded = group.create_array("sharded", shape=(32, 64), chunks=(4, 8), shards=(16, 32), dtype="int16",
                                 dimension_names=("y", "x"),
                                 fill_value=-1, compressors=zarr.codecs.ZstdCodec(level=1))
    sharded[:] = rng.integers(-1000, 1000, (32, 64), dtype="int16")
    sharded[16:, 32:] = -1  # an empty shard
    zarr.consolidate_metadata(str(root))
    g = zarr.open_group(str(root), mode="r")
    return np.asarray(g["t2m"][...]), np.asarray(g["sharded"][...])


def _write_tree(root: Path) -> dict:
    group = zarr.open_group(str(root), mode="w", zarr_format=2)
    a = group.create_array("a", shape=(10, 12), chunks=(5, 5), dtype="int32", fill_value=0)
    a[:] = np.arange(120, dtype="int32").reshape(10, 12)
    sub = group.create_group("g")
    b = sub.create_array("b", shape=(7,), chunks=(3,), dtype="float64", fill_value=0.0)
    b[:] = np.linspace(0, 1, 7)
    return {"a": a[...], "g/b": b[...]}


def _write_many(root: Path) -> None:
    group = zarr.open_group(str(root), mode="w", zarr_format=3)
    for i in range(MANY_CHILDREN):
        group.create_array(f"v{i:04d}", shape=(1,), chunks=(1,), dtype="uint8", fill_value=i % 256)


@pytest.fixture(scope="session")
def data(tmp_path_factory) -> Data:
    www = tmp_path_factory.mktemp("www")
    t2m, sharded = _write_cube(www / "cube.zarr")
    tree = _write_tree(www / "tree.zarr")
    # Where the server offers no listing: /nolist/ has autoindex off.
    shutil.copytree(www / "cube.zarr", www / "nolist" / "cube.zarr")
    shutil.copytree(www / "tree.zarr", www / "nolist" / "tree.zarr")
    os.chmod(www, 0o755)
    return Data(www, t2m, sharded, tree)


@pytest.fixture(scope="session")
def nginx(data):
    server = NginxServer(data.www)
    yield server
    server.close()


@pytest.fixture(scope="session")
def moto_open(data, tmp_path_factory):
    """moto without IAM: buckets 'public' (the data) and 'many' (a group with
    MANY_CHILDREN children, listed over two pages) have public-read bucket
    policies; bucket 'closed' (the data again) has none, so unsigned reads of
    its objects are refused."""
    server = MotoServer(authenticated=False)
    many = tmp_path_factory.mktemp("many") / "many.zarr"
    _write_many(many)
    for bucket, root in (("public", data.www), ("many", many), ("closed", data.www)):
        server.s3.create_bucket(Bucket=bucket)
        server.upload_tree(bucket, root, "")
        if bucket != "closed":
            server.make_public(bucket)
    yield server
    server.close()


@pytest.fixture(scope="session")
def moto_auth(data):
    """moto enforcing SigV4 authentication: bucket 'private' holds the data."""
    server = MotoServer(authenticated=True)
    server.s3.create_bucket(Bucket="private")
    server.upload_tree("private", data.www, "data/")
    yield server
    server.close()


@pytest.fixture
def fault_proxy(nginx):
    proxy = FaultProxy(nginx.url)
    yield proxy
    proxy.close()


_cache_budget = [256 << 20]


@pytest.fixture(autouse=True)
def remote_env(monkeypatch, tmp_path):
    """A clean remote configuration for each test."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "GEOBATCH_")) or name == "STORAGE_EMULATOR_HOST":
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws of the machine
    monkeypatch.setenv("GEOBATCH_CACHE_BYTES", "0")
    monkeypatch.setenv("GEOBATCH_RETRY_BASE_DELAY_S", "0.01")
    monkeypatch.setenv("GEOBATCH_RETRY_MAX_DELAY_S", "0.2")
    monkeypatch.setenv("GEOBATCH_STALL_TIMEOUT_S", "1")


@pytest.fixture
def private_cache(monkeypatch):
    """Turns the in-memory cache on with a budget no other test uses, so
    that this test starts with an empty cache of its own."""
    _cache_budget[0] += 1
    monkeypatch.setenv("GEOBATCH_CACHE_BYTES", str(_cache_budget[0]))
    return _cache_budget[0]


def s3_env(monkeypatch, server: MotoServer, signed: bool = True) -> None:
    monkeypatch.setenv("GEOBATCH_S3_ENDPOINT", server.endpoint)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    if signed:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
