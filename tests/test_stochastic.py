"""Mini-batch descent, partial_fit and fitting a memory-mapped X."""

import pickle
import re
import tracemalloc
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_iris,
    make_blobs,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler
from sklearn.utils import gen_batches

from sklearn_bce import BCELogisticRegression
from sklearn_bce._loss import BCEObjective
from sklearn_bce._stochastic import (
    EPOCH_RISE_TOLERANCE,
    _batch_step,
    _weightless_step,
    auto_step_cap,
    minibatch_descent,
)


@pytest.fixture(scope="module")
def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("batch_size", [16, 100])
def test_minibatch_reaches_the_full_batch_optimum(breast_cancer, batch_size):
    X, y = breast_cancer
    full = BCELogisticRegression(tol=1e-8).fit(X, y)
    model = BCELogisticRegression(
        batch_size=batch_size, random_state=0, max_iter=150, tol=0
    )
    model.fit(X, y)
    assert model.n_iter_[0] == 150  # epochs
    assert model.loss_curve_.shape == (150,)
    assert model.loss_curve_[-1] - full.loss_curve_[-1] < 2e-3
    assert model.score(X, y) >= full.score(X, y) - 0.01


def test_minibatch_is_reproducible_and_seeded(breast_cancer):
    X, y = breast_cancer
    params = {"batch_size": 32, "max_iter": 5, "tol": 0}
    a = BCELogisticRegression(random_state=1, **params).fit(X, y)
    b = BCELogisticRegression(random_state=1, **params).fit(X, y)
    c = BCELogisticRegression(random_state=2, **params).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)


def one_batch_descent(X, y, C, max_iter, step=None):
    """The mini-batch engine with one batch per epoch (which ``fit`` runs
    full-batch instead): fixed ``step``, or the line-searched "auto" one."""
    objective = BCEObjective(
        X, y[:, None].astype(np.float64), np.ones(len(y)), C, 0.0, True
    )
    return minibatch_descent(
        objective,
        np.zeros((X.shape[1] + 1, 1)),
        batch_size=len(y),
        step=np.array([step if step else 1.0]),
        max_iter=max_iter,
        tol=0,
        random_state=np.random.RandomState(0),
        line_search=step is None,
        inverse=None if step else auto_step_cap(objective),
    )


def test_minibatch_with_one_batch_is_full_batch_gradient_descent(breast_cancer):
    X, y = breast_cancer
    result = one_batch_descent(X, y, C=0.5, max_iter=3, step=0.5)
    # With one batch, the snapshot's terms cancel: the step is the full
    # gradient's, at a constant step size.  Redo it by hand.
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(3):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        grad_w = X.T @ (p - y) / len(y) + w / (0.5 * len(y))
        grad_b = np.mean(p - y)
        w, b = w - 0.5 * grad_w, b - 0.5 * grad_b
    assert_allclose(result.coef[:-1, 0], w, rtol=1e-10)
    assert_allclose(result.coef[-1, 0], b, rtol=1e-10)


def test_minibatch_multiclass_and_l1():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(batch_size=20, random_state=0, max_iter=100, tol=0)
    model.fit(X, y)
    assert model.score(X, y) >= BCELogisticRegression().fit(X, y).score(X, y) - 0.03
    sparse = BCELogisticRegression(
        batch_size=20, random_state=0, max_iter=100, tol=0, C=0.05, l1_ratio=1.0
    ).fit(X, y)
    assert (sparse.coef_ == 0).any()


def test_minibatch_divergence_is_reported(breast_cancer):
    X, y = breast_cancer
    model = BCELogisticRegression(batch_size=16, learning_rate=1e5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.fit(X, y)
    assert np.isfinite(model.coef_).all()


def test_minibatch_divergence_does_not_call_the_whole_data_s_1_over_L_safe():
    # One row's curvature (|x|^2 / 4, about 125 here) is far above that of
    # the whole data's objective: a step 10% below its 1/L still diverges.
    rng = np.random.RandomState(0)
    X, y = rng.randn(2000, 500), rng.randint(0, 2, 2000)
    objective = BCEObjective(X, y[:, None] * 1.0, np.ones(2000), 1.0, 0.0, True)
    bound = objective.smoothness_bound()
    step = np.float64(0.9 / bound[0])  # as a grid built by numpy gives it
    model = BCELogisticRegression(
        batch_size=1, learning_rate=step, random_state=0, max_iter=2
    )
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X, y)
    assert model.stop_reason_.tolist() == ["diverged"]
    (message,) = [str(w.message) for w in record]
    assert f"learning_rate={float(step)!r} is too large" in message
    assert "cannot diverge" not in message
    assert "A mini-batch step shorter than 1/L of the whole data can still" in message


def test_partial_fit_validates_parameters_set_after_its_first_call(breast_cancer):
    # scikit-learn's fit context validates them on the first call only.
    X, y = breast_cancer
    model = BCELogisticRegression().partial_fit(X, y, classes=[0, 1])
    coef = model.coef_.copy()
    for params in ({"learning_rate": -1.0}, {"C": -1.0}, {"l1_ratio": 2.0}):
        model.set_params(**params)
        with pytest.raises(ValueError, match=f"'{next(iter(params))}' parameter"):
            model.partial_fit(X, y)
        model.set_params(learning_rate="auto", C=1.0, l1_ratio=0.0)
    assert_array_equal(model.coef_, coef)


def test_partial_fit_streams_to_the_full_batch_accuracy(breast_cancer):
    X, y = breast_cancer
    model = BCELogisticRegression()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # batches of similar weight
        for _ in range(30):
            for rows in gen_batches(len(y), 50, min_batch_size=50):
                model.partial_fit(X[rows], y[rows], classes=[0, 1])
    full = BCELogisticRegression().fit(X, y)
    assert model.score(X, y) >= full.score(X, y) - 0.01
    n_calls = 30 * len(list(gen_batches(len(y), 50, min_batch_size=50)))
    assert model.n_iter_[0] == n_calls and model.loss_curve_.shape == (n_calls,)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_partial_fit_extends_the_loss_curve_in_place(n_classes):
    # A stream of many batches must not copy the whole curve on every call:
    # each call writes its step after the previous ones, in a buffer that
    # only grows (doubling) now and then; pickling keeps the curve.
    X, y = load_iris(return_X_y=True)
    X, y = X[y < n_classes], y[y < n_classes]
    model = BCELogisticRegression(learning_rate=0.05)
    model.partial_fit(X, y, classes=np.unique(y))
    n_calls, in_place = 100, 0
    for _ in range(n_calls):
        before = model.loss_curve_
        kept = before.copy()
        model.partial_fit(X, y)
        assert_array_equal(model.loss_curve_[..., :-1], kept)
        in_place += np.shares_memory(before, model.loss_curve_)
    assert model.loss_curve_.shape[-1] == n_calls + 1
    assert in_place >= n_calls - 5
    restored = pickle.loads(pickle.dumps(model))
    for stream in (model, restored):
        stream.partial_fit(X[::2], y[::2])
        stream.partial_fit(X[1::2], y[1::2])
    assert_array_equal(restored.loss_curve_, model.loss_curve_)
    assert_array_equal(restored.coef_, model.coef_)


