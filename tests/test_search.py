"""BCELogisticRegressionCV: one batched run equals GridSearchCV, fold by fold."""

import inspect
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.exceptions import (
    ConvergenceWarning,
    FitFailedWarning,
    NotFittedError,
    UndefinedMetricWarning,
    UnsetMetadataPassedError,
)
from sklearn.metrics import accuracy_score, brier_score_loss, get_scorer, log_loss
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    StratifiedKFold,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_estimator
from sklearn.utils.validation import check_is_fitted

from sklearn_bce import BCELogisticRegression, BCELogisticRegressionCV, _search


def data(name):
    load = {"breast_cancer": load_breast_cancer, "iris": load_iris}[name]
    X, y = load(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def grid_search(X, y, grid, splits, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GridSearchCV(
            BCELogisticRegression(**params), grid, cv=splits, scoring="neg_log_loss"
        ).fit(X, y)


def both_searches(X, y, grid, splits, sample_weight=None, **params):
    """Ours and GridSearchCV on the same grid and splits, fitted alike.

    ``params`` are the search's (``scoring``, ``refit``, ...) and, the rest,
    the estimator's; ``scoring`` defaults to ours', the negated log-loss.
    """
    search_names = {"scoring", "refit", "return_train_score", "error_score"}
    search = {"scoring": "neg_log_loss"}
    search.update({k: v for k, v in params.items() if k in search_names})
    estimator = {k: v for k, v in params.items() if k not in search_names}
    ours = BCELogisticRegressionCV(
        learning_rates=grid["learning_rate"],
        Cs=grid.get("C", [1.0]),
        cv=splits,
        **search,
        **estimator,
    ).fit(X, y, sample_weight=sample_weight)
    theirs = GridSearchCV(
        BCELogisticRegression(**estimator), grid, cv=splits, **search
    ).fit(X, y, sample_weight=sample_weight)
    return ours, theirs


GRIDS = {
    "nesterov": {"learning_rate": [0.05, "auto", 0.5, 2.0], "C": [0.1, 1.0]},
    # Plain gradient descent needs up to 8000 iterations on breast cancer at
    # C=1; these values of C take a third of the iterations of 0.1 and 1.
    "gd": {"learning_rate": [0.2, "auto", 0.5], "C": [0.03, 0.3]},
}


@pytest.mark.parametrize("name", ["breast_cancer", "iris"])
@pytest.mark.parametrize("solver", ["nesterov", "gd"])
def test_scores_equal_grid_search(name, solver):
    X, y = data(name)
    splits = list(StratifiedKFold(4, shuffle=True, random_state=0).split(X, y))
    grid = GRIDS[solver]
    params = {"solver": solver, "max_iter": 20_000, "tol": 1e-5}
    ours = BCELogisticRegressionCV(
        learning_rates=grid["learning_rate"], Cs=grid["C"], cv=splits, **params
    ).fit(X, y)
    theirs = grid_search(X, y, grid, splits, **params)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    for key in ["mean_test_score", "std_test_score"] + [
        f"split{k}_test_score" for k in range(4)
    ]:
        assert_allclose(
            ours.cv_results_[key], theirs.cv_results_[key], rtol=0, atol=1e-8
        )
    assert_array_equal(
        ours.cv_results_["rank_test_score"], theirs.cv_results_["rank_test_score"]
    )
    for key in ("param_C", "param_learning_rate"):
        assert_array_equal(ours.cv_results_[key], theirs.cv_results_[key])
        assert ours.cv_results_[key].dtype == theirs.cv_results_[key].dtype
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, abs=1e-8)
    best = theirs.best_params_
    assert (ours.C_, ours.learning_rate_) == (best["C"], best["learning_rate"])


def test_refit_is_the_best_candidate_on_all_data():
    X, y = data("iris")
    search = BCELogisticRegressionCV(
        learning_rates=["auto", 0.5], Cs=[0.1, 1.0], tol=1e-9
    )
    search.fit(X, y)
    # The candidate of the best mean score.
    scores = search.cv_results_["mean_test_score"]
    assert search.best_index_ == np.nanargmax(scores)
    assert search.best_score_ == np.nanmax(scores)
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    best = BCELogisticRegression(
        C=search.C_, learning_rate=search.learning_rate_, tol=1e-9, max_iter=10_000
    ).fit(X, y)
    assert_allclose(search.coef_, best.coef_, atol=1e-7)
    assert_allclose(search.intercept_, best.intercept_, atol=1e-7)
    assert_array_equal(search.predict(X), best.predict(X))
    assert search.converged_.all()
    # Warm-started from the fold solutions: fewer iterations than from zero.
    assert search.n_iter_.max() < best.n_iter_.max()
    # As GridSearchCV's, the refitted model as an estimator of its own.
    model = search.best_estimator_
    assert type(model) is BCELogisticRegression
    expected = {"C": search.C_, "learning_rate": search.learning_rate_}
    assert {name: model.get_params()[name] for name in expected} == expected
    assert not model.warm_start and model.tol == 1e-9
    assert_array_equal(model.predict_proba(X), search.predict_proba(X))
    assert not np.shares_memory(model.coef_, search.coef_)  # its own copy
    # Its parameters as given, as GridSearchCV's best_estimator_ has them.
    search.set_params(Cs=[1, 10], learning_rates=["auto"]).fit(X, y)
    params = search.best_estimator_.get_params()
    assert params["C"] == search.best_params_["C"]
    assert type(params["C"]) is int


def test_class_and_sample_weight_equal_grid_search(rng):
    X, y = data("iris")
    sample_weight = rng.uniform(0.2, 2.0, size=len(y))
    splits = list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))
    grid = {"learning_rate": ["auto", 1.0], "C": [0.5]}
    params = {"class_weight": "balanced", "max_iter": 20_000, "tol": 1e-7}
    ours = BCELogisticRegressionCV(
        learning_rates=grid["learning_rate"], Cs=grid["C"], cv=splits, **params
    ).fit(X, y, sample_weight=sample_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = GridSearchCV(
            BCELogisticRegression(**params), grid, cv=splits, scoring="neg_log_loss"
        ).fit(X, y, sample_weight=sample_weight)
    assert_allclose(
        ours.cv_results_["mean_test_score"],
        theirs.cv_results_["mean_test_score"],
        atol=1e-8,
    )


def test_diverged_candidates_are_nan_reported_and_never_chosen():
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(
        learning_rates=[1e4, "auto"], cv=3, return_train_score=True
    )
    message = (
        "1 of 2 candidates diverged in at least one fold: (C=1, "
        "learning_rate=10000.0). Their scores are NaN and they are never chosen. "
        "A fixed step of at most 1/L (L the smoothness bound of a fold's loss, "
        "larger at smaller C) cannot diverge: use smaller learning rates, or 'auto'."
    )
    with pytest.warns(ConvergenceWarning, match=f"^{re.escape(message)}$"):
        search.fit(X, y)
    results = search.cv_results_
    assert np.isnan(results["mean_test_score"][0])
    # Their training parts too (the kept start scored finite there).
    for key in ["mean_train_score", *(f"split{k}_train_score" for k in range(3))]:
        assert np.isnan(results[key][0]) and np.isfinite(results[key][1]), key
    assert results["diverged"].tolist() == [True, False]
    assert results["rank_test_score"].tolist() == [2, 1]
    assert search.learning_rate_ == "auto"


@pytest.mark.parametrize("refit", [True, False])
def test_score_weighs_the_samples_without_metadata_routing(refit):
    X, y = data("breast_cancer")
    weight = np.where(y == 0, 5.0, 0.2)
    search = BCELogisticRegressionCV(learning_rates=["auto"], cv=3, refit=refit)
    search.fit(X, y)
    proba = search.predict_proba(X)
    weighted = search.score(X, y, sample_weight=weight)
    assert weighted == pytest.approx(-log_loss(y, proba, sample_weight=weight))
    assert weighted != pytest.approx(search.score(X, y))


def test_a_scorer_that_takes_no_weights_is_warned_about_as_in_grid_search(rng):
    X, y = data("iris")
    weight = rng.uniform(0.5, 2.0, len(y))

    def accuracy(estimator, X, y):  # a plain function: no sample_weight
        return accuracy_score(y, estimator.predict(X))

    search = BCELogisticRegressionCV(learning_rates=["auto"], cv=3, scoring=accuracy)
    with pytest.warns(UserWarning, match="does not support sample_weight"):
        search.fit(X, y, sample_weight=weight)
    grid = GridSearchCV(
        BCELogisticRegression(), {"learning_rate": ["auto"]}, cv=3, scoring=accuracy
    )
    with pytest.warns(UserWarning, match="does not support sample_weight"):
        grid.fit(X, y, sample_weight=weight)
    # A scorer that takes them: no warning.
    search.set_params(scoring="neg_log_loss")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        search.fit(X, y, sample_weight=weight)


def test_lists_are_cut_past_ten_names():
    names = [f"c{k}" for k in range(11)]
    assert _search._listing(names[:10], "diverged") == "; ".join(names[:10])
    assert _search._listing(names, "diverged") == (
        f"{'; '.join(names[:10])}; and 1 more (cv_results_['diverged'])"
    )


def test_long_lists_of_diverged_candidates_are_cut():
    X, y = data("breast_cancer")
    rates = [1e4 * (k + 1) for k in range(12)]
    search = BCELogisticRegressionCV(learning_rates=[*rates, "auto"], cv=3)
    with pytest.warns(ConvergenceWarning) as record:
        search.fit(X, y)
    (message,) = [str(w.message) for w in record]
    listed = "; ".join(f"(C=1, learning_rate={rate!r})" for rate in rates[:10])
    assert message == (
        f"12 of 13 candidates diverged in at least one fold: {listed}; and 2 "
        "more (cv_results_['diverged']). Their scores are NaN and they are "
        "never chosen. A fixed step of at most 1/L (L the smoothness bound of a "
        "fold's loss, larger at smaller C) cannot diverge: use smaller learning "
        "rates, or 'auto'."
    )
    assert search.cv_results_["diverged"].tolist() == [True] * 12 + [False]


def test_fixed_steps_above_the_safe_step_are_named_when_they_do_not_converge():
    # At C=0.01 on standardised iris, 1/L of every fold is about 0.64: the
    # accelerated descent with a step of 1.0 oscillates for good, with 0.5 it
    # converges; at C=1 a step of 1.0 is below 1/L and converges.
    X, y = data("iris")
    search = BCELogisticRegressionCV(
        learning_rates=[0.5, 1.0], Cs=[0.01, 1.0], cv=5, max_iter=500
    )
    with pytest.warns(ConvergenceWarning) as record:
        search.fit(X, y)
    (message,) = [str(w.message) for w in record]
    assert re.match(
        r"1 candidate did not converge in max_iter=500 iterations \(5 of its 5 "
        r"fold fits\): "
        r"\(C=0\.01, learning_rate=1\.0 > 1/L = 0\.6\d+\); a fixed step above "
        r"1/L .* use smaller learning rates or 'auto'; otherwise increase "
        r"max_iter or scale the features if they are not standardised\. ",
        message,
    )
    assert search.cv_results_["converged"].tolist() == [True, False, True, True]
    # Plain descent converges with steps up to 2/L: no advice to go below 1/L.
    search.set_params(solver="gd", max_iter=3)
    with pytest.warns(ConvergenceWarning) as record:
        search.fit(X, y)
    assert "1/L" not in str(record[0].message)
    # Without a step above 1/L, the advice is the general one.
    search.set_params(solver="nesterov", learning_rates=[0.5], Cs=[1.0], max_iter=3)
    with pytest.warns(ConvergenceWarning) as record:
        search.fit(X, y)  # the refit warns too
    message = str(record[0].message)
    assert (
        ": (C=1, learning_rate=0.5); increase max_iter or scale the features if "
        "they are not standardised."
    ) in message
    # Plain descent far above 2/L: the loss swings without blowing up in two
    # or three folds (whether a swing ends diverged follows the rounding,
    # which differs between library versions), and the advice names 2/L.
    X, y = make_classification(400, 6, random_state=1)
    X = StandardScaler().fit_transform(X)
    search = BCELogisticRegressionCV(
        learning_rates=[50.0, 1.0], solver="gd", cv=3, max_iter=300
    )
    with pytest.warns(ConvergenceWarning) as record:
        search.fit(X, y)
    assert re.search(
        r"1 candidate did not converge in max_iter=300 iterations \([23] of its 3 "
        r"fold fits\): \(C=1, "
        r"learning_rate=50\.0 > 2/L = 2\.\d+\); a fixed step above 2/L ",
        " ".join(str(w.message) for w in record),
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "scoring, refit",
    [
        ("neg_log_loss", True),
        ("neg_log_loss", False),
        (["accuracy", "neg_log_loss"], "accuracy"),
    ],
)
def test_all_candidates_diverging_is_an_error_where_one_must_be_chosen(scoring, refit):
    # To refit it, or (refit=False, one metric) to average its fold models.
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(
        learning_rates=[1e4], cv=3, scoring=scoring, refit=refit
    )
    with pytest.raises(ValueError, match="Every candidate diverged"):
        search.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_all_candidates_diverging_without_a_choice_keeps_the_results():
    # Multi-metric scoring (a list, even of one) and refit=False: nothing is
    # chosen, as in GridSearchCV.
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(
        learning_rates=[1e3, 1e4], cv=3, scoring=["neg_log_loss"], refit=False
    ).fit(X, y)
    assert search.cv_results_["diverged"].all()
    assert np.isnan(search.cv_results_["mean_test_neg_log_loss"]).all()
    assert not hasattr(search, "coef_")


def test_results_describe_the_descent():
    X, y = data("iris")
    search = BCELogisticRegressionCV(learning_rates=["auto", 0.5], Cs=[1.0, 10.0], cv=3)
    search.fit(X, y)
    results = search.cv_results_
    assert results["loss_curve"].shape == (4,)
    for curve, n_iter in zip(
        results["loss_curve"], results["mean_n_iter"], strict=True
    ):
        assert curve.shape[0] == 3
        assert curve.shape[1] >= n_iter
        assert np.isfinite(curve[:, 0]).all()
    assert results["split0_n_iter"].dtype.kind == "i"
    # The mean over the folds of each candidate's iterations.
    per_fold = np.array([results[f"split{k}_n_iter"] for k in range(3)])
    assert len(np.unique(per_fold[:, 0])) > 1  # the folds differ
    assert_allclose(results["mean_n_iter"], per_fold.mean(axis=0))
    assert (results["mean_fit_time"] > 0).all()
    assert search.n_splits_ == 3


def test_refit_false_averages_the_fold_models():
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(learning_rates=["auto"], cv=3, refit=False).fit(
        X, y
    )
    folds = list(StratifiedKFold(3).split(X, y))
    fold_fits = [BCELogisticRegression().fit(X[train], y[train]) for train, _ in folds]
    # The plain mean: the fold fits take the same steps as the search's
    # columns, so their coefficients agree to rounding (about 1e-13).
    coefs = [fit.coef_ for fit in fold_fits]
    intercepts = [fit.intercept_ for fit in fold_fits]
    assert_allclose(search.coef_, np.mean(coefs, axis=0), rtol=0, atol=1e-10)
    assert_allclose(search.intercept_, np.mean(intercepts, axis=0), rtol=0, atol=1e-10)
    # n_iter_: the fold fits' iterations, as LogisticRegressionCV keeps them.
    assert_array_equal(search.n_iter_, [fit.n_iter_ for fit in fold_fits])
    # Refitting with refit=False drops what the earlier refit left.
    search.set_params(refit=True).fit(X, y)
    assert search.refit_time_ > 0 and search.n_iter_.shape == (1,)
    search.set_params(refit=False, Cs=[1e-3]).fit(X, y)
    assert search.n_iter_.shape == (3, 1)
    refit_only = ["loss_curve_", "converged_", "stop_reason_"]
    for name in [*refit_only, "refit_time_", "best_estimator_"]:
        assert not hasattr(search, name)


@pytest.mark.parametrize("container", [sp.csr_matrix, np.float32])
def test_sparse_and_float32(container):
    X, y = data("breast_cancer")
    X_in = container(X) if container is sp.csr_matrix else X.astype(np.float32)
    search = BCELogisticRegressionCV(learning_rates=["auto", 0.5], cv=3).fit(X_in, y)
    dense = BCELogisticRegressionCV(learning_rates=["auto", 0.5], cv=3).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"],
        dense.cv_results_["mean_test_score"],
        atol=1e-4,
    )
    if container is np.float32:
        assert search.coef_.dtype == np.float32


