"""The descent engines on problems with known answers, without the estimator."""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from sklearn_bce import BCELogisticRegression, _solver
from sklearn_bce._loss import BCEObjective, l1_subgradient_residual
from sklearn_bce._solver import (
    CholeskyMetric,
    DiagonalMetric,
    ScalarMetric,
    _Descent,
    _keep_columns,
    accelerated_gradient_descent,
    auto_metric,
    descent,
    gradient_descent,
    lipschitz_metric,
    rose_above_start,
)

# glmnet(alpha=0, lambda=1, standardize=FALSE) on a toy problem: C = 1/9.
X_TINY = np.array(
    [[-4, 0], [-3, 0], [-2, 1], [-1, 0], [0, 1], [1, 1], [2, 1], [3, 0], [4, 0]], float
)
Y_TINY = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1], float)
SOLUTION_TINY = [0.4446456931767884, 0.014575634329614503, 0.8923040566417848]


def tiny_objective(K=1, C=1 / 9, l1_ratio=0.0):
    Y = np.repeat(Y_TINY[:, None], K, axis=1)
    return BCEObjective(X_TINY, Y, np.ones(9), C, l1_ratio, True)


def metrics(objective):
    return {
        "lipschitz": (lipschitz_metric(objective), False),
        "diagonal": (DiagonalMetric(objective.hessian_bound_diagonal()), True),
        "cholesky": (CholeskyMetric(*objective.hessian_bound()), True),
    }


@pytest.mark.parametrize("engine", [gradient_descent, accelerated_gradient_descent])
@pytest.mark.parametrize("metric_name", ["lipschitz", "diagonal", "cholesky"])
def test_engines_reach_the_known_solution(engine, metric_name):
    objective = tiny_objective()
    metric, line_search = metrics(objective)[metric_name]
    result = engine(
        objective,
        np.zeros((3, 1)),
        metric=metric,
        line_search=line_search,
        max_iter=100_000,
        tol=1e-10,
    )
    assert result.converged[0] and result.stop_reason[0] == "converged"
    assert_allclose(result.coef[:, 0], SOLUTION_TINY, atol=1e-8)
    assert result.grad_max[0] <= 1e-10
    assert len(result.history) == result.n_iter[0]
    raw = objective.raw_prediction(result.coef)
    assert_allclose(result.objective, objective.objective(raw, result.coef))
    assert_allclose(result.history[-1], result.objective)


def test_safe_steps_never_increase_the_objective():
    objective = tiny_objective()
    for metric, line_search in metrics(objective).values():
        result = gradient_descent(
            objective,
            np.zeros((3, 1)),
            metric=metric,
            line_search=line_search,
            max_iter=200,
            tol=0,
        )
        # Up to rounding once converged.
        assert np.all(np.diff(result.history[:, 0]) <= 1e-14 * result.history[0, 0])


def test_hessian_bound_metric_needs_fewer_iterations_than_the_scalar_step():
    objective = tiny_objective(C=np.inf)
    iterations = {}
    for name, (metric, line_search) in metrics(objective).items():
        result = accelerated_gradient_descent(
            objective,
            np.zeros((3, 1)),
            metric=metric,
            line_search=line_search,
            max_iter=100_000,
            tol=1e-6,
        )
        assert result.converged[0]
        iterations[name] = result.n_iter[0]
    # 85 against 3655 here (36519 at tol=1e-8).
    assert 10 * iterations["cholesky"] < iterations["lipschitz"]


@pytest.mark.parametrize("scale", [1e4, 1e8])
def test_default_step_is_blind_to_the_scale_of_a_feature(scale):
    # One feature on a scale far from the others': the full-metric step is
    # that of the rescaled problem, whose optimum is the same up to scale.
    # (The stopping rule is not: the gradient grows with the scale, so the
    # scaled fit stops nearer its optimum, in more iterations.)
    rng = np.random.RandomState(0)
    Z = rng.randn(2000, 3)
    y = (Z @ [1.0, 1.0, 0.5] + 0.5 * rng.randn(2000) > 0).astype(int)
    optimum = BCELogisticRegression(C=np.inf, tol=1e-10).fit(Z, y)
    scaled = BCELogisticRegression(C=np.inf).fit(Z * [scale, 1.0, 1.0], y)
    assert_array_equal(scaled.stop_reason_, ["converged"])
    assert scaled.n_iter_[0] <= 100
    assert_allclose(scaled.coef_ * [scale, 1.0, 1.0], optimum.coef_, rtol=0, atol=1e-4)


def test_columns_are_solved_independently(rng):
    X = rng.normal(size=(60, 4))
    Y = (rng.random((60, 3)) < 0.5).astype(float)
    sw = rng.uniform(0.5, 2, size=(60, 3))
    C = np.array([0.1, 1.0, 10.0])
    together = BCEObjective(X, Y, sw, C, 0.0, True)
    result = accelerated_gradient_descent(
        together,
        np.zeros((5, 3)),
        metric=auto_metric(together),
        line_search=True,
        max_iter=10_000,
        tol=1e-10,
    )
    for k in range(3):
        alone = BCEObjective(X, Y[:, [k]], sw[:, k], C[k], 0.0, True)
        single = accelerated_gradient_descent(
            alone,
            np.zeros((5, 1)),
            metric=auto_metric(alone),
            line_search=True,
            max_iter=10_000,
            tol=1e-10,
        )
        assert_allclose(result.coef[:, k], single.coef[:, 0], atol=1e-8)
    # Columns stop on their own: iteration counts differ, history is NaN after.
    assert len(set(result.n_iter)) > 1
    k = np.argmin(result.n_iter)
    assert np.isnan(result.history[result.n_iter[k] :, k]).all()


