"""geobatch.set_num_threads sizes the native decode pool of this process."""

from __future__ import annotations

import numpy as np
import pytest

import geobatch


def test_set_num_threads_changes_the_pool_and_reads_still_work(tmp_path):
    import zarr

    z = zarr.create_array(str(tmp_path / "a.zarr"), shape=(64, 64), chunks=(8, 8), dtype="i4")
    z[:] = np.arange(64 * 64, dtype="i4").reshape(64, 64)
    before = geobatch.get_num_threads()
    try:
        geobatch.set_num_threads(1)
        assert geobatch.get_num_threads() == 1
        np.testing.assert_array_equal(geobatch.open_array(str(tmp_path / "a.zarr"))[:], z[:])
        geobatch.set_num_threads(3)
        assert geobatch.get_num_threads() == 3
        np.testing.assert_array_equal(geobatch.open_array(str(tmp_path / "a.zarr"))[5:50, 3:61], z[5:50, 3:61])
    finally:
        geobatch.set_num_threads(before)


def test_set_num_threads_refuses_non_positive_counts():
    with pytest.raises(geobatch.InvalidArgumentError, match="positive"):
        geobatch.set_num_threads(0)
