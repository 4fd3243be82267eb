"""Reading Zarr over HTTP from a real nginx: the same bytes as zarr-python
reads locally, missing chunks as the fill value, ranged and coalesced
shard reads, listings from autoindex pages or consolidated metadata where
there are none, and clear errors for 403/404 and failed TLS verification."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import geobatch
from conftest import Data
from servers import NginxServer
from test_helpers import assert_same


def test_reads_match_zarr_python(nginx, data: Data):
    t2m = geobatch.open_array(nginx.url + "/cube.zarr", "t2m")
    assert t2m.shape == data.t2m.shape and t2m.dimension_names == ("time", "lat", "lon")
    assert_same(t2m[...], data.t2m)
    assert_same(t2m[3:17, 10:50:3, ::-7], data.t2m[3:17, 10:50:3, ::-7])
    sharded = geobatch.open_array(nginx.url + "/cube.zarr", "sharded")
    assert_same(sharded[...], data.sharded)
    assert_same(sharded[5:27, 3:61], data.sharded[5:27, 3:61])


def test_missing_chunks_read_as_the_fill_value(nginx, data: Data):
    tail = geobatch.open_array(nginx.url + "/cube.zarr", "t2m")[18:]
    assert np.isnan(tail).all()
    missing = [line for line in nginx.requests() if "/cube.zarr/t2m/c/3/" in line]
    assert missing and all(line.split()[2] == "404" for line in missing)


def test_shards_are_read_with_coalesced_ranges(nginx, data: Data):
    before = len(nginx.requests())
    assert_same(geobatch.open_array(nginx.url + "/cube.zarr", "sharded")[:16, :32], data.sharded[:16, :32])
    chunk_reads = [line for line in nginx.requests()[before:] if "/sharded/c/" in line]
    # One shard: its index (a suffix range), then its 16 inner chunks in one coalesced range.
    assert len(chunk_reads) == 2, chunk_reads
    assert all(line.split()[2] == "206" for line in chunk_reads), chunk_reads


def test_lists_groups_through_autoindex(nginx, data: Data):
    tree = geobatch.open_group(nginx.url + "/tree.zarr")
    assert not tree._native.consolidated
    assert sorted(tree) == ["a", "g"]
    assert_same(tree["a"][...], data.tree_arrays["a"])
    assert_same(tree["g"]["b"][...], data.tree_arrays["g/b"])


def test_consolidated_metadata_needs_no_listing(nginx, data: Data):
    cube = geobatch.open_group(nginx.url + "/nolist/cube.zarr")
    assert cube._native.consolidated and sorted(cube) == ["sharded", "t2m"]
    assert_same(cube["t2m"][:6], data.t2m[:6])
    with pytest.raises(geobatch.UnsupportedError, match="consolidated metadata"):
        list(geobatch.open_group(nginx.url + "/nolist/tree.zarr"))


def test_missing_array_is_not_found(nginx):
    with pytest.raises(geobatch.NotFoundError, match="nothing-here"):
        geobatch.open_array(nginx.url + "/cube.zarr", "nothing-here")


def test_forbidden_is_a_permission_error_naming_the_url(nginx):
    with pytest.raises(geobatch.PermissionDeniedError) as info:
        geobatch.open_array(nginx.url + "/forbidden/cube.zarr", "t2m")
    assert nginx.url + "/forbidden/cube.zarr/" in str(info.value)
    assert "403" in str(info.value)


@pytest.fixture(scope="module")
def https_nginx(data, tmp_path_factory):
    """nginx over TLS with a self-signed certificate for 127.0.0.1."""
    certs = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(certs / "key.pem"), "-out", str(certs / "cert.pem"),
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server = NginxServer(data.www, tls=(certs / "cert.pem", certs / "key.pem"))
    yield server, certs / "cert.pem"
    server.close()


def test_tls_is_verified_by_default(https_nginx, data: Data, monkeypatch):
    server, cert = https_nginx
    url = server.url.replace("http://", "https://") + "/cube.zarr"
    with pytest.raises(geobatch.PermissionDeniedError, match="TLS|certificate"):
        geobatch.open_array(url, "t2m")
    monkeypatch.setenv("GEOBATCH_CA_BUNDLE", str(cert))
    assert_same(geobatch.open_array(url, "t2m")[:6], data.t2m[:6])
