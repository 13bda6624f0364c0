"""Array API inputs: fits and predictions in the input's namespace and device.

Run on array-api-strict (on its non-default device ``device1``, which refuses
to mix with other devices and to turn into numpy) and on PyTorch on the CPU,
in float64 and float32; every result is compared with the numpy fit.
"""

import contextlib
import os
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression
from sklearn_bce._array_api import BLOCK_ITERATIONS
from sklearn_bce._validation import ARRAY_API_HELPERS

if not ARRAY_API_HELPERS:
    pytest.skip("array API inputs need scikit-learn >= 1.9", allow_module_level=True)
try:  # scikit-learn refuses to dispatch with SciPy < 1.14, for one
    with sklearn.config_context(array_api_dispatch=True):
        pass
except ImportError as exc:
    pytest.skip(f"array API dispatch unavailable: {exc}", allow_module_level=True)

from sklearn.utils._array_api import (
    get_namespace,
    get_namespace_and_device,
    move_estimator_to,
    move_to,
)
from sklearn.utils.estimator_checks import (
    check_array_api_input_and_values,
)

array_api_strict = pytest.importorskip("array_api_strict")

NAMESPACES = ["array_api_strict", "torch"]
DTYPES = ["float64", "float32"]


def namespace_and_device(name):
    """The module and device of a namespace under test (skips if missing)."""
    if name == "torch":
        torch = pytest.importorskip("torch")
        return torch, "cpu"
    return array_api_strict, array_api_strict.Device("device1")


@pytest.fixture(autouse=True)
def single_threaded_torch():
    """Tiny problems: torch's thread pool only adds overhead (and noise)."""
    try:
        import torch
    except ImportError:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def dispatch():
    return sklearn.config_context(array_api_dispatch=True)


def to_numpy(array):
    with dispatch():
        return move_to(array, xp=np, device="cpu")


def assert_on_device_of(array, reference):
    """``array`` has the namespace and device of ``reference``."""
    with dispatch():
        xp, _, device = get_namespace_and_device(array)
        xp_ref, _, device_ref = get_namespace_and_device(reference)
    assert xp.__name__ == xp_ref.__name__
    assert device == device_ref


def make_problem(kind, dtype):
    if kind == "binary":
        X, y = make_classification(
            n_samples=200,
            n_features=6,
            n_informative=4,
            n_redundant=0,
            flip_y=0.1,
            random_state=0,
        )
    elif kind == "multiclass":
        X, y = make_classification(
            n_samples=240,
            n_features=6,
            n_informative=4,
            n_redundant=0,
            n_classes=3,
            flip_y=0.1,
            random_state=1,
        )
    else:  # iris: classes stop at different iterations
        X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(dtype), y


def as_input(X, name):
    xp, device = namespace_and_device(name)
    return xp.asarray(X, device=device)


# -- scipy's array API switch ----------------------------------------------------------
def test_scipy_array_api_is_on_for_the_test_session():
    # The root conftest.py sets it before scipy is imported; scipy reads it
    # once, at import, and scikit-learn's array API checks need it.
    assert os.environ.get("SCIPY_ARRAY_API") == "1"
    from scipy._lib import _array_api as scipy_array_api

    assert getattr(scipy_array_api, "SCIPY_ARRAY_API", "1")


def test_array_api_support_is_declared():
    assert BCELogisticRegression().__sklearn_tags__().array_api_support


# -- the fit reaches numpy's optimum ---------------------------------------------------
CASES = {
    "binary-nesterov-auto": ("binary", {}),
    "binary-elasticnet": ("binary", {"l1_ratio": 0.5, "C": 0.5}),
    "binary-nesterov-fixed": ("binary", {"learning_rate": 1.0, "C": 10.0}),
    "binary-gd-auto": ("binary", {"solver": "gd", "C": 0.1}),
    "binary-gd-fixed-balanced": (
        "binary",
        {"solver": "gd", "learning_rate": 1.0, "C": 0.1, "class_weight": "balanced"},
    ),
    "binary-class-and-sample-weight": (
        "binary",
        {"class_weight": {0: 2.0, 1: 0.5}, "sample_weight": True},
    ),
    "binary-no-intercept-unpenalised": (
        "binary",
        {"fit_intercept": False, "C": np.inf},
    ),
    "multiclass-nesterov-auto": ("multiclass", {"sample_weight": True}),
    "multiclass-gd-elasticnet": (
        "multiclass",
        {"solver": "gd", "C": 0.1, "l1_ratio": 0.5},
    ),
    "multiclass-nesterov-fixed-balanced": (
        "multiclass",
        {"learning_rate": 1.0, "class_weight": "balanced"},
    ),
}


def fit_both(name, dtype, kind, params, **fit_options):
    """The numpy fit and the array API fit of the same problem."""
    params = dict(params)
    X, y = make_problem(kind, dtype)
    sample_weight = None
    weight_scale = params.pop("sample_weight", False)  # True, or a scale
    if weight_scale:
        sample_weight = np.random.default_rng(0).uniform(0.2, 2.0, len(y))
        sample_weight *= float(weight_scale)
    params.setdefault("tol", 1e-8 if dtype == "float64" else 1e-6)
    params.setdefault("max_iter", 20000)
    params.update(fit_options)
    expected = BCELogisticRegression(**params).fit(X, y, sample_weight=sample_weight)
    X_xp = as_input(X, name)
    xp, device = namespace_and_device(name)
    y_xp = xp.asarray(y, device=device)
    weight_xp = None
    if sample_weight is not None:
        weight_xp = xp.asarray(sample_weight, device=device)
    with dispatch():
        model = BCELogisticRegression(**params).fit(X_xp, y_xp, sample_weight=weight_xp)
    return expected, model, X_xp


@pytest.mark.parametrize("name", NAMESPACES)
def test_default_step_is_blind_to_the_scale_of_a_feature(name):
    # As the numpy engine's: one feature 1e8 times the others' scale.
    rng = np.random.RandomState(0)
    Z = rng.randn(2000, 3)
    y = (Z @ [1.0, 1.0, 0.5] + 0.5 * rng.randn(2000) > 0).astype(int)
    expected = BCELogisticRegression(C=np.inf, tol=1e-10).fit(Z, y)
    X_xp = as_input(Z * [1e8, 1.0, 1.0], name)
    xp, device = namespace_and_device(name)
    with dispatch():
        model = BCELogisticRegression(C=np.inf).fit(X_xp, xp.asarray(y, device=device))
    assert_array_equal(model.stop_reason_, ["converged"])
    assert int(to_numpy(model.n_iter_)[0]) <= 100
    coef = to_numpy(model.coef_) * [1e8, 1.0, 1.0]
    assert_allclose(coef, expected.coef_, rtol=0, atol=1e-4)


@pytest.mark.parametrize("name", NAMESPACES)
def test_more_iterations_on_an_objective_flat_to_rounding_stay_at_the_optimum(name):
    # As the numpy engine (test_logistic): steps are lengthened only after a
    # decrease that rounding cannot explain.
    xp, device = namespace_and_device(name)
    rng = np.random.RandomState(0)
    X = 1e-8 * rng.randn(20, 3)
    y = (X[:, 0] + 1e-8 * rng.randn(20) > 0).astype(int)
    reference = BCELogisticRegression(solver="gd", tol=0, max_iter=1000).fit(X, y)
    with dispatch():
        model = BCELogisticRegression(tol=0, max_iter=1000)
        model.fit(xp.asarray(X, device=device), xp.asarray(y, device=device))
    assert_allclose(to_numpy(model.coef_), reference.coef_, rtol=1e-5)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMESPACES)
def test_fit_reaches_the_numpy_optimum_in_the_input_namespace(name, dtype, case):
    kind, params = CASES[case]
    expected, model, X_xp = fit_both(name, dtype, kind, params)
    for attribute in ("coef_", "intercept_"):
        value = getattr(model, attribute)
        assert_on_device_of(value, X_xp)
        assert value.dtype == X_xp.dtype
    assert model.stop_reason_.tolist() == ["converged"] * len(model.stop_reason_)
    # Both converge to the optimum (unique: no collinear features).
    rtol, atol = (1e-5, 1e-6) if dtype == "float64" else (1e-4, 1e-4)
    assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=rtol, atol=atol)
    assert_allclose(
        to_numpy(model.intercept_), expected.intercept_, rtol=rtol, atol=atol
    )


