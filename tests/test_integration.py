"""BCELogisticRegression inside scikit-learn's machinery.

Pipelines and searches (with worker processes), cross-validation splitting,
persistence, cloning, warm starts, dtypes and feature names.
"""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
    check_cv,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sklearn_bce import BCELogisticRegression

NAMES = np.array(["malignant", "benign"])  # load_breast_cancer's target_names


@pytest.fixture(scope="module")
def cancer():
    """Breast cancer data with string labels."""
    X, y = load_breast_cancer(return_X_y=True)
    return X, NAMES[y]


@pytest.fixture(scope="module")
def cancer_standardised(cancer):
    X, y = cancer
    return StandardScaler().fit_transform(X), y


def pipeline(**params):
    return make_pipeline(StandardScaler(), BCELogisticRegression(**params))


# -- searches --------------------------------------------------------------------------
def test_grid_search_over_learning_rate_in_parallel(cancer):
    X, y = cancer
    grid = {"bcelogisticregression__learning_rate": ["auto", 0.1, 1.0]}
    search = GridSearchCV(pipeline(), grid, n_jobs=2, error_score="raise")
    search.fit(X, y)

    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 3 and np.isfinite(scores).all()
    # The learning rate changes the path, not the optimum: every candidate
    # reaches the same fit, up to a borderline sample or two.
    assert np.ptp(scores) <= 0.01
    assert scores.min() > 0.9
    # The refit is the chosen candidate's pipeline fitted on all the data.
    best = search.best_params_["bcelogisticregression__learning_rate"]
    refit = pipeline(learning_rate=best).fit(X, y)
    assert search.best_estimator_[-1].learning_rate == best
    assert_allclose(search.best_estimator_[-1].coef_, refit[-1].coef_, rtol=1e-12)
    assert_array_equal(search.classes_, np.sort(NAMES))
    predicted = search.predict(X)
    assert set(predicted) <= set(NAMES)
    assert (predicted == y).mean() > 0.95
    # Class order follows classes_: the "malignant" column of predict_proba is
    # large on malignant samples.
    proba = search.predict_proba(X)
    malignant = list(search.classes_).index("malignant")
    assert proba[y == "malignant", malignant].mean() > 0.8
    assert proba[y == "benign", malignant].mean() < 0.2


def test_randomized_search_over_learning_rate_and_c(cancer):
    X, y = cancer
    C = loguniform(1e-2, 1e2)
    distributions = [
        {
            "bcelogisticregression__learning_rate": ["auto"],
            "bcelogisticregression__C": C,
        },
        {
            "bcelogisticregression__learning_rate": loguniform(0.3, 3.0),
            "bcelogisticregression__C": C,
        },
    ]
    search = RandomizedSearchCV(
        pipeline(max_iter=5000),
        distributions,
        n_iter=6,
        cv=3,
        random_state=0,
        n_jobs=2,
        error_score="raise",
    )
    search.fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 6
    Cs = [p["bcelogisticregression__C"] for p in params]
    assert all(1e-2 <= C <= 1e2 for C in Cs) and len(set(Cs)) == 6
    rates = [p["bcelogisticregression__learning_rate"] for p in params]
    assert all(rate == "auto" or 0.3 <= rate <= 3.0 for rate in rates)
    assert any(rate != "auto" for rate in rates)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = search.best_estimator_[-1]
    assert best.C == search.best_params_["bcelogisticregression__C"]
    assert best.converged_.all()
    assert search.score(X, y) > 0.95


# -- cross-validation splitting -----------------------------------------------------
def test_cross_validation_is_stratified(cancer):
    _, y = cancer
    model = BCELogisticRegression()
    assert is_classifier(model)
    assert is_classifier(pipeline())
    assert isinstance(check_cv(5, y, classifier=is_classifier(model)), StratifiedKFold)


