"""LossCurveDisplay: the data it draws and scikit-learn's Display conventions."""

import warnings

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression
from sklearn_bce._plotting import LossCurveDisplay

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def binary_model(breast_cancer_standardised):
    X, y = breast_cancer_standardised
    return BCELogisticRegression().fit(X, y)


@pytest.fixture(scope="module")
def iris_model():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression().fit(X, np.array(["a", "b", "c"])[y])
    assert len(set(model.n_iter_)) > 1  # the curves have NaN padding
    return model


def test_binary_display_draws_the_loss_curve(binary_model):
    display = LossCurveDisplay.from_estimator(binary_model)
    assert isinstance(display, LossCurveDisplay)
    assert_array_equal(display.loss_curve, binary_model.loss_curve_)
    assert display.validation_loss_curve is None
    assert display.name == "BCELogisticRegression"
    assert len(display.lines_) == 1
    assert isinstance(display.lines_[0], matplotlib.lines.Line2D)
    x, y = display.lines_[0].get_data()
    assert_array_equal(x, np.arange(1, binary_model.n_iter_[0] + 1))
    assert_array_equal(y, binary_model.loss_curve_)
    assert display.ax_.get_xlabel() == "iteration"
    assert display.ax_.get_ylabel() == "objective"
    assert display.ax_.get_yscale() == "linear"
    assert display.figure_ is display.ax_.figure
    assert display.lines_[0].get_label() == "BCELogisticRegression"


def test_multiclass_display_has_one_line_per_class(iris_model):
    display = LossCurveDisplay.from_estimator(iris_model)
    assert_array_equal(display.loss_curve, iris_model.loss_curve_)
    assert_array_equal(display.class_names, iris_model.classes_)
    assert len(display.lines_) == len(iris_model.classes_)
    for k, line in enumerate(display.lines_):
        x, y = line.get_data()
        n_iter = iris_model.n_iter_[k]
        # the NaN padding after the class stopped is dropped
        assert_array_equal(x, np.arange(1, n_iter + 1))
        assert_array_equal(y, iris_model.loss_curve_[k, :n_iter])
        assert line.get_label() == f"BCELogisticRegression, class {'abc'[k]}"
    legend = display.ax_.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == [
        line.get_label() for line in display.lines_
    ]


def test_log_gap_plots_the_gap_to_the_best_value(iris_model):
    display = LossCurveDisplay.from_estimator(iris_model, log_gap=True)
    assert display.ax_.get_yscale() == "log"
    assert "min" in display.ax_.get_ylabel()
    for k, line in enumerate(display.lines_):
        curve = iris_model.loss_curve_[k, : iris_model.n_iter_[k]]
        gap = curve - curve.min()
        x, y = line.get_data()
        assert_array_equal(x, np.arange(1, len(curve) + 1))
        # zeros (the best value) are masked, every other gap is kept
        assert_array_equal(np.isnan(y), gap == 0)
        assert_allclose(y[gap > 0], gap[gap > 0])
        assert np.nanmin(y) > 0


def test_plot_onto_a_given_ax_returns_self():
    figure, ax = plt.subplots()
    display = LossCurveDisplay(loss_curve=[3.0, 2.0, 1.5], name="mine")
    assert display.plot(ax=ax) is display
    assert display.ax_ is ax
    assert display.figure_ is figure
    assert ax.get_lines() == display.lines_
    # a second plot on the same axes adds its own lines
    other = LossCurveDisplay(loss_curve=[4.0, 1.0]).plot(ax=ax, color="red")
    assert len(ax.get_lines()) == 2
    assert other.lines_[0].get_color() == "red"
    assert other.lines_[0].get_label().startswith("_")  # unnamed: no legend entry
    assert display.lines_[0].get_label() == "mine"
    # plot's name overrides the display's, as in scikit-learn's displays.
    assert display.plot(ax=ax, name="again").lines_[0].get_label() == "again"


def test_from_estimator_names_models_apart(breast_cancer_standardised):
    # Two models on one axes (the README's gd against nesterov): both lines
    # were labelled "BCELogisticRegression".
    X, y = breast_cancer_standardised
    _, ax = plt.subplots()
    for solver in ["gd", "nesterov"]:
        model = BCELogisticRegression(solver=solver, max_iter=50, tol=0).fit(X, y)
        LossCurveDisplay.from_estimator(model, ax=ax, name=f"solver={solver}")
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["solver=gd", "solver=nesterov"]


def test_kwargs_reach_every_line_and_override_labels(iris_model):
    display = LossCurveDisplay.from_estimator(iris_model, linewidth=3, label="ovr")
    assert [line.get_linewidth() for line in display.lines_] == [3, 3, 3]
    assert {line.get_label() for line in display.lines_} == {"ovr"}


def test_validation_curves_are_dashed_in_the_training_colour():
    train = np.array([[3.0, 2.0, 1.0], [2.0, 1.5, np.nan]])
    valid = np.array([[3.5, 2.5, 2.0], [2.5, 2.0, np.nan]])
    display = LossCurveDisplay(
        loss_curve=train, validation_loss_curve=valid, class_names=["x", "y"]
    ).plot()
    assert len(display.lines_) == 4
    training, validation = display.lines_[:2], display.lines_[2:]
    for k in range(2):
        assert validation[k].get_linestyle() == "--"
        assert validation[k].get_color() == training[k].get_color()
        # The validation curve is the log-loss without the penalty.
        assert validation[k].get_label() == f"class {'xy'[k]}, validation log-loss"
        assert training[k].get_label() == f"class {'xy'[k]}, training objective"
    assert_array_equal(validation[1].get_ydata(), [2.5, 2.0])
    assert display.ax_.get_ylabel() == "objective, log-loss"


def test_a_diverged_fit_is_labelled_and_an_empty_curve_warned_about(
    breast_cancer_standardised,
):
    X, y = breast_cancer_standardised
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model = BCELogisticRegression(learning_rate=1e6, solver="gd").fit(X, y)
    assert model.loss_curve_.size == 0
    with pytest.warns(UserWarning, match="no finite value.*diverged at its first"):
        display = LossCurveDisplay.from_estimator(model)
    assert display.lines_[0].get_label() == "BCELogisticRegression, diverged"
    # The empty axes say why they are empty; axes holding another model's
    # curve are not empty, and the legend names the diverged model.
    assert [text.get_text() for text in display.ax_.texts] == [
        "diverged at the first step: no finite objective"
    ]
    good = BCELogisticRegression().fit(X, y)
    ax = LossCurveDisplay.from_estimator(good, name="good").ax_
    with pytest.warns(UserWarning, match="no finite value"):
        LossCurveDisplay.from_estimator(model, ax=ax, name="bad")
    assert len(ax.texts) == 0
    # The other order: the note goes once a curve is drawn.
    with pytest.warns(UserWarning, match="no finite value"):
        ax = LossCurveDisplay.from_estimator(model, name="bad").ax_
    assert len(ax.texts) == 1
    LossCurveDisplay.from_estimator(good, ax=ax, name="good")
    assert len(ax.texts) == 0
    # A curve that diverged later is drawn up to where it did, and labelled.
    display = LossCurveDisplay(
        loss_curve=[[3.0, 2.0, 1.0], [2.0, 9.0, np.nan]],
        class_names=["a", "b"],
        stop_reason=["converged", "diverged"],
    ).plot()
    labels = [line.get_label() for line in display.lines_]
    assert labels == ["class a", "class b, diverged"]
    with pytest.raises(ValueError, match="stop_reason has 1 entries"):
        LossCurveDisplay(loss_curve=[[1.0], [2.0]], stop_reason=["converged"]).plot()