@pytest.mark.parametrize(
    "kind, params",
    [
        ("binary", {"solver": "gd", "C": 0.1}),
        ("binary", {"learning_rate": 0.5, "l1_ratio": 0.3, "C": 0.5}),
        ("binary", {"learning_rate": 1.0, "solver": "gd", "C": 0.1}),
        # Weights summing to about 3.3 n: the objective divides by their sum.
        ("binary", {"C": 0.1, "solver": "gd", "sample_weight": 3.0}),
        ("multiclass", {"learning_rate": 0.5, "class_weight": "balanced"}),
        ("iris", {"solver": "gd", "learning_rate": 2.0, "C": 1.0}),
    ],
)
@pytest.mark.parametrize("name", NAMESPACES)
def test_same_iterations_as_numpy_for_the_same_steps(name, kind, params):
    # Without a line search the two engines take the same steps: the same
    # number of iterations, the same loss curve, the same stopping story.
    expected, model, X_xp = fit_both(name, "float64", kind, params, tol=1e-6)
    for attribute in ("n_iter_", "converged_", "loss_curve_"):
        assert_on_device_of(getattr(model, attribute), X_xp)
    n_iter = to_numpy(model.n_iter_)
    assert n_iter.dtype == np.int32
    assert_array_equal(n_iter, expected.n_iter_)
    assert_array_equal(to_numpy(model.converged_), expected.converged_)
    assert_array_equal(model.stop_reason_, expected.stop_reason_)
    curve = to_numpy(model.loss_curve_)
    assert curve.dtype == np.float64
    assert curve.shape == expected.loss_curve_.shape
    assert_allclose(curve, expected.loss_curve_, rtol=1e-10, equal_nan=True)
    assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", NAMESPACES)
def test_loss_curve_and_n_iter_of_the_line_searched_default(name):
    expected, model, _ = fit_both(name, "float64", "iris", {}, tol=1e-6)
    n_iter = to_numpy(model.n_iter_)
    curve = to_numpy(model.loss_curve_)
    assert curve.shape == (3, n_iter.max())
    final = np.empty(3)
    for k in range(3):
        # The objective after each accepted iteration: finite up to n_iter_,
        # NaN after the class stopped.
        assert np.all(np.isfinite(curve[k, : n_iter[k]]))
        assert np.all(np.isnan(curve[k, n_iter[k] :]))
        final[k] = curve[k, n_iter[k] - 1]
    # The same engine as numpy's (rounding may move a line-search decision),
    # so about the same iterations to the same optimum.
    assert_allclose(n_iter, expected.n_iter_, rtol=0.3)
    expected_final = expected.loss_curve_[np.arange(3), expected.n_iter_ - 1]
    assert_allclose(final, expected_final, rtol=1e-9)


@pytest.mark.parametrize("name", NAMESPACES)
def test_max_iter_warns_and_reports(name):
    X, y = make_problem("binary", "float64")
    X_xp = as_input(X, name)
    with dispatch(), pytest.warns(ConvergenceWarning, match="did not converge"):
        model = BCELogisticRegression(max_iter=7, tol=1e-12, solver="gd").fit(X_xp, y)
    assert model.stop_reason_.tolist() == ["max_iter"]
    assert to_numpy(model.n_iter_).tolist() == [7]
    assert to_numpy(model.loss_curve_).shape == (7,)
    assert not to_numpy(model.converged_).any()


@pytest.mark.parametrize("name", NAMESPACES)
def test_separated_classes_without_a_penalty_warn_as_numpy(name):
    X, y = load_iris(return_X_y=True)
    weight = np.ones(len(y))
    binary = np.where(y == 0, 0, 1)
    binary[0] = 1  # breaks the separation, unless it weighs nothing

    def messages(X, weight, context):
        with context, warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            BCELogisticRegression(C=np.inf).fit(X, binary, sample_weight=weight)
        return [str(w.message) for w in record if w.category is ConvergenceWarning]

    for w0 in (0.0, 1.0):
        weight[0] = w0
        expected = messages(X, weight, contextlib.nullcontext())
        assert len(expected) == (1 if w0 == 0 else 0)
        assert messages(as_input(X, name), weight, dispatch()) == expected


@pytest.mark.parametrize("name", NAMESPACES)
def test_wide_data_steps_reach_the_optimum(name, monkeypatch):
    # Data wider than the limits: the smoothness bound by power iteration
    # ("gd") and the diagonal metric ("nesterov"), as the numpy engine does.
    import sklearn_bce._array_api as engine

    X, y = make_problem("multiclass", "float64")
    expected = BCELogisticRegression(tol=1e-8).fit(X, y)
    X_xp = as_input(X, name)
    exact = {}
    for limits in [{}, {"MAX_GRAM_COEF": 0, "MAX_DENSE_METRIC": 0}]:
        for attribute, value in limits.items():
            monkeypatch.setattr(engine, attribute, value)
        for solver in ("gd", "nesterov"):
            with dispatch():
                model = BCELogisticRegression(solver=solver, tol=1e-8).fit(X_xp, y)
            assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=1e-5, atol=1e-6)
        # The same step bound, from power iteration enlarged by its margin.
        with dispatch():
            weight = np.full((len(y), 1), 1.0 / len(y))
            objective = engine.ArrayAPIObjective(
                X_xp,
                X_xp[:, :1],
                as_input(weight, name),
                len(y),
                1.0,
                0.0,
                True,
            )
            exact[bool(limits)] = objective.smoothness_bound()[0]
    assert exact[False] <= exact[True] <= 1.1 * exact[False]


@pytest.mark.parametrize("name", NAMESPACES)
def test_exactly_256_coefficients_take_the_full_metric_as_numpy(name):
    # 255 features and the intercept: MAX_DENSE_METRIC coefficients, the
    # limit of the full metric included, as in the numpy engine (the diagonal
    # metric takes other steps, to another iteration count).
    X, y = make_classification(
        n_samples=300, n_features=255, n_informative=10, random_state=0
    )
    X[:, :100] *= np.linspace(0.1, 10, 100)  # unequal scales: the metric matters
    expected = BCELogisticRegression(tol=1e-4).fit(X, y)
    with dispatch():
        model = BCELogisticRegression(tol=1e-4).fit(as_input(X, name), y)
    assert model.stop_reason_.tolist() == ["converged"]
    assert_array_equal(to_numpy(model.n_iter_), expected.n_iter_)


@pytest.mark.parametrize("switch, expected", [(50, 50), (45, 50)])
def test_the_metric_switches_at_the_end_of_the_block_that_reaches_its_iteration(
    switch, expected
):
    # Iterations run in blocks of BLOCK_ITERATIONS (10): the full bound takes
    # over at the end of the block in which a column reaches the switch's
    # iteration, once.
    import sklearn_bce._array_api as engine

    X, y = make_problem("binary", "float64")
    reported, built = [], []

    def record(iteration, *args):
        reported.append(iteration)

    def build():
        built.append(reported[-1])
        return engine.ScalarMetric(0.1)

    with dispatch():
        n = len(y)
        objective = engine.ArrayAPIObjective(
            as_input(X, "array_api_strict"),
            as_input(y[:, None] * 1.0, "array_api_strict"),
            as_input(np.full((n, 1), 1.0 / n), "array_api_strict"),
            n,
            1.0,
            0.0,
            True,
        )
        engine.descent(
            objective,
            objective.zeros_coef(),
            metric=engine.ScalarMetric(0.1),
            accelerated=False,
            max_iter=100,
            tol=0.0,
            metric_switch=(switch, build),
            callback=record,
        )
    assert BLOCK_ITERATIONS == 10
    assert built == [expected]


@pytest.mark.parametrize("name", NAMESPACES)
def test_power_iteration_bound_adds_the_l2_term(name, monkeypatch):
    # Features of small scale and a strong penalty: the L2 term is nearly
    # the whole bound (without it, "auto" steps of plain descent overflow).
    import sklearn_bce._array_api as engine

    rng = np.random.default_rng(0)
    X = 0.01 * rng.standard_normal((200, 30))
    weight = np.ones(200)
    C = 1e-3
    monkeypatch.setattr(engine, "MAX_GRAM_COEF", 0)
    with dispatch():
        objective = engine.ArrayAPIObjective(
            as_input(X, name),
            as_input(X[:, :1], name),
            as_input((weight / weight.sum())[:, None], name),
            weight.sum(),
            C,
            0.0,
            False,
        )
        bound = objective.smoothness_bound()[0]
    l2 = 1.0 / (C * weight.sum())
    exact = np.linalg.eigvalsh(X.T @ X / (4 * weight.sum()))[-1] + l2
    assert exact <= bound <= 1.1 * exact