def test_cross_val_score_on_data_sorted_by_label():
    X, y = make_classification(
        n_samples=120,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_clusters_per_class=1,
        class_sep=2.0,
        flip_y=0,
        random_state=0,
    )
    order = np.argsort(y, kind="stable")
    X, y = X[order], np.array(["neg", "pos"])[y[order]]
    # Plain KFold would train folds on one class only...
    one_class = [len(np.unique(y[train])) for train, _ in KFold(2).split(X, y)]
    assert one_class == [1, 1]
    with pytest.raises(ValueError, match="only one class"):
        cross_val_score(pipeline(), X, y, cv=KFold(2), error_score="raise")
    # ...while an integer cv is stratified for a classifier.
    splitter = check_cv(2, y, classifier=True)
    assert [len(np.unique(y[train])) for train, _ in splitter.split(X, y)] == [2, 2]
    scores = cross_val_score(pipeline(), X, y, cv=2, error_score="raise")
    assert scores.shape == (2,) and (scores > 0.8).all()


# -- persistence and cloning -----------------------------------------------------------
@pytest.mark.parametrize(
    "make", [BCELogisticRegression, pipeline], ids=["estimator", "pipeline"]
)
def test_pickle_round_trip(cancer, make):
    X, y = cancer
    if make is BCELogisticRegression:
        X = StandardScaler().fit_transform(X)
    model = make(C=0.5).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert_array_equal(restored.decision_function(X), model.decision_function(X))


def test_clone_is_unfitted_and_refits_identically(cancer_standardised):
    X, y = cancer_standardised
    model = BCELogisticRegression(C=0.3, learning_rate=0.5, solver="gd")
    model.fit(X, y)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    with pytest.raises(NotFittedError):
        copy.predict(X)
    assert not hasattr(copy, "coef_")
    copy.fit(X, y)
    assert_array_equal(copy.coef_, model.coef_)
    assert_array_equal(copy.intercept_, model.intercept_)
    assert_array_equal(copy.predict(X), model.predict(X))
    assert_array_equal(copy.predict_proba(X), model.predict_proba(X))


# -- warm start ------------------------------------------------------------------------
# Tolerances tight enough that every point meeting them is within 1e-6 of the
# optimum (plain descent's steps from such a point are tiny anyway).
@pytest.mark.parametrize("solver, tol", [("nesterov", 1e-10), ("gd", 1e-6)])
def test_warm_start_continues_from_the_previous_fit(cancer_standardised, solver, tol):
    X, y = cancer_standardised
    model = BCELogisticRegression(solver=solver, tol=tol, max_iter=20_000)
    model.fit(X, y)
    assert model.converged_.all()
    cold_iterations = model.n_iter_.copy()
    coef, intercept = model.coef_.copy(), model.intercept_.copy()

    model.set_params(warm_start=True)
    model.fit(X, y)
    assert model.converged_.all()
    assert model.n_iter_[0] <= 2 < cold_iterations[0]
    assert_allclose(model.coef_, coef, rtol=0, atol=1e-6)
    assert_allclose(model.intercept_, intercept, rtol=0, atol=1e-6)

    # Without warm_start, a refit starts from zeros again.
    model.set_params(warm_start=False)
    model.fit(X, y)
    assert_array_equal(model.n_iter_, cold_iterations)