def test_empty_curve_warning_names_classes_and_points_at_the_caller():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    with pytest.warns(ConvergenceWarning):
        model = BCELogisticRegression(learning_rate=1e6, solver="gd").fit(X, y)
    expected = r"of classes \[0, 1, 2\] has no finite value"
    with pytest.warns(UserWarning, match=expected) as through_estimator:
        LossCurveDisplay.from_estimator(model)
    display = LossCurveDisplay(
        loss_curve=model.loss_curve_,
        class_names=model.classes_,
        stop_reason=model.stop_reason_,
    )
    with pytest.warns(UserWarning, match=expected) as through_plot:
        display.plot()
    for record in (*through_estimator, *through_plot):
        assert record.filename == __file__


def test_a_curve_without_a_gap_to_draw_on_a_log_scale_warns():
    # One iteration (or a constant objective) has no gap above its minimum:
    # the log scale would draw nothing.
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(max_iter=1, tol=0).fit(X, y == 0)
    with pytest.warns(UserWarning, match="no gap to its minimum") as caught:
        LossCurveDisplay.from_estimator(model, log_gap=True)
    assert caught[0].filename == __file__
    display = LossCurveDisplay(loss_curve=[[3.0, 2.0], [1.0, 1.0]], class_names="ab")
    with pytest.warns(UserWarning, match=r"of class 'b' has no gap"):
        display.plot(log_gap=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        display.plot(log_gap=False)


def test_from_estimator_reads_a_validation_curve(binary_model):
    class WithValidation(BCELogisticRegression):
        pass

    model = WithValidation()
    model.__dict__.update(binary_model.__dict__)
    model.validation_loss_curve_ = binary_model.loss_curve_ + 0.1
    display = LossCurveDisplay.from_estimator(model)
    assert_allclose(display.validation_loss_curve, binary_model.loss_curve_ + 0.1)
    assert len(display.lines_) == 2
    assert_allclose(display.lines_[1].get_ydata(), binary_model.loss_curve_ + 0.1)


def test_from_estimator_accepts_a_pipeline(breast_cancer_standardised):
    X, y = breast_cancer_standardised
    pipeline = make_pipeline(StandardScaler(), BCELogisticRegression()).fit(X, y)
    display = LossCurveDisplay.from_estimator(pipeline)
    assert_array_equal(display.loss_curve, pipeline[-1].loss_curve_)


def test_from_estimator_plots_the_best_estimator_of_a_search(
    breast_cancer_standardised,
):
    X, y = breast_cancer_standardised
    pipeline = make_pipeline(StandardScaler(), BCELogisticRegression())
    search = GridSearchCV(pipeline, {"bcelogisticregression__C": [0.1, 1.0]}, cv=2)
    display = LossCurveDisplay.from_estimator(search.fit(X, y))
    assert_array_equal(display.loss_curve, search.best_estimator_[-1].loss_curve_)
    # A pipeline ending in such a search.
    outer = make_pipeline(
        StandardScaler(), GridSearchCV(BCELogisticRegression(), {"C": [0.1, 1.0]}, cv=2)
    ).fit(X, y)
    display = LossCurveDisplay.from_estimator(outer)
    assert_array_equal(display.loss_curve, outer[-1].best_estimator_.loss_curve_)
    # Without a refitted model there is nothing to plot; the error says what is.
    search = clone(search).set_params(refit=False).fit(X, y)
    with pytest.raises(
        ValueError,
        match=r"GridSearchCV has no loss_curve_ .* search refitted on one "
        r"\(GridSearchCV with refit=False keeps no model",
    ):
        LossCurveDisplay.from_estimator(search)


def test_unfitted_estimator_raises():
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(BCELogisticRegression())
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(GridSearchCV(BCELogisticRegression(), {}))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"loss_curve": np.ones((2, 2, 2))}, "1-D .* or 2-D"),
        ({"loss_curve": np.ones((2, 3)), "class_names": ["a"]}, "class_names has 1"),
        (
            {"loss_curve": np.ones((2, 3)), "validation_loss_curve": np.ones((3, 3))},
            "one row per row",
        ),
    ],
)
def test_bad_data_raises(params, match):
    with pytest.raises(ValueError, match=match):
        LossCurveDisplay(**params).plot()


def test_missing_matplotlib_raises_import_error(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    from sklearn_bce import LearningRateDisplay

    extra = (
        r"requires matplotlib\. You can install it with "
        r'`pip install "sklearn-bce\[plot\]"`'
    )
    with pytest.raises(ImportError, match=f"^LossCurveDisplay.plot {extra}"):
        LossCurveDisplay(loss_curve=[1.0, 0.5]).plot()
    model = BCELogisticRegression(max_iter=3).fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ImportError, match=f"^LossCurveDisplay.from_estimator {extra}"):
        LossCurveDisplay.from_estimator(model)
    results = {
        "param_learning_rate": [0.1],
        "mean_test_score": [-0.5],
        "std_test_score": [0.1],
    }
    with pytest.raises(
        ImportError, match=f"^LearningRateDisplay.from_cv_results {extra}"
    ):
        LearningRateDisplay.from_cv_results(results)


# -- LearningRateDisplay -----------------------------------------------------------
def _search_data():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_learning_rate_display_from_batched_search():
    from sklearn_bce import BCELogisticRegressionCV, LearningRateDisplay

    X, y = _search_data()
    search = BCELogisticRegressionCV(
        learning_rates=["auto", 0.1, 1.0, 1e4], Cs=[0.1, 1.0], cv=3
    )
    with pytest.warns(Warning, match="diverged"):
        search.fit(X, y)
    display = LearningRateDisplay.from_cv_results(search.cv_results_)
    results = search.cv_results_
    # One line per C over the finite fixed rates, one "auto" line per C.
    assert len(display.lines_) == 4
    for C, line in zip([0.1, 1.0], display.lines_[::2], strict=True):
        rows = [
            i
            for i, p in enumerate(results["params"])
            if p["C"] == C and p["learning_rate"] in (0.1, 1.0)
        ]
        assert_allclose(line.get_xdata(), [0.1, 1.0])
        assert_allclose(line.get_ydata(), results["mean_test_score"][rows])
    assert display.ax_.get_xscale() == "log"
    # The diverged candidates (lr=1e4) draw no loss curve.
    assert len(display.curve_lines_) == 6
    # Each fold's curve is held at its final value once that fold stopped.
    folds = results["loss_curve"][0]
    held = np.array([np.where(np.isnan(f), f[np.isfinite(f)][-1], f) for f in folds])
    assert_allclose(display.curve_lines_[0].get_ydata(), held.mean(axis=0))
    assert display.figure_ is display.ax_.figure


def test_learning_rate_display_from_grid_search_over_a_pipeline():
    from sklearn.model_selection import GridSearchCV

    from sklearn_bce import LearningRateDisplay

    X, y = _search_data()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), BCELogisticRegression()),
        {"bcelogisticregression__learning_rate": ["auto", 0.5, 2.0]},
        cv=3,
    ).fit(X, y)
    _, ax = plt.subplots()
    display = LearningRateDisplay.from_cv_results(search.cv_results_, ax=ax)
    assert display.ax_ is ax and display.curves_ax_ is None
    assert len(display.lines_) == 2
    assert_allclose(
        display.lines_[0].get_ydata(), search.cv_results_["mean_test_score"][1:]
    )
    assert_allclose(
        display.lines_[1].get_ydata(), search.cv_results_["mean_test_score"][0]
    )


def test_learning_rate_display_without_labels_draws_no_legend():
    from sklearn.model_selection import GridSearchCV

    from sklearn_bce import LearningRateDisplay

    X, y = _search_data()
    search = GridSearchCV(
        BCELogisticRegression(), {"learning_rate": [0.1, 1.0]}, cv=3
    ).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib: "No artists with labels"
        display = LearningRateDisplay.from_cv_results(search.cv_results_)
    assert display.ax_.get_legend() is None
    assert len(display.lines_) == 1