def test_partial_fit_on_all_data_is_a_gradient_step(breast_cancer):
    X, y = breast_cancer
    stepped = BCELogisticRegression(learning_rate=0.5).partial_fit(X, y, classes=[0, 1])
    gd = BCELogisticRegression(solver="gd", learning_rate=0.5, max_iter=1, tol=0)
    gd.fit(X, y)
    assert_allclose(stepped.coef_, gd.coef_, rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_partial_fit_auto_step_is_one_over_the_smoothness_bound(
    breast_cancer, weighted
):
    # The "auto" step is the batch's 1/L, L = lambda_max of the Hessian bound
    # X1^T diag(s) X1 / (4 S) plus the L2 term 1/(C S) on the features; here
    # L is computed from that definition, not by the package.
    X, y = breast_cancer
    n, C = len(y), 0.5
    s = np.random.default_rng(0).uniform(0.5, 2.0, n) if weighted else np.ones(n)
    X1 = np.column_stack([X, np.ones(n)])
    bound = X1.T @ (s[:, None] * X1) / (4 * s.sum())
    bound[np.arange(X.shape[1]), np.arange(X.shape[1])] += 1 / (C * s.sum())
    L = np.linalg.eigvalsh(bound)[-1]
    stepped = BCELogisticRegression(C=C).partial_fit(
        X, y, classes=[0, 1], sample_weight=s
    )
    gd = BCELogisticRegression(C=C, solver="gd", learning_rate=1 / L, max_iter=1)
    gd.set_params(tol=0).fit(X, y, sample_weight=s)
    assert_allclose(stepped.coef_, gd.coef_, rtol=1e-9)
    assert_allclose(stepped.intercept_, gd.intercept_, rtol=1e-9)


@pytest.mark.parametrize(
    "names, declared",
    [
        (np.array(["malignant", "benign"]), ["malignant", "benign"]),
        (np.array([2, 0]), [2, 0, 1]),
    ],
    ids=["strings", "integers"],
)
def test_partial_fit_sorts_the_declared_classes(breast_cancer, names, declared):
    # classes given out of order are sorted, as np.unique sorts them: the
    # labels map to the right columns and the stream learns as if declared
    # sorted.
    X, y = breast_cancer
    labels = names[y]
    models = [BCELogisticRegression(), BCELogisticRegression()]
    for model, classes in zip(models, [declared, sorted(declared)], strict=True):
        model.partial_fit(X, labels, classes=classes)
        for _ in range(10):
            model.partial_fit(X, labels)
    unordered, ordered = models
    assert_array_equal(unordered.classes_, np.sort(declared))
    assert_array_equal(unordered.coef_, ordered.coef_)
    assert_array_equal(unordered.intercept_, ordered.intercept_)
    assert unordered.score(X, labels) > 0.95


def test_partial_fit_refuses_classes_of_mixed_types_in_scikit_learns_words():
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.arange(20) % 2
    # As SGDClassifier, rather than "labels [0, 1] not in classes ['0', 'a']".
    with pytest.raises(ValueError, match="Mix of label input types"):
        BCELogisticRegression().partial_fit(X, y, classes=[0, "a"])
    model = BCELogisticRegression().partial_fit(X, y, classes=[1, 0])
    with pytest.raises(ValueError, match="Mix of label input types"):
        model.partial_fit(X, y, classes=[0, "a"])


def test_partial_fit_multiclass_and_errors():
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression()
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X[:10], y[:10])
    model.partial_fit(X[:10], y[:10], classes=[0, 1, 2])  # a batch of one class
    assert model.coef_.shape == (3, 4)
    model.partial_fit(X[50:60], y[50:60])
    message = "not the same as the classes the model was fitted on: array([0, 1, 2])"
    with pytest.raises(ValueError, match=re.escape(message)):
        model.partial_fit(X[:10], y[:10], classes=[0, 1])
    # After fit, the classes to keep are those fit found, also once partial_fit
    # has run (the message named "the first call to partial_fit" there).
    fitted = BCELogisticRegression(max_iter=5, tol=0).fit(X, y)
    for _ in range(2):
        with pytest.raises(ValueError, match=re.escape(message)):
            fitted.partial_fit(X[:10], y[:10], classes=[0, 1])
        fitted.partial_fit(X[:10], y[:10])
    with pytest.raises(ValueError, match="not in classes"):
        model.partial_fit(X[:10], np.full(10, 7))
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:10, :3], y[:10])
    with pytest.raises(ValueError, match="set class_weight to a dict"):
        BCELogisticRegression(class_weight="balanced").partial_fit(
            X, y, classes=[0, 1, 2]
        )


def test_partial_fit_class_weight_may_name_a_class_a_batch_lacks():
    # As SGDClassifier: weighing a rare class must not fail on the batches
    # without it (LogisticRegression's dict rules apply to all the classes).
    X, y = load_iris(return_X_y=True)
    weighted = BCELogisticRegression(learning_rate=0.1, class_weight={2: 10.0})
    plain = BCELogisticRegression(learning_rate=0.1)
    weighted.partial_fit(X[:100], y[:100], classes=[0, 1, 2])  # no class 2
    plain.partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    assert_array_equal(weighted.coef_, plain.coef_)
    weighted.partial_fit(X[90:110], y[90:110])  # classes 1 and 2
    weight = np.where(y[90:110] == 2, 10.0, 1.0)
    plain.partial_fit(X[90:110], y[90:110], sample_weight=weight)
    assert_allclose(weighted.coef_, plain.coef_, rtol=1e-12)
    with pytest.raises(ValueError, match=r"classes, \[0, 1, 2\], are not in"):
        BCELogisticRegression(class_weight={5: 1.0}).partial_fit(
            X[:10], y[:10], classes=[0, 1, 2]
        )


def test_fit_resets_partial_fit_state(breast_cancer):
    X, y = breast_cancer
    model = BCELogisticRegression().partial_fit(X, y, classes=[0, 1])
    model.partial_fit(X, y)
    model.fit(X, y)
    refit = BCELogisticRegression().fit(X, y)
    assert_array_equal(model.coef_, refit.coef_)
    assert_array_equal(model.n_iter_, refit.n_iter_)
    assert_array_equal(model.loss_curve_, refit.loss_curve_)
    # The next partial_fit starts its own count and curve, after the fit.
    model.partial_fit(X, y)
    assert_array_equal(model.n_iter_, [1])
    assert model.loss_curve_.shape == (1,)


