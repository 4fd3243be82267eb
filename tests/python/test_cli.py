"""The `geobatch` command-line program: `info` (text and --json) and `read`.

The binary is GEOBATCH_CLI or build/release/tools/geobatch; a missing
binary is a failure (the test command builds it)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import zarr

import zarr_writers as zw
from gb_helpers import REPO, assert_identical, to_native

CLI = Path(os.environ.get("GEOBATCH_CLI", REPO / "build" / "release" / "tools" / "geobatch"))


def run(*args, check=True) -> subprocess.CompletedProcess:
    assert CLI.is_file() and os.access(CLI, os.X_OK), f"geobatch CLI not found at {CLI} (set GEOBATCH_CLI)"
    p = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=60)
    assert p.returncode >= 0, f"geobatch killed by signal {-p.returncode}: {p.stderr}"
    if check:
        assert p.returncode == 0, f"exit {p.returncode}: {p.stderr}"
    return p


def walk(node):
    """Every dict in a JSON tree."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def arrays_in(doc) -> dict[str, dict]:
    """{path: description} of every array described in an `info --json` document."""
    out = {}
    for d in walk(doc):
        if "shape" in d and "dtype" in d:
            out[d.get("path", "")] = d
    return out


def codec_names(codecs) -> list[str]:
    return [c["name"] if "name" in c else c.get("id") for c in codecs]


def _zarr_codec_names(store: Path, path: str, fmt: int) -> list[str]:
    adir = zw.array_dir(store, path)
    if fmt == 3:
        return [c["name"] for c in zw.load_json(adir / "zarr.json")["codecs"]]
    m = zw.load_json(adir / ".zarray")
    return [f["id"] for f in m.get("filters") or []] + ([m["compressor"]["id"]] if m.get("compressor") else [])


INFO_CASES = ["dtype-float32", "blosc-lz4-shuffle-int64", "shard-end-crc-zstd", "dimnames", "fill-nan-f32",
              "v2-dtype->f8", "v2-filter-delta-i4", "v2-xarray-dims", "zerod-int32", "transpose-102-int16",
              "shard-nested-end-end", "v2-dtype-<M8[ns]"]


@pytest.mark.parametrize("case_id", INFO_CASES)
def test_info_text(fixtures, case_id):
    w = fixtures.get(case_id)
    out = run("info", w.url).stdout
    z = w.zarr
    for n in z.shape:
        assert str(n) in out, f"shape {z.shape} not in\n{out}"
    dt = to_native(np.empty(0, z.dtype)).dtype
    assert dt.str in out or dt.name in out or str(dt) in out, f"dtype {dt} not in\n{out}"
    for name in _zarr_codec_names(w.store, w.path, w.case.zarr_format):
        assert name in out, f"codec {name} not in\n{out}"
    if z.metadata.zarr_format == 3 and z.metadata.dimension_names:
        for n in z.metadata.dimension_names:
            if n:
                assert n in out


@pytest.mark.parametrize("case_id", INFO_CASES)
def test_info_json(fixtures, case_id):
    w = fixtures.get(case_id)
    doc = json.loads(run("info", w.url, "--json").stdout)
    arrays = arrays_in(doc)
    assert len(arrays) == 1, arrays
    d = next(iter(arrays.values()))
    z = w.zarr
    assert tuple(d["shape"]) == tuple(z.shape)
    assert np.dtype(d["dtype"]) == to_native(np.empty(0, z.dtype)).dtype
    assert tuple(d["chunks"]) == tuple(z.chunks)
    if z.shards is not None:
        assert tuple(d["shards"]) == tuple(z.shards)
    else:
        assert d.get("shards") in (None, [])
    assert d.get("zarr_format", w.case.zarr_format) == w.case.zarr_format
    names = codec_names(d["codecs"])
    expected_names = _zarr_codec_names(w.store, w.path, w.case.zarr_format)
    if w.case.zarr_format == 3:
        assert names == expected_names
    else:
        # v2 filters/compressors may be listed by numcodecs id or as the
        # "numcodecs.<id>" v3 spelling, after an implicit "bytes".
        for n in expected_names:
            assert n in names or f"numcodecs.{n}" in names, (names, expected_names)
    attrs = d.get("attributes", d.get("attrs"))
    assert attrs == dict(z.attrs)
    if w.case.zarr_format == 3:
        dn = z.metadata.dimension_names
        assert d.get("dimension_names") == (None if dn is None else list(dn))
    # The fill value, as the JSON metadata spells it (NaN as "NaN").
    fv = d["fill_value"]
    if w.case.zarr_format == 3:
        assert fv == zw.load_json(zw.array_dir(w.store, w.path) / "zarr.json")["fill_value"]