@pytest.mark.parametrize("engine", [gradient_descent, accelerated_gradient_descent])
def test_l1_optimum_satisfies_the_optimality_conditions(engine, rng):
    X = rng.normal(size=(80, 6))
    y = (X[:, 0] - 0.5 * X[:, 1] + rng.normal(size=80) > 0).astype(float)[:, None]
    objective = BCEObjective(X, y, np.ones(80), 0.05, 1.0, True)
    result = engine(
        objective,
        np.zeros((7, 1)),
        metric=DiagonalMetric(objective.hessian_bound_diagonal()),
        line_search=True,
        max_iter=100_000,
        tol=1e-10,
    )
    coef = result.coef
    grad = objective.gradient(objective.raw_prediction(coef), coef)
    residual = l1_subgradient_residual(coef[:-1], grad[:-1], objective.l1)
    assert np.abs(residual).max() < 1e-8
    assert abs(grad[-1, 0]) < 1e-8
    assert (coef[:-1] == 0).any()


def test_large_l1_penalty_gives_exactly_zero_weights():
    objective = tiny_objective(C=1e-3, l1_ratio=1.0)
    result = gradient_descent(
        objective,
        np.zeros((3, 1)),
        metric=lipschitz_metric(objective),
        max_iter=10_000,
        tol=1e-12,
    )
    assert np.all(result.coef[:2] == 0)
    # The intercept alone fits the base rate: sigmoid(b) = mean(y).
    assert_allclose(result.coef[2, 0], np.log(6 / 3), atol=1e-10)


def test_cholesky_metric_rejects_l1():
    objective = tiny_objective(l1_ratio=0.5)
    with pytest.raises(ValueError, match="L1"):
        descent(
            objective,
            np.zeros((3, 1)),
            metric=CholeskyMetric(*objective.hessian_bound()),
            accelerated=False,
            max_iter=5,
            tol=0,
        )


def test_divergence_keeps_the_coefficients_of_the_lowest_objective():
    objective = tiny_objective(K=2)
    step = np.array([1e-2, 1e4])  # column 1 blows up at once
    result = gradient_descent(
        objective,
        np.zeros((3, 2)),
        metric=ScalarMetric(step),
        check_divergence=True,
        max_iter=50,
        tol=0,
    )
    assert list(result.stop_reason) == ["max_iter", "diverged"]
    assert result.n_iter[0] == 50 and result.n_iter[1] == 0
    assert_allclose(result.coef[:, 1], 0.0)
    assert np.isfinite(result.coef).all()