def test_learning_rate_display_needs_a_learning_rate():
    from sklearn_bce import LearningRateDisplay

    with pytest.raises(ValueError, match="no learning_rate"):
        LearningRateDisplay.from_cv_results(
            {"param_C": [1.0], "mean_test_score": [0.0], "std_test_score": [0.0]}
        )


def test_learning_rate_display_gives_each_C_its_own_colour():
    from matplotlib.colors import same_color

    from sklearn_bce import LearningRateDisplay

    # C=1 and C=10 have "auto" only: their lines are the only mark of them.
    display = LearningRateDisplay(
        learning_rates=["auto", 0.1, "auto", "auto"],
        mean_scores=[0.1, 0.2, 0.3, 0.4],
        std_scores=[0.0] * 4,
        Cs=[0.1, 0.1, 1.0, 10.0],
    ).plot()
    labels = [line.get_label() for line in display.lines_]
    assert labels == ["C=0.1", "C=0.1 auto", "C=1 auto", "C=10 auto"]
    colors = [line.get_color() for line in display.lines_]
    assert same_color(colors[0], colors[1])
    assert not same_color(colors[1], colors[2])
    assert not same_color(colors[2], colors[3])


def test_learning_rate_display_reads_a_list_of_grids_and_several_metrics():
    from sklearn.model_selection import GridSearchCV

    from sklearn_bce import LearningRateDisplay

    X, y = _search_data()
    grids = [
        {"learning_rate": ["auto", 0.5]},
        {"learning_rate": [0.5, 2.0], "C": [0.1]},
        {"C": [10.0]},
    ]
    search = GridSearchCV(
        BCELogisticRegression(),
        grids,
        cv=3,
        scoring=["accuracy", "neg_log_loss"],
        refit=False,
    ).fit(X, y)
    results = search.cv_results_
    with pytest.raises(
        ValueError,
        match=r"scores are \['accuracy', 'neg_log_loss'\]. Choose one with metric",
    ):
        LearningRateDisplay.from_cv_results(results)
    display = LearningRateDisplay.from_cv_results(results, metric="neg_log_loss")
    assert display.ax_.get_ylabel() == "neg_log_loss"
    # The candidate without a learning rate (C=10 alone) is not drawn.
    labels = [line.get_label() for line in display.lines_]
    assert labels == ["default C", "default C auto", "C=0.1"]
    scores = results["mean_test_neg_log_loss"]
    assert_allclose(display.lines_[0].get_ydata(), scores[[1]])
    assert_allclose(display.lines_[1].get_ydata(), scores[0])
    assert_allclose(display.lines_[2].get_ydata(), scores[[2, 3]])


def test_learning_rate_display_reads_a_multi_metric_search():
    from sklearn_bce import BCELogisticRegressionCV, LearningRateDisplay

    X, y = _search_data()
    search = BCELogisticRegressionCV(
        learning_rates=["auto", 0.1, 0.5],
        cv=3,
        scoring={"ll": "neg_log_loss", "acc": "accuracy"},
        refit="ll",
    ).fit(X, y)
    display = LearningRateDisplay.from_cv_results(search.cv_results_, metric="acc")
    assert display.ax_.get_ylabel() == "acc"
    scores = search.cv_results_["mean_test_acc"]
    assert_allclose(display.lines_[0].get_ydata(), scores[1:])
    # The loss curves are the search's own, whatever the metric.
    assert len(display.curve_lines_) == 3


def test_learning_rate_display_from_estimator_reads_a_fitted_search():
    # A fitted search (ours, or GridSearchCV over the estimator) draws as its
    # cv_results_ does; a multi-metric search draws the metric that chose.
    from sklearn.model_selection import GridSearchCV

    from sklearn_bce import BCELogisticRegressionCV, LearningRateDisplay

    X, y = _search_data()
    ours = BCELogisticRegressionCV(learning_rates=["auto", 0.1, 0.5], cv=3)
    with pytest.raises(NotFittedError):
        LearningRateDisplay.from_estimator(ours)
    ours.fit(X, y)
    display = LearningRateDisplay.from_estimator(ours, name="ours", marker="s")
    expected = LearningRateDisplay.from_cv_results(ours.cv_results_, name="ours")
    assert [line.get_label() for line in display.lines_] == [
        "ours, C=1",
        "ours, C=1 auto",
    ]
    for line, reference in zip(display.lines_, expected.lines_, strict=True):
        assert_allclose(line.get_ydata(), reference.get_ydata())
    assert display.lines_[0].get_marker() == "s"
    assert len(display.curve_lines_) == 3
    # The score axis is named after the search's scoring, where it has a name.
    assert display.ax_.get_ylabel() == "neg_log_loss"
    assert expected.ax_.get_ylabel() == "validation score"  # cv_results_ alone
    plt.close("all")
    ours.set_params(scoring=None).fit(X, y)
    unnamed = LearningRateDisplay.from_estimator(ours)
    assert unnamed.ax_.get_ylabel() == "validation score"
    named = LearningRateDisplay.from_estimator(ours, score_name="s")
    assert named.ax_.get_ylabel() == "s"
    plt.close("all")
    theirs = GridSearchCV(
        BCELogisticRegression(),
        {"learning_rate": ["auto", 0.1, 0.5]},
        cv=3,
        scoring={"ll": "neg_log_loss", "acc": "accuracy"},
        refit="acc",
    ).fit(X, y)
    display = LearningRateDisplay.from_estimator(theirs)
    assert display.ax_.get_ylabel() == "acc"
    assert_allclose(
        display.lines_[0].get_ydata(), theirs.cv_results_["mean_test_acc"][1:]
    )
    assert (
        LearningRateDisplay.from_estimator(theirs, metric="ll").ax_.get_ylabel() == "ll"
    )
    with pytest.raises(ValueError, match="BCELogisticRegression has no cv_results_"):
        LearningRateDisplay.from_estimator(BCELogisticRegression().fit(X, y))
    # Its warnings name the caller's line, as those of from_cv_results do.
    ours.cv_results_["loss_curve"] = np.array(["[0.5]"] * 3, dtype=object)
    with pytest.warns(UserWarning, match="loss_curve'] holds text") as record:
        LearningRateDisplay.from_estimator(ours)
    assert record[0].filename == __file__


def test_learning_rate_display_draws_a_line_per_other_searched_parameter():
    from sklearn.model_selection import GridSearchCV

    from sklearn_bce import LearningRateDisplay

    X, y = _search_data()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), BCELogisticRegression(max_iter=30)),
        {
            "bcelogisticregression__learning_rate": ["auto", 0.1, 1.0],
            "bcelogisticregression__solver": ["gd", "nesterov"],
        },
        cv=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    results = search.cv_results_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        display = LearningRateDisplay.from_cv_results(results, metric=None)
    labels = [line.get_label() for line in display.lines_]
    assert labels == ["solver=gd", "solver=gd auto", "solver=nesterov",
                      "solver=nesterov auto"]  # fmt: skip
    for solver, line in zip(["gd", "nesterov"], display.lines_[::2], strict=True):
        rows = [
            i
            for i, p in enumerate(results["params"])
            if p["bcelogisticregression__solver"] == solver
            and p["bcelogisticregression__learning_rate"] != "auto"
        ]
        assert_allclose(line.get_xdata(), [0.1, 1.0])
        assert_allclose(line.get_ydata(), results["mean_test_score"][rows])


def test_learning_rate_display_takes_C_from_the_learning_rate_step():
    from sklearn.feature_selection import SelectFromModel
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import LinearSVC

    from sklearn_bce import LearningRateDisplay

    X, y = _search_data()
    pipeline = make_pipeline(
        StandardScaler(), SelectFromModel(LinearSVC()), BCELogisticRegression()
    )
    search = GridSearchCV(
        pipeline,
        {
            "selectfrommodel__estimator__C": [0.01, 1.0],
            "bcelogisticregression__learning_rate": [0.1, 1.0],
            "bcelogisticregression__C": [0.5],
        },
        cv=3,
    ).fit(X, y)
    display = LearningRateDisplay.from_cv_results(search.cv_results_)
    labels = [line.get_label() for line in display.lines_]
    assert labels == [
        "C=0.5, selectfrommodel__estimator__C=0.01",
        "C=0.5, selectfrommodel__estimator__C=1",
    ]


