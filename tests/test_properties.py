"""Property-based tests of BCELogisticRegression (hypothesis).

Each property follows from the objective alone, never from numbers the code
produced: finiteness, invariances of the optimum (row order, integer weights
as repeated rows, label swap), probabilities that form distributions, and
the balance equation that the intercept's stationarity condition imposes;
and, for BCELogisticRegressionCV, the scores of GridSearchCV's one fit at a
time.
"""

import contextlib
import signal
import threading
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression, BCELogisticRegressionCV

# When a property fails, hypothesis imports libcst to suggest a patch; where
# libcst is installed, its import warns through mypy_extensions, and the
# project's "error::DeprecationWarning" would turn the report into an error.
pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
)

#: Bounds on one fit of at most 30 x 5 samples (120 rows for the stacked data
#: of the balance tests), far above what any honest fit takes: they only turn
#: a fit that never returns into a failure, they time nothing.
GUARD_DEFAULT_S = 10  # max_iter=1000
GUARD_TIGHT_S = 120  # max_iter=200_000

#: Tolerances of the fits compared at their optimum.
TIGHT = {"tol": 1e-10, "max_iter": 200_000}


class FitDidNotReturn(AssertionError):
    pass


@contextlib.contextmanager
def must_return(what, seconds):
    """Fail (instead of hanging the test session) when ``what`` never returns."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def give_up(signum, frame):
        raise FitDidNotReturn(f"{what} did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def fit(model, X, y, **fit_params):
    seconds = GUARD_TIGHT_S if model.max_iter > 1000 else GUARD_DEFAULT_S
    with must_return(f"{model!r}.fit(X of shape {X.shape}, dtype {X.dtype})", seconds):
        return model.fit(X, y, **fit_params)


def fit_quietly(model, X, y, **fit_params):
    """Fit, allowing a ConvergenceWarning (default max_iter on wild data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit(model, X, y, **fit_params)


# -- strategies ------------------------------------------------------------------------
@st.composite
def binary_labels(draw, n):
    """``n`` labels in {0, 1} with both classes present."""
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    first, second = draw(
        st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)
    )
    y[first], y[second] = 0, 1
    return y


@st.composite
def wild_data(draw, dtype, min_rows=2):
    """Any finite X with entries in [-1e6, 1e6] and binary labels."""
    n = draw(st.integers(min_rows, 30))
    p = draw(st.integers(1, 5))
    width = 32 if dtype == np.float32 else 64
    elements = st.floats(-1e6, 1e6, allow_nan=False, width=width)
    X = draw(hnp.arrays(dtype, (n, p), elements=elements))
    return X, draw(binary_labels(n))


@st.composite
def tame_data(draw, min_rows=4, max_rows=30):
    """Moderate X (entries in [-10, 10], kept distinct) and binary labels."""
    n = draw(st.integers(min_rows, max_rows))
    p = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.floats(0.1, 10.0))
    X = np.random.default_rng(seed).uniform(-1.0, 1.0, (n, p)) * scale
    return X, draw(binary_labels(n))


# -- finite outputs --------------------------------------------------------------------
def assert_finite_fit(model, X):
    dtype = X.dtype
    assert model.coef_.dtype == dtype and model.intercept_.dtype == dtype
    assert np.isfinite(model.coef_).all(), model.coef_
    assert np.isfinite(model.intercept_).all(), model.intercept_
    scores = model.decision_function(X)
    proba = model.predict_proba(X)
    assert np.isfinite(scores).all(), scores
    assert np.isfinite(proba).all(), proba
    assert ((proba >= 0) & (proba <= 1)).all()


# No shrinking: each shrinking step on a fit that never returns would cost the
# guard's time; the smallest such case is pinned by the test below.
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(data=st.data())
def test_outputs_are_finite_for_any_finite_data(dtype, data):
    X, y = data.draw(wild_data(dtype))
    model = fit_quietly(BCELogisticRegression(), X, y)
    assert_finite_fit(model, X)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1.0, 1e2, 1e4, 1e5, 1e6])
def test_fit_returns_on_two_separable_points(dtype, scale):
    # Two points, one per class: the unpenalised optimum is at infinity and
    # the penalised one has large logits; every fit must still end (with or
    # without a ConvergenceWarning) and leave finite coefficients.
    X = np.array([[-6.0], [-8.0]], dtype=dtype) * dtype(scale)
    for C in [1.0, np.inf]:
        model = fit_quietly(BCELogisticRegression(C=C), X, np.array([0, 1]))
        assert_finite_fit(model, X)


