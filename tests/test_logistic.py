"""Estimator behaviour beyond the common checks: textbook loop, curves, output."""

import inspect
import os
import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression
from sklearn_bce.__main__ import main


def textbook_loop(X, y, learning_rate, n_steps, C, sample_weight):
    """Batch gradient descent as the textbook writes it."""
    w, b = np.zeros(X.shape[1]), 0.0
    S = sample_weight.sum()
    for _ in range(n_steps):
        z = X @ w + b
        error = sample_weight * (expit(z) - y)
        grad_w = X.T @ error / S + w / (C * S)
        grad_b = error.sum() / S
        w = w - learning_rate * grad_w
        b = b - learning_rate * grad_b
    return w, b


@pytest.mark.parametrize("C", [0.5, np.inf])
def test_gd_with_fixed_learning_rate_is_the_textbook_loop(
    breast_cancer_standardised, C, rng
):
    X, y = breast_cancer_standardised
    sample_weight = rng.uniform(0.5, 2.0, size=len(y))
    model = BCELogisticRegression(
        solver="gd", learning_rate=0.3, max_iter=5, tol=0, C=C
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tol=0: max_iter is what was asked for
        model.fit(X, y, sample_weight=sample_weight)
    w, b = textbook_loop(X, y, 0.3, 5, C, sample_weight)
    assert_allclose(model.coef_[0], w, rtol=1e-12, atol=1e-15)
    assert_allclose(model.intercept_[0], b, rtol=1e-12)
    assert model.n_iter_[0] == 5


def objective(model, X, y):
    z = model.decision_function(X)
    w, rho = model.coef_[0], model.l1_ratio
    penalty = (1 - rho) * 0.5 * w @ w + rho * np.abs(w).sum()
    return np.mean(np.logaddexp(0, z) - y * z) + penalty / (model.C * len(y))


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
def test_loss_curve_counts_the_l1_term(breast_cancer_standardised, solver, l1_ratio):
    X, y = breast_cancer_standardised
    model = BCELogisticRegression(solver=solver, l1_ratio=l1_ratio, C=0.1, tol=1e-3)
    with warnings.catch_warnings():
        # Plain proximal descent nears this optimum slowly; converged or not,
        # the last entry of the curve is the objective of the coefficients.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert 0 < np.count_nonzero(model.coef_) < X.shape[1]  # the L1 term at work
    assert_allclose(model.loss_curve_[-1], objective(model, X, y), rtol=1e-12)


def test_loss_curve_is_the_objective_after_each_iteration(breast_cancer_standardised):
    X, y = breast_cancer_standardised
    model = BCELogisticRegression(solver="gd", learning_rate=0.5, max_iter=5000).fit(
        X, y
    )
    assert model.loss_curve_.shape == (model.n_iter_[0],)
    assert_allclose(model.loss_curve_[-1], objective(model, X, y), rtol=1e-12)
    # A safe fixed step descends.
    assert np.all(np.diff(model.loss_curve_) <= 0)
    for n_steps in [1, 3]:
        short = BCELogisticRegression(
            solver="gd", learning_rate=0.5, max_iter=n_steps, tol=0
        )
        short.fit(X, y)
        assert_allclose(
            model.loss_curve_[n_steps - 1], objective(short, X, y), rtol=1e-12
        )


def test_multiclass_curves_and_reports():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(tol=1e-6).fit(X, y)
    assert model.loss_curve_.shape == (3, model.n_iter_.max())
    for k in range(3):
        assert np.isfinite(model.loss_curve_[k, : model.n_iter_[k]]).all()
        assert np.isnan(model.loss_curve_[k, model.n_iter_[k] :]).all()
    assert model.converged_.all()
    assert list(model.stop_reason_) == ["converged"] * 3


def test_convergence_report_names_max_iter():
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(solver="gd", learning_rate=1e-3, max_iter=3)
    with pytest.warns(ConvergenceWarning, match=r"max_iter=3 .*StandardScaler"):
        model.fit(X, y)
    assert not model.converged_.any()
    assert set(model.stop_reason_) == {"max_iter"}


def test_divergence_names_classes_and_a_safe_step():
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(solver="gd", learning_rate=1e4)
    with pytest.warns(
        ConvergenceWarning,
        match=r"diverged for classes \[0, 1, 2\].*fixed step of at most 1/L",
    ):
        model.fit(X, y)
    assert np.isfinite(model.coef_).all()
    assert np.isfinite(model.predict_proba(X)).all()


def swinging_data():
    # One feature on 20 times the others' scale: fixed steps far above 1/L
    # (about 0.01 here) swing instead of descending.
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5) * [1, 1, 1, 1, 20]
    y = (X @ [1, -1, 0.5, 0, 0.05] + rng.randn(300) > 0).astype(int)
    return X, y