def test_partial_fit_takes_a_step_that_rises_below_the_divergence_limit():
    # One fixed step far above 1/L raises the batch's objective from log 2
    # to about 4, below the limit of 100: fit would call a whole run that
    # ends like this diverged; a partial_fit step is taken, and it says that
    # the objective rose and which step would have descended.
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5) * [1, 1, 1, 1, 20]
    y = (X @ [1, -1, 0.5, 0, 0.05] + rng.randn(300) > 0).astype(int)
    model = BCELogisticRegression(learning_rate=0.3)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.partial_fit(X, y, classes=[0, 1])
    assert model.loss_curve_[0] > np.log(2)
    assert model.stop_reason_.tolist() == ["max_iter"]
    (warning,) = record
    assert warning.category is ConvergenceWarning and warning.filename == __file__
    message = str(warning.message)
    assert message.startswith(
        "The step on this batch raised its objective (from 0.693 to "
        f"{model.loss_curve_[0]:.3g}): learning_rate=0.3 is too large for this "
        "batch"
    )
    assert "The step was taken." in message
    step = BCELogisticRegression(solver="gd", learning_rate=0.3, max_iter=1, tol=0)
    with pytest.warns(ConvergenceWarning, match="diverged after 1 iteration: "):
        step.fit(X, y)
    assert_array_equal(step.coef_, 0.0)
    assert np.abs(model.coef_).max() > 1.0
    # The step it names descends on the batch, without a warning, as "auto".
    safe = float(re.search(r"1/L = ([0-9.e+-]+) ", message).group(1))
    for rate in (safe, "auto"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model = BCELogisticRegression(learning_rate=rate)
            model.partial_fit(X, y, classes=[0, 1])
        assert model.loss_curve_[0] < np.log(2)


def test_tol_zero_runs_exactly_max_iter():
    objective = tiny_objective()
    result = accelerated_gradient_descent(
        objective,
        np.zeros((3, 1)),
        metric=auto_metric(objective),
        line_search=True,
        max_iter=17,
        tol=0,
    )
    assert result.n_iter[0] == 17 and result.stop_reason[0] == "max_iter"


@pytest.mark.parametrize("engine", [gradient_descent, accelerated_gradient_descent])
def test_tol_zero_stops_where_the_gradient_is_exactly_zero(engine):
    # All-zero X and balanced labels: the start is the optimum, its gradient
    # exactly 0, which meets tol=0.
    objective = BCEObjective(
        np.zeros((4, 2)),
        np.array([[0.0], [1.0], [0.0], [1.0]]),
        np.ones(4),
        1.0,
        0.0,
        True,
    )
    result = engine(
        objective,
        np.zeros((3, 1)),
        metric=lipschitz_metric(objective),
        max_iter=20,
        tol=0,
    )
    assert result.stop_reason.tolist() == ["converged"]
    assert result.n_iter[0] <= 1
    assert result.grad_max[0] == 0


@pytest.mark.parametrize("extra", [0, 1])
def test_the_full_bound_serves_up_to_its_number_of_coefficients(extra):
    # learning_rate="auto" uses the full Hessian bound for at most
    # FULL_METRIC_FIRST_COEF coefficients (intercept included), its diagonal
    # beyond.
    n_features = _solver.FULL_METRIC_FIRST_COEF - 1 + extra
    X = np.random.default_rng(0).standard_normal((400, n_features))
    y = (X[:, 0] > 0).astype(np.float64)[:, None]
    objective = BCEObjective(X, y, np.ones(400), 1.0, 0.0, True)
    assert objective.n_coef == _solver.FULL_METRIC_FIRST_COEF + extra
    expected = DiagonalMetric if extra else CholeskyMetric
    assert type(auto_metric(objective)) is expected


def test_callback_sees_every_iteration_and_can_stop():
    objective = tiny_objective(K=2)
    metric = lipschitz_metric(objective)
    seen = []

    def callback(iteration, coef, objective_values, grad_max, active):
        seen.append(iteration)
        assert coef.shape == (3, 2) and active.shape == (2,)
        # Stop column 1 at iteration 3, everything at iteration 5.
        return iteration == 5 or np.array([False, iteration == 3])

    result = gradient_descent(
        objective,
        np.zeros((3, 2)),
        metric=metric,
        max_iter=100,
        tol=0,
        callback=callback,
    )
    assert seen == [1, 2, 3, 4, 5]
    assert list(result.n_iter) == [5, 3]
    assert list(result.stop_reason) == ["stopped by callback"] * 2
    # The column stopped early keeps its coefficients of iteration 3.
    alone = gradient_descent(
        tiny_objective(), np.zeros((3, 1)), metric=metric, max_iter=3, tol=0
    )
    assert_allclose(result.coef[:, 1], alone.coef[:, 0])


def test_starting_point_is_not_modified():
    objective = tiny_objective()
    start = np.zeros((3, 1))
    gradient_descent(
        objective, start, metric=lipschitz_metric(objective), max_iter=5, tol=0
    )
    assert not start.any()


@pytest.mark.parametrize("line_search", [False, True])
def test_columns_stopping_at_different_times_match_solo_runs(line_search, monkeypatch):
    # Columns with different steps (and weights) finish at different
    # iterations; the engine then restricts its sweeps to the running ones.
    # Every column must end where it ends when solved alone.
    rng = np.random.default_rng(3)
    n, p, K = 3000, 6, 8
    X = rng.standard_normal((n, p))
    y = (X @ rng.standard_normal(p) + rng.standard_normal(n) > 0).astype(float)
    Y = np.repeat(y[:, None], K, axis=1)
    weight = rng.uniform(0.2, 2.0, (n, K))
    C = np.geomspace(0.01, 10.0, K)
    steps = np.geomspace(0.05, 2.0, K)
    objective = BCEObjective(X, Y, weight, C, 0.0, True)
    # As columns finish, the engine sweeps an objective restricted to the
    # running ones (with their stored logits): record that it does.
    held = []
    restricted = BCEObjective.restricted

    def spy(self, cols):
        held.append(len(cols))
        return restricted(self, cols)

    monkeypatch.setattr(BCEObjective, "restricted", spy)
    if line_search:
        metric = auto_metric(objective)
        options = {"line_search": True}
    else:
        metric = ScalarMetric(steps)
        options = {}
    together = accelerated_gradient_descent(
        objective,
        np.zeros((p + 1, K)),
        metric=metric,
        max_iter=5000,
        tol=1e-8,
        **options,
    )
    assert len(set(together.n_iter.tolist())) > 1
    assert held and min(held) < K
    for k in range(K):
        alone_objective = BCEObjective(X, Y[:, [k]], weight[:, [k]], C[k], 0.0, True)
        alone_metric = (
            auto_metric(alone_objective) if line_search else ScalarMetric([steps[k]])
        )
        alone = accelerated_gradient_descent(
            alone_objective,
            np.zeros((p + 1, 1)),
            metric=alone_metric,
            max_iter=5000,
            tol=1e-8,
            **options,
        )
        assert together.stop_reason[k] == alone.stop_reason[0] == "converged"
        assert_allclose(together.coef[:, k], alone.coef[:, 0], rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("shape", "cols"),
    [((1000, 40), [0, 3, 7, 39]), ((9, 5), [4, 1, 2]), ((1, 3), [2]), ((50, 2), [1])],
)
def test_keep_columns_compacts_in_place(shape, cols):
    # The engine drops finished columns from its stored logits without
    # allocating a second array of the full size.
    array = np.random.default_rng(0).standard_normal(shape)
    expected = array[:, cols].copy()
    kept = _keep_columns(array, np.array(cols), rows=7)
    assert np.array_equal(kept, expected)
    assert np.shares_memory(kept, array)
    assert kept.flags.c_contiguous


def test_accelerated_descent_is_fista_with_gradient_restart():
    # Nesterov/FISTA by hand (Beck & Teboulle's t recursion, O'Donoghue &
    # Candes's gradient restart) with a fixed step: the engine's iterates.
    X1 = np.column_stack([X_TINY, np.ones(9)])
    step, n_iter = 0.5, 25

    def grad(c):
        p = 1 / (1 + np.exp(-(X1 @ c)))
        return X1.T @ (p - Y_TINY) / 9 + np.r_[c[:2], 0.0]

    def value(c):
        z = X1 @ c
        loss = np.logaddexp(0, z) - Y_TINY * z
        return loss.mean() + 0.5 * c[:2] @ c[:2]

    x = y = np.zeros(3)
    t, history, restarts = 1.0, [], 0
    for _ in range(n_iter):
        g = grad(y)
        x_new = y - step * g
        if g @ (x_new - x) > 0:
            t, restarts = 1.0, restarts + 1
        t_next = (1 + np.sqrt(1 + 4 * t**2)) / 2
        y = x_new + (t - 1) / t_next * (x_new - x)
        x, t = x_new, t_next
        history.append(value(x))
    assert restarts > 0  # both branches of the momentum are exercised
    result = accelerated_gradient_descent(
        tiny_objective(),
        np.zeros((3, 1)),
        metric=ScalarMetric([step]),
        max_iter=n_iter,
        tol=0,
    )
    assert_allclose(result.history[:, 0], history, rtol=1e-12)
    assert_allclose(result.coef[:, 0], x, rtol=1e-10, atol=1e-14)


def test_callback_stop_leaves_finished_columns_their_reason():
    # Column 0 starts at the optimum and converges at once; stopping "every
    # running column" later must not relabel it.
    objective = tiny_objective(K=2)
    start = np.zeros((3, 2))
    start[:, 0] = SOLUTION_TINY
    seen = []

    def stop_all_at_third(iteration, coef, value, grad_max, active):
        seen.append(active.copy())
        return iteration == 3

    result = gradient_descent(
        objective,
        start,
        metric=lipschitz_metric(objective),
        max_iter=100,
        tol=1e-6,
        callback=stop_all_at_third,
    )
    assert seen[0].tolist() == [False, True]
    assert result.stop_reason.tolist() == ["converged", "stopped by callback"]
    assert result.converged.tolist() == [True, False]
    assert result.n_iter.tolist() == [1, 3]


@pytest.mark.parametrize("alpha", [1.0, 4.0, 0.25])
def test_gradient_mapping_is_the_gradient_plus_an_l1_subgradient(rng, alpha):
    # G = alpha M (y - prox(y - M^-1 g / alpha)) = g + l1 * s with s in
    # d||x_new||_1, whatever the line search's alpha: G is what the stopping
    # rule measures.
    X = rng.normal(size=(50, 6))
    y = (rng.uniform(size=(50, 2)) < 0.5).astype(float)
    objective = BCEObjective(X, y, np.ones(50), [0.5, 0.2], 1.0, True)
    run = _Descent(
        objective,
        np.zeros((7, 2)),
        DiagonalMetric(objective.hessian_bound_diagonal()),
        True,
        True,
    )
    run.alpha[:] = alpha
    cols = np.arange(2)
    point, grad = 0.2 * rng.normal(size=(7, 2)), 0.2 * rng.normal(size=(7, 2))
    x_new = run.propose(point, grad, cols)
    mapping = run.gradient_mapping(x_new, point, grad, cols)
    l1 = objective.l1
    assert (x_new[:6] == 0).any() and (x_new[:6] != 0).any()
    expected = grad[:6] + l1 * np.sign(x_new[:6])
    nonzero = x_new[:6] != 0
    assert_allclose(mapping[:6][nonzero], expected[nonzero], rtol=1e-10)
    bound = np.broadcast_to(l1, (6, 2))[~nonzero] * (1 + 1e-10)
    assert np.all(np.abs(mapping[:6] - grad[:6])[~nonzero] <= bound)
    assert_allclose(mapping[6], grad[6], rtol=1e-10)


def test_nan_objective_counts_as_divergence():
    # A step so long that the logits overflow to +-inf: the loss is
    # inf - inf = NaN, which no comparison with the limit catches.
    objective = tiny_objective(C=np.inf)
    with np.errstate(all="ignore"):
        result = gradient_descent(
            objective,
            np.zeros((3, 1)),
            metric=ScalarMetric([1e308]),
            max_iter=10,
            tol=0,
            check_divergence=True,
        )
    assert result.stop_reason.tolist() == ["diverged"]
    assert result.n_iter.tolist() == [0]
    assert_array_equal(result.coef, 0.0)
    assert np.isfinite(result.objective).all()


@pytest.mark.parametrize("params", [{"l1_ratio": 1.0}, {"C": np.inf}])
def test_tiny_curvatures_beside_an_all_zero_column_stay_finite(params):
    # Features of 1e-158: the largest curvature is subnormal, and the floor
    # of the all-zero column's must not round to 0 (a division by zero).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3)) * 1e-158
    X[:, 2] = 0
    y = (rng.rand(50) > 0.5).astype(int)
    with warnings.catch_warnings():
        # Steps of 1e300 and more, without overflowing.
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BCELogisticRegression(fit_intercept=False, **params).fit(X, y)
    assert np.isfinite(model.coef_).all()
    assert model.coef_[0, 2] == 0


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("batch_size", [None, 20])
@pytest.mark.parametrize("dtype, scale", [(np.float32, 1e-24), (np.float64, 1e-160)])
def test_a_feature_whose_curvature_underflows_keeps_the_model_finite(
    dtype, scale, batch_size, n_classes
):
    # The feature's curvature bound, about scale**2, is 0 in dtype (float32)
    # or subnormal (float64): dividing by it made every coefficient NaN
    # (float32) or flooded RuntimeWarnings on the way to the right model.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = np.digitize(X[:, 0] + rng.normal(size=120), [-0.5, 0.5][: n_classes - 1])
    X[:, 2] *= scale
    params = {"l1_ratio": 1.0, "batch_size": batch_size, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = BCELogisticRegression(**params).fit(X.astype(dtype), y)
    assert np.isfinite(model.coef_).all() and np.isfinite(model.intercept_).all()
    assert_array_equal(model.coef_[:, 2], 0)
    if batch_size is None:
        # The other coefficients are those of the data without the feature.
        reference = BCELogisticRegression(l1_ratio=1.0).fit(X[:, :2], y)
        assert_allclose(model.coef_[:, :2], reference.coef_, atol=1e-4)
        assert model.converged_.all()
    proba = model.predict_proba(X.astype(dtype))
    assert np.isfinite(proba).all()


@pytest.mark.parametrize(
    "dtype, C, scale", [(np.float32, 1e-30, 1e-10), (np.float64, 1e-300, 1e-20)]
)
def test_a_penalty_that_overflows_its_threshold_zeroes_the_coefficients(
    dtype, C, scale
):
    # A huge L1 weight over tiny curvatures: the threshold l1 / curvature
    # overflows dtype; it zeroes every coefficient all the same, without
    # warnings.
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(4, 3)) * scale).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = BCELogisticRegression(C=C, l1_ratio=1.0).fit(X, [0, 1, 0, 1])
    assert_array_equal(model.coef_, 0)
    assert np.isfinite(model.intercept_).all()