def test_any_scorer():
    X, y = data("iris")
    search = BCELogisticRegressionCV(learning_rates=["auto"], scoring="accuracy", cv=3)
    search.fit(X, y)
    assert 0.8 < search.best_score_ <= 1.0

    def scorer(estimator, X, y):
        return -np.mean(estimator.predict(X) != y)

    search.set_params(scoring=scorer).fit(X, y)
    assert -0.2 < search.best_score_ <= 0


@pytest.mark.parametrize(
    "params, match",
    [
        ({"learning_rates": []}, "at least one"),
        ({"learning_rates": ["fast"]}, "'auto' or floats"),
        ({"learning_rates": [-1.0]}, "'auto' or floats"),
        ({"learning_rates": [0.0]}, r"'auto' or floats > 0. Got 0.0 instead"),
        ({"learning_rates": [np.inf]}, "'auto' or floats"),
        ({"learning_rates": [np.nan]}, "'auto' or floats"),
        ({"learning_rates": [True]}, "'auto' or floats"),
        ({"Cs": [0.0]}, "'Cs' parameter of BCELogisticRegressionCV must contain"),
        ({"Cs": [True]}, r"must contain floats in \(0, inf\]. Got True instead"),
        ({"Cs": True}, "'Cs' parameter of BCELogisticRegressionCV must be an int"),
        ({"Cs": np.array(1.0)}, r"must be an int >= 1 or a list .* Got array\(1\.\)"),
        (
            {"learning_rates": np.array(0.1)},
            r"must be a list of 'auto' and floats > 0. Got array\(0\.1\)",
        ),
    ],
)
def test_bad_grids_are_rejected(params, match):
    X, y = data("iris")
    # As scikit-learn's parameter validation: both a ValueError and a TypeError.
    with pytest.raises(InvalidParameterError, match=match):
        BCELogisticRegressionCV(**params).fit(X, y)


# On scikit-learn's check data the step 0.5 oscillates or diverges.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_clone_and_estimator_checks():
    search = BCELogisticRegressionCV(learning_rates=["auto", 0.5], cv=3)
    assert clone(search).get_params() == search.get_params()
    check_estimator(BCELogisticRegressionCV(learning_rates=["auto", 0.5], cv=3))


def test_unfinished_candidates_are_marked_and_warned():
    X, y = data("breast_cancer")
    # A numpy scalar rate is named as the number it holds, not its repr.
    rates = [np.float64(0.01), "auto"]
    search = BCELogisticRegressionCV(learning_rates=rates, cv=3, max_iter=100)
    with pytest.warns(ConvergenceWarning, match=r"learning_rate=0\.01\).*rounding"):
        search.fit(X, y)
    results = search.cv_results_
    assert results["converged"].tolist() == [False, True]
    assert results["mean_n_iter"][0] == 100
    assert not results["diverged"].any()


@pytest.mark.parametrize("Cs", [[1.0, np.inf], [np.inf]])
def test_l1_ratio_unused_by_candidates_of_an_infinite_C_is_warned_once(Cs):
    # Once for the search: not again by its refit when C=inf is chosen.
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], Cs=Cs, l1_ratio=0.5, cv=2, max_iter=3
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        search.fit(X, y)
    unused = [w for w in record if w.category is UserWarning]
    assert len(unused) == 1
    assert str(unused[0].message).startswith(
        "l1_ratio=0.5 is not used by the candidates of C=inf: they fit without a "
        "penalty"
    )
    assert unused[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.set_params(Cs=[1.0]).fit(X, y)


def test_unfinished_candidates_without_a_penalty_are_not_just_told_to_iterate():
    # Setosa against versicolor: a plane separates them.  More iterations
    # only make an unpenalised model larger; its refit says so in full.
    X, y = load_iris(return_X_y=True)
    X, y = X[y < 2], y[y < 2]

    def messages(Cs):
        search = BCELogisticRegressionCV(
            learning_rates=["auto"], Cs=Cs, cv=2, max_iter=10
        )
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            search.fit(X, y)
        return [str(w.message) for w in record if w.category is ConvergenceWarning]

    unfinished, refit = messages([np.inf])
    assert "; but a candidate of C=inf has no penalty: where a plane" in unfinished
    assert refit.startswith("The model separates the classes of the training data")
    unfinished, *refit = messages([1.0])
    assert unfinished.startswith("1 candidate did not converge")
    assert "C=inf" not in unfinished


def test_group_splitters_get_groups_as_in_grid_search():
    X, y = data("iris")
    groups = np.random.default_rng(0).permutation(len(y)) % 7
    grid = {"learning_rate": ["auto", 1.0], "C": [1.0]}
    ours = BCELogisticRegressionCV(
        learning_rates=grid["learning_rate"], cv=GroupKFold(3), tol=1e-6
    ).fit(X, y, groups=groups)
    theirs = GridSearchCV(
        BCELogisticRegression(tol=1e-6), grid, cv=GroupKFold(3), scoring="neg_log_loss"
    ).fit(X, y, groups=groups)
    for key in ["mean_test_score"] + [f"split{k}_test_score" for k in range(3)]:
        assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-8)
    with pytest.raises(ValueError, match="groups"):
        BCELogisticRegressionCV(cv=GroupKFold(3)).fit(X, y)


def test_other_metadata_needs_routing():
    X, y = data("iris")
    search = BCELogisticRegressionCV(learning_rates=["auto"], cv=3)
    with pytest.raises(ValueError, match=r"enable_metadata_routing=True.*'extra'"):
        search.fit(X, y, extra=np.ones(len(y)))
    search.fit(X, y)
    with pytest.raises(ValueError, match=r"enable_metadata_routing=True.*'extra'"):
        search.score(X, y, extra=np.ones(len(y)))