@pytest.mark.parametrize("name", NAMESPACES)
def test_power_iteration_bound_weighs_rows_and_couples_the_intercept(name, monkeypatch):
    # Power iteration (all data wider than MAX_GRAM_COEF) bounds the largest
    # eigenvalue of the weighted Gram matrix with its intercept row and
    # column: within its 5% margin of the exact eigenvalue, never below.
    import sklearn_bce._array_api as engine

    rng = np.random.default_rng(0)
    n = 300
    # Heavy rows ten times the others' scale, a few uncentred features.
    X_rows = rng.standard_normal((n, 20))
    X_rows[:10] *= 10.0
    X_rows[:, :5] += 3.0
    weight_rows = np.ones(n)
    weight_rows[:10] = 100.0
    # Two features far from centred: the intercept couples with them.
    X_uncentred = 0.1 * rng.standard_normal((n, 2)) + 1.0
    exact_limit = engine.MAX_GRAM_COEF
    for X, weight in [(X_rows, weight_rows), (X_uncentred, np.ones(n))]:
        X_xp = as_input(X, name)
        weight_xp = as_input((weight / weight.sum())[:, None], name)
        bound = {}
        for limit in (exact_limit, 0):
            monkeypatch.setattr(engine, "MAX_GRAM_COEF", limit)
            with dispatch():
                objective = engine.ArrayAPIObjective(
                    X_xp, X_xp[:, :1], weight_xp, weight.sum(), np.inf, 0.0, True
                )
                bound[limit] = objective.smoothness_bound()[0]
        design = np.hstack([X, np.ones((n, 1))])
        exact = np.linalg.eigvalsh(design.T @ (design * weight[:, None]))[-1]
        exact /= 4 * weight.sum()
        assert_allclose(bound[exact_limit], exact, rtol=1e-10)
        assert exact <= bound[0] <= 1.1 * exact


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMESPACES)
def test_duplicated_features_unpenalised_converge_as_numpy(name, dtype):
    # Duplicated columns and no penalty: a singular Hessian bound, which the
    # full metric's jitter keeps invertible, as in the numpy engine.
    X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    X = np.hstack([X, X[:, :2]]).astype(dtype)
    params = {"C": np.inf, "tol": 1e-6, "max_iter": 2000}
    expected = BCELogisticRegression(**params).fit(X, y)
    X_xp = as_input(X, name)
    with dispatch():
        model = BCELogisticRegression(**params).fit(X_xp, y)
        proba = to_numpy(model.predict_proba(X_xp))
    assert model.stop_reason_.tolist() == ["converged"]
    assert np.isfinite(to_numpy(model.coef_)).all()
    # The coefficients of a duplicated pair are not unique; the model is.
    atol = 1e-6 if dtype == "float64" else 1e-4
    assert_allclose(proba, expected.predict_proba(X), rtol=0, atol=atol)


@pytest.mark.parametrize("name", NAMESPACES)
def test_integer_X_is_fitted_in_float64_where_the_device_has_it(name):
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    X = np.round(4 * X).astype(np.int64)
    params = {"tol": 1e-10, "max_iter": 5000}
    expected = BCELogisticRegression(**params).fit(X.astype(np.float64), y)
    X_xp = as_input(X, name)
    xp, _ = namespace_and_device(name)
    with dispatch():
        model = BCELogisticRegression(**params).fit(X_xp, y)
    assert model.coef_.dtype == xp.float64
    assert_on_device_of(model.coef_, X_xp)
    assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_fixed_step_converging_at_rounding_keeps_numpys_iterate(name):
    # tol=1e-12 is met where the objective rounds about its minimum: the last
    # step's objective may be a rounding above its start without having
    # risen (the engines' rounding slack), and the fit keeps the numpy
    # engine's last iterate, not the start of its step.
    X, y = make_classification(
        n_samples=100, n_features=3, n_redundant=0, random_state=0
    )
    params = {"learning_rate": 1.0, "tol": 1e-12, "max_iter": 3000}
    expected = BCELogisticRegression(**params).fit(X, y)
    with dispatch():
        model = BCELogisticRegression(**params).fit(as_input(X, name), y)
    assert_array_equal(to_numpy(model.n_iter_), expected.n_iter_)
    assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=1e-13, atol=0)


# -- divergence ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype, step", [("float32", 1e20), ("float64", 1e30)])
@pytest.mark.parametrize("name", NAMESPACES)
def test_divergence_warns_once_without_numpys_overflow_warnings(name, dtype, step):
    # A step so large that the iterates overflow: the divergence is reported,
    # numpy's overflow warnings (from numpy-backed namespaces) would repeat it.
    X, y = make_problem("binary", dtype)
    with dispatch(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BCELogisticRegression(learning_rate=step).fit(as_input(X, name), y)
    assert [w.category for w in caught] == [ConvergenceWarning]
    assert model.stop_reason_.tolist() == ["diverged"]
    assert np.all(np.isfinite(to_numpy(model.coef_)))


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
@pytest.mark.parametrize("name", NAMESPACES)
def test_divergence_of_a_huge_step_is_detected_and_warned(name, solver):
    X, y = make_problem("multiclass", "float64")
    X = X * 30.0
    params = {"learning_rate": 1e4, "solver": solver, "max_iter": 200}
    with pytest.warns(ConvergenceWarning, match="diverged") as numpy_warnings:
        expected = BCELogisticRegression(**params).fit(X, y)
    X_xp = as_input(X, name)
    with dispatch(), pytest.warns(ConvergenceWarning, match="diverged") as caught:
        model = BCELogisticRegression(**params).fit(X_xp, y)
    messages = [str(w.message) for w in caught if "diverged" in str(w.message)]
    expected_messages = [
        str(w.message) for w in numpy_warnings if "diverged" in str(w.message)
    ]
    assert messages == expected_messages  # same classes, iterations, auto step
    assert set(model.stop_reason_) == {"diverged"}
    assert_array_equal(to_numpy(model.n_iter_), expected.n_iter_)
    coef = to_numpy(model.coef_)
    # The coefficients of the lowest objective, never NaN.
    assert np.all(np.isfinite(coef))
    assert_allclose(coef, expected.coef_, rtol=1e-8, atol=1e-10)


# -- nothing goes to the host per iteration --------------------------------------------
def counted_tensor_class():
    torch = pytest.importorskip("torch")

    class HostReadCounter(torch.Tensor):
        """A CPU tensor that records every way of reading it on the host."""

        reads = []

        def _note(self, how):
            reads, shape = HostReadCounter.reads, tuple(self.shape)
            if how == "numpy" and reads and reads[-1] == ("cpu", shape):
                # .cpu().numpy(): one read (scikit-learn's way to NumPy
                # when numpy.from_dlpack takes no device, NumPy < 2.1).
                reads[-1] = ("cpu().numpy", shape)
                return
            reads.append((how, shape))

        def __dlpack__(self, *args, **kwargs):
            self._note("__dlpack__")
            return super().__dlpack__(*args, **kwargs)

        def __array__(self, *args, **kwargs):
            self._note("__array__")
            return super().__array__(*args, **kwargs)

        def numpy(self, *args, **kwargs):
            self._note("numpy")
            return super().numpy(*args, **kwargs)

        def cpu(self, *args, **kwargs):
            self._note("cpu")
            return super().cpu(*args, **kwargs)

        def item(self):
            self._note("item")
            return super().item()

        def tolist(self):
            self._note("tolist")
            return super().tolist()

        def __float__(self):
            self._note("__float__")
            return super().__float__()

        def __int__(self):
            self._note("__int__")
            return super().__int__()

        def __bool__(self):
            self._note("__bool__")
            return super().__bool__()

    return torch, HostReadCounter


@pytest.mark.parametrize(
    "params, line_search",
    [
        ({"solver": "gd"}, False),
        ({"learning_rate": 0.5}, False),
        ({"solver": "nesterov"}, True),
        ({"solver": "nesterov", "l1_ratio": 0.5}, True),
    ],
    ids=["gd-auto", "nesterov-fixed", "nesterov-auto", "nesterov-auto-l1"],
)
def test_no_host_read_per_iteration_and_x_never_leaves_the_device(params, line_search):
    torch, Counter = counted_tensor_class()
    X, y = make_problem("multiclass", "float64")
    X_counted = torch.asarray(X).as_subclass(Counter)
    reads = {}
    for max_iter in (3 * BLOCK_ITERATIONS, 6 * BLOCK_ITERATIONS):
        Counter.reads.clear()
        with dispatch(), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = BCELogisticRegression(tol=0, max_iter=max_iter, **params)
            model.fit(X_counted, y)
        assert to_numpy(model.n_iter_).tolist() == [max_iter] * 3
        reads[max_iter] = list(Counter.reads)
    # 3 more blocks of iterations cost 3 more reads of a few numbers each
    # (a line search's retried steps take more trials, so the blocks of
    # trials of the two runs can end a block apart either way).
    extra_reads = len(reads[60]) - len(reads[30])
    assert extra_reads == 3 if not line_search else 2 <= extra_reads <= 5
    for how, shape in reads[60]:
        assert X.shape[0] not in shape, (how, shape)  # nothing of n_samples
    assert len(reads[30]) <= 3 + 5  # blocks + validation and set-up


# -- predictions -----------------------------------------------------------------------
METHODS = ["decision_function", "predict", "predict_proba", "predict_log_proba"]


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMESPACES)
def test_predictions_in_the_input_namespace_equal_numpy(name, dtype, kind):
    X, y = make_problem(kind, dtype)
    # Large logits too: probabilities near 0 and 1, log-probabilities far
    # below zero, computed without overflow.
    X_test = np.vstack([X, 300 * X[:5]]).astype(dtype)
    tol = 1e-8 if dtype == "float64" else 1e-6
    expected = BCELogisticRegression(tol=tol).fit(X, y)
    X_xp, X_test_xp = as_input(X, name), as_input(X_test, name)
    xp, device = namespace_and_device(name)
    with dispatch():
        # The numpy model moved to the namespace: the same coefficients.
        moved = move_estimator_to(expected, get_namespace(X_xp)[0], device)
        fitted = BCELogisticRegression(tol=tol).fit(X_xp, xp.asarray(y, device=device))
    rtol = 1e-12 if dtype == "float64" else 1e-5
    for method in METHODS:
        reference = getattr(expected, method)(X_test)
        with dispatch():
            result = getattr(moved, method)(X_test_xp)
            refit = getattr(fitted, method)(X_test_xp)
        for output in (result, refit):
            assert_on_device_of(output, X_test_xp)
            assert output.shape == reference.shape
        assert to_numpy(result).dtype == reference.dtype
        if method == "predict":
            assert_array_equal(to_numpy(result), reference)
            assert_array_equal(to_numpy(refit), reference)
            continue
        assert np.all(np.isfinite(to_numpy(result)))
        atol = 1e-12 if dtype == "float64" else 1e-5
        assert_allclose(to_numpy(result), reference, rtol=rtol, atol=atol)
        close = 1e-5 if dtype == "float64" else 1e-2
        assert_allclose(to_numpy(refit), reference, rtol=close, atol=close)
    with dispatch():
        score = fitted.score(X_xp, xp.asarray(y, device=device))
    assert isinstance(score, float)
    assert score == pytest.approx(expected.score(X, y))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMESPACES)