def test_learning_rate_display_reads_a_dataframe_of_a_list_of_grids():
    pd = pytest.importorskip("pandas")
    from sklearn.model_selection import GridSearchCV

    from sklearn_bce import LearningRateDisplay

    X, y = _search_data()
    grids = [{"learning_rate": ["auto", 0.5]}, {"learning_rate": [0.5], "C": [0.1]}]
    results = GridSearchCV(BCELogisticRegression(), grids, cv=3).fit(X, y).cv_results_
    from_dict = LearningRateDisplay.from_cv_results(results)
    from_frame = LearningRateDisplay.from_cv_results(pd.DataFrame(results))
    labels = [line.get_label() for line in from_frame.lines_]
    assert labels == ["default C", "default C auto", "C=0.1"]
    assert labels == [line.get_label() for line in from_dict.lines_]
    for ours, theirs in zip(from_frame.lines_, from_dict.lines_, strict=True):
        assert_allclose(ours.get_ydata(), theirs.get_ydata())


def test_learning_rate_display_reads_cv_results_from_a_csv_file(tmp_path):
    pd = pytest.importorskip("pandas")
    from sklearn.model_selection import GridSearchCV

    from sklearn_bce import LearningRateDisplay

    X, y = _search_data()
    grid = {"learning_rate": ["auto", 0.1, 0.5]}
    results = GridSearchCV(BCELogisticRegression(), grid, cv=3).fit(X, y).cv_results_
    pd.DataFrame(results).to_csv(tmp_path / "results.csv", index=False)
    frame = pd.read_csv(tmp_path / "results.csv")
    assert frame["param_learning_rate"].tolist() == ["auto", "0.1", "0.5"]  # text
    from_csv = LearningRateDisplay.from_cv_results(frame)
    from_dict = LearningRateDisplay.from_cv_results(results)
    assert [line.get_label() for line in from_csv.lines_] == [
        line.get_label() for line in from_dict.lines_
    ]
    for ours, theirs in zip(from_csv.lines_, from_dict.lines_, strict=True):
        assert_allclose(ours.get_xdata(), theirs.get_xdata())
        assert_allclose(ours.get_ydata(), theirs.get_ydata())
    # A step the estimator refuses failed in the search (error_score): it
    # is left out of the plot, with a warning, and the others drawn.
    for text in ("fast", "nan", "inf", "-1", "0"):
        frame["param_learning_rate"] = ["auto", text, "0.5"]
        with pytest.warns(
            UserWarning,
            match=r"'auto' \(('fast'|'nan'|'inf'|'-1'|'0')\): they are not drawn",
        ):
            display = LearningRateDisplay.from_cv_results(frame)
        assert display.learning_rates == ["auto", 0.5]
    # An empty entry (read with keep_default_na=False) is a masked one.
    frame["param_learning_rate"] = ["auto", "", "0.5"]
    display = LearningRateDisplay.from_cv_results(frame)
    assert display.learning_rates == ["auto", 0.5]


def test_learning_rate_display_draws_the_scores_of_a_batched_search_from_csv(
    tmp_path,
):
    # A CSV file keeps the loss curves as text: the scores are drawn, the
    # curves are not, and a warning says why.
    pd = pytest.importorskip("pandas")
    from sklearn_bce import BCELogisticRegressionCV, LearningRateDisplay

    X, y = _search_data()
    search = BCELogisticRegressionCV(learning_rates=["auto", 0.1, 0.5], cv=3)
    results = search.fit(X, y).cv_results_
    pd.DataFrame(results).to_csv(tmp_path / "results.csv", index=False)
    frame = pd.read_csv(tmp_path / "results.csv")
    with pytest.warns(UserWarning, match="loss_curve'] holds text") as record:
        from_csv = LearningRateDisplay.from_cv_results(frame)
    assert record[0].filename == __file__
    from_dict = LearningRateDisplay.from_cv_results(results)
    assert from_csv.curves_ax_ is None and len(from_dict.curve_lines_) == 3
    assert [line.get_label() for line in from_csv.lines_] == [
        line.get_label() for line in from_dict.lines_
    ]
    for ours, theirs in zip(from_csv.lines_, from_dict.lines_, strict=True):
        assert_allclose(ours.get_ydata(), theirs.get_ydata())


def test_learning_rate_display_lines_stay_distinct_past_ten_colours():
    from sklearn_bce import LearningRateDisplay

    n = 12
    display = LearningRateDisplay(
        learning_rates=[0.1] * n,
        mean_scores=np.linspace(0, 1, n),
        std_scores=[0.0] * n,
        Cs=list(np.logspace(-2, 2, n)),
        loss_curves=[np.array([[1.0, 0.5]])] * n,
    ).plot()
    styles = {(line.get_color(), line.get_marker()) for line in display.lines_}
    assert len(styles) == n
    curve_styles = {
        (line.get_color(), str(line.get_linestyle())) for line in display.curve_lines_
    }
    assert len(curve_styles) == n
    # The default figure leaves room for its labels.
    assert display.figure_.get_layout_engine() is not None


def test_learning_rate_display_passes_keywords_to_the_score_lines():
    from matplotlib.colors import to_rgb

    from sklearn_bce import LearningRateDisplay

    display = LearningRateDisplay(
        learning_rates=[0.1, 1.0, "auto"],
        mean_scores=[0.1, 0.2, 0.3],
        std_scores=[0.0] * 3,
    ).plot(color="k", linewidth=3)
    labels = [line.get_label() for line in display.lines_]
    assert labels == ["fixed steps", "auto"]  # both in the legend
    # The "auto" candidate's dashed line follows its group's line, also when
    # there is none (only "auto", or float steps that all diverged).
    for line in display.lines_:
        assert line.get_color() == "k"
        assert line.get_linewidth() == 3
    (spread,) = display.ax_.collections
    assert to_rgb(spread.get_facecolor()[0]) == to_rgb("k")
    # Each group's spread is its line's colour, also past a group that has
    # only "auto" (which takes a colour but draws no spread).
    display = LearningRateDisplay(
        learning_rates=["auto", "auto", 0.1, 1.0],
        mean_scores=[0.3, 0.35, 0.1, 0.2],
        std_scores=[0.01] * 4,
        Cs=[0.01, 0.1, 0.1, 0.1],
    ).plot()
    (line,) = [line for line in display.lines_ if line.get_label() == "C=0.1"]
    (spread,) = display.ax_.collections
    assert to_rgb(spread.get_facecolor()[0]) == to_rgb(line.get_color())
    for rates, scores in [(["auto"], [0.3]), (["auto", 1.0], [0.3, np.nan])]:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", "Every candidate has learning_rate='auto'"
            )
            display = LearningRateDisplay(
                learning_rates=rates, mean_scores=scores, std_scores=[0.0] * len(rates)
            ).plot(c="k", lw=3)
        assert [line.get_label() for line in display.lines_] == ["auto"]
        assert display.lines_[0].get_color() == "k"
        assert display.lines_[0].get_linewidth() == 3


