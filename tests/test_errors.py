"""Bad inputs and bad settings: each is refused with a message naming it.

Also the two ways a fit can end badly without an error: a fixed learning
rate that is too large (the objective diverges) and max_iter running out.
"""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_bce import BCELogisticRegression
from sklearn_bce._validation import _CLASS_WEIGHT_TAKES_SAMPLE_WEIGHT


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = np.arange(20) % 2
    return X, y


@pytest.fixture(scope="module")
def cancer_standardised():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def with_value(X, value, dtype=None):
    X = np.array(X, dtype=dtype, copy=True)
    X[3, 1] = value
    return X


# -- X ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, message",
    [
        (np.nan, "Input X contains NaN"),
        (np.inf, "Input X contains infinity"),
        (-np.inf, "Input X contains infinity"),
    ],
)
@pytest.mark.parametrize("container", ["dense", "sparse"])
def test_non_finite_x_is_refused(data, value, message, container):
    X, y = data
    X = with_value(X, value)
    if container == "sparse":
        X = sp.csr_matrix(X)
    with pytest.raises(ValueError, match=message):
        BCELogisticRegression().fit(X, y)


@pytest.mark.parametrize(
    "value, message",
    [(np.nan, "Input X contains NaN"), (np.inf, "Input X contains infinity")],
)
def test_non_finite_x_is_refused_at_prediction(data, value, message):
    X, y = data
    model = BCELogisticRegression().fit(X, y)
    for method in [
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
    ]:
        with pytest.raises(ValueError, match=message):
            getattr(model, method)(with_value(X, value))


def test_complex_x_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="Complex data not supported"):
        BCELogisticRegression().fit(X + 1j, y)


def test_string_x_is_refused(data):
    _, y = data
    X = np.array([["a", "b"]] * len(y))
    with pytest.raises(ValueError, match="could not convert string to float"):
        BCELogisticRegression().fit(X, y)


def test_three_dimensional_x_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="Found array with dim 3"):
        BCELogisticRegression().fit(X[:, :, None], y)


def test_one_dimensional_x_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        BCELogisticRegression().fit(X[:, 0], y)


def test_no_samples_is_refused():
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        BCELogisticRegression().fit(np.empty((0, 3)), np.empty(0))


def test_no_features_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match=r"0 feature\(s\)"):
        BCELogisticRegression().fit(X[:, :0], y)


@pytest.mark.parametrize(
    "dtype, value", [(np.float64, 1e200), (np.float32, 1e30)], ids=["64", "32"]
)
@pytest.mark.parametrize("container", ["dense", "sparse"])
def test_values_too_large_for_the_products_are_refused(data, dtype, value, container):
    X, y = data
    X = with_value(X, value, dtype=dtype)
    if container == "sparse":
        X = sp.csc_matrix(X)
    match = rf"too large for {np.dtype(dtype).name}.*Rescale the features"
    with pytest.raises(ValueError, match=match):
        BCELogisticRegression().fit(X, y)
    # Rescaled, the same data fits.
    model = BCELogisticRegression().fit(X / value, y)
    assert np.isfinite(model.coef_).all()


def test_wrong_number_of_features_at_prediction(data):
    X, y = data
    model = BCELogisticRegression().fit(X, y)
    for method in [
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
    ]:
        with pytest.raises(ValueError, match=r"X has 2 features, but .* expecting 3"):
            getattr(model, method)(X[:, :2])


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_prediction_before_fit(data, method):
    X, _ = data
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(BCELogisticRegression(), method)(X)


# -- y ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, message",
    [(np.nan, "Input y contains NaN"), (np.inf, "Input y contains infinity")],
)
def test_non_finite_y_is_refused(data, value, message):
    X, y = data
    y = y.astype(float)
    y[4] = value
    with pytest.raises(ValueError, match=message):
        BCELogisticRegression().fit(X, y)


def test_continuous_y_is_refused(data):
    X, _ = data
    with pytest.raises(ValueError, match="Unknown label type"):
        BCELogisticRegression().fit(X, X[:, 0])


@pytest.mark.parametrize("label", [0, "spam"])
def test_one_class_is_refused(data, label):
    X, _ = data
    with pytest.raises(ValueError, match=r"at least 2 classes.*only one class"):
        BCELogisticRegression().fit(X, np.full(len(X), label))