def test_multiclass_probabilities_do_not_underflow(name, dtype):
    # Every one-vs-rest sigmoid underflows to 0; their ratios do not.
    X, y = make_problem("multiclass", dtype)
    expected = BCELogisticRegression().fit(X, y)
    expected.coef_ = np.zeros_like(expected.coef_)
    expected.intercept_ = np.array([-1000.0, -1010.0, -990.0], dtype=dtype)
    X_xp = as_input(X[:3], name)
    _, device = namespace_and_device(name)
    with dispatch():
        moved = move_estimator_to(expected, get_namespace(X_xp)[0], device)
        proba = to_numpy(moved.predict_proba(X_xp))
        log_proba = to_numpy(moved.predict_log_proba(X_xp))
    rtol = 1e-12 if dtype == "float64" else 1e-5
    assert_allclose(proba, expected.predict_proba(X[:3]), rtol=rtol)
    assert_allclose(log_proba, expected.predict_log_proba(X[:3]), rtol=rtol)
    assert_allclose(np.exp(log_proba), proba, rtol=rtol)


@pytest.mark.parametrize("name", NAMESPACES)
def test_binary_probabilities_of_confident_samples_keep_their_tails(name):
    # |decision| of tens: the smaller probability is far below eps, e^-z
    # itself (not 1 - sigmoid(z), which rounds to 0) as numpy computes it.
    X, y = make_problem("binary", "float64")
    expected = BCELogisticRegression().fit(X, y)
    X_far = np.vstack([300 * X[:5], -300 * X[:5]])  # either class's side
    decision = expected.decision_function(X_far)
    assert decision.min() < -40 and decision.max() > 40
    X_xp = as_input(X_far, name)
    _, device = namespace_and_device(name)
    with dispatch():
        moved = move_estimator_to(expected, get_namespace(X_xp)[0], device)
        proba = to_numpy(moved.predict_proba(X_xp))
        log_proba = to_numpy(moved.predict_log_proba(X_xp))
    assert (proba > 0).all()
    assert_allclose(proba, expected.predict_proba(X_far), rtol=1e-10, atol=0)
    assert_allclose(log_proba, expected.predict_log_proba(X_far), rtol=1e-10, atol=0)


@pytest.mark.parametrize("name", NAMESPACES)
def test_float32_input_to_a_float64_model_is_predicted_in_float64(name):
    X, y = make_problem("multiclass", "float64")
    X32 = X[:20].astype(np.float32)
    xp, _ = namespace_and_device(name)
    with dispatch():
        model = BCELogisticRegression().fit(as_input(X, name), y)
        X32_xp = as_input(X32, name)
        outputs = {
            method: getattr(model, method)(X32_xp)
            for method in ("decision_function", "predict_proba", "predict_log_proba")
        }
    expected = BCELogisticRegression()
    for attribute in ("coef_", "intercept_", "classes_"):
        setattr(expected, attribute, to_numpy(getattr(model, attribute)))
    expected.n_features_in_ = X.shape[1]
    for method, output in outputs.items():
        reference = getattr(expected, method)(X32)
        assert reference.dtype == np.float64
        assert output.dtype == xp.float64
        assert_allclose(to_numpy(output), reference, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_zero_decision_predicts_the_first_class_as_numpy(name):
    # No intercept: a zero row scores exactly 0, the first class's side.
    X, y = make_problem("binary", "float64")
    Z = np.zeros((2, X.shape[1]))
    expected = BCELogisticRegression(fit_intercept=False).fit(X, y)
    xp, device = namespace_and_device(name)
    with dispatch():
        model = BCELogisticRegression(fit_intercept=False).fit(
            as_input(X, name), xp.asarray(y, device=device)
        )
        predicted = to_numpy(model.predict(as_input(Z, name)))
    assert_array_equal(expected.predict(Z), [0, 0])
    assert_array_equal(predicted, expected.predict(Z))


@pytest.mark.parametrize("name", NAMESPACES)
def test_float_labels_give_classes_in_the_namespace_of_y(name):
    X, y = make_problem("binary", "float64")
    labels = y.astype(np.float64) + 1.0  # 1.0 and 2.0
    X_xp = as_input(X, name)
    xp, device = namespace_and_device(name)
    with dispatch():
        model = BCELogisticRegression().fit(X_xp, xp.asarray(labels, device=device))
        predicted = model.predict(X_xp)
    assert_on_device_of(model.classes_, X_xp)
    assert model.classes_.dtype == xp.float64
    assert_on_device_of(predicted, X_xp)
    expected = BCELogisticRegression().fit(X, labels)
    assert_array_equal(to_numpy(model.classes_), expected.classes_)
    assert_array_equal(to_numpy(predicted), expected.predict(X))


@pytest.mark.parametrize("name", NAMESPACES)
def test_classes_follow_y_and_string_labels_stay_numpy(name):
    X, y = make_problem("multiclass", "float64")
    X_xp = as_input(X, name)
    xp, device = namespace_and_device(name)
    with dispatch():
        numeric = BCELogisticRegression().fit(X_xp, xp.asarray(y, device=device))
        assert_on_device_of(numeric.classes_, X_xp)
        labels = np.array(["cat", "dog", "emu"])[y]
        named = BCELogisticRegression().fit(X_xp, labels)
        predicted = named.predict(X_xp)
    assert_array_equal(to_numpy(numeric.classes_), [0, 1, 2])
    assert isinstance(named.classes_, np.ndarray)
    assert named.classes_.tolist() == ["cat", "dog", "emu"]
    assert isinstance(predicted, np.ndarray)
    expected = BCELogisticRegression().fit(X, labels).predict(X)
    assert_array_equal(predicted, expected)


@pytest.mark.parametrize("labels", ["list", "other namespace"])
@pytest.mark.parametrize("name", NAMESPACES)
def test_mixed_namespaces_follow_x(name, labels):
    X, y = make_problem("binary", "float64")
    X_xp = as_input(X, name)
    weight = np.linspace(0.5, 1.5, len(y))
    if labels == "list":
        y_in, weight_in = list(y), weight
    else:
        other = "torch" if name == "array_api_strict" else "array_api_strict"
        xp_other, device_other = namespace_and_device(other)
        y_in = xp_other.asarray(y, device=device_other)
        weight_in = xp_other.asarray(weight, device=device_other)
    with dispatch():
        model = BCELogisticRegression(tol=1e-8).fit(X_xp, y_in, weight_in)
    expected = BCELogisticRegression(tol=1e-8).fit(X, y, weight)
    assert_on_device_of(model.coef_, X_xp)
    assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=1e-5, atol=1e-6)


