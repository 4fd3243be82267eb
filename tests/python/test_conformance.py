"""The conformance matrix: every fixture of zarr_writers (v2, v3 and
sharding cases, written by zarr-python 3 or tensorstore) through every
check: metadata, full read, random keys and regions, chunk by chunk, and
reads of a fraction of a chunk, each compared bit for bit with what
zarr-python reads from the same store. Feature-specific tests live in
test_v2_conformance.py, test_v3_conformance.py and test_sharding.py."""

from __future__ import annotations

import pytest

import zarr_writers as zw
from gb_helpers import (
    check_chunk_by_chunk,
    check_chunk_fraction,
    check_full_read,
    check_metadata,
    check_random_keys,
    check_random_regions,
)

CASE_IDS = [c.id for c in (*zw.V2_CASES, *zw.V3_CASES, *zw.SHARD_CASES)]
CHECKS = {
    "metadata": check_metadata,
    "full_read": check_full_read,
    "random_keys": check_random_keys,
    "random_regions": check_random_regions,
    "chunk_by_chunk": check_chunk_by_chunk,
    "chunk_fraction": check_chunk_fraction,
}


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("case_id", CASE_IDS)
def test_conformance(geobatch, fixtures, case_id, check):
    CHECKS[check](geobatch, fixtures.get(case_id))