# -- invariances of the optimum --------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_row_order_does_not_matter(data):
    X, y = data.draw(tame_data())
    order = np.array(data.draw(st.permutations(range(len(y)))))
    model = fit(BCELogisticRegression(C=1.0, **TIGHT), X, y)
    permuted = fit(BCELogisticRegression(C=1.0, **TIGHT), X[order], y[order])
    assert_allclose(permuted.coef_, model.coef_, rtol=0, atol=1e-6)
    assert_allclose(permuted.intercept_, model.intercept_, rtol=0, atol=1e-6)
    assert_allclose(
        permuted.predict_proba(X), model.predict_proba(X), rtol=0, atol=1e-6
    )


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_integer_sample_weight_equals_repeated_rows(data):
    X, y = data.draw(tame_data())
    n = len(y)
    weight = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    # Keep both classes: one positive weight in each.
    weight[np.flatnonzero(y == 0)[0]] += 1
    weight[np.flatnonzero(y == 1)[0]] += 1
    weighted = fit(BCELogisticRegression(**TIGHT), X, y, sample_weight=weight)
    repeated = fit(
        BCELogisticRegression(**TIGHT), np.repeat(X, weight, 0), np.repeat(y, weight)
    )
    assert_allclose(weighted.coef_, repeated.coef_, rtol=0, atol=1e-6)
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=0, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), fit_intercept=st.booleans())
def test_swapping_the_labels_negates_the_model(data, fit_intercept):
    X, y = data.draw(tame_data())
    params = dict(fit_intercept=fit_intercept, **TIGHT)
    model = fit(BCELogisticRegression(**params), X, y)
    swapped = fit(BCELogisticRegression(**params), X, 1 - y)
    assert_allclose(swapped.coef_, -model.coef_, rtol=0, atol=1e-6)
    assert_allclose(swapped.intercept_, -model.intercept_, rtol=0, atol=1e-6)
    assert_allclose(
        swapped.predict_proba(X), model.predict_proba(X)[:, ::-1], rtol=0, atol=1e-6
    )
    # String labels: the same fit, the names just follow the rows.
    names = np.array(["no", "yes"])
    named = fit(BCELogisticRegression(**params), X, names[1 - y])
    assert_allclose(named.coef_, swapped.coef_, rtol=0, atol=1e-12)
    assert (named.predict(X) == names[swapped.predict(X)]).all()


# -- probabilities ---------------------------------------------------------------------
@pytest.mark.parametrize("n_classes", [2, 3])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_probabilities_form_distributions(n_classes, data):
    n = data.draw(st.integers(n_classes, 30))
    p = data.draw(st.integers(1, 5))
    elements = st.floats(-1e3, 1e3, allow_nan=False)
    X = data.draw(hnp.arrays(np.float64, (n, p), elements=elements))
    y = np.array(
        data.draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n))
    )
    y[:n_classes] = np.arange(n_classes)  # every class present
    model = fit_quietly(BCELogisticRegression(), X, y)
    X_new = data.draw(hnp.arrays(np.float64, (5, p), elements=elements))
    for samples in [X, X_new]:
        proba = model.predict_proba(samples)
        assert proba.shape == (len(samples), n_classes)
        assert ((proba >= 0) & (proba <= 1)).all()
        assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
        log_proba = model.predict_log_proba(samples)
        assert (log_proba <= 0).all() and not np.isnan(log_proba).any()


# -- the balance equation --------------------------------------------------------------
def non_separable(X, y, extra_labels):
    """Every row of ``X`` twice, once with each label, plus a third copy.

    A row seen with both labels has a loss that grows without bound in either
    direction of its logit, so the unpenalised optimum exists and is not the
    trivial ``p = 1/2`` because of the third copy's labels.
    """
    return np.vstack([X, X, X]), np.concatenate([y, 1 - y, extra_labels])