def test_metadata_routing_to_splitter_and_scorer(rng):
    X, y = data("iris")
    groups = rng.permutation(len(y)) % 7
    sample_weight = rng.uniform(0.2, 2.0, size=len(y))
    grid = {"learning_rate": ["auto", 1.0], "C": [1.0]}
    with sklearn.config_context(enable_metadata_routing=True):
        weighted = get_scorer("neg_log_loss").set_score_request(sample_weight=True)
        unweighted = get_scorer("neg_log_loss").set_score_request(sample_weight=False)
        for scorer in (weighted, unweighted):
            ours = BCELogisticRegressionCV(
                learning_rates=grid["learning_rate"], cv=GroupKFold(3), scoring=scorer
            ).fit(X, y, sample_weight=sample_weight, groups=groups)
            theirs = GridSearchCV(
                BCELogisticRegression().set_fit_request(sample_weight=True),
                grid,
                cv=GroupKFold(3),
                scoring=scorer,
            ).fit(X, y, sample_weight=sample_weight, groups=groups)
            assert_allclose(
                ours.cv_results_["mean_test_score"],
                theirs.cv_results_["mean_test_score"],
                atol=1e-8,
            )
            proba = ours.predict_proba(X)
            if scorer is weighted:
                expected = log_loss(y, proba, sample_weight=sample_weight)
                score = ours.score(X, y, sample_weight=sample_weight)
                assert score == pytest.approx(-expected)
            else:
                # Weights no one requests are refused, as LogisticRegressionCV
                # refuses them (not silently dropped).
                with pytest.raises(TypeError, match="not routed to any object"):
                    ours.score(X, y, sample_weight=sample_weight)
                assert ours.score(X, y) == pytest.approx(-log_loss(y, proba))
        # The search does not consume score's weights itself: a router above
        # it (cross_validate) passes them to the scorer that requests them.
        search = BCELogisticRegressionCV(
            learning_rates=["auto"], cv=3, scoring=weighted
        ).set_fit_request(sample_weight=True)
        scores = cross_validate(
            search, X, y, cv=3, params={"sample_weight": sample_weight}
        )["test_score"]
        assert np.isfinite(scores).all()
        # Through a pipeline, as any routed metadata.
        pipe = make_pipeline(
            StandardScaler(),
            BCELogisticRegressionCV(learning_rates=["auto"], cv=GroupKFold(3)),
        )
        pipe.fit(X, y, groups=groups)
        assert pipe[-1].n_splits_ == 3


def test_held_out_part_lacking_a_class_is_scored():
    # Class 3 has 3 members and 5 folds: two held-out parts lack it, where
    # log_loss needs the classes (GridSearchCV scores NaN there).
    X, y = data("iris")
    y = y.copy()
    y[[0, 50, 100]] = 3
    with pytest.warns(UserWarning, match="least populated class"):
        splits = list(StratifiedKFold(5).split(X, y))
    with pytest.warns(UserWarning, match="least populated class"):
        search = BCELogisticRegressionCV(learning_rates=["auto"], cv=5, tol=1e-6).fit(
            X, y
        )
    for k, (train, test) in enumerate(splits):
        model = BCELogisticRegression(tol=1e-6).fit(X[train], y[train])
        expected = -log_loss(y[test], model.predict_proba(X[test]), labels=[0, 1, 2, 3])
        assert search.cv_results_[f"split{k}_test_score"][0] == pytest.approx(
            expected, abs=1e-8
        )
    assert any(3 not in y[test] for _, test in splits)


def test_binary_brier_score_with_string_labels():
    X, y = data("breast_cancer")
    labels = np.array(["malignant", "benign"])[y]
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=3, scoring="neg_brier_score"
    ).fit(X, labels)
    expected = brier_score_loss(
        labels, search.predict_proba(X)[:, 1], pos_label=search.classes_[1]
    )
    assert search.score(X, labels) == pytest.approx(-expected)


def test_score_uses_the_scoring():
    X, y = data("iris")
    search = BCELogisticRegressionCV(learning_rates=["auto"], cv=3).fit(X, y)
    assert search.score(X, y) == pytest.approx(-log_loss(y, search.predict_proba(X)))
    search.set_params(scoring="accuracy")
    assert search.score(X, y) == accuracy_score(y, search.predict(X))


@pytest.mark.parametrize("refit", [True, False])
def test_score_gives_a_callable_scorer_the_final_model_as_in_fit(refit):
    # As GridSearchCV.score gives best_estimator_: a scorer written for the
    # fold models (a BCELogisticRegression) works in score too, one that
    # calls the model's own score included.
    X, y = data("iris")
    seen = []

    def scorer(model, X, y):
        seen.append((type(model), model.C, model.learning_rate))
        return model.score(X, y) - 1e-3 * np.log10(model.C)

    search = BCELogisticRegressionCV(
        learning_rates=["auto", 0.5], Cs=[0.1, 1.0], cv=3, scoring=scorer, refit=refit
    ).fit(X, y)
    seen.clear()
    score = search.score(X, y)
    assert seen == [(BCELogisticRegression, search.C_, search.learning_rate_)]
    expected = accuracy_score(y, search.predict(X)) - 1e-3 * np.log10(search.C_)
    assert score == pytest.approx(expected)


def test_score_with_refit_false_gives_the_scorer_the_mean_fold_model():
    # Class 2 is in no training part: the mean model, and the model the
    # scorer gets, give it probability 0.
    X, y = data("iris")
    rows = np.arange(150)
    splits = [(rows[(rows % 2 == k) & (y != 2)], rows[rows % 2 != k]) for k in (0, 1)]
    models = []
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=splits, refit=False, scoring="accuracy"
    ).fit(X, y)
    search.set_params(scoring=lambda model, X, y: models.append(model) or 0.0)
    search.score(X, y)
    (model,) = models
    assert type(model) is BCELogisticRegression
    assert model.get_params()["C"] == search.C_
    assert_array_equal(model.predict_proba(X), search.predict_proba(X))
    assert_array_equal(model.predict(X), search.predict(X))
    assert (model.predict_proba(X)[:, 2] < 1e-300).all()


def test_integer_Cs_is_the_grid_of_logistic_regression_cv():
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(learning_rates=["auto"], Cs=4, cv=3).fit(X, y)
    # LogisticRegressionCV(Cs=4) searches np.logspace(-4, 4, 4).
    assert_allclose(
        search.cv_results_["param_C"].astype(float),
        [1e-4, 10 ** (-4 / 3), 10 ** (4 / 3), 1e4],
        rtol=1e-14,
    )
    assert search.best_params_ == {"C": search.C_, "learning_rate": "auto"}
    # The grid searched, as LogisticRegressionCV's attribute.
    assert_array_equal(search.Cs_, np.logspace(-4, 4, 4))
    assert search.learning_rates_ == ["auto"]
    with pytest.raises(ValueError, match="'Cs' parameter"):
        BCELogisticRegressionCV(Cs=0).fit(X, y)


def test_the_chosen_C_is_a_float_as_logistic_regression_cv_s():
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(learning_rates=[0.5, "auto"], Cs=[1, 10], cv=3)
    search.fit(X, y)
    assert type(search.C_) is float
    assert search.C_ == search.best_params_["C"]  # as given: 1 or 10
    assert_array_equal(search.Cs_, [1.0, 10.0])
    assert search.learning_rates_ == [0.5, "auto"]


def test_verbose_prints_the_search_progress(capsys):
    X, y = data("iris")
    search = BCELogisticRegressionCV(learning_rates=["auto", 0.5], cv=3)
    search.fit(X, y)
    assert capsys.readouterr().out == ""
    search.set_params(verbose=1).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "Fitting 3 folds for each of 2 candidates, totalling 6 fits, "
        "as the columns of a run per step rule"
    )
    sizes = "1 candidate(s) x 3 folds x 3 class column(s) = 9 columns"
    assert out[1] == f"auto steps: {sizes}"
    fixed = out.index(f"fixed steps: {sizes}")
    assert out[fixed + 1].startswith("Iteration 10, 9 of 9 columns running")
    assert sum(line.endswith("all 9 columns stopped") for line in out) == 2


def test_scoring_none_is_the_accuracy_as_in_grid_search():
    X, y = data("iris")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    ours = BCELogisticRegressionCV(
        learning_rates=["auto", 0.5], cv=splits, scoring=None
    ).fit(X, y)
    theirs = GridSearchCV(
        BCELogisticRegression(), {"learning_rate": ["auto", 0.5]}, cv=splits
    ).fit(X, y)
    assert_allclose(
        ours.cv_results_["mean_test_score"],
        theirs.cv_results_["mean_test_score"],
        atol=1e-12,
    )
    assert ours.score(X, y) == pytest.approx(accuracy_score(y, ours.predict(X)))


def test_dataframe_is_scored_with_its_column_names():
    pd = pytest.importorskip("pandas")
    X, y = data("iris")
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    seen = []

    def scorer(estimator, X, y):
        seen.append(list(X.columns))
        return accuracy_score(y, estimator.predict(X))

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        search = BCELogisticRegressionCV(learning_rates=["auto", 0.5], cv=3)
        search.fit(frame, y)
        search.set_params(scoring=scorer).fit(frame, y)
    assert seen == [["a", "b", "c", "d"]] * 6
    assert_array_equal(search.feature_names_in_, ["a", "b", "c", "d"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        search.best_estimator_.predict(frame)


def test_training_part_with_one_class_fails_as_in_grid_search():
    X, y = data("breast_cancer")
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    n = len(y)
    # Fold 0 trains on the last rows only, all of class 1.
    splits = [
        (np.arange(300, n), np.arange(300)),
        (np.arange(0, n, 2), np.arange(1, n, 2)),
        (np.arange(1, n, 2), np.arange(0, n, 2)),
    ]
    grid = {"learning_rate": ["auto", 0.5]}
    with pytest.warns(FitFailedWarning, match="2 fits failed out of a total of 6"):
        ours = BCELogisticRegressionCV(
            learning_rates=grid["learning_rate"], cv=splits, error_score=-1.0
        ).fit(X, y)
    with pytest.warns(FitFailedWarning):
        theirs = GridSearchCV(
            BCELogisticRegression(),
            grid,
            cv=splits,
            scoring="neg_log_loss",
            error_score=-1.0,
        ).fit(X, y)
    for key in ["mean_test_score"] + [f"split{k}_test_score" for k in range(3)]:
        assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-8)
    assert_array_equal(ours.cv_results_["split0_test_score"], [-1.0, -1.0])
    assert ours.best_index_ == theirs.best_index_
    assert ours.cv_results_["converged"].all()
    # The refit starts from the mean of the folds that were fitted.
    assert np.isfinite(ours.coef_).all()

    with pytest.raises(ValueError, match="at least 2 classes"):
        BCELogisticRegressionCV(cv=splits, error_score="raise").fit(X, y)
    with (
        pytest.raises(ValueError, match="training parts could not be fitted"),
        pytest.warns(UserWarning, match="test scores are non-finite"),
        pytest.warns(FitFailedWarning),
    ):
        BCELogisticRegressionCV(cv=splits).fit(X, y)
    with pytest.raises(ValueError, match="All the 8 fits failed"):
        BCELogisticRegressionCV(cv=splits[:1] * 2).fit(X, y)


def test_scorer_errors_score_error_score():
    X, y = data("iris")

    def failing(estimator, X, y):
        raise ZeroDivisionError("no score")

    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=3, scoring=failing, error_score=0.0
    )
    with pytest.warns(UserWarning, match="(?s)Scoring failed.*no score"):
        search.fit(X, y)
    assert_array_equal(search.cv_results_["mean_test_score"], [0.0])
    with pytest.raises(ZeroDivisionError):
        search.set_params(error_score="raise").fit(X, y)


@pytest.mark.parametrize(
    "learning_rates, reasons",
    [
        (["auto"], "'roc_auc_ovr' gave non-finite scores for 1 of the 1 candidates "),
        (
            ["auto", 1e6],
            "1 of 2 candidates diverged; the scorer 'roc_auc_ovr' gave "
            "non-finite scores for 1 of the 1 candidates that did not diverge",
        ),
    ],
)
def test_non_finite_scores_are_warned_and_explained(learning_rates, reasons):
    X, y = data("iris")
    y = y.copy()
    y[[0, 50, 100]] = 3  # a class of 3 samples: some held-out parts lack it
    search = BCELogisticRegressionCV(
        learning_rates=learning_rates, cv=5, scoring="roc_auc_ovr"
    )
    with pytest.raises(ValueError, match=reasons):
        with pytest.warns(UserWarning, match="test scores are non-finite"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UndefinedMetricWarning)
                warnings.simplefilter("ignore", ConvergenceWarning)
                warnings.filterwarnings("ignore", "The least populated class")
                search.fit(X, y)