def test_learning_rate_display_checks_its_inputs_as_from_cv_results_does():
    from sklearn_bce import LearningRateDisplay

    scores = {"mean_scores": [0.1, 0.2, 0.3], "std_scores": [0.0] * 3}
    # An array of "auto" and numbers is text: its numbers are numbers.
    display = LearningRateDisplay(
        learning_rates=np.array(["auto", 0.1, 1.0]), **scores
    ).plot()
    assert_array_equal(display.lines_[0].get_xdata(), [0.1, 1.0])
    # The axis is logarithmic: steps it cannot show are refused, not dropped;
    # so are booleans, which the estimator refuses (True was drawn at 1).
    for rates in (
        ["auto", 0.0, 1.0],
        ["auto", -0.1, 1.0],
        ["fast", 0.1, 1.0],
        ["auto", True, 0.1],
        [np.True_, 0.1, 1.0],
    ):
        with pytest.raises(ValueError, match="must be positive finite numbers"):
            LearningRateDisplay(learning_rates=rates, **scores).plot()
    # A candidate without a loss curve (None) draws none, without a warning
    # (numpy's "Mean of empty slice").
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        display = LearningRateDisplay(
            learning_rates=["auto", 0.1, 1.0],
            loss_curves=[np.ones((2, 3)), None, np.ones((2, 4))],
            **scores,
        ).plot()
    assert [line.get_label() for line in display.curve_lines_] == ["lr=auto", "lr=1"]
    with pytest.raises(ValueError, match="loss_curves has 2 entries, but there are 3"):
        LearningRateDisplay(
            learning_rates=["auto", 0.1, 1.0],
            loss_curves=[np.ones((1, 3))] * 2,
            **scores,
        ).plot()


def test_learning_rate_display_with_nothing_finite_says_so():
    from sklearn_bce import LearningRateDisplay

    nan = [np.nan, np.nan]
    display = LearningRateDisplay(
        learning_rates=[0.1, 1.0],
        mean_scores=nan,
        std_scores=nan,
        loss_curves=[np.array([[1.0]]), np.array([[1.0]])],
    )
    # One warning, pointing at the caller (none of matplotlib's "No artists
    # with labels"), and a note on the empty axes.
    with warnings.catch_warnings(record=True) as through_plot:
        warnings.simplefilter("always")
        display.plot()
    assert display.lines_ == [] and display.curve_lines_ == []
    assert display.curves_ax_.get_legend() is None
    assert [text.get_text() for text in display.ax_.texts] == [
        "no candidate with a finite score:\nevery candidate diverged or failed"
    ]
    results = {
        "param_learning_rate": [0.1, 1.0],
        "mean_test_score": nan,
        "std_test_score": nan,
    }
    with warnings.catch_warnings(record=True) as through_results:
        warnings.simplefilter("always")
        ax = LearningRateDisplay.from_cv_results(results).ax_
    assert len(ax.texts) == 1
    for records in (through_plot, through_results):
        assert [str(record.message) for record in records] == [
            "No candidate has a finite mean score to draw: the fits of every "
            "candidate diverged or failed."
        ]
        assert records[0].filename == __file__
    # Axes that already hold lines are not empty: no note.
    _, ax = plt.subplots()
    ax.plot([0.1, 1.0], [-0.3, -0.2])
    with pytest.warns(UserWarning, match="No candidate has a finite"):
        display.plot(ax=ax)
    assert len(ax.texts) == 0


def test_learning_rate_display_marks_the_fixed_steps_without_a_score():
    # Where the safe steps end: a cross per diverged fixed step, in its
    # group's colour, near the bottom of the axes; none for "auto" or scored steps.
    from matplotlib.colors import to_rgb

    from sklearn_bce import LearningRateDisplay

    display = LearningRateDisplay(
        learning_rates=["auto", 0.1, 1.0, 10.0, 100.0, "auto", 0.1, 1.0, 10.0],
        mean_scores=[-0.1, -0.2, -0.1, np.nan, np.nan, np.nan, -0.3, np.nan, np.nan],
        std_scores=[0.0] * 9,
        Cs=[1.0] * 5 + [0.01] * 4,
    ).plot()
    ax = display.ax_
    crosses = [line for line in ax.get_lines() if line.get_marker() == "x"]
    assert [line.get_xdata().tolist() for line in crosses] == [
        [10.0, 100.0],
        [1.0, 10.0],
    ]
    for cross, scores in zip(crosses, display.lines_[::2], strict=True):
        assert_allclose(to_rgb(cross.get_color()), to_rgb(scores.get_color()))
        assert cross.get_linestyle() == "None"
        # x in data, y in axes coordinates: on the axes whatever the scores.
        assert cross.get_transform() == ax.get_xaxis_transform()
        assert 0 < min(cross.get_ydata()) and max(cross.get_ydata()) < 0.1
    # Crosses of different groups at one learning rate do not hide each other.
    assert crosses[0].get_ydata()[0] != crosses[1].get_ydata()[0]
    # The crosses widen the axes to the largest step tried.
    assert ax.get_xlim()[1] >= 100.0
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[-1] == "no score (diverged or failed)"
    assert labels.count("no score (diverged or failed)") == 1
    # Without a missing score, no cross and no entry.
    display = LearningRateDisplay(
        learning_rates=[0.1, 1.0], mean_scores=[-0.2, -0.1], std_scores=[0.0, 0.0]
    ).plot()
    assert not [line for line in display.ax_.get_lines() if line.get_marker() == "x"]


def test_learning_rate_display_colours_curves_by_their_line_of_scores():
    # A grid of 18 candidates drew 18 curves in the cycle's ten colours (two
    # candidates of different C in one colour) under a legend that hid them.
    from matplotlib.colors import to_rgb

    from sklearn_bce import LearningRateDisplay

    rates = ["auto", 0.01, 0.1, 1.0, 100.0]
    n = len(rates)
    display = LearningRateDisplay(
        learning_rates=rates * 2,
        mean_scores=[-0.1, -0.2, -0.1, -0.1, np.nan] * 2,
        std_scores=[0.0] * (2 * n),
        Cs=[0.1] * n + [1.0] * n,
        loss_curves=[np.array([[1.0, 0.5, 0.4]])] * (2 * n),
        converged=[True, False, True, True, False] * 2,
    ).plot()
    curves = display.curve_lines_
    assert len(curves) == 8  # the diverged step (NaN score) has no curve
    for group, line in enumerate([display.lines_[0], display.lines_[2]]):
        colour = np.asarray(to_rgb(line.get_color()))
        auto, small, middle, large = curves[4 * group : 4 * group + 4]
        assert auto.get_linestyle() == ":"
        assert_allclose(to_rgb(auto.get_color()), colour)
        # Lighter for smaller steps, the largest drawn step in full colour.
        assert_allclose(to_rgb(large.get_color()), colour)
        assert_allclose(to_rgb(small.get_color()), 0.35 * colour + 0.65)
        assert_allclose(to_rgb(middle.get_color()), 0.675 * colour + 0.325)
        assert {small.get_linestyle(), middle.get_linestyle()} == {"-"}
        assert small.get_label() == f"lr=0.01, C={[0.1, 1][group]:g}, not converged"
        assert middle.get_label() == f"lr=0.1, C={[0.1, 1][group]:g}"
    # Scores of unfinished candidates have hollow markers, one legend entry.
    hollow = [
        line
        for line in display.ax_.get_lines()
        if line.get_markerfacecolor() == "white"
    ]
    assert [line.get_xdata().tolist() for line in hollow] == [[0.01], [0.01]]
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert labels == [
        "C=0.1",
        "C=0.1 auto",
        "C=1",
        "C=1 auto",
        "not converged",
        "no score (diverged or failed)",
    ]
    # Eight curves keep their legend inside the axes, one entry each.
    legend = display.curves_ax_.get_legend()
    assert legend.get_bbox_to_anchor().bounds[0] == display.curves_ax_.bbox.x0
    assert len(legend.get_texts()) == 8
    with pytest.raises(ValueError, match="converged has 3 entries"):
        LearningRateDisplay(
            learning_rates=rates,
            mean_scores=[0.0] * n,
            std_scores=[0.0] * n,
            converged=[True] * 3,
        ).plot()