@pytest.mark.parametrize("dtype, scale", [(np.float32, 1e-24), (np.float64, 1e-160)])
def test_all_features_whose_curvature_underflows_keep_the_model_finite(dtype, scale):
    # More than 256 such features take the diagonal metric without a penalty;
    # plain descent's 1/L over a subnormal L overflowed, and so did the
    # mini-batch steps' 1 / curvature.
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(60, 300)) * scale).astype(dtype)
    y = (rng.random(60) > 0.5).astype(int)
    minibatch = {"l1_ratio": 1.0, "batch_size": 2, "random_state": 0, "max_iter": 5}
    for params in ({"C": np.inf}, {"C": np.inf, "solver": "gd"}, minibatch):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = BCELogisticRegression(fit_intercept=False, **params).fit(X, y)
        assert np.isfinite(model.coef_).all()


@pytest.mark.parametrize("dtype, scale", [(np.float32, 1e-24), (np.float64, 1e-160)])
def test_a_feature_in_tiny_units_takes_the_steps_of_its_rescaled_fit(dtype, scale):
    # 300 features take the diagonal metric; the labels depend on feature 2,
    # whose curvature (scale**2) float32 rounds to 0 (float64: subnormal).
    # Unpenalised, its coefficient times scale is the rescaled fit's: neither
    # NaN nor left near 0 by a shortened step (its gradient is below tol from
    # the start, so only full steps move it).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 300))
    y = (X[:, 0] + X[:, 2] + rng.normal(size=3000) > 0).astype(int)
    params = {"C": np.inf, "tol": 1e-6}
    reference = BCELogisticRegression(**params).fit(X.astype(dtype), y)
    X[:, 2] *= scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BCELogisticRegression(**params).fit(X.astype(dtype), y)
    assert model.converged_.all()
    coef = model.coef_[0].astype(np.float64)
    coef[2] *= scale
    assert_allclose(coef, reference.coef_[0], rtol=1e-2, atol=1e-3)