def test_refit_callable_chooses_the_candidate_as_in_grid_search():
    X, y = data("breast_cancer")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    grid = {"learning_rate": [0.1, 0.5, "auto"], "C": [0.1, 1.0]}

    def worst(results):
        # Deliberately not the best mean score.
        return int(np.nanargmin(results["mean_test_score"]))

    ours = BCELogisticRegressionCV(
        learning_rates=grid["learning_rate"],
        Cs=grid["C"],
        cv=splits,
        refit=worst,
        tol=1e-7,
    ).fit(X, y)
    theirs = GridSearchCV(
        BCELogisticRegression(tol=1e-7),
        grid,
        cv=splits,
        scoring="neg_log_loss",
        refit=worst,
    ).fit(X, y)
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_index_ != np.nanargmax(ours.cv_results_["mean_test_score"])
    assert not hasattr(ours, "best_score_") and not hasattr(theirs, "best_score_")
    assert_allclose(ours.coef_, theirs.best_estimator_.coef_, atol=1e-3)


@pytest.mark.parametrize(
    "choice, error, match",
    [
        (lambda results: 0.5, TypeError, "not an integer"),
        (lambda results: 2, IndexError, "out of range"),
        (lambda results: 0, ValueError, "whose mean score is NaN"),
    ],
)
def test_refit_callable_must_choose_a_scored_candidate(choice, error, match):
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(learning_rates=[1e4, "auto"], cv=3, refit=choice)
    with pytest.raises(error, match=match):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(X, y)


def test_refit_callable_returning_true_chooses_candidate_1_as_grid_search():
    # True is an int (1) to GridSearchCV, which indexes with it.
    X, y = data("breast_cancer")
    ours, theirs = both_searches(
        X, y, {"learning_rate": [0.5, "auto"]}, 3, refit=lambda results: True
    )
    assert theirs.best_index_ == 1
    assert ours.best_index_ == 1 and type(ours.best_index_) is int
    assert ours.best_params_["learning_rate"] == "auto"
    assert theirs.best_params_ == {"learning_rate": "auto"}


def test_loss_curve_averages_the_classes_of_each_fold_model():
    # A class column that stopped counts with its final objective until the
    # fold's last column stops: the curve of the fold's own fit, averaged.
    X, y = data("iris")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], Cs=[1.0], cv=splits, tol=1e-6
    ).fit(X, y)
    curves = search.cv_results_["loss_curve"][0]
    for f, (train, _) in enumerate(splits):
        model = BCELogisticRegression(tol=1e-6).fit(X[train], y[train])
        assert len(set(model.n_iter_.tolist())) > 1  # classes stop apart
        per_class = model.loss_curve_.copy()
        for k, n in enumerate(model.n_iter_):
            per_class[k, n:] = per_class[k, n - 1]
        expected = per_class.mean(axis=0)
        assert_allclose(curves[f, : len(expected)], expected, rtol=1e-8)
        assert np.isnan(curves[f, len(expected) :]).all()


def test_converged_means_every_fold_converged():
    X, y = data("breast_cancer")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    params = {"learning_rates": [0.5, "auto"], "cv": splits}
    first = BCELogisticRegressionCV(**params).fit(X, y)
    iterations = sorted(first.cv_results_[f"split{k}_n_iter"][0] for k in range(3))
    assert iterations[0] < iterations[-1]  # the folds stop at different times
    max_iter = int(iterations[0])  # enough for one fold, not for the slowest
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = BCELogisticRegressionCV(max_iter=max_iter, **params).fit(X, y)
        folds = [
            BCELogisticRegression(learning_rate=0.5, max_iter=max_iter)
            .fit(X[train], y[train])
            .converged_[0]
            for train, _ in splits
        ]
    assert any(folds) and not all(folds)
    assert search.cv_results_["converged"].tolist() == [False, True]


def test_train_scores_equal_grid_search(rng):
    X, y = data("iris")
    weight = rng.uniform(0.5, 2.0, len(y))
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    grid = {"learning_rate": [0.5, "auto"], "C": [1.0]}
    ours, theirs = both_searches(
        X, y, grid, splits, weight, return_train_score=True, tol=1e-6, max_iter=5000
    )
    for key in ["mean_train_score", "std_train_score"] + [
        f"split{k}_train_score" for k in range(3)
    ]:
        assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-8)
    # Trained on them: better than on the held-out parts.
    results = ours.cv_results_
    assert (results["mean_train_score"] > results["mean_test_score"]).all()
    assert "mean_train_score" not in BCELogisticRegressionCV(cv=3).fit(X, y).cv_results_


MULTI_METRIC = {
    "list": (["neg_log_loss", "accuracy"], "accuracy"),
    "dict": ({"ll": "neg_log_loss", "f1": "f1_macro"}, "f1"),
}


@pytest.mark.parametrize("case", MULTI_METRIC)
def test_multi_metric_scoring_equals_grid_search(case, rng):
    X, y = data("iris")
    weight = rng.uniform(0.5, 2.0, len(y))
    scoring, refit = MULTI_METRIC[case]
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    grid = {"learning_rate": [0.5, "auto"], "C": [0.1, 1.0]}
    ours, theirs = both_searches(
        X,
        y,
        grid,
        splits,
        weight,
        scoring=scoring,
        refit=refit,
        return_train_score=True,
        tol=1e-6,
        max_iter=5000,
    )
    names = list(scoring)
    keys = [
        f"{stat}_{part}_{name}"
        for name in names
        for part in ("test", "train")
        for stat in ["mean", "std"] + [f"split{k}" for k in range(3)]
    ]
    assert "mean_test_score" not in ours.cv_results_
    for key in keys:
        assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-8)
    for name in names:
        assert_array_equal(
            ours.cv_results_[f"rank_test_{name}"],
            theirs.cv_results_[f"rank_test_{name}"],
        )
    assert ours.multimetric_ and theirs.multimetric_
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, abs=1e-8)
    assert ours.best_score_ == ours.cv_results_[f"mean_test_{refit}"].max()
    assert sorted(ours.scorer_) == sorted(names)
    # score is the refit metric's.
    assert ours.score(X, y) == get_scorer(scoring[refit] if case == "dict" else refit)(
        ours, X, y
    )


def test_multi_metric_without_refit_keeps_only_the_results():
    X, y = data("iris")
    scoring = ["neg_log_loss", "accuracy"]
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=3, scoring=scoring, refit="accuracy"
    ).fit(X, y)
    assert hasattr(search, "coef_") and hasattr(search, "best_index_")
    search.set_params(refit=False).fit(X, y)
    # As GridSearchCV: no metric chooses, so no candidate and no model.
    for name in ("coef_", "intercept_", "best_index_", "best_params_", "C_", "n_iter_"):
        assert not hasattr(search, name), name
    assert set(search.cv_results_) >= {"mean_test_accuracy", "mean_test_neg_log_loss"}
    # No prediction methods, as GridSearchCV has none: hasattr tells the truth
    # to code that asks (meta-estimators, scorers), and a call says why.
    for method in PREDICTIONS:
        assert not hasattr(search, method), method
        with pytest.raises(AttributeError, match=method) as error:
            getattr(search, method)(X)
        assert f"no model to {method} with" in str(error.value.__cause__)
    with pytest.raises(NotFittedError, match="no model to score"):
        search.score(X, y)
    for method in ("sparsify", "densify"):
        with pytest.raises(NotFittedError, match=f"no model to {method}"):
            getattr(search, method)()


PREDICTIONS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def several_scores(estimator, X, y):
    """A callable scoring that gives several metrics (known only once called)."""
    return {"accuracy": estimator.score(X, y), "one": 1.0}


@pytest.mark.parametrize(
    "scoring, refit, before, after",
    [
        (["accuracy", "neg_log_loss"], False, False, False),
        (several_scores, False, True, False),
        (["accuracy", "neg_log_loss"], "accuracy", True, True),
        # One metric: refit=False predicts with the mean fold model, as
        # LogisticRegressionCV does.
        ("accuracy", False, True, True),
    ],
)
def test_prediction_methods_exist_where_a_model_is_to_come(
    scoring, refit, before, after
):
    X, y = data("iris")
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=3, scoring=scoring, refit=refit
    )
    for method in PREDICTIONS:
        assert hasattr(search, method) is before, method
    search.fit(X, y)
    for method in PREDICTIONS:
        assert hasattr(search, method) is after, method
    if after:
        assert_array_equal(search.predict_proba(X).argmax(axis=1), search.predict(X))


@pytest.mark.parametrize(
    "scoring, refit, match",
    [
        (["accuracy", "neg_log_loss"], True, "refit must be set to a scorer key"),
        ({"a": "accuracy"}, "neg_log_loss", "'neg_log_loss' was passed"),
        ("accuracy", "f1", "scoring='accuracy' is a single metric"),
        (None, "neg_log_loss", "scoring=None is a single metric"),
    ],
)
def test_refit_must_name_a_metric_of_the_scoring(scoring, refit, match):
    X, y = data("iris")
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=3, scoring=scoring, refit=refit
    )
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)


def _score(estimator, X, y):
    return estimator.score(X, y)


@pytest.mark.parametrize(
    "scoring, refit",
    [
        (None, "accuracy"),
        ("accuracy", "score"),
        (_score, "score"),
        ("f1_macro", "f1_macro"),
        (get_scorer("accuracy"), "accuracy"),
    ],
)
def test_refit_may_name_the_single_metric(scoring, refit):
    X, y = data("iris")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    ours, theirs = both_searches(
        X, y, {"learning_rate": ["auto"], "C": [0.01, 1.0]}, splits,
        scoring=scoring, refit=refit,
    )  # fmt: skip
    assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_params_ == theirs.best_params_
    assert ours.coef_.shape == theirs.best_estimator_.coef_.shape


def _accuracy_and_confidence(estimator, X, y):
    proba = estimator.predict_proba(X)
    return {
        "accuracy": accuracy_score(y, estimator.predict(X)),
        "confidence": float(proba.max(axis=1).mean()),
    }


# Learning rate 1e4 diverges.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_callable_returning_a_dict_is_multi_metric_as_in_grid_search():
    X, y = data("breast_cancer")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    grid = {"learning_rate": [0.1, 1e4, "auto"]}
    ours = BCELogisticRegressionCV(
        learning_rates=grid["learning_rate"],
        cv=splits,
        scoring=_accuracy_and_confidence,
        refit="confidence",
    ).fit(X, y)
    theirs = GridSearchCV(
        BCELogisticRegression(),
        grid,
        cv=splits,
        scoring=_accuracy_and_confidence,
        refit="confidence",
    ).fit(X, y)
    assert ours.multimetric_
    converged = ~ours.cv_results_["diverged"]
    assert converged.tolist() == [True, False, True]
    for name in ("accuracy", "confidence"):
        key = f"mean_test_{name}"
        assert_allclose(
            ours.cv_results_[key][converged], theirs.cv_results_[key][converged]
        )
        assert np.isnan(ours.cv_results_[key][1])
    assert ours.best_index_ == theirs.best_index_
    assert ours.score(X, y) == _accuracy_and_confidence(ours, X, y)["confidence"]

    # A callable refit chooses; a diverged candidate is refused.
    ours.set_params(refit=lambda results: 0)
    assert ours.fit(X, y).best_index_ == 0
    assert not hasattr(ours, "best_score_")
    with pytest.raises(ValueError, match="score uses the one refit names"):
        ours.score(X, y)
    ours.set_params(refit=lambda results: 1)
    with pytest.raises(ValueError, match="chose candidate 1, which diverged"):
        ours.fit(X, y)