def test_partial_fit_warns_of_a_batch_far_lighter_than_those_before():
    # Each step weighs the penalty by 1 / (C times the batch's weight): a
    # one-row last batch after batches of 100 shrank the model to chance
    # accuracy, silently.
    X, y = make_classification(1001, 5, n_informative=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(C=0.01)
    for rows in gen_batches(1000, 100):
        model.partial_fit(X[rows], y[rows], classes=[0, 1])
    before = np.linalg.norm(model.coef_)
    with pytest.warns(UserWarning, match=r"total weight \(1\) is under half") as record:
        model.partial_fit(X[1000:], y[1000:])
    assert np.linalg.norm(model.coef_) < 0.1 * before  # what it warns of
    message = str(record[0].message)
    assert "the mean of the 10 batches before it (100)" in message
    assert "so this step weighs it 100 times as much as theirs" in message
    assert "min_batch_size=size" in message
    # The advice works: gen_batches joins the short batch to the one before.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        joined = BCELogisticRegression(C=0.01)
        for _ in range(5):
            for rows in gen_batches(1001, 100, min_batch_size=100):
                joined.partial_fit(X[rows], y[rows], classes=[0, 1])
    assert np.linalg.norm(joined.coef_) > 0.5 * before
    # Weights count, not rows; fit starts the count anew.
    with pytest.warns(UserWarning, match=r"total weight \(0.001\)"):
        joined.partial_fit(X[:1], y[:1], sample_weight=[1e-3])
    joined.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        joined.partial_fit(X[:100], y[:100])
        joined.partial_fit(X[100:200], y[100:200])


@pytest.mark.parametrize("C", [1.0, np.inf])
def test_partial_fit_warns_under_half_the_mean_weight_with_a_penalty_only(C):
    X, y = make_classification(40, 5, n_informative=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(C=C)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.partial_fit(X[:10], y[:10], classes=[0, 1])
        model.partial_fit(X[10:20], y[10:20])
        model.partial_fit(X[20:25], y[20:25])  # half the mean of 10: no warning
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.partial_fit(X[25:29], y[25:29])  # under half the mean of 25 / 3
    warned = [w for w in record if "is under half the mean" in str(w.message)]
    # Without a penalty (C=inf) the weights scale nothing.
    assert len(warned) == (C != np.inf)


def test_partial_fit_after_fit_continues_with_fresh_counts(breast_cancer):
    X, y = breast_cancer
    model = BCELogisticRegression(early_stopping=True, random_state=0).fit(X, y)
    fitted = model.coef_.copy()
    model.partial_fit(X[:100], y[:100])
    model.partial_fit(X[100:200], y[100:200])
    assert not np.array_equal(model.coef_, fitted)  # continued from fit
    assert_array_equal(model.n_iter_, [2])
    assert model.loss_curve_.shape == (2,)
    assert_array_equal(model.converged_, [False])
    assert_array_equal(model.stop_reason_, ["max_iter"])
    assert not hasattr(model, "validation_loss_curve_")
    assert not hasattr(model, "best_iteration_")
    # Also on a first call: every attribute of a fit is there.
    first = BCELogisticRegression().partial_fit(X, y, classes=[0, 1])
    assert_array_equal(first.stop_reason_, ["max_iter"])


@pytest.mark.parametrize("batch_size", [None, 2000])
def test_memmap_is_read_in_place(tmp_path, batch_size):
    X, y = make_classification(100_000, 50, random_state=0)
    path = tmp_path / "X.dat"
    mapped = np.memmap(path, dtype=np.float64, mode="w+", shape=X.shape)
    mapped[:] = X
    mapped.flush()
    X_disk = np.memmap(path, dtype=np.float64, mode="r", shape=X.shape)
    model = BCELogisticRegression(
        batch_size=batch_size, random_state=0, max_iter=20, tol=0
    )
    tracemalloc.start()
    model.fit(X_disk, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Far below a copy of X (40 MB): O(n_samples) vectors, batches, blocks.
    assert peak < 0.25 * X.nbytes
    reference = BCELogisticRegression(
        batch_size=batch_size, random_state=0, max_iter=20, tol=0
    )
    assert_allclose(model.coef_, reference.fit(X, y).coef_, rtol=1e-10, atol=1e-12)


def test_auto_minibatch_steps_are_line_searched():
    # Strongly correlated features: the first-epoch cap diag(B)^-1 is about
    # n_features times the safe step 1/L.  With one batch per epoch,
    # the line search makes every epoch decrease the objective.
    rng = np.random.default_rng(0)
    factor = rng.normal(size=(300, 1))
    X = factor + 0.05 * rng.normal(size=(300, 20))
    y = (factor[:, 0] + rng.normal(size=300) > 0).astype(int)
    curve = one_batch_descent(X, y, C=1.0, max_iter=20).history[:, 0]
    assert len(curve) == 20
    assert np.all(np.diff(curve) <= 1e-12)
    assert curve[-1] < np.log(2)


SMALL_BATCHES = pytest.mark.parametrize(
    "n_samples, n_features, batch_size", [(400, 40, 8), (120, 6, 1)]
)


def small_batch_data(n_samples, n_features):
    """Standardised data for batches smaller than the number of features."""
    X, y = make_classification(
        n_samples,
        n_features,
        n_informative=min(10, n_features),
        n_redundant=0,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


@SMALL_BATCHES
def test_auto_minibatch_with_small_batches_never_rises_and_settles(
    n_samples, n_features, batch_size
):
    # Batches smaller than the number of features (or single rows) are
    # fitted by almost any step: their line searches accept steps that make
    # the whole objective rise above the all-zero start (log 2). Such epochs
    # are undone and the step halved, so the curve only falls (beyond the
    # batches' noise, a few 1e-6).
    X, y = small_batch_data(n_samples, n_features)
    optimum = BCELogisticRegression(tol=1e-10).fit(X, y).loss_curve_[-1]
    model = BCELogisticRegression(
        batch_size=batch_size, random_state=0, max_iter=40, tol=0
    ).fit(X, y)
    curve = model.loss_curve_
    assert len(curve) == 40
    assert curve[0] <= np.log(2) + 1e-12
    noise = EPOCH_RISE_TOLERANCE * np.maximum(curve[:-1], 1.0)
    assert np.all(np.diff(curve) <= noise)
    assert np.diff(curve).min() < -1e-2  # the rises undone were far larger
    assert curve[-1] - optimum < 1e-3


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_auto_minibatch_noise_near_the_optimum_does_not_stall_the_fit(dtype):
    # Near the optimum an epoch of 16-row batches can end a little above its
    # start by the batches' noise alone.  Undoing those epochs (each halving
    # the steps for good) froze float64 fits short of tol, which float32's
    # rounding slack let through: both converge alike.
    X, y = make_classification(300, 4, n_informative=3, n_redundant=0, random_state=0)
    X = StandardScaler().fit_transform(X).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BCELogisticRegression(batch_size=16, random_state=0).fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]
    assert model.n_iter_[0] < 400


@pytest.mark.parametrize(
    "dtype, tol, batch_size, fit_intercept",
    [
        (np.float32, 1e-5, 32, True),
        (np.float64, 1e-10, 128, True),
        (np.float64, 1e-9, 16, False),
    ],
)
def test_auto_minibatch_steps_that_swing_around_the_optimum_are_shortened(
    dtype, tol, batch_size, fit_intercept
):
    # Near the optimum, steps too long for some batches kept the iterate
    # swinging around it by less than J's rounding (no epoch to undo): the
    # gradient stayed near 1e-4 (float32) or 1e-8 (float64) for all of
    # max_iter, where the full-batch fit converges in under 20 iterations.
    # Epochs that lower neither the gradient nor J now halve the steps.
    X, y = make_classification(1500, 30, n_informative=4, n_classes=3, random_state=1)
    X = StandardScaler().fit_transform(X).astype(dtype)
    params = {"tol": tol, "fit_intercept": fit_intercept}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BCELogisticRegression(
            batch_size=batch_size, random_state=0, max_iter=200, **params
        ).fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"] * 3
    full = BCELogisticRegression(**params).fit(X.astype(np.float64), y)
    atol = 1e-4 if dtype == np.float32 else 1e-8
    assert_allclose(model.coef_, full.coef_, atol=atol)


def test_auto_minibatch_keeps_its_steps_while_the_objective_goes_down(breast_cancer):
    # An L1 fit's gradient can stay level for many epochs while J goes down:
    # its steps are not cut (that would stall it short of tol).
    X, y = breast_cancer
    model = BCELogisticRegression(
        l1_ratio=1.0, batch_size=64, random_state=0, max_iter=400
    ).fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]
    steps = np.diff(model.loss_curve_)
    assert (steps < 0).mean() > 0.9


def objective_of(model, X, y):
    """``J`` of a fitted binary model (unit weights, l1_ratio=0), computed here."""
    z = model.decision_function(X)
    w = model.coef_[0]
    return np.mean(np.logaddexp(0, z) - y * z) + 0.5 * w @ w / (model.C * len(y))


@SMALL_BATCHES
def test_auto_minibatch_undoes_a_risen_epoch_in_the_model_not_only_the_curve(
    n_samples, n_features, batch_size
):
    # An epoch that raised J is undone: the coefficients go back to where the
    # epoch started, so the curve's value is the objective of coef_ and
    # intercept_.  Keeping the risen coefficients behind the old value would
    # show a curve that never rises for a model that did.  The seed fixes the
    # row orders, so a fit stopped at an undone epoch (a flat step of the
    # curve) ends with it.
    X, y = small_batch_data(n_samples, n_features)
    params = {"batch_size": batch_size, "random_state": 0, "tol": 0}
    curve = BCELogisticRegression(max_iter=40, **params).fit(X, y).loss_curve_
    undone = np.flatnonzero(np.diff(curve) == 0) + 1
    assert undone.size > 0
    for n_epochs in [*(undone[:3] + 1), 40]:
        model = BCELogisticRegression(max_iter=n_epochs, **params).fit(X, y)
        assert_array_equal(model.loss_curve_, curve[:n_epochs])
        assert_allclose(model.loss_curve_[-1], objective_of(model, X, y), rtol=1e-10)


def test_a_weightless_step_longer_than_one_over_l2_stops_at_zero():
    # A batch without weight (at an anchor of zero) steps on the penalty
    # alone, W (1 - eta l2): a step beyond 1/l2 would overshoot the
    # penalty's minimum, 0, flipping the signs (and growing them beyond
    # 2/l2); the shrink stops at 0.
    W = np.array([[1.0, -2.0, 3.0], [-3.0, 0.5, -1.0]])
    l2 = np.array([1.0, 0.5, 1.0])
    l1 = np.array([0.0, 0.0, 0.1])
    eta = np.array([5.0, 1.0, 1.5])
    stepped = _weightless_step(W, 2, l2, l1, eta)
    assert_array_equal(stepped[:, 0], 0.0)
    assert_allclose(stepped[:, 1], 0.5 * W[:, 1], rtol=1e-15)
    assert_array_equal(stepped[:, 2], 0.0)  # nothing left to soft-threshold
    assert_array_equal(_weightless_step(W, 2, l2, l1, np.array([1.0, 2.0, 1.0])), 0.0)
    # Per-coefficient factors of the step (learning_rate="auto"): each
    # coefficient shrinks by its own step, to zero at most.
    inverse = np.array([[0.5, 0.5, 0.1], [4.0, 0.5, 1.0]])
    stepped = _weightless_step(W, 2, l2, np.zeros(3), np.ones(3), inverse)
    assert_allclose(stepped, W * (1 - np.minimum(inverse * l2, 1)), rtol=1e-15)
    assert_array_equal(stepped[1, 0], 0.0)


def test_a_weightless_step_soft_thresholds_by_the_step_times_l1():
    # Without L2, a batch without weight steps on the L1 penalty alone: its
    # proximal step soft-thresholds each coefficient by eta l1 (times the
    # coefficient's factor of the step, with learning_rate="auto").
    W = np.array([[1.0, -2.0, 0.3], [-0.05, 0.5, -1.0]])
    l1 = np.array([0.1, 1.0, 0.2])
    eta = np.array([1.0, 0.4, 2.0])
    threshold = eta * l1
    expected = np.sign(W) * np.maximum(np.abs(W) - threshold, 0)
    assert_allclose(_weightless_step(W, 2, np.zeros(3), l1, eta), expected, rtol=1e-15)
    assert_allclose(expected, [[0.9, -1.6, 0.0], [0.0, 0.1, -0.6]], atol=1e-15)
    inverse = np.array([[2.0, 0.5, 1.0], [1.0, 3.0, 0.1]])
    expected = np.sign(W) * np.maximum(np.abs(W) - inverse * threshold, 0)
    stepped = _weightless_step(W, 2, np.zeros(3), l1, eta, inverse)
    assert_allclose(stepped, expected, rtol=1e-15)


def test_a_batch_without_weight_steps_along_the_anchor():
    # Its data gradient is zero at the model and at the snapshot, so its
    # estimate of the full gradient is the anchor (the snapshot's full data
    # gradient) plus the penalty's: a proximal step along both, the
    # intercept (last row) along the anchor alone.
    coef = np.array([[1.0, -2.0], [0.05, 0.5], [0.3, -0.2]])
    anchor = np.array([[0.5, -1.0], [0.2, 0.1], [-0.4, 0.3]])
    l2, l1 = np.array([0.1, 0.0]), np.array([0.0, 0.2])
    eta = np.array([0.5, 2.0])
    stepped = _weightless_step(coef, 2, l2, l1, eta, anchor=anchor)
    features = coef[:2] * (1 - eta * l2) - eta * anchor[:2]
    expected_features = np.sign(features) * np.maximum(np.abs(features) - eta * l1, 0)
    assert_allclose(stepped[:2], expected_features, rtol=1e-15)
    assert_allclose(stepped[2], coef[2] - eta * anchor[2], rtol=1e-15)
    assert stepped[1, 1] == 0.0  # 0.5 - 2 * 0.1 = 0.3, within eta l1 = 0.4


@pytest.mark.parametrize("scale", [None, 0.25, 4.0])
@pytest.mark.parametrize("scaled", [False, True])
def test_batch_line_search_takes_the_longest_halving_that_decreases_enough(
    scaled, scale
):
    # The line search halves a batch's step until the smooth part (data and
    # L2) satisfies the sufficient-decrease condition f(new) <= f(x) +
    # <g, d> + |d|^2 / (2 eta), up to rounding, and takes the first (longest)
    # such step.  From steps spread over an octave, some halvings land just
    # past the longest that satisfies it, where it fails by under 1% of f.
    # With per-coefficient factors s of the step (learning_rate="auto"), the
    # step is eta s g and the norm that of the metric diag(1 / s).  With
    # unequal sample weights the batch's data term counts times its weight
    # scale a: the condition is on a data + L2, whose gradient it steps on.
    a = 1.0 if scale is None else scale
    factors = np.array([1.0, 0.01, 3.0, 1.0, 0.2, 2.0]) if scaled else np.ones(6)
    inverse = factors[:, None] if scaled else None
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 5))
    y = (X @ [1.0, -1.0, 0.5, 0.0, 0.2] > 0).astype(float)
    part = BCEObjective(X, y[:, None], np.ones(8), np.inf, 0.0, True)
    l2, l1 = np.array([0.1]), np.array([0.01])
    coef = 0.1 * rng.normal(size=(6, 1))

    def smooth(c):
        w, b = c[:5, 0], c[5, 0]
        z = X @ w + b
        return a * np.mean(np.logaddexp(0, z) - y * z) + 0.5 * l2[0] * w @ w

    z = X @ coef[:5, 0] + coef[5, 0]
    g = np.r_[
        a * X.T @ (expit(z) - y) / 8 + l2[0] * coef[:5, 0], a * np.mean(expit(z) - y)
    ]

    def proposal(eta):
        v = coef[:, 0] - eta * factors * g
        threshold = eta * factors[:5] * l1[0]
        v[:5] = np.sign(v[:5]) * np.maximum(np.abs(v[:5]) - threshold, 0)
        return v

    def decreases(eta):
        d = proposal(eta) - coef[:, 0]
        bound = smooth(coef) + g @ d + d @ (d / factors) / (2 * eta)
        return smooth(proposal(eta)[:, None]) <= bound + 1e-14

    for start in 1024 * np.geomspace(1, 2, 100, endpoint=False):
        eta = np.array([start])
        weight_scale = None if scale is None else np.array([scale])
        new = _batch_step(part, coef, l2, l1, eta, True, weight_scale, inverse)
        halvings = np.log2(start / eta[0])
        assert halvings >= 1 and halvings == round(halvings)
        assert_allclose(new[:, 0], proposal(eta[0]), rtol=1e-12, atol=1e-15)
        assert decreases(eta[0])
        assert not decreases(2 * eta[0])


