"""The objective's math, tested without the estimator."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.sparse.linalg import ArpackNoConvergence
from scipy.special import expit
from sklearn.metrics import log_loss

from sklearn_bce import _loss
from sklearn_bce._loss import BCEObjective, bce, l1_subgradient_residual, soft_threshold


def make_objective(
    rng,
    *,
    n_samples=40,
    n_features=5,
    K=3,
    weights_2d=True,
    C=None,
    l1_ratio=0.0,
    fit_intercept=True,
    dtype=np.float64,
    sparse=False,
    sw=None,
):
    X = rng.normal(size=(n_samples, n_features)).astype(dtype)
    if sparse:
        X[rng.random(X.shape) < 0.5] = 0
        X = sp.csr_matrix(X)
    Y = (rng.random((n_samples, K)) < 0.4).astype(dtype)
    shape = (n_samples, K) if weights_2d else (n_samples,)
    if sw is None:
        sw = rng.uniform(0.2, 3.0, size=shape).astype(dtype)
    C = np.array([0.5, 2.0, np.inf][:K]) if C is None else C
    return BCEObjective(X, Y, sw, C, l1_ratio, fit_intercept)


def test_bce_matches_log_loss(rng):
    z = rng.normal(scale=3, size=200)
    y = (rng.random(200) < 0.5).astype(float)
    sw = rng.uniform(0.1, 2, size=200)
    expected = log_loss(y, expit(z), sample_weight=sw)
    assert_allclose(np.average(bce(z, y), weights=sw), expected, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_keeps_the_small_loss_of_a_large_margin(dtype):
    # log(1 + e^-|z|) for a sample on its class's side by |z|, either class:
    # max(z, 0) + log1p(e^-|z|) - z cancelled to 0 from z of about 37 (17 in
    # float32) when y = 1, and kept only eps |z| of it below.
    z = np.array([5.0, 24.4, 40.0, 80.0, 700.0], dtype=dtype)
    # (e^-700 is 0 in float32.)
    expected = np.log1p(np.exp(-z.astype(np.float64))).astype(dtype)
    for sign, label in [(1, 1.0), (-1, 0.0)]:
        zs, y = sign * z, np.full(len(z), label, dtype=dtype)
        assert_allclose(
            bce(zs, y), expected, rtol=1e-6 if dtype == np.float32 else 1e-14
        )
        out, tmp = np.empty_like(zs), np.empty_like(zs)
        loss = _loss._pointwise_loss(zs, y, out=out, tmp=tmp)
        assert_allclose(loss, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)
    # The objective's sweep sums them so.
    X = np.array([[24.4], [40.0]], dtype=dtype)
    objective = BCEObjective(X, np.ones((2, 1), dtype), np.ones(2), np.inf, 0.0, False)
    value = objective.sweep(np.ones((1, 1), dtype)).objective
    assert_allclose(
        value, expected[1:3].mean(), rtol=1e-6 if dtype == np.float32 else 1e-14
    )


def test_a_fit_whose_loss_is_tiny_next_to_its_margins_converges():
    # Its objective was rounding noise of eps |z| per sample, far above the
    # line search's allowance (32 eps J): the steps failed and the fit ran
    # to max_iter at 22 times tol, where newton-cg converges in 41.
    from sklearn_bce import BCELogisticRegression

    X, y = np.array([[0.0], [0.0], [1e6]]), np.array([0, 0, 1])
    model = BCELogisticRegression(C=1.0, tol=1e-8, max_iter=100_000).fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]
    assert model.n_iter_[0] < 1000


def test_objective_is_weighted_log_loss_plus_penalty(rng):
    sw = rng.uniform(0.2, 3.0, size=(40, 2))
    objective = make_objective(rng, K=2, C=np.array([0.3, np.inf]), sw=sw)
    coef = rng.normal(size=(objective.n_coef, 2))
    raw = objective.raw_prediction(coef)
    value = objective.objective(raw, coef)
    X, Y = objective.X, objective.Y
    for k in range(2):
        p = expit(X @ coef[:-1, k] + coef[-1, k])
        data = log_loss(Y[:, k], p, sample_weight=sw[:, k])
        w = coef[:-1, k]
        penalty = 0.5 * w @ w / (sw[:, k].sum() * [0.3, np.inf][k])
        assert_allclose(value[k], data + penalty, rtol=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights_2d", [True, False])
@pytest.mark.parametrize("sparse", [False, True])
def test_gradient_matches_finite_differences(rng, fit_intercept, weights_2d, sparse):
    objective = make_objective(
        rng, fit_intercept=fit_intercept, weights_2d=weights_2d, sparse=sparse
    )
    coef = rng.normal(scale=0.5, size=(objective.n_coef, objective.n_problems))
    grad = objective.gradient(objective.raw_prediction(coef), coef)

    def f(c):
        return objective.objective(objective.raw_prediction(c), c)

    eps = 1e-6
    numeric = np.empty_like(grad)
    for j in range(objective.n_coef):
        step = np.zeros_like(coef)
        step[j] = eps
        numeric[j] = (f(coef + step) - f(coef - step)) / (2 * eps)
    assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_loss_gradient_is_objective_and_gradient(rng):
    objective = make_objective(rng)
    coef = rng.normal(size=(objective.n_coef, objective.n_problems))
    value, grad, raw = objective.loss_gradient(coef)
    assert_allclose(raw, objective.raw_prediction(coef))
    assert_allclose(value, objective.objective(raw, coef))
    assert_allclose(grad, objective.gradient(raw, coef))


def test_column_subset_evaluates_those_problems(rng):
    objective = make_objective(rng)
    coef = rng.normal(size=(objective.n_coef, objective.n_problems))
    cols = np.array([2, 0])
    raw = objective.raw_prediction(coef)
    sub_raw = objective.raw_prediction(coef[:, cols], cols)
    assert_allclose(sub_raw, raw[:, cols])
    assert_allclose(
        objective.objective(sub_raw, coef[:, cols], cols),
        objective.objective(raw, coef)[cols],
    )
    assert_allclose(
        objective.gradient(sub_raw, coef[:, cols], cols),
        objective.gradient(raw, coef)[:, cols],
    )


def assert_same_momentum_sweep(ours, ours_cols, theirs, theirs_cols, coef, prev, beta):
    """Two objectives' momentum sweeps of ``coef`` from ``prev`` agree."""
    options = {
        "beta": beta,
        "previous": prev,
        "recompute_previous": True,
        "point_objective": True,
    }
    a = ours.sweep(coef, ours_cols, **options)
    b = theirs.sweep(coef, theirs_cols, **options)
    for name in ("objective", "point", "gradient", "point_objective"):
        assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-12)