def test_failing_metric_scores_error_score_alone():
    X, y = data("iris")

    def failing(estimator, X, y):
        raise ZeroDivisionError("no score")

    search = BCELogisticRegressionCV(
        learning_rates=["auto"],
        cv=3,
        scoring={"accuracy": "accuracy", "failing": failing},
        refit="accuracy",
        error_score=-1.0,
    )
    with pytest.warns(UserWarning, match="(?s)Scoring failed.*no score"):
        search.fit(X, y)
    assert_array_equal(search.cv_results_["mean_test_failing"], [-1.0])
    assert 0.8 < search.cv_results_["mean_test_accuracy"][0] <= 1.0
    # A metric that is NaN for every candidate ranks them all first, as in
    # GridSearchCV.
    search.set_params(learning_rates=["auto", 0.5, 1.0], error_score=np.nan)
    with (
        pytest.warns(UserWarning, match="Scoring failed"),
        pytest.warns(UserWarning, match="test scores are non-finite"),
    ):
        search.fit(X, y)
    assert search.cv_results_["rank_test_failing"].tolist() == [1, 1, 1]
    search.set_params(learning_rates=["auto"], error_score=-1.0)
    with pytest.raises(ZeroDivisionError):
        search.set_params(error_score="raise").fit(X, y)

    def not_a_number(estimator, X, y):
        return "high"

    with pytest.raises(ValueError, match="scoring must return a number, got high"):
        search.set_params(scoring=not_a_number, refit=True).fit(X, y)


def test_multi_metric_scorers_get_the_metadata_they_request(rng):
    X, y = data("iris")
    sample_weight = rng.uniform(0.2, 2.0, size=len(y))
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    with sklearn.config_context(enable_metadata_routing=True):
        scoring = {
            "weighted": get_scorer("neg_log_loss").set_score_request(
                sample_weight=True
            ),
            "unweighted": get_scorer("neg_log_loss").set_score_request(
                sample_weight=False
            ),
        }
        ours = BCELogisticRegressionCV(
            learning_rates=["auto"], cv=splits, scoring=scoring, refit="weighted"
        ).fit(X, y, sample_weight=sample_weight)
        theirs = GridSearchCV(
            BCELogisticRegression().set_fit_request(sample_weight=True),
            {"learning_rate": ["auto"]},
            cv=splits,
            scoring=scoring,
            refit="weighted",
        ).fit(X, y, sample_weight=sample_weight)
    for name in scoring:
        key = f"mean_test_{name}"
        assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-8)
    results = ours.cv_results_
    assert results["mean_test_weighted"] != results["mean_test_unweighted"]


def test_default_grid_converges_quietly_on_standardised_data():
    X, y = data("breast_cancer")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        search = BCELogisticRegressionCV(cv=3).fit(X, y)
    assert search.cv_results_["converged"].all()
    assert len(search.cv_results_["params"]) == 4


@pytest.mark.filterwarnings("ignore:One or more of the test scores:UserWarning")
@pytest.mark.parametrize("scoring", ["f1", ["f1", "accuracy"]])
def test_no_score_error_names_the_scorer_error(scoring):
    # f1's pos_label=1 is no label of "ham"/"spam": every scoring raises.
    X, y = data("breast_cancer")
    labels = np.where(y == 1, "spam", "ham")
    search = BCELogisticRegressionCV(
        learning_rates=["auto"],
        cv=3,
        scoring=scoring,
        refit="f1" if scoring != "f1" else True,
    )
    with pytest.warns(UserWarning, match="Scoring failed"):
        with pytest.raises(
            ValueError,
            match=r"'f1' raised an error for 3 \(candidate, fold\) pairs, the "
            r"first: ValueError: pos_label=1 is not a valid label",
        ):
            search.fit(X, labels)


def test_multi_metric_scorer_errors_of_its_own_are_raised(rng):
    # Not a scorer's error (which scores error_score) but the multi-metric
    # scorer's own: GridSearchCV lets them through, whatever error_score.
    X, y = data("iris")
    weight = rng.uniform(0.5, 2.0, len(y))

    def accuracy(estimator, X, y):  # a plain function: no weights request
        return accuracy_score(y, estimator.predict(X))

    search = BCELogisticRegressionCV(
        learning_rates=["auto"],
        cv=3,
        scoring={"ll": "neg_log_loss", "acc": accuracy},
        refit="ll",
        error_score=-1.0,
    )
    with (
        pytest.raises(AttributeError, match="_accept_sample_weight"),
        pytest.warns(UserWarning, match="acc=.* does not support sample_weight"),
    ):
        search.fit(X, y, sample_weight=weight)
    # Weights no scorer requests: GridSearchCV raises from scikit-learn 1.9.
    splits = list(StratifiedKFold(3).split(X, y))
    scoring = ["accuracy", "neg_log_loss"]
    search.set_params(scoring=scoring, refit="accuracy", cv=splits)
    outcomes = []
    with sklearn.config_context(enable_metadata_routing=True):
        grid = GridSearchCV(
            BCELogisticRegression().set_fit_request(sample_weight=True),
            {"learning_rate": ["auto"]},
            cv=splits,
            scoring=scoring,
            refit="accuracy",
            error_score=-1.0,
        )
        for estimator in (search, grid):
            try:
                estimator.fit(X, y, sample_weight=weight)
            except UnsetMetadataPassedError:
                outcomes.append("raised")
            else:
                outcomes.append(estimator.cv_results_["mean_test_accuracy"].tolist())
    assert outcomes[0] == outcomes[1]


def test_multi_metric_results_without_a_model_are_fitted():
    X, y = data("iris")
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=3, scoring=["accuracy", "f1_macro"], refit=False
    )
    with pytest.raises(NotFittedError, match="not fitted yet"):
        search.score(X, y)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        search.set_params(refit="accuracy").predict(X)
    search.set_params(refit=False).fit(X, y)
    check_is_fitted(search)  # as GridSearchCV(refit=False)


def test_a_failed_fit_leaves_the_previous_fit_whole():
    X, y = data("iris")
    search = BCELogisticRegressionCV(learning_rates=["auto"], cv=3).fit(X, y)
    before = dict(vars(search))
    X_binary, y_binary = data("breast_cancer")  # other classes and features
    search.set_params(learning_rates=[1e5, 1e6])
    with pytest.raises(ValueError, match="Every candidate diverged"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(1e3 * X_binary, y_binary)
    assert vars(search).keys() == before.keys()
    for name, value in before.items():
        if name.endswith("_"):  # the fitted attributes, as they were
            assert vars(search)[name] is value, name
    assert_array_equal(search.predict(X), before["best_estimator_"].predict(X))


def test_non_finite_train_scores_are_warned_as_in_grid_search():
    X, y = data("iris")

    def sometimes_nan(estimator, X, y):
        # The training parts (100 rows) score NaN, the held-out ones 1.
        return np.nan if len(y) > 60 else 1.0

    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=3, scoring=sometimes_nan, return_train_score=True
    )
    with pytest.warns(UserWarning, match=r"train scores are non-finite: \[nan\]"):
        search.fit(X, y)
    assert search.best_score_ == 1.0


@pytest.mark.parametrize(
    "class_weight, match",
    [
        ({0: -1.0, 1: 1.0}, "^class_weight must give finite, non-negative"),
        ({0: 0.0, 1: 0.0}, "^class_weight and sample_weight leave no sample"),
        ({0: 1e308, 1: 1e308}, "^The sample weights times their class weights"),
    ],
)
def test_class_weights_no_fit_can_use_are_refused_as_in_a_single_fit(
    class_weight, match
):
    # A bad parameter, not failed folds (nor "All the fits failed").
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(learning_rates=["auto"], class_weight=class_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=match):
            search.fit(X, y)
        with pytest.raises(ValueError, match=match):
            BCELogisticRegression(class_weight=class_weight).fit(X, y)


def test_class_weight_naming_a_class_a_training_part_lacks_fails_that_part():
    # As its single fit (and GridSearchCV): "The classes ... are not in
    # class_weight"; partial_fit alone takes a dict over declared classes.
    X, y = data("iris")
    lacking = np.arange(100, 150)  # class 2 held out: trained on 0 and 1
    rows = np.arange(150)
    splits = [(np.arange(100), lacking), (rows[::2], rows[1::2])]
    grid = {"learning_rate": ["auto"]}
    with pytest.warns(FitFailedWarning, match="not in class_weight"):
        ours, theirs = both_searches(
            X, y, grid, splits, class_weight={2: 5.0}, error_score=-10.0
        )
    for key in ("split0_test_score", "split1_test_score"):
        assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-8)
    assert_array_equal(ours.cv_results_["split0_test_score"], [-10.0])


def squared_iris():
    """Iris and its squared features, whose classes a fixed step treats unevenly,
    with three shuffled stratified splits."""
    X, y = data("iris")
    X = np.hstack([X, X**2])
    return X, y, list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))


def test_multiclass_iterations_and_divergence_count_every_class():
    # Iris with squared features: with a fixed step the one-vs-rest classes
    # stop at different iterations, and a large step diverges for some
    # classes only.  A (candidate, fold) takes as many iterations as its
    # slowest class and diverged if any class did.
    X, y, splits = squared_iris()
    params = {"solver": "gd", "tol": 0.05, "max_iter": 30}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = BCELogisticRegressionCV(
            learning_rates=[10.0, 40.0], cv=splits, **params
        ).fit(X, y)
        fold_fits = [
            [
                BCELogisticRegression(learning_rate=rate, **params).fit(
                    X[train], y[train]
                )
                for train, _ in splits
            ]
            for rate in (10.0, 40.0)
        ]
    results = search.cv_results_
    for i, fits in enumerate(fold_fits):
        for k, fit in enumerate(fits):
            assert results[f"split{k}_n_iter"][i] == fit.n_iter_.max()
    slow = fold_fits[0][0].n_iter_
    assert slow.min() < slow.max()  # the classes stop apart
    partly = [fit.stop_reason_ for fit in fold_fits[1]]
    assert all("diverged" in r and set(r) != {"diverged"} for r in partly)
    assert results["diverged"].tolist() == [False, True]
    assert np.isnan(results["mean_test_score"][1])