def test_inconsistent_lengths_are_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        BCELogisticRegression().fit(X, y[:-1])


# -- sample weights --------------------------------------------------------------------
@pytest.mark.parametrize(
    "make_weight, message",
    [
        (lambda n: np.r_[-1.0, np.ones(n - 1)], "Negative values in data passed"),
        (lambda n: np.r_[np.nan, np.ones(n - 1)], "Input sample_weight contains NaN"),
        (lambda n: np.r_[np.inf, np.ones(n - 1)], "sample_weight contains infinity"),
        (lambda n: np.zeros(n), "at least one (non-zero|positive)"),
        (lambda n: np.ones(n - 1), r"sample_weight\.shape"),
    ],
    ids=["negative", "nan", "inf", "all-zero", "wrong-length"],
)
def test_bad_sample_weight_is_refused(data, make_weight, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        BCELogisticRegression().fit(X, y, sample_weight=make_weight(len(y)))


NOT_FINITE_OR_NEGATIVE = (
    "class_weight must give finite, non-negative sample weights; got class weights "
)


@pytest.mark.parametrize(
    "class_weight, message",
    [
        (
            {0: 0.0, 1: 0.0},
            "class_weight and sample_weight leave no sample with a positive weight.",
        ),
        ({0: -1.0, 1: 1.0}, NOT_FINITE_OR_NEGATIVE + "{0: -1.0, 1: 1.0}."),
        ({0: -0.5, 1: 1.0}, NOT_FINITE_OR_NEGATIVE + "{0: -0.5, 1: 1.0}."),
        ({0: np.nan, 1: 1.0}, NOT_FINITE_OR_NEGATIVE + "{0: nan, 1: 1.0}."),
        ({0: 1.0, 1: np.inf}, NOT_FINITE_OR_NEGATIVE + "{0: 1.0, 1: inf}."),
    ],
    ids=["all-zero", "negative-sum-zero", "negative", "nan", "inf"],
)
def test_class_weight_giving_bad_sample_weights_is_refused(data, class_weight, message):
    # Class weights multiply the sample weights: the bad cases, reached through
    # the other door, are refused by name before any arithmetic warns (a
    # negative weight whose weights do not sum to 0 included).
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            BCELogisticRegression(class_weight=class_weight).fit(X, y)


@pytest.mark.parametrize(
    "dtype, sample_weight", [(np.float32, None), (np.float64, 1e10)]
)
def test_class_weights_whose_products_overflow_are_refused_without_warnings(
    data, dtype, sample_weight
):
    # Finite class weights of 1e300 times the sample weights overflow float32
    # (or float64, times 1e10): numpy's overflow warning leaked, and the
    # error called 1e300 not finite.
    X, y = data
    if sample_weight is not None:
        sample_weight = np.full(len(y), sample_weight)
    model = BCELogisticRegression(class_weight={0: 1e300, 1: 1.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            ValueError,
            match=re.escape(
                f"The sample weights times their class weights overflow "
                f"{np.dtype(dtype).name}: got class weights {{0: 1e+300, 1: 1.0}}; "
                "rescale the sample or class weights"
            ),
        ):
            model.fit(X.astype(dtype), y, sample_weight=sample_weight)


# -- parameters ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "param, value",
    [
        ("learning_rate", 0),
        ("learning_rate", -0.1),
        ("learning_rate", np.nan),
        ("learning_rate", np.inf),
        ("learning_rate", "fast"),
        ("max_iter", 0),
        ("max_iter", 10.5),
        ("tol", -1),
        ("tol", np.nan),
        ("solver", "sgd"),
        ("C", 0),
        ("C", -1.0),
        ("C", np.nan),
        ("l1_ratio", 2),
        ("l1_ratio", -0.5),
        ("class_weight", "balance"),
        ("fit_intercept", "yes"),
    ],
)
def test_invalid_parameter_is_refused(data, param, value):
    X, y = data
    model = BCELogisticRegression(**{param: value})
    match = rf"The '{param}' parameter of BCELogisticRegression must be"
    with pytest.raises(InvalidParameterError, match=match):
        model.fit(X, y)


# -- fits that end badly ---------------------------------------------------------------
def smoothness_bound(X, C):
    """Largest eigenvalue of X1^T X1 / (4 n) + I' / (C n), computed here."""
    n = len(X)
    X1 = np.column_stack([X, np.ones(n)])
    bound = X1.T @ X1 / (4 * n)
    bound[np.arange(X.shape[1]), np.arange(X.shape[1])] += 1 / (C * n)
    return np.linalg.eigvalsh(bound)[-1]


def objective(model, X, y):
    z = model.decision_function(X)
    w = model.coef_[0]
    return np.mean(np.logaddexp(0, z) - y * z) + 0.5 * w @ w / (model.C * len(y))


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
def test_too_large_learning_rate_warns_and_keeps_good_coefficients(
    cancer_standardised, solver
):
    X, y = cancer_standardised
    model = BCELogisticRegression(learning_rate=1e4, solver=solver)
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X, y)
    messages = [str(w.message) for w in record if w.category is ConvergenceWarning]
    assert len(messages) == 1
    message = messages[0]
    assert "learning_rate=10000.0 is too large" in message
    assert "StandardScaler" in message
    step = re.search(r"A fixed step of at most 1/L = ([0-9.e+-]+)", message)
    assert step is not None, message
    assert float(step.group(1)) == pytest.approx(
        1 / smoothness_bound(X, model.C), rel=5e-3
    )
    assert list(model.stop_reason_) == ["diverged"]
    assert not model.converged_.any()
    assert np.isfinite(model.coef_).all() and np.isfinite(model.intercept_).all()
    assert np.isfinite(model.predict_proba(X)).all()
    # The kept coefficients are no worse than the start (all zeros: log 2).
    assert objective(model, X, y) <= np.log(2) + 1e-12