def assert_same_problems(ours, theirs, coef, previous, some):
    """Two objectives of the same problems agree: momentum sweeps of all the
    columns and of the columns ``some``, and the objective and gradient."""
    for cols in (None, some):
        c = coef if cols is None else coef[:, cols]
        prev = previous if cols is None else previous[:, cols]
        beta = np.full(c.shape[1], 0.4)
        assert_same_momentum_sweep(ours, cols, theirs, cols, c, prev, beta)
    raw = ours.raw_prediction(coef)
    assert_allclose(ours.objective(raw, coef), theirs.objective(raw, coef))
    assert_allclose(ours.gradient(raw, coef), theirs.gradient(raw, coef))


@pytest.mark.parametrize("targets", ["own", "shared"])
@pytest.mark.parametrize("weights_2d", [True, False])
def test_restricted_objective_is_those_problems(rng, targets, weights_2d):
    # An engine whose running columns are few sweeps a restricted objective:
    # it must be the same problems, whatever holds the targets and weights
    # (one shared target column is a broadcast view, as in the search).
    objective = make_objective(
        rng, K=5, weights_2d=weights_2d, C=np.geomspace(0.1, 10, 5)
    )
    if targets == "shared":
        objective = BCEObjective(
            objective.X,
            np.broadcast_to(objective.Y[:, :1], objective.Y.shape),
            objective._sample_weight[:, 0]
            if not weights_2d
            else objective._sample_weight,
            np.geomspace(0.1, 10, 5),
            0.3,
            True,
        )
    cols = np.array([1, 3, 4])
    sub = objective.restricted(cols)
    assert sub.n_problems == 3
    coef = rng.normal(size=(objective.n_coef, 3))
    previous = rng.normal(size=coef.shape)
    beta = np.array([0.2, 0.5, 0.0])
    assert_same_momentum_sweep(sub, None, objective, cols, coef, previous, beta)
    assert_allclose(sub.penalty(coef), objective.penalty(coef, cols))
    assert_allclose(sub.l1_penalty(coef), objective.l1_penalty(coef, cols))
    # Targets and weights are shared, not copied; the original is unchanged.
    assert np.shares_memory(sub.Y, objective.Y)
    assert np.shares_memory(sub._sample_weight, objective._sample_weight)
    assert objective.n_problems == 5
    # Some of its columns: local indexes into the restricted problems.
    some = np.array([0, 2])
    assert_allclose(
        sub.sweep(coef[:, some], some).gradient,
        objective.sweep(coef[:, some], cols[some]).gradient,
        rtol=1e-12,
    )
    # Restricting again composes the column indexes.
    again = sub.restricted([2, 0])
    assert_allclose(
        again.sweep(coef[:, [2, 0]]).gradient,
        objective.sweep(coef[:, [2, 0]], cols[[2, 0]]).gradient,
        rtol=1e-12,
    )
    raw = objective.raw_prediction(coef)
    assert_allclose(sub.objective(raw, coef), objective.objective(raw, coef, cols))
    assert_allclose(sub.gradient(raw, coef), objective.gradient(raw, coef, cols))