@pytest.mark.parametrize("limit", ["coefficients", "working_memory"])
def test_columns_in_several_runs_give_the_results_of_one_run(
    limit, monkeypatch, capsys
):
    # With many coefficients per column, or logits of many samples (stored
    # by "nesterov" beyond scikit-learn's working_memory), a search trains
    # its columns in several descents: each column's results must not depend
    # on the split.

    X, y = data("iris")
    X = np.hstack([X, X**2])
    params = {
        "learning_rates": ["auto", 0.5, 20.0],
        "Cs": [0.1, 10.0],
        "cv": 3,
        "max_iter": 100,
    }
    with warnings.catch_warnings(record=True) as one_run:
        warnings.simplefilter("always", ConvergenceWarning)
        whole = BCELogisticRegressionCV(**params).fit(X, y)
    # 7 columns per run: 18 "auto" columns in runs of 7, 7 and 4 (7.5
    # columns of 150 float64 logits in MiB).
    memory = 7.5 * 150 * 8 / 2**20 if limit == "working_memory" else None
    if limit == "coefficients":
        monkeypatch.setattr(_search, "RUN_COEF_BYTES", 7 * 9 * 8)
    with (
        warnings.catch_warnings(record=True) as runs,
        sklearn.config_context(working_memory=memory),
    ):
        warnings.simplefilter("always", ConvergenceWarning)
        split = BCELogisticRegressionCV(verbose=1, **params).fit(X, y)
    out = capsys.readouterr().out
    assert "= 18 columns, in 3 runs of at most 7" in out
    assert "= 36 columns, in 6 runs of at most 7" in out
    # The same warnings, naming the same candidates (and 1/L of each).
    assert [str(w.message) for w in runs] == [str(w.message) for w in one_run]
    assert any("1/L" in str(w.message) for w in runs)
    expected, results = whole.cv_results_, split.cv_results_
    assert results["diverged"].any() and not results["converged"].all()
    # BLAS products of other widths round differently, by 1e-14 at most for
    # the candidates that settle or stop; the one that swings for its 100
    # steps (C=10, learning rate 20) amplifies that to 5e-7 (1e-6 with
    # NumPy 1.24): it gets a tolerance of its own.
    swinging = np.array(
        [p == {"C": 10.0, "learning_rate": 20.0} for p in expected["params"]]
    )
    assert not (results["diverged"] | results["converged"])[swinging].any()
    assert all(results[f"split{k}_n_iter"][swinging] == 100 for k in range(3))
    for key in expected:
        if key.startswith(("split", "mean_", "std_")) and "time" not in key:
            for rows, rtol in ((~swinging, 1e-10), (swinging, 1e-4)):
                assert_allclose(
                    results[key][rows], expected[key][rows], rtol=rtol, err_msg=key
                )
    for key in ("rank_test_score", "diverged", "converged"):
        assert_array_equal(results[key], expected[key], err_msg=key)
    for curve, reference, swings in zip(
        results["loss_curve"], expected["loss_curve"], swinging, strict=True
    ):
        assert_allclose(curve, reference, rtol=1e-4 if swings else 1e-10)
    assert_allclose(split.coef_, whole.coef_, rtol=1e-10)


def test_elastic_net_search_refits_the_elastic_net():
    X, y = data("breast_cancer")
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], Cs=[0.1], l1_ratio=0.5, tol=1e-8, cv=3
    ).fit(X, y)
    assert search.best_estimator_.l1_ratio == 0.5
    single = BCELogisticRegression(C=0.1, l1_ratio=0.5, tol=1e-8).fit(X, y)
    assert np.count_nonzero(single.coef_) < X.shape[1]  # the L1 part zeroes some
    assert_array_equal(search.coef_ == 0, single.coef_ == 0)
    assert_allclose(search.coef_, single.coef_, atol=1e-6)


def test_wide_correlated_search_equals_grid_search(correlated_wide_data):
    # Beyond 256 coefficients the descent goes on with the full bound after
    # 50 diagonal iterations: the search's columns switch as the single fits
    # do (a bound per fold and C), so the scores still agree.
    X, y = correlated_wide_data(n_classes=3)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    ours, theirs = both_searches(
        X, y, {"learning_rate": ["auto"], "C": [0.1, 1.0]}, splits, tol=1e-8
    )
    assert_allclose(
        ours.cv_results_["mean_test_score"],
        theirs.cv_results_["mean_test_score"],
        rtol=0,
        atol=1e-8,
    )
    assert (ours.cv_results_["mean_n_iter"] < 100).all()


def test_search_without_intercept_refits_without_intercept():
    # fit_intercept=False reaches the refit: no intercept, and the coefficients
    # of a single fit without one at the chosen parameters.
    X, y = data("iris")
    search = BCELogisticRegressionCV(
        learning_rates=["auto", 0.5], Cs=[0.1, 1.0], fit_intercept=False, tol=1e-11
    ).fit(X, y)
    model = search.best_estimator_
    assert model.fit_intercept is False
    assert_array_equal(search.intercept_, np.zeros(3))
    assert_array_equal(model.intercept_, np.zeros(3))
    single = BCELogisticRegression(
        C=search.C_,
        learning_rate=search.learning_rate_,
        fit_intercept=False,
        tol=1e-11,
        max_iter=10_000,
    ).fit(X, y)
    assert_allclose(search.coef_, single.coef_, atol=1e-8)
    assert_allclose(model.coef_, single.coef_, atol=1e-8)


def test_bootstrap_splits_count_repeated_rows_as_grid_search():
    # A row listed k times in a training part weighs k times, as in X[train].
    X, y = data("iris")
    rng = np.random.default_rng(3)
    rows = np.arange(len(y))
    splits = []
    for _ in range(3):
        train = rng.integers(0, len(y), len(y))
        splits.append((train, np.setdiff1d(rows, train)))
    grid = {"learning_rate": ["auto", 0.5]}
    ours, theirs = both_searches(X, y, grid, splits, tol=1e-7, max_iter=5000)
    assert ours.cv_results_["converged"].all()
    for k in range(3):
        key = f"split{k}_test_score"
        assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-8)


def test_training_part_lacking_a_class_trains_as_its_single_fit():
    # Split 0 trains on classes 0 and 1 only and holds out some of them: its
    # fold fit is binary.  Split 1 also holds out class 2, which its model
    # never saw: probability 0 (the log-loss clips it), the same for every
    # candidate, where GridSearchCV's fold model cannot score it.
    X, y = data("iris")
    splits = [
        (np.r_[0:40, 50:90], np.r_[40:50, 90:100]),
        (np.r_[0:100:2], np.r_[1:100:2, 100:150]),
    ]
    grid = {"learning_rate": ["auto", 1.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # GridSearchCV's NaN
        ours, theirs = both_searches(X, y, grid, splits, tol=1e-8, max_iter=5000)
    results = ours.cv_results_
    assert results["converged"].all()
    assert_allclose(
        results["split0_test_score"], theirs.cv_results_["split0_test_score"], atol=1e-8
    )
    model = BCELogisticRegression(tol=1e-8, max_iter=5000).fit(
        X[splits[0][0]], y[splits[0][0]]
    )
    assert model.coef_.shape[0] == 1  # binary
    assert results["split0_n_iter"][0] == model.n_iter_[0]
    # Split 1: the held-out class 2 rows get the clipped zero probability.
    held_out = splits[1][1]
    eps = np.finfo(X.dtype).eps
    for c, params in enumerate(results["params"]):
        single = BCELogisticRegression(tol=1e-8, max_iter=5000, **params).fit(
            X[splits[1][0]], y[splits[1][0]]
        )
        proba = np.zeros((held_out.size, 3))
        proba[:, :2] = single.predict_proba(X[held_out])
        expected = -log_loss(y[held_out], np.clip(proba, eps, None), labels=[0, 1, 2])
        assert results["split1_test_score"][c] == pytest.approx(expected, abs=1e-8)
    assert np.isnan(theirs.cv_results_["split1_test_score"]).all()
    assert ours.coef_.shape == (3, X.shape[1]) and np.isfinite(ours.coef_).all()


def test_refit_false_averages_a_class_over_the_folds_that_trained_it():
    # Split 1's training part lacks class 2: the mean model's class 2 is the
    # mean of the fold models that trained it (here split 0's alone), not
    # that model shrunk by the folds that lack it.
    rng = np.random.RandomState(0)
    X = rng.randn(90, 2)
    y = np.repeat([0, 1, 2], 30)
    X[y == 1] += 2
    X[y == 2] -= 2
    rows = np.arange(90)
    splits = [
        (rows[rows % 3 != 0], rows[rows % 3 == 0]),
        (rows[(rows % 3 != 1) & (y != 2)], rows[rows % 3 == 1]),
    ]
    params = {"tol": 1e-10, "max_iter": 10_000}
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=splits, refit=False, **params
    ).fit(X, y)
    folds = [BCELogisticRegression(**params).fit(X[t], y[t]) for t, _ in splits]
    assert folds[1].classes_.tolist() == [0, 1]
    assert_allclose(search.coef_[2], folds[0].coef_[2], rtol=1e-6)
    assert_allclose(search.intercept_[2], folds[0].intercept_[2], rtol=1e-6)
    # The classes both folds trained: the plain mean of the two, split 1's
    # binary model w giving class 1 the column w and class 0 the column -w.
    for got, name in [(search.coef_, "coef_"), (search.intercept_, "intercept_")]:
        binary = getattr(folds[1], name)[0]
        both = (getattr(folds[0], name)[:2] + np.stack([-binary, binary])) / 2
        assert_allclose(got[:2], both, rtol=1e-6)


def test_refit_false_counts_a_mirrored_class_with_its_partner():
    # Each training part of KFold(3) holds two of the three classes: it
    # trains one column, and its other class is that column negated, fitted
    # in the same iterations (as its fold model, given to scorers, says).
    X = np.random.RandomState(0).randn(60, 3)
    y = np.repeat([0, 1, 2], 20)
    splits = list(KFold(3).split(X, y))
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=splits, refit=False
    ).fit(X, y)
    for f, (train, _) in enumerate(splits):
        model = BCELogisticRegression().fit(X[train], y[train])
        expected = np.zeros(3, dtype=int)
        expected[model.classes_] = model.n_iter_[0]
        assert_array_equal(search.n_iter_[f], expected)
    assert (search.n_iter_ > 0).sum(axis=1).tolist() == [2, 2, 2]


def test_empty_training_part_fails_as_in_grid_search():
    X, y = data("iris")
    rows = np.arange(150)
    splits = [
        (np.array([], dtype=int), rows[:50]),
        (rows[::2], rows[1::2]),
        (rows[1::2], rows[::2]),
    ]
    with pytest.warns(FitFailedWarning, match="0 sample"):
        ours, theirs = both_searches(
            X, y, {"learning_rate": ["auto"]}, splits, error_score=-10.0
        )
    for k in range(3):
        key = f"split{k}_test_score"
        assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-8)
    assert ours.cv_results_["split0_test_score"][0] == -10.0


def test_all_zero_training_weights_fail_with_the_single_fits_reason():
    X, y = data("iris")
    rows = np.arange(150)
    # Fold 0 trains on rows of weight 0; no fold tests on them (whose scores
    # would fail for the same reason).
    splits = [(rows[::2], rows[1::2]), (rows[1::2], rows[1::2])]
    sample_weight = np.ones(150)
    sample_weight[::2] = 0
    with pytest.warns(FitFailedWarning, match="all-zero sample_weight"):
        search = BCELogisticRegressionCV(
            learning_rates=["auto"], cv=splits, error_score=-10.0
        ).fit(X, y, sample_weight=sample_weight)
    assert search.cv_results_["split0_test_score"][0] == -10.0
    with pytest.raises(ValueError, match="at least one positive value"):
        BCELogisticRegressionCV(
            learning_rates=["auto"], cv=splits, error_score="raise"
        ).fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_C_whose_penalty_overflows_refuses_the_search(dtype):
    # Unlike GridSearchCV (error_score for that candidate), as documented: the
    # single fit's error, before any run.
    X, y = data("breast_cancer")
    X = X.astype(dtype)
    tiny = 0.5 / np.finfo(dtype).max / 569
    search = BCELogisticRegressionCV(learning_rates=["auto"], Cs=[tiny, 1.0], cv=3)
    with pytest.raises(ValueError, match=r"C=.* is too small .* Use a larger C"):
        search.fit(X, y)
    # Four times as large, C S is above 1 / max in every fold: fitted.
    search.set_params(Cs=[4 * tiny, 1.0]).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_splits_as_masks_and_negative_indices_as_in_grid_search():
    X, y = data("iris")
    n = len(y)
    rows = np.arange(n)
    indices = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    masks = [(np.isin(rows, train), np.isin(rows, test)) for train, test in indices]
    every_row = np.ones(n, dtype=bool)
    for splits in (
        masks,
        [(train - n, test - n) for train, test in indices],  # negative indices
        [(every_row, rows[::3])],  # a mask that trains on every row
    ):
        ours, theirs = both_searches(X, y, {"learning_rate": ["auto", 0.5]}, splits)
        for k in range(len(splits)):
            key = f"split{k}_test_score"
            assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-8)
    wrong_length = [(every_row[:-1], rows[:10])]
    # numpy's error, as GridSearchCV gives it.
    with pytest.raises(IndexError, match=r"boolean .* 150 .* 149"):
        BCELogisticRegressionCV(learning_rates=["auto"], cv=wrong_length).fit(X, y)
    # Float indices: scikit-learn's error, as GridSearchCV gives it.
    float_indices = [(train * 1.0, test * 1.0) for train, test in indices]
    for search in (
        BCELogisticRegressionCV(learning_rates=["auto"], cv=float_indices),
        GridSearchCV(BCELogisticRegression(), {"C": [1.0]}, cv=float_indices),
    ):
        with pytest.raises(ValueError, match="No valid specification of the columns"):
            search.fit(X, y)


