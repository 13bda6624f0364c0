"""Input checks shared by the engines, and the search's scorer wrappers."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression


def data(n=600, p=5, seed=0):
    X, y = make_classification(n, p, n_informative=p, n_redundant=0, random_state=seed)
    X = StandardScaler().fit_transform(X)
    w = np.random.default_rng(seed).uniform(0.5, 2.0, n)
    return X, y, w


def test_sparse_x_without_stored_values_fits():
    # A sparse X with no stored entries: nothing too large, zero coefficients.
    X = sp.csr_matrix((6, 3))
    model = BCELogisticRegression().fit(X, np.array([0, 1] * 3))
    np.testing.assert_array_equal(model.coef_, 0.0)


@pytest.mark.parametrize("sign", [1, -1])
def test_values_too_large_are_refused_whatever_their_sign(sign):
    # The bound is on |X|: the most negative value counts as the largest.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), np.arange(20) % 2
    X[3, 1] = sign * 1e200
    with pytest.raises(ValueError, match="too large for float64 arithmetic"):
        BCELogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="too large for float64 arithmetic"):
        BCELogisticRegression().fit(sp.csr_matrix(X), y)


@pytest.mark.parametrize("sign", [1, -1])
def test_array_api_values_too_large_are_refused_whatever_their_sign(sign):
    # The same on array API input.
    import sklearn

    xp = pytest.importorskip("array_api_strict")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), np.arange(20) % 2
    X[3, 1] = sign * 1e200
    try:  # scikit-learn refuses to dispatch with SciPy < 1.14, for one
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except ImportError as exc:
        pytest.skip(f"array API dispatch unavailable: {exc}")
    with sklearn.config_context(array_api_dispatch=True):
        with pytest.raises(ValueError, match="too large for"):
            BCELogisticRegression().fit(xp.asarray(X), xp.asarray(y))


def test_weight_sums_above_a_sixteenth_of_the_float_range_are_refused():
    # The documented margin (max / 16) on the sum of the weights.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), np.arange(20) % 2
    big = np.finfo(np.float64).max
    with pytest.raises(ValueError, match="too large for float64 arithmetic"):
        BCELogisticRegression(C=1e-300).fit(
            X, y, sample_weight=np.full(20, big / 16 * 1.01 / 20)
        )
    model = BCELogisticRegression(C=1e-300).fit(
        X, y, sample_weight=np.full(20, big / 16 * 0.99 / 20)
    )
    assert np.isfinite(model.coef_).all()


@pytest.mark.parametrize(
    "params",
    [{}, {"l1_ratio": 1.0}, {"batch_size": 10}, {"solver": "gd", "learning_rate": 0.5}],
)
def test_nan_is_refused_even_when_scikit_learn_assumes_finite_input(params):
    # assume_finite=True skips scikit-learn's check: the model was NaN (L1),
    # ran max_iter epochs on a NaN gradient, or failed inside scipy.
    import sklearn

    X, y, w = data()
    X[0, 0] = np.nan
    with sklearn.config_context(assume_finite=True):
        with pytest.raises(ValueError, match=r"^Input X contains NaN\.$"):
            BCELogisticRegression(**params).fit(X, y)
        with pytest.raises(ValueError, match=r"^Input X contains NaN\.$"):
            BCELogisticRegression(**params).fit(sp.csr_matrix(X), y)
        w[3] = np.nan
        with pytest.raises(ValueError, match=r"^The sample weights contain NaN\.$"):
            BCELogisticRegression(**params).fit(X[1:], y[1:], sample_weight=w[1:])


def test_a_failed_fit_leaves_no_attribute_of_its_own():
    # A failed fit leaves the model as it was: nothing it set stays.
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), np.arange(20) % 2
    model = BCELogisticRegression()
    with pytest.raises(ValueError, match="Negative"):
        model.fit(X, y, sample_weight=-np.ones(20))
    assert not [k for k in vars(model) if k.endswith("_")]
    model.fit(X, y)
    with pytest.raises(ValueError, match="Negative"):
        model.fit(pd.DataFrame(X, columns=list("abc")), y, sample_weight=-np.ones(20))
    assert not hasattr(model, "feature_names_in_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)


def test_a_scorer_without_sample_weight_is_warned_of_and_used_unweighted():
    # Such a scorer is called without weights (GridSearchCV's rule).
    from sklearn.metrics import make_scorer

    from sklearn_bce import BCELogisticRegressionCV

    X, y, w = data()

    def accuracy(y_true, y_pred):
        return float(np.mean(y_true == y_pred))

    search = BCELogisticRegressionCV(
        Cs=[1.0], learning_rates=["auto"], cv=3, scoring=make_scorer(accuracy)
    )
    with pytest.warns(UserWarning, match="does not support sample_weight"):
        search.fit(X, y, sample_weight=w)
    assert np.isfinite(search.best_score_)


def test_a_scorer_given_labels_keeps_them():
    # Labels the user gave the scorer are not replaced by classes_.
    from sklearn.metrics import make_scorer

    from sklearn_bce import BCELogisticRegressionCV

    X, y, _ = data()
    seen = []

    def metric(y_true, y_proba, labels=None):
        seen.append(list(labels))
        return 0.0

    scorer = make_scorer(metric, response_method="predict_proba", labels=["mine"])
    BCELogisticRegressionCV(
        Cs=[1.0], learning_rates=["auto"], cv=2, scoring=scorer
    ).fit(X, y)
    assert seen and all(labels == ["mine"] for labels in seen)
