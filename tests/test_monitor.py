"""Early stopping, progress and scikit-learn's callback API."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression
from sklearn_bce._monitor import EarlyStopping

try:  # scikit-learn >= 1.9: the callback API
    from sklearn import callback
except ImportError:  # early stopping is tested all the same
    callback = None

needs_callbacks = pytest.mark.skipif(
    callback is None, reason="scikit-learn's callback API needs scikit-learn >= 1.9"
)


def noisy_data(rng):
    """Few samples, many noisy features: training longer overfits."""
    X = rng.normal(size=(120, 40))
    y = (X[:, 0] + 1.5 * rng.normal(size=120) > 0).astype(int)
    return X, y


def validation_split(y, fraction, seed):
    _, validation = train_test_split(
        np.arange(len(y)), test_size=fraction, stratify=y, random_state=seed
    )
    return np.sort(validation)


def log_loss_of(model, X, y):
    p = model.predict_proba(X)[:, 1]
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


# Unpenalised fixed steps on noisy data: the validation loss turns up.
OVERFITTING = {
    "C": np.inf,
    "early_stopping": True,
    "validation_fraction": 0.25,
    "random_state": 3,
    "n_iter_no_change": 5,
    "solver": "gd",
    "learning_rate": 0.5,
}


def test_early_stopping_keeps_the_best_validation_coefficients(rng):
    X, y = noisy_data(rng)
    model = BCELogisticRegression(**OVERFITTING).fit(X, y)
    assert model.stop_reason_.tolist() == ["early stopped"]
    curve = model.validation_loss_curve_
    assert curve.shape == model.loss_curve_.shape == (model.n_iter_[0],)
    best = model.best_iteration_[0]
    assert 0 < best < model.n_iter_[0]
    # The kept model's validation loss is the best on the curve, recomputed.
    validation = validation_split(y, 0.25, 3)
    recomputed = log_loss_of(model, X[validation], y[validation])
    assert_allclose(recomputed, curve[best - 1], rtol=1e-10)
    assert_allclose(recomputed, curve.min(), rtol=1e-10)
    # It stopped n_iter_no_change iterations after its last improvement.
    assert model.n_iter_[0] == best + 5


def test_a_column_converging_after_its_best_is_early_stopped_not_converged():
    # The training part meets tol at iteration 8; the validation loss was
    # lowest at iteration 3, whose coefficients are kept and do not meet tol.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    params = {"early_stopping": True, "random_state": 0, "n_iter_no_change": 50}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BCELogisticRegression(**params).fit(X, y)
    assert model.best_iteration_[0] < model.n_iter_[0] < 50
    assert model.stop_reason_.tolist() == ["early stopped"]
    assert model.converged_.tolist() == [False]
    validation = validation_split(y, 0.1, 0)
    train = np.setdiff1d(np.arange(len(y)), validation)
    residual = model.predict_proba(X[train])[:, 1] - y[train]
    gradient = np.append(X[train].T @ residual + model.coef_[0], residual.sum()) / len(
        train
    )
    assert np.abs(gradient).max() > 10 * model.tol


def test_early_stopping_weighs_the_validation_loss(rng):
    X, y = noisy_data(rng)
    weight = rng.uniform(0.1, 5.0, size=len(y))
    model = BCELogisticRegression(**OVERFITTING).fit(X, y, sample_weight=weight)
    validation = validation_split(y, 0.25, 3)
    p = model.predict_proba(X[validation])[:, 1]
    yv, wv = y[validation], weight[validation]
    weighted = -np.sum(wv * (yv * np.log(p) + (1 - yv) * np.log(1 - p))) / wv.sum()
    best = model.best_iteration_[0]
    assert_allclose(model.validation_loss_curve_[best - 1], weighted, rtol=1e-10)
    assert not np.isclose(weighted, log_loss_of(model, X[validation], yv), rtol=1e-3)


def test_early_stopping_trains_on_the_other_rows_only(rng):
    X, y = noisy_data(rng)
    params = {"C": 1.0, "tol": 1e-8, "validation_fraction": 0.2, "random_state": 0}
    model = BCELogisticRegression(early_stopping=True, n_iter_no_change=1000, **params)
    model.fit(X, y)
    validation = validation_split(y, 0.2, 0)
    train = np.setdiff1d(np.arange(len(y)), validation)
    reference = BCELogisticRegression(C=1.0, tol=1e-8).fit(X[train], y[train])
    # It met tol on its training rows long before the patience of 1000 ran
    # out, at the optimum of those rows alone.
    assert model.n_iter_[0] < 1000
    assert_allclose(model.loss_curve_[-1], reference.loss_curve_[-1], rtol=1e-8)
    # No step's validation loss was below the start's: the starting
    # coefficients are kept, which did not meet tol.
    assert model.validation_loss_curve_.min() > np.log(2)
    assert model.best_iteration_.tolist() == [0]
    assert_allclose(model.coef_, 0.0)
    assert model.stop_reason_.tolist() == ["early stopped"]
    assert model.converged_.tolist() == [False]


def test_a_class_that_diverges_has_no_validation_loss_past_its_steps():
    # Class 2 diverges at its second step while the others go on: its
    # validation curve ends where its training curve does (it recorded the
    # restored starting point's log(2) at an iteration n_iter_ does not count).
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BCELogisticRegression(
            early_stopping=True,
            random_state=0,
            learning_rate=10.186,
            solver="gd",
            C=np.inf,
            max_iter=300,
        ).fit(X, y)
    assert model.stop_reason_[2] == "diverged"
    assert len(set(model.stop_reason_)) > 1  # the others ran on
    assert_array_equal(
        np.isfinite(model.validation_loss_curve_), np.isfinite(model.loss_curve_)
    )
    assert_array_equal(np.isfinite(model.loss_curve_).sum(axis=1), model.n_iter_)


def test_early_stopping_multiclass_per_class():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(
        early_stopping=True, random_state=0, n_iter_no_change=3, C=100.0
    ).fit(X, y)
    assert model.validation_loss_curve_.shape == model.loss_curve_.shape
    assert model.best_iteration_.shape == (3,)
    assert set(model.stop_reason_) <= {"early stopped", "converged"}
    # Each class stops on its own: class 1's validation loss is best at the
    # first iteration, so it stops n_iter_no_change later; the others go on.
    assert model.best_iteration_[1] == 1 and model.n_iter_[1] == 1 + 3
    assert model.stop_reason_[1] == "early stopped"
    assert (np.delete(model.n_iter_, 1) > 10).all()
    assert model.stop_reason_[2] == "converged"
    assert "validation_loss_curve_" not in vars(
        model.set_params(early_stopping=False).fit(X, y)
    )


def documented_early_stop(curve, n_iter_no_change, tol):
    """The iteration early stopping stops at (None: it does not) and its best.

    The rule of ``early_stopping``, redone here: the count of consecutive
    iterations whose validation loss is not below the best so far (from the
    start's, log 2 at zero) minus ``tol``; any lower loss is the new best.
    """
    best, best_iteration, stalls = np.log(2), 0, 0
    for iteration, loss in enumerate(curve, start=1):
        stalls = 0 if loss < best - tol else stalls + 1
        if loss < best:
            best, best_iteration = loss, iteration
        if stalls >= n_iter_no_change:
            return iteration, best_iteration
    return None, best_iteration


@pytest.mark.parametrize("seed", range(4))
def test_early_stopping_counts_only_consecutive_iterations_without_improvement(
    seed,
):
    # Noisy mini-batch epochs: the validation loss goes up and down, so
    # stalls interrupted by an improvement start the count afresh (with
    # seeds 0, 1 and 3, a count of all stalls would stop 1 to 5 epochs
    # early).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 20))
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    model = BCELogisticRegression(
        C=np.inf,
        early_stopping=True,
        n_iter_no_change=4,
        tol=1e-6,
        batch_size=16,
        random_state=seed,
        max_iter=300,
    ).fit(X, y)
    assert model.stop_reason_.tolist() == ["early stopped"]
    stop, best = documented_early_stop(model.validation_loss_curve_, 4, 1e-6)
    assert model.n_iter_.tolist() == [stop]
    assert model.best_iteration_.tolist() == [best]


DIVERGING_AT_ONCE = {
    "full batch": {"solver": "gd", "learning_rate": 1e4, "scale": 10.0},
    "mini-batch": {"batch_size": 32, "learning_rate": 0.5, "scale": 30.0},
}


@pytest.mark.parametrize("params", DIVERGING_AT_ONCE.values(), ids=DIVERGING_AT_ONCE)
def test_early_stopping_curve_when_every_class_diverges_at_once(params):
    # Every class's first step diverges: no iteration ran, so both curves
    # have max(n_iter_) = 0 columns, with no entry for the diverged step.
    X, y = load_iris(return_X_y=True)
    params = dict(params)
    X = params.pop("scale") * X
    model = BCELogisticRegression(C=np.inf, early_stopping=True, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.set_params(**params).fit(X, y)
    assert model.stop_reason_.tolist() == ["diverged"] * 3
    assert model.n_iter_.tolist() == [0, 0, 0]
    assert model.loss_curve_.shape == (3, 0)
    assert model.validation_loss_curve_.shape == (3, 0)
    assert model.best_iteration_.tolist() == [0, 0, 0]


class CountingCallback:
    """Counts task ends per task name and stops the fit at a given iteration."""

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.ends = []
        self.torn_down = False

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.ends.append((context.task_name, fitted_estimator))
        if fitted_estimator is None:
            return False
        iterations = sum(name == "iteration" for name, _ in self.ends)
        return self.stop_at is not None and iterations >= self.stop_at

    def teardown(self, estimator, context):
        self.torn_down = True


@needs_callbacks
def test_callback_sees_one_task_per_iteration():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    counter = CountingCallback()
    model = BCELogisticRegression().set_callbacks(counter).fit(X, y)
    iterations = [fitted for name, fitted in counter.ends if name == "iteration"]
    # One per iteration, plus the closing task of the iteration that never ran.
    assert len(iterations) == model.n_iter_[0] + 1
    last = iterations[model.n_iter_[0] - 1]
    assert_allclose(last.coef_, model.coef_)
    assert counter.ends[-1][0] == "fit" and counter.torn_down


@needs_callbacks
def test_a_callback_can_stop_the_fit():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(tol=0).set_callbacks(CountingCallback(stop_at=4))
    model.fit(X, y)
    assert model.n_iter_[0] == 4
    assert model.stop_reason_.tolist() == ["stopped by callback"]


@needs_callbacks
def test_a_callback_stopping_after_some_classes_converged_leaves_them_converged():
    # Iris in mini-batches: the classes converge at epochs 4, 5 and 6.  A
    # callback asking to stop at epoch 5 stops class 2 only (classes 0 and
    # 1 had stopped, converged); asking at 6, the epoch the last class
    # converges, stops none: the fit is the one without the callback.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    params = {"batch_size": 8, "random_state": 0, "max_iter": 2000, "tol": 1e-3}
    plain = BCELogisticRegression(**params).fit(X, y)
    assert plain.n_iter_.tolist() == [4, 5, 6]
    assert plain.stop_reason_.tolist() == ["converged"] * 3
    for stop_at in (5, 6):
        model = BCELogisticRegression(**params)
        model.set_callbacks(CountingCallback(stop_at=stop_at)).fit(X, y)
        ran = plain.n_iter_ <= stop_at
        expected = np.where(ran, plain.stop_reason_, "stopped by callback")
        assert model.stop_reason_.tolist() == expected.tolist()
        assert model.converged_.tolist() == ran.tolist()
        assert model.n_iter_.tolist() == np.minimum(plain.n_iter_, stop_at).tolist()
        assert_allclose(model.coef_[ran], plain.coef_[ran], rtol=1e-12)


@needs_callbacks
def test_scoring_monitor_logs_every_iteration():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    monitor = callback.ScoringMonitor(scoring="neg_log_loss")
    model = BCELogisticRegression().set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data_as_pandas
    iterations = log[log["task_name"] == "iteration"]["neg_log_loss"].to_numpy()
    assert len(iterations) == model.n_iter_[0]
    final = log[log["task_name"] == "fit"]["neg_log_loss"].to_numpy()
    assert_allclose(-final, [log_loss_of(model, X, y)], rtol=1e-10)
    assert_allclose(iterations[-1], final[0], rtol=1e-12)
    # Training log-loss falls along the descent.
    assert iterations[0] < iterations[-1]


def test_early_stopping_scores_the_last_step_of_a_converging_class(rng):
    X, y = noisy_data(rng)
    model = BCELogisticRegression(
        C=1.0, tol=1e-3, early_stopping=True, n_iter_no_change=1000, random_state=0
    ).fit(X, y)
    assert model.n_iter_[0] < 1000  # it met tol: the patience did not run out
    curve = model.validation_loss_curve_
    assert np.isfinite(curve).all()
    assert curve.shape == (model.n_iter_[0],)
    # The kept coefficients are the best of every step, the last included.
    validation = validation_split(y, 0.1, 0)
    assert_allclose(
        log_loss_of(model, X[validation], y[validation]), curve.min(), rtol=1e-10
    )


def early_stopping_on_a_line(n_iter_no_change, tol):
    # One feature, intercept 0: the validation loss falls as w grows to 1.
    X = np.array([[-1.0], [1.0]])
    Y = np.array([[0.0], [1.0]])
    return EarlyStopping(
        X, Y, np.ones(2), np.zeros((2, 1)), n_iter_no_change, tol, True
    )


def test_early_stopping_needs_improvements_larger_than_tol():
    monitor = early_stopping_on_a_line(n_iter_no_change=2, tol=1.0)
    active = np.array([True])
    stops = [
        bool(monitor(i, np.array([[w], [0.0]]), None, None, active)[0])
        for i, w in enumerate([0.1, 0.2], start=1)
    ]
    # Each step lowers the loss, by far less than tol: two without change.
    assert np.diff(monitor.history, axis=0)[0, 0] < 0
    assert stops == [False, True]
    assert monitor.best_iteration.tolist() == [2]


def test_early_stopping_stops_each_column_on_its_own():
    # Two problems on one line: column 0's validation loss keeps falling,
    # column 1's never moves.  Only column 1 stops, and only once.
    X = np.array([[-1.0], [1.0]])
    Y = np.array([[0.0, 0.0], [1.0, 1.0]])
    monitor = EarlyStopping(X, Y, np.ones(2), np.zeros((2, 2)), 2, 0.0, True)
    active = np.array([True, True])
    stops = []
    for i, w in enumerate([0.1, 0.2, 0.3, 0.4, 0.5], start=1):
        stop = monitor(i, np.array([[w, 0.0], [0.0, 0.0]]), None, None, active)
        stops.append(stop.tolist())
        active = active & ~stop
    assert stops == [[False, False], [False, True], *[[False, False]] * 3]
    assert monitor.best_iteration.tolist() == [5, 0]
    assert monitor.stopped.tolist() == [False, True]


def test_early_stopping_keeps_the_final_step_of_a_converged_column():
    monitor = early_stopping_on_a_line(n_iter_no_change=5, tol=0.0)
    coef = np.array([[0.5], [0.0]])
    # The step converged: the column is no longer active, but it stepped.
    monitor(1, coef, None, None, np.array([False]))
    assert monitor.best_iteration.tolist() == [1]
    assert_allclose(monitor.best_coef, coef)


class KeepingCallback(CountingCallback):
    """Keeps each iteration's model and a copy of its coefficients then."""

    def __init__(self, fail=False):
        super().__init__()
        self.fail = fail
        self.kept = []

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if fitted_estimator is not None and context.task_name == "iteration":
            self.kept.append((fitted_estimator, fitted_estimator.coef_.copy()))
            if self.fail:
                raise RuntimeError("the callback failed")
        return False


@needs_callbacks
def test_iteration_models_keep_their_coefficients():
    # The descent updates its coefficients in place; each model handed to a
    # callback is a snapshot (binary and mini-batch alike).
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    for params in ({}, {"batch_size": 100, "random_state": 0, "tol": 1e-3}):
        keeping = KeepingCallback()
        BCELogisticRegression(**params).set_callbacks(keeping).fit(X, y)
        assert len(keeping.kept) > 2
        for model, coef in keeping.kept:
            assert_allclose(model.coef_, coef, rtol=0, atol=0)


@needs_callbacks
@pytest.mark.parametrize(
    "params",
    [{}, {"solver": "gd"}, {"batch_size": 64, "random_state": 0}],
    ids=["nesterov", "gd", "mini-batch"],
)
def test_iteration_models_are_the_fits_stopped_at_their_iteration(params):
    # The model a callback keeps at iteration k is the fit with max_iter=k:
    # its coefficients and its intercept, which the descent also updates in
    # place (every kept model sharing the last intercept otherwise).
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    keeping = KeepingCallback()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        BCELogisticRegression(max_iter=5, tol=0, **params).set_callbacks(keeping).fit(
            X, y
        )
        stopped = [
            BCELogisticRegression(max_iter=k, tol=0, **params).fit(X, y)
            for k in range(1, 6)
        ]
    assert len(keeping.kept) == 5
    for (model, _), reference in zip(keeping.kept, stopped, strict=True):
        assert_allclose(model.coef_, reference.coef_, rtol=1e-12)
        assert_allclose(model.intercept_, reference.intercept_, rtol=1e-12)
    intercepts = [model.intercept_[0] for model, _ in keeping.kept]
    assert len(set(intercepts)) == 5


@needs_callbacks
@pytest.mark.parametrize(
    "failure, max_iter, error, match",
    [
        (
            "convergence warning",
            3,
            ConvergenceWarning,
            "did not converge in max_iter=3",
        ),
        # The callback's own error, not swallowed; no max_iter to hide it.
        ("callback", 1000, RuntimeError, "^the callback failed$"),
    ],
    ids=["convergence warning", "callback"],
)
def test_callbacks_are_torn_down_when_the_fit_fails(failure, max_iter, error, match):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    previous = BCELogisticRegression().fit(X[:100, :5], y[:100])
    keeping = KeepingCallback(fail=failure == "callback")
    previous.set_params(max_iter=max_iter).set_callbacks(keeping)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(error, match=match):
            previous.fit(X, y)
    assert keeping.torn_down
    # The previous fit is whole; nothing of the failed one's callbacks stays.
    assert previous.n_features_in_ == 5 and not hasattr(previous, "_callback_fit_ctx")


@needs_callbacks
def test_callbacks_get_the_sample_weights_given():
    # As LogisticRegression: no weights given, no metadata (a plain scorer
    # works); class weights are the model's, not the metric's.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = y.copy()
    y[:150] = 1

    def accuracy(estimator, X, y):
        return {"acc": float(np.mean(estimator.predict(X) == y))}

    monitor = callback.ScoringMonitor(scoring=accuracy)
    model = BCELogisticRegression().set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data_as_pandas
    assert_allclose(log[log["task_name"] == "fit"]["acc"], [model.score(X, y)])
    monitor = callback.ScoringMonitor(scoring="accuracy")
    model = BCELogisticRegression(class_weight="balanced", C=0.01)
    model.set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data_as_pandas
    assert_allclose(log[log["task_name"] == "fit"]["accuracy"], [model.score(X, y)])


@needs_callbacks
def test_no_callback_machinery_without_callbacks(monkeypatch):
    # As LogisticRegression: nothing per iteration when no callback is set.
    def refuse(*args, **kwargs):
        raise AssertionError("callback context built without callbacks")

    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression()
    monkeypatch.setattr(model, "_init_callback_context", refuse, raising=False)
    model.fit(StandardScaler().fit_transform(X), y)


class PairingCallback(CountingCallback):
    """Records every task begin and end; raises in one hook of iteration 2."""

    def __init__(self, raise_in):
        super().__init__()
        self.raise_in = raise_in
        self.events = []

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", id(context)))
        iterations = sum(kind == "begin" for kind, _ in self.events) - 1
        if self.raise_in == "begin" and iterations == 2:
            raise RuntimeError("the begin hook failed")

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.events.append(("end", id(context)))
        ends = sum(kind == "end" for kind, _ in self.events)
        if self.raise_in == "end" and ends == 2:
            raise RuntimeError("the end hook failed")
        return False


@needs_callbacks
@pytest.mark.parametrize("raise_in", ["begin", "end"])
def test_a_failing_hook_ends_every_begun_task_once(raise_in):
    # As scikit-learn's own solvers: each task begun is ended exactly once,
    # and the hook's error is raised once (not again while cleaning up).
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    pairing = PairingCallback(raise_in)
    model = BCELogisticRegression().set_callbacks(pairing)
    with pytest.raises(RuntimeError, match=f"the {raise_in} hook failed") as caught:
        model.fit(X, y)
    assert caught.value.__context__ is None  # not raised twice
    iteration_events = pairing.events[1:]  # after the root fit task's begin
    begun = [task for kind, task in iteration_events if kind == "begin"]
    ended = [task for kind, task in iteration_events if kind == "end"]
    assert sorted(ended) == sorted(begun)


@needs_callbacks
def test_batch_size_warning_as_an_error_leaves_no_task_open():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    pairing = PairingCallback(raise_in=None)
    model = BCELogisticRegression(batch_size=10_000).set_callbacks(pairing)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        with pytest.raises(UserWarning, match="batch_size=10000 is not smaller"):
            model.fit(X, y)
    assert [kind for kind, _ in pairing.events if kind == "begin"][1:] == []


def test_verbose_multiclass_prints_the_classes_still_descending(capsys):
    # Iris: class 1 stops long before the others; the printed objective is
    # the largest among the classes that took each printed step.
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(verbose=1).fit(StandardScaler().fit_transform(X), y)
    assert len(set(model.n_iter_)) > 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 2
    for line in lines:
        iteration = int(line.split(",")[0].split()[1])
        printed = float(line.split("objective = ")[1].split(",")[0])
        expected = np.nanmax(model.loss_curve_[:, iteration - 1])
        assert printed == pytest.approx(expected, rel=1e-7)


def test_verbose_partial_fit_prints_a_line_per_call(capsys):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(verbose=1)
    for rows in (slice(0, 200), slice(200, 400)):
        model.partial_fit(X[rows], y[rows], classes=[0, 1])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["Step 1", "Step 2"]
    printed = [float(line.split("objective = ")[1].split(",")[0]) for line in lines]
    assert_allclose(printed, model.loss_curve_, rtol=1e-7)


@pytest.mark.parametrize("batch_size", [None, 64])
def test_verbose_early_stopping_prints_the_validation_loss(capsys, batch_size):
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(
        verbose=2,
        early_stopping=True,
        batch_size=batch_size,
        random_state=0,
    ).fit(StandardScaler().fit_transform(X), y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_.max()
    for line in lines:
        iteration = int(line.split(",")[0].split()[1])
        printed = float(line.split("validation loss = ")[1])
        expected = np.nanmax(model.validation_loss_curve_[:, iteration - 1])
        assert printed == pytest.approx(expected, rel=1e-7)


def test_verbose_reports_divergence_not_the_kept_objective(capsys):
    # Iris with one feature scaled up: at learning_rate=0.02 the classes
    # diverge at different iterations.  A diverged step's line does not show
    # the objective of the coefficients kept (never one of the iteration).
    X, y = load_iris(return_X_y=True)
    X[:, 0] *= 30
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model = BCELogisticRegression(verbose=2, learning_rate=0.02, max_iter=30)
        model.fit(X, y)
    assert list(model.stop_reason_) == ["diverged"] * 3
    assert len(set(model.n_iter_)) == 3
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_.max() + 1
    for iteration, line in enumerate(lines, start=1):
        assert line.startswith(f"Iteration {iteration}, ")
        diverging = int(np.sum(model.n_iter_ == iteration - 1))
        if iteration == len(lines):
            assert line.endswith(
                "the step diverged: the fit keeps the "
                "coefficients of its lowest objective"
            )
            continue
        printed = float(line.split("objective = ")[1].split(",")[0])
        expected = np.nanmax(model.loss_curve_[:, iteration - 1])
        assert printed == pytest.approx(expected, rel=1e-7)
        assert line.endswith(f", {diverging} diverged") == (diverging > 0)


def test_verbose_single_column_divergence_prints_one_line(capsys):
    X, y = load_breast_cancer(return_X_y=True)
    for batch_size, unit in [(None, "iteration"), (100, "epoch")]:
        model = BCELogisticRegression(
            verbose=2, learning_rate=1.0, batch_size=batch_size, random_state=0
        )
        with pytest.warns(ConvergenceWarning, match=f"diverged at the first {unit}:"):
            model.fit(X, y)
        assert capsys.readouterr().out.splitlines() == [
            f"{unit.capitalize()} 1, the step diverged: the fit keeps the "
            "coefficients of its lowest objective"
        ]


def test_converging_one_iteration_after_the_best_validation_loss_keeps_the_best():
    # The fit meets tol at iteration 12; the validation loss was lowest at
    # iteration 11, whose coefficients are kept: they did not meet tol, so
    # the fit early-stopped rather than converged.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    params = {"C": 0.05, "random_state": 0}
    model = BCELogisticRegression(
        early_stopping=True, n_iter_no_change=10**5, tol=7e-4, **params
    ).fit(X, y)
    assert model.n_iter_.tolist() == [12] and model.best_iteration_.tolist() == [11]
    assert np.argmin(model.validation_loss_curve_) == 10
    assert model.stop_reason_.tolist() == ["early stopped"]
    assert model.converged_.tolist() == [False]
    weight = np.ones(len(y))
    weight[validation_split(y, 0.1, 0)] = 0
    eleven = BCELogisticRegression(tol=0, max_iter=11, **params)
    eleven.fit(X, y, sample_weight=weight)
    assert_allclose(model.coef_, eleven.coef_, rtol=1e-12)
    assert_allclose(model.intercept_, eleven.intercept_, rtol=1e-12)


def test_verbose_partial_fit_says_which_steps_diverged(capsys):
    # Iris with one feature scaled up: at this step class 0's step diverges
    # (and is not taken) while the others' are (raising their objectives,
    # below the divergence limit); at a larger one, all diverge.
    X, y = load_iris(return_X_y=True)
    X[:, 0] *= 30
    model = BCELogisticRegression(learning_rate=0.057, verbose=1)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.partial_fit(X, y, classes=[0, 1, 2])
    assert [w.category for w in record] == [ConvergenceWarning] * 2
    assert str(record[0].message).startswith(
        "The step on this batch made the objective diverge for classes [0]"
    )
    assert str(record[1].message).startswith(
        "The step on this batch raised its objective for classes [1, 2]"
    )
    assert model.stop_reason_.tolist() == ["diverged", "max_iter", "max_iter"]
    (line,) = capsys.readouterr().out.splitlines()
    printed = float(line.split("objective = ")[1].split(",")[0])
    assert printed == pytest.approx(np.max(model.loss_curve_[1:, 0]), rel=1e-7)
    assert line.endswith(", 1 diverged")
    model = BCELogisticRegression(learning_rate=3.0, verbose=1)
    with pytest.warns(ConvergenceWarning, match="diverge"):
        model.partial_fit(X, y, classes=[0, 1, 2])
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("Step 1, batch objective = 0.69314718")
    assert line.endswith("the step diverged: the coefficients were kept")


# -- a fixed step too large, ended by early stopping -----------------------------

SWING = "still swinging"


def standardised(load):
    X, y = load(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def swing_message(record):
    [message] = [str(w.message) for w in record if SWING in str(w.message)]
    return message


@pytest.mark.parametrize("solver", ["nesterov", "gd"])
def test_early_stopping_warns_of_a_step_that_kept_the_objective_swinging(solver):
    # learning_rate=100 is about 300 times 1/L: the objective swings far above
    # its start, and the validation loss stops improving before the fit is
    # seen to diverge.
    X, y = standardised(load_breast_cancer)
    params = {"early_stopping": True, "random_state": 0, "solver": solver}
    with pytest.warns(ConvergenceWarning, match=SWING) as record:
        model = BCELogisticRegression(learning_rate=100.0, **params).fit(X, y)
    message = swing_message(record)
    curve = model.loss_curve_
    assert model.stop_reason_.tolist() == ["early stopped"]
    assert (
        f"(its last value, {curve[-1]:.3g}, is above the lowest it reached, "
        f"{curve.min():.3g}, and it rose as high as {curve.max():.3g} from its "
        "start, 0.693): learning_rate=100.0 is too large"
    ) in message
    assert "the iteration of the best validation loss" in message
    assert "A fixed step of at most 1/L = 0.298" in message
    # What the warning is for: a safe step's kept model is far better.
    safe = BCELogisticRegression(**params).fit(X, y)
    assert model.validation_loss_curve_.min() > 2 * safe.validation_loss_curve_.min()


@pytest.mark.parametrize("learning_rate", ["auto", 1.0, 10.0])
@pytest.mark.parametrize("solver", ["nesterov", "gd"])
def test_early_stopping_is_silent_about_steps_that_settle(learning_rate, solver):
    # At 10 (33 times 1/L) the objective rises above its start at first, then
    # settles near the minimum: the early-stopped model is as good as a safe
    # step's, and nothing is said.
    X, y = standardised(load_breast_cancer)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BCELogisticRegression(
            early_stopping=True,
            random_state=0,
            learning_rate=learning_rate,
            solver=solver,
        ).fit(X, y)
    assert model.stop_reason_.tolist() == ["early stopped"]
    if learning_rate == 10.0:
        assert model.loss_curve_.max() > np.log(2)


def test_early_stopping_is_silent_about_the_ripples_of_momentum():
    # A safe step whose momentum leaves the last objective a few 1e-7 above
    # the lowest (rounding aside): a ripple, not a swing.
    X, y = standardised(load_iris)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BCELogisticRegression(
            early_stopping=True, random_state=1, learning_rate=0.1, n_iter_no_change=5
        ).fit(X, y)
    curve = model.loss_curve_[2]
    curve = curve[~np.isnan(curve)]
    assert model.stop_reason_[2] == "early stopped"
    assert 1e-8 < curve[-1] - curve.min() < 1e-5


def test_early_stopping_warns_of_a_minibatch_step_swinging_below_its_start():
    X, y = standardised(load_breast_cancer)
    with pytest.warns(ConvergenceWarning, match=SWING) as record:
        model = BCELogisticRegression(
            early_stopping=True,
            random_state=0,
            learning_rate=10.0,
            batch_size=64,
            n_iter_no_change=5,
        ).fit(X, y)
    message = swing_message(record)
    curve = model.loss_curve_
    # Never above its start: the swing alone tells.
    assert curve.max() < np.log(2)
    assert (
        f"(its last value, {curve[-1]:.3g}, is above the lowest it reached, "
        f"{curve.min():.3g}): learning_rate=10.0"
    ) in message
    assert "the epoch of the best validation loss" in message
    assert "A mini-batch step shorter than 1/L" in message


def test_early_stopping_names_the_classes_whose_objective_swung():
    X, y = standardised(load_iris)
    with pytest.warns(ConvergenceWarning, match=SWING) as record:
        model = BCELogisticRegression(
            early_stopping=True, random_state=0, learning_rate=30.0
        ).fit(X, y)
    # Class 0 (setosa, separable from the rest) settles; 1 and 2 swing.
    assert f"{SWING} for classes [1, 2] when" in swing_message(record)
    assert model.stop_reason_.tolist() == ["early stopped"] * 3


def test_a_swinging_fit_stopped_by_max_iter_gets_the_max_iter_warning_only():
    X, y = standardised(load_breast_cancer)
    with pytest.warns(ConvergenceWarning, match="max_iter=12") as record:
        model = BCELogisticRegression(
            early_stopping=True, random_state=0, learning_rate=30.0, max_iter=12
        ).fit(X, y)
    curve = model.loss_curve_
    assert model.stop_reason_.tolist() == ["max_iter"]
    assert curve[-1] > 2 * curve.min()
    assert not [w for w in record if SWING in str(w.message)]