@pytest.mark.parametrize(
    "cv, match",
    [
        ([], "No fits were performed"),
        (
            type("Five", (StratifiedKFold,), {"get_n_splits": lambda *a, **k: 5})(3),
            "inconsistent results. Expected 5 splits, got 3",
        ),
    ],
)
def test_cv_without_splits_or_inconsistent_is_refused_as_in_grid_search(cv, match):
    X, y = data("iris")
    for search in (
        BCELogisticRegressionCV(learning_rates=["auto"], cv=cv),
        GridSearchCV(BCELogisticRegression(), {"learning_rate": ["auto"]}, cv=cv),
    ):
        with pytest.raises(ValueError, match=match):
            search.fit(X, y)


def test_scorer_gets_each_fold_model_fitted_as_grid_search():
    X, y = data("iris")
    seen = []

    def iterations(estimator, X, y):
        seen.append(estimator)
        assert estimator.loss_curve_.shape == (3, estimator.n_iter_.max())
        assert estimator.converged_.all()
        assert_array_equal(estimator.stop_reason_, "converged")
        return -float(estimator.n_iter_.max())

    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    ours, theirs = both_searches(
        X, y, {"learning_rate": ["auto", 1.0]}, splits, scoring=iterations
    )
    assert_array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    assert len({id(model) for model in seen}) == len(seen) == 2 * 6


def test_results_keys_in_grid_search_order():
    X, y = data("iris")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    ours, theirs = both_searches(
        X,
        y,
        {"learning_rate": ["auto"], "C": [1.0]},
        splits,
        scoring=["accuracy", "neg_log_loss"],
        refit="accuracy",
        return_train_score=True,
    )
    keys = list(ours.cv_results_)
    assert keys[: len(theirs.cv_results_)] == list(theirs.cv_results_)


@pytest.mark.parametrize("given", ["named DataFrame", "DataFrame", "lists"])
def test_splitter_and_scorer_get_the_data_as_given(given):
    pd = pytest.importorskip("pandas")
    X, y = data("iris")
    if given == "lists":
        X, y = X.tolist(), y.tolist()
    else:
        columns = list("abcd") if given == "named DataFrame" else None
        X = pd.DataFrame(X, columns=columns)
        y = pd.Series(y, index=y.size - np.arange(150))
    seen = {}

    class Recording(StratifiedKFold):
        def split(self, X, y=None, groups=None):
            seen.setdefault("split", set()).add((type(X).__name__, type(y).__name__))
            return super().split(X, y, groups)

    def scorer(name):
        def score(estimator, X, y):
            seen.setdefault(name, set()).add((type(X).__name__, type(y).__name__))
            return accuracy_score(y, estimator.predict(X))

        return score

    BCELogisticRegressionCV(
        learning_rates=["auto"], cv=Recording(3), scoring=scorer("ours")
    ).fit(X, y)
    our_split = seen.pop("split")
    GridSearchCV(
        BCELogisticRegression(),
        {"learning_rate": ["auto"]},
        cv=Recording(3),
        scoring=scorer("theirs"),
    ).fit(X, y)
    assert our_split == seen["split"] and seen["ours"] == seen["theirs"]
    assert len(seen["ours"]) == 1


def test_scoring_set_is_refused_as_in_grid_search():
    X, y = data("iris")
    search = BCELogisticRegressionCV(scoring={"accuracy", "neg_log_loss"})
    with pytest.raises(ValueError, match="'scoring' parameter"):
        search.fit(X, y)


@pytest.mark.parametrize("value", [5, 1.5, ["accuracy"]])
def test_scoring_dict_values_must_be_scorers(value):
    # As in GridSearchCV, whose nested check_scoring refuses them.
    X, y = data("iris")
    search = BCELogisticRegressionCV(scoring={"a": value}, refit="a")
    with pytest.raises(InvalidParameterError, match=r"'scoring'.*Got .* for 'a'"):
        search.fit(X, y)


def test_scoring_dict_value_none_is_the_accuracy_as_in_grid_search():
    X, y = data("iris")
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=3, scoring={"a": None}, refit="a"
    ).fit(X, y)
    plain = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=3, scoring="accuracy"
    ).fit(X, y)
    assert_array_equal(
        search.cv_results_["mean_test_a"], plain.cv_results_["mean_test_score"]
    )


def test_missing_class_keeps_decision_values_finite():
    # Split 0 never trains class 2: its fold model gives it probability 0
    # with a finite decision value, so decision-value scorers score it.
    X, y = data("iris")
    splits = [
        (np.r_[0:40, 50:90], np.r_[40:50, 90:150]),
        (np.r_[0:150:2], np.r_[1:150:2]),
    ]
    seen = []

    def finite_decisions(estimator, X, y):
        decision = estimator.decision_function(X)
        seen.append(np.isfinite(decision).all())
        return float(estimator.predict_proba(X)[:, 2].max())

    search = BCELogisticRegressionCV(
        learning_rates=["auto"],
        cv=splits,
        scoring={"top_k": "top_k_accuracy", "p2": finite_decisions},
        refit="top_k",
        error_score="raise",
    ).fit(X, y)
    assert all(seen) and len(seen) == 2
    assert np.isfinite(search.cv_results_["split0_test_top_k"]).all()
    assert search.cv_results_["split0_test_p2"][0] < 1e-300


def test_refit_false_gives_a_class_no_fold_trained_no_probability():
    X, y = data("iris")
    splits = [  # class 2 is never trained
        (np.r_[0:50:2, 50:100:2], np.r_[1:50:2, 51:100:2, 100:150]),
        (np.r_[1:50:2, 51:100:2], np.r_[0:50:2, 50:100:2, 100:150]),
    ]
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=splits, refit=False, scoring="accuracy"
    ).fit(X, y)
    assert search.predict_proba(X)[:, 2].max() < 1e-300
    assert np.isfinite(search.decision_function(X)).all()


def far_rows_of_a_rare_class(dtype, distance):
    """Iris and six rows of a fourth class where every class's logit is low.

    The rows lie along a direction that lowers the three one-vs-rest logits
    of a model of iris to about ``-distance``: below ``log(tiny)`` (-87 in
    float32, -708 in float64) for the distances used here.
    """
    X, y = load_iris(return_X_y=True)
    coef = BCELogisticRegression(tol=1e-6).fit(X, y).coef_
    direction = -np.linalg.pinv(coef) @ np.ones(3)
    direction /= np.abs(coef @ direction).min()
    rng = np.random.RandomState(0)
    far = X.mean(0) + distance * direction + 0.1 * rng.randn(6, 4)
    return np.vstack([far, X]).astype(dtype), np.r_[[3] * 6, y]


# The far rows leave the data unscaled: some fits run out of max_iter.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype, distance", [(np.float32, 150.0), (np.float64, 1200.0)])
def test_a_class_missing_from_training_is_never_predicted(dtype, distance):
    # Where every trained class's logit is below the missing class's constant
    # log(tiny), that class won predict and took the probability: accuracy
    # 0.944 (float32) where GridSearchCV's fold model, without the class,
    # scores 0.778.
    X, y = far_rows_of_a_rare_class(dtype, distance)
    rng = np.random.RandomState(1)
    order = 6 + rng.permutation(150)
    splits = [  # split 0's training part lacks class 3
        (order[:120], np.r_[0:6, order[120:]]),
        (np.r_[0:3, order[:100]], np.r_[3:6, order[100:]]),
        (np.r_[3:6, order[50:]], np.r_[0:3, order[:50]]),
    ]
    grid = {"C": [1.0], "learning_rate": ["auto"]}
    ours, theirs = (
        search.fit(X, y)
        for search in (
            BCELogisticRegressionCV(
                learning_rates=["auto"], cv=splits, scoring="accuracy"
            ),
            GridSearchCV(BCELogisticRegression(), grid, cv=splits, scoring="accuracy"),
        )
    )
    assert_allclose(
        ours.cv_results_["split0_test_score"], theirs.cv_results_["split0_test_score"]
    )
    # The mean of fold models that never trained class 3 never predicts it.
    never = [(order[:120], order[120:]), (order[30:], order[:30])]
    search = BCELogisticRegressionCV(
        learning_rates=["auto"], cv=never, refit=False
    ).fit(X, y)
    assert search.decision_function(X[:6]).max(axis=1).max() < np.log(
        np.finfo(dtype).tiny
    )
    assert not np.any(search.predict(X) == 3)
    da = pytest.importorskip("dask.array")
    assert not np.any(search.predict(da.from_array(X, chunks=50)).compute() == 3)
    proba = search.predict_proba(X[:6])
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert proba[:, 3].max() < 1e-6 * proba[:, :3].min()
    assert np.isfinite(search.decision_function(X)).all()
    # A refit (the class is in the data) drops the lowering, as does a fold
    # model fitted again (by a scorer that keeps it, say).
    search.set_params(refit=True).fit(X, y)
    assert search.predict(X[:6]).tolist() == [3] * 6
    kept = []

    def keep(estimator, X, y):
        kept.append(estimator)
        return 0.0

    search.set_params(scoring=keep, cv=never).fit(X, y)
    assert search.predict(X[:6]).tolist() == [3] * 6
    assert kept[0].predict(X[:6]).tolist() != [3] * 6
    assert kept[0].fit(X, y).predict(X[:6]).tolist() == [3] * 6


@pytest.mark.filterwarnings("ignore:One or more of the test scores:UserWarning")
def test_no_score_error_blames_failed_training_parts_alone():
    X, y = data("iris")
    rows = np.arange(150)
    splits = [(np.array([], dtype=int), rows[:50]), (rows[::2], rows[1::2])]
    search = BCELogisticRegressionCV(learning_rates=["auto"], cv=splits)
    with pytest.warns(FitFailedWarning), pytest.raises(ValueError) as error:
        search.fit(X, y)
    assert "1 of 2 training parts could not be fitted" in str(error.value)
    assert "scorer" not in str(error.value)