# -- what stays numpy, what is refused -------------------------------------------------
def test_numpy_input_with_dispatch_is_the_numpy_fit():
    X, y = make_problem("multiclass", "float64")
    expected = BCELogisticRegression().fit(X, y)
    with dispatch():
        model = BCELogisticRegression().fit(X, y)
        proba = model.predict_proba(X)
    for attribute in ("coef_", "intercept_", "n_iter_", "loss_curve_"):
        value = getattr(model, attribute)
        assert isinstance(value, np.ndarray)
        assert_array_equal(value, getattr(expected, attribute))
    assert isinstance(proba, np.ndarray)
    assert_array_equal(proba, expected.predict_proba(X))


@pytest.mark.parametrize("name", NAMESPACES)
def test_predicting_another_namespace_raises(name):
    X, y = make_problem("binary", "float64")
    with dispatch():
        model = BCELogisticRegression().fit(as_input(X, name), y)
        for method in METHODS:
            with pytest.raises(ValueError, match="must use the same namespace"):
                getattr(model, method)(X)
    other = "torch" if name == "array_api_strict" else "array_api_strict"
    X_other = as_input(X, other)
    with dispatch():
        for method in METHODS:
            with pytest.raises(ValueError, match="must use the same namespace"):
                getattr(model, method)(X_other)
    if name == "torch":  # numpy can read a CPU tensor without dispatch
        with pytest.raises(ValueError, match="fitted on array API arrays"):
            model.predict(as_input(X, name))
    # Nor is a dask X predicted (with numpy, chunk by chunk) by such a model.
    da = pytest.importorskip("dask.array")
    for dispatching in (dispatch(), contextlib.nullcontext()):
        with dispatching:
            for method in METHODS:
                with pytest.raises(ValueError, match="fitted on array API arrays"):
                    getattr(model, method)(da.from_array(X, chunks=20))


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("dtype, C", [("float64", 1e-320), ("float32", 1e-41)])
def test_c_so_small_that_the_penalty_overflows_is_refused_as_numpy(name, dtype, C):
    # 1 / (C S) beyond the dtype's range would make a NaN model.
    X, y = make_problem("binary", dtype)
    match = r"C=.* is too small for sample weights summing to 200: .* Use a larger C"
    with pytest.raises(ValueError, match=match):
        BCELogisticRegression(C=C).fit(X, y)
    with dispatch(), pytest.raises(ValueError, match=match):
        BCELogisticRegression(C=C).fit(as_input(X, name), as_input(y, name))


@pytest.mark.parametrize("name", NAMESPACES)
def test_float32_values_too_large_for_its_products_are_refused_as_numpy(name):
    # X.T @ X of 1e18 overflows float32.
    X, y = make_problem("binary", "float32")
    X[0, 0] = 1e18
    match = r"X has values as large as 1e\+18, too large for \S*float32 arithmetic"
    with pytest.raises(ValueError, match=match):
        BCELogisticRegression().fit(X, y)
    xp, device = namespace_and_device(name)
    with dispatch(), pytest.raises(ValueError, match=match):
        BCELogisticRegression().fit(as_input(X, name), xp.asarray(y, device=device))


@pytest.mark.parametrize(
    "labels, match",
    [
        ("continuous", "Unknown label type: continuous"),
        ("one class", "at least 2 classes in the data"),
    ],
)
@pytest.mark.parametrize("name", NAMESPACES)
def test_labels_that_are_not_two_classes_are_refused_as_numpy(name, labels, match):
    X, _ = make_problem("binary", "float64")
    if labels == "continuous":
        y = np.random.default_rng(0).standard_normal(len(X))
    else:
        y = np.zeros(len(X), dtype=np.int64)
    with pytest.raises(ValueError, match=match):
        BCELogisticRegression(max_iter=50).fit(X, y)
    xp, device = namespace_and_device(name)
    with dispatch(), pytest.raises(ValueError, match=match):
        BCELogisticRegression(max_iter=50).fit(
            as_input(X, name), xp.asarray(y, device=device)
        )


@pytest.mark.parametrize(
    "params, match",
    [
        ({"batch_size": 10}, "`batch_size=10` is not supported for array API"),
        ({"early_stopping": True}, "`early_stopping=True` is not supported"),
    ],
)
def test_unsupported_options_raise(params, match):
    X, y = make_problem("binary", "float64")
    with dispatch(), pytest.raises(ValueError, match=match):
        BCELogisticRegression(**params).fit(as_input(X, "array_api_strict"), y)


def test_callbacks_partial_fit_and_coef_table_raise(null_callback):
    X, y = make_problem("binary", "float64")
    X_xp = as_input(X, "array_api_strict")
    with dispatch():
        with pytest.raises(ValueError, match="partial_fit is not supported for"):
            BCELogisticRegression().partial_fit(X_xp, y, classes=[0, 1])
        model = BCELogisticRegression().fit(X_xp, y)
        with pytest.raises(ValueError, match="coef_table is not supported for"):
            model.coef_table(X, y)
        with pytest.raises(ValueError, match="partial_fit is not supported for"):
            model.partial_fit(X, y)
    model = BCELogisticRegression().set_callbacks(null_callback)
    with dispatch(), pytest.raises(ValueError, match="set_callbacks is not supported"):
        model.fit(X_xp, y)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_loss_curve_display_of_a_model_fitted_on_a_device(kind):
    # Its curves and classes live on the device (device1 refuses to become
    # numpy, as a GPU array does): the display brings them to the host.
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_bce import LossCurveDisplay

    X, y = make_problem(kind, "float64")
    labels = as_input(y.astype("float64"), "array_api_strict")
    with dispatch():
        model = BCELogisticRegression().fit(as_input(X, "array_api_strict"), labels)
        display = LossCurveDisplay.from_estimator(model)
    expected = BCELogisticRegression().fit(X, y.astype("float64"))
    assert len(display.lines_) == len(np.atleast_2d(expected.loss_curve_))
    for line, curve in zip(
        display.lines_, np.atleast_2d(expected.loss_curve_), strict=True
    ):
        # (A class that stopped early has NaN after its end: not drawn.)
        assert_allclose(line.get_ydata(), curve[np.isfinite(curve)], rtol=1e-10)
    if kind == "multiclass":
        assert isinstance(display.class_names, np.ndarray)
        assert_array_equal(display.class_names, [0.0, 1.0, 2.0])
    plt.close(display.figure_)


@pytest.mark.parametrize("method", ["fit", "predict"])
def test_complex_and_sparse_tensors_are_refused(method):
    torch = pytest.importorskip("torch")
    X, y = make_problem("binary", "float64")
    with dispatch():
        model = BCELogisticRegression().fit(torch.asarray(X), y)
        for bad, match in [
            (torch.asarray(X).to(torch.complex128), "Complex data not supported"),
            (torch.asarray(X).to_sparse(), r"Sparse tensors \(torch.sparse_coo\)"),
        ]:
            with pytest.raises(ValueError, match=match):
                if method == "fit":
                    BCELogisticRegression().fit(bad, y)
                else:
                    model.predict(bad)