@pytest.mark.parametrize("fmt,cons", [(2, False), (3, False), (3, True), (2, True)])
def test_info_hierarchy(group_trees, fmt, cons):
    store, desc = group_trees[(fmt, cons)]
    text = run("info", store).stdout
    for p in desc:
        if p:
            assert p.split("/")[-1] in text, f"{p} missing from\n{text}"
    doc = json.loads(run("info", store, "--json").stdout)
    arrays = arrays_in(doc)
    expect_arrays = {p for p, (kind, _) in desc.items() if kind == "array"}
    assert {p.strip("/") for p in arrays} == expect_arrays
    for p, d in arrays.items():
        z = zarr.open_array(str(store), path=p.strip("/"), mode="r")
        assert tuple(d["shape"]) == z.shape
        assert np.dtype(d["dtype"]) == z.dtype
        assert (d.get("attributes", d.get("attrs"))) == dict(z.attrs)
    groups = [d for d in walk(doc) if d.get("node_type") == "group"]
    if groups:
        root = [g for g in groups if g.get("path", "") in ("", "/")]
        assert root and root[0].get("attributes", root[0].get("attrs")) == zw.GROUP_ATTRS


def test_info_path_option(group_trees):
    store, _ = group_trees[(3, False)]
    doc = json.loads(run("info", store, "--path", "g1/g2", "--json").stdout)
    assert {p.strip("/") for p in arrays_in(doc)} == {"g1/g2/g3/deep"}


@pytest.mark.parametrize("region", [None, "0:10,5:20", "3:4,0:30", "19:20,29:30", "0:0,0:30", "5:17,:"])
@pytest.mark.parametrize("fmt", [2, 3])
def test_read_region(group_trees, tmp_path, fmt, region):
    store, _ = group_trees[(fmt, False)]
    out = tmp_path / "x.npy"
    args = ["read", store, "--array", "temp", "--out", out]
    if region:
        args += ["--region", region]
    run(*args)
    got = np.load(out)
    z = zarr.open_array(str(store), path="temp", mode="r")
    if region is None:
        key = (slice(None), slice(None))
    else:
        key = tuple(slice(*(int(v) if v else None for v in part.split(":"))) for part in region.split(","))
    assert_identical(got, to_native(np.asarray(z[key])))


@pytest.mark.parametrize("case_id,region", [
    ("shard-end-crc-zstd", "3:21,7:33"), ("v2-dtype->f8", "2:9,0:17"), ("v2-dtype-<M8[ns]", "0:13,1:2"),
    ("dtype-complex128", "0:13,0:17"), ("zerod-float64", None), ("fill-hex-f32-payload", "4:13,5:17"),
    ("dtype-bool", "1:2,3:9"), ("transpose-201-float32", "1:5,0:7,2:5")])
def test_read_fixture(fixtures, tmp_path, case_id, region):
    w = fixtures.get(case_id)
    out = tmp_path / "x.npy"
    args = ["read", w.url, "--array", w.path, "--out", out]
    if region:
        args += ["--region", region]
    run(*args)
    got = np.load(out)
    key = () if region is None else tuple(slice(*map(int, p.split(":"))) for p in region.split(","))
    assert_identical(got, w.expected[key] if key else w.expected)


def test_read_file_url(group_trees, tmp_path):
    store, _ = group_trees[(3, True)]
    out = tmp_path / "y.npy"
    run("read", "file://" + str(store), "--array", "g1/g2/g3/deep", "--out", out)
    z = zarr.open_array(str(store), path="g1/g2/g3/deep", mode="r")
    assert_identical(np.load(out), z[...])


@pytest.mark.parametrize("args,needle", [
    (["read", "{store}", "--array", "nope", "--out", "{out}"], "nope"),
    (["read", "{store}", "--array", "temp", "--region", "0:100,0:5", "--out", "{out}"], "region"),
    (["read", "{store}", "--array", "temp", "--region", "0:5", "--out", "{out}"], "region"),
    (["read", "{store}", "--array", "temp", "--region", "a:b,0:5", "--out", "{out}"], "region"),
    (["read", "{store}", "--array", "temp"], "--out"),
    (["info", "{store}/does-not-exist"], ""),
    (["info"], ""),
    (["frobnicate"], "frobnicate"),
    (["info", "{store}", "--bogus"], "--bogus"),
])
def test_errors_exit_nonzero(group_trees, tmp_path, args, needle):
    store, _ = group_trees[(3, False)]
    args = [a.format(store=store, out=tmp_path / "e.npy") for a in args]
    p = run(*args, check=False)
    assert p.returncode > 0
    assert p.stderr.strip(), "no error message on stderr"
    assert needle in p.stderr
    assert not (tmp_path / "e.npy").exists() or args[0] != "read" or needle != "nope"


def test_read_corrupt_chunk_reports(tmp_path):
    store = zw.write_case(zw.Case("c", (8, 8), "int32", (4, 4), {"compressors": None}, path="arr"), tmp_path / "s")
    p = store / "arr" / "c" / "0" / "1"
    p.write_bytes(p.read_bytes()[:-1])
    r = run("read", store, "--array", "arr", "--out", tmp_path / "z.npy", check=False)
    assert r.returncode > 0
    assert "c/0/1" in r.stderr
