"""Groups: nested groups with attributes, v2 and v3, with and without
consolidated metadata (v3 inline in zarr.json, v2 .zmetadata)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import zarr

import zarr_writers as zw
from gb_helpers import assert_identical, to_native

TREES = [(2, False), (2, True), (3, False), (3, True)]
TREE_IDS = ["v2-plain", "v2-consolidated", "v3-plain", "v3-consolidated"]


@pytest.fixture(params=TREES, ids=TREE_IDS)
def tree(request, group_trees):
    fmt, cons = request.param
    store, desc = group_trees[(fmt, cons)]
    return fmt, cons, store, desc


def _children(desc, parent):
    prefix = parent + "/" if parent else ""
    out = {}
    for p, (kind, _attrs) in desc.items():
        if p and p.startswith(prefix) and "/" not in p[len(prefix):]:
            out[p[len(prefix):]] = kind
    return out


def test_fixture_is_consolidated(tree):
    """Guards the writers: the consolidated trees carry consolidated metadata."""
    fmt, cons, store, _ = tree
    if fmt == 3:
        has = "consolidated_metadata" in json.load(open(store / "zarr.json"))
        has = has and json.load(open(store / "zarr.json"))["consolidated_metadata"] is not None
    else:
        has = (store / ".zmetadata").exists()
    assert has == cons


def test_root_group(geobatch, tree):
    fmt, _cons, store, desc = tree
    g = geobatch.open_group(str(store))
    assert g.zarr_format == fmt
    assert dict(g.attrs) == zw.GROUP_ATTRS
    assert list(g) == sorted(_children(desc, ""))
    assert list(g) == ["empty_group", "flags", "g1", "temp"]


@pytest.mark.parametrize("parent", ["", "g1", "g1/g2", "g1/g2/g3", "empty_group"])
def test_every_group(geobatch, tree, parent):
    fmt, _cons, store, desc = tree
    g = geobatch.open_group(str(store), path=parent)
    kids = _children(desc, parent)
    assert list(g) == sorted(kids)
    assert dict(g.attrs) == desc[parent][1]
    arrays = g.arrays()
    groups = g.groups()
    assert [n for n, _ in arrays] == sorted(k for k, v in kids.items() if v == "array")
    assert [n for n, _ in groups] == sorted(k for k, v in kids.items() if v == "group")
    for n, node in arrays:
        assert hasattr(node, "shape") and hasattr(node, "read")
        assert node.zarr_format == fmt
    for n, node in groups:
        assert list(node) == sorted(_children(desc, f"{parent}/{n}" if parent else n))


@pytest.mark.parametrize("path", ["temp", "flags", "g1/x", "g1/g2/g3/deep"])
def test_arrays_in_tree(geobatch, tree, path):
    fmt, _cons, store, desc = tree
    z = zarr.open_array(str(store), path=path, mode="r")
    expected = to_native(np.asarray(z[...]))
    # Reached three ways: open_array, g[path], and step by step.
    a1 = geobatch.open_array(str(store), path=path)
    g = geobatch.open_group(str(store))
    a2 = g[path]
    node = g
    for part in path.split("/"):
        node = node[part]
    for a in (a1, a2, node):
        assert a.path == path
        assert dict(a.attrs) == desc[path][1]
        assert a.zarr_format == fmt
        assert_identical(a[...], expected, path)
    if path == "g1/g2/g3/deep":
        assert a1.dimension_names == ("row", "col")


def test_open_dispatch(geobatch, tree):
    _fmt, _cons, store, _ = tree
    g = geobatch.open(str(store))
    assert hasattr(g, "groups") and not hasattr(g, "shape")
    a = geobatch.open(str(store), path="g1/g2/g3/deep")
    assert a.shape == (4, 5)
    g3 = geobatch.open(str(store), path="g1/g2/g3")
    assert list(g3) == ["deep"]
    assert isinstance(geobatch.open_group(str(store))["g1"], type(g))


def test_file_url(geobatch, tree):
    _fmt, _cons, store, _ = tree
    g = geobatch.open_group("file://" + str(store))
    assert list(g) == ["empty_group", "flags", "g1", "temp"]
    z = zarr.open_array(str(store), path="temp", mode="r")
    assert_identical(g["temp"][2:9, 3:30:4], z[2:9, 3:30:4])


def test_missing_children(geobatch, tree):
    _fmt, _cons, store, _ = tree
    g = geobatch.open_group(str(store))
    for name in ["nope", "g1/nope", "temp/x", "g1/g2/g3/deep/0"]:
        with pytest.raises(geobatch.NotFoundError) as ei:
            g[name]
        assert isinstance(ei.value, KeyError)
    with pytest.raises(geobatch.NotFoundError):
        geobatch.open_group(str(store), path="nope")
    with pytest.raises(geobatch.NotFoundError):
        geobatch.open(str(store), path="g1/nope")


def test_kind_mismatch(geobatch, tree):
    """open_array on a group and open_group on an array are refused."""
    _fmt, _cons, store, _ = tree
    with pytest.raises(geobatch.Error):
        geobatch.open_array(str(store), path="g1")
    with pytest.raises(geobatch.Error):
        geobatch.open_array(str(store))
    with pytest.raises(geobatch.Error):
        geobatch.open_group(str(store), path="temp")


def test_v3_consolidated_is_used(geobatch, group_trees, tmp_path):
    """With consolidated metadata the tree is fully listed even where a
    child's own zarr.json is unreadable... only if the reader uses it; a
    reader may also ignore consolidated metadata, so this only checks that
    listing agrees with zarr-python's consolidated view."""
    store, _desc = group_trees[(3, True)]
    zg = zarr.open_consolidated(str(store), mode="r")
    g = geobatch.open_group(str(store))
    assert list(g) == sorted(zg.keys())
    assert dict(g["g1"].attrs) == dict(zg["g1"].attrs)


