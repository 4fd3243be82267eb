"""gs:// URLs: public Google Cloud Storage buckets through the XML API
(https://storage.googleapis.com/BUCKET/KEY, ListObjectsV2-style listings),
here pointed at moto, which answers the same requests, with
GEOBATCH_GCS_ENDPOINT or the client libraries' STORAGE_EMULATOR_HOST."""

from __future__ import annotations

import geobatch
from conftest import Data
from test_helpers import assert_same


def test_reads_a_public_bucket(moto_open, data: Data, monkeypatch):
    monkeypatch.setenv("GEOBATCH_GCS_ENDPOINT", moto_open.endpoint)
    t2m = geobatch.open_array("gs://public/cube.zarr", "t2m")
    assert t2m._native.url == "gs://public/cube.zarr"
    assert_same(t2m[...], data.t2m)


def test_lists_through_the_xml_api(moto_open, data: Data, monkeypatch):
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"127.0.0.1:{moto_open.port}")
    tree = geobatch.open_group("gs://public/tree.zarr")
    assert sorted(tree) == ["a", "g"]
    assert_same(tree["a"][...], data.tree_arrays["a"])


def test_requests_are_unsigned_even_with_aws_credentials(moto_open, data: Data, monkeypatch):
    monkeypatch.setenv("GEOBATCH_GCS_ENDPOINT", moto_open.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDNOTFORGOOGLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert_same(geobatch.open_array("gs://public/cube.zarr", "sharded")[...], data.sharded)
