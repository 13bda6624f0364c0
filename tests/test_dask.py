"""Fitting and predicting on dask arrays, on a local two-worker Dask cluster."""

import re
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.preprocessing import StandardScaler

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
from dask.sizeof import sizeof  # noqa: E402

from sklearn_bce import BCELogisticRegression, _dask, _validation  # noqa: E402
from sklearn_bce._dask import is_dask_array, predict_dask  # noqa: E402

N_SAMPLES, N_FEATURES = 3000, 6
CHUNK_ROWS = 800


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: runs side by side never clash
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def make_data(n_classes, dtype=np.float64, seed=0):
    """Well-conditioned standardised data, so that tol pins the coefficients."""
    X, y = make_classification(
        N_SAMPLES,
        N_FEATURES,
        n_informative=N_FEATURES,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )
    X = StandardScaler().fit_transform(X).astype(dtype)
    weight = np.random.default_rng(seed).uniform(0.5, 2.0, N_SAMPLES)
    return X, y, weight


def as_dask(array):
    chunks = (CHUNK_ROWS, *array.shape[1:])
    return da.from_array(array, chunks=chunks)


def fit_both(X, y, weight=None, **params):
    numpy_model = BCELogisticRegression(**params).fit(X, y, sample_weight=weight)
    dask_weight = None if weight is None else as_dask(weight)
    dask_model = BCELogisticRegression(**params).fit(
        as_dask(X), as_dask(y), sample_weight=dask_weight
    )
    return numpy_model, dask_model


@pytest.mark.parametrize("n_classes", [2, 3])
def test_fit_matches_numpy_fit(client, n_classes):
    X, y, weight = make_data(n_classes)
    numpy_model, dask_model = fit_both(X, y, weight, tol=1e-10, max_iter=2000)

    assert dask_model.converged_.all()
    np.testing.assert_array_equal(dask_model.classes_, numpy_model.classes_)
    assert dask_model.coef_.shape == numpy_model.coef_.shape
    np.testing.assert_allclose(dask_model.coef_, numpy_model.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(
        dask_model.intercept_, numpy_model.intercept_, rtol=0, atol=1e-8
    )
    assert dask_model.n_features_in_ == N_FEATURES
    assert dask_model.loss_curve_.shape[-1] == dask_model.n_iter_.max()
    np.testing.assert_allclose(
        np.nanmin(dask_model.loss_curve_, axis=-1),
        np.nanmin(numpy_model.loss_curve_, axis=-1),
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "gd"},
        {"solver": "gd", "learning_rate": 0.5, "fit_intercept": False},
        {"solver": "nesterov", "learning_rate": 0.3, "C": 0.05},
    ],
)
def test_fixed_iterations_take_the_numpy_steps(client, params):
    # Without a line search the steps do not depend on rounding decisions:
    # after the same number of iterations, the same coefficients.
    X, y, weight = make_data(3)
    numpy_model, dask_model = fit_both(X, y, weight, tol=0, max_iter=25, **params)
    np.testing.assert_array_equal(dask_model.n_iter_, [25, 25, 25])
    np.testing.assert_allclose(dask_model.coef_, numpy_model.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        dask_model.loss_curve_, numpy_model.loss_curve_, rtol=1e-12
    )