def test_a_step_that_ends_above_its_start_diverged_and_keeps_its_best():
    # The objective falls to 0.5 at iteration 86 of 300, then swings up to
    # 1.5, above the start's log 2 without ever crossing the divergence
    # limit: a failed fit, reported as diverged, with the best iterate kept.
    X, y = swinging_data()
    model = BCELogisticRegression(solver="gd", learning_rate=0.3, max_iter=300)
    with pytest.warns(ConvergenceWarning, match="diverged after 300 iterations"):
        model.fit(X, y)
    assert model.stop_reason_.tolist() == ["diverged"]
    curve = model.loss_curve_
    assert curve.shape == (300,) and curve.min() < np.log(2) < curve[-1]
    z = X @ model.coef_[0] + model.intercept_[0]
    kept = np.mean(np.logaddexp(0, z) - y * z) + model.coef_ @ model.coef_.T / 600
    assert_allclose(kept.item(), curve.min(), rtol=1e-10)
    # A step that descends but runs out of iterations is not diverged.
    short = BCELogisticRegression(solver="gd", learning_rate=0.005, max_iter=20)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        short.fit(X, y)
    assert short.stop_reason_.tolist() == ["max_iter"]


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rounding_at_the_optimum_is_not_a_rise(solver, dtype):
    # A safe fixed step (0.1, below 1/L = 1.36) warm-started at the optimum
    # and run on (tol=0) ends within rounding of its start, sometimes a few
    # units above it: that is running out of iterations, not divergence.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(dtype)
    model = BCELogisticRegression(
        solver=solver, learning_rate=0.1, max_iter=100_000, tol=1e-5, warm_start=True
    ).fit(X, y)
    assert set(model.stop_reason_) == {"converged"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.set_params(tol=0, max_iter=200).fit(X, y)
    assert set(model.stop_reason_) == {"max_iter"}


@pytest.mark.parametrize("learning_rate", [0.1, 1e300])
@pytest.mark.parametrize("solver", ["gd", "nesterov"])
def test_a_converged_fit_returns_the_point_whose_gradient_met_tol(
    solver, learning_rate
):
    # The penalty's curvature, 1/(C n) = 5e4, makes the step 0.1 five
    # thousand times too long; at the start (0) the gradient, 1e-5, already
    # meets tol.  The step from there would land where the gradient is 4e-2
    # (or, with 1e300, overflow): the fit converged at 0 and must return 0,
    # not that step, nor call it diverged.
    rng = np.random.default_rng(0)
    X = 1e-4 * rng.standard_normal((20, 1))
    y = rng.integers(0, 2, 20)
    model = BCELogisticRegression(
        solver=solver, C=1e-6, fit_intercept=False, learning_rate=learning_rate
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]
    w = model.coef_[0]
    gradient = X.T @ (expit(X @ w) - y) / 20 + w / (1e-6 * 20)
    assert np.abs(gradient).max() <= model.tol
    assert_allclose(model.loss_curve_[-1], np.log(2), rtol=1e-12)


@pytest.mark.parametrize("seed", [2, 9])
def test_momentum_swinging_through_the_optimum_returns_where_it_met_tol(seed):
    # A step too long for the curvature at the optimum (20 here) makes the
    # momentum iterates swing; the look-ahead point of one swing meets the
    # loose tol, and the step from it rises again.  The fit converged at
    # that look-ahead point and returns it, with its objective.
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((30, 2))
    y = (X[:, 0] + rng.standard_normal(30) > 0).astype(int)
    model = BCELogisticRegression(learning_rate=20.0, tol=0.05, C=30.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]
    w, b = model.coef_[0], model.intercept_[0]
    z = X @ w + b
    residual = expit(z) - y
    gradient = np.r_[X.T @ residual / 30 + w / (30.0 * 30), residual.mean()]
    assert np.abs(gradient).max() <= model.tol
    objective = np.mean(np.logaddexp(0, z) - y * z) + w @ w / (2 * 30.0 * 30)
    assert_allclose(model.loss_curve_[-1], objective, rtol=1e-12)


def test_a_warm_start_at_the_optimum_with_a_long_step_stays_there(
    breast_cancer_standardised,
):
    # Converged at once (the gradient meets tol where it starts), so the
    # step 1e4, far beyond 1/L, must not be taken: the objective stays.
    X, y = breast_cancer_standardised
    model = BCELogisticRegression(warm_start=True).fit(X, y)
    start, coef = model.loss_curve_[-1], model.coef_.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.set_params(learning_rate=1e4).fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]
    assert model.loss_curve_.tolist() == [start]
    assert_array_equal(model.coef_, coef)