def test_numpy_only_methods_take_labels_and_weights_of_other_namespaces():
    # NumPy X with y, classes and weights on a device: brought to the host,
    # as fit does, not passed on to NumPy code.
    from sklearn_bce import BCELogisticRegressionCV

    X, y = make_problem("multiclass", "float64")
    weight = np.linspace(0.5, 2.0, len(y))
    on_device = {
        "y": as_input(y.astype("float64"), "array_api_strict"),
        "weight": as_input(weight, "array_api_strict"),
        "classes": as_input(np.array([0.0, 1.0, 2.0]), "array_api_strict"),
    }
    with dispatch():
        model = BCELogisticRegression().partial_fit(
            X, on_device["y"], classes=on_device["classes"], sample_weight=weight
        )
        search = BCELogisticRegressionCV(learning_rates=["auto"], cv=3).fit(
            X, on_device["y"], sample_weight=on_device["weight"]
        )
    expected = BCELogisticRegression().partial_fit(
        X, y.astype("float64"), classes=[0.0, 1.0, 2.0], sample_weight=weight
    )
    assert isinstance(model.classes_, np.ndarray)
    assert_allclose(model.coef_, expected.coef_, rtol=1e-12)
    expected = BCELogisticRegressionCV(learning_rates=["auto"], cv=3).fit(
        X, y.astype("float64"), sample_weight=weight
    )
    assert isinstance(search.classes_, np.ndarray)
    assert_allclose(
        search.cv_results_["mean_test_score"],
        expected.cv_results_["mean_test_score"],
        rtol=1e-12,
    )


def test_coef_table_takes_labels_and_weights_of_other_namespaces():
    X, y = make_problem("binary", "float64")
    weight = np.linspace(0.5, 2.0, len(y))
    model = BCELogisticRegression(C=np.inf).fit(X, y, sample_weight=weight)
    expected = model.coef_table(X, y, sample_weight=weight)
    for name in NAMESPACES:
        with dispatch():
            table = model.coef_table(
                X, as_input(y, name), sample_weight=as_input(weight, name)
            )
        assert_allclose(table.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_numpy_only_methods_load_dask_arrays_under_dispatch():
    # With dispatch on, scikit-learn sees an array API namespace in a dask
    # array; these methods still load it into memory, as without dispatch.
    from sklearn_bce import BCELogisticRegressionCV

    da = pytest.importorskip("dask.array")
    X, y = make_problem("binary", "float64")
    X_dask, y_dask = da.from_array(X, chunks=20), da.from_array(y, chunks=20)
    model = BCELogisticRegression(C=np.inf).fit(X, y)
    search = BCELogisticRegressionCV(learning_rates=["auto"], cv=3)
    streamed = BCELogisticRegression().partial_fit(X, y, classes=[0, 1])
    with dispatch():
        table = model.coef_table(X_dask, y_dask)
        dask_search = clone(search).fit(X_dask, y_dask)
        dask_streamed = BCELogisticRegression().partial_fit(
            X_dask, y_dask, classes=[0, 1]
        )
    assert_allclose(table.to_numpy(), model.coef_table(X, y).to_numpy(), rtol=1e-12)
    assert_allclose(dask_search.coef_, search.fit(X, y).coef_, rtol=1e-12)
    assert_allclose(dask_streamed.coef_, streamed.coef_, rtol=1e-12)


def test_sparsify_refuses_array_api_models_and_warm_starts_them():
    X, y = make_problem("binary", "float64")
    with dispatch():
        model = BCELogisticRegression().fit(as_input(X, "array_api_strict"), y)
    with pytest.raises(ValueError, match="fitted on array API arrays"):
        model.sparsify()
    assert not isinstance(model.coef_, np.ndarray)
    # A sparsified numpy model warm-starts an array API fit.
    model = BCELogisticRegression(tol=1e-8, warm_start=True).fit(X, y).sparsify()
    with dispatch():
        model.fit(as_input(X, "array_api_strict"), y)
    assert to_numpy(model.n_iter_)[0] <= 2


@pytest.mark.parametrize("name", NAMESPACES)
def test_divergence_midway_keeps_the_numpy_fits_lowest_objective_iterate(name):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    params = {"learning_rate": 100.0, "solver": "nesterov"}
    with pytest.warns(ConvergenceWarning, match="diverged"):
        expected = BCELogisticRegression(**params).fit(X, y)
    assert np.argmin(expected.loss_curve_) < expected.n_iter_[0] - 1
    with dispatch(), pytest.warns(ConvergenceWarning, match="diverged"):
        model = BCELogisticRegression(**params).fit(as_input(X, name), y)
    assert_array_equal(to_numpy(model.n_iter_), expected.n_iter_)
    assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_step_that_ends_above_its_start_diverged_as_with_numpy(name):
    # Fixed steps far above 1/L that swing up to max_iter without crossing
    # the divergence limit: diverged, with the lowest iterate kept.
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5) * [1, 1, 1, 1, 20]
    y = (X @ [1, -1, 0.5, 0, 0.05] + rng.randn(300) > 0).astype(int)
    params = {"learning_rate": 0.3, "solver": "gd", "max_iter": 300}
    with pytest.warns(ConvergenceWarning, match="diverged after 300"):
        expected = BCELogisticRegression(**params).fit(X, y)
    assert expected.loss_curve_[-1] > np.log(2)
    with dispatch(), pytest.warns(ConvergenceWarning, match="diverged after 300"):
        model = BCELogisticRegression(**params).fit(as_input(X, name), y)
    assert model.stop_reason_.tolist() == ["diverged"]
    assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=1e-8, atol=1e-10)


def tol_met_where_the_step_starts(case):
    """Data and parameters whose converging step rises from where tol was met."""
    rng = np.random.default_rng(9 if case == "look-ahead" else 0)
    if case != "look-ahead":  # the gradient meets tol at 0; 0.1 is 5e3/L
        X = 1e-4 * rng.standard_normal((20, 1))
        y = rng.integers(0, 2, 20)
        params = {"solver": "gd", "C": 1e-6, "fit_intercept": False}
        return X, y, {**params, "learning_rate": 0.1 if case == "start" else 1e300}
    # Momentum swinging through the optimum meets a loose tol at a look-ahead.
    X = rng.standard_normal((30, 2))
    y = (X[:, 0] + rng.standard_normal(30) > 0).astype(int)
    return X, y, {"learning_rate": 20.0, "tol": 0.05, "C": 30.0}


@pytest.mark.parametrize("case", ["start", "overflow", "look-ahead"])
@pytest.mark.parametrize("name", NAMESPACES)
def test_a_converged_fit_returns_where_tol_was_met_as_numpy(name, case):
    X, y, params = tol_met_where_the_step_starts(case)
    expected = BCELogisticRegression(**params).fit(X, y)
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BCELogisticRegression(**params).fit(as_input(X, name), y)
    assert model.stop_reason_.tolist() == ["converged"]
    assert_array_equal(to_numpy(model.n_iter_), expected.n_iter_)
    assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=1e-8, atol=1e-12)
    assert_allclose(to_numpy(model.loss_curve_), expected.loss_curve_, rtol=1e-10)
    if case != "look-ahead":
        assert not to_numpy(model.coef_).any()


@pytest.mark.parametrize("name", NAMESPACES)
def test_rounding_at_the_optimum_is_not_a_rise(name):
    # A safe fixed step warm-started at the optimum, run on with tol=0: a
    # few units of rounding above the start are not divergence.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(
        learning_rate=0.1, max_iter=100_000, tol=1e-10, warm_start=True
    )
    with dispatch():
        model.fit(as_input(X, name), y)
        assert set(model.stop_reason_) == {"converged"}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.set_params(tol=0, max_iter=100).fit(as_input(X, name), y)
    assert set(model.stop_reason_) == {"max_iter"}


@pytest.mark.parametrize("name", NAMESPACES)
def test_features_in_tiny_units_fit_as_with_numpy(name):
    # Features in units of 1e-155: coefficients near 1e155, whose squares
    # overflow (no penalty: the L2 term is 0, not 0 * inf), and a full
    # metric whose scaling (about 1e155 per side) must not be squared.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 4))
    y = (X @ [1.0, -1.0, 0.5, 0.0] + rng.normal(size=100) > 0.5).astype(int)
    expected = BCELogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BCELogisticRegression(C=np.inf, tol=1e-10)
        model.fit(as_input(X * 1e-155, name), y)
    assert model.stop_reason_.tolist() == ["converged"]
    assert_allclose(to_numpy(model.coef_) * 1e-155, expected.coef_, rtol=1e-8)
    assert_allclose(to_numpy(model.intercept_), expected.intercept_, rtol=1e-8)