@pytest.mark.parametrize(
    "params",
    [
        {"l1_ratio": 0.5, "C": 0.1},
        {"class_weight": "balanced"},
        {"class_weight": {0: 2.0, 1: 0.5}, "fit_intercept": False, "C": 10.0},
    ],
)
def test_penalties_and_class_weights_match_numpy(client, params):
    X, y, weight = make_data(2)
    numpy_model, dask_model = fit_both(X, y, weight, tol=1e-10, max_iter=2000, **params)
    assert dask_model.converged_.all()
    np.testing.assert_allclose(dask_model.coef_, numpy_model.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(
        dask_model.intercept_, numpy_model.intercept_, rtol=0, atol=1e-8
    )
    if params.get("l1_ratio"):
        np.testing.assert_array_equal(dask_model.coef_ == 0, numpy_model.coef_ == 0)


def test_warm_start_on_more_classes_raises_as_with_numpy(client):
    X, y, _ = make_data(2)
    model = BCELogisticRegression(warm_start=True).fit(as_dask(X), as_dask(y))
    y3 = np.where(X[:, 0] > 1, 2, y)
    with pytest.raises(ValueError, match=r"warm_start=True cannot start .* 3 classes"):
        model.fit(as_dask(X), as_dask(y3))
    assert model.coef_.shape == (1, X.shape[1])


def test_float32_is_kept(client):
    X, y, _ = make_data(2, dtype=np.float32)
    numpy_model, dask_model = fit_both(X, y, tol=1e-4)
    assert dask_model.coef_.dtype == np.float32
    assert dask_model.intercept_.dtype == np.float32
    np.testing.assert_allclose(dask_model.coef_, numpy_model.coef_, atol=1e-4)
    proba = dask_model.predict_proba(as_dask(X))
    assert proba.dtype == np.float32
    assert proba.compute().dtype == np.float32


def test_a_float32_curvature_that_underflows_keeps_the_model_finite(client):
    # A feature in units of 1e-24: its curvature bound (1e-48) rounded to 0 in
    # float32 and the model was NaN, as with numpy.
    X, y, _ = make_data(2, dtype=np.float32)
    X[:, 2] *= np.float32(1e-24)
    numpy_model, dask_model = fit_both(X, y, l1_ratio=1.0)
    assert np.isfinite(dask_model.coef_).all()
    assert dask_model.coef_[0, 2] == 0
    np.testing.assert_allclose(dask_model.coef_, numpy_model.coef_, atol=1e-4)


def test_numpy_labels_weights_and_column_chunks(client):
    # y and sample_weight may be numpy arrays; X chunked by columns is
    # rechunked to one chunk of columns.
    X, y, weight = make_data(2)
    expected = BCELogisticRegression(tol=1e-9).fit(X, y, sample_weight=weight)
    X_dask = da.from_array(X, chunks=(700, 2))
    model = BCELogisticRegression(tol=1e-9).fit(X_dask, y, sample_weight=weight)
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=0, atol=1e-7)
    # A column of labels: scikit-learn's warning, naming this line.
    with pytest.warns(DataConversionWarning, match="column-vector y") as record:
        model.fit(X_dask, y[:, None], sample_weight=weight)
    assert [w.filename for w in record] == [__file__]
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=0, atol=1e-7)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predictions_are_dask_arrays_equal_to_numpy(client, n_classes):
    X, y, weight = make_data(n_classes)
    model = BCELogisticRegression(tol=1e-6).fit(X, y, sample_weight=weight)
    X_dask = as_dask(X)
    for method in (
        "decision_function",
        "predict",
        "predict_proba",
        "predict_log_proba",
    ):
        expected = getattr(model, method)(X)
        result = getattr(model, method)(X_dask)
        assert is_dask_array(result), method
        assert result.shape == expected.shape, method
        assert result.dtype == expected.dtype, method
        computed = result.compute()
        if method == "predict":
            np.testing.assert_array_equal(computed, expected)
        else:
            np.testing.assert_allclose(computed, expected, rtol=1e-12, atol=1e-14)


def test_a_sparsified_model_predicts_dask_arrays(client):
    X, y, _ = make_data(3)
    model = BCELogisticRegression(l1_ratio=1.0, C=0.05).fit(X, y)
    expected = model.predict_proba(X)
    model.sparsify()
    result = model.predict_proba(as_dask(X)).compute()
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-14)


def test_multiclass_probabilities_do_not_underflow(client):
    X, y, _ = make_data(3)
    model = BCELogisticRegression().fit(X, y)
    model.coef_ = np.zeros_like(model.coef_)
    model.intercept_ = np.array([-1000.0, -1010.0, -990.0])
    for method in ("predict_proba", "predict_log_proba"):
        result = getattr(model, method)(as_dask(X)).compute()
        assert np.isfinite(result).all()
        np.testing.assert_allclose(result, getattr(model, method)(X), rtol=1e-12)
    np.testing.assert_allclose(
        model.predict_proba(X[:1]), [[np.exp(-10), np.exp(-20), 1.0]], rtol=1e-4
    )