def test_wide_correlated_features_go_on_with_the_full_bound(
    monkeypatch, correlated_wide_data
):
    from sklearn.linear_model import LogisticRegression

    from sklearn_bce import _solver

    X, y = correlated_wide_data()
    model = BCELogisticRegression(tol=1e-8).fit(X, y)
    # 50 iterations on the diagonal, then a handful on the full bound.
    assert model.stop_reason_.tolist() == ["converged"]
    assert _solver.FULL_METRIC_AFTER < model.n_iter_[0] < 100
    # Newton's method: lbfgs itself stops short on such correlated features.
    reference = LogisticRegression(solver="newton-cholesky", tol=1e-12).fit(X, y)
    assert_allclose(model.coef_, reference.coef_, atol=1e-6)
    assert_allclose(model.intercept_, reference.intercept_, atol=1e-6)
    # Where the full bound would take too much memory, the diagonal goes on.
    monkeypatch.setattr(_solver, "FULL_METRIC_MAX_BYTES", 0)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        BCELogisticRegression(max_iter=200).fit(X, y)


def test_the_full_bound_is_built_only_within_the_memory_budget(monkeypatch):
    # A search's folds times its values of C each need a bound and a factor:
    # past the budget, "auto" starts on the diagonal (as full_metric_later
    # then keeps it), where it built them all whatever their size.
    from sklearn_bce import _solver

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    Y = (rng.random((60, 1)) < 0.5).astype(float)
    folds = (rng.random((60, 4)) < 0.8).astype(float)
    search = BCEObjective(
        X, np.broadcast_to(Y, (60, 4)), folds, [0.1, 1.0, 10.0, 100.0], 0.0, True
    )
    single = BCEObjective(X, Y, folds[:, 0], 1.0, 0.0, True)
    assert isinstance(_solver.auto_metric(search), CholeskyMetric)
    monkeypatch.setattr(_solver, "FULL_METRIC_MAX_BYTES", 8 * 5 * 6**2)
    assert isinstance(_solver.auto_metric(single), CholeskyMetric)
    assert isinstance(_solver.auto_metric(search), DiagonalMetric)


def test_the_full_bound_is_not_built_for_an_l1_penalty_sparse_or_wide_x(
    correlated_wide_data,
):
    import scipy.sparse as sp

    from sklearn_bce import _solver

    X, y = correlated_wide_data()
    Y = y[:, None].astype(float)
    weight = np.ones(len(y))
    ridge = BCEObjective(X, Y, weight, 1.0, 0.0, True)
    assert _solver.full_metric_later(ridge)[0] == _solver.FULL_METRIC_AFTER
    assert _solver.full_metric_later(BCEObjective(X, Y, weight, 1.0, 0.5, True)) is None
    sparse = BCEObjective(sp.csr_matrix(X), Y, weight, 1.0, 0.0, True)
    assert _solver.full_metric_later(sparse) is None
    wide = np.hstack([X] * 4)  # 1201 coefficients
    assert (
        _solver.full_metric_later(BCEObjective(wide, Y, weight, 1.0, 0.0, True)) is None
    )


