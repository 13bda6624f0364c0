"""Draw the README's pictures of fits and searches from data bundled with scikit-learn.

Writes, into ``docs/images/`` of the repository (or ``--output-dir``):

- ``loss_curve_breast_cancer.png``: the objective per iteration of
  ``solver="gd"`` and ``solver="nesterov"`` (both ``learning_rate="auto"``,
  default ``tol``, ``max_iter=20_000``: plain descent needs about 3,100) on
  the standardised breast-cancer data, and its gap to the best value on a
  log scale;
- ``loss_curve_iris.png``: the one-vs-rest curves, one per class, of the
  standardised iris data;
- ``learning_rate_search.png``: a ``BCELogisticRegressionCV`` over eight
  learning rates and three values of ``C`` on the standardised breast-cancer
  data (5 folds), drawn by ``LearningRateDisplay``: where the steps are
  safe, where they diverge, and the candidates' training curves.

Run it from anywhere::

    python benchmarks/make_figures.py

It needs matplotlib (``pip install -e ".[plot]"``) and draws off-screen with the
Agg backend.  The fits are deterministic, so the pictures change only when the
solvers, the displays or the floating-point rounding (machine, BLAS) do: the
learning-rate search's step 10 at ``C=1`` oscillates until ``max_iter``, and
where it stops depends on rounding.
"""

import argparse
import warnings
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_bce import (
    BCELogisticRegression,
    BCELogisticRegressionCV,
    LearningRateDisplay,
    LossCurveDisplay,
)

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "images"


def new_figure():
    figure = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots(1, 2)


def save(figure, path):
    # No "Software" entry: the file then depends on the picture only.
    figure.savefig(path, dpi=100, metadata={"Software": None})
    print(f"wrote {path}")


def breast_cancer_figure(path):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    figure, (left, right) = new_figure()
    for solver in ["gd", "nesterov"]:
        model = BCELogisticRegression(solver=solver, max_iter=20_000).fit(X, y)
        label = f'solver="{solver}" ({model.n_iter_[0]} iterations)'
        LossCurveDisplay.from_estimator(model, ax=left, label=label)
        LossCurveDisplay.from_estimator(model, ax=right, log_gap=True, label=label)
    for ax in (left, right):
        ax.set_xscale("log")
    left.set_title("Objective J per iteration")
    right.set_title("Gap to the best value")
    figure.suptitle(
        "Breast cancer, standardised: BCELogisticRegression(C=1.0, "
        'learning_rate="auto", tol=1e-4, max_iter=20_000)'
    )
    save(figure, path)


def iris_figure(path):
    data = load_iris()
    X = StandardScaler().fit_transform(data.data)
    model = BCELogisticRegression().fit(X, data.target_names[data.target])
    figure, (left, right) = new_figure()
    for ax, log_gap, where in [
        (left, False, "center right"),
        (right, True, "upper right"),
    ]:
        display = LossCurveDisplay.from_estimator(model, ax=ax, log_gap=log_gap)
        for line, name, n_iter in zip(
            display.lines_, model.classes_, model.n_iter_, strict=True
        ):
            line.set_label(f"{name} vs rest ({n_iter} iterations)")
        ax.legend(loc=where)
    left.set_title("Objective J per iteration, one problem per class")
    right.set_title("Gap to the best value")
    figure.suptitle(
        'Iris, standardised: one-vs-rest BCELogisticRegression(solver="nesterov")'
    )
    save(figure, path)


def search_figure(path):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    search = BCELogisticRegressionCV(
        learning_rates=["auto", 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0],
        Cs=[0.1, 1.0, 10.0],
        cv=5,
        max_iter=5000,
    )
    with warnings.catch_warnings():
        # The long fixed steps diverge at small C (the point of the picture).
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    figure, (left, right) = new_figure()
    LearningRateDisplay.from_cv_results(
        search.cv_results_,
        ax=left,
        curves_ax=right,
        score_name="mean log-loss (negated)",
    )
    left.set_title("Validation score per learning rate and C")
    right.set_title("Training objective of each candidate")
    figure.suptitle(
        "Breast cancer, standardised: BCELogisticRegressionCV over 8 learning "
        f"rates x 3 C, 5 folds (chose {search.learning_rate_!r}, C={search.C_:g})"
    )
    save(figure, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="folder of the pictures (default: docs/images of the repository)",
    )
    args = parser.parse_args(argv)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    breast_cancer_figure(args.output_dir / "loss_curve_breast_cancer.png")
    iris_figure(args.output_dir / "loss_curve_iris.png")
    search_figure(args.output_dir / "learning_rate_search.png")


if __name__ == "__main__":
    main()