def test_auto_minibatch_in_float32_is_not_stopped_by_rounding():
    # Near the optimum, float32 epochs end a little above their start by
    # rounding alone: undoing those would halve the step for good and stall.
    X, y = make_classification(400, 40, n_informative=10, n_redundant=0, random_state=0)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    model = BCELogisticRegression(batch_size=8, random_state=0, max_iter=300)
    model.fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]


def test_minibatch_divergence_keeps_the_epoch_of_the_lowest_objective(breast_cancer):
    # The first epoch diverges: the model is its start, zero, not the
    # overflowing iterate of that epoch.
    X, y = breast_cancer
    model = BCELogisticRegression(batch_size=16, learning_rate=1e5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.fit(X, y)
    assert model.n_iter_.tolist() == [0]
    assert_array_equal(model.coef_, 0.0)
    assert_array_equal(model.intercept_, 0.0)


def test_minibatch_divergence_after_some_epochs_keeps_the_lowest_objective(
    breast_cancer,
):
    # Nine epochs, every one above the start (log 2), then divergence: the
    # model is the start, not the last epoch below the divergence limit.
    X, y = breast_cancer
    model = BCELogisticRegression(
        batch_size=4, learning_rate=100.0, random_state=1, max_iter=30
    )
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.fit(X, y)
    assert len(model.loss_curve_) > 1 and model.loss_curve_.min() > np.log(2)
    assert_array_equal(model.coef_, 0.0)
    assert_array_equal(model.intercept_, 0.0)


def test_minibatch_divergence_after_an_improvement_keeps_the_best_epoch(
    breast_cancer,
):
    # Two epochs lower the objective, then the coefficients are thrown far
    # off (by a callback, which gets the iterate) and the next epoch
    # diverges: the result is the best epoch's coefficients, whose objective
    # it reports.
    X, y = breast_cancer
    objective = BCEObjective(
        X, y[:, None].astype(np.float64), np.ones(len(y)), 1.0, 0.0, True
    )
    kept = {}

    def throw_off(iteration, x, value, grad_max, active):
        if iteration == 2:
            kept["coef"] = x.copy()
            x *= 1e4
        return False

    result = minibatch_descent(
        objective,
        np.zeros((X.shape[1] + 1, 1)),
        batch_size=32,
        step=np.array([0.5]),
        max_iter=10,
        tol=1e-12,
        random_state=np.random.RandomState(0),
        check_divergence=True,
        callback=throw_off,
    )
    assert result.stop_reason.tolist() == ["diverged"]
    assert_array_equal(result.coef, kept["coef"])
    assert_allclose(
        result.objective, objective.loss_gradient(result.coef)[0], rtol=1e-12
    )
    assert result.objective[0] == np.nanmin(result.history[:, 0])


def test_minibatch_divergence_limit_is_relative_to_at_least_one():
    # A warm start near the optimum (objective about 0.08): epochs that reach
    # 20-60 are well above 100 times the start but below 100 max(J, 1) = 100,
    # the documented limit, so no epoch stops the fit.  Ending above its
    # start after max_iter epochs, it swung: diverged, as a full-batch fit
    # is, with the coefficients of the lowest objective, the warm start's.
    rng = np.random.RandomState(0)
    X = rng.randn(600, 3)
    y = (X @ [2.0, -2.0, 1.0] + 0.3 * rng.randn(600) > 0).astype(int)
    model = BCELogisticRegression(C=10.0, warm_start=True).fit(X, y)
    start, start_coef = model.loss_curve_[-1], model.coef_.copy()
    assert start < 0.1
    model.set_params(batch_size=100, learning_rate=2000.0, max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged after 5 epochs"):
        model.fit(X, y)
    assert model.n_iter_.tolist() == [5]
    assert 2 * 100 * start < model.loss_curve_.max() < 100
    assert model.stop_reason_.tolist() == ["diverged"]
    assert_array_equal(model.coef_, start_coef)


def test_a_fixed_minibatch_step_that_swings_above_its_start_is_diverged():
    # A constant step too long for single rows (about 15 times their 1/L)
    # swings for good, never far enough to pass the divergence limit: after
    # max_iter epochs the objective is above its start (log 2), having been
    # below it (epoch 3).  As in full-batch descent, the fit is diverged and
    # keeps the coefficients of the lowest objective it reached, not the last.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(
        batch_size=1, learning_rate=2.0, random_state=0, max_iter=6
    )
    with pytest.warns(ConvergenceWarning, match="diverged after 6 epochs"):
        model.fit(X, y)
    curve = model.loss_curve_
    assert len(curve) == 6 and curve[-1] > np.log(2) > curve.min()
    assert model.stop_reason_.tolist() == ["diverged"]
    assert_allclose(objective_of(model, X, y), curve.min(), rtol=1e-10)


def test_minibatch_tol_zero_stops_where_the_gradient_is_exactly_zero():
    # As the full-batch fit: features that are all zero, without an
    # intercept, give every batch and the whole data a gradient of exactly 0.
    X = np.zeros((40, 2))
    y = np.repeat([0, 1], 20)
    model = BCELogisticRegression(
        batch_size=10, tol=0, max_iter=50, fit_intercept=False, random_state=0
    ).fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]
    assert model.n_iter_.tolist() == [1]
    assert_array_equal(model.coef_, 0.0)