def test_divergence_midway_keeps_the_iterate_of_the_lowest_objective(
    cancer_standardised,
):
    # Momentum with a step ~300 times the safe one: the objective falls for a
    # few iterations, then blows up after some more accepted ones.
    X, y = cancer_standardised
    model = BCELogisticRegression(learning_rate=100.0, solver="nesterov")
    with pytest.warns(ConvergenceWarning, match="kept the coefficients of the lowest"):
        model.fit(X, y)
    assert list(model.stop_reason_) == ["diverged"]
    assert model.n_iter_[0] == len(model.loss_curve_) > 0
    assert np.isfinite(model.coef_).all()
    assert np.isfinite(model.loss_curve_).all()
    best = int(np.argmin(model.loss_curve_))
    assert 0 < best < len(model.loss_curve_) - 1
    assert model.loss_curve_[best] < 0.3 < 20 < model.loss_curve_[-1]
    # coef_ is the iterate of the lowest recorded objective, not the last one.
    assert objective(model, X, y) == pytest.approx(model.loss_curve_[best], rel=1e-10)
    assert model.score(X, y) > 0.9


def test_divergence_that_never_improves_keeps_the_start():
    # Every iterate of this fixed step is worse than the start (log 2), and
    # the last one before the limit classifies worse than chance.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X @ [1.0, -1.0, 0.5, 0.0] + rng.normal(size=60) > 0).astype(int)
    model = BCELogisticRegression(solver="gd", learning_rate=100.0)
    with pytest.warns(ConvergenceWarning, match="the starting ones if none was lower"):
        model.fit(X, y)
    assert list(model.stop_reason_) == ["diverged"]
    assert len(model.loss_curve_) > 0 and model.loss_curve_.min() > np.log(2)
    assert_array_equal(model.coef_, 0.0)
    assert_array_equal(model.intercept_, 0.0)


def test_running_out_of_iterations_suggests_standard_scaler():
    X, y = load_breast_cancer(return_X_y=True)  # unscaled
    model = BCELogisticRegression(max_iter=5)
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X, y)
    messages = [str(w.message) for w in record if w.category is ConvergenceWarning]
    assert len(messages) == 1
    assert "did not converge" in messages[0]
    assert "max_iter=5" in messages[0]
    assert "StandardScaler" in messages[0]
    assert list(model.stop_reason_) == ["max_iter"]
    assert list(model.n_iter_) == [5]
    assert np.isfinite(model.coef_).all()