@pytest.mark.parametrize("name", NAMESPACES)
def test_wide_correlated_features_switch_to_the_full_bound(name, correlated_wide_data):
    # Beyond 256 coefficients the diagonal metric is blind to correlated
    # features; the full bound takes over after 50 iterations (at the end of
    # a block here), and the fit reaches numpy's optimum within a block or two
    # of numpy's iterations.
    X, y = correlated_wide_data(n_classes=3)
    expected = BCELogisticRegression(tol=1e-8).fit(X, y)
    with dispatch():
        model = BCELogisticRegression(tol=1e-8).fit(as_input(X, name), y)
    n_iter = to_numpy(model.n_iter_)
    assert (n_iter < 100).all() and model.stop_reason_.tolist() == ["converged"] * 3
    assert_allclose(to_numpy(model.coef_), expected.coef_, rtol=0, atol=1e-7)


# The full metric (no L1 part) and the diagonal one (with an L1 part).  An
# eigendecomposition of the full metric mixed the intercept with the features
# at its rounding, so that below about C=1e-30 the fit never converged.
@pytest.mark.parametrize(
    "l1_ratio, C, dtype",
    [
        (0.0, 1e-30, "float64"),
        (0.0, 1e-60, "float64"),
        (0.0, 1e-300, "float64"),
        (0.0, 1e-32, "float32"),
        (0.5, 1e-100, "float64"),
    ],
)
@pytest.mark.parametrize("name", NAMESPACES)
def test_a_penalty_that_dwarfs_the_data_leaves_the_intercept_exact(
    name, l1_ratio, C, dtype
):
    X, y = make_problem("binary", dtype)
    tol = 1e-8 if dtype == "float64" else 1e-6
    model = BCELogisticRegression(C=C, tol=tol, l1_ratio=l1_ratio)
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("error")  # converges, no warning
        model.fit(as_input(X, name), y)
    assert_allclose(
        to_numpy(model.intercept_),
        [np.log(y.mean() / (1 - y.mean()))],
        # The intercept's gradient is within tol: |mean(p) - mean(y)| <= tol.
        rtol=1e-6 if dtype == "float64" else 0,
        atol=0 if dtype == "float64" else 4 * tol / (y.mean() * (1 - y.mean())),
    )
    assert np.abs(to_numpy(model.coef_)).max() < 1e-15


@pytest.mark.parametrize(
    "dtype, params",
    [
        ("float32", {"l1_ratio": 1.0}),  # the diagonal metric's entry rounds to 0
        ("float32", {"C": np.inf, "solver": "gd", "fit_intercept": False}),
        ("float64", {"C": 1e-300, "l1_ratio": 1.0}),  # the L1 threshold overflows
    ],
)
@pytest.mark.parametrize("name", NAMESPACES)
def test_curvatures_below_the_dtypes_range_keep_the_model_finite(name, dtype, params):
    # A feature in units of 1e-24 (1e-100 for float64) has a curvature of
    # about 1e-48 (1e-200): 0 in float32, or, over C=1e-300's penalty, an L1
    # threshold beyond float64; with every feature in such units, plain
    # descent's step 1/L is beyond float32.  The model was NaN (float32), or
    # the threshold overflowed; both as the numpy engine now.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = (X[:, 0] + rng.normal(size=100) > 0).astype(int)
    X[:, 2] *= 1e-24 if dtype == "float32" else 1e-100
    if "C" in params and params["C"] < 1:
        X *= 1e-100
    if params.get("solver") == "gd":
        X *= 1e-24  # 1/L, about 1e48, is beyond float32's range
    X = X.astype(dtype)
    expected = BCELogisticRegression(**params).fit(X, y)
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BCELogisticRegression(**params).fit(as_input(X, name), y)
    coef = to_numpy(model.coef_)
    assert np.isfinite(coef).all()
    if "l1_ratio" in params:
        assert_array_equal(coef[:, 2], 0)
        assert_allclose(coef, expected.coef_, rtol=1e-4, atol=1e-6)
    # (All in tiny units, the gradient is below tol from the start: both
    # engines stop at once, from steps that differ where float32 rounds the
    # numpy engine's bound to 0.)


# -- warm start, float32, verbose ------------------------------------------------------
@pytest.mark.parametrize("name", NAMESPACES)
def test_warm_start_continues_from_the_fitted_coefficients(name):
    X, y = make_problem("binary", "float64")
    X_xp = as_input(X, name)
    with dispatch():
        model = BCELogisticRegression(tol=1e-8, warm_start=True).fit(X_xp, y)
        first = to_numpy(model.n_iter_)[0]
        model.fit(X_xp, y)
    assert first > 5
    assert to_numpy(model.n_iter_)[0] <= 2


@pytest.mark.parametrize("name", NAMESPACES)
def test_warm_start_on_fewer_features_raises_as_with_numpy(name):
    X, y = make_problem("binary", "float64")
    with dispatch():
        model = BCELogisticRegression(warm_start=True).fit(as_input(X, name), y)
        with pytest.raises(
            ValueError, match=r"warm_start=True cannot start .*\(3 features"
        ):
            model.fit(as_input(X[:, :3], name), y)
    assert model.coef_.shape == (1, X.shape[1])


@pytest.mark.parametrize("name", NAMESPACES)
def test_warm_start_from_non_finite_coefficients_raises_as_with_numpy(name):
    X, y = make_problem("binary", "float64")
    with dispatch():
        model = BCELogisticRegression(warm_start=True).fit(as_input(X, name), y)
        model.intercept_[0] = float("nan")
        with pytest.raises(ValueError, match="warm_start=True cannot start from"):
            model.fit(as_input(X, name), y)


@pytest.mark.parametrize("name", NAMESPACES)
def test_warm_start_beyond_the_range_of_float32_data_raises_as_with_numpy(name):
    X, y = make_problem("binary", "float32")
    with dispatch():
        model = BCELogisticRegression(warm_start=True).fit(as_input(X, name), y)
        coef = to_numpy(model.coef_).astype(np.float64)
        coef[0, 0] = 1e39
        model.coef_ = as_input(coef, name)
        with pytest.raises(ValueError, match="beyond the range of float32"):
            model.fit(as_input(X, name), y)


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_refit_without_warm_start_starts_afresh(name):
    X, y = make_problem("binary", "float64")
    params = {"solver": "gd", "learning_rate": 0.5, "tol": 1e-6}
    expected = BCELogisticRegression(**params).fit(X, y).fit(X, y)
    X_xp = as_input(X, name)
    with dispatch():
        fresh = BCELogisticRegression(**params).fit(X_xp, y)
        model = BCELogisticRegression(**params).fit(X_xp, y)
        model.fit(X_xp, y)  # warm_start=False: from zeros again
    assert to_numpy(fresh.n_iter_)[0] > 5
    assert_array_equal(to_numpy(model.n_iter_), expected.n_iter_)
    assert_array_equal(to_numpy(model.n_iter_), to_numpy(fresh.n_iter_))
    assert_array_equal(to_numpy(model.loss_curve_), to_numpy(fresh.loss_curve_))
    assert_allclose(to_numpy(model.loss_curve_), expected.loss_curve_, rtol=1e-10)


def test_a_tensor_that_records_gradients_is_fitted_on_its_values():
    torch = pytest.importorskip("torch")
    X, y = make_problem("binary", "float64")
    with dispatch():
        plain = BCELogisticRegression().fit(torch.asarray(X), y)
        recording = torch.asarray(X).requires_grad_(True)
        model = BCELogisticRegression().fit(recording, y)
        weight = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
        weighted = BCELogisticRegression().fit(
            torch.asarray(X), y, sample_weight=torch.asarray(weight)
        )
        weighted_recording = BCELogisticRegression().fit(
            torch.asarray(X),
            y,
            sample_weight=torch.asarray(weight).requires_grad_(True),
        )
        # Float labels that record gradients (a network's targets).
        labels = torch.asarray(y.astype(np.float64)).requires_grad_(True)
        recording_labels = BCELogisticRegression().fit(torch.asarray(X), labels)
    assert not model.coef_.requires_grad
    assert_array_equal(to_numpy(model.coef_), to_numpy(plain.coef_))
    assert_array_equal(to_numpy(weighted_recording.coef_), to_numpy(weighted.coef_))
    assert_array_equal(to_numpy(recording_labels.coef_), to_numpy(plain.coef_))


