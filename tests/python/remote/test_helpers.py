"""Comparison helpers shared by the remote tests."""

from __future__ import annotations

import numpy as np


def assert_same(actual, expected) -> None:
    """Same shape, dtype and bytes (NaN where expected has NaN)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert actual.tobytes() == np.ascontiguousarray(expected).tobytes()