@pytest.mark.parametrize("C", [np.inf, 1.0])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_predicted_total_equals_observed_total(C, data):
    # d/db J = (1/S) sum_i s_i (p_i - y_i) = 0 at the optimum, whatever w is.
    X, y = data.draw(tame_data(max_rows=15))
    extra = data.draw(binary_labels(len(y)))
    X, y = non_separable(X, y, extra)
    model = fit(BCELogisticRegression(C=C, **TIGHT), X, y)
    assert model.converged_.all()
    p = model.predict_proba(X)[:, 1]
    assert_allclose(p.sum(), y.sum(), rtol=0, atol=1e-6)

    s = np.array(
        data.draw(st.lists(st.floats(0.1, 10.0), min_size=len(y), max_size=len(y)))
    )
    weighted = fit(BCELogisticRegression(C=C, **TIGHT), X, y, sample_weight=s)
    assert weighted.converged_.all()
    p = weighted.predict_proba(X)[:, 1]
    assert_allclose(s @ p, s @ y, rtol=0, atol=1e-6 * s.sum() / len(s))


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_one_vs_rest_balance_per_class(data):
    # Each one-vs-rest problem has its own intercept, so for every class k
    # sum_i sigmoid(z_ik) equals the number of samples of class k.
    X, _ = data.draw(tame_data(max_rows=12))
    n = len(X)
    extra = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    base = np.arange(n) % 3
    # Four copies: every row is seen with every class and with the rest.
    X = np.vstack([X] * 4)
    y = np.concatenate([base, (base + 1) % 3, (base + 2) % 3, extra])
    model = fit(BCELogisticRegression(C=np.inf, **TIGHT), X, y)
    assert model.converged_.all()
    totals = expit(model.decision_function(X)).sum(axis=0)
    assert_allclose(totals, np.bincount(y, minlength=3), rtol=0, atol=1e-6)


# -- the batched search ----------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(
    data=st.data(),
    n_classes=st.sampled_from([2, 3]),
    solver=st.sampled_from(["nesterov", "gd"]),
    weighted=st.booleans(),
    class_weight=st.sampled_from([None, "balanced"]),
)
def test_batched_search_scores_as_grid_search(
    data, n_classes, solver, weighted, class_weight
):
    # Every (candidate, fold) column of the batched run is the fit
    # GridSearchCV makes on its own: the same scores, whatever the data,
    # weights and grid, for the candidates that converge (steps below 1/L on
    # standardised data; a small one may need more than max_iter where the
    # classes nearly separate).
    n = data.draw(st.integers(24, 45))
    p = data.draw(st.integers(1, 4))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    X = StandardScaler().fit_transform(rng.normal(size=(n, p)) + rng.normal(size=p))
    y = rng.permutation(np.arange(n) % n_classes)
    sample_weight = rng.uniform(0.2, 5.0, n) if weighted else None
    Cs = data.draw(st.lists(st.sampled_from([0.1, 1.0]), min_size=1, max_size=2))
    steps = data.draw(st.lists(st.sampled_from([0.2, 0.5]), max_size=2, unique=True))
    learning_rates = ["auto", *steps]
    splits = list(
        StratifiedKFold(3, shuffle=True, random_state=int(rng.integers(1000))).split(
            X, y
        )
    )
    params = {"solver": solver, "max_iter": 20_000, "tol": 1e-6}
    with must_return("the searches", GUARD_TIGHT_S):
        ours = BCELogisticRegressionCV(
            learning_rates=learning_rates,
            Cs=Cs,
            cv=splits,
            class_weight=class_weight,
            **params,
        ).fit(X, y, sample_weight=sample_weight)
        theirs = GridSearchCV(
            BCELogisticRegression(class_weight=class_weight, **params),
            {"learning_rate": learning_rates, "C": Cs},
            cv=splits,
            scoring="neg_log_loss",
        ).fit(X, y, sample_weight=sample_weight)
    converged = ours.cv_results_["converged"]
    assert converged[ours.cv_results_["param_learning_rate"] == "auto"].all()
    for key in ["mean_test_score"] + [f"split{k}_test_score" for k in range(3)]:
        assert_allclose(
            ours.cv_results_[key][converged],
            theirs.cv_results_[key][converged],
            atol=1e-8,
        )
    means = np.sort(theirs.cv_results_["mean_test_score"])
    if converged.all() and (len(means) == 1 or means[-1] - means[-2] > 1e-6):
        assert ours.best_index_ == theirs.best_index_