def test_integer_X_is_fitted_in_float32_on_a_device_without_float64():
    # As on PyTorch's "mps" devices: array-api-strict's device without float64.
    try:
        device = array_api_strict.Device("no_float64")
    except ValueError:  # pragma: no cover - an older array-api-strict
        pytest.skip("this array-api-strict has no device without float64")
    X, y = make_problem("binary", "float64")
    X = np.round(4 * X).astype(np.int32)
    expected = BCELogisticRegression().fit(X.astype(np.float32), y)
    X_xp = array_api_strict.asarray(X, device=device)
    with dispatch():
        model = BCELogisticRegression().fit(X_xp, y)
        proba = model.predict_proba(X_xp)
    for array in (model.coef_, proba):
        assert array.dtype == array_api_strict.float32
        assert array.device == device
    # The host reads them through a device that has float64.
    cpu = array_api_strict.Device("CPU_DEVICE")
    coef = to_numpy(array_api_strict.asarray(model.coef_, device=cpu))
    assert_allclose(coef, expected.coef_, rtol=1e-4)
    proba = to_numpy(array_api_strict.asarray(proba, device=cpu))
    assert_allclose(proba, expected.predict_proba(X.astype(np.float32)), atol=1e-5)


def test_verbose_prints_the_progress(capsys):
    X, y = make_problem("binary", "float64")
    with dispatch():
        BCELogisticRegression(verbose=1, solver="gd", max_iter=25, tol=0).fit(
            as_input(X, "array_api_strict"), y
        )
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "Iteration 10",
        "Iteration 20",
        "Iteration 25",
    ]


@pytest.mark.parametrize(
    "loader, params",
    [
        (load_iris, {"max_iter": 12, "tol": 0}),
        # Classes that stop at 19, 20 and 22 iterations, one while it lags.
        (load_wine, {"max_iter": 100, "tol": 1e-4}),
    ],
    ids=["iris", "wine"],
)
@pytest.mark.parametrize("name", NAMESPACES)
def test_verbose_prints_each_iteration_once_as_numpy(name, loader, params, capsys):
    # Three classes whose line searches reject steps at different iterations:
    # the block's trials put the columns at different iteration counts.
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    BCELogisticRegression(verbose=2, **params).fit(X, y)
    expected = capsys.readouterr().out.splitlines()
    xp, device = namespace_and_device(name)
    with dispatch():
        BCELogisticRegression(verbose=2, **params).fit(
            as_input(X, name), xp.asarray(y, device=device)
        )
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == [
        line.split(",")[0] for line in expected
    ]

    def values(line):  # the objective and the largest gradient entry
        return [float(part.split("=")[1]) for part in line.split(",")[1:3]]

    assert_allclose(
        [values(line) for line in lines], [values(line) for line in expected], rtol=1e-6
    )


# -- scikit-learn's own value check ----------------------------------------------------
@pytest.mark.parametrize(
    "estimator",
    [
        BCELogisticRegression(),
        BCELogisticRegression(solver="gd"),
        BCELogisticRegression(learning_rate=0.1),
        BCELogisticRegression(l1_ratio=0.5, class_weight="balanced"),
    ],
    ids=["default", "gd", "fixed-step", "elasticnet-balanced"],
)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMESPACES)
def test_sklearn_array_api_values_check(name, dtype, estimator, sklearn_reads_device1):
    # Attributes and outputs equal to the numpy fit's (with sample weights).
    if name == "array_api_strict" and not sklearn_reads_device1:
        pytest.skip("scikit-learn cannot read device1 into NumPy < 2.1")
    namespace_and_device(name)
    device = "cpu" if name == "torch" else "device1"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check_array_api_input_and_values(
            "BCELogisticRegression",
            estimator,
            array_namespace=name,
            device_name=device,
            dtype_name=dtype,
            check_sample_weight=True,
        )


def test_the_search_refuses_array_api_input():
    from sklearn_bce import BCELogisticRegressionCV

    X, y = make_problem("binary", "float64")
    with (
        dispatch(),
        pytest.raises(
            ValueError, match=r"BCELogisticRegressionCV\.fit is not supported for"
        ),
    ):
        BCELogisticRegressionCV(cv=3).fit(as_input(X, "array_api_strict"), y)


def test_array_api_input_without_the_helpers_is_a_clear_error(monkeypatch):
    # As with scikit-learn < 1.9, which lacks the helpers the array API path needs.
    from sklearn_bce import _array_api

    monkeypatch.setattr(_array_api, "ARRAY_API_HELPERS", False)
    X, y = make_problem("binary", "float64")
    with dispatch(), pytest.raises(ValueError, match=r"need scikit-learn >= 1\.9"):
        BCELogisticRegression().fit(as_input(X, "array_api_strict"), y)


FLAT = {
    "gd": ({"solver": "gd", "C": np.inf}, "float64"),
    "nesterov": ({"C": np.inf}, "float64"),
    "L1 float32": ({"l1_ratio": 1.0}, "float32"),
    # An exactly zero gradient meets tol=0.
    "tol 0": ({"C": np.inf, "tol": 0.0}, "float64"),
}


@pytest.mark.parametrize("case", FLAT.values(), ids=FLAT.keys())
@pytest.mark.parametrize("name", NAMESPACES)
def test_flat_objective_is_fitted_as_numpy(name, case):
    # All-zero X, no intercept, no L2 term: no curvature at all.  The numpy
    # engine's zeros, converged at once (was a ZeroDivisionError, or NaN).
    params, dtype = case
    X = np.zeros((20, 3), dtype=dtype)
    y = np.arange(20) % 2
    params = {"fit_intercept": False, **params}
    expected = BCELogisticRegression(**params).fit(X, y)
    xp, device = namespace_and_device(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with dispatch():
            model = BCELogisticRegression(**params).fit(
                as_input(X, name), xp.asarray(y, device=device)
            )
    assert_array_equal(to_numpy(model.coef_), expected.coef_)
    assert_array_equal(to_numpy(model.n_iter_), expected.n_iter_)
    assert (
        model.stop_reason_.tolist() == expected.stop_reason_.tolist() == ["converged"]
    )


@pytest.mark.parametrize("name", NAMESPACES)
def test_verbose_numbers_a_diverged_step_as_numpy(name, capsys):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    params = {"learning_rate": 100.0, "verbose": 2}
    with pytest.warns(ConvergenceWarning):
        BCELogisticRegression(**params).fit(X, y)
    expected = capsys.readouterr().out
    xp, device = namespace_and_device(name)
    with pytest.warns(ConvergenceWarning), dispatch():
        BCELogisticRegression(**params).fit(
            as_input(X, name), xp.asarray(y, device=device)
        )
    lines = capsys.readouterr().out.splitlines()
    numbers = [line.split(",")[0] for line in lines if line.startswith("Iteration")]
    assert numbers == [
        line.split(",")[0]
        for line in expected.splitlines()
        if line.startswith("Iteration")
    ]
    assert len(set(numbers)) == len(numbers)
    # The diverged step's line, not the kept coefficients' objective.
    assert lines[-1] == expected.splitlines()[-1]
    assert lines[-1].endswith(
        "the step diverged: the fit keeps the coefficients of its lowest objective"
    )


def test_warm_start_on_numpy_from_a_device_model_says_what_to_do():
    X, y = make_problem("binary", "float64")
    xp, device = namespace_and_device("array_api_strict")  # NumPy cannot read it
    model = BCELogisticRegression(warm_start=True)
    with dispatch():
        model.fit(as_input(X, "array_api_strict"), xp.asarray(y, device=device))
    coef = to_numpy(model.coef_)
    with pytest.raises(ValueError, match=r"warm_start=True.*move_estimator_to"):
        model.fit(X, y)
    assert_array_equal(to_numpy(model.coef_), coef)  # the model is kept


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_sample_fitted_with_a_large_margin_keeps_its_loss(name):
    # As the numpy engine: the loss of a label-1 sample at a large logit was
    # rounding noise (0 from z of about 37), and this fit stalled at max_iter.
    X, y = np.array([[0.0], [0.0], [1e6]]), np.array([0, 0, 1])
    params = {"C": 1.0, "tol": 1e-8, "max_iter": 100_000}
    expected = BCELogisticRegression(**params).fit(X, y)
    with dispatch():
        model = BCELogisticRegression(**params).fit(as_input(X, name), y)
    assert model.stop_reason_.tolist() == ["converged"]
    assert to_numpy(model.n_iter_).tolist() == expected.n_iter_.tolist()
    assert_allclose(to_numpy(model.loss_curve_), expected.loss_curve_, rtol=1e-10)