def test_string_labels(client):
    X, y, _ = make_data(3)
    labels = np.array(["ant", "bee", "cat"])[y]
    expected = BCELogisticRegression().fit(X, labels)
    model = BCELogisticRegression().fit(
        as_dask(X), da.from_array(labels, chunks=CHUNK_ROWS)
    )
    np.testing.assert_array_equal(model.classes_, expected.classes_)
    predicted = model.predict(as_dask(X)).compute()
    np.testing.assert_array_equal(predicted, expected.predict(X))


def test_fit_never_gathers_X(client, monkeypatch):
    # Everything the client receives during the fit is recorded: only small
    # reductions (coefficient-sized sums, the classes) may come back, never X
    # or a chunk of it.
    X, y, weight = make_data(2)
    X_dask = as_dask(X).persist()
    received = []
    gather = client.gather

    def recording_gather(futures, *args, **kwargs):
        result = gather(futures, *args, **kwargs)
        received.append(sizeof(result))
        return result

    monkeypatch.setattr(client, "gather", recording_gather)
    model = BCELogisticRegression(tol=1e-8).fit(X_dask, as_dask(y), as_dask(weight))
    monkeypatch.undo()

    assert model.converged_.all()
    # One gather per pass over X, all of them on the cluster's client.
    assert len(received) > model.n_iter_[0]
    chunk_bytes = CHUNK_ROWS * N_FEATURES * X.itemsize
    assert max(received) < chunk_bytes / 10


def test_separated_classes_without_a_penalty_warn_as_with_numpy(client):
    # Setosa against the rest (one of three one-vs-rest problems), with the
    # one sample that breaks a separation weighing nothing.
    X, y = load_iris(return_X_y=True)
    weight = np.ones(len(y))

    def messages(X, y, weight):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            BCELogisticRegression(C=np.inf).fit(X, y, sample_weight=weight)
        return [str(w.message) for w in record if w.category is ConvergenceWarning]

    expected = messages(X, y, weight)
    assert expected[0].startswith(
        "The one-vs-rest model for classes [0] separates its class from the others"
    )
    assert messages(as_dask(X), as_dask(y), as_dask(weight)) == expected
    binary = np.where(y == 0, 0, 1)
    binary[0], weight[0] = 1, 0.0
    expected = messages(X, binary, weight)
    assert len(expected) == 1
    assert messages(as_dask(X), as_dask(binary), as_dask(weight)) == expected
    weight[0] = 1.0
    assert messages(as_dask(X), as_dask(binary), as_dask(weight)) == []


def test_divergence_is_reported_as_with_numpy(client):
    X, y, _ = make_data(2)
    X = X * 10
    with pytest.warns(ConvergenceWarning, match="diverged"):
        expected = BCELogisticRegression(learning_rate=1e3, max_iter=50).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model = BCELogisticRegression(learning_rate=1e3, max_iter=50).fit(
            as_dask(X), as_dask(y)
        )
    np.testing.assert_array_equal(model.stop_reason_, expected.stop_reason_)
    np.testing.assert_array_equal(model.n_iter_, expected.n_iter_)
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-10)


def test_wide_correlated_features_switch_metric_as_with_numpy(
    client, correlated_wide_data
):
    # Beyond 256 coefficients the full bound takes over after 50 iterations
    # on its diagonal, on the cluster as in memory.
    X, y = correlated_wide_data(n_classes=3)
    expected = BCELogisticRegression(tol=1e-8).fit(X, y)
    model = BCELogisticRegression(tol=1e-8).fit(as_dask(X), as_dask(y))
    assert (expected.n_iter_ < 100).all()
    np.testing.assert_array_equal(model.n_iter_, expected.n_iter_)
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_X_raises(client, bad):
    X, y, _ = make_data(2)
    X[2500, 3] = bad
    with pytest.raises(ValueError, match="NaN" if np.isnan(bad) else "infinity"):
        BCELogisticRegression().fit(as_dask(X), as_dask(y))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["64", "32"])
