"""Reading Zarr from the S3 API (moto in server mode): SigV4-signed requests
against a server that checks every signature, credentials from the
environment and from profiles in the shared files, anonymous reads of a
public bucket, path-style and virtual-hosted addressing, listings that take
several ListObjectsV2 pages, and errors that name the URL but never the
credentials."""

from __future__ import annotations

import pytest

import geobatch
from conftest import MANY_CHILDREN, Data, s3_env
from test_helpers import assert_same


def test_signed_reads(moto_auth, data: Data, monkeypatch):
    s3_env(monkeypatch, moto_auth)
    cube = geobatch.open_group("s3://private/data/cube.zarr")
    assert sorted(cube) == ["sharded", "t2m"]
    assert_same(cube["t2m"][...], data.t2m)
    assert_same(cube["sharded"][...], data.sharded)


def test_signed_listing_of_a_plain_group(moto_auth, data: Data, monkeypatch):
    s3_env(monkeypatch, moto_auth)
    tree = geobatch.open_group("s3://private/data/tree.zarr")
    assert sorted(tree) == ["a", "g"]
    assert_same(tree["g/b"][...], data.tree_arrays["g/b"])


def test_wrong_secret_is_refused_without_leaking_it(moto_auth, monkeypatch):
    s3_env(monkeypatch, moto_auth)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-" + moto_auth.secret_key[:6])
    with pytest.raises(geobatch.PermissionDeniedError) as info:
        geobatch.open_array("s3://private/data/cube.zarr", "t2m")
    message = str(info.value)
    assert "SignatureDoesNotMatch" in message
    assert moto_auth.endpoint + "/private/data/cube.zarr/" in message
    assert "not-the-secret" not in message and moto_auth.secret_key not in message


def test_unsigned_requests_to_a_private_bucket_are_denied(moto_auth, monkeypatch):
    s3_env(monkeypatch, moto_auth)
    monkeypatch.setenv("AWS_NO_SIGN_REQUEST", "true")
    with pytest.raises(geobatch.PermissionDeniedError, match="anonymous"):
        geobatch.open_array("s3://private/data/cube.zarr", "t2m")


def test_unsigned_reads_of_a_bucket_without_public_access_are_denied(moto_open, monkeypatch):
    s3_env(monkeypatch, moto_open, signed=False)
    with pytest.raises(geobatch.PermissionDeniedError, match="unsigned") as info:
        geobatch.open_array("s3://closed/cube.zarr", "t2m")
    assert moto_open.endpoint + "/closed/cube.zarr/" in str(info.value)


def test_credentials_and_region_from_a_profile(moto_auth, data: Data, monkeypatch, tmp_path):
    (tmp_path / "credentials").write_text(
        f"[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n"
        f"[research]\naws_access_key_id = {moto_auth.access_key}\naws_secret_access_key = {moto_auth.secret_key}\n")
    (tmp_path / "config").write_text(
        f"[profile research]\nregion = us-east-1\nendpoint_url = {moto_auth.endpoint}\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_PROFILE", "research")
    assert_same(geobatch.open_array("s3://private/data/cube.zarr", "sharded")[...], data.sharded)
    monkeypatch.setenv("AWS_PROFILE", "absent")
    with pytest.raises(geobatch.InvalidArgumentError, match="profile 'absent'"):
        geobatch.open_array("s3://private/data/cube.zarr", "sharded")


def test_anonymous_reads_of_a_public_bucket(moto_open, data: Data, monkeypatch):
    s3_env(monkeypatch, moto_open, signed=False)
    assert_same(geobatch.open_array("s3://public/cube.zarr", "t2m")[...], data.t2m)
    assert_same(geobatch.open_group("s3://public/tree.zarr")["a"][...], data.tree_arrays["a"])


def test_virtual_hosted_addressing(moto_open, data: Data, monkeypatch):
    # curl resolves *.localhost to the loopback address itself (no DNS).
    monkeypatch.setenv("GEOBATCH_S3_ENDPOINT", f"http://localhost:{moto_open.port}")
    monkeypatch.setenv("GEOBATCH_S3_ADDRESSING_STYLE", "virtual")
    assert_same(geobatch.open_array("s3://public/cube.zarr", "sharded")[...], data.sharded)
    assert sorted(geobatch.open_group("s3://public/tree.zarr")) == ["a", "g"]


def test_listing_over_several_pages(moto_open, monkeypatch):
    s3_env(monkeypatch, moto_open, signed=False)
    group = geobatch.open_group("s3://many")
    names = list(group)
    assert len(names) == MANY_CHILDREN > 1000  # ListObjectsV2 pages hold 1000 keys
    assert names[0] == "v0000" and names[-1] == f"v{MANY_CHILDREN - 1:04d}"
    assert group[names[-1]].fill_value == (MANY_CHILDREN - 1) % 256


def test_missing_bucket_is_not_found(moto_open, monkeypatch):
    s3_env(monkeypatch, moto_open, signed=False)
    with pytest.raises(geobatch.NotFoundError, match="bucket 'no-such-bucket' does not exist"):
        geobatch.open_array("s3://no-such-bucket/cube.zarr", "t2m")


def test_missing_objects_are_absent(moto_open, data: Data, monkeypatch):
    s3_env(monkeypatch, moto_open, signed=False)
    with pytest.raises(geobatch.NotFoundError):
        geobatch.open_array("s3://public/cube.zarr", "nope")
    import numpy as np
    assert np.isnan(geobatch.open_array("s3://public/cube.zarr", "t2m")[18:]).all()