@pytest.mark.parametrize(
    "verbose, max_iter, printed", [(1, 40, 4), (2, 40, 40), (1, 45, 5)]
)
def test_verbose_prints_progress(
    breast_cancer_standardised, capsys, verbose, max_iter, printed
):
    X, y = breast_cancer_standardised
    model = BCELogisticRegression(
        solver="gd", learning_rate=0.5, max_iter=max_iter, tol=0, verbose=verbose
    )
    model.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == printed
    # The last iteration is shown even between two of every 10.
    assert lines[-1].startswith(f"Iteration {max_iter}, objective = ")
    assert f"{model.loss_curve_[-1]:.8g}" in lines[-1]


def test_predict_log_proba_is_stable_and_consistent(breast_cancer_standardised):
    X, y = breast_cancer_standardised
    model = BCELogisticRegression(C=np.inf, solver="gd", learning_rate=1.0, max_iter=50)
    with pytest.warns(ConvergenceWarning):
        model.fit(X * 1e3, y)  # huge logits: probabilities round to 0 and 1
    log_proba = model.predict_log_proba(X * 1e3)
    assert np.isfinite(log_proba).all()
    assert_allclose(np.exp(log_proba), model.predict_proba(X * 1e3), atol=1e-12)
    X_small, y_small = X[:50], y[:50]
    model = BCELogisticRegression().fit(X_small, y_small)
    assert_allclose(
        model.predict_log_proba(X_small), np.log(model.predict_proba(X_small))
    )


def test_multiclass_predict_log_proba():
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression().fit(X, y)
    assert_allclose(
        np.exp(model.predict_log_proba(X)), model.predict_proba(X), rtol=1e-12
    )


def test_l1_gives_sparse_coefficients(breast_cancer_standardised):
    X, y = breast_cancer_standardised
    dense = BCELogisticRegression(C=0.1).fit(X, y)
    sparse = BCELogisticRegression(C=0.1, l1_ratio=1.0).fit(X, y)
    assert np.count_nonzero(dense.coef_) == X.shape[1]
    assert 0 < np.count_nonzero(sparse.coef_) < X.shape[1] // 2


def test_sparsify_keeps_the_model_and_every_method_accepts_it(
    breast_cancer_standardised,
):
    X, y = breast_cancer_standardised
    model = BCELogisticRegression(C=0.1, l1_ratio=1.0, tol=1e-6).fit(X, y)
    dense_coef = model.coef_.copy()
    expected = {
        name: getattr(model, name)(X)
        for name in ("decision_function", "predict_proba", "predict_log_proba")
    }
    with pytest.warns(UserWarning, match="penalised"):
        table = model.coef_table(X, y)
    assert model.sparsify() is model
    assert sp.issparse(model.coef_) and model.coef_.format == "csr"
    assert model.coef_.nnz == np.count_nonzero(dense_coef)
    for name, values in expected.items():
        for data in (X, sp.csr_matrix(X), sp.csc_matrix(X)):
            assert_allclose(getattr(model, name)(data), values, rtol=1e-12, atol=1e-14)
    with pytest.warns(UserWarning, match="penalised"):
        assert_allclose(model.coef_table(X, y).to_numpy(), table.to_numpy())
    restored = pickle.loads(pickle.dumps(model))
    assert sp.issparse(restored.coef_)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert model.densify() is model and isinstance(model.coef_, np.ndarray)
    np.testing.assert_array_equal(model.coef_, dense_coef)
    assert model.densify() is model  # no-op on a dense coef_

    # Warm start and partial_fit continue from the sparsified coefficients.
    model.sparsify().set_params(warm_start=True).fit(X, y)
    assert isinstance(model.coef_, np.ndarray)
    assert model.n_iter_[0] <= 2
    assert_allclose(model.coef_, dense_coef, atol=1e-5)
    model.sparsify().partial_fit(X, y)
    assert isinstance(model.coef_, np.ndarray)
    assert_allclose(model.coef_, dense_coef, atol=1e-3)