def test_warm_start_resumes_an_interrupted_fit(cancer_standardised):
    # Textbook gradient descent with a fixed step is a deterministic sequence,
    # so 10 + 10 warm-started steps are 20 steps.
    X, y = cancer_standardised
    params = dict(solver="gd", learning_rate=0.2, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = BCELogisticRegression(max_iter=20, **params).fit(X, y)
        halves = BCELogisticRegression(max_iter=10, warm_start=True, **params)
        halves.fit(X, y)
        first_half = halves.coef_.copy()
        halves.fit(X, y)
    assert not np.allclose(first_half, whole.coef_)
    assert_allclose(halves.coef_, whole.coef_, rtol=1e-10, atol=1e-14)
    assert_allclose(halves.intercept_, whole.intercept_, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("change", ["fewer features", "more classes", "fewer classes"])
def test_warm_start_on_data_of_another_shape_raises_and_keeps_the_fit(
    cancer_standardised, change
):
    # As LogisticRegression: coefficients of another shape cannot be resumed,
    # and a silent start from zeros would not be what warm_start asks for.
    X, y = cancer_standardised
    y3 = np.where(X[:, 0] > 1, "large", y)
    model = BCELogisticRegression(warm_start=True, tol=1e-4)
    model.fit(X, y3 if change == "fewer classes" else y)
    coef, classes = model.coef_.copy(), model.classes_.copy()
    X_new, y_new, needed = {
        "fewer features": (X[:, :5], y, (1, 5)),
        "more classes": (X, y3, (3, 30)),
        "fewer classes": (X, y, (1, 30)),
    }[change]
    n_classes = len(np.unique(y_new))
    message = f"has shape {coef.shape}, but this data needs shape {needed} "
    message += f"({needed[1]} features, {n_classes} classes)"
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(X_new, y_new)
    # The failed fit leaves the previous one in place.
    assert_array_equal(model.coef_, coef)
    assert_array_equal(model.classes_, classes)
    # Without warm_start the same data fits from zeros.
    model.set_params(warm_start=False).fit(X_new, y_new)
    assert model.coef_.shape == needed


# -- dtypes and feature names ----------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(cancer_standardised, dtype):
    X, y = cancer_standardised
    X = X.astype(dtype)
    model = BCELogisticRegression(tol=1e-6).fit(X, y)
    assert model.coef_.dtype == dtype
    assert model.intercept_.dtype == dtype
    assert model.predict_proba(X).dtype == dtype
    assert model.decision_function(X).dtype == dtype
    assert model.predict_log_proba(X).dtype == dtype
    reference = BCELogisticRegression(tol=1e-6).fit(X.astype(np.float64), y)
    # The float32 fit solves the same problem, to float32 accuracy.
    assert_allclose(model.coef_, reference.coef_, rtol=0, atol=1e-3)
    assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-3)


def test_multiclass_float32(cancer_standardised):
    X, _ = cancer_standardised
    y = np.digitize(X[:, 0], [-0.5, 0.5])  # three classes
    model = BCELogisticRegression().fit(X.astype(np.float32), y)
    assert model.coef_.shape == (3, X.shape[1]) and model.coef_.dtype == np.float32
    assert model.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_feature_names_from_a_dataframe():
    data = load_breast_cancer(as_frame=True)
    X, y = data.data, NAMES[data.target.to_numpy()]
    assert isinstance(X, pd.DataFrame)
    model = pipeline().fit(X, y)
    assert_array_equal(model.feature_names_in_, X.columns.to_numpy())
    assert_array_equal(model[-1].n_features_in_, X.shape[1])
    # The bare estimator records them too.
    bare = BCELogisticRegression().fit((X - X.mean()) / X.std(), y)
    assert_array_equal(bare.feature_names_in_, X.columns.to_numpy())
    assert bare.feature_names_in_.dtype == object
    # An unnamed array gets the same predictions, with scikit-learn's warning.
    Xs = (X - X.mean()) / X.std()
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        from_array = bare.predict_proba(Xs.to_numpy())
    assert_array_equal(from_array, bare.predict_proba(Xs))
    # Columns out of order are refused.
    with pytest.raises(ValueError, match="feature names"):
        bare.predict(Xs[Xs.columns[::-1]])
    # Without string column names there is no feature_names_in_.
    assert not hasattr(
        BCELogisticRegression().fit(Xs.to_numpy(), y), "feature_names_in_"
    )


def test_select_from_model_keeps_the_lasso_features_as_with_logistic_regression():
    # The recipe of the l1_ratio docstring: threshold=1e-5, the default that
    # SelectFromModel gives LogisticRegression(l1_ratio=1) by its name.
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(
        n_samples=300, n_features=12, n_informative=6, random_state=1
    )
    X = StandardScaler().fit_transform(X)
    reference = SelectFromModel(
        LogisticRegression(C=1.0, l1_ratio=1, solver="saga", max_iter=10_000, tol=1e-8)
    ).fit(X, y)
    ours = SelectFromModel(
        BCELogisticRegression(C=1.0, l1_ratio=1, tol=1e-8), threshold=1e-5
    ).fit(X, y)
    assert 0 < ours.get_support().sum() < X.shape[1]
    assert_array_equal(ours.get_support(), reference.get_support())
    assert_array_equal(ours.get_support(), ours.estimator_.coef_[0] != 0)
