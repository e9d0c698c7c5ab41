"""The faster bootstrap of gemeval.metrics.stats gives the same draws and CIs as the plain
weighted-mean bootstrap over ``resample_weights``."""

from __future__ import annotations

import numpy as np
import pytest

from gemeval.metrics.stats import (
    bootstrap,
    mean_ci,
    paired_difference_ci,
    percentile_ci,
    resample_group_counts,
    resample_weights,
)

GROUPS = [f"ecg-{i // 3}" for i in range(300)]


@pytest.mark.parametrize("groups", [None, GROUPS])
def test_group_counts_spread_over_items_are_the_resample_weights(groups):
    item_group, counts = resample_group_counts(300, 1200, seed=4, groups=groups)
    spread = np.concatenate([block[:, item_group] for block in counts])
    weights = np.concatenate(list(resample_weights(300, 1200, seed=4, groups=groups)))
    assert np.array_equal(spread, weights)
    assert np.all(weights.sum(axis=1) == 300)
    if groups is not None:
        assert np.all(weights[:, 0::3] == weights[:, 1::3])


@pytest.mark.parametrize("groups", [None, GROUPS])
def test_mean_ci_equals_the_weighted_mean_bootstrap(groups):
    values = np.random.default_rng(0).gamma(2.0, 1.0, 300)
    plain = bootstrap(lambda w: (w @ values) / w.sum(axis=1), 300, 3000, seed=9, groups=groups)
    estimate = mean_ci(list(values), groups=groups, n_resamples=3000, seed=9)
    assert estimate.value == pytest.approx(values.mean())
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx(percentile_ci(plain), rel=1e-12)


def test_paired_difference_without_resamples_has_no_ci():
    estimate = paired_difference_ci([1.0, 2.0], [2.0, 4.0], n_resamples=0)
    assert estimate.value == 1.5 and np.isnan(estimate.ci_low) and estimate.n == 2