@pytest.mark.parametrize(
    "model_dtype, data_dtype", [(np.float32, np.float64), (np.float64, np.float32)]
)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_a_sparsified_model_predicts_sparse_data_of_the_other_dtype(
    breast_cancer_standardised, model_dtype, data_dtype, fmt
):
    # SciPy multiplies sparse matrices of one dtype only: the product is
    # promoted as the dense coef_'s is.
    X, y = breast_cancer_standardised
    model = BCELogisticRegression(C=0.1, l1_ratio=1.0).fit(X.astype(model_dtype), y)
    data = sp.csr_matrix(X.astype(data_dtype)).asformat(fmt)
    expected = model.decision_function(data)
    model.sparsify()
    scores = model.decision_function(data)
    assert scores.dtype == expected.dtype == np.float64
    assert_allclose(scores, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(model.predict(data), model.densify().predict(data))


@pytest.mark.parametrize("method", ["sparsify", "densify"])
def test_sparsify_and_densify_need_a_fitted_model(method):
    with pytest.raises(NotFittedError, match="must be fitted before"):
        getattr(BCELogisticRegression(), method)()


def test_a_logit_of_zero_predicts_the_first_class_as_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    X = np.array([[-1.0], [1.0], [0.0]])
    y = np.array(["no", "yes", "yes"])
    ours = BCELogisticRegression().fit(X, y)
    theirs = LogisticRegression().fit(X, y)
    for model in (ours, theirs):
        model.coef_[:] = 1.0
        model.intercept_[:] = 0.0
    # The last row has a logit of exactly 0 (probability 1/2): a tie.
    assert ours.decision_function(X)[-1] == 0.0
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.predict(X)[-1] == "no"


def test_tol_zero_stops_where_the_gradient_is_exactly_zero():
    # Two identical rows of opposite classes: at the start (all zeros) every
    # probability is 1/2 and the gradient is exactly zero.
    X = np.array([[1.0, 2.0], [1.0, 2.0]])
    y = np.array([0, 1])
    model = BCELogisticRegression(tol=0, max_iter=50).fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]
    assert model.n_iter_[0] == 1
    np.testing.assert_array_equal(model.coef_, 0.0)


def flat_to_rounding():
    """Features of scale 1e-8: near the optimum the objective moves by less
    than its rounding."""
    rng = np.random.RandomState(0)
    X = 1e-8 * rng.randn(20, 3)
    return X, (X[:, 0] + 1e-8 * rng.randn(20) > 0).astype(int)


def test_more_iterations_on_an_objective_flat_to_rounding_stay_at_the_optimum():
    # Every line-searched step passes where the objective is flat to
    # rounding.  Steps lengthened after each such pass without bound, and
    # tol=0's 1000 iterations ended 2x the coefficients' size away from the
    # optimum that the first 100 reached.
    X, y = flat_to_rounding()
    reference = BCELogisticRegression(solver="gd", tol=0, max_iter=1000).fit(X, y)
    for max_iter in (100, 1000):
        model = BCELogisticRegression(tol=0, max_iter=max_iter).fit(X, y)
        np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-5)


def test_demo_runs_and_matches_logistic_regression(capsys):
    assert main(["--repeats", "1", "--cv", "3", "--learning-rates", "auto", "1.0"]) == 0
    out = capsys.readouterr().out
    assert "LogisticRegression" in out and "chosen: learning_rate=" in out
    difference = float(out.split("max |coefficient difference|: ")[1].split()[0])
    assert difference < 1e-3


