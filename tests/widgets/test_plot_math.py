"""The numpy behind the plots: per-axis scaling, IDW interpolation, marching squares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labtrack.widgets.contour import contour_segments, idw_grid
from labtrack.widgets.parallel import MISSING, MISSING_Y, scale_columns


def test_scale_columns_numbers_constants_missing_and_categories() -> None:
    frame = pd.DataFrame(
        {
            "params.lr": ["0.1", "0.3", None],
            "params.seed": ["7", "7", "7"],
            "params.opt": ["sgd", None, "adam"],
            "metrics.acc": [0.5, np.nan, 1.0],
        }
    )
    y, ticks = scale_columns(frame, list(frame.columns))
    # A missing value sits on the axis's (none) tick below it: no NaN breaks a line.
    np.testing.assert_allclose(y[:, 0], [0.0, 1.0, MISSING_Y])
    np.testing.assert_allclose(y[:, 1], [0.5, 0.5, 0.5])
    np.testing.assert_allclose(y[:, 2], [1.0, MISSING_Y, 0.0])  # adam, sgd
    np.testing.assert_allclose(y[:, 3], [0.0, MISSING_Y, 1.0])
    assert [(j, p, t) for j, p, t in ticks if j == 2] == [
        (2, 0.0, "adam"),
        (2, 1.0, "sgd"),
        (2, MISSING_Y, MISSING),
    ]
    assert [(p, t) for j, p, t in ticks if j == 1] == [(0.5, "7")]
    assert [t for j, _, t in ticks if j == 0] == ["0.1", "0.2", "0.3", MISSING]


def test_infinite_metrics_sit_on_the_none_tick_instead_of_flattening_the_axis() -> None:
    frame = pd.DataFrame({"metrics.loss": [1.0, np.inf, 3.0]})
    y, _ = scale_columns(frame, ["metrics.loss"])
    np.testing.assert_allclose(y[:, 0], [0.0, MISSING_Y, 1.0])


def test_idw_passes_through_the_points_and_stays_within_their_range() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 10, 30), rng.uniform(0, 1000, 30)
    z = np.sin(x) + y / 1000
    x[0], y[0] = x.min(), y.min()  # a corner point lands on a grid node
    gx, gy, gz = idw_grid(x, y, z, size=20)
    assert gz.shape == (20, 20) and gx.shape == (20,) and gy.shape == (20,)
    assert gz[0, 0] == z[0]
    assert z.min() - 1e-12 <= gz.min() and gz.max() <= z.max() + 1e-12


def test_contour_of_a_plane_is_a_straight_line() -> None:
    gx = gy = np.linspace(0.0, 1.0, 11)
    gz = np.tile(gx, (11, 1))  # z = x
    xs, ys = contour_segments(gx, gy, gz, np.array([0.55]))
    assert xs.shape == (10, 2)  # one segment per row of cells
    np.testing.assert_allclose(xs, 0.55)
    np.testing.assert_allclose(np.sort(ys.ravel()), np.sort(np.repeat(gy, 2)[1:-1]))


def test_contour_at_a_level_outside_the_data_is_empty() -> None:
    gx = gy = np.linspace(0.0, 1.0, 5)
    xs, ys = contour_segments(gx, gy, np.zeros((5, 5)), np.array([2.0]))
    assert xs.shape == (0, 2) and ys.shape == (0, 2)
