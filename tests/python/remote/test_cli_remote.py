"""The command-line program on remote URLs: info, read and scan over
http://, s3:// and gs://, configured through the environment."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np

from conftest import Data
from test_helpers import assert_same

REPO = Path(__file__).resolve().parents[3]
CLI = Path(os.environ.get("GEOBATCH_CLI", REPO / "build" / "release" / "tools" / "geobatch"))


def run(*args, env=None) -> str:
    done = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})))
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_info_read_and_scan_over_http(nginx, data: Data, tmp_path):
    url = nginx.url + "/cube.zarr"
    doc = json.loads(run("info", url, "--json"))
    names = sorted(child["path"] for child in doc["children"])
    assert names == ["sharded", "t2m"]
    run("read", url, "--array", "t2m", "--region", "2:20,5:55,:", "--out", tmp_path / "block.npy")
    assert_same(np.load(tmp_path / "block.npy"), data.t2m[2:20, 5:55, :])
    assert "total" in run("scan", url)


def test_info_and_read_over_s3_and_gs(moto_auth, moto_open, data: Data, tmp_path):
    signed = {"GEOBATCH_S3_ENDPOINT": moto_auth.endpoint, "AWS_ACCESS_KEY_ID": moto_auth.access_key,
              "AWS_SECRET_ACCESS_KEY": moto_auth.secret_key}
    assert "t2m" in run("info", "s3://private/data/cube.zarr", env=signed)
    run("read", "s3://private/data/cube.zarr", "--array", "sharded", "--out", tmp_path / "s.npy", env=signed)
    assert_same(np.load(tmp_path / "s.npy"), data.sharded)
    gcs = {"GEOBATCH_GCS_ENDPOINT": moto_open.endpoint}
    doc = json.loads(run("info", "gs://public/tree.zarr", "--json", env=gcs))
    assert sorted(child["path"] for child in doc["children"]) == ["a", "g"]