def test_values_too_large_for_the_products_are_refused(client, dtype):
    # The bound of the numpy engine, sqrt(max / (16 n_samples (n_features +
    # 1))), here from the chunks' extremes: just above it, in one chunk.
    X, y, _ = make_data(2, dtype=dtype)
    X[2500, 3] = 1.01 * np.sqrt(
        float(np.finfo(dtype).max) / 16 / (N_SAMPLES * (N_FEATURES + 1))
    )
    match = rf"too large for {np.dtype(dtype).name} arithmetic"
    with pytest.raises(ValueError, match=match):
        BCELogisticRegression().fit(as_dask(X), as_dask(y))
    X[2500, 3] *= -1  # the smallest value counts as much
    with pytest.raises(ValueError, match=match):
        BCELogisticRegression().fit(as_dask(X), as_dask(y))


def test_checking_chunks_in_threads_leaves_the_warning_filters_alone():
    # Dask checks chunks in worker threads; warnings.catch_warnings is not
    # thread-safe, so a check that used it could leave its filter installed
    # for the whole process (silencing the user's own warnings).
    from sklearn_bce._dask import _chunk_check

    chunk = np.full((2000, 4), np.nan)  # all NaN but one: nanmax would warn
    chunk[0, 0] = np.inf
    n_threads, n_checks = 8, 100
    flags = []

    def check(barrier):
        barrier.wait()
        flags.extend(_chunk_check(chunk) for _ in range(n_checks))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch inside the checks
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning in a thread: a short count
            before = list(warnings.filters)
            for _ in range(20):
                barrier = threading.Barrier(n_threads)
                threads = [
                    threading.Thread(target=check, args=(barrier,))
                    for _ in range(n_threads)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                assert warnings.filters == before
    finally:
        sys.setswitchinterval(interval)
    assert len(flags) == 20 * n_threads * n_checks
    np.testing.assert_array_equal(flags[0], [[1.0, 1.0, np.inf, np.inf]])


def test_bad_labels_and_weights_raise(client):
    X, y, weight = make_data(2)
    X_dask, y_dask = as_dask(X), as_dask(y)
    with pytest.raises(ValueError, match="only one class"):
        BCELogisticRegression().fit(X_dask, as_dask(np.zeros_like(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        BCELogisticRegression().fit(X_dask, as_dask(X[:, 0]))
    weight[10] = -1.0
    with pytest.raises(ValueError, match="Negative"):
        BCELogisticRegression().fit(X_dask, y_dask, sample_weight=as_dask(weight))
    with pytest.raises(ValueError, match=r"^Sample weights must contain at least one"):
        BCELogisticRegression().fit(
            X_dask, y_dask, sample_weight=as_dask(np.zeros(N_SAMPLES))
        )
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        BCELogisticRegression().fit(X_dask, y_dask[:-1])
    # A column of weights, as numpy input: scikit-learn's error, not a fit.
    with pytest.raises(ValueError, match="Sample weights must be 1D array or scalar"):
        BCELogisticRegression().fit(X_dask, y_dask, sample_weight=weight[:, None])
    with pytest.raises(ValueError, match="batch_size"):
        BCELogisticRegression(batch_size=100).fit(X_dask, y_dask)
    with pytest.raises(ValueError, match="early_stopping"):
        BCELogisticRegression(early_stopping=True).fit(X_dask, y_dask)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_labels_raise_as_numpy_without_a_warning(bad):
    X, y, _ = make_data(2)
    y = y.astype(np.float64)
    y[7] = bad
    messages = []
    for X_fit, y_fit in [(X, y), (as_dask(X), as_dask(y))]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no cast of NaN to an integer first
            with pytest.raises(ValueError, match="Input y contains") as error:
                BCELogisticRegression().fit(X_fit, y_fit)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_missing_or_scalar_labels_raise_as_numpy():
    X, _, _ = make_data(2)
    for labels, message in [
        (None, "requires y to be passed, but the target y is None"),
        (1, r"y should be a 1d array, got an array of shape \(\) instead"),
    ]:
        for X_fit in (X, as_dask(X)):
            with pytest.raises(ValueError, match=message):
                BCELogisticRegression().fit(X_fit, labels)


def test_a_scalar_weight_weighs_every_row_as_numpy():
    X, y, _ = make_data(2)
    expected = BCELogisticRegression(C=0.01).fit(X, y, sample_weight=3.0)
    for weight in (3.0, np.float32(3.0), da.from_array(np.array(3.0))):
        model = BCELogisticRegression(C=0.01).fit(as_dask(X), y, sample_weight=weight)
        np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-12)
        assert model.n_iter_ == expected.n_iter_


def test_a_scalar_weight_is_not_made_on_the_client():
    # A vector of n weights built on the client would be shipped in the
    # graph: made where the chunks are, it costs the client nothing.
    import tracemalloc

    X = da.zeros((4_000_000, 2), chunks=(1_000_000, 2))
    tracemalloc.start()
    try:
        weight = _dask._rows_like(2.0, X, "sample_weight", dtype=np.float64)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # the vector: 32 MB
    assert weight.chunks == X.chunks[:1]
    assert float(weight[-1].compute()) == 2.0


@pytest.mark.parametrize(
    "n_samples, warns", [(1000, False), (30, True), (20, False), (21, True)]
)
def test_many_classes_warn_by_the_number_of_samples_as_numpy(n_samples, warns):
    # scikit-learn's warning that y may be a regression target: more classes
    # than half the samples (and more than 20 samples), not more than 20
    # classes.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 3))
    y = np.arange(n_samples) % 25
    for X_fit in (X, as_dask(X)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            BCELogisticRegression(max_iter=2).fit(X_fit, y)
        messages = [str(w.message) for w in caught]
        assert any("could represent a regression" in m for m in messages) == warns


def test_chunk_curvature_sums_need_little_memory_beyond_the_chunk():
    # The curvature pass ran on float64 copies of the whole chunk (six times
    # a float32 chunk): workers that ran the descent fine were killed by it.
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 25)).astype(np.float32)
    weight = rng.uniform(0.5, 2.0, len(X)).astype(np.float32)
    X64, w64 = X.astype(np.float64), weight.astype(np.float64)
    X1 = np.hstack([X64, np.ones((len(X), 1))])
    expected = {
        _dask._chunk_gram: (X1.T @ (X1 * w64[:, None])).ravel(),
        _dask._chunk_squares: w64 @ (X1 * X1),
    }
    for function, values in expected.items():
        tracemalloc.start()
        try:
            result = function(X, weight, fit_intercept=True)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # The float64 weights and a few float64 blocks: a quarter of the
        # chunk, and the traced peak also counts what the process's other
        # threads (the Dask cluster's) allocate meanwhile.  Half the chunk
        # still refuses one float64 copy of it (twice the chunk).
        assert peak < 0.5 * X.nbytes, function.__name__
        np.testing.assert_allclose(result.ravel(), values, rtol=1e-10)


def test_an_overflowing_float32_weight_sum_is_named_as_numpy():
    X, y, _ = make_data(2, dtype=np.float32)
    weight = np.full(N_SAMPLES, 1e36)
    for X_fit in (X, as_dask(X)):
        with pytest.raises(ValueError, match=r"sum to 3e\+39, too large for float32"):
            BCELogisticRegression().fit(X_fit, y, sample_weight=weight)


@pytest.mark.parametrize(
    "class_weight", [{0: -1.0, 1: 1.0}, {0: -0.5, 1: 1.0}], ids=["sum-zero", "negative"]
)
def test_negative_class_weight_is_refused_by_name_as_numpy(client, class_weight):
    # As test_errors' numpy case: refused before the weights are used, not by
    # a later check that the negative weights trip (their sum, the loss).
    X, y, _ = make_data(2)
    message = (
        "class_weight must give finite, non-negative sample weights; got class "
        f"weights {class_weight}."
    )
    for X_fit, y_fit in [(X, y), (as_dask(X), as_dask(y))]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
                BCELogisticRegression(class_weight=class_weight).fit(X_fit, y_fit)


def test_class_weights_whose_weights_overflow_are_named_as_numpy(client):
    X, y, _ = make_data(2)
    model = BCELogisticRegression(class_weight={0: 1e308, 1: 1e308})
    for X_fit, y_fit in [(X, y), (as_dask(X), as_dask(y))]:
        with pytest.raises(
            ValueError, match=r"^The sample weights times their class weights sum to"
        ):
            model.fit(X_fit, y_fit)


@pytest.mark.parametrize(
    "dtype, sample_weight", [(np.float32, None), (np.float64, 1e10)]
)
def test_class_weights_whose_products_overflow_are_refused_as_numpy(
    client, dtype, sample_weight
):
    # Finite class weights times the sample weights overflow the dtype: Dask
    # leaked numpy's overflow warning and called the finite weights not finite.
    X, y, _ = make_data(2)
    X = X.astype(dtype)
    weight = None if sample_weight is None else np.full(len(y), sample_weight)
    model = BCELogisticRegression(class_weight={0: 1e300, 1: 1.0})
    message = (
        f"The sample weights times their class weights overflow "
        f"{np.dtype(dtype).name}: got class weights {{0: 1e+300, 1: 1.0}}; "
        "rescale the sample or class weights"
    )
    dask_weight = None if weight is None else as_dask(weight)
    for X_fit, y_fit, w in [(X, y, weight), (as_dask(X), as_dask(y), dask_weight)]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
                model.fit(X_fit, y_fit, sample_weight=w)


@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 2.0, 2: 0.5}, "balanced"])
def test_class_weights_without_weighted_counts_fit_as_numpy(
    client, monkeypatch, class_weight
):
    # scikit-learn 1.8's compute_class_weight takes no sample_weight: a dict
    # class_weight crashed the Dask fit there (np.repeat of no counts).
    monkeypatch.setattr(_dask, "_CLASS_WEIGHT_TAKES_SAMPLE_WEIGHT", False)
    monkeypatch.setattr(_validation, "_CLASS_WEIGHT_TAKES_SAMPLE_WEIGHT", False)
    X, y, _ = make_data(3)
    model = BCELogisticRegression(class_weight=class_weight)
    expected = clone(model).fit(X, y)
    fitted = model.fit(as_dask(X), as_dask(y))
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=1e-9)
    np.testing.assert_allclose(fitted.intercept_, expected.intercept_, rtol=1e-9)