def test_weight_index_shares_weight_columns(rng):
    # The search's problems read their fold's weights through an index: the
    # same problems as with every column of weights written out.
    n, p, G = 60, 4, 3
    X = rng.normal(size=(n, p))
    Y = (rng.random((n, 7)) < 0.4).astype(float)
    weights = rng.uniform(0.0, 2.0, size=(n, G))
    index = np.array([2, 0, 1, 2, 2, 0, 1])
    C = np.array([1.0, 1.0, 1.0, 10.0, 10.0, 1.0, 1.0])
    shared = BCEObjective(X, Y, weights, C, 0.2, True, weight_index=index)
    written = BCEObjective(X, Y, weights[:, index], C, 0.2, True)
    assert_allclose(shared.sw_sum, written.sw_sum)
    coef = rng.normal(size=(p + 1, 7))
    previous = rng.normal(size=coef.shape)
    assert_same_problems(shared, written, coef, previous, np.array([1, 4, 6]))
    bounds, bound_index = shared.hessian_bound()
    assert len(bounds) == 4  # one per distinct (weights, C)
    written_bounds, written_index = written.hessian_bound()
    assert_allclose(bounds[bound_index], written_bounds[written_index])
    assert_allclose(shared.hessian_bound_diagonal(), written.hessian_bound_diagonal())
    assert_allclose(shared.smoothness_bound(), written.smoothness_bound())
    sub = shared.restricted([5, 0])
    assert sub._sample_weight is shared._sample_weight  # shared, not copied
    assert_allclose(
        sub.sweep(coef[:, [5, 0]]).gradient,
        written.sweep(coef[:, [5, 0]], np.array([5, 0])).gradient,
        rtol=1e-12,
    )