@pytest.mark.parametrize(
    "params, advice",
    [
        (
            {},
            "Increase max_iter or scale the features if they are not "
            "standardised (for example with sklearn.preprocessing.StandardScaler).",
        ),
        ({"solver": "gd"}, "StandardScaler), or use solver='nesterov'"),
        # Not smaller than the data: full-batch descent (with a UserWarning).
        ({"solver": "gd", "batch_size": 10**6}, "or use solver='nesterov'"),
        ({"learning_rate": 1e-3}, "or use a different learning rate"),
        (
            {"solver": "gd", "batch_size": 50},
            "Increase max_iter, scale the features if they are not standardised "
            "(for example with sklearn.preprocessing.StandardScaler), or set "
            "early_stopping=True or fit full-batch (batch_size=None).",
        ),
        ({"batch_size": 50}, "or set early_stopping=True or fit full-batch"),
        (
            {"batch_size": 50, "early_stopping": True, "n_iter_no_change": 50},
            "StandardScaler), or fit full-batch (batch_size=None).",
        ),
    ],
)
def test_running_out_of_iterations_advises_what_the_settings_allow(params, advice):
    X, y = load_breast_cancer(return_X_y=True)
    X = X / X.std(axis=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        BCELogisticRegression(max_iter=3, random_state=0, **params).fit(X, y)
    (message,) = [str(w.message) for w in record if w.category is ConvergenceWarning]
    # Mini-batch fits count epochs (a batch_size of all the data fits full-batch).
    unit = "epochs" if params.get("batch_size") == 50 else "iterations"
    assert f"did not converge in max_iter=3 {unit} (largest" in message
    assert advice in message
    # "auto" is advised only to those who set another step.
    assert ("learning_rate='auto'" in message) == ("learning_rate" in params)


def test_running_out_of_iterations_above_the_safe_step_advises_a_smaller_one():
    # On standardised iris with C=0.01, a fixed step of 1.0 is above 1/L: the
    # accelerated descent oscillates for good (neither scaling the data nor
    # more iterations help), where plain descent converges.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:120]
    y = y[:120]
    params = {"C": 0.01, "learning_rate": 1.0, "max_iter": 500}
    with pytest.warns(ConvergenceWarning) as record:
        BCELogisticRegression(**params).fit(X, y)
    (message,) = [str(w.message) for w in record]
    assert "did not converge" in message
    assert re.search(
        r"learning_rate=1\.0 is above 1/L = 0\.\d+ .*use a step of at most 1/L "
        r"or learning_rate='auto'\. Otherwise increase max_iter or scale the "
        r"features if they are not standardised",
        message,
    )
    # The advised step (rounded to 3 digits) works.
    safe = 0.99 * float(re.search(r"1/L = ([0-9.]+)", message).group(1))
    assert safe < 1.0
    fixed = BCELogisticRegression(**{**params, "learning_rate": safe}).fit(X, y)
    assert fixed.converged_.all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        BCELogisticRegression(**{**params, "solver": "gd"}).fit(X, y)
    # Plain descent converges with steps up to 2/L: no advice to go below 1/L.
    with pytest.warns(ConvergenceWarning) as record:
        BCELogisticRegression(**{**params, "solver": "gd", "max_iter": 3}).fit(X, y)
    (message,) = [str(w.message) for w in record]
    assert "1/L" not in message
    assert "use a different learning rate" in message


def test_plain_descent_swinging_above_two_over_l_is_told_the_safe_step():
    # Plain descent with 30 times 1/L: the loss swings between 0.16 and 6.1
    # without blowing up and ends below its start, so the fit runs out of
    # max_iter. The warning says why (the step is above 2/L) and names 1/L.
    # The swing is a stable cycle of 21 steps, which max_iter ends near its
    # low point whatever the rounding; larger steps swing chaotically, and
    # whether they end above or below the start then depends on the
    # platform's rounding.
    X, y = make_classification(400, 6, random_state=1)
    X = StandardScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning) as record:
        model = BCELogisticRegression(solver="gd", learning_rate=42.0, max_iter=300)
        model.fit(X, y)
    assert model.stop_reason_.tolist() == ["max_iter"]
    assert np.any(np.diff(model.loss_curve_) > 1.0)
    (message,) = [str(w.message) for w in record]
    match = re.search(
        r"learning_rate=42\.0 is above 2/L = ([0-9.]+) .*oscillate without "
        r"diverging: use a step of at most 1/L = ([0-9.]+) or learning_rate='auto'",
        message,
    )
    assert match
    assert float(match.group(1)) == pytest.approx(2 * float(match.group(2)), rel=1e-2)
    safe = 0.99 * float(match.group(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fixed = BCELogisticRegression(solver="gd", learning_rate=safe, max_iter=1000)
        assert np.all(np.diff(fixed.fit(X, y).loss_curve_) <= 1e-12)


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        (np.r_[1e308, 1e308, np.ones(18)], "too large"),
        (np.full(20, 1e-320), "too small"),
    ],
)
def test_sample_weights_whose_sum_cannot_be_divided_by(sample_weight, match):
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=match):
        BCELogisticRegression().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["64", "32"])
