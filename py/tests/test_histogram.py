import copy
import random

import numpy as np
import pytest

import h2soak
import synthetic_result


def exact_percentile(sorted_values, p):
    import math
    if p >= 100:
        return sorted_values[-1]
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values) - 1e-9))
    return sorted_values[rank - 1]


def test_record_and_percentiles_match_exact():
    rng = np.random.default_rng(7)
    values = rng.lognormal(np.log(3000), 1.3, 200_000).astype(np.uint64)
    h = h2soak.Histogram()
    h.record_many(values)
    s = np.sort(values)
    assert h.count == len(values)
    assert h.min == int(s[0]) and h.max == int(s[-1])
    for p in (50, 90, 99, 99.9, 99.99):
        exact = int(exact_percentile(s, p))
        assert abs(h.percentile(p) - exact) <= 0.001 * exact, p
    assert h.percentiles([0, 100]) == [int(s[0]), int(s[-1])]
    assert h.mean == pytest.approx(float(values.mean()), rel=1e-9)


def test_merge_equals_union():
    a, b, u = h2soak.Histogram(), h2soak.Histogram(), h2soak.Histogram()
    rng = random.Random(1)
    for _ in range(10_000):
        v = int(rng.expovariate(1 / 20_000))
        (a if rng.random() < 0.5 else b).record(v)
        u.record(v)
    m = copy.copy(a)
    m.merge(b)
    assert m == u
    assert m.to_sparse() == u.to_sparse()
    assert a != u  # the copy did not alias


def test_sparse_round_trip_and_validation():
    h = h2soak.Histogram()
    for v in (1, 10, 5000, 123456, h2soak.Histogram.MAX_VALUE + 1):
        h.record(v)
    back = h2soak.Histogram.from_sparse(h.to_sparse(), h.min, h.max, h.sum, h.saturated)
    assert back == h
    assert h.saturated == 1 and h.max == h2soak.Histogram.MAX_VALUE
    with pytest.raises(ValueError):
        h2soak.Histogram.from_sparse([(10**9, 1)], 1, 1, 1.0)
    with pytest.raises(ValueError):
        h.record(-1)


def test_python_bucket_layout_matches_cpp():
    # reports/synthetic_result.py re-implements the documented layout.
    assert synthetic_result.BUCKET_COUNT == h2soak.Histogram.BUCKET_COUNT
    rng = random.Random(5)
    for _ in range(20_000):
        v = int(rng.lognormvariate(8, 4)) % (h2soak.Histogram.MAX_VALUE + 10)
        assert synthetic_result.bucket_index(v) == h2soak.Histogram.bucket_index(v)


def test_empty_and_summary():
    h = h2soak.Histogram()
    assert h.count == 0 and h.percentile(99) == 0 and len(h) == 0
    h.record(250, 4)
    s = h.summary()
    assert s["count"] == 4 and s["p50"] == 250 and s["p99.9"] == 250
    assert "count=4" in repr(h)