def test_target_index_shares_target_columns(rng):
    # The search's problems read their class's targets through an index
    # (n_samples x n_classes, not n_samples x K): the same problems as with
    # every column of targets written out, in the sweeps, the restricted
    # objectives and the mini-batch epochs.
    from sklearn_bce._stochastic import minibatch_descent

    n, p = 60, 4
    X = rng.normal(size=(n, p))
    Y = (rng.random((n, 3)) < 0.4).astype(float)
    index = np.array([2, 0, 1, 2, 0])
    weights = rng.uniform(0.0, 2.0, size=(n, 2))
    weight_index = np.array([0, 0, 1, 1, 0])
    C = np.array([1.0, 1.0, 1.0, 10.0, 10.0])
    shared = BCEObjective(
        X, Y, weights, C, 0.2, True, weight_index=weight_index, target_index=index
    )
    written = BCEObjective(
        X, Y[:, index], weights, C, 0.2, True, weight_index=weight_index
    )
    assert shared.n_problems == 5
    coef = rng.normal(size=(p + 1, 5))
    previous = rng.normal(size=coef.shape)
    assert_same_problems(shared, written, coef, previous, np.array([1, 3, 4]))
    sub = shared.restricted([4, 0]).restricted([1])  # the problem 0 alone
    assert sub.Y is Y  # shared, not copied
    assert_allclose(
        sub.sweep(coef[:, [0]]).gradient,
        written.sweep(coef[:, [0]], np.array([0])).gradient,
        rtol=1e-12,
    )
    fits = [
        minibatch_descent(
            objective,
            np.zeros((p + 1, 5)),
            batch_size=16,
            step=np.full(5, 0.1),
            max_iter=3,
            tol=0.0,
            random_state=np.random.RandomState(0),
        )
        for objective in (shared, written)
    ]
    assert_allclose(fits[0].coef, fits[1].coef, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_overflow_at_extreme_logits(dtype):
    z = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=dtype)
    X = z[:, None]
    Y = np.array([[1], [0], [1], [1], [0]], dtype=dtype)
    objective = BCEObjective(X, Y, np.ones(5, dtype=dtype), np.inf, 0.0, False)
    coef = np.ones((1, 1), dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        raw = objective.raw_prediction(coef)
        value = objective.objective(raw, coef)
        grad = objective.gradient(raw, coef)
        losses = bce(z, Y[:, 0])
    assert np.isfinite(value).all() and np.isfinite(grad).all()
    # log(1 + e^z) - y z is about |z| on the wrong side, about 0 on the right one.
    assert_allclose(losses[[0, 4]], 1e4, rtol=1e-6)
    assert_allclose(losses[[1, 3]], [0, 0], atol=1e-20)
    assert grad.dtype == dtype


def test_soft_threshold():
    x = np.array([-3.0, -0.5, 0.0, 0.2, 2.0])
    assert_allclose(soft_threshold(x, 1.0), [-2.0, 0.0, 0.0, 0.0, 1.0])


def test_l1_subgradient_residual():
    coef = np.array([[0.0], [0.0], [1.0], [-2.0]])
    grad = np.array([[0.3], [-2.0], [0.5], [0.5]])
    residual = l1_subgradient_residual(coef, grad, np.array([1.0]))
    assert_allclose(residual[:, 0], [0.0, -1.0, 1.5, -0.5])


@pytest.mark.parametrize("sparse", [False, True])
def test_hessian_bound_majorises_every_hessian(rng, sparse):
    objective = make_objective(rng, K=2, C=np.array([0.5, np.inf]), sparse=sparse)
    bounds, index = objective.hessian_bound()
    X = objective.X.toarray() if sparse else objective.X
    X1 = np.hstack([X, np.ones((X.shape[0], 1))])
    for _ in range(5):
        coef = rng.normal(scale=2.0, size=(objective.n_coef, 2))
        p = expit(X1 @ coef)
        for k in range(2):
            s = objective._scaled_weight[:, k]
            hessian = X1.T @ ((s * p[:, k] * (1 - p[:, k]))[:, None] * X1)
            hessian[:-1, :-1] += objective.l2[k] * np.eye(objective.n_features)
            gap = np.linalg.eigvalsh(bounds[index[k]] - hessian)
            assert gap.min() > -1e-12
    diagonal = objective.hessian_bound_diagonal()
    for k in range(2):
        assert_allclose(diagonal[:, k], np.diag(bounds[index[k]]), rtol=1e-12)


def test_shared_weights_share_one_bound(rng):
    objective = make_objective(rng, weights_2d=False, C=np.array([1.0, 1.0, 3.0]))
    bounds, index = objective.hessian_bound()
    assert len(bounds) == 2
    assert index[0] == index[1] != index[2]


def test_smoothness_bound_exact_and_lanczos_agree(rng):
    objective = make_objective(
        rng, n_samples=60, n_features=1200, K=1, C=np.array([2.0])
    )
    lanczos = objective.smoothness_bound()[0]
    bounds, _ = objective.hessian_bound()
    exact = np.linalg.eigvalsh(bounds[0])[-1]
    # Lanczos is enlarged by 1% so that it stays an upper bound.
    assert exact <= lanczos <= 1.02 * exact


def test_lanczos_bound_and_the_fits_it_steps_are_the_same_every_time():
    # ARPACK starts from a random vector of its own unless given one: the
    # bound, the step 1/L and the fit would change (by about 1e-9) each time.
    from sklearn_bce import BCELogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 1100))
    y = (X[:, 0] + rng.normal(size=80) > 0).astype(int)
    objective = BCEObjective(X, y[:, None].astype(float), 1.0, 1.0, 0.0, True)
    bounds = {objective.smoothness_bound()[0] for _ in range(4)}
    assert len(bounds) == 1
    model = BCELogisticRegression(solver="gd", max_iter=20, tol=0)
    fits = [model.fit(X, y).coef_.copy() for _ in range(3)]
    for coef in fits[1:]:
        assert_array_equal(coef, fits[0])