def test_the_full_bound_is_built_for_the_running_problems_only(correlated_wide_data):
    # Four problems with their own weights: the switch builds (and counts
    # against its memory cap) the bounds of the running ones alone, indexed
    # by problem as the whole objective's would be.
    from sklearn_bce import _solver

    X, y = correlated_wide_data()
    rng = np.random.default_rng(0)
    weights = rng.uniform(0.5, 2.0, size=(len(y), 4))
    Y = np.repeat(y[:, None].astype(float), 4, axis=1)
    objective = BCEObjective(X, Y, weights, np.array([1.0, 1.0, 0.1, 0.1]), 0.0, True)
    _, build = _solver.full_metric_later(objective)
    running = np.array([1, 3])
    metric = build(running)
    assert len(metric.factors) == 2
    whole = CholeskyMetric(*objective.hessian_bound())
    grad = rng.normal(size=(objective.n_coef, 2))
    assert_allclose(metric.solve(grad, running), whole.solve(grad, running), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_rise_counts_beyond_the_square_root_of_the_precision(dtype):
    eps = np.finfo(dtype).eps
    start = np.array([1.0, 3.0, -0.5])
    scale = np.maximum(np.abs(start), 1.0)
    assert not rose_above_start(start + 0.5 * np.sqrt(eps) * scale, start, dtype).any()
    assert rose_above_start(start + 2 * np.sqrt(eps) * scale, start, dtype).all()
    assert rose_above_start(np.array([np.nan, np.inf]), np.ones(2), dtype).all()


def test_a_run_ending_a_tenth_of_a_percent_above_its_start_diverged():
    # One feature, no intercept, warm-started just off the optimum with a
    # fixed step 2.4 times the inverse curvature there: the error grows by
    # about 1.4 per step and two steps end 0.28 % above the start, far more
    # than rounding: a swing, reported as divergence, the start kept.
    rng = np.random.RandomState(0)
    x = rng.randn(200, 1)
    y = (x[:, 0] + rng.randn(200) > 0).astype(int)
    params = {"C": np.inf, "fit_intercept": False, "tol": 0}
    optimum = BCELogisticRegression(max_iter=10_000, **params).fit(x, y).coef_[0, 0]
    p = expit(optimum * x[:, 0])
    curvature = np.mean(p * (1 - p) * x[:, 0] ** 2)
    model = BCELogisticRegression(
        solver="gd",
        learning_rate=2.4 / curvature,
        max_iter=2,
        warm_start=True,
        **params,
    )
    model.coef_ = np.array([[optimum + 0.15]])
    model.intercept_ = np.zeros(1)
    model.classes_ = np.array([0, 1])
    start = np.mean(
        np.logaddexp(0, model.coef_[0, 0] * x[:, 0]) - y * x[:, 0] * model.coef_[0, 0]
    )
    with pytest.warns(ConvergenceWarning, match="diverged after 2 iterations"):
        model.fit(x, y)
    rise = model.loss_curve_[-1] / start - 1
    assert 1e-3 < rise < 5e-3
    assert model.stop_reason_.tolist() == ["diverged"]
    assert_array_equal(model.coef_, [[optimum + 0.15]])


def test_the_switch_to_the_full_bound_restarts_the_momentum(
    correlated_wide_data, monkeypatch
):
    # The switch restarts the descent under the full bound: the momentum
    # built under the diagonal metric is dropped for the first step after it.
    from sklearn_bce import _solver

    X, y = correlated_wide_data()
    betas, switched_at = [], []
    switch, sweep = _solver._Descent.switch_metric, _solver._Descent.sweep

    def recording_switch(self, metric, cols):
        switched_at.append(len(betas))
        switch(self, metric, cols)

    def recording_sweep(self, x_new, cols, beta, recompute):
        if not recompute:
            betas.append(np.array(beta, copy=True))
        return sweep(self, x_new, cols, beta, recompute)

    monkeypatch.setattr(_solver._Descent, "switch_metric", recording_switch)
    monkeypatch.setattr(_solver._Descent, "sweep", recording_sweep)
    model = BCELogisticRegression(solver="nesterov", C=0.1).fit(X, y)
    assert switched_at == [_solver.FULL_METRIC_AFTER]
    assert model.n_iter_[0] > _solver.FULL_METRIC_AFTER + 1
    assert (betas[_solver.FULL_METRIC_AFTER - 1] > 0.5).all()  # momentum built up
    assert_array_equal(betas[_solver.FULL_METRIC_AFTER], 0.0)
    assert (betas[_solver.FULL_METRIC_AFTER + 1] > 0).all()


def tiny_value_and_gradient(c, l2=1.0):
    """The tiny problem's data term plus ``l2/2 ||w||^2`` and its gradient, by hand.

    ``l2 = 1 / (9 C)``: 1 for the default C = 1/9 (no L1 term).
    """
    X1 = np.column_stack([X_TINY, np.ones(9)])
    z = X1 @ c
    value = np.mean(np.logaddexp(0, z) - Y_TINY * z) + 0.5 * l2 * c[:2] @ c[:2]
    gradient = X1.T @ (expit(z) - Y_TINY) / 9 + np.r_[l2 * c[:2], 0.0]
    return value, gradient


@pytest.mark.parametrize("target", [80.0, 150.0])
def test_divergence_limit_is_a_hundred_times_the_start_or_one(target):
    # From 0, J = log 2 < 1: the limit is 100 * max(J, 1) = 100.  A fixed
    # step is chosen by hand to land one plain step at the objective target.
    start_value, g = tiny_value_and_gradient(np.zeros(3))
    assert start_value < 1.0

    def after_one_step(step):
        return tiny_value_and_gradient(-step * g)[0] - target

    step = brentq(after_one_step, 0.1, 1e3, xtol=1e-12)
    result = gradient_descent(
        tiny_objective(),
        np.zeros((3, 1)),
        metric=ScalarMetric([step]),
        max_iter=1,
        tol=0,
        check_divergence=True,
        rise_is_divergence=False,
    )
    if target > 100 * max(start_value, 1.0):
        assert result.stop_reason.tolist() == ["diverged"]
        assert result.n_iter.tolist() == [0]
        assert_array_equal(result.coef, 0.0)
    else:
        assert result.stop_reason.tolist() == ["max_iter"]
        assert result.n_iter.tolist() == [1]
        assert_allclose(result.objective, target, rtol=1e-9)


def test_each_column_diverges_against_its_own_start():
    # Column 0 starts far off (J of about 24: a limit near 2400) and is
    # stopped after one iteration; column 1 starts at 0 (limit 100) with a
    # step that swings ever wider.  Column 1's limit stays its own.
    starts = np.zeros((3, 2))
    starts[:, 0] = [-4.0, 4.0, 4.0]
    steps = np.array([0.01, 5.0])
    limits = [100 * max(tiny_value_and_gradient(c)[0], 1.0) for c in starts.T]
    assert limits[0] > 10 * limits[1]
    # Plain descent on column 1 by hand: its first objective above its limit.
    x, values = starts[:, 1], []
    while not values or values[-1] <= limits[1]:
        x = x - steps[1] * tiny_value_and_gradient(x)[1]
        values.append(tiny_value_and_gradient(x)[0])
    assert len(values) > 1 and values[-1] < limits[0]

    reported = []

    def stop_column_0(iteration, coef, value, grad_max, active):
        reported.append(value[1])
        return np.array([iteration == 1, False])

    result = gradient_descent(
        tiny_objective(K=2),
        starts,
        metric=ScalarMetric(steps),
        max_iter=50,
        tol=0,
        check_divergence=True,
        callback=stop_column_0,
    )
    assert result.stop_reason.tolist() == ["stopped by callback", "diverged"]
    assert result.n_iter.tolist() == [1, len(values) - 1]
    # Its lowest objective was at its start, which it keeps.
    assert min(values) > tiny_value_and_gradient(starts[:, 1])[0]
    assert_array_equal(result.coef[:, 1], starts[:, 1])
    assert_allclose(result.objective[1], np.log(2), rtol=1e-12)
    assert_allclose(result.history[: len(values) - 1, 1], values[:-1], rtol=1e-10)
    # The callback sees NaN for the column at the iteration it diverges.
    assert len(reported) == len(values) and np.isnan(reported[-1])
    assert_allclose(reported[:-1], values[:-1], rtol=1e-10)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_line_search_doubles_alpha_until_sufficient_decrease(l1_ratio):
    # A diagonal metric 1000 times too small: from alpha = 1 the step is
    # doubled until f(x_new) <= f(y) + <g, d> + alpha/2 d^T M d holds for the
    # smooth part f, d = x_new - y, x_new = prox(y - M^-1 g / alpha); the
    # accepted alpha is the first power of two that satisfies it.
    C = 0.5
    objective = tiny_objective(C=C, l1_ratio=l1_ratio)
    l2, l1 = (1 - l1_ratio) / (9 * C), l1_ratio / (9 * C)
    diagonal = objective.hessian_bound_diagonal()[:, 0] / 1000.0
    run = _Descent(
        objective, np.zeros((3, 1)), DiagonalMetric(diagonal[:, None]), False, True
    )

    def proposal(y, g, alpha):
        x = y - g / (alpha * diagonal)
        threshold = l1 / (alpha * diagonal[:2])
        x[:2] = np.sign(x[:2]) * np.maximum(np.abs(x[:2]) - threshold, 0.0)
        return x

    def sufficient_decrease(y, g, alpha):
        x = proposal(y, g, alpha)
        d = x - y
        f_y = tiny_value_and_gradient(y, l2)[0]
        bound = f_y + g @ d + 0.5 * alpha * d @ (diagonal * d)
        return tiny_value_and_gradient(x, l2)[0] <= bound

    for _ in range(4):
        y = run.y[:, 0].copy()
        g = tiny_value_and_gradient(y, l2)[1]
        run.alpha[:] = 1.0
        step = run.step(np.arange(1))
        alpha = run.alpha[0]
        assert alpha >= 2.0 and np.log2(alpha) == np.round(np.log2(alpha))
        assert_allclose(step.x_new[:, 0], proposal(y, g, alpha), rtol=1e-12)
        assert sufficient_decrease(y, g, alpha)
        assert not sufficient_decrease(y, g, alpha / 2)
        run.accept(step, np.ones(1, dtype=bool))
        run.move_to_next_point(step, np.ones(1, dtype=bool))


def test_metrics_apply_their_matrix_and_solve_with_it(rng):
    # Each metric M per column: apply(d) = M d, solve(g) = M^-1 g, and the
    # Cholesky metric uses the bound of each column's own (weights, C).
    X = rng.normal(size=(40, 3))
    Y = (rng.random((40, 4)) < 0.5).astype(float)
    C = np.array([0.1, 1.0, 0.1, 10.0])
    objective = BCEObjective(X, Y, np.ones(40), C, 0.0, True)
    X1 = np.column_stack([X, np.ones(40)])
    cols = np.array([3, 0, 1])
    d = rng.normal(size=(4, 3))
    bounds = []
    for k in cols:
        bound = X1.T @ X1 / (4 * 40)
        bound[np.arange(3), np.arange(3)] += 1 / (C[k] * 40)
        bounds.append(bound)
    cholesky = CholeskyMetric(*objective.hessian_bound())
    applied = cholesky.apply(d, cols)
    solved = cholesky.solve(d, cols)
    for j, bound in enumerate(bounds):
        assert_allclose(applied[:, j], bound @ d[:, j], rtol=1e-12)
        assert_allclose(solved[:, j], np.linalg.solve(bound, d[:, j]), rtol=1e-8)
    diagonal = np.column_stack([np.diag(b) for b in bounds])
    metric = DiagonalMetric(objective.hessian_bound_diagonal())
    assert_allclose(metric.apply(d, cols), diagonal * d, rtol=1e-12)
    assert_allclose(metric.solve(d, cols), d / diagonal, rtol=1e-12)
    steps = np.array([0.5, 2.0, 4.0, 8.0])
    scalar = ScalarMetric(steps)
    assert_allclose(scalar.apply(d, cols), d / steps[cols], rtol=1e-15)
    assert_allclose(scalar.solve(d, cols), d * steps[cols], rtol=1e-15)


def test_lipschitz_step_is_one_over_the_largest_eigenvalue_of_the_bound():
    objective = tiny_objective(K=2, C=np.array([1 / 9, np.inf]))
    X1 = np.column_stack([X_TINY, np.ones(9)])
    gram = X1.T @ X1 / (4 * 9)
    metric = lipschitz_metric(objective)
    for k, l2 in enumerate([1.0, 0.0]):
        bound = gram + l2 * np.diag([1.0, 1.0, 0.0])
        assert_allclose(metric.step[k], 1 / np.linalg.eigvalsh(bound)[-1], rtol=1e-10)


def test_a_swinging_run_keeps_its_lowest_iterate():
    # A fixed step 1.5 from an intercept of 6: the objective falls, then
    # swings up past its start without reaching the divergence limit.  The
    # run counts as diverged and keeps the iterate of its lowest objective
    # (plain descent re-run by hand).
    start, step, n_iter = np.array([0.0, 0.0, 6.0]), 1.5, 12
    x, iterates, values = start, [start], [tiny_value_and_gradient(start)[0]]
    for _ in range(n_iter):
        x = x - step * tiny_value_and_gradient(x)[1]
        iterates.append(x)
        values.append(tiny_value_and_gradient(x)[0])
    lowest = int(np.argmin(values))
    assert 0 < lowest < n_iter and max(values) < 100 * max(values[0], 1.0)
    assert values[-1] > 1.1 * values[0]
    assert min(values[lowest + 1 :]) < values[0]  # lower than the start again
    result = gradient_descent(
        tiny_objective(),
        start[:, None],
        metric=ScalarMetric([step]),
        max_iter=n_iter,
        tol=0,
        check_divergence=True,
    )
    assert result.stop_reason.tolist() == ["diverged"]
    assert_allclose(result.history[:, 0], values[1:], rtol=1e-10)
    assert_allclose(result.coef[:, 0], iterates[lowest], rtol=1e-10)
    assert_allclose(result.objective, values[lowest], rtol=1e-10)


@pytest.mark.parametrize("line_search", [False, True])
def test_a_converged_column_keeps_its_start_only_when_the_step_rose(line_search):
    # With momentum, a step starts from y, not from the iterate x.  A column
    # whose gradient met tol at y keeps y (and J(y)) when the step from y
    # rose above J(y); otherwise it takes the step, even one above J(x).
    optimum = np.array(SOLUTION_TINY)
    x = optimum + np.array([0.0, 0.0, 0.3])
    if line_search:
        y = optimum + np.array([0.3, -0.2, 0.5])
        metric = CholeskyMetric(*tiny_objective().hessian_bound())
    else:
        y = optimum + np.array([1e-3, 0.0, 0.0])
        metric = ScalarMetric([1e3])  # far too long a step
    run = _Descent(tiny_objective(), x[:, None], metric, True, line_search)
    run.y[:, 0], run.fy[0] = y, tiny_value_and_gradient(y)[0]
    run.grad[:, 0] = tiny_value_and_gradient(y)[1]
    step = run.step(np.arange(1))
    proposed, proposed_value = step.x_new.copy(), step.f_new.copy()
    run.settle(step, np.array([True]))
    f_x, f_y = tiny_value_and_gradient(x)[0], tiny_value_and_gradient(y)[0]
    if line_search:
        assert f_x < proposed_value[0] < f_y
        assert_array_equal(step.x_new, proposed)
        assert_array_equal(step.f_new, proposed_value)
    else:
        assert proposed_value[0] > f_y
        assert_array_equal(step.x_new[:, 0], y)
        assert_allclose(step.f_new, f_y, rtol=1e-12)


def test_the_full_metric_factors_a_bound_with_an_all_zero_column(rng):
    # An all-zero feature without a penalty has no curvature: its diagonal
    # entry is raised to keep the bound factorable, and its (zero) gradient
    # gets a zero step; the others get the steps of the bound without it.
    X = rng.normal(size=(30, 3))
    X[:, 1] = 0.0
    y = (rng.random((30, 1)) < 0.5).astype(float)
    objective = BCEObjective(X, y, np.ones(30), np.inf, 0.0, True)
    assert isinstance(auto_metric(objective), CholeskyMetric)
    metric = CholeskyMetric(*objective.hessian_bound())
    g = rng.normal(size=(4, 1))
    g[1] = 0.0
    step = metric.solve(g, np.arange(1))
    X1 = np.column_stack([X[:, [0, 2]], np.ones(30)])
    expected = np.linalg.solve(X1.T @ X1 / (4 * 30), g[[0, 2, 3]])
    assert step[1, 0] == 0.0
    assert_allclose(step[[0, 2, 3]], expected, rtol=1e-8)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_rise_from_an_objective_near_zero_has_the_slack_of_one(dtype):
    # The slack is sqrt(eps) * max(|J(start)|, 1): near 0 it stays sqrt(eps).
    eps = np.finfo(dtype).eps
    start = np.array([0.0, 1e-3, -0.2])
    assert not rose_above_start(start + 0.5 * np.sqrt(eps), start, dtype).any()
    assert rose_above_start(start + 2 * np.sqrt(eps), start, dtype).all()


@pytest.mark.parametrize("engine", [gradient_descent, accelerated_gradient_descent])
def test_a_column_whose_objective_stays_infinite_diverged_even_within_tol(engine):
    # A start so far out that its L2 term overflows: J(start) is infinite,
    # and a tiny fixed step stays out there.  The gradient meets the loose
    # tol where the step starts, yet the objective is not finite: the column
    # is reported diverged, not converged, after no iteration, and keeps its
    # start.
    start = np.array([[1e200], [0.0], [0.0]])
    tol = 1e300
    with np.errstate(over="ignore"):
        value, gradient = tiny_value_and_gradient(start[:, 0])
    assert value == np.inf and np.abs(gradient).max() <= tol
    with np.errstate(all="ignore"):
        result = engine(
            tiny_objective(),
            start,
            metric=ScalarMetric([1e-300]),
            max_iter=5,
            tol=tol,
            check_divergence=True,
        )
    assert result.stop_reason.tolist() == ["diverged"]
    assert result.converged.tolist() == [False]
    assert result.n_iter.tolist() == [0]
    assert_array_equal(result.coef, start)


@pytest.mark.parametrize("metric", ["scalar", "diagonal"])
def test_the_l1_gradient_mapping_survives_a_step_below_rounding(metric):
    # A line-search scale grown large makes the step of coefficients of
    # about 1e3 round to no move: alpha M (y - x_new) was then 0, and the
    # column converged whatever its gradient.  It is the mapping of the
    # exact step: grad + l1 sign(x_new) where the step keeps a coefficient,
    # alpha M y where it zeroes one.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y01 = (X[:, 0] > 0).astype(float)
    objective = BCEObjective(X, y01[:, None], np.ones(30), 0.1, 0.5, True)
    bound = objective.hessian_bound_diagonal()
    M = ScalarMetric(np.array([0.5])) if metric == "scalar" else DiagonalMetric(bound)
    start = np.array([[1e3], [-2e3], [0.0], [5e2]])
    run = _Descent(objective, start, M, True, True)
    cols = np.arange(1)
    grad = run.grad[:, cols]
    for alpha, moved in [(1.0, True), (2.0**80, False)]:
        run.alpha[:] = alpha
        x_new = run.propose(start, grad, cols)
        assert (x_new != start).any() == moved
        mapping = run.gradient_mapping(x_new, start, grad, cols)
        l1 = objective.l1[0]
        # The first two coefficients keep their sign: grad + l1 sign(w).
        assert_allclose(mapping[:2, 0], grad[:2, 0] + l1 * np.sign(start[:2, 0]))
        assert_allclose(mapping[3], grad[3])  # the intercept
        if moved:
            # As alpha M (y - x_new), where that is exact.
            inverse = M.inverse_diagonal(cols)
            expected = alpha * (start - x_new) / np.broadcast_to(inverse, start.shape)
            assert_allclose(mapping[:3], expected[:3], rtol=1e-6)
        # The third, 0, stays 0 (|grad| below l1): alpha M y = 0 there.
        assert abs(grad[2, 0]) < l1 and mapping[2, 0] == 0.0
    assert np.abs(mapping).max() > 1e-3