def test_learning_rate_display_stays_readable_with_many_groups():
    # 12 values of C x 4 steps: the legends (25 score lines, 48 curves)
    # squeezed the axes to strips; past ten groups the fixed steps' curves
    # were dotted like "auto".
    from sklearn_bce import LearningRateDisplay

    rates = ["auto", 0.1, 1.0, 3.0]
    Cs = np.logspace(-3, 3, 12)
    display = LearningRateDisplay(
        learning_rates=rates * 12,
        mean_scores=np.linspace(-1, 0, 48),
        std_scores=[0.01] * 48,
        Cs=np.repeat(Cs, 4),
        loss_curves=[np.array([[1.0, 0.5, 0.4]])] * 48,
    ).plot()
    display.figure_.canvas.draw()
    width = display.figure_.get_size_inches()[0]
    assert width > 11  # widened for the legends beside the axes
    for ax in (display.ax_, display.curves_ax_):
        assert ax.get_position().height > 0.5
        assert ax.get_position().width * width > 3  # inches
        legend = ax.get_legend()
        assert legend.get_bbox_to_anchor().bounds[0] > ax.bbox.x1  # beside
    # One entry per group and a key, in both legends.
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    # (The level lines of groups past ten are dotted: a key entry of each,
    # naming its first and last group.)
    assert labels == [f"C={C:g}" for C in Cs] + [
        f'"auto" (C={Cs[0]:g} to C={Cs[9]:g})',
        f'"auto" (C={Cs[10]:g} to C={Cs[11]:g})',
    ]
    styles = [h.get_linestyle() for h in display.ax_.get_legend().legend_handles]
    assert styles[-2:] == ["--", ":"]
    labels = [text.get_text() for text in display.curves_ax_.get_legend().get_texts()]
    assert labels == [f"C={C:g}" for C in Cs] + [
        "lighter: smaller step",
        'dotted: "auto"',
    ]
    renderer = display.figure_.canvas.get_renderer()
    for ax in (display.ax_, display.curves_ax_):
        # Drawn beside the axes, not only anchored there.
        assert ax.get_legend().get_window_extent(renderer).x0 >= ax.bbox.x1
    # Long group names: the figure is widened by the legends' own width.
    wide = LearningRateDisplay(
        learning_rates=rates * 12,
        mean_scores=np.linspace(-1, 0, 48),
        std_scores=[0.01] * 48,
        Cs=np.repeat(Cs, 4),
        params=[{"solver": "nesterov", "class_weight": "balanced"}] * 48,
        loss_curves=[np.array([[1.0, 0.5, 0.4]])] * 48,
    ).plot()
    wide.figure_.canvas.draw()
    width = wide.figure_.get_size_inches()[0]
    for ax in (wide.ax_, wide.curves_ax_):
        assert ax.get_position().width * width > 3
    # On axes of the user's own figure, the legends stay inside their axes
    # (the display cannot make room beside them).
    figure, (ax, curves_ax) = plt.subplots(1, 2)
    display.plot(ax=ax, curves_ax=curves_ax)
    assert figure.get_size_inches()[0] == plt.rcParams["figure.figsize"][0]
    for axes in (ax, curves_ax):
        assert axes.get_legend().get_bbox_to_anchor().bounds[0] == axes.bbox.x0
    # Groups of "auto" alone: no shades to explain.
    with pytest.warns(UserWarning, match=ONLY_AUTO):
        only_auto = LearningRateDisplay(
            learning_rates=["auto"] * 9,
            mean_scores=[0.0] * 9,
            std_scores=[0.0] * 9,
            Cs=list(range(1, 10)),
            loss_curves=[np.array([[1.0, 0.5]])] * 9,
        ).plot()
    labels = [t.get_text() for t in only_auto.curves_ax_.get_legend().get_texts()]
    assert labels[-1] == 'dotted: "auto"' and "lighter: smaller step" not in labels
    for line in display.curve_lines_:
        assert (line.get_linestyle() == ":") == line.get_label().startswith("lr=auto")