ZERO_WEIGHT_CASES = {
    "l2": ({}, {"learning_rate": 0.05}),
    "l1": ({"C": 1.0, "l1_ratio": 1.0}, {"learning_rate": 0.2}),
    "l2, auto": ({}, {}),
    "l1, auto": ({"C": 1.0, "l1_ratio": 1.0}, {}),
}


@pytest.mark.parametrize("case", list(ZERO_WEIGHT_CASES))
def test_minibatch_rows_of_zero_weight_leave_the_optimum_where_it_is(case):
    # Rows of zero weight do not change J.  Batches holding only such rows
    # (three in four, here) still take their step, along the anchor and the
    # penalty's gradient (their data term is zero): the fit converges to the
    # full-batch optimum of the weighted rows alone.
    penalty, params = ZERO_WEIGHT_CASES[case]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    y = (X @ [1.0, -1.0] + rng.normal(size=20) > 0).astype(int)
    weight = np.r_[np.ones(10), 2 * np.ones(10)]
    padded_X = np.vstack([X, rng.normal(size=(60, 2))])
    padded_y = np.r_[y, rng.integers(0, 2, 60)]
    padded_weight = np.r_[weight, np.zeros(60)]
    full = BCELogisticRegression(tol=1e-10, **penalty).fit(X, y, sample_weight=weight)
    mini = BCELogisticRegression(
        random_state=0, batch_size=1, tol=1e-8, max_iter=1000, **params, **penalty
    ).fit(padded_X, padded_y, sample_weight=padded_weight)
    assert mini.stop_reason_.tolist() == ["converged"]
    assert_allclose(mini.coef_, full.coef_, atol=1e-6)
    assert_allclose(mini.intercept_, full.intercept_, atol=1e-6)