def test_huge_weights_fit_as_their_ratios_with_c_scaled_as_numpy(client):
    # Weights times 1e303 and C divided by it: the numpy fit's objective,
    # whose X^T (s * residual) would overflow before dividing by sum(s).
    X, y, weight = make_data(2)
    X = X * 1e4
    params = {"max_iter": 50, "tol": 0, "solver": "gd"}
    expected = BCELogisticRegression(C=1e-3, **params).fit(X, y, sample_weight=weight)
    model = BCELogisticRegression(C=1e-306, **params).fit(
        as_dask(X), as_dask(y), sample_weight=as_dask(weight * 1e303)
    )
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, rtol=1e-9)


def test_balanced_weights_of_a_class_without_weight_are_refused_as_numpy(client):
    # "balanced" divides by each class's total weight, zero for class 1 here.
    X, y, _ = make_data(3)
    weight = np.where(y == 1, 0.0, 1.0)
    model = BCELogisticRegression(class_weight="balanced")
    for X_fit, y_fit, w in [(X, y, weight), (as_dask(X), as_dask(y), as_dask(weight))]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError, match="class 1 has no sample with a"):
                model.fit(X_fit, y_fit, sample_weight=w)


def test_a_logit_of_zero_predicts_the_first_class_as_numpy():
    # A tie (probability 1/2) goes to classes_[0], as numpy's predict and
    # LogisticRegression's.
    X = np.array([[-1.0], [1.0], [0.0]])
    y = np.array(["no", "yes", "yes"])
    model = BCELogisticRegression().fit(X, y)
    model.coef_[:] = 1.0
    model.intercept_[:] = 0.0
    assert model.decision_function(X)[-1] == 0.0
    predicted = model.predict(da.from_array(X, chunks=2)).compute(scheduler="sync")
    np.testing.assert_array_equal(predicted, ["no", "yes", "no"])
    np.testing.assert_array_equal(predicted, model.predict(X))