def test_a_legend_of_many_groups_is_split_into_columns():
    # 30 groups: a legend of 33 entries in one column is taller than the
    # figure (and collapses the constrained layout); in columns of at most
    # 14 it fits.
    from sklearn_bce import LearningRateDisplay

    rates = ["auto", 0.1, 1.0]
    Cs = np.logspace(-3, 3, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        display = LearningRateDisplay(
            learning_rates=rates * 30,
            mean_scores=np.linspace(-1, 0, 90),
            std_scores=[0.01] * 90,
            Cs=np.repeat(Cs, 3),
        ).plot()
        display.figure_.canvas.draw()
    renderer = display.figure_.canvas.get_renderer()
    legend = display.ax_.get_legend()
    assert len(legend.get_texts()) > 28
    height = legend.get_window_extent(renderer).height
    assert height <= display.figure_.bbox.height
    assert display.ax_.get_position().height > 0.5


def test_learning_rate_display_reads_converged_flags_written_as_text():
    # cv_results_ read back from a CSV file as text: "False" is not True.
    from sklearn_bce import LearningRateDisplay

    results = {
        "param_learning_rate": np.array([0.1, 1.0], dtype=object),
        "mean_test_score": np.array([-0.2, -0.1]),
        "std_test_score": np.array([0.0, 0.0]),
        "converged": np.array(["False", "True"], dtype=object),
    }
    display = LearningRateDisplay.from_cv_results(results)
    hollow = [
        line.get_xdata().tolist()
        for line in display.ax_.get_lines()
        if line.get_markerfacecolor() == "white"
    ]
    assert hollow == [[0.1]]
    for flags in (["false", "true"], [0.0, 1.0], np.array([False, True])):
        direct = LearningRateDisplay(
            learning_rates=[0.1, 1.0],
            mean_scores=[-0.2, -0.1],
            std_scores=[0.0, 0.0],
            converged=flags,
        ).plot(c="k")  # matplotlib's alias of color
        hollow = [
            line for line in direct.ax_.lines if line.get_markerfacecolor() == "white"
        ]
        assert len(hollow) == 1 and direct.lines_[0].get_color() == "k"
    results["converged"] = np.array([np.nan, True], dtype=object)
    with pytest.raises(ValueError, match=r"converged'\] must hold booleans; got nan"):
        LearningRateDisplay.from_cv_results(results)


# -- what is drawn, checked point by point ------------------------------------------
def test_log_gap_is_measured_from_each_curve_minimum_where_it_rises_again():
    # Momentum and validation curves need not fall all the way: the gap is
    # to the curve's minimum, wherever it lies, not to its last value.
    display = LossCurveDisplay(
        loss_curve=[3.0, 2.0, 2.5, 1.5, 1.75],
        validation_loss_curve=[3.125, 2.25, 2.0, 2.5, 2.25],
    ).plot(log_gap=True)
    training, validation = (line.get_ydata() for line in display.lines_)
    assert_allclose(training, [1.5, 0.5, 1.0, np.nan, 0.25])
    assert_allclose(validation, [1.125, 0.25, np.nan, 0.5, 0.25])


def test_one_unnamed_curve_draws_no_legend():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib: "No artists with labels"
        display = LossCurveDisplay(loss_curve=[3.0, 2.0, 1.5]).plot()
    assert display.ax_.get_legend() is None


def test_diverged_labels_the_training_curve_only():
    display = LossCurveDisplay(
        loss_curve=[3.0, 2.0, 8.0],
        validation_loss_curve=[3.5, 2.5, 9.0],
        stop_reason="diverged",
    ).plot()
    assert [line.get_label() for line in display.lines_] == [
        "training objective, diverged",
        "validation log-loss",
    ]


def test_empty_curves_blame_divergence_only_when_every_one_diverged():
    empty = np.full((2, 3), np.nan)
    display = LossCurveDisplay(loss_curve=empty, stop_reason=["diverged", "max_iter"])
    with pytest.warns(UserWarning) as record:
        display.plot()
    assert [str(w.message) for w in record] == [
        "The loss curve of classes [0, 1] has no finite value to draw."
    ]
    assert [text.get_text() for text in display.ax_.texts] == [
        "no finite objective to draw"
    ]


def test_a_curve_of_one_point_is_drawn_with_a_marker():
    # A line through a single point draws nothing.
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression(max_iter=1, tol=0).fit(X, y == 0)
    (line,) = LossCurveDisplay.from_estimator(model).lines_
    assert line.get_marker() == "o"
    display = LossCurveDisplay(
        loss_curve=[[3.0, 2.0], [1.0, np.nan]],
        validation_loss_curve=[[3.5, 2.5], [1.5, np.nan]],
    ).plot()
    markers = [line.get_marker() for line in display.lines_]
    assert markers == ["None", "o", "None", "o"]
    # Given markers win.
    display.plot(marker="s")
    assert {line.get_marker() for line in display.lines_} == {"s"}


def test_a_single_row_curve_is_labelled_with_its_class():
    display = LossCurveDisplay(loss_curve=[[3.0, 2.0]], class_names=["spam"]).plot()
    assert display.lines_[0].get_label() == "class spam"


def test_learning_rate_display_draws_scores_in_order_of_the_rate_with_their_spread():
    from sklearn_bce import LearningRateDisplay

    display = LearningRateDisplay(
        learning_rates=[1.0, 0.01, 0.1],
        mean_scores=[-0.2, -0.4, -0.3],
        std_scores=[0.05, 0.1, 0.0],
    ).plot()
    (line,) = display.lines_
    assert_array_equal(line.get_xdata(), [0.01, 0.1, 1.0])
    assert_array_equal(line.get_ydata(), [-0.4, -0.3, -0.2])
    # The band is one standard deviation either side of each mean.
    (band,) = display.ax_.collections
    vertices = band.get_paths()[0].vertices
    for x, low, high in [(0.01, -0.5, -0.3), (0.1, -0.3, -0.3), (1.0, -0.25, -0.15)]:
        ys = vertices[np.isclose(vertices[:, 0], x), 1]
        assert_allclose([ys.min(), ys.max()], [low, high])


def test_learning_rate_display_leaves_out_an_auto_candidate_without_a_score():
    from sklearn_bce import LearningRateDisplay

    display = LearningRateDisplay(
        learning_rates=[0.1, 1.0, "auto"],
        mean_scores=[-0.3, -0.2, np.nan],
        std_scores=[0.0, 0.0, np.nan],
    ).plot()
    assert len(display.lines_) == 1
    assert display.ax_.get_legend() is None


def test_learning_rate_display_draws_curves_from_the_first_iteration_on_a_log_axis():
    from sklearn_bce import LearningRateDisplay

    display = LearningRateDisplay(
        learning_rates=[0.1, 1.0],
        mean_scores=[-0.3, -0.2],
        std_scores=[0.0, 0.0],
        loss_curves=[np.array([[0.6, 0.5, 0.4]]), np.array([[0.6, 0.3, np.nan]])],
    ).plot()
    assert display.curves_ax_.get_xscale() == "log"
    first, second = display.curve_lines_
    assert_array_equal(first.get_xdata(), [1, 2, 3])
    assert_array_equal(first.get_ydata(), [0.6, 0.5, 0.4])
    # A fold that stopped holds its final value.
    assert_array_equal(second.get_ydata(), [0.6, 0.3, 0.3])


@pytest.mark.parametrize("wrong", ["std_scores", "Cs", "params"])
def test_learning_rate_display_needs_one_entry_per_candidate(wrong):
    from sklearn_bce import LearningRateDisplay

    params = {
        "learning_rates": [0.1, 1.0],
        "mean_scores": [-0.3, -0.2],
        "std_scores": [0.0, 0.0],
        "Cs": [1.0, 1.0],
        "params": [{}, {}],
    }
    params[wrong] = [*params[wrong], params[wrong][0]]
    with pytest.raises(ValueError, match="must have one entry per candidate"):
        LearningRateDisplay(**params).plot()


def test_learning_rate_display_refuses_several_learning_rate_parameters():
    from sklearn_bce import LearningRateDisplay

    results = {
        "param_a__learning_rate": [0.1, 1.0],
        "param_b__learning_rate": [1.0, 0.1],
        "mean_test_score": [-0.3, -0.2],
        "std_test_score": [0.0, 0.0],
    }
    with pytest.raises(ValueError, match="several learning_rate parameters"):
        LearningRateDisplay.from_cv_results(results)


def test_learning_rate_display_labels_only_what_the_drawn_candidates_vary():
    from sklearn_bce import LearningRateDisplay

    masked = np.ma.MaskedArray
    results = {
        # A list of grids: the third candidate has no learning rate (not
        # drawn), and only it has another solver; the second leaves tol out.
        "param_learning_rate": masked([0.1, 1.0, 0], mask=[False, False, True]),
        "param_solver": masked(["gd", "gd", "nesterov"], mask=False),
        "param_tol": masked([1e-3, 0, 0], mask=[False, True, True]),
        "mean_test_score": [-0.3, -0.2, -0.1],
        "std_test_score": [0.0, 0.0, 0.0],
        "converged": [True, False, False],
    }
    display = LearningRateDisplay.from_cv_results(results)
    assert [line.get_label() for line in display.lines_] == [
        "tol=0.001",
        "tol=default",
    ]
    # The drawn candidates' flags: the second is hollow, not the first.
    hollow = [
        line for line in display.ax_.get_lines() if line.get_label() == "_not converged"
    ]
    assert [line.get_xdata().tolist() for line in hollow] == [[1.0]]


ONLY_AUTO = "Every candidate has learning_rate='auto'"


def test_a_search_of_auto_steps_alone_is_told_where_its_scores_show():
    # The LogisticRegressionCV-like use: "auto" at several C.  The learning
    # rate axis has nothing to show; the warning says where C's effect does.
    from sklearn_bce import BCELogisticRegressionCV, LearningRateDisplay

    X, y = _search_data()
    search = BCELogisticRegressionCV(learning_rates=["auto"], Cs=[0.1, 1, 10], cv=3)
    search.fit(X, y)
    with pytest.warns(UserWarning, match=ONLY_AUTO) as record:
        display = LearningRateDisplay.from_estimator(search)
    assert "cv_results_['param_C']" in str(record[0].message)
    assert [line.get_label() for line in display.lines_] == [
        f"C={C:g} auto" for C in search.Cs_
    ]
    # Beside fixed steps, or drawn over another search's lines, "auto" is a
    # level to compare with: nothing to say.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.set_params(learning_rates=["auto", 0.5]).fit(X, y)
        both = LearningRateDisplay.from_estimator(search)
        search.set_params(learning_rates=["auto"]).fit(X, y)
        LearningRateDisplay.from_estimator(search, ax=both.ax_, name="auto only")
    plt.close("all")


def test_learning_rate_display_fits_the_score_axis_to_auto_levels():
    # axhline leaves the view as it is when the level is inside it: scores
    # of "auto" candidates alone, in [0, 1], were drawn on a 0-1 axis.
    from sklearn_bce import LearningRateDisplay

    with pytest.warns(UserWarning, match=ONLY_AUTO):
        display = LearningRateDisplay(
            learning_rates=["auto", "auto"],
            mean_scores=[0.946, 0.975],
            std_scores=[0.01, 0.01],
            Cs=[0.01, 1.0],
        ).plot()
    low, high = display.ax_.get_ylim()
    assert 0.9 < low < 0.946 and 0.975 < high < 1.0
    # Beside fixed steps, a level outside their range is in view too.
    display = LearningRateDisplay(
        learning_rates=[0.1, 1.0, "auto"],
        mean_scores=[0.5, 0.6, 0.8],
        std_scores=[0.0] * 3,
    ).plot()
    low, high = display.ax_.get_ylim()
    assert low < 0.5 and 0.8 < high < 0.9


def test_learning_rate_display_twice_on_one_axes_keeps_both():
    # The second display's groups take the next colours, and the legend
    # names the groups of both (the shared entries once).
    from matplotlib.colors import to_rgb

    from sklearn_bce import LearningRateDisplay

    def display(C, **kwargs):
        return LearningRateDisplay(
            learning_rates=["auto", 0.1, 1.0, 100.0],
            mean_scores=[-0.1, -0.2, -0.15, np.nan],
            std_scores=[0.0] * 4,
            Cs=[C] * 4,
        ).plot(**kwargs)

    first = display(0.1)
    second = display(10.0, ax=first.ax_)
    colours = [to_rgb(d.lines_[0].get_color()) for d in (first, second)]
    assert colours[0] != colours[1]
    labels = [text.get_text() for text in first.ax_.get_legend().get_texts()]
    assert labels == [
        "C=0.1",
        "C=0.1 auto",
        "C=10",
        "C=10 auto",
        "no score (diverged or failed)",
    ]
    # Its markers and colours are those of the lines.
    handles = first.ax_.get_legend().legend_handles
    assert to_rgb(handles[0].get_color()) == colours[0]
    assert handles[0].get_marker() == first.lines_[0].get_marker()
    assert to_rgb(handles[2].get_color()) == colours[1]


def test_learning_rate_display_names_two_searches_apart():
    # Two searches of the same grid on one axes: without names their
    # legend entries were the same ("C=1", "C=1 auto" twice).  A name goes
    # before every label, from the constructor, plot or from_cv_results,
    # and from_cv_results passes the line keywords on as plot does.
    from sklearn_bce import LearningRateDisplay

    results = {
        "param_learning_rate": np.array(["auto", 0.1, 1.0, 100.0], dtype=object),
        "param_C": np.array([1.0] * 4, dtype=object),
        "mean_test_score": [-0.1, -0.2, -0.15, np.nan],
        "std_test_score": [0.0] * 4,
        "loss_curve": [np.full((2, 3), 0.5)] * 4,
    }
    first = LearningRateDisplay.from_cv_results(results, name="gd", marker="s")
    assert first.lines_[0].get_marker() == "s"
    second = LearningRateDisplay.from_cv_results(
        results, ax=first.ax_, curves_ax=first.curves_ax_, name="nesterov"
    )
    labels = [text.get_text() for text in first.ax_.get_legend().get_texts()]
    assert labels == [
        "gd, C=1",
        "gd, C=1 auto",
        "nesterov, C=1",
        "nesterov, C=1 auto",
        "no score (diverged or failed)",
    ]
    curves = [line.get_label() for line in second.curve_lines_]
    assert curves == [
        "lr=auto, nesterov, C=1",
        "lr=0.1, nesterov, C=1",
        "lr=1, nesterov, C=1",
    ]
    # plot's name replaces the display's; without Cs the name stands alone.
    display = LearningRateDisplay(
        learning_rates=["auto", 0.1],
        mean_scores=[-0.1, -0.2],
        std_scores=[0.0, 0.0],
        name="ignored",
    ).plot(name="sgd")
    assert [line.get_label() for line in display.lines_] == ["sgd", "sgd auto"]
    assert display.name == "ignored"


def test_learning_rate_display_names_a_group_without_any_score():
    # Every step of C=0.0001 diverged: its crosses had a colour no entry named.
    from matplotlib.colors import to_rgb

    from sklearn_bce import LearningRateDisplay

    display = LearningRateDisplay(
        learning_rates=[1.0, 10.0] * 2,
        mean_scores=[np.nan, np.nan, -0.1, -0.2],
        std_scores=[0.0] * 4,
        Cs=[1e-4, 1e-4, 1.0, 1.0],
    ).plot()
    legend = display.ax_.get_legend()
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == ["C=1", "C=0.0001: no score", "no score (diverged or failed)"]
    (cross,) = [
        line for line in display.ax_.get_lines() if line.get_label() == "_no score"
    ]
    assert to_rgb(legend.legend_handles[1].get_color()) == to_rgb(cross.get_color())
    assert legend.legend_handles[1].get_marker() == "x"
    # A group whose "auto" candidate scored is named by its level line: no
    # "no score" entry of its own.
    display = LearningRateDisplay(
        learning_rates=["auto", 1.0, 10.0] * 2,
        mean_scores=[-0.15, np.nan, np.nan, -0.12, -0.1, -0.2],
        std_scores=[0.0] * 6,
        Cs=[1e-4] * 3 + [1.0] * 3,
    ).plot()
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert labels == [
        "C=0.0001 auto",
        "C=1",
        "C=1 auto",
        "no score (diverged or failed)",
    ]


def test_learning_rate_display_labels_a_none_value_as_given():
    # A pipeline step set to None (no scaler) is not the step left out of a
    # grid ("default").
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler

    from sklearn_bce import LearningRateDisplay

    X, y = load_iris(return_X_y=True)
    pipeline = Pipeline([("scale", StandardScaler()), ("clf", BCELogisticRegression())])
    grids = [
        {"scale": [MinMaxScaler(), None], "clf__learning_rate": ["auto", 0.5]},
        {"clf__learning_rate": [0.5]},
    ]
    search = GridSearchCV(pipeline, grids, cv=2).fit(X, y == 0)
    display = LearningRateDisplay.from_cv_results(search.cv_results_)
    labels = [line.get_label() for line in display.lines_]
    assert labels == [
        "scale=MinMaxScaler()",
        "scale=MinMaxScaler() auto",
        "scale=None",
        "scale=None auto",
        "scale=default",
    ]


def test_learning_rate_display_curve_labels_and_axes():
    from sklearn_bce import LearningRateDisplay

    display = LearningRateDisplay(
        learning_rates=[np.sqrt(10.0), "auto"],
        mean_scores=[-0.2, -0.1],
        std_scores=[0.0, 0.0],
        loss_curves=[[[0.6, 0.5]], [[0.6, 0.4]]],
    ).plot()
    assert [line.get_label() for line in display.curve_lines_] == [
        "lr=3.16228",
        "lr=auto",
    ]
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="curves_ax is used with ax"):
        display.plot(curves_ax=ax)
    # Without loss curves there is no axes of them.
    display = LearningRateDisplay(
        learning_rates=[0.1], mean_scores=[-0.2], std_scores=[0.0]
    ).plot(ax=ax, curves_ax=plt.subplots()[1])
    assert display.curves_ax_ is None
    with pytest.raises(ValueError, match="no std_test_score"):
        LearningRateDisplay.from_cv_results(
            {"param_learning_rate": [0.1], "mean_test_score": [0.5]}
        )


