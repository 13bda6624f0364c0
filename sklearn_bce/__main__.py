"""Command line: ``python -m sklearn_bce`` (or ``sklearn-bce``).

``demo`` (the default) fits :class:`BCELogisticRegression` and scikit-learn's
``LogisticRegression`` on the breast-cancer data bundled with scikit-learn and
prints them side by side.
"""

import argparse
import sys
import time

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import BCELogisticRegression, __version__

DEFAULT_LEARNING_RATES = ["auto", 0.01, 0.1, 1.0, 10.0]


def _learning_rate(text):
    if text == "auto":
        return text
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"learning rate must be 'auto' or a positive number, got {text!r}"
        ) from None
    if not value > 0 or not np.isfinite(value):
        raise argparse.ArgumentTypeError(
            f"learning rate must be 'auto' or a positive number, got {text!r}"
        )
    return value


def _positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sklearn-bce",
        description=(
            "Logistic regression by batch gradient descent on the binary "
            "cross-entropy, compared with scikit-learn's LogisticRegression."
        ),
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="compare with LogisticRegression on bundled data (the default)",
        description=(
            "Split scikit-learn's breast-cancer data into train and test sets, "
            "tune a StandardScaler + BCELogisticRegression pipeline by "
            "GridSearchCV over the learning rate, fit LogisticRegression with "
            "the same C, and print both side by side."
        ),
    )
    _add_demo_arguments(demo)
    return parser


def _add_demo_arguments(parser):
    parser.add_argument(
        "--learning-rates",
        nargs="+",
        type=_learning_rate,
        default=DEFAULT_LEARNING_RATES,
        metavar="LR",
        help="learning rates to search ('auto' or floats; default: %(default)s)",
    )
    parser.add_argument(
        "--C", type=_positive_float, default=1.0, help="inverse penalty strength"
    )
    parser.add_argument("--solver", choices=["nesterov", "gd"], default="nesterov")
    parser.add_argument("--max-iter", type=int, default=1000, help="iterations per fit")
    parser.add_argument(
        "--tol",
        type=_positive_float,
        default=1e-6,
        help="gradient tolerance of both estimators (default: %(default)s)",
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="fits timed per model (median)"
    )
    parser.add_argument(
        "--test-size", type=float, default=0.25, help="fraction held out"
    )
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds")
    parser.add_argument("--random-state", type=int, default=0, help="split seed")


def run_demo(args, out=None):
    """Fit both models and print the comparison; returns the result rows."""
    out = sys.stdout if out is None else out
    data = load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data,
        data.target,
        test_size=args.test_size,
        stratify=data.target,
        random_state=args.random_state,
    )
    search = GridSearchCV(
        make_pipeline(
            StandardScaler(),
            BCELogisticRegression(C=args.C, solver=args.solver, max_iter=args.max_iter),
        ),
        {"bcelogisticregression__learning_rate": args.learning_rates},
        scoring="neg_log_loss",
        cv=args.cv,
    )
    search.fit(X_train, y_train)
    best_rate = search.best_params_["bcelogisticregression__learning_rate"]
    print(
        f"Breast cancer: {len(y_train)} training and {len(y_test)} test samples, "
        f"{X_train.shape[1]} features, C={args.C}.",
        file=out,
    )
    print(
        f"\nGridSearchCV over learning_rate ({args.cv}-fold mean log-loss):", file=out
    )
    for params, score in zip(
        search.cv_results_["params"],
        search.cv_results_["mean_test_score"],
        strict=True,
    ):
        rate = params["bcelogisticregression__learning_rate"]
        print(f"  learning_rate={rate!s:>6}  log-loss {-score:.4f}", file=out)
    print(f"  best: learning_rate={best_rate}\n", file=out)

    ours = make_pipeline(
        StandardScaler(),
        BCELogisticRegression(
            C=args.C,
            learning_rate=best_rate,
            solver=args.solver,
            max_iter=args.max_iter,
            tol=args.tol,
        ),
    )
    theirs = make_pipeline(
        StandardScaler(), LogisticRegression(C=args.C, tol=args.tol, max_iter=10_000)
    )
    rows = {}
    for name, model in [
        ("BCELogisticRegression", ours),
        ("LogisticRegression", theirs),
    ]:
        seconds = []
        for _ in range(max(args.repeats, 1)):
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds.append(time.perf_counter() - start)
        rows[name] = {
            "test accuracy": accuracy_score(y_test, model.predict(X_test)),
            "test log-loss": log_loss(y_test, model.predict_proba(X_test)),
            "iterations": int(np.max(model[-1].n_iter_)),
            "fit time (ms)": 1e3 * float(np.median(seconds)),
        }
    difference = np.abs(ours[-1].coef_ - theirs[-1].coef_).max()
    _print_table(rows, out)
    print(
        f"\nmax |coefficient difference|: {difference:.2e} "
        f"(both stop at max |gradient| <= tol={args.tol:g}; median of "
        f"{max(args.repeats, 1)} fits)",
        file=out,
    )
    return rows


def _print_table(rows, out):
    names = list(rows)
    print(f"{'':16}" + "".join(f"{name:>24}" for name in names), file=out)
    for metric in rows[names[0]]:
        cells = []
        for name in names:
            value = rows[name][metric]
            cells.append(
                f"{value:>24d}" if isinstance(value, int) else f"{value:>24.4f}"
            )
        print(f"{metric:16}" + "".join(cells), file=out)


def main(argv=None):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or (
        argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")
    ):
        argv = ["demo", *argv]
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