def test_command_line_bad_option_exits_with_status_2():
    # The help is checked in tests/test_cli.py.
    run = [sys.executable, "-m", "sklearn_bce"]
    result = subprocess.run(
        [*run, "demo", "--learning-rates", "-1"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "learning rate must be 'auto' or a positive number" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_multiclass_probabilities_do_not_underflow(dtype):
    # Every one-vs-rest sigmoid underflows to 0; their ratios do not.
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression().fit(X.astype(dtype), y)
    model.coef_ = np.zeros_like(model.coef_)
    model.intercept_ = np.array([-1000.0, -1010.0, -990.0], dtype=dtype)
    expected = np.exp([-10.0, -20.0, 0.0]) / np.exp([-10.0, -20.0, 0.0]).sum()
    proba = model.predict_proba(X[:3].astype(dtype))
    assert proba.dtype == dtype
    assert_allclose(proba, np.tile(expected, (3, 1)), rtol=1e-5)
    assert_allclose(
        np.exp(model.predict_log_proba(X[:3].astype(dtype))), proba, rtol=1e-5
    )


def test_warnings_point_at_the_callers_line(breast_cancer_standardised):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    from sklearn_bce import BCELogisticRegressionCV

    X, y = breast_cancer_standardised
    calls = {
        "fit": lambda: BCELogisticRegression(max_iter=2).fit(X, y),
        "pipeline": lambda: make_pipeline(BCELogisticRegression(max_iter=2)).fit(X, y),
        # Its fold fits run inside joblib (one process: no worker).
        "grid search": lambda: GridSearchCV(
            BCELogisticRegression(max_iter=2), {"C": [1.0]}, cv=2
        ).fit(X, y),
        "search": lambda: BCELogisticRegressionCV(
            learning_rates=[1e4, "auto"], cv=3
        ).fit(X, y),
        "coef_table": lambda: (
            BCELogisticRegression().fit(X[:, :3], y).coef_table(X[:, :3], y)
        ),
    }
    for name, call in calls.items():
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            call()
        assert record, name
        assert {w.filename for w in record} == {__file__}, name


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_l1_ratio_with_an_infinite_C_is_said_to_be_unused(
    breast_cancer_standardised, method
):
    # As LogisticRegression warns that l1_ratio is unused without a penalty
    # (it does not for l1_ratio=1; an L1 penalty unused is as surprising).
    X, y = breast_cancer_standardised
    X, y = X[:100], y[:100]

    def warnings_of(**params):
        model = BCELogisticRegression(max_iter=3, **params)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            if method == "fit":
                model.fit(X, y)
            else:
                model.partial_fit(X, y, classes=[0, 1])
        return [w for w in record if w.category is UserWarning]

    for l1_ratio in (0.5, 1.0):
        (warning,) = warnings_of(C=np.inf, l1_ratio=l1_ratio)
        assert str(warning.message).startswith(
            f"l1_ratio={l1_ratio} is not used with C=inf, which fits without a penalty"
        )
        assert warning.filename == __file__
    assert warnings_of(C=np.inf) == []
    assert warnings_of(C=1.0, l1_ratio=1.0) == []


def _convergence_warnings(model, X, y, sample_weight=None):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(X, y, sample_weight=sample_weight)
    return [w for w in record if w.category is ConvergenceWarning]


def _says_separated(model, X, y, sample_weight=None):
    return any(
        str(w.message).startswith("The model separates")
        for w in _convergence_warnings(model, X, y, sample_weight)
    )


@pytest.mark.parametrize(
    "params",
    [{}, {"tol": 1e-8}, {"max_iter": 5}, {"batch_size": 20, "max_iter": 100}],
)
def test_separated_classes_without_a_penalty_are_said_to_have_no_minimum(params):
    # Setosa against versicolor: a plane separates them, so without a
    # penalty the loss falls towards 0 as the coefficients grow.  Where the
    # fit stops (tol, max_iter) is no optimum: one warning says why, and
    # not also "increase max_iter", which would only make them larger.
    X, y = load_iris(return_X_y=True)
    X, y = X[y < 2], y[y < 2]
    model = BCELogisticRegression(C=np.inf, **params)
    (warning,) = _convergence_warnings(model, X, y)
    message = str(warning.message)
    assert message.startswith(
        "The model separates the classes of the training data: without a "
        "penalty (C=inf) the objective has no minimum"
    )
    largest = max(np.abs(model.coef_).max(), np.abs(model.intercept_).max())
    assert f"(the largest, intercept included, is {largest:.3g} in" in message
    assert warning.filename == __file__
    # A penalty has a minimum; so have classes that no plane separates.
    assert not _says_separated(BCELogisticRegression(C=1e4, **params), X, y)
    flipped = y.copy()
    flipped[0] = 1 - flipped[0]
    assert not _says_separated(model, X, flipped)
    # ... unless the sample that breaks the separation weighs nothing.
    weight = np.ones(len(y))
    weight[0] = 0
    assert _says_separated(model, X, flipped, weight)


def test_separation_warning_counts_the_intercept_and_not_validation_rows():
    # Classes split at x = 100: the intercept is the largest coefficient.
    x = np.r_[np.linspace(90, 99.5, 20), np.linspace(100.5, 110, 20)]
    X, y = x[:, None], np.r_[np.zeros(20), np.ones(20)]
    model = BCELogisticRegression(C=np.inf)
    (warning,) = _convergence_warnings(model, X, y)
    largest = abs(model.intercept_[0])
    assert largest > 10 * abs(model.coef_[0, 0])
    assert f"(the largest, intercept included, is {largest:.3g} in" in str(
        warning.message
    )
    # Early stopping fits on the rows outside its validation part only.
    model.set_params(early_stopping=True, validation_fraction=0.25)
    (warning,) = _convergence_warnings(model, X, y)
    assert str(warning.message).startswith(
        "The model separates the classes of the training data (its validation "
        "rows aside): without"
    )


def test_a_diverged_fit_is_not_also_said_to_separate_the_classes():
    # Separable data and a warm start that separates it: the step diverges
    # at once and the fit keeps the start, which separates the classes.  The
    # divergence is the one thing to say (a smaller step reaches a model).
    X = np.array([[-0.1], [1.0], [1.0], [1.0], [1.0]])
    y = np.array([0, 1, 1, 1, 1])
    model = BCELogisticRegression(
        C=np.inf, learning_rate=1e5, max_iter=5, warm_start=True
    )
    model.coef_, model.intercept_ = np.array([[1.0]]), np.array([0.0])
    (warning,) = _convergence_warnings(model, X, y)
    assert model.stop_reason_.tolist() == ["diverged"]
    assert "diverged" in str(warning.message)


@pytest.mark.parametrize("sparse", [False, True])
def test_separated_one_vs_rest_problems_are_named(sparse):
    X, y = load_iris(return_X_y=True)
    X = sp.csr_matrix(X) if sparse else X
    (warning,) = _convergence_warnings(BCELogisticRegression(C=np.inf), X, y)
    assert str(warning.message).startswith(
        "The one-vs-rest model for classes [0] separates its class from the "
        "others in the training data:"
    )
    # Two classes each separable from the rest: said in the plural.
    # (a sample at the origin, below every iris sample's sepal length)
    origin = np.zeros((1, 4))
    X3 = sp.vstack([X, origin]).tocsr() if sparse else np.vstack([X, origin])
    y3 = np.append(y, 3)
    (warning,) = _convergence_warnings(BCELogisticRegression(C=np.inf), X3, y3)
    assert str(warning.message).startswith(
        "The one-vs-rest models for classes [0, 3] separate their classes "
        "from the others in the training data:"
    )


def test_warnings_of_fits_no_user_code_called_name_the_line_that_warns(
    breast_cancer_standardised,
):
    # A fit that a pool thread runs has only the standard library's frames
    # above the package's: the warning names the package's line, as
    # scikit-learn's own warnings do, not the pool's.
    from concurrent.futures import ThreadPoolExecutor

    import sklearn_bce

    X, y = breast_cancer_standardised
    package = os.path.dirname(sklearn_bce.__file__) + os.sep
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with ThreadPoolExecutor(1) as pool:
            pool.submit(BCELogisticRegression(max_iter=2).fit, X, y).result()
    (warning,) = record
    assert warning.filename.startswith(package), warning.filename
    assert "did not converge" in str(warning.message)


def test_frozen_modules_count_as_the_standard_library():
    # python -m runs user code from runpy, a frozen module ("<frozen runpy>").
    from sklearn_bce._validation import _is_standard_library

    assert _is_standard_library("<frozen runpy>")
    assert _is_standard_library(os.__file__)
    assert not _is_standard_library(__file__)
    assert not _is_standard_library("<stdin>")


def test_warm_start_continues_from_the_coefficients_and_intercept(
    breast_cancer_standardised,
):
    # Plain gradient descent with a fixed step has no other state: 3 + 3
    # warm-started iterations are 6 iterations.
    X, y = breast_cancer_standardised
    params = {"solver": "gd", "learning_rate": 0.5, "tol": 0}
    model = BCELogisticRegression(warm_start=True, max_iter=3, **params)
    model.fit(X, y).fit(X, y)
    six = BCELogisticRegression(max_iter=6, **params).fit(X, y)
    assert_allclose(model.coef_, six.coef_, rtol=1e-10)
    assert_allclose(model.intercept_, six.intercept_, rtol=1e-10)


@pytest.mark.parametrize("change", ["fewer features", "more classes"])
def test_warm_start_on_other_data_shapes_raises_and_keeps_the_fit(change):
    X, y = load_iris(return_X_y=True)
    binary = y < 2
    if change == "fewer features":
        model = BCELogisticRegression(warm_start=True).fit(X, y)
        data, match = (X[:, :3], y), r"warm_start=True cannot start .*\(3 features"
    else:
        model = BCELogisticRegression(warm_start=True).fit(X[binary], y[binary])
        data, match = (X, y), r"warm_start=True cannot start .* 3 classes"
    coef = model.coef_.copy()
    with pytest.raises(ValueError, match=match):
        model.fit(*data)
    assert_array_equal(model.coef_, coef)


def test_float32_collinear_features_without_a_penalty_converge():
    # The full metric's jitter in float32 is its rounding (16 eps), not
    # float64's 1e-10: along the null directions of duplicated features a
    # smaller one turns the gradient's rounding into huge, useless steps.
    rng = np.random.default_rng(0)
    n, p = 2000, 250
    X = rng.standard_normal((n, 50)) @ rng.standard_normal((50, p)) / 3
    X += 0.05 * rng.standard_normal((n, p))
    X[:, p - p // 4 :] = X[:, : p // 4]  # 62 exact duplicates
    X = StandardScaler().fit_transform(X).astype(np.float32)
    y = (X[:, :3].sum(axis=1) + 2 * rng.standard_normal(n) > 0).astype(int)
    params = {"C": np.inf, "tol": 1e-6, "max_iter": 2000}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = BCELogisticRegression(**params).fit(X, y)
        reference = BCELogisticRegression(**params).fit(X.astype(np.float64), y)
    assert model.n_iter_[0] <= 3 * reference.n_iter_[0]
    # Nor does it move far along those directions: the coefficients (not
    # only the predictions) stay near the float64 fit's.
    assert np.abs(model.coef_ - reference.coef_).max() < 0.5


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
@pytest.mark.parametrize(
    "dtype, x_scale, weight_scale",
    [(np.float64, 1e4, 1e303), (np.float32, 1e3, 1e34)],
    ids=["64", "32"],
)
def test_huge_weights_fit_as_their_ratios_with_c_scaled(
    breast_cancer_standardised, solver, dtype, x_scale, weight_scale
):
    # Only the weights' ratios and their scale relative to C matter: weights
    # times ``weight_scale`` with C divided by it are the same objective.
    # Their sum is within the dtype's range, but ``X^T (s * residual)`` taken
    # before dividing by it overflows: it must not turn into a NaN model.
    X, y = breast_cancer_standardised
    X = (X * x_scale).astype(dtype)
    ratios = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    # tol=0: both take max_iter steps, which must be the same ones.
    params = {"solver": solver, "max_iter": 300, "tol": 0}
    expected = BCELogisticRegression(C=1e-3, **params).fit(
        X, y, sample_weight=ratios.astype(dtype)
    )
    model = BCELogisticRegression(C=1e-3 / weight_scale, **params).fit(
        X, y, sample_weight=(ratios * weight_scale).astype(dtype)
    )
    rtol = 1e-9 if dtype == np.float64 else 1e-2  # float32 weights round apart
    atol = rtol * np.abs(expected.coef_).max()
    assert_allclose(model.coef_, expected.coef_, rtol=rtol, atol=atol)
    assert_allclose(model.intercept_, expected.intercept_, rtol=rtol)
    assert_allclose(model.loss_curve_, expected.loss_curve_, rtol=rtol)


def test_defaults_are_the_documented_ones():
    model = BCELogisticRegression()
    for name in inspect.signature(BCELogisticRegression).parameters:
        # cleandoc: Python 3.13 strips the docstring's indentation, 3.11 not.
        match = re.search(
            rf"^{name} : .*default=(.+)$",
            inspect.cleandoc(BCELogisticRegression.__doc__),
            re.M,
        )
        assert match, name
        documented = eval(match.group(1))
        value = model.get_params()[name]
        assert value == documented and type(value) is type(documented), name


@pytest.mark.parametrize("class_weight", [{0: 2.0, 1: 0.5}, "balanced"])
def test_rows_of_zero_weight_count_as_absent_with_class_weight(
    breast_cancer_standardised, class_weight
):
    X, y = breast_cancer_standardised
    sample_weight = np.ones(len(y))
    sample_weight[::3] = 0.0
    kept = sample_weight > 0
    params = {"class_weight": class_weight, "tol": 1e-8}
    weighted = BCELogisticRegression(**params).fit(X, y, sample_weight=sample_weight)
    dropped = BCELogisticRegression(**params).fit(X[kept], y[kept])
    assert_allclose(weighted.coef_, dropped.coef_, rtol=0, atol=1e-6)
    assert_allclose(weighted.intercept_, dropped.intercept_, rtol=0, atol=1e-6)


def test_running_out_of_mini_batch_epochs_gives_mini_batch_advice():
    # Mini-batch steps have no momentum and a batch's curvature can exceed
    # the whole data's: neither solver='nesterov' nor the full-batch safe
    # step 1/L (about 0.01 here) is advised.  A fixed step whose epochs
    # swing (the last ended above the lowest, below the start) is told to
    # shrink, first; a slow one, to change.
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = X / X.std(axis=0)
    for params, advice in [
        ({"solver": "gd"}, "fit full-batch (batch_size=None)."),
        ({"learning_rate": 0.01}, "or use a different learning rate"),
        (
            {"learning_rate": 0.05},
            "tol=0.0001). The objective rose between epochs (its last ended "
            "above the lowest it reached): learning_rate=0.05 is too long for "
            "some batches; use a smaller step or learning_rate='auto'. "
            "Otherwise increase max_iter",
        ),
    ]:
        with pytest.warns(ConvergenceWarning, match="did not converge") as record:
            model = BCELogisticRegression(
                batch_size=50, max_iter=3, random_state=0, **params
            ).fit(X, y)
        (message,) = [
            str(w.message) for w in record if w.category is ConvergenceWarning
        ]
        assert advice in message
        assert "nesterov" not in message and "1/L" not in message
        swinging = params.get("learning_rate") == 0.05
        assert ("The objective rose" in message) == swinging
        curve = model.loss_curve_
        assert (curve[-1] > curve.min()) == swinging
        assert curve[-1] < np.log(2)  # below the start: not diverged


def test_warnings_report_the_fits_iterations_and_largest_gradient():
    from sklearn.datasets import load_breast_cancer, load_wine, make_blobs

    # A step so long that the first iteration already diverges.
    X, y = load_breast_cancer(return_X_y=True)
    X = X / X.std(axis=0)
    with pytest.warns(ConvergenceWarning, match="diverged") as record:
        model = BCELogisticRegression(learning_rate=2.0, max_iter=50).fit(X, y)
    assert model.n_iter_.tolist() == [1]
    assert "The objective diverged after 1 iteration: " in str(record[0].message)
    # Unscaled wine: classes diverge at different iterations, and the warning
    # names the first (n_iter_ 0 is the first iteration).
    X, y = load_wine(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="diverged") as record:
        model = BCELogisticRegression(learning_rate=0.05, max_iter=50).fit(X, y)
    iterations = model.n_iter_[model.stop_reason_ == "diverged"]
    assert iterations.min() == 0 < iterations.max()
    assert "diverged for classes [0, 1, 2] at the first iteration:" in str(
        record[0].message
    )
    # Of many classes, a warning names the first ten and counts the rest (it
    # listed all 300 of a 300-class fit).
    X, y = make_blobs(120, n_features=2, centers=12, random_state=0)
    with pytest.warns(ConvergenceWarning, match="did not converge") as record:
        BCELogisticRegression(max_iter=1).fit(X, y)
    listed = list(range(10))
    assert f"did not converge for 12 classes ({listed} and 2 more) in" in str(
        record[0].message
    )
    # One iteration, judged at the start (all zeros): the gradient of class k
    # is X1^T (1/2 - [y == k]) / n, X1 with a column of ones; the warning
    # names the largest entry over the classes.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X1 = np.hstack([X, np.ones((len(y), 1))])
    gradient = X1.T @ (0.5 - np.eye(3)[y]) / len(y)
    with pytest.warns(ConvergenceWarning, match="did not converge") as record:
        BCELogisticRegression(max_iter=1).fit(X, y)
    expected = f"(largest gradient entry {np.abs(gradient).max():.2e} > tol=0.0001)"
    assert expected in str(record[0].message)


def test_multiclass_predict_is_the_class_of_largest_logit_as_one_vs_rest():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ours = BCELogisticRegression(tol=1e-8).fit(X, y)
    theirs = OneVsRestClassifier(LogisticRegression(tol=1e-10)).fit(X, y)
    decision = ours.decision_function(X)
    assert_array_equal(ours.predict(X), ours.classes_[decision.argmax(axis=1)])
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert (ours.predict(X) == y).mean() > 0.9
    # Logits so large that two sigmoids round to 1: their probabilities tie,
    # and the larger logit still decides, as in OneVsRestClassifier.
    ours.coef_[:] = 0.0
    ours.intercept_[:] = [40.0, 50.0, -1.0]
    for estimator, intercept in zip(theirs.estimators_, ours.intercept_, strict=True):
        estimator.coef_[:] = 0.0
        estimator.intercept_[:] = intercept
    assert np.ptp(ours.predict_proba(X[:1])[0, :2]) == 0.0  # the tie
    assert_array_equal(ours.predict(X[:1]), [1])
    assert_array_equal(theirs.predict(X[:1]), [1])