def test_smoothness_bound_is_largest_eigenvalue(rng):
    objective = make_objective(rng, K=2, C=np.array([0.5, np.inf]))
    bounds, index = objective.hessian_bound()
    expected = [np.linalg.eigvalsh(bounds[index[k]])[-1] for k in range(2)]
    assert_allclose(objective.smoothness_bound(), expected, rtol=1e-10)


def test_objective_float32_keeps_float32(rng):
    objective = make_objective(rng, dtype=np.float32)
    coef = np.zeros((objective.n_coef, objective.n_problems), dtype=np.float32)
    raw = objective.raw_prediction(coef)
    assert raw.dtype == np.float32
    assert objective.gradient(raw, coef).dtype == np.float32


def test_identical_weight_columns_share_one_bound(rng):
    X = rng.normal(size=(30, 4))
    Y = (rng.random((30, 4)) < 0.5).astype(float)
    fold = (rng.random(30) < 0.7).astype(float)
    # Columns 0-1 and 2-3: two folds' weights, two classes each.
    sw = np.column_stack([fold, fold, 1 - fold, 1 - fold])
    objective = BCEObjective(X, Y, sw, 1.0, 0.0, True)
    bounds, index = objective.hessian_bound()
    assert len(bounds) == 2 and index[0] == index[1] != index[2] == index[3]


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("arpack", ["converges", "fails"])
def test_smoothness_bound_of_wide_data_bounds_the_largest_eigenvalue(
    fit_intercept, arpack, monkeypatch
):
    # Above 1000 coefficients the bound comes from Lanczos iterations (or,
    # when they fail, the trace); it must bound lambda_max of the Hessian
    # bound from above, or a step of 1/L could diverge.
    rng = np.random.default_rng(0)
    X = 0.01 * rng.normal(size=(60, 1100))  # the intercept column dominates
    y = (rng.random(60) < 0.5).astype(float)[:, None]
    weight = rng.uniform(0.5, 2.0, size=60)
    objective = BCEObjective(X, y, weight, 10.0, 0.0, fit_intercept)
    (bound,), _ = objective.hessian_bound()
    exact = np.linalg.eigvalsh(bound)[-1]
    if arpack == "fails":

        def no_convergence(*args, **kwargs):
            raise ArpackNoConvergence("no convergence", [], [])

        monkeypatch.setattr(_loss, "eigsh", no_convergence)
    L = objective.smoothness_bound()[0]
    assert exact <= L
    if arpack == "converges":
        assert L <= 1.02 * exact