def test_an_empty_name_is_no_name():
    display = LossCurveDisplay(loss_curve=[[3.0, 2.0], [2.0, 1.0]], name="").plot()
    assert [line.get_label() for line in display.lines_] == ["class 0", "class 1"]


def test_learning_rate_display_leaves_out_a_step_the_estimator_refuses():
    # GridSearchCV scores a learning rate of 0 error_score (the fits fail).
    from sklearn.exceptions import FitFailedWarning

    from sklearn_bce import LearningRateDisplay

    X, y = _search_data()
    grid = {"learning_rate": [np.float64(0.0), 0.1, 0.5]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = GridSearchCV(BCELogisticRegression(), grid, cv=3).fit(X, y)
    assert FitFailedWarning in {w.category for w in caught}
    with pytest.warns(UserWarning, match=r"'auto' \(0\.0\): they are not drawn"):
        display = LearningRateDisplay.from_cv_results(results.cv_results_)
    assert display.learning_rates == [0.1, 0.5]
    assert_array_equal(display.lines_[0].get_xdata(), [0.1, 0.5])
    # "score", the single score, is labelled as metric=None labels it.
    with pytest.warns(UserWarning, match="not drawn"):
        display = LearningRateDisplay.from_cv_results(
            results.cv_results_, metric="score"
        )
    assert display.ax_.get_ylabel() == "validation score"
