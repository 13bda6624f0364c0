"""The Dask engine's objective and checks against the numpy engine's.

These run on Dask's synchronous scheduler (no cluster): the objective's
curvature bounds, weights, the validation of X, the estimator's state and
options on dask input.
"""

import contextlib
import io
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

from sklearn_bce import BCELogisticRegression, _dask, _loss  # noqa: E402


@pytest.fixture(autouse=True)
def sync_scheduler():
    with dask.config.set(scheduler="synchronous"):
        yield


def data(n=600, p=5, n_classes=2, seed=0):
    X, y = make_classification(
        n, p, n_informative=p, n_redundant=0, n_classes=n_classes, random_state=seed
    )
    X = StandardScaler().fit_transform(X)
    w = np.random.default_rng(seed).uniform(0.5, 2.0, n)
    return X, y, w


def chunked(a, rows=200):
    return da.from_array(a, chunks=(rows, *a.shape[1:]))


# -- curvature bounds: the dask objective against the numpy one -----------------
def wide_problem():
    rng = np.random.RandomState(0)
    n, p = 1500, 300
    X = np.sqrt(0.01) * rng.randn(n, p) + np.sqrt(0.99) * rng.randn(n, 1)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = (X @ rng.randn(p) / np.sqrt(p) + rng.logistic(size=n) > 0).astype(float)
    w = np.random.default_rng(0).uniform(0.5, 2.0, n)
    return X, y[:, None], w


@pytest.mark.parametrize("C", [1.0, 1e-3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_diagonal_bound_equals_numpy_with_weights(C, fit_intercept):
    # Weighted squares and intercept entry, the penalty on the features
    # only: the numpy objective's diagonal bound, entry by entry.
    X, Y, w = wide_problem()
    expected = _loss.BCEObjective(
        X, Y, w, C, 0.0, fit_intercept
    ).hessian_bound_diagonal()
    got = _dask.DaskBCEObjective(
        chunked(X, 500), chunked(Y, 500), chunked(w, 500), C, 0.0, fit_intercept
    ).hessian_bound_diagonal()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_wide_weighted_fit_takes_the_numpy_steps():
    # The same diagonal bound makes the same steps: the numpy fit's.
    X, Y, w = wide_problem()
    y = Y[:, 0]
    expected = BCELogisticRegression(tol=1e-8).fit(X, y, sample_weight=w)
    model = BCELogisticRegression(tol=1e-8).fit(
        chunked(X, 500), chunked(y, 500), sample_weight=chunked(w, 500)
    )
    np.testing.assert_array_equal(model.n_iter_, expected.n_iter_)
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("C", [1.0, 0.01])
def test_lanczos_bound_equals_numpy(C):
    # Above MAX_GRAM_COEF, where Lanczos iterates the weighted Gram product
    # over the chunks: the numpy objective's bound.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, _dask.MAX_GRAM_COEF + 100))
    y = (rng.random(60) < 0.5).astype(float)[:, None]
    w = rng.uniform(0.5, 2.0, 60)
    expected = _loss.BCEObjective(X, y, w, C, 0.0, True).smoothness_bound()
    got = _dask.DaskBCEObjective(
        chunked(X, 30), chunked(y, 30), chunked(w, 30), C, 0.0, True
    ).smoothness_bound()
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_gram_bound_is_exact_up_to_max_gram_coef():
    # n_coef == MAX_GRAM_COEF still takes the exact eigenvalue.
    rng = np.random.default_rng(0)
    n, p = 60, _dask.MAX_GRAM_COEF - 1
    X = rng.normal(size=(n, p))
    y = (rng.random(n) < 0.5).astype(float)[:, None]
    w = rng.uniform(0.5, 2.0, n)
    objective = _dask.DaskBCEObjective(
        chunked(X, 30), chunked(y, 30), chunked(w, 30), 1.0, 0.0, True
    )
    bounds, _ = objective.hessian_bound()
    exact = np.linalg.eigvalsh(bounds[0])[-1]
    np.testing.assert_allclose(objective.smoothness_bound(), [exact], rtol=1e-10)


# -- weights --------------------------------------------------------------------
@pytest.mark.parametrize("C", [1.0, 0.01])
def test_scalar_sample_weight_fits_as_numpy(C):
    # A scalar sample_weight scales every sample, against the penalty.
    X, y, _ = data()
    expected = BCELogisticRegression(C=C, tol=1e-10).fit(X, y, sample_weight=5.0)
    model = BCELogisticRegression(C=C, tol=1e-10).fit(
        chunked(X), chunked(y), sample_weight=5.0
    )
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, rtol=0, atol=1e-8)


def test_integer_sample_weights_with_class_weights_fit_as_numpy():
    # Integer sample weights times fractional class weights: not truncated.
    X, y, _ = data()
    wi = np.random.default_rng(1).integers(1, 4, len(y))
    model = BCELogisticRegression(class_weight={0: 2.5, 1: 0.5}, tol=1e-10)
    expected = clone(model).fit(X, y, sample_weight=wi)
    fitted = model.fit(chunked(X), chunked(y), sample_weight=chunked(wi))
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=0, atol=1e-8)