def test_group_attr_types(geobatch, group_trees):
    """JSON attribute values map to Python: big ints stay ints, null -> None,
    unicode intact."""
    store, _ = group_trees[(3, False)]
    attrs = geobatch.open_group(str(store)).attrs
    assert attrs["big"] == 2**62 and isinstance(attrs["big"], int)
    assert attrs["null"] is None
    assert attrs["title"] == zw.GROUP_ATTRS["title"]
    assert attrs["nested"]["a"]["b"]["c"] == [True, False]
    assert attrs["float"] == 3.5 and isinstance(attrs["float"], float)


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("consolidated", [False, True])
def test_group_nan_attributes(geobatch, tmp_path, zarr_format, consolidated):
    """zarr-python writes NaN/Infinity attribute values as bare JSON literals
    (NaN, Infinity, -Infinity) in .zattrs / zarr.json / .zmetadata, as
    xarray's _FillValue commonly is; they must be readable."""
    store = tmp_path / "g"
    root = zarr.open_group(str(store), mode="w", zarr_format=zarr_format,
                           attributes={"missing": float("nan"), "top": float("inf")})
    a = root.create_array("a", shape=(3,), dtype="f4", attributes={"_FillValue": float("nan")})
    a[...] = [1, 2, 3]
    if consolidated:
        zarr.consolidate_metadata(str(store))
    g = geobatch.open_group(str(store))
    assert np.isnan(g.attrs["missing"]) and g.attrs["top"] == float("inf")
    assert np.isnan(g["a"].attrs["_FillValue"])
    assert_identical(g["a"][...], np.array([1, 2, 3], np.float32))


def test_unusual_child_names(geobatch, tmp_path):
    """Names with unicode, spaces, dots and dashes; a child named like a
    chunk key prefix ("c")."""
    store = tmp_path / "g"
    root = zarr.open_group(str(store), mode="w")
    names = ["ünïcödé", "with space", "dot.ted", "da-sh", "c", "0"]
    for i, n in enumerate(names):
        a = root.create_array(n, shape=(3,), dtype="i2", chunks=(2,))
        a[...] = [i, i + 1, i + 2]
    g = geobatch.open_group(str(store))
    assert list(g) == sorted(names)
    for i, n in enumerate(names):
        assert_identical(g[n][...], np.array([i, i + 1, i + 2], np.int16), n)
        assert_identical(geobatch.open_array(str(store), path=n)[...], np.array([i, i + 1, i + 2], np.int16), n)