def test_sample_weights_summing_below_a_million_tiny_are_refused(dtype):
    # The bound is 1e6 times the smallest normal float of X's dtype, not the
    # smallest normal itself: weights summing between the two are refused,
    # and summing a hundred times above it they fit.
    X = np.random.default_rng(0).normal(size=(20, 3)).astype(dtype)
    y = np.arange(20) % 2
    bound = 1e6 * float(np.finfo(dtype).tiny)
    with pytest.raises(ValueError, match="too small to divide by"):
        BCELogisticRegression().fit(X, y, sample_weight=np.full(20, 0.1 * bound / 20))
    model = BCELogisticRegression().fit(
        X, y, sample_weight=np.full(20, 100 * bound / 20)
    )
    assert np.isfinite(model.coef_).all()


def bound_data(dtype, factor):
    """1000 x 10 data with one value ``factor`` times the bound on ``|X|``,
    ``sqrt(max / (16 n_samples (n_features + 1)))``."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 10)).astype(dtype)
    y = (X[:, 0] + rng.normal(size=1000) > 0).astype(int)
    X[0, 1] = factor * np.sqrt(float(np.finfo(dtype).max) / 16 / (1000 * 11))
    return X, y


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["64", "32"])
def test_the_bound_on_values_counts_samples_and_features(dtype):
    # Just above the bound is refused; just below it, the fit runs without
    # overflow (it does not converge in 20 iterations on such a feature).
    X, y = bound_data(dtype, 1.01)
    with pytest.raises(ValueError, match=r"too large for .* arithmetic"):
        BCELogisticRegression().fit(X, y)
    X, y = bound_data(dtype, 0.99)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BCELogisticRegression(max_iter=20).fit(X, y)
    assert np.isfinite(model.coef_).all()
    assert np.isfinite(model.predict_proba(X)).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["64", "32"])
def test_values_too_large_for_the_products_of_a_wide_x_are_refused(dtype):
    # X @ w sums n_features products: the bound on |X| shrinks with the
    # number of features as well as of samples.  This value is within the
    # bound for 10 samples alone, not for 10 samples of 10,000 features.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 10_000)).astype(dtype)
    X[3, 1] = 0.9 * np.sqrt(float(np.finfo(dtype).max) / 16 / 10)
    y = np.arange(10) % 2
    match = rf"too large for {np.dtype(dtype).name} arithmetic"
    with pytest.raises(ValueError, match=match):
        BCELogisticRegression().fit(X, y)


@pytest.mark.parametrize("C", [5e-324, 1e-310])
def test_c_so_small_that_the_penalty_overflows_is_refused(C):
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=r"C=.* is too small .* Use a larger C"):
        BCELogisticRegression(C=C).fit(X, y)


def test_a_diverging_step_warns_once_without_numpy_overflow_warnings(
    cancer_standardised,
):
    from sklearn_bce import BCELogisticRegressionCV

    X, y = cancer_standardised
    fits = [
        lambda: BCELogisticRegression(learning_rate=1e308, solver="gd").fit(X, y),
        lambda: BCELogisticRegression(learning_rate=1e308).fit(X, y),
        lambda: BCELogisticRegressionCV(learning_rates=[1e308, "auto"], cv=3).fit(X, y),
        lambda: BCELogisticRegression(
            batch_size=1, learning_rate=1e6, random_state=0
        ).fit(X, y),
    ]
    for fit in fits:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            fit()
        # The divergence is explained once; no RuntimeWarning repeats it.
        assert [w.category for w in record] == [ConvergenceWarning]
        assert "diverged" in str(record[0].message)


@pytest.mark.parametrize("n_features", [3, 300])
def test_plain_descent_beside_a_huge_penalty_warns_instead_of_failing(n_features):
    # The Hessian bound's eigenvalues span 1e98 to 1e-2: LAPACK's subset
    # eigensolver fails on it ("Internal Error"); the full one gives 1/L, a
    # step far too short for the intercept, which the warning reports.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, n_features))
    y = (rng.random(100) < 0.65).astype(int)
    model = BCELogisticRegression(solver="gd", C=1e-100, max_iter=20)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model.fit(X, y)
    assert list(model.stop_reason_) == ["max_iter"]
    assert np.isfinite(model.intercept_).all()


@pytest.mark.skipif(
    not _CLASS_WEIGHT_TAKES_SAMPLE_WEIGHT,
    reason="this scikit-learn's 'balanced' counts the samples, not their weights",
)
def test_balanced_class_weight_of_a_class_without_weight_says_so():
    # "balanced" divides by each class's total weight: zero for class 2 here.
    # Said as such, without numpy's division warnings on the way.
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.arange(60) % 3
    sample_weight = np.where(y == 2, 0.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            ValueError, match="class 2 has no sample with a positive weight"
        ):
            BCELogisticRegression(class_weight="balanced").fit(
                X, y, sample_weight=sample_weight
            )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("attribute", ["coef_", "intercept_"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_continuing_from_non_finite_coefficients_is_refused(attribute, value, method):
    # Set by hand (the fits never leave them non-finite): a NaN model would
    # follow.
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(warm_start=True, max_iter=5)
    if method == "fit":
        model.fit(X, y)
    else:
        model.partial_fit(X, y, classes=[0, 1, 2])
    getattr(model, attribute)[1] = value
    continuing = "warm_start=True" if method == "fit" else "partial_fit"
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"{continuing} cannot start from the model's coef_ and intercept_: "
            "they hold NaN or infinity (or values beyond the range of float64, "
            "the data's precision)."
        ),
    ):
        getattr(model, method)(X, y)
    # Without warm_start, fit starts from zeros.
    model.set_params(warm_start=False).fit(X, y)
    assert np.isfinite(model.coef_).all()


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_continuing_from_coefficients_of_infinite_penalty_is_refused(method):
    # Finite, but ||w||^2 overflows float64: the objective is infinite and no
    # step lowers it (the fit would stall, warning of overflow every step).
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(warm_start=True).fit(X, y)
    model.coef_[:] = 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy overflow warning first
        with pytest.raises(
            ValueError,
            match=r"so large that the sum of their squares overflows float64 "
            r"\(the largest is 1e\+200 in absolute value\)",
        ):
            getattr(model, method)(X, y)
    # Large but of a finite penalty: the fit starts there.
    model.coef_[:] = 1e100
    model.set_params(max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert np.isfinite(model.coef_).all()


def test_a_warm_start_beyond_the_range_of_float32_data_is_refused():
    # Finite as set, but infinite in the precision of the data.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(warm_start=True).fit(X, y)
    model.coef_[0, 0] = 1e39
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy overflow warning first
        with pytest.raises(ValueError, match="beyond the range of float32"):
            model.fit(X.astype(np.float32), y)


@pytest.mark.parametrize("max_iter", [1, np.int64(1), 2, np.int64(2)])
@pytest.mark.parametrize("batch_size, unit", [(None, "iteration"), (50, "epoch")])
def test_running_out_of_max_iter_counts_iterations_or_epochs(
    batch_size, unit, max_iter
):
    # In the singular for one, whatever integer type max_iter has.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(
        max_iter=max_iter, batch_size=batch_size, random_state=0
    )
    units = unit if max_iter == 1 else f"{unit}s"
    with pytest.warns(
        ConvergenceWarning, match=f"in max_iter={max_iter} {units} \\(largest"
    ):
        model.fit(X, y)
