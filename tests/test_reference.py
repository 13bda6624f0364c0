"""Coefficients against published reference fits and against LogisticRegression.

The reference numbers were computed by independent Newton solvers and agree to
about 1e-10 between them; they are copied here so the tests need no data files.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression

# Spector & Mazzeo (1980) grade data: GPA, TUCE, PSI -> GRADE.
SPECTOR_X = np.array(
    [
        [2.66, 20, 0], [2.89, 22, 0], [3.28, 24, 0], [2.92, 12, 0], [4.00, 21, 0],
        [2.86, 17, 0], [2.76, 17, 0], [2.87, 21, 0], [3.03, 25, 0], [3.92, 29, 0],
        [2.63, 20, 0], [3.32, 23, 0], [3.57, 23, 0], [3.26, 25, 0], [3.53, 26, 0],
        [2.74, 19, 0], [2.75, 25, 0], [2.83, 19, 0], [3.12, 23, 1], [3.16, 25, 1],
        [2.06, 22, 1], [3.62, 28, 1], [2.89, 14, 1], [3.51, 26, 1], [3.54, 24, 1],
        [2.83, 27, 1], [3.39, 17, 1], [2.67, 24, 1], [3.65, 21, 1], [4.00, 23, 1],
        [3.10, 21, 1], [2.39, 19, 1],
    ]
)  # fmt: skip
SPECTOR_Y = np.array(
    [0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0,
     0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1]
)  # fmt: skip
SPECTOR_RAW = (
    -13.021346858115697,
    [2.826112594889322, 0.0951576613179095, 2.3786876550933544],
)
SPECTOR_STANDARDISED = (
    -1.0836269594691563,
    [1.298210326630866, 0.36541153713029934, 1.1800154966393248],
)
# glmnet(alpha=0, lambda=1, standardize=FALSE): mean BCE + 1/2 ||w||^2, C = 1/9.
GLMNET_X = np.array(
    [[-4, 0], [-3, 0], [-2, 1], [-1, 0], [0, 1], [1, 1], [2, 1], [3, 0], [4, 0]]
)
GLMNET_Y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1])
GLMNET = (0.8923040566417848, [0.4446456931767884, 0.014575634329614503])
# Breast cancer, four standardised columns, unpenalised.
BREAST_CANCER_4_COLUMNS = [
    "mean radius",
    "mean texture",
    "mean smoothness",
    "mean symmetry",
]
BREAST_CANCER_4 = (
    0.9741498519810466,
    [
        -4.9074740311581815,
        -1.6495032857341114,
        -1.6403924608155955,
        -0.7514352443016672,
    ],
)

TIGHT = {"tol": 1e-10, "max_iter": 100_000}


def standardise(X):
    # Population standard deviation (ddof=0), as the references use.
    return (X - X.mean(axis=0)) / X.std(axis=0)


def breast_cancer_4():
    data = load_breast_cancer()
    columns = [list(data.feature_names).index(name) for name in BREAST_CANCER_4_COLUMNS]
    return standardise(data.data[:, columns]), data.target


def diabetes_binary():
    X, y = load_diabetes(return_X_y=True)
    return standardise(X), (y > np.median(y)).astype(int)


def assert_fit(model, reference, atol=1e-6):
    intercept, coef = reference
    assert_allclose(model.intercept_, [intercept], atol=atol)
    assert_allclose(model.coef_, [coef], atol=atol)


@pytest.mark.parametrize("solver", ["nesterov", "gd"])
def test_spector_standardised(solver):
    model = BCELogisticRegression(C=np.inf, solver=solver, **TIGHT)
    assert_fit(model.fit(standardise(SPECTOR_X), SPECTOR_Y), SPECTOR_STANDARDISED)


def test_spector_raw_features_with_the_accelerated_solver():
    # Badly scaled: the Hessian-bound preconditioner of learning_rate="auto"
    # makes the accelerated solver blind to the scaling.
    model = BCELogisticRegression(C=np.inf, **TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    assert_fit(model, SPECTOR_RAW)


@pytest.mark.parametrize("solver", ["nesterov", "gd"])
def test_glmnet_ridge(solver):
    model = BCELogisticRegression(C=1 / 9, solver=solver, **TIGHT)
    assert_fit(model.fit(GLMNET_X, GLMNET_Y), GLMNET)


@pytest.mark.parametrize("solver", ["nesterov", "gd"])
def test_breast_cancer_four_columns(solver):
    X, y = breast_cancer_4()
    model = BCELogisticRegression(C=np.inf, solver=solver, **TIGHT).fit(X, y)
    assert_fit(model, BREAST_CANCER_4)


def test_raw_features_textbook_gd_reports_instead_of_converging():
    # Plain fixed-step descent is hopeless on the raw Spector features; the
    # model must say so rather than return a silently wrong answer.
    model = BCELogisticRegression(
        C=np.inf, solver="gd", learning_rate=0.01, max_iter=2000
    )
    with pytest.warns(Warning, match="StandardScaler"):
        model.fit(SPECTOR_X, SPECTOR_Y)
    assert model.stop_reason_[0] == "max_iter"
    assert np.abs(model.coef_ - [SPECTOR_RAW[1]]).max() > 0.1


# -- equality with LogisticRegression ---------------------------------------------
DATASETS = {"breast_cancer_4": breast_cancer_4, "diabetes_binary": diabetes_binary}


def fit_pair(X, y, C, *, sample_weight=None, class_weight=None, solver="nesterov"):
    ours = BCELogisticRegression(C=C, class_weight=class_weight, solver=solver, **TIGHT)
    ours.fit(X, y, sample_weight=sample_weight)
    theirs = LogisticRegression(
        C=C, class_weight=class_weight, tol=1e-10, max_iter=10_000
    )
    theirs.fit(X, y, sample_weight=sample_weight)
    return ours, theirs


def assert_same_model(ours, theirs, atol=1e-5):
    assert_allclose(ours.coef_, theirs.coef_, atol=atol)
    assert_allclose(ours.intercept_, theirs.intercept_, atol=atol)


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0, np.inf])
def test_equals_logistic_regression(dataset, C):
    X, y = DATASETS[dataset]()
    assert_same_model(*fit_pair(X, y, C))


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("C", [0.1, np.inf])
def test_equals_logistic_regression_with_sample_weight(dataset, C, rng):
    X, y = DATASETS[dataset]()
    sample_weight = rng.uniform(0, 3, size=len(y))
    assert_same_model(*fit_pair(X, y, C, sample_weight=sample_weight))


@pytest.mark.parametrize("class_weight", ["balanced", {0: 3.0, 1: 0.5}])
def test_equals_logistic_regression_with_class_weight(class_weight, rng):
    X, y = diabetes_binary()
    # Weights that differ by class, so that "balanced" must count by weight.
    sample_weight = rng.uniform(0.5, 2, size=len(y)) * np.where(y == 1, 3.0, 1.0)
    ours, theirs = fit_pair(
        X, y, 0.5, class_weight=class_weight, sample_weight=sample_weight
    )
    assert_same_model(ours, theirs)


def test_full_breast_cancer_with_penalty(breast_cancer_standardised):
    X, y = breast_cancer_standardised
    for C in [0.05, 1.0]:
        assert_same_model(*fit_pair(X, y, C))


@pytest.mark.parametrize("load", [load_iris, load_wine])
@pytest.mark.parametrize("C", [0.1, 10.0])
def test_multiclass_equals_one_vs_rest_logistic_regression(load, C):
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ours = BCELogisticRegression(C=C, **TIGHT).fit(X, y)
    theirs = OneVsRestClassifier(LogisticRegression(C=C, tol=1e-10, max_iter=10_000))
    theirs.fit(X, y)
    assert_allclose(
        ours.coef_, np.vstack([e.coef_ for e in theirs.estimators_]), atol=1e-5
    )
    assert_allclose(
        ours.intercept_,
        np.hstack([e.intercept_ for e in theirs.estimators_]),
        atol=1e-5,
    )
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)


def test_multiclass_balanced_weights_balance_the_multiclass_problem():
    # "balanced" weighs each class by n / (n_classes * count), in every
    # one-vs-rest problem: LogisticRegression per class with those sample
    # weights, not OneVsRestClassifier's per-problem balancing.
    X, y = load_wine(return_X_y=True)
    keep = np.r_[0:59, 59:100, 130:140]  # classes of 59, 41 and 10 samples
    X, y = StandardScaler().fit_transform(X[keep]), y[keep]
    counts = np.bincount(y)
    weights = (len(y) / (len(counts) * counts))[y]
    ours = BCELogisticRegression(class_weight="balanced", **TIGHT).fit(X, y)
    for k in range(3):
        theirs = LogisticRegression(tol=1e-10, max_iter=10_000).fit(
            X, y == k, sample_weight=weights
        )
        assert_allclose(ours.coef_[k], theirs.coef_[0], atol=1e-5)
        assert_allclose(ours.intercept_[k], theirs.intercept_[0], atol=1e-5)
    per_problem = OneVsRestClassifier(
        LogisticRegression(class_weight="balanced", tol=1e-10, max_iter=10_000)
    ).fit(X, y)
    other = np.hstack([e.intercept_ for e in per_problem.estimators_])
    assert np.abs(ours.intercept_ - other).max() > 0.1


def test_multiclass_class_weight_dict_weighs_each_problem_by_label():
    # A dict weighs the samples of each class, in every one-vs-rest problem.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    class_weight = {"setosa": 5.0, "versicolor": 1.0, "virginica": 0.2}
    ours = BCELogisticRegression(class_weight=class_weight, **TIGHT).fit(X, names)
    weights = np.array([class_weight[name] for name in names])
    for k, name in enumerate(ours.classes_):
        theirs = LogisticRegression(tol=1e-10, max_iter=10_000).fit(
            X, names == name, sample_weight=weights
        )
        assert_allclose(ours.coef_[k], theirs.coef_[0], atol=1e-5)
        assert_allclose(ours.intercept_[k], theirs.intercept_[0], atol=1e-5)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("solver", ["nesterov", "gd"])
def test_l1_and_elastic_net_equal_saga(l1_ratio, solver):
    X, y = diabetes_binary()
    ours = BCELogisticRegression(C=0.05, l1_ratio=l1_ratio, solver=solver, **TIGHT)
    ours.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga may warn about its own convergence
        theirs = LogisticRegression(
            C=0.05, l1_ratio=l1_ratio, solver="saga", tol=1e-10, max_iter=100_000
        ).fit(X, y)
    assert_same_model(ours, theirs)
    # The proximal step gives exact zeros where saga does.
    assert np.array_equal(ours.coef_ == 0, np.abs(theirs.coef_) < 1e-8)
    assert (ours.coef_ == 0).any()


def test_multiclass_l1_equals_one_vs_rest_saga():
    X, y = load_iris(return_X_y=True)
    X = standardise(X)
    ours = BCELogisticRegression(C=0.5, l1_ratio=1.0, **TIGHT).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = OneVsRestClassifier(
            LogisticRegression(
                C=0.5, l1_ratio=1.0, solver="saga", tol=1e-10, max_iter=100_000
            )
        ).fit(X, y)
    assert_allclose(
        ours.coef_, np.vstack([e.coef_ for e in theirs.estimators_]), atol=1e-5
    )


@pytest.mark.parametrize(
    "C, sample_weight", [(1e-20, 1.0), (1e-100, 1.0), (1.0, 1e-100)]
)
@pytest.mark.parametrize(
    "metric, params",
    [
        ("full", {}),
        ("diagonal: L1", {"l1_ratio": 0.5}),
        ("diagonal: wide", {"n_features": 300}),
    ],
)
def test_a_penalty_that_dwarfs_the_data_leaves_the_intercept_exact(
    C, sample_weight, metric, params
):
    # The weights are penalised to about zero; the unpenalised intercept is
    # still the log-odds of the (weighted) classes.  Its curvature is some
    # 1e20 to 1e100 times smaller than the weights': the step must not be
    # shrunk by a jitter relative to the largest curvature.
    params = dict(params)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, params.pop("n_features", 3)))
    y = (rng.random(100) < 0.65).astype(int)
    weight = np.full(100, sample_weight)
    model = BCELogisticRegression(C=C, tol=1e-8, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # converges, no warning
        model.fit(X, y, sample_weight=weight)
    assert_allclose(model.intercept_, [np.log(y.mean() / (1 - y.mean()))], rtol=1e-6)
    assert np.abs(model.coef_).max() < 1e-15