def test_no_l2_term_is_zero_even_for_coefficients_whose_squares_overflow():
    # Features in tiny units (1e-155) have optimal coefficients near 1e155,
    # whose squares overflow: without a penalty (C=inf) the term is 0, not
    # 0 * inf = NaN, and the fit is the rescaled fit of the plain features.
    from sklearn_bce import BCELogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 4))
    y = (X @ [1.0, -1.0, 0.5, 0.0] + rng.normal(size=100) > 0.5).astype(int)
    objective = BCEObjective(
        X, y[:, None].astype(float), np.ones(100), np.inf, 0.0, True
    )
    with np.errstate(all="raise"):
        assert objective.penalty(np.full((5, 1), 1e155)).tolist() == [0.0]
    reference = BCELogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiny = BCELogisticRegression(C=np.inf, tol=1e-10).fit(X * 1e-155, y)
    assert np.isfinite(tiny.loss_curve_).all()
    assert_allclose(tiny.coef_ * 1e-155, reference.coef_, rtol=1e-9)
    assert_allclose(tiny.intercept_, reference.intercept_, rtol=1e-9)


def test_weight_scale_is_a_power_of_two_down_to_at_most_one():
    largest = np.array([0.0, 5e-324, 1e-310, 0.5, 1.0, 1.5, 2.0, 3.0, 1e303])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow from the unused branch
        scale = _loss.weight_scale(largest)
    assert_array_equal(scale[:5], 1.0)
    assert_array_equal(np.frexp(scale[5:])[0], 0.5)  # powers of two
    assert np.all((largest[5:] * scale[5:] >= 0.5) & (largest[5:] * scale[5:] < 1))


def test_class_probabilities_are_the_sigmoids_of_the_logits(rng):
    # Two classes: 1 - sigmoid(z) and sigmoid(z); one-vs-rest: each class's
    # sigmoid normalised over the classes.
    z = rng.normal(scale=4.0, size=30)
    p = 1.0 / (1.0 + np.exp(-z))
    expected = np.column_stack([1.0 - p, p])
    assert_allclose(_loss.class_probabilities(z), expected, rtol=1e-12)
    assert_allclose(
        _loss.class_log_probabilities(z), np.log(expected), rtol=1e-9, atol=1e-12
    )
    scores = rng.normal(scale=4.0, size=(30, 3))
    sigmoids = 1.0 / (1.0 + np.exp(-scores))
    expected = sigmoids / sigmoids.sum(axis=1, keepdims=True)
    assert_allclose(_loss.class_probabilities(scores), expected, rtol=1e-12)
    assert_allclose(
        _loss.class_log_probabilities(scores), np.log(expected), rtol=1e-9, atol=1e-12
    )


def test_untrained_classes_are_lowered_below_every_trained_one(rng):
    scores = rng.normal(scale=3.0, size=(20, 4))
    untrained = np.array([False, True, False, True])
    scores[:10, 1] = 50.0  # above every trained logit of its row: lowered
    scores[10:, 1] = -800.0  # already far below them: kept
    before = scores.copy()
    _loss.lower_untrained(scores, untrained)
    assert_array_equal(scores[:, ~untrained], before[:, ~untrained])
    # Each row's untrained logits end at most log(eps) below its lowest
    # trained one, and are otherwise unchanged.
    low = before[:, ~untrained].min(axis=1) + np.log(np.finfo(float).eps)
    assert (scores[:, untrained] < low[:, None]).all()
    assert_allclose(
        scores[:, untrained], np.minimum(before[:, untrained], low[:, None]), rtol=1e-15
    )