def test_predict_checks_the_number_of_features(client):
    X, y, _ = make_data(2)
    model = BCELogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(as_dask(X[:, :-1]))
    with pytest.raises(ValueError, match="method"):
        predict_dask(model, as_dask(X), "score")


def test_predict_warns_of_missing_feature_names_as_numpy(monkeypatch):
    pd = pytest.importorskip("pandas")
    X, y, _ = make_data(2)
    names = [f"x{j}" for j in range(X.shape[1])]
    model = BCELogisticRegression().fit(pd.DataFrame(X, columns=names), y)
    monkeypatch.setattr(da.Array, "compute", lambda *a, **k: pytest.fail("computed"))
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.warns(UserWarning, match="X does not have valid feature names"):
            getattr(model, method)(as_dask(X))
    model = BCELogisticRegression().fit(X, y)  # no names: nothing to warn about
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(as_dask(X))


def test_is_dask_array_does_not_import_dask():
    assert is_dask_array(da.zeros(3))
    assert not is_dask_array(np.zeros(3))
    code = (
        "import sys, numpy as np, sklearn_bce\n"
        "from sklearn_bce._dask import is_dask_array\n"
        "assert not is_dask_array(np.zeros(3))\n"
        "from sklearn_bce import BCELogisticRegression\n"
        "BCELogisticRegression().fit(np.eye(4), [0, 1, 0, 1])\n"
        "print('dask' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_accelerated_descent_keeps_no_logits_for_dask(client):
    # The Dask sweep recomputes the previous logits from X: the engine must
    # not hold an (n_samples, K) array on the client.
    from sklearn_bce._dask import DaskBCEObjective
    from sklearn_bce._loss import BCEObjective
    from sklearn_bce._solver import ScalarMetric, _Descent

    X, y, weight = make_data(2)
    Y = (y == 1).astype(X.dtype)[:, None]
    coef = np.zeros((X.shape[1] + 1, 1))
    metric = ScalarMetric([0.5])
    dask_objective = DaskBCEObjective(
        as_dask(X), as_dask(Y), as_dask(weight), 1.0, 0.0, True
    )
    numpy_objective = BCEObjective(X, Y, weight, 1.0, 0.0, True)
    assert _Descent(dask_objective, coef, metric, True, False).logits is None
    assert _Descent(numpy_objective, coef, metric, True, False).logits.shape == (
        len(y),
        1,
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_predicting_non_finite_X_raises_as_numpy(bad):
    X, y, _ = make_data(2)
    model = BCELogisticRegression().fit(X, y)
    X[1234, 2] = bad
    match = "Input X contains " + ("NaN" if np.isnan(bad) else "infinity")
    with pytest.raises(ValueError, match=match):
        model.predict(X)
    for method in ("predict", "predict_proba", "decision_function"):
        lazy = getattr(model, method)(as_dask(X))  # raised when computed
        with pytest.raises(ValueError, match=match):
            lazy.compute(scheduler="sync")


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_predicting_keeps_the_assume_finite_of_the_call(scheduler):
    # scikit-learn's configuration is the calling thread's; dask's worker
    # threads follow the one in force where the prediction was asked for.
    X, y, _ = make_data(2)
    model = BCELogisticRegression().fit(X, y)
    X[1234, 2] = np.nan
    with config_context(assume_finite=True):
        expected = model.predict(X)
        lazy = model.predict(as_dask(X))
    np.testing.assert_array_equal(lazy.compute(scheduler=scheduler), expected)
    lazy = model.predict(as_dask(X))
    with config_context(assume_finite=True):
        with pytest.raises(ValueError, match="Input X contains NaN"):
            lazy.compute(scheduler=scheduler)


def test_predicting_rows_of_unknown_count_stays_lazy(monkeypatch):
    X, y, _ = make_data(3)
    model = BCELogisticRegression().fit(X, y)
    X_dask = as_dask(X)
    selected = X_dask[X_dask[:, 0] > 0]  # chunks of unknown size
    monkeypatch.setattr(
        da.Array, "compute_chunk_sizes", lambda self: pytest.fail("computed X")
    )
    proba = model.predict_proba(selected)
    assert np.isnan(proba.shape[0])
    expected = model.predict_proba(X[X[:, 0] > 0])
    np.testing.assert_allclose(proba.compute(scheduler="sync"), expected, rtol=1e-12)


def test_weights_are_computed_once_for_the_scheduler(client):
    # Weights read by several computations are persisted once: computed in
    # separate calls, their graph was fused differently each time and the
    # distributed scheduler warned of "different run_spec" for their keys.
    import logging

    X, y, weight = make_data(2, seed=3)
    X_dask, y_dask = as_dask(X).persist(), as_dask(y)
    messages = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = logging.getLogger("distributed.scheduler")
    logger.addHandler(handler)
    try:
        BCELogisticRegression(class_weight="balanced").fit(X_dask, y_dask)
        BCELogisticRegression(class_weight={0: 2.0, 1: 1.0}).fit(X_dask, y_dask)
        BCELogisticRegression().fit(X_dask, y_dask, sample_weight=weight)
    finally:
        logger.removeHandler(handler)
    assert not [message for message in messages if "run_spec" in message]


def test_labels_of_several_types_and_object_X_as_numpy(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 2))
    mixed = np.array([0, "a"] * 3, dtype=object)
    with pytest.raises(ValueError, match="Unknown label type"):
        BCELogisticRegression().fit(X, mixed)
    with pytest.raises(ValueError, match="Unknown label type"):
        BCELogisticRegression().fit(
            da.from_array(X, chunks=(3, 2)), da.from_array(mixed, chunks=3)
        )
    # Numbers as objects (a dask DataFrame's mixed columns) are cast.
    y = np.array([0, 1] * 3)
    numbers = X.astype(object)
    dask_model = BCELogisticRegression().fit(da.from_array(numbers, chunks=(3, 2)), y)
    numpy_model = BCELogisticRegression().fit(numbers, y)
    np.testing.assert_allclose(dask_model.coef_, numpy_model.coef_, atol=1e-12)


def test_trace_fallback_bound_equals_numpy(client, monkeypatch):
    # Above MAX_GRAM_COEF coefficients, when Lanczos fails, both engines
    # bound lambda_max by the Gram matrix's trace: the same step 1/L.
    from scipy.sparse.linalg import ArpackNoConvergence

    from sklearn_bce import _dask, _loss

    def no_convergence(*args, **kwargs):
        raise ArpackNoConvergence("no convergence", [], [])

    monkeypatch.setattr(_loss, "eigsh", no_convergence)  # both engines' Lanczos
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, _dask.MAX_GRAM_COEF + 100))
    y = (rng.random(60) < 0.5).astype(float)[:, None]
    weight = rng.uniform(0.5, 2.0, 60)
    for C in (1.0, 0.01):
        numpy_bound = _loss.BCEObjective(X, y, weight, C, 0.0, True).smoothness_bound()
        dask_bound = _dask.DaskBCEObjective(
            da.from_array(X, chunks=(30, -1)),
            da.from_array(y, chunks=(30, 1)),
            da.from_array(weight, chunks=30),
            C,
            0.0,
            True,
        ).smoothness_bound()
        np.testing.assert_allclose(dask_bound, numpy_bound, rtol=1e-10)


def test_fit_refuses_a_dask_array_of_sparse_chunks_clearly():
    # Predicting takes them (each chunk is predicted as sparse input).
    import scipy.sparse as sp

    X, y = make_classification(300, 5, random_state=0)
    dense = da.from_array(X, chunks=(100, 5))
    chunked = dense.map_blocks(sp.csr_matrix)
    model = BCELogisticRegression()
    with pytest.raises(TypeError, match=r"dask array of scipy\.sparse chunks"):
        model.fit(chunked, y)
    # Also when the array's meta does not say so.
    chunked._meta = dense._meta
    with pytest.raises(TypeError, match=r"dask array of scipy\.sparse chunks"):
        model.fit(chunked, y)
    fitted = model.fit(dense, y)
    np.testing.assert_array_equal(fitted.predict(chunked).compute(), fitted.predict(X))