def test_huge_weights_search_as_their_ratios_with_c_scaled():
    # As for the single fit: weights times 1e303 with every C divided by it
    # are the same problems, whose X^T (s * residual) would overflow.  tol=0
    # asks for max_iter iterations: no warning, as from the single fit.
    X, y = data("breast_cancer")
    X = X * 1e4
    ratios = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    params = {"learning_rates": ["auto", 1e-9], "cv": 3, "max_iter": 100, "tol": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = BCELogisticRegressionCV(Cs=[1e-3, 1e-2], **params).fit(
            X, y, sample_weight=ratios
        )
        search = BCELogisticRegressionCV(Cs=[1e-306, 1e-305], **params).fit(
            X, y, sample_weight=ratios * 1e303
        )
    for key in ("mean_test_score", "split0_test_score", "rank_test_score"):
        assert_allclose(search.cv_results_[key], expected.cv_results_[key], rtol=1e-9)
    assert_allclose(search.coef_, expected.coef_, rtol=1e-9)
    assert_allclose(search.intercept_, expected.intercept_, rtol=1e-9)


# C=inf beside l1_ratio=0.5 on purpose: its columns have no penalty (and
# the refit of GridSearchCV separates the classes).
@pytest.mark.filterwarnings("ignore:l1_ratio=0.5 is not used:UserWarning")
@pytest.mark.filterwarnings(
    "ignore:The model separates:sklearn.exceptions.ConvergenceWarning"
)
@pytest.mark.parametrize(
    "case",
    ["l1 beside no penalty", "l1 beside a vanishing penalty", "bounds beyond memory"],
)
def test_each_auto_column_takes_the_step_rule_of_its_single_fit(case, monkeypatch):
    # "auto" uses the full curvature bound where it can, its diagonal with an
    # L1 term or when the bounds would not fit in memory.  A single fit
    # decides for itself; so must each column of the search, even beside
    # columns decided otherwise: C=inf has no L1 term whatever l1_ratio, nor
    # has a C so large that 1/(C n) is 0, and a memory limit (lowered here,
    # to 2 bounds) holds for a fit's bounds.
    X, y = data("breast_cancer")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    if case.startswith("l1"):
        large = np.inf if case == "l1 beside no penalty" else 1e306
        grid = {"learning_rate": ["auto"], "C": [1.0, large]}
        params = {"l1_ratio": 0.5}
    else:
        from sklearn_bce import _solver

        n_coef = X.shape[1] + 1
        monkeypatch.setattr(_solver, "FULL_METRIC_MAX_BYTES", 8 * 9 * n_coef**2)
        assert _solver.full_metric_max_bounds(n_coef) == 2
        grid = {"learning_rate": ["auto"], "C": [0.1, 1.0, 10.0]}
        params = {}
    ours, theirs = both_searches(X, y, grid, splits, tol=1e-3, **params)
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        assert_allclose(
            ours.cv_results_[key], theirs.cv_results_[key], rtol=0, atol=1e-8
        )


def documented_defaults(cls):
    """The ``default=`` of each parameter in the class docstring."""
    defaults = {}
    # cleandoc: Python 3.13 strips the docstring's indentation, 3.11 not.
    doc = inspect.cleandoc(cls.__doc__)
    for name in inspect.signature(cls).parameters:
        match = re.search(rf"^{name} : .*default=(.+)$", doc, re.MULTILINE)
        assert match, name
        defaults[name] = eval(match.group(1), {"np": np})
    return defaults


def test_defaults_are_the_documented_ones():
    search = BCELogisticRegressionCV()
    for name, documented in documented_defaults(BCELogisticRegressionCV).items():
        value = search.get_params()[name]
        if isinstance(documented, float) and np.isnan(documented):
            assert np.isnan(value), name
        else:
            assert value == documented and type(value) is type(documented), name
    # The parameters shared with the estimator default as in the estimator.
    estimator = BCELogisticRegression().get_params()
    shared = set(estimator) & set(search.get_params())
    assert shared >= {"solver", "max_iter", "tol", "l1_ratio", "class_weight"}
    for name in shared:
        assert search.get_params()[name] == estimator[name], name


def test_tied_mean_scores_share_the_lowest_rank_as_in_grid_search():
    # Accuracy ties: "auto" and 0.5 predict alike at each C.  Tied candidates
    # share the best rank of the tie and the next one skips past it.
    X, y = data("iris")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    grid = {"learning_rate": ["auto", 0.5], "C": [0.01, 1.0]}
    ours, theirs = both_searches(X, y, grid, splits, scoring="accuracy")
    means = ours.cv_results_["mean_test_score"]
    assert len(np.unique(means)) < len(means)  # there are ties
    expected = [1 + int(np.sum(means > mean)) for mean in means]
    assert ours.cv_results_["rank_test_score"].tolist() == expected
    assert_array_equal(
        ours.cv_results_["rank_test_score"], theirs.cv_results_["rank_test_score"]
    )


def test_the_model_comes_from_the_chosen_candidates_fold_fits():
    # The best candidate is not the first: with refit=False the model is the
    # mean of its fold fits and n_iter_ their iterations; the refit starts
    # from that mean (coefficients and intercepts).
    X, y = data("iris")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    params = {"learning_rates": ["auto"], "Cs": [0.01, 1.0], "cv": splits}
    averaged = BCELogisticRegressionCV(refit=False, **params).fit(X, y)
    assert averaged.best_index_ != 0
    best = averaged.best_params_
    folds = [
        BCELogisticRegression(**best).fit(X[train], y[train]) for train, _ in splits
    ]
    mean_coef = np.mean([fit.coef_ for fit in folds], axis=0)
    mean_intercept = np.mean([fit.intercept_ for fit in folds], axis=0)
    assert_allclose(averaged.coef_, mean_coef, rtol=0, atol=1e-10)
    assert_allclose(averaged.intercept_, mean_intercept, rtol=0, atol=1e-10)
    assert_array_equal(averaged.n_iter_, [fit.n_iter_ for fit in folds])

    refitted = BCELogisticRegressionCV(**params).fit(X, y)
    assert refitted.best_params_ == best
    reference = BCELogisticRegression(warm_start=True, **best)
    reference.coef_, reference.intercept_ = mean_coef, mean_intercept
    reference.fit(X, y)
    assert_allclose(refitted.coef_, reference.coef_, rtol=0, atol=1e-10)
    assert_allclose(refitted.intercept_, reference.intercept_, rtol=0, atol=1e-10)
    assert_array_equal(refitted.n_iter_, reference.n_iter_)


def test_fit_and_score_times_are_shared_and_averaged_as_documented(monkeypatch):
    # A clock that moves only when told: each descent takes 1 s and scoring
    # a fold model C s per held-out row.  A fit time is the time of the runs
    # of its step rule divided among their candidates and folds; score times
    # are averaged over the folds with numpy's std, as in GridSearchCV.

    now = [0.0]
    monkeypatch.setattr(_search, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    runs = {"auto": 0, "fixed": 0}
    run_solver = _search.run_solver

    def timed_run_solver(objective, coef, **params):
        runs["auto" if isinstance(params["learning_rate"], str) else "fixed"] += 1
        now[0] += 1.0
        return run_solver(objective, coef, **params)

    monkeypatch.setattr(_search, "run_solver", timed_run_solver)

    def scorer(estimator, X, y):
        now[0] += estimator.C * len(y)
        return 0.0

    X, y = data("iris")
    splits = list(StratifiedKFold(4).split(X, y))  # 38, 38, 37 and 37 held out
    search = BCELogisticRegressionCV(
        learning_rates=["auto", 0.5], Cs=[1.0, 2.0], cv=splits, scoring=scorer
    ).fit(X, y)
    results = search.cv_results_
    held_out = np.array([len(test) for _, test in splits])
    durations = np.array([params["C"] * held_out for params in results["params"]])
    assert_allclose(results["mean_score_time"], durations.mean(axis=1))
    assert_allclose(results["std_score_time"], durations.std(axis=1))
    auto = np.array([params["learning_rate"] == "auto" for params in results["params"]])
    assert runs["auto"] >= 1 and runs["fixed"] >= 1
    expected = np.where(
        auto,
        runs["auto"] / (auto.sum() * len(splits)),
        runs["fixed"] / ((~auto).sum() * len(splits)),
    )
    assert_allclose(results["mean_fit_time"], expected)
    assert_array_equal(results["std_fit_time"], 0.0)


def test_a_binary_training_part_trains_one_column_as_its_single_fit(monkeypatch):
    # Split 0 trains on two of iris's classes: one column (the other is its
    # mirror), as the fold's binary fit; split 1 trains all three.
    X, y = data("iris")
    splits = [
        (np.r_[0:40, 50:90], np.r_[40:50, 90:100]),
        (np.r_[0:150:2], np.r_[1:150:2]),
    ]
    widths = []
    run_solver = _search.run_solver

    def counted_run_solver(objective, coef, **params):
        widths.append(coef.shape[1])
        return run_solver(objective, coef, **params)

    monkeypatch.setattr(_search, "run_solver", counted_run_solver)
    BCELogisticRegressionCV(learning_rates=["auto", 0.5], cv=splits).fit(X, y)
    assert widths == [1 + 3, 1 + 3]  # per run: the "auto" and the fixed step


def test_fold_model_of_a_binary_training_part_reports_its_single_fit():
    # Split 0 trains on classes 0 and 1 only: its fold fit is binary.  The
    # scorer's fold model has the search's three classes; the two trained
    # ones report the binary fit's iterations and stop reason, and class 2,
    # never trained, none.
    X, y = data("iris")
    splits = [
        (np.r_[0:40, 50:90], np.r_[40:50, 90:100]),
        (np.r_[0:150:2], np.r_[1:150:2]),
    ]
    seen = {}

    def record(estimator, X, y):
        seen[len(y)] = estimator
        return 0.0

    BCELogisticRegressionCV(learning_rates=["auto"], cv=splits, scoring=record).fit(
        X, y
    )
    train = splits[0][0]
    single = BCELogisticRegression().fit(X[train], y[train])
    model = seen[len(splits[0][1])]
    assert model.n_iter_.tolist() == [single.n_iter_[0]] * 2 + [0]
    assert model.stop_reason_.tolist() == [single.stop_reason_[0]] * 2 + ["not trained"]
    assert model.converged_.tolist() == [True, True, False]
    assert_allclose(model.loss_curve_[1], single.loss_curve_)
    assert_allclose(model.loss_curve_[0], single.loss_curve_)


def test_a_fold_with_some_classes_unfinished_is_an_unfinished_fold_fit():
    # Iris with squared features, plain descent with a fixed step: in some
    # folds one or two classes run out of max_iter while the others
    # converge.  Each such fold's own fit warns; the search counts them all.
    X, y, splits = squared_iris()
    params = {"solver": "gd", "tol": 0.05, "max_iter": 6}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reasons = [
            BCELogisticRegression(learning_rate=10.0, **params)
            .fit(X[train], y[train])
            .stop_reason_
            for train, _ in splits
        ]
    unfinished = sum("max_iter" in reason for reason in reasons)
    assert all("converged" in reason for reason in reasons)  # never all classes
    assert unfinished > 0
    search = BCELogisticRegressionCV(learning_rates=[10.0], cv=splits, **params)
    with pytest.warns(ConvergenceWarning) as record:
        search.fit(X, y)
    assert re.match(
        rf"1 candidate did not converge in max_iter=6 iterations \({unfinished} "
        rf"of its 3 fold fits\)",
        str(record[0].message),
    )
    assert search.cv_results_["converged"].tolist() == [False]


def test_a_candidate_diverging_in_some_folds_is_marked_diverged():
    # Eight rows 1000 times the others' scale, held out by the first fold
    # only: a step of 3 converges there and blows up within ten iterations
    # in the other two folds, as each fold's own fit says.
    X, y = make_classification(400, 6, random_state=1)
    X = StandardScaler().fit_transform(X)
    splits = list(StratifiedKFold(3).split(X, y))
    X[splits[0][1][:8]] *= 1000.0
    params = {"solver": "gd", "max_iter": 300}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reasons = [
            BCELogisticRegression(learning_rate=3.0, **params)
            .fit(X[train], y[train])
            .stop_reason_[0]
            for train, _ in splits
        ]
        search = BCELogisticRegressionCV(
            learning_rates=[3.0, "auto"], cv=splits, **params
        ).fit(X, y)
    assert reasons == ["converged", "diverged", "diverged"]
    assert search.cv_results_["diverged"].tolist() == [True, False]
    assert np.isnan(search.cv_results_["mean_test_score"][0])
    assert search.best_index_ == 1