@pytest.mark.parametrize("bad, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_sample_weight_is_refused_by_name(bad, match):
    # Named as numpy names them, not as a sum that is too large.
    X, y, w = data()
    w[5] = bad
    with pytest.raises(ValueError, match=rf"^Input sample_weight contains .*{match}"):
        BCELogisticRegression().fit(chunked(X), chunked(y), sample_weight=chunked(w))


def test_all_zero_and_zero_class_weights_are_refused_by_name():
    # The right one of the two "no positive weight" errors.
    X, y, _ = data()
    with pytest.raises(
        ValueError,
        match=r"^Sample weights must contain at least one (non-zero|positive)",
    ):
        BCELogisticRegression().fit(
            chunked(X), chunked(y), sample_weight=np.zeros(len(y))
        )
    with pytest.raises(
        ValueError, match=r"^class_weight and sample_weight leave no sample"
    ):
        BCELogisticRegression(class_weight={0: 0.0, 1: 0.0}).fit(chunked(X), chunked(y))


# -- validation of X ------------------------------------------------------------
def test_nan_is_named_before_any_pass():
    # The NaN of one chunk among several, named by the fit's own check
    # before any pass (a later failure would say "must not contain infs or
    # NaNs").
    X, y, _ = data()
    X[450, 3] = np.nan
    with pytest.raises(ValueError, match=r"^Input X contains NaN\.$"):
        BCELogisticRegression().fit(chunked(X), chunked(y))


def test_complex_and_empty_x_are_refused_as_numpy():
    # Complex X, no rows and no columns: numpy's errors.
    X, y, _ = data()
    for X_complex in (X.astype(complex), chunked(X.astype(complex))):
        with pytest.raises(ValueError, match=r"^Complex data not supported"):
            BCELogisticRegression().fit(X_complex, y)
    with pytest.raises(ValueError, match="0 sample"):
        BCELogisticRegression().fit(chunked(X)[:0], chunked(y)[:0])
    with pytest.raises(ValueError, match="0 feature"):
        BCELogisticRegression().fit(chunked(X)[:, :0], chunked(y))


def _weights(value):
    w = np.ones(600)
    w[5] = value
    return w


@pytest.mark.parametrize(
    "X_of, y_of, weight",
    [
        (lambda X: X, lambda y: y, np.zeros(600)),
        (lambda X: X, lambda y: y, _weights(np.nan)),
        (lambda X: X, lambda y: y, _weights(np.inf)),
        (lambda X: X, lambda y: y, _weights(-1.0)),
        (lambda X: X, lambda y: y, np.ones(500)),
        (lambda X: X[:, :0], lambda y: y, None),
        (lambda X: X[:0], lambda y: y[:0], None),
        (lambda X: X, lambda y: y[:500], None),
    ],
    ids=[
        "zero weights",
        "NaN weight",
        "infinite weight",
        "negative weight",
        "weights of another length",
        "0 features",
        "0 rows",
        "y of another length",
    ],
)
def test_bad_input_gets_numpy_s_message_word_for_word(X_of, y_of, weight):
    X, y, _ = data()
    with pytest.raises(ValueError) as numpy_error:
        BCELogisticRegression().fit(X_of(X), y_of(y), sample_weight=weight)
    with pytest.raises(ValueError) as dask_error:
        BCELogisticRegression().fit(
            X_of(chunked(X)), y_of(chunked(y)), sample_weight=weight
        )
    assert str(dask_error.value) == str(numpy_error.value)


def test_a_selection_leaving_an_empty_chunk_fits_as_numpy():
    # A boolean selection can leave a row chunk empty: it fits all the same.
    X, y, _ = data()
    keep = np.ones(len(y), bool)
    keep[200:400] = False  # the middle chunk keeps no row
    mask = chunked(keep)
    expected = BCELogisticRegression(tol=1e-10).fit(X[keep], y[keep])
    model = BCELogisticRegression(tol=1e-10).fit(chunked(X)[mask], chunked(y)[mask])
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=0, atol=1e-8)


# -- estimator state, options ---------------------------------------------------
def test_a_dask_refit_forgets_the_feature_names():
    # A refit on a dask array drops the names of an earlier DataFrame fit.
    pd = pytest.importorskip("pandas")
    X, y, _ = data()
    model = BCELogisticRegression().fit(pd.DataFrame(X, columns=list("abcde")), y)
    model.fit(chunked(X), chunked(y))
    assert not hasattr(model, "feature_names_in_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)


def test_verbose_prints_as_numpy():
    # verbose=2 prints every iteration on dask as on numpy.
    X, y, _ = data()
    counts = []
    for X_fit, y_fit in [(X, y), (chunked(X), chunked(y))]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            BCELogisticRegression(verbose=2, max_iter=12, tol=0).fit(X_fit, y_fit)
        counts.append(len(buf.getvalue().splitlines()))
    assert counts[0] == counts[1] >= 12


def test_callbacks_are_refused_with_dask(null_callback):
    # set_callbacks on a dask fit is refused, not ignored.
    X, y, _ = data()
    model = BCELogisticRegression().set_callbacks(null_callback)
    with pytest.raises(ValueError, match="set_callbacks is not supported with dask"):
        model.fit(chunked(X), chunked(y))


def test_predictions_declare_the_dtype_they_compute():
    # The lazy result's dtype is the one computed (float64 for a float64
    # model on float32 X), as numpy's.
    X, y, _ = data()
    model = BCELogisticRegression().fit(X, y)
    X32 = X.astype(np.float32)
    for method in ("predict_proba", "decision_function", "predict_log_proba"):
        lazy = getattr(model, method)(chunked(X32))
        expected = getattr(model, method)(X32)
        assert lazy.dtype == expected.dtype == lazy.compute().dtype, method


def test_messages_name_a_subclass_as_numpy_s_do():
    class Mine(BCELogisticRegression):
        pass

    X, y, _ = data()
    for X_in, y_in in ((X[:, :0], y), (chunked(X)[:, :0], chunked(y))):
        with pytest.raises(ValueError, match=r"is required by Mine\.$"):
            Mine().fit(X_in, y_in)
    with pytest.raises(ValueError, match=r"^This Mine estimator requires y"):
        Mine().fit(chunked(X), None)