def test_minibatch_weights_count_as_in_the_full_objective():
    # Each batch's loss is weighed by the batch's share of the total weight:
    # a batch's mean loss alone would make the weights of a batch of one
    # class (or of one sample) cancel.
    X, y = make_classification(400, 3, n_informative=2, n_redundant=0, random_state=0)
    params = {"C": 1.0, "class_weight": {0: 1, 1: 10}}
    full = BCELogisticRegression(tol=1e-8, **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mini = BCELogisticRegression(
            batch_size=8, max_iter=300, random_state=0, **params
        ).fit(X, y)
    assert np.abs(mini.coef_ - full.coef_).max() < 0.05
    assert np.abs(mini.intercept_ - full.intercept_).max() < 0.1
    # Equal weights are left as they are: the same steps as without weights.
    plain = BCELogisticRegression(
        C=np.inf, batch_size=50, max_iter=5, tol=0, random_state=0
    )
    weighted = clone(plain).fit(X, y, sample_weight=np.full(len(y), 3.0))
    assert_array_equal(plain.fit(X, y).coef_, weighted.coef_)


def test_partial_fit_refuses_a_diverging_step(breast_cancer):
    X, y = breast_cancer
    model = BCELogisticRegression(learning_rate=1e300)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            model.partial_fit(1e3 * X[:50], y[:50], classes=[0, 1])
    assert [w.category for w in record] == [ConvergenceWarning] * 3
    assert "made the objective diverge" in str(record[0].message)
    assert_array_equal(model.coef_, 0.0)  # every step refused
    assert model.stop_reason_.tolist() == ["diverged"]
    assert np.isfinite(model.predict_proba(X)).all()


def test_partial_fit_names_the_classes_whose_objective_a_step_raised():
    # Unscaled iris, a step of 0.15: only the problem of class 1 rises
    # (0.693 to 0.702); its step is taken, as the others'.
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(learning_rate=0.15)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.partial_fit(X, y, classes=[0, 1, 2])
    rose = model.loss_curve_[:, 0] > np.log(2)
    assert rose.tolist() == [False, True, False]
    (warning,) = record
    assert warning.category is ConvergenceWarning
    assert str(warning.message).startswith(
        "The step on this batch raised its objective for classes [1] (from "
        f"0.693 to {model.loss_curve_[1, 0]:.3g}): learning_rate=0.15"
    )
    assert model.stop_reason_.tolist() == ["max_iter"] * 3
    assert (model.coef_ != 0).all()
    # A step that lowers every class's objective says nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BCELogisticRegression(learning_rate=0.1).partial_fit(X, y, classes=[0, 1, 2])


def test_failed_first_partial_fit_is_not_fitted():
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression()
    with pytest.raises(ValueError, match="not in classes"):
        model.partial_fit(X[:10], y[:10] + 5, classes=[0, 1, 2])
    with pytest.raises(NotFittedError):
        model.predict(X[:2])
    # Nothing of the failed call is left: as fit, it restores the model.
    assert model.__dict__ == BCELogisticRegression().__dict__
    model.partial_fit(X[:10, :2], y[:10], classes=[0, 1, 2])
    assert model.n_features_in_ == 2


def test_early_stopping_needs_weight_on_both_parts():
    X, y = make_classification(200, 5, random_state=0)
    model = BCELogisticRegression(early_stopping=True, random_state=0)
    validation = model._validation_rows(y)
    for part, rows in [("validation", validation), ("training", None)]:
        weight = np.ones(len(y))
        if rows is None:
            weight[:] = 0
            weight[validation] = 1
        else:
            weight[rows] = 0
        with pytest.raises(ValueError, match=f"the {part} part of the data has no"):
            model.fit(X, y, sample_weight=weight)


@pytest.mark.parametrize("extra", [0, 431])  # exactly n_samples, and more
def test_batch_size_of_all_the_samples_fits_full_batch(breast_cancer, extra):
    X, y = breast_cancer
    batch_size = len(y) + extra
    with pytest.warns(UserWarning, match=f"batch_size={batch_size} is not smaller"):
        model = BCELogisticRegression(batch_size=batch_size).fit(X, y)
    assert_array_equal(model.coef_, BCELogisticRegression().fit(X, y).coef_)


def test_partial_fit_warns_when_fit_intercept_is_turned_off_mid_stream(breast_cancer):
    X, y = breast_cancer
    model = BCELogisticRegression().partial_fit(X[:5], y[:5], classes=[0, 1])
    assert model.intercept_[0] != 0
    model.set_params(fit_intercept=False)
    with pytest.warns(UserWarning, match="intercept_: it is dropped"):
        model.partial_fit(X[5:10], y[5:10])
    assert model.intercept_[0] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left to drop
        model.partial_fit(X[10:15], y[10:15])


def test_early_stopping_names_a_class_too_small_to_split():
    X, y = make_classification(60, 4, n_informative=3, n_redundant=0, random_state=0)
    labels = np.array(["cat", "dog"], dtype=object)[y]
    labels[5] = "zebra"  # one member: nothing to stratify it by
    with pytest.raises(ValueError, match=r"too few members are: \['zebra'\]"):
        BCELogisticRegression(early_stopping=True).fit(X, labels)
    # Named as early stopping's, which it is.
    with pytest.raises(ValueError, match=r"^early_stopping: cannot hold out"):
        BCELogisticRegression(early_stopping=True).fit(X, labels)
    with pytest.raises(
        ValueError, match=r"validation_fraction=0.02 of the 60 .* Change "
    ):
        BCELogisticRegression(early_stopping=True, validation_fraction=0.02).fit(
            X, np.arange(60) % 3
        )


def test_early_stopping_error_leaves_the_previous_fit_whole():
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(early_stopping=True, random_state=0).fit(X, y)
    before = dict(vars(model))
    X_binary, y_binary = make_classification(200, 5, random_state=0)
    weight = np.ones(len(y_binary))
    weight[model._validation_rows(y_binary)] = 0
    with pytest.raises(ValueError, match="validation part of the data has no"):
        model.fit(X_binary, y_binary, sample_weight=weight)
    assert vars(model).keys() == before.keys()
    for name, value in before.items():
        assert vars(model)[name] is value, name
    assert model.predict_proba(X).shape == (150, 3)


def test_verbose_shows_the_last_line_when_early_stopping_ends_the_fit(capsys):
    X, y = make_classification(200, 5, flip_y=0.3, random_state=0)
    model = BCELogisticRegression(
        early_stopping=True, n_iter_no_change=2, random_state=0, verbose=1, tol=0
    ).fit(X, y)
    assert model.stop_reason_.tolist() == ["early stopped"]
    lines = capsys.readouterr().out.splitlines()
    assert lines and lines[-1].startswith(f"Iteration {model.n_iter_[0]},")


def test_minibatch_with_zero_weights_steps_on_each_batch_mean():
    # Weights equal but for zeros (rows left out, like early stopping's
    # validation rows): each batch's estimate of the gradient is the mean
    # over its other rows at the model, minus the same at the snapshot (the
    # epoch's start), plus the mean over all the weighted rows at the
    # snapshot.  Two epochs, redone by hand.
    X, y = make_classification(200, 5, random_state=0)
    weight = np.ones(len(y))
    weight[::7] = 0
    model = BCELogisticRegression(
        C=np.inf, batch_size=16, learning_rate=0.5, max_iter=2, tol=0, random_state=0
    ).fit(X, y, sample_weight=weight)
    X1 = np.c_[X, np.ones(len(y))]  # the intercept as a last coefficient

    def gradient(coef, rows):
        return X1[rows].T @ (expit(X1[rows] @ coef) - y[rows]) / len(rows)

    coef = np.zeros(X.shape[1] + 1)
    order = np.random.RandomState(0)
    weighted = np.flatnonzero(weight > 0)
    for _ in range(2):
        snapshot = coef.copy()
        anchor = gradient(snapshot, weighted)
        for batch in np.array_split(order.permutation(len(y)), -(-len(y) // 16)):
            rows = np.sort(batch)[weight[np.sort(batch)] > 0]
            estimate = gradient(coef, rows) - gradient(snapshot, rows) + anchor
            coef = coef - 0.5 * estimate
    w, b = coef[:-1], coef[-1]
    assert_allclose(model.coef_[0], w, rtol=1e-10)
    assert_allclose(model.intercept_[0], b, rtol=1e-10)


def test_minibatch_l1_converges_by_the_proximal_gradient(breast_cancer):
    # Converged means the smallest subgradient of the full L1-penalised
    # objective is within tol: zero coefficients may keep a raw gradient up
    # to the L1 weight.
    X, y = breast_cancer
    C, tol = 0.1, 0.01
    model = BCELogisticRegression(
        C=C, l1_ratio=1.0, batch_size=128, tol=tol, max_iter=500, random_state=0
    ).fit(X, y)
    assert model.stop_reason_.tolist() == ["converged"]
    w, n = model.coef_[0], len(y)
    error = expit(X @ w + model.intercept_[0]) - y
    gradient = X.T @ error / n
    l1 = 1.0 / (C * n)
    zero = w == 0
    assert zero.sum() >= 5
    assert np.abs(gradient[zero]).max() > tol  # the raw gradient is not the test
    smallest = np.where(
        zero, np.maximum(np.abs(gradient) - l1, 0), gradient + l1 * np.sign(w)
    )
    assert max(np.abs(smallest).max(), abs(error.mean())) <= tol


@pytest.mark.parametrize("learning_rate", ["auto", 0.5])
@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_minibatch_converges_to_the_full_batch_optimum_at_a_tight_tol(
    l1_ratio, learning_rate
):
    # The variance-reduced estimates lose their noise near the optimum, so
    # constant steps converge, with an L1 penalty too: its zero coefficients
    # are exactly zero.  Plain stochastic steps, which must shrink to
    # settle, ran such L1 fits to max_iter=1000 at the default tol, their
    # objective 1.9e-4 to 4.1e-4 above the optimum's.
    X, y = make_classification(400, 4, n_informative=2, random_state=0)
    X = StandardScaler().fit_transform(X)
    params = {"C": 0.05, "l1_ratio": l1_ratio}
    full = BCELogisticRegression(tol=1e-10, **params).fit(X, y)
    assert (full.coef_ == 0).sum() == (2 if l1_ratio else 0)
    for seed in range(3):
        mini = BCELogisticRegression(
            batch_size=20,
            learning_rate=learning_rate,
            random_state=seed,
            tol=1e-8,
            max_iter=100,
            **params,
        ).fit(X, y)
        assert mini.stop_reason_.tolist() == ["converged"]
        assert_allclose(mini.coef_, full.coef_, atol=1e-6)
        assert_allclose(mini.intercept_, full.intercept_, atol=1e-6)
        assert_array_equal(mini.coef_ == 0, full.coef_ == 0)


FLAT = {
    "no penalty": {"C": np.inf},
    "L1 only": {"l1_ratio": 1.0},
}


@pytest.mark.parametrize("penalty", FLAT.values(), ids=FLAT.keys())
def test_batches_without_curvature_keep_the_model_finite(penalty):
    # All-zero rows, no intercept and no L2 term: the batch's objective is
    # flat (curvature bound 0), so "auto"'s step 1/L was infinite and the
    # model NaN for good.  Now the step is safe: the same model as fit's.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.r_[np.zeros(20, dtype=int), np.ones(20, dtype=int)]
    zeros = np.zeros_like(X)
    params = {"fit_intercept": False, **penalty}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        full = BCELogisticRegression(**params).fit(zeros, y)
        first = BCELogisticRegression(**params).partial_fit(
            zeros[:4], y[:4], classes=[0, 1]
        )
        batched = BCELogisticRegression(batch_size=8, random_state=0, **params).fit(
            zeros, y
        )
        gd = BCELogisticRegression(solver="gd", **params).fit(zeros, y)
        later = BCELogisticRegression(**params).partial_fit(X, y, classes=[0, 1])
        before = later.coef_.copy()
        # (With L1, a batch a tenth of the one before warns of its penalty.)
        warnings.filterwarnings("ignore", "This batch's total weight")
        later.partial_fit(zeros[:4], y[:4])
    for model in (full, first, batched, gd):
        assert_array_equal(model.coef_, np.zeros((1, 3)))
    assert np.isfinite(later.coef_).all()
    if penalty.get("l1_ratio"):
        # The batch's objective is the L1 penalty alone: its step shrinks.
        assert (np.abs(later.coef_) <= np.abs(before)).all()
    else:
        assert_array_equal(later.coef_, before)


@pytest.mark.parametrize("dtypes", [(np.float64, np.float32), (np.float32, np.float64)])
def test_partial_fit_keeps_the_precision_of_the_model(dtypes):
    model_dtype, batch_dtype = dtypes
    X, y = make_classification(200, 4, random_state=0)
    model = BCELogisticRegression().fit(X.astype(model_dtype), y)
    model.partial_fit(X[:5].astype(batch_dtype), y[:5])
    assert model.coef_.dtype == model.intercept_.dtype == model_dtype


@pytest.mark.parametrize("batch_size", [16, 100])
def test_auto_minibatch_steps_are_blind_to_the_scale_of_each_feature(batch_size):
    # Each coefficient's step is capped by the inverse of its own curvature
    # bound: scaling a feature by c scales its coefficient by 1 / c along the
    # whole run (without a penalty, which is not scale-blind), where a step
    # shared by all coefficients would be set by the largest feature.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:, :6]
    scales = np.array([1e-3, 1.0, 30.0, 1e3, 1.0, 0.1])
    params = {"C": np.inf, "batch_size": batch_size, "random_state": 0}
    params.update(max_iter=20, tol=0)
    plain = BCELogisticRegression(**params).fit(X, y)
    scaled = BCELogisticRegression(**params).fit(X * scales, y)
    assert_allclose(scaled.loss_curve_, plain.loss_curve_, rtol=1e-7)
    assert_allclose(scaled.coef_ * scales, plain.coef_, rtol=1e-6)
    assert_allclose(scaled.intercept_, plain.intercept_, rtol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_auto_minibatch_follows_extreme_class_weights_on_unscaled_data():
    # scikit-learn's check_class_weight_classifiers: with class 0 weighing
    # ten million times class 1, every sample is predicted class 0, as the
    # full-batch fit does (the intercept must travel far).
    X, y = make_blobs(n_samples=50, centers=2, cluster_std=20, random_state=0)
    class_weight = {0: 1000, 1: 1e-4}
    model = BCELogisticRegression(
        batch_size=16, random_state=0, class_weight=class_weight
    ).fit(X, y)
    assert_array_equal(model.predict(X), 0)


@pytest.mark.parametrize("learning_rate", [0.1, "auto"])
@pytest.mark.parametrize("n_features", [1, 2])
def test_minibatch_multiclass_l1_columns_are_the_one_vs_rest_fits(
    learning_rate, n_features
):
    # Every class sees the same batches: each column of a multiclass L1 fit
    # is that class's own binary fit, with its own L1 threshold, whatever the
    # numbers of features and classes.
    rng = np.random.RandomState(0)
    X = rng.randn(90, n_features)
    y = (np.arange(90) + (X[:, 0] > 0.5)) % 3
    params = {"l1_ratio": 1.0, "C": 0.5, "batch_size": 10, "random_state": 0}
    params.update(learning_rate=learning_rate, max_iter=20, tol=0)
    model = BCELogisticRegression(**params).fit(X, y)
    for k in range(3):
        alone = BCELogisticRegression(**params).fit(X, y == k)
        assert_allclose(model.coef_[k], alone.coef_[0], rtol=1e-10, atol=1e-12)
        assert_allclose(model.intercept_[k], alone.intercept_[0], rtol=1e-10)


@pytest.mark.parametrize("dtype, scale", [(np.float64, 1e-158), (np.float32, 1e-22)])
def test_auto_minibatch_with_a_feature_of_vanishing_scale_still_descends(dtype, scale):
    # The feature's curvature is floored at the dtype's precision times the
    # largest: its step factor neither overflows (numpy warnings, NaN steps)
    # nor makes the line search hold every other coefficient still.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:, :6]
    X[:, 0] *= scale
    params = {"C": np.inf, "batch_size": 32, "random_state": 0, "max_iter": 30}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BCELogisticRegression(tol=0, **params).fit(X.astype(dtype), y)
    assert np.isfinite(model.coef_).all()
    assert model.loss_curve_[-1] < 0.2  # log 2 = 0.69 at the start


def test_auto_minibatch_reports_the_gradient_of_the_model_after_an_undone_epoch():
    # A fit that ends at an undone epoch (the curve's flat step: epochs 2
    # and 11 here) reports the largest gradient entry at the coefficients it
    # went back to, the model's: not at the risen iterate it left.
    X, y = small_batch_data(120, 6)
    n = len(y)
    params = {"batch_size": 1, "random_state": 0, "tol": 1e-12}
    for n_epochs in (2, 11):
        with pytest.warns(ConvergenceWarning, match="largest gradient entry") as record:
            model = BCELogisticRegression(max_iter=n_epochs, **params).fit(X, y)
        assert model.loss_curve_[-1] == model.loss_curve_[-2]  # undone
        (message,) = [
            str(w.message) for w in record if "largest gradient entry" in str(w.message)
        ]
        reported = float(re.search(r"largest gradient entry (\S+) >", message)[1])
        residual = expit(model.decision_function(X)) - y
        gradient = np.r_[
            X.T @ residual / n + model.coef_[0] / (model.C * n), residual.mean()
        ]
        assert_allclose(reported, np.abs(gradient).max(), rtol=1e-2)


@pytest.mark.parametrize(
    "scale, learning_rate, n_iter",
    [(3.0, 2.0, [20, 0, 0]), (30.0, 0.5, [0, 0, 0])],
    ids=["some diverge", "all diverge"],
)
def test_minibatch_loss_curve_of_a_diverged_class_is_nan(scale, learning_rate, n_iter):
    # Iris scaled up, fixed steps: classes 1 and 2 (or all) diverge at their
    # first epoch.  Their rows of loss_curve_ hold no value of a step that
    # diverged, only NaN padding; the curve is max(n_iter_) long (0 when
    # every class diverged), and a class that ran is its one-vs-rest fit.
    X, y = load_iris(return_X_y=True)
    X = scale * X
    params = {"C": np.inf, "batch_size": 32, "random_state": 0, "max_iter": 20}
    params.update(learning_rate=learning_rate, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BCELogisticRegression(**params).fit(X, y)
        alone = BCELogisticRegression(**params).fit(X, y == 0)
    assert model.n_iter_.tolist() == n_iter
    assert model.stop_reason_[1:].tolist() == ["diverged", "diverged"]
    assert model.loss_curve_.shape == (3, max(n_iter))
    assert np.isnan(model.loss_curve_[1:]).all()
    assert_allclose(model.loss_curve_[0], alone.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_auto_step_cap_is_one_over_the_diagonal_of_the_curvature_bound(fit_intercept):
    # B = X1^T diag(s / 4) X1 / S + 1 / (C S) on the features (X1: X and a
    # column of ones for the intercept, S = sum s); computed here from that
    # definition, on unscaled features whose curvatures differ by 1e4.
    X, y = load_breast_cancer(return_X_y=True)
    X = X[:, :4]
    s = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    C, S = 0.5, s.sum()
    objective = BCEObjective(X, y[:, None].astype(np.float64), s, C, 0.0, fit_intercept)
    diagonal = (s[:, None] * X**2).sum(axis=0) / (4 * S) + 1 / (C * S)
    if fit_intercept:
        diagonal = np.r_[diagonal, 0.25]
    assert_allclose(auto_step_cap(objective)[:, 0], 1 / diagonal, rtol=1e-10)


@pytest.mark.parametrize("C, weight", [(1e-200, 1.0), (1.0, 1e-200)])
def test_auto_minibatch_fits_the_intercept_beside_an_overwhelming_penalty(C, weight):
    # A penalty 1e200 times the data's weight holds every coefficient at
    # about 0 but not the unpenalised intercept, whose optimum is then the
    # log-odds of the classes.  The curvature floor of the step caps once
    # scaled with the penalty and left the intercept a step of about 1e-180.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    sample_weight = np.full(len(y), weight)
    objective = BCEObjective(X, y[:, None] * 1.0, sample_weight, C, 0.0, True)
    assert auto_step_cap(objective)[-1, 0] == pytest.approx(4.0)  # 1 / (1/4)
    model = BCELogisticRegression(C=C, batch_size=50, random_state=0, tol=1e-8)
    model.fit(X, y, sample_weight=sample_weight)
    assert model.stop_reason_[0] == "converged"
    assert np.abs(model.coef_).max() < 1e-190
    assert_allclose(model.intercept_[0], np.log(y.mean() / (1 - y.mean())), rtol=1e-7)


@pytest.mark.parametrize("learning_rate", ["auto", 0.5])
@pytest.mark.parametrize("weighting", ["folds", "uneven", "mixed"])
def test_minibatch_columns_of_their_own_weights_are_the_fits_of_each(
    breast_cancer, learning_rate, weighting
):
    # Columns of an objective may hold weights of their own whose zeros
    # differ, equal or uneven ones, or both kinds side by side.  A batch may
    # then carry weight for some columns and none for others: each column
    # must descend as it would alone, with the same row orders (batches of 4
    # rows, each column weighted on a fifth of them: about 40% of the batches
    # are weightless for a given column).
    X, y = breast_cancer
    X, y = X[:200, :6], y[:200]
    K = 3
    weights = (np.arange(len(y))[:, None] % 5 == np.arange(K)).astype(float)
    if weighting != "folds":
        uneven = np.random.default_rng(0).uniform(0.5, 2.0, weights.shape)
        if weighting == "mixed":
            uneven[:, 0] = 1.0  # the first column's weights stay 0 and 1
        weights *= uneven
    C, l1_ratio = np.array([0.1, 1.0, 10.0]), np.array([0.0, 0.5, 1.0])

    def run(columns):
        objective = BCEObjective(
            X,
            np.repeat(y[:, None] * 1.0, len(columns), axis=1),
            weights[:, columns],
            C[columns],
            l1_ratio[columns],
            True,
        )
        auto = learning_rate == "auto"
        return minibatch_descent(
            objective,
            np.zeros((X.shape[1] + 1, len(columns))),
            batch_size=4,
            step=np.full(len(columns), 1.0 if auto else learning_rate),
            max_iter=6,
            tol=0,
            random_state=np.random.RandomState(0),
            line_search=auto,
            inverse=auto_step_cap(objective) if auto else None,
        )

    together = run([0, 1, 2])
    for j in range(K):
        alone = run([j])
        assert_allclose(together.coef[:, j], alone.coef[:, 0], rtol=1e-9, atol=1e-12)
        assert_allclose(together.history[:, j], alone.history[:, 0], rtol=1e-12)
    assert not np.allclose(together.coef[:, 0], together.coef[:, 1])


def test_verbose_minibatch_lines_count_epochs(breast_cancer, capsys):
    X, y = breast_cancer
    model = BCELogisticRegression(batch_size=64, random_state=0, verbose=2)
    model.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_[0]
    for epoch, line in enumerate(lines, start=1):
        assert line.startswith(f"Epoch {epoch}, objective = ")
    assert f"{model.loss_curve_[-1]:.8g}" in lines[-1]
