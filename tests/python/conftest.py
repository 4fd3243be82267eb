"""Shared pytest fixtures of the geobatch conformance suite.

Fixtures are written at test time by zarr-python / tensorstore (see
zarr_writers.py) into a session-scoped temporary directory, lazily: a case is
written the first time a test asks for it and then reused. Expected values
always come from zarr-python reading the same store. The comparison helper
and shared checks live in gb_helpers.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(REPO / "python") not in sys.path:
    # The test command sets PYTHONPATH=python; this makes a bare `pytest` work too.
    sys.path.append(str(REPO / "python"))

import zarr_writers as zw  # noqa: E402
from gb_helpers import FixtureFactory  # noqa: E402


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory) -> FixtureFactory:
    return FixtureFactory(tmp_path_factory.mktemp("zarr-fixtures"))


@pytest.fixture(scope="session")
def group_trees(tmp_path_factory):
    """{(zarr_format, consolidated): (store, description)}, written once."""
    root = tmp_path_factory.mktemp("zarr-groups")
    out = {}
    for fmt in (2, 3):
        for cons in (False, True):
            store = root / f"tree-v{fmt}-{'cons' if cons else 'plain'}"
            out[(fmt, cons)] = (store, zw.write_group_tree(store, fmt, cons))
    return out


@pytest.fixture(scope="session")
def geobatch():
    import geobatch as gb

    return gb



def pytest_configure(config):
    # zarr-python warns about numcodecs codecs in v3 metadata and sharding
    # combined with other codecs; the fixtures do that on purpose.
    config.addinivalue_line("filterwarnings", "ignore::UserWarning:zarr.*")
    config.addinivalue_line("filterwarnings", "ignore::FutureWarning:zarr.*")