@pytest.mark.parametrize("layout", ["dense", "csr", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("uniform", [True, False])
def test_hessian_bound_is_the_weighted_gram_matrix_over_four(
    rng, layout, fit_intercept, uniform, monkeypatch
):
    # B = X1^T diag(s) X1 / (4 S) + l2 I' (no penalty on the intercept),
    # symmetric, whatever blocks of rows it is summed over.
    monkeypatch.setattr(_loss, "DENSE_BLOCK_ENTRIES", 16)
    n, p = 50, 4
    X = rng.normal(size=(n, p))
    X[rng.random(X.shape) < 0.3] = 0.0
    data = {"dense": X, "csr": sp.csr_matrix(X), "csc": sp.csc_matrix(X)}[layout]
    Y = (rng.random((n, 2)) < 0.5).astype(float)
    sw = np.full(n, 0.7) if uniform else rng.uniform(0.2, 3.0, size=n)
    C = np.array([0.5, np.inf])
    objective = BCEObjective(data, Y, sw, C, 0.0, fit_intercept)
    X1 = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
    gram = X1.T @ (sw[:, None] * X1) / (4 * sw.sum())
    bounds, index = objective.hessian_bound()
    diagonal = objective.hessian_bound_diagonal()
    for k in range(2):
        expected = gram.copy()
        expected[np.arange(p), np.arange(p)] += 1.0 / (C[k] * sw.sum())
        assert_allclose(bounds[index[k]], expected, rtol=1e-12, atol=1e-15)
        assert_allclose(diagonal[:, k], np.diag(expected), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_penalty_factor_beyond_the_range_of_x_is_refused(rng, dtype):
    # 1/(C S) = 5e38 fits float64 but not float32 (largest 3.4e38).
    X = rng.normal(size=(20, 2)).astype(dtype)
    Y = (rng.random((20, 1)) < 0.5).astype(dtype)
    C = 1e-40
    if 1 / (C * 20) > float(np.finfo(dtype).max):
        with pytest.raises(ValueError, match="C=1e-40 is too small"):
            BCEObjective(X, Y, np.ones(20, dtype=dtype), C, 0.0, True)
    else:
        objective = BCEObjective(X, Y, np.ones(20, dtype=dtype), C, 0.0, True)
        assert_allclose(objective.l2, 1 / (C * 20), rtol=1e-12)


@pytest.mark.parametrize("C", [[0.3, 2.0], [0.3, np.inf]])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.4])
def test_penalty_is_half_the_l2_term_plus_the_l1_term(rng, C, l1_ratio):
    # (1 - rho)/(C S) ||w||^2 / 2 + rho/(C S) ||w||_1, the intercept left out.
    sw = rng.uniform(0.2, 3.0, size=(40, 2))
    objective = make_objective(rng, K=2, C=np.array(C), l1_ratio=l1_ratio, sw=sw)
    coef = rng.normal(size=(objective.n_coef, 2))
    W, S = coef[:-1], sw.sum(axis=0)
    l2 = (1 - l1_ratio) / (np.array(C) * S)
    l1 = l1_ratio / (np.array(C) * S)
    expected_l1 = l1 * np.abs(W).sum(axis=0)
    expected = 0.5 * l2 * (W**2).sum(axis=0) + expected_l1
    assert_allclose(objective.penalty(coef), expected, rtol=1e-12)
    assert_allclose(objective.l1_penalty(coef), expected_l1, rtol=1e-12)


@pytest.mark.parametrize("k", [1, 3])
def test_float32_sweeps_sum_the_objective_in_float64(k):
    # The documented objective is float64: summed in float32, that of 200,000
    # rows was off by up to 3e-6 (relative), which the line search's float32
    # slack (about 4e-6) and loss_curve_ would read as real.
    rng = np.random.default_rng(0)
    n, p = 200_000, 5
    X = rng.standard_normal((n, p)).astype(np.float32)
    Y = (rng.random((n, k)) < 0.5).astype(np.float32)
    W = rng.standard_normal((p + 1, k)).astype(np.float32)
    single = BCEObjective(X, Y, np.ones(n), 1.0, 0.0, True).sweep(W).objective
    double = (
        BCEObjective(
            X.astype(np.float64), Y.astype(np.float64), np.ones(n), 1.0, 0.0, True
        )
        .sweep(W.astype(np.float64))
        .objective
    )
    assert single.dtype == np.float64
    assert_allclose(single, double, rtol=1e-8)
