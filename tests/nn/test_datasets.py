"""Datasets: reproducible for a seed, the promised geometry, splits and minibatches."""

from __future__ import annotations

import numpy as np
import pytest

from nn import datasets

MAKERS = {
    "moons": lambda seed: datasets.make_moons(60, noise=0.1, seed=seed),
    "circles": lambda seed: datasets.make_circles(60, noise=0.1, seed=seed),
    "blobs": lambda seed: datasets.make_blobs(60, centers=4, seed=seed),
    "spiral": lambda seed: datasets.make_spiral(60, classes=3, seed=seed),
    "xor": lambda seed: datasets.make_xor(60, noise=0.1, seed=seed),
}


@pytest.mark.parametrize("name", MAKERS)
def test_the_same_seed_gives_the_same_arrays_and_another_seed_others(name):
    X, y = MAKERS[name](3)
    X_again, y_again = MAKERS[name](3)
    assert np.array_equal(X, X_again) and np.array_equal(y, y_again)
    assert not np.array_equal(X, MAKERS[name](4)[0])


@pytest.mark.parametrize("name", MAKERS)
def test_datasets_are_float_rows_of_two_with_integer_class_labels(name):
    X, y = MAKERS[name](0)
    assert X.shape == (60, 2) and X.dtype == np.float64
    assert y.shape == (60,) and y.dtype == np.int64
    classes = {"blobs": 4, "spiral": 3}.get(name, 2)
    assert set(y.tolist()) == set(range(classes))
    assert (np.diff(y) < 0).any()  # rows shuffled: the classes are not in blocks


@pytest.mark.parametrize("name", MAKERS)
def test_datasets_never_touch_numpys_global_random_state(name):
    state = np.random.get_state()[1].copy()
    MAKERS[name](0)
    MAKERS[name](None)
    assert np.array_equal(np.random.get_state()[1], state)


def test_seed_none_gives_fresh_data():
    assert not np.array_equal(datasets.make_moons(20, 0.1)[0], datasets.make_moons(20, 0.1)[0])


def test_moons_without_noise_lie_on_their_two_arcs():
    X, y = datasets.make_moons(101, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    assert len(upper) == 50 and len(lower) == 51
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0) and (upper[:, 1] >= 0).all()
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = datasets.make_circles(80, factor=0.3, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(radius[y == 0], 1.0) and np.allclose(radius[y == 1], 0.3)


def test_blobs_gather_around_their_own_centres():
    X, y = datasets.make_blobs(3000, centers=3, std=0.5, seed=1)
    for k in range(3):
        cluster = X[y == k]
        assert len(cluster) == 1000
        assert np.std(cluster, axis=0) == pytest.approx([0.5, 0.5], rel=0.1)
        assert (np.abs(np.mean(cluster, axis=0)) <= 3.0 + 0.1).all()


def test_spiral_arms_are_balanced_and_reach_radius_one():
    X, y = datasets.make_spiral(100, classes=4, seed=0)
    assert np.bincount(y).tolist() == [25, 25, 25, 25]
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() == pytest.approx(1.0) and radius.min() == 0.0


def test_xor_labels_say_whether_exactly_one_coordinate_is_positive():
    X, y = datasets.make_xor(200, seed=0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert (np.abs(X) <= 1).all()


def test_signed_labels_map_zero_one_to_minus_one_plus_one():
    assert datasets.signed_labels(np.array([0, 1, 1, 0])).tolist() == [-1, 1, 1, -1]
    with pytest.raises(ValueError, match="labels in \\{0, 1\\}"):
        datasets.signed_labels([0, 2])


def test_train_test_split_partitions_the_rows():
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.25, seed=0)
    assert len(X_test) == 5 and len(X_train) == 15
    assert sorted([*y_train, *y_test]) == list(range(20))
    assert np.array_equal(X_train[:, 0], 2 * y_train) and np.array_equal(X_test[:, 0], 2 * y_test)
    again = datasets.train_test_split(X, y, test_size=0.25, seed=0)
    assert np.array_equal(again[3], y_test)
    assert len(datasets.train_test_split(X, y, test_size=7, seed=0)[1]) == 7


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: datasets.train_test_split(np.zeros((4, 2)), np.zeros(3)), "same number of rows"),
        (lambda: datasets.train_test_split(np.zeros((4, 2)), np.zeros(4), 1.5), "test_size"),
        (lambda: datasets.train_test_split(np.zeros((4, 2)), np.zeros(4), 4), "no train"),
        (lambda: datasets.make_moons(1), "n_samples must be at least 2"),
        (lambda: datasets.make_moons(10, noise=-0.1), "noise must be at least 0"),
        (lambda: datasets.make_blobs(10, std=-1.0), "std must be at least 0"),
        (lambda: datasets.make_circles(10, factor=1.5), "factor must be in"),
        (lambda: datasets.make_spiral(10, classes=1), "classes must be at least 2"),
    ],
)
def test_bad_arguments_are_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_minibatches_cover_every_row_once_per_epoch_in_shuffled_order():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    batches = list(datasets.minibatches(X, y, batch_size=4, seed=0))
    assert [len(yb) for _, yb in batches] == [4, 4, 2]
    order = [int(i) for _, yb in batches for i in yb]
    assert sorted(order) == list(range(10)) and order != list(range(10))
    for X_batch, y_batch in batches:
        assert np.array_equal(X_batch[:, 0], 2 * y_batch)
    again = [yb.tolist() for _, yb in datasets.minibatches(X, y, batch_size=4, seed=0)]
    assert again == [yb.tolist() for _, yb in batches]
