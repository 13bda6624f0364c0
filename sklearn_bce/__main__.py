"""Command line: ``python -m sklearn_bce`` (or ``sklearn-bce``).

``demo`` (the default) fits :class:`BCELogisticRegression` and scikit-learn's
``LogisticRegression`` on the breast-cancer data bundled with scikit-learn and
prints them side by side.

``fit DATA.csv --target COL`` fits a ``StandardScaler`` +
``BCELogisticRegression`` pipeline on a CSV file of numeric features,
compares it with ``LogisticRegression`` and can save the model (skops format)
and a picture of its loss curve (the objective minus its minimum, on a log
scale; the objective itself after one iteration); ``predict MODEL.skops
DATA.csv`` loads such a model, trusting only classes of this package,
scikit-learn, numpy and scipy.sparse that the file cannot use to run code or
write files (see :func:`load_model`), and writes its predictions and
probabilities.  Bad input ends with a one-line ``sklearn-bce: error: ...``
on stderr and exit status 1; a bad option or option value, as argparse
reports it, with the usage and exit status 2.
"""

import argparse
import importlib
import inspect
import io
import json
import os
import re
import shutil
import stat
import sys
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
from scipy.special import expit
from sklearn.base import is_classifier
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import type_of_target
from threadpoolctl import threadpool_limits

from . import (
    BCELogisticRegression,
    BCELogisticRegressionCV,
    LearningRateDisplay,
    __version__,
)
from ._validation import plain_value as _plain
from ._validation import score_function

DEFAULT_LEARNING_RATES = ["auto", 0.03, 0.1, 0.3, 1.0, 3.0, 100.0]
#: ``max_iter`` of the demo's LogisticRegression (``--max-iter`` is ours).
LOGISTIC_REGRESSION_MAX_ITER = 10_000


def _option_value(convert, accept, description):
    """An argparse ``type``: ``convert(text)``, refused unless ``accept`` takes it."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"{description}, got {text!r}")
        return value

    return parse


_learning_rate = _option_value(
    lambda text: text if text == "auto" else float(text),
    lambda value: value == "auto" or (value > 0 and np.isfinite(value)),
    "learning rate must be 'auto' or a positive number",
)
_c_value = _option_value(
    float, lambda value: value > 0, "C must be a positive number or 'inf'"
)
_positive_float = _option_value(
    float, lambda value: value > 0 and np.isfinite(value), "must be a positive number"
)
_iterations = _option_value(int, lambda value: value >= 1, "must be a positive integer")
_fraction = _option_value(float, lambda value: 0 <= value < 1, "must be in [0, 1)")
_open_fraction = _option_value(
    float, lambda value: 0 < value < 1, "must be a fraction in (0, 1)"
)
_folds = _option_value(int, lambda value: value >= 2, "must be an integer >= 2")
_seed = _option_value(
    int, lambda value: 0 <= value < 2**32, "must be an integer in [0, 2**32 - 1]"
)


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
            "Split scikit-learn's breast-cancer data into stratified train and "
            "test sets. On the standardised training set, choose the learning "
            "rate of BCELogisticRegressionCV by cross-validated log-loss (every "
            "candidate and fold as columns of one gradient-descent run per kind "
            "of step, C fixed; of the "
            "candidates that converged within 1e-4 of the best log-loss, the "
            "one with the fewest iterations); the same search by GridSearchCV "
            "on the same data, one BCELogisticRegression fit at a time, is run "
            "to compare its time and scores. Then fit "
            "BCELogisticRegression with the chosen learning rate and "
            "LogisticRegression with the same C and tol, and print their test "
            "scores, iterations, final gradients and median fit times side by "
            "side."
        ),
    )
    _add_demo_arguments(demo)
    fit = commands.add_parser(
        "fit",
        help="fit a model on a CSV file of numeric features",
        description=(
            "Read DATA.csv, split it into train and test sets, fit a "
            "StandardScaler + BCELogisticRegression pipeline and "
            "LogisticRegression with the same C (one-vs-rest for several "
            "classes: the same objective) on the training set, print both "
            "side by side, and optionally save the model and its loss curve."
        ),
    )
    _add_fit_arguments(fit)
    predict = commands.add_parser(
        "predict",
        help="predict with a model saved by 'fit --model'",
        description=(
            "Load MODEL.skops (trusting only classes of sklearn_bce, "
            "scikit-learn, numpy and scipy.sparse that the file cannot use to "
            "run code or write files, and the metrics of scikit-learn's named "
            "scorers), predict the rows of DATA.csv and write "
            "the predicted class and the probability of each class (columns "
            "proba_<class>) as CSV."
        ),
    )
    predict.add_argument("model", metavar="MODEL.skops", help="model file")
    predict.add_argument(
        "data", metavar="DATA.csv", help="samples to predict ('-': standard input)"
    )
    predict.add_argument(
        "--output",
        metavar="OUT.csv",
        help="write the predictions here ('-' or none: print them)",
    )
    predict.add_argument(
        "--no-header",
        action="store_true",
        help="DATA.csv has no header row: its columns are the model's features, "
        "in the order it was fitted on (by default the first row names the "
        "columns)",
    )
    return parser


def _add_solver_argument(parser):
    parser.add_argument(
        "--solver",
        choices=["nesterov", "gd"],
        default="nesterov",
        help="Nesterov-accelerated or plain gradient descent (default: %(default)s)",
    )


def _add_fit_arguments(parser):
    parser.add_argument(
        "data", metavar="DATA.csv", help="training data ('-': standard input)"
    )
    parser.add_argument(
        "--target", required=True, metavar="COL", help="column of the class labels"
    )
    parser.add_argument(
        "--learning-rate",
        type=_learning_rate,
        default="auto",
        metavar="X",
        help="'auto' or a positive step size (default: %(default)s)",
    )
    parser.add_argument(
        "--C",
        type=_c_value,
        default=1.0,
        metavar="X",
        help="inverse penalty strength, 'inf' for none (default: %(default)s)",
    )
    _add_solver_argument(parser)
    parser.add_argument(
        "--max-iter",
        type=_iterations,
        default=1000,
        metavar="N",
        help="most iterations of each model (default: %(default)s)",
    )
    parser.add_argument(
        "--tol",
        type=_positive_float,
        default=1e-4,
        metavar="X",
        help="stop when the largest gradient entry is at most X, for both models "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--test-size",
        type=_fraction,
        default=0.25,
        metavar="F",
        help="fraction held out for testing, 0 for none (default: %(default)s)",
    )
    parser.add_argument(
        "--random-state",
        type=_seed,
        default=0,
        metavar="N",
        help="split seed (default: %(default)s)",
    )
    parser.add_argument(
        "--model", metavar="OUT.skops", help="save the fitted pipeline (skops)"
    )
    parser.add_argument(
        "--plot",
        metavar="LOSS.png",
        help="save a picture of the loss curve (the objective minus its "
        "minimum, on a log scale; the objective itself after one iteration)",
    )


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
        "--C",
        type=_c_value,
        default=1.0,
        help="inverse penalty strength, 'inf' for none (default: %(default)s)",
    )
    _add_solver_argument(parser)
    parser.add_argument(
        "--max-iter",
        type=_iterations,
        default=10_000,
        help="most iterations of each BCELogisticRegression fit (default: %(default)s)",
    )
    parser.add_argument(
        "--tol",
        type=_positive_float,
        default=1e-6,
        help="gradient tolerance of both estimators (default: %(default)s)",
    )
    parser.add_argument(
        "--repeats",
        type=_iterations,
        default=5,
        help="fits timed per model, on one thread; the median is shown "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--test-size",
        type=_open_fraction,
        default=0.25,
        help="fraction held out, in (0, 1) (default: %(default)s)",
    )
    parser.add_argument(
        "--cv",
        type=_folds,
        default=5,
        help="cross-validation folds, at least 2 (default: %(default)s)",
    )
    parser.add_argument(
        "--random-state",
        type=_seed,
        default=0,
        help="split seed (default: %(default)s)",
    )
    parser.add_argument(
        "--plot",
        metavar="SEARCH.png",
        help="save the learning-rate plot (scores and loss curves) to this file",
    )


def _check_writable(path, what):
    """Fail fast, before any fitting, when the file ``path`` cannot be written."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        problem = "it is a directory"
    elif not folder.exists():
        problem = f"no such directory {str(folder)!r}"
    elif not folder.is_dir():
        problem = f"{str(folder)!r} is not a directory"
    elif not os.access(folder, os.W_OK | os.X_OK) or (
        target.exists() and not os.access(target, os.W_OK)
    ):
        problem = "permission denied"
    else:
        return
    raise CommandError(f"{path}: cannot write the {what}: {problem}")


def _check_plot_path(path):
    """The file a plot goes to; fail fast when it cannot be written.

    A path without an extension gets ``.png``, as matplotlib's ``savefig``
    would add it, so that the message names the file written.
    """
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError as exc:
        raise _unavailable(exc, "--plot", "matplotlib") from None
    extension = Path(path).suffix[1:].lower()
    formats = FigureCanvasBase.get_supported_filetypes()
    if extension and extension not in formats:
        raise CommandError(
            f"{path}: cannot write the plot: unknown image format {extension!r} "
            f"(supported: {', '.join(sorted(formats))})"
        )
    if extension == "pgf":
        from matplotlib import rcParams

        # matplotlib lists pgf whether or not the TeX it runs is installed.
        tex = rcParams["pgf.texsystem"]
        if shutil.which(tex) is None:
            raise CommandError(
                f"{path}: cannot write the plot: the pgf format needs {tex}, "
                "which is not installed"
            )
    if not extension and not Path(path).is_dir():
        path = f"{path}.png"
    _check_writable(path, "plot")
    return path


def _save_learning_rate_plot(cv_results, path):
    """Draw the search's LearningRateDisplay into a PNG file."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise _unavailable(exc, "--plot", "matplotlib") from None

    figure = Figure(figsize=(11, 4), layout="constrained")
    ax, curves_ax = figure.subplots(1, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LearningRateDisplay.from_cv_results(
            cv_results,
            ax=ax,
            curves_ax=curves_ax,
            score_name="mean validation neg. log-loss",
        )
    _print_warnings(caught)
    try:
        figure.savefig(path, dpi=110)
    except (OSError, RuntimeError, ValueError) as exc:
        raise CommandError(f"{path}: cannot write the plot: {_one_line(exc)}") from None


#: Mean log-losses this close to the best count as a tie in the demo's search.
SCORE_TOLERANCE = 1e-4


def fewest_iterations_near_the_best(cv_results, tolerance=SCORE_TOLERANCE):
    """``refit`` of the demo's search: among the candidates that converged on
    every fold and whose mean score is within ``tolerance`` of the best of
    them, the one with the fewest iterations.

    Learning rates that converge reach the same optimum, so their scores
    differ by the stopping tolerance only; the best score alone would pick a
    step by that noise.  A step stopped by ``max_iter`` is not at the optimum
    (its score can even be better, by under-fitting): it is chosen only when
    no candidate converged, by its score.
    """
    means = np.asarray(cv_results["mean_test_score"], dtype=float)
    converged = np.asarray(cv_results["converged"], dtype=bool) & np.isfinite(means)
    if not converged.any():
        return int(np.nanargmax(means))
    best = means[converged].max()
    near = np.flatnonzero(converged & (means >= best - tolerance))
    return int(near[np.argmin(np.asarray(cv_results["mean_n_iter"])[near])])


def largest_gradient_entry(model, X, y):
    """Largest absolute entry of the gradient of the shared objective ``J``.

    ``J(w, b) = mean BCE + ||w||^2 / (2 C n)`` at the fitted binary
    ``model``'s coefficients, on the data it was fitted on (``y`` in {0, 1}):
    how close each estimator stopped to the optimum, judged the same way.
    """
    w, b = np.ravel(model.coef_), float(np.ravel(model.intercept_)[0])
    error = expit(X @ w + b) - y
    gradient = np.append(X.T @ error / len(y) + w / (model.C * len(y)), error.mean())
    return float(np.abs(gradient).max())


def run_demo(args, out=None):
    """Fit both models and print the comparison; returns the result rows."""
    out = sys.stdout if out is None else out
    if args.plot:
        args.plot = _check_plot_path(args.plot)  # before the search and fits
    data = load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data,
        data.target,
        test_size=args.test_size,
        stratify=data.target,
        random_state=args.random_state,
    )
    folds = StratifiedKFold(args.cv)
    shared = {"solver": args.solver, "max_iter": args.max_iter, "tol": args.tol}
    # Both searches run on the same standardised training set (the scaler is
    # fitted once, before the folds, as for LogisticRegressionCV in a
    # pipeline), so they are the same search and score alike.
    X_scaled = StandardScaler().fit_transform(X_train)
    search = BCELogisticRegressionCV(
        learning_rates=args.learning_rates,
        Cs=[args.C],
        cv=folds,
        refit=fewest_iterations_near_the_best,
        **shared,
    )
    grid = GridSearchCV(
        BCELogisticRegression(C=args.C, **shared),
        {"learning_rate": args.learning_rates},
        # The batched search scores a validation part that holds one class
        # only (a small training set, many folds) against all the classes;
        # "neg_log_loss" would fail there, so it is told the labels too.
        scoring=make_scorer(
            log_loss,
            greater_is_better=False,
            response_method="predict_proba",
            labels=np.unique(y_train),
        ),
        cv=folds,
        refit=False,
    )
    search_seconds = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name, model in [("batched", search), ("GridSearchCV", grid)]:
            start = time.perf_counter()
            model.fit(X_scaled, y_train)
            search_seconds[name] = time.perf_counter() - start
    # Too large learning rates diverge on purpose, too small ones stop at
    # max_iter: the table reports them.  Other warnings (a class with fewer
    # members than folds) are printed once each, in one line.
    _print_warnings(
        [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    )
    results = search.cv_results_
    best_rate = search.learning_rate_
    grid_scores = grid.cv_results_["mean_test_score"]
    both = np.isfinite(results["mean_test_score"]) & np.isfinite(grid_scores)
    score_difference = np.abs(results["mean_test_score"] - grid_scores)[
        both & results["converged"]
    ]
    print(
        f"Breast cancer: {len(y_train)} training and {len(y_test)} test samples, "
        f"{X_train.shape[1]} features, C={args.C}.",
        file=out,
    )
    print(
        f"\nLearning-rate search, {args.cv}-fold mean log-loss "
        "(BCELogisticRegressionCV: every candidate and fold at once, one run "
        "per kind of step):",
        file=out,
    )
    for params, score, n_iter, diverged, converged in zip(
        results["params"],
        results["mean_test_score"],
        results["mean_n_iter"],
        results["diverged"],
        results["converged"],
        strict=True,
    ):
        rate = f"  learning_rate={params['learning_rate']!s:>6}"
        if diverged:
            print(f"{rate}  diverged (too large a step)", file=out)
        else:
            stopped = "" if converged else f" (stopped at max_iter={args.max_iter})"
            print(
                f"{rate}  log-loss {-score:.5f}  {n_iter:7.1f} iterations{stopped}",
                file=out,
            )
    by_score = results["params"][int(np.nanargmax(results["mean_test_score"]))]
    if results["converged"].any():
        how = (
            f"the fewest iterations among the converged within "
            f"{SCORE_TOLERANCE:g} of their best log-loss"
        )
    else:
        how = "no learning rate converged: the best log-loss"
    print(
        f"  chosen: learning_rate={best_rate}, {how} (by log-loss alone: "
        f"{by_score['learning_rate']})",
        file=out,
    )
    same = (
        f"; the mean log-losses of converged candidates differ by at most "
        f"{score_difference.max():.1e}"
        if score_difference.size
        else ""
    )
    print(
        f"  search time {1e3 * search_seconds['batched']:.0f} ms; the same search "
        f"by GridSearchCV, one fit at a time: "
        f"{1e3 * search_seconds['GridSearchCV']:.0f} ms{same}\n",
        file=out,
    )
    if args.plot:
        _save_learning_rate_plot(results, args.plot)
        print(f"  learning-rate plot written to {args.plot}\n", file=out)

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
        StandardScaler(),
        LogisticRegression(
            C=args.C, tol=args.tol, max_iter=LOGISTIC_REGRESSION_MAX_ITER
        ),
    )
    rows = {}
    unconverged = []
    for name, model in [
        ("BCELogisticRegression", ours),
        ("LogisticRegression", theirs),
    ]:
        seconds = []
        # One thread each (BLAS and OpenMP): on data this small, threads only
        # add their start-up and the noise of a shared machine to lbfgs.
        with warnings.catch_warnings(record=True) as caught, threadpool_limits(1):
            warnings.simplefilter("always", ConvergenceWarning)
            for _ in range(args.repeats):
                start = time.perf_counter()
                model.fit(X_train, y_train)
                seconds.append(time.perf_counter() - start)
        _print_warnings(caught)
        # Judged the same way for both: lbfgs may also stop on its own
        # criteria (a small relative decrease) without a warning.
        gradient = largest_gradient_entry(
            model[-1], model[0].transform(X_train), y_train
        )
        if not gradient <= args.tol:
            unconverged.append(f"{name} ({_above(gradient, args.tol)})")
        rows[name] = {
            "test accuracy": accuracy_score(y_test, model.predict(X_test)),
            "test log-loss": log_loss(y_test, model.predict_proba(X_test)),
            "iterations": int(np.max(model[-1].n_iter_)),
            "max |gradient|": gradient,
            "fit time (ms)": 1e3 * float(np.median(seconds)),
        }
    difference = np.abs(ours[-1].coef_ - theirs[-1].coef_).max()
    _print_table(rows, out)
    if unconverged:
        stops = (
            f"{' and '.join(unconverged)} stopped above max |gradient| <= "
            f"tol={args.tol:g}, so the coefficients differ for that reason too"
        )
    else:
        stops = f"both stop at max |gradient| <= tol={args.tol:g}"
        if np.isinf(args.C) and np.array_equal(ours.predict(X_train), y_train):
            # Separable training data: the unpenalised loss has no minimiser.
            stops += (
                "; without a penalty (C=inf) on separable training data the "
                "loss has no minimum, so each model stops wherever its gradient "
                "first falls below tol"
            )
    print(
        f"\nmax |coefficient difference|: {difference:.2e} "
        f"({stops}; fit time: median of {args.repeats} "
        f"fit{'s' if args.repeats != 1 else ''}, one thread each)",
        file=out,
    )
    return rows


def _above(value, bound):
    """``value`` to two significant digits, or as many as show it above ``bound``."""
    for digits in range(2, 18):
        text = f"{value:.{digits}g}"
        if float(text) > bound:
            return text
    return repr(value)


def _print_table(rows, out):
    names = list(rows)
    # Right-aligned columns, two spaces wider than the longest model name.
    width = max(24, *(len(name) + 2 for name in names))
    print(f"{'':16}" + "".join(f"{name:>{width}}" for name in names), file=out)
    for metric in rows[names[0]]:
        cells = []
        for name in names:
            value = rows[name][metric]
            if isinstance(value, int):
                number = f"{value:d}"
            elif "gradient" in metric:
                number = f"{value:.1e}"
            elif "time" in metric:
                number = f"{value:.1f}"
            else:
                number = f"{value:.4f}"
            cells.append(f"{number:>{width}}")
        print(f"{metric:16}" + "".join(cells), file=out)


class CommandError(Exception):
    """Bad input: reported as one line on stderr, without a traceback."""


def _one_line(error):
    return " ".join(str(error).split()) or type(error).__name__


class _Stream:
    """The bytes of data that can be read once only (standard input, a
    pipe), kept to be read again; named as the command line named them."""

    def __init__(self, name, data):
        self.name, self.data = name, data

    def __str__(self):
        return self.name

    def open(self):
        return io.BytesIO(self.data)


def _data_source(path):
    """``path``, or a :class:`_Stream` of what it holds where it can be read
    only once: ``-`` (standard input), a pipe, ``/dev/stdin``."""
    if path == "-":
        return _Stream("stdin", sys.stdin.buffer.read())
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return path  # _read_csv says what is wrong with it
    if regular:
        return path
    try:
        with open(path, "rb") as stream:
            return _Stream(path, stream.read())
    except OSError:
        return path


def _opened(source):
    """What pandas reads: a path, or a fresh reader of a stream's bytes."""
    return source.open() if isinstance(source, _Stream) else source


def _read_csv(path, text_column=None, header=True):
    """The rows of a CSV file; ``text_column``, if any, is read as text.

    ``path`` may be a :class:`_Stream`.  The first row names the columns,
    unless ``header`` is False.
    """
    import pandas as pd

    try:
        frame = pd.read_csv(
            _opened(path),
            dtype=None if text_column is None else {text_column: str},
            header=0 if header else None,
        )
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except pd.errors.EmptyDataError:
        raise CommandError(f"{path}: the file is empty") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not a text (UTF-8) CSV file") from None
    except (OSError, pd.errors.ParserError) as exc:
        raise CommandError(f"{path}: cannot read it as CSV: {_one_line(exc)}") from None
    if frame.empty:
        raise CommandError(f"{path}: no data rows")
    return frame


def _check_single_target(path, target):
    """Refuse a header that names the target more than once.

    pandas renames the second ``t`` to ``t.1``, which would be fitted as a
    feature (or refused as a text one, under a name the file does not have).
    """
    import pandas as pd

    try:
        first = pd.read_csv(_opened(path), header=None, nrows=1, dtype=str)
        names = first.iloc[0].tolist()
    except (OSError, ValueError, IndexError):  # read in full before
        return
    count = names.count(target)
    if count > 1:
        raise CommandError(
            f"{path}: the header names {count} columns {target!r}: give the "
            "target column a name of its own"
        )


def _listing(names, limit=10):
    """``'a', 'b', ...``: at most ``limit`` names, then how many more."""
    shown = ", ".join(repr(str(name)) for name in names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def _is_number(text):
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def _header_reads_as_data(frame):
    """Whether every column name is a number, as a first row of data reads.

    ``0, 1, ..., n-1`` is not: pandas writes those names for a frame made
    from an array.
    """
    names = [str(name) for name in frame.columns]
    default = names == [str(k) for k in range(len(names))]
    return not default and all(_is_number(name) for name in names)


def _target_labels(frame, target, path):
    """The target column read as the file's other columns are (numbers as
    numbers); a warning where that makes labels written apart one class.

    ``frame`` holds the target as text.  pandas reads ``"01"`` and ``"1"``
    as the number 1 (and ``"True"`` and ``"true"`` as True): the classes are
    those pandas reads, as ``pandas.read_csv`` users expect, but the file's
    author is told which written labels merged.
    """
    import pandas as pd

    written = frame[target]
    text = written.to_frame().to_csv(index=False)
    inferred = pd.read_csv(io.StringIO(text)).iloc[:, 0].set_axis(written.index)
    merged = []
    for value, group in written.dropna().groupby(inferred.dropna(), sort=True):
        spellings = sorted(set(group))
        if len(spellings) > 1:
            merged.append(f"{' and '.join(map(repr, spellings))} as {_plain(value)!r}")
    if merged:
        print(
            f"sklearn-bce: warning: {path}: the target column {target!r} has "
            f"labels that read as the same value, one class: {'; '.join(merged)}. "
            "To keep them apart, write them as text that is not a number "
            "(a letter first).",
            file=sys.stderr,
        )
    return inferred


def _warn_saved_index(frame, path):
    """Warn of a first column that pandas' ``to_csv`` wrote as the row index:
    unnamed, and 0, 1, 2, ... (a feature that counts rows is no feature)."""
    first = frame.columns[0]
    if not str(first).startswith("Unnamed: "):
        return
    column = frame[first]
    if len(column) > 1 and np.array_equal(column.to_numpy(), np.arange(len(column))):
        print(
            f"sklearn-bce: warning: {path}: the unnamed first column {first!r} "
            "holds the row numbers 0, 1, 2, ..., as pandas writes its index; it "
            "is used as a feature. If it is the index, write the file with "
            "to_csv(index=False) or drop the column.",
            file=sys.stderr,
        )


def _check_numeric(frame, path):
    from pandas.api.types import is_numeric_dtype

    bad = [str(name) for name in frame.columns if not is_numeric_dtype(frame[name])]
    if bad:
        raise CommandError(
            f"{path}: non-numeric feature column(s) {', '.join(map(repr, bad))}; "
            "encode them as numbers or drop them"
        )


def _check_complete(frame, path):
    """Refuse missing and infinite feature values, naming their columns."""
    for counts, what in [
        (frame.isna().sum(), "missing"),
        (frame.isin([np.inf, -np.inf]).sum(), "infinite"),
    ]:
        bad = [str(name) for name, count in counts.items() if count]
        if bad:
            raise CommandError(
                f"{path}: feature column(s) {', '.join(map(repr, bad))} have "
                f"{int(counts.sum())} {what} value(s); "
                + ("fill or drop them" if what == "missing" else "replace or drop them")
            )


def _check_scalable(frame, path):
    """Refuse columns whose variance overflows: StandardScaler turns them to NaN."""
    with np.errstate(over="ignore", invalid="ignore"):
        variance = frame.to_numpy(dtype=np.float64).var(axis=0)
    bad = [
        str(name)
        for name, value in zip(frame.columns, variance, strict=True)
        if np.isinf(value)
    ]
    if bad:
        raise CommandError(
            f"{path}: feature column(s) {', '.join(map(repr, bad))} have values "
            "too large to standardise (their variance overflows); rescale them"
        )


def _print_warnings(caught, prefix=""):
    for message in dict.fromkeys(_one_line(w.message) for w in caught):
        print(f"sklearn-bce: warning: {prefix}{message}", file=sys.stderr)


def _unavailable(exc, what, package):
    """The error for an optional ``package`` that ``what`` could not import.

    A package that is not installed is to be installed; one that is
    installed but fails to import (too old for this scikit-learn, say) is
    named with its error, to be upgraded.
    """
    missing = isinstance(exc, ModuleNotFoundError) and (
        (exc.name or "").partition(".")[0] == package
    )
    if missing:
        # The cli extra holds every package the commands may need.
        return CommandError(f"{what} needs {package}: pip install 'sklearn-bce[cli]'")
    return CommandError(
        f"{what} needs {package}, which is installed but failed to import "
        f"({_one_line(exc)}): pip install --upgrade {package}"
    )


def run_fit(args, out=None):
    """Fit both models on a CSV file and print the comparison; returns the rows."""
    out = sys.stdout if out is None else out
    if args.model:
        _check_writable(args.model, "model")
        try:
            import skops.io  # noqa: F401
        except ImportError as exc:
            raise _unavailable(exc, "--model", "skops") from None
    if args.plot:
        args.plot = _check_plot_path(args.plot)
    args.data = _data_source(args.data)
    frame = _read_csv(args.data, text_column=args.target)
    if args.target not in frame.columns:
        hint = ""
        if _header_reads_as_data(frame):
            hint = (
                "; the first row is read as the column names, and this file's "
                "are numbers: add a header row that names the columns"
            )
        raise CommandError(
            f"{args.data}: unknown target column {args.target!r} (columns: "
            f"{_listing(list(frame.columns))}){hint}"
        )
    _check_single_target(args.data, args.target)
    if _header_reads_as_data(frame):
        # Even where the target is among them: that row would not be fitted.
        raise CommandError(
            f"{args.data}: the first row is read as the column names, and it "
            "holds numbers: if it is a row of data, add a header row that names "
            "the columns (else that row would not be fitted); if they are the "
            "names, write them as text that is not a number"
        )
    y = _target_labels(frame, args.target, args.data)
    X = frame.drop(columns=[args.target])
    if y.isna().any():
        raise CommandError(
            f"{args.data}: the target column {args.target!r} has "
            f"{int(y.isna().sum())} missing value(s)"
        )
    if X.shape[1] == 0:
        raise CommandError(f"{args.data}: no feature columns besides the target")
    _warn_saved_index(X, args.data)
    _check_numeric(X, args.data)
    _check_complete(X, args.data)
    _check_scalable(X, args.data)
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass"):
        raise CommandError(
            f"{args.data}: the target column {args.target!r} holds {kind} values, "
            "not class labels; a classifier needs a column of classes"
        )
    counts = y.value_counts()
    if len(counts) < 2:
        raise CommandError(
            f"{args.data}: the target column {args.target!r} has only one class "
            f"({_plain(counts.index[0])!r}); two or more are needed"
        )
    if args.test_size > 0:
        # The split is stratified, so each class needs a sample on both sides.
        lone = [repr(_plain(label)) for label, count in counts.items() if count < 2]
        if lone:
            column = f"of the target column {args.target!r}"
            if len(lone) == 1:
                problem = (
                    f"class {lone[0]} {column} has a single sample, so it cannot "
                    "be both trained on and evaluated: remove that row, add more "
                    "samples of the class"
                )
            else:
                problem = (
                    f"classes {', '.join(lone)} {column} have a single sample "
                    "each, so they cannot be both trained on and evaluated: "
                    "remove those rows, add more samples of them"
                )
            raise CommandError(
                f"{args.data}: {problem}, or use --test-size 0 (no test set)"
            )
        try:
            X_train, X_test, y_train, y_test = train_test_split(
                X,
                y,
                test_size=args.test_size,
                stratify=y,
                random_state=args.random_state,
            )
        except ValueError as exc:
            raise CommandError(
                f"{args.data}: cannot split {len(y)} samples of {len(counts)} "
                f"classes into train and test sets with every class in both "
                f"(--test-size {args.test_size:g}): {_one_line(exc).rstrip('.')}; "
                "choose a --test-size that leaves both parts at least one row "
                "of every class, or use --test-size 0 (no test set)"
            ) from None
    else:
        X_train, X_test, y_train, y_test = X, X.iloc[:0], y, y.iloc[:0]

    ours = make_pipeline(
        StandardScaler(),
        BCELogisticRegression(
            C=args.C,
            learning_rate=args.learning_rate,
            solver=args.solver,
            max_iter=args.max_iter,
            tol=args.tol,
        ),
    )
    # The same objective: with several classes, LogisticRegression's own
    # model is the multinomial one; ours is one-vs-rest.
    reference = LogisticRegression(C=args.C, max_iter=args.max_iter, tol=args.tol)
    reference_name = "LogisticRegression"
    if len(counts) > 2:
        reference = OneVsRestClassifier(reference)
        reference_name = "LogisticRegression (one-vs-rest)"
    theirs = make_pipeline(StandardScaler(), reference)
    rows = {}
    for name, model in [
        ("BCELogisticRegression", ours),
        (reference_name, theirs),
    ]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
        _print_warnings(caught, prefix=f"{name}: " if model is theirs else "")
        classes = model.classes_
        row = {
            "train accuracy": accuracy_score(y_train, model.predict(X_train)),
            "train log-loss": log_loss(
                y_train, model.predict_proba(X_train), labels=classes
            ),
        }
        if len(y_test):
            row["test accuracy"] = accuracy_score(y_test, model.predict(X_test))
            row["test log-loss"] = log_loss(
                y_test, model.predict_proba(X_test), labels=classes
            )
        fitted = getattr(model[-1], "estimators_", [model[-1]])
        row["iterations"] = max(int(np.max(step.n_iter_)) for step in fitted)
        row["fit time (ms)"] = 1e3 * seconds
        rows[name] = row
    print(
        f"{args.data}: {len(y_train)} training and {len(y_test)} test samples, "
        f"{_count(X.shape[1], 'feature')}, classes {ours.classes_.tolist()}, "
        f"C={args.C}.\n",
        file=out,
    )
    _print_table(rows, out)
    if args.model:
        _save_model(ours, args.model)
        print(f"\nmodel written to {args.model}", file=out)
    if args.plot:
        _save_plot(ours, args.plot)
        print(f"loss curve written to {args.plot}", file=out)
    return rows


def _save_model(model, path):
    try:
        import skops.io as sio
    except ImportError as exc:
        raise _unavailable(exc, "--model", "skops") from None
    try:
        sio.dump(model, path)
    except OSError as exc:
        raise CommandError(
            f"{path}: cannot write the model: {_one_line(exc)}"
        ) from None


def _save_plot(model, path):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise _unavailable(exc, "--plot", "matplotlib") from None
    from ._plotting import LossCurveDisplay

    figure = Figure(figsize=(6.4, 4.2), layout="constrained")
    FigureCanvasAgg(figure)
    # The gap to the minimum on a log scale, unless no curve has one to draw
    # (a single iteration): then the objective itself.
    final = model[-1] if hasattr(model, "steps") else model
    log_gap = any(
        np.nanmax(curve) > np.nanmin(curve)
        for curve in np.atleast_2d(final.loss_curve_)
        if np.isfinite(curve).any()
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LossCurveDisplay.from_estimator(model, ax=figure.subplots(), log_gap=log_gap)
    _print_warnings(caught)
    try:
        figure.savefig(path, dpi=100)
    except (OSError, RuntimeError, ValueError) as exc:
        raise CommandError(f"{path}: cannot write the plot: {_one_line(exc)}") from None


#: Packages whose classes a model file may contain: scipy.sparse holds the
#: coefficients of a model made sparse by ``sparsify``.
TRUSTED_PACKAGES = ("sklearn_bce", "sklearn", "numpy", "scipy.sparse")
#: Parts of module paths never imported to judge a name: modules that run
#: a program (numpy's ``_examples`` are scripts), test or build code, or
#: change scikit-learn when imported.
_UNIMPORTED_PARTS = (
    "__main__",
    "_examples",
    "conftest",
    "_build_utils",
    "_pyinstaller",
    "experimental",
)


def _in_packages(module_name, packages):
    return any(
        module_name == package or module_name.startswith(f"{package}.")
        for package in packages
    )


def _trust(name, loaders=None):
    """Whether a model file may name ``name`` ("module.Class").

    ``loaders``: the skops loaders of the file's nodes of that type; None
    for any.  Returns ``"trusted"`` (a class of :data:`TRUSTED_PACKAGES`
    that the file only restores from its attributes, or may call with
    arguments of its own: see :func:`_is_safe_class`; or the score function
    of one of scikit-learn's named scorers: a fitted search's scorer),
    ``"untrusted"`` or ``"missing"`` (a trusted package without it: a file
    made by another version).  The file chooses the module to import:
    only modules of the trusted packages whose path is made of identifiers
    are imported, none of tests, build code, ``__main__`` or ``_examples``
    (which run a program when imported) or ``experimental`` (which changes
    scikit-learn).  A module that is there but fails to import (one that
    needs a package not installed) is ``"untrusted"``, not ``"missing"``.
    """
    module_name, _, attribute = name.rpartition(".")
    parts = module_name.split(".")
    if (
        not _in_packages(module_name, TRUSTED_PACKAGES)
        or not all(part.isidentifier() for part in [*parts, *attribute.split(".")])
        or any(
            part in _UNIMPORTED_PARTS or part.lstrip("_").startswith("test")
            for part in parts
        )
    ):
        return "untrusted"
    try:
        found = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except ModuleNotFoundError as exc:
        # The module (or a package above it) is not there; else it is, and
        # needs a module that is not.
        there = exc.name is None or not _in_packages(module_name, (exc.name,))
        return "untrusted" if there else "missing"
    except AttributeError:
        return "missing"
    except (Exception, SystemExit):  # a module that fails to import
        return "untrusted"
    if _is_score_function(found):
        return "trusted"
    if not isinstance(found, type):
        return "untrusted"
    if _is_safe_class(found):
        return "trusted"
    # Other classes: only where no node calls them with the file's arguments
    # (restored with __new__ and their attributes, named as a type, or a
    # mapping made empty and filled), or through the loader skops has for
    # that scikit-learn class.
    restored = {"ObjectNode", "TypeNode", "DictNode"}  # DictNode: cls(), filled
    own = {"TreeNode": ("sklearn.tree._tree",), "LossNode": ("sklearn._loss",)}
    if loaders and all(
        loader in restored or _in_packages(found.__module__, own.get(loader, ()))
        for loader in loaders
    ):
        return "trusted"
    return "untrusted"


def _loaders_by_type(path):
    """The skops loaders of each type ("module.Class") a model file names."""
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    found, stack = {}, [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__module__" in node and "__class__" in node:
                name = f"{node['__module__']}.{node['__class__']}"
                found.setdefault(name, set()).add(node.get("__loader__"))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _is_safe_class(found):
    """Whether a model file may call ``found``, a class of a trusted package,
    with arguments of its own.

    Not every class of those packages is safe so (``numpy.memmap`` writes a
    file): only estimators, the scorers and cross-validation splitters a
    search holds, sparse matrices, and numpy's arrays, scalars, dtypes and
    random generators.
    """
    import scipy.sparse as sp
    import sklearn.model_selection
    from sklearn.base import BaseEstimator
    from sklearn.metrics import check_scoring, get_scorer, get_scorer_names

    if not isinstance(found, type):
        return False
    if found is np.ndarray:  # not its subclasses: memmap, recarray, ...
        return True
    scorers = {type(get_scorer(name)) for name in get_scorer_names()}
    scorers |= {
        type(make_scorer(accuracy_score)),
        type(check_scoring(LogisticRegression())),  # the estimator's score
        type(check_scoring(LogisticRegression(), scoring=["accuracy"])),
    }
    # The splitters of scikit-learn's model_selection (RepeatedStratifiedKFold
    # is neither a BaseCrossValidator nor a BaseShuffleSplit).
    splitters = [
        value
        for name, value in vars(sklearn.model_selection).items()
        if not name.startswith("_")
        and isinstance(value, type)
        and hasattr(value, "split")
    ]
    if found in splitters:
        return True
    safe_bases = (
        BaseEstimator,
        sklearn.model_selection.BaseCrossValidator,
        sklearn.model_selection.BaseShuffleSplit,
        sp.spmatrix,
        *((sp.sparray,) if hasattr(sp, "sparray") else ()),
        np.generic,
        np.dtype,
        np.random.RandomState,
        np.random.Generator,
        np.random.BitGenerator,
    )
    return found in scorers or issubclass(found, safe_bases)


def _is_score_function(found):
    """Whether ``found`` is the metric of one of scikit-learn's named scorers."""
    from sklearn.metrics import get_scorer, get_scorer_names

    if not inspect.isfunction(found):
        return False
    return any(score_function(get_scorer(name)) is found for name in get_scorer_names())


def load_model(path):
    """Load a skops file, trusting only safe classes of :data:`TRUSTED_PACKAGES`.

    Classes the file restores from their attributes (an object's state, never
    a call with the file's arguments); estimators, the scorers and splitters
    of a search, numpy arrays, scalars, dtypes and random generators, and
    scipy.sparse matrices also where the file calls them; and the metrics of
    scikit-learn's named scorers: nothing a file could use to run code or
    write files (``numpy.memmap`` called with a path writes to it).  As with
    the types skops trusts by default, an estimator's own parameters may
    still make it read a file it names (``CountVectorizer(input="filename")``):
    load models from sources you trust.

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    model : object
        The loaded estimator.
    """
    try:
        import skops.io as sio
    except ImportError as exc:
        raise _unavailable(exc, "predict", "skops") from None
    if Path(path).is_dir():
        raise CommandError(f"{path}: is a directory, not a model file")
    if not Path(path).is_file():
        raise CommandError(f"{path}: no such file")
    try:
        untrusted = sio.get_untrusted_types(file=path)
        loaders = _loaders_by_type(path)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        what = "not a skops model file"
        if _has_schema(path):  # e.g. of a newer skops
            what = "a skops model file that the installed skops cannot read"
        raise CommandError(f"{path}: {what} ({_one_line(exc)})") from None
    trust = {name: _trust(name, loaders.get(name)) for name in untrusted}
    refused = [name for name, verdict in trust.items() if verdict == "untrusted"]
    if refused:
        raise CommandError(
            f"{path}: refusing to load a model with untrusted types "
            f"{', '.join(refused)} (only classes of sklearn_bce, scikit-learn, "
            "numpy and scipy.sparse restored from their attributes, the "
            "estimators, scorers, splitters, numpy arrays, scalars, dtypes, "
            "random generators and sparse matrices among them also when the "
            "file calls them with its arguments, and the metrics of "
            "scikit-learn's named scorers are trusted)"
        )
    missing = [name for name, verdict in trust.items() if verdict == "missing"]
    if missing:
        raise CommandError(
            f"{path}: the model needs {', '.join(missing)}, which the installed "
            "packages do not have (was it made with other versions?)"
        )
    try:
        model = sio.load(path, trusted=untrusted)
    except Exception as exc:  # skops raises many kinds on a corrupt file
        raise CommandError(f"{path}: cannot load the model: {_one_line(exc)}") from None
    kind = type(model).__name__
    try:
        classifier = is_classifier(model)
    except (AttributeError, TypeError):  # not an estimator: a dict, an array
        classifier = False
    if not classifier:
        raise CommandError(f"{path}: does not hold a classifier (it holds a {kind})")
    if not hasattr(model, "classes_"):
        raise CommandError(f"{path}: holds an unfitted {kind}")
    if not hasattr(model, "predict_proba"):
        raise CommandError(
            f"{path}: holds a {kind}, a classifier without predict_proba: predict "
            "writes the probabilities of the classes"
        )
    return model


def _has_schema(path):
    """Whether ``path`` is a zip file with a skops schema."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "schema.json" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _count(number, noun):
    """``"1 feature"``, ``"2 features"``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def run_predict(args, out=None):
    """Predict the rows of a CSV file; returns the predictions as a DataFrame."""
    import pandas as pd

    out = sys.stdout if out is None else out
    model = load_model(args.model)
    args.data = _data_source(args.data)
    frame = _read_csv(args.data, header=not args.no_header)
    names = getattr(model, "feature_names_in_", None)
    if args.no_header:
        n_features = getattr(model, "n_features_in_", frame.shape[1])
        if frame.shape[1] != n_features:
            raise CommandError(
                f"{args.data}: {frame.shape[1]} column(s), but the model was "
                f"fitted on {n_features} feature(s)"
            )
        if not any(_is_number(value) for value in frame.iloc[0]):
            raise CommandError(
                f"{args.data}: the first row holds no numbers, as a header row "
                "of column names does: if it names the columns, drop --no-header"
            )
        if names is not None:
            frame.columns = list(names)
    elif names is not None:
        missing = [str(name) for name in names if name not in frame.columns]
        if missing:
            hint = ""
            if _header_reads_as_data(frame):
                hint = (
                    "; the first row is read as the column names, and this "
                    "file's are numbers: if it has no header row, pass --no-header"
                )
            raise CommandError(
                f"{args.data}: missing {len(missing)} feature column(s) that the "
                f"model was fitted on: {_listing(missing)}{hint}"
            )
        frame = frame[list(names)]
    elif _header_reads_as_data(frame):
        # The model has no feature names to check the columns against.
        raise CommandError(
            f"{args.data}: the first row is read as the column names, and it "
            "holds numbers: if it is a row of data, pass --no-header (else that "
            "row would not be predicted); if they are the names, write them as "
            "text that is not a number"
        )
    table = frame
    if names is None:
        # Columns by position: the model has no names to check them against.
        n_features = getattr(model, "n_features_in_", frame.shape[1])
        if frame.shape[1] != n_features:
            raise CommandError(
                f"{args.data}: {frame.shape[1]} column(s), but the model was "
                f"fitted on {n_features} feature(s) (without names: the "
                "columns are taken in order)"
            )
        frame = frame.to_numpy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            proba = model.predict_proba(frame)
            labels = model.predict(frame)
        except (AttributeError, TypeError, IndexError, NotFittedError) as exc:
            raise CommandError(
                f"{args.model}: cannot predict with this model (was it made "
                f"with other versions?): {_one_line(exc)}"
            ) from None
        except ValueError as exc:
            # A pipeline's own steps (an imputer, an encoder) may take missing
            # or non-numeric values: they are refused, naming their columns,
            # only where the model fails on such values (scikit-learn's words
            # for them).
            if re.search(r"NaN|infinity|string", str(exc)):
                _check_numeric(table, args.data)
                _check_complete(table, args.data)
            raise CommandError(
                f"{args.data}: the model cannot predict these rows: {_one_line(exc)}"
            ) from None
    _print_warnings(caught)
    classes = list(model.classes_)
    if len(classes) < 2 or np.shape(proba) != (len(frame), len(classes)):
        raise CommandError(
            f"{args.model}: cannot predict with this model (was it made with "
            f"other versions?): {len(classes)} class(es) in classes_, "
            f"probabilities of shape {np.shape(proba)} for {len(frame)} rows"
        )
    result = pd.DataFrame({"prediction": labels})
    for k, label in enumerate(classes):
        result[f"proba_{label}"] = proba[:, k]
    if args.output and args.output != "-":
        try:
            result.to_csv(args.output, index=False)
        except OSError as exc:
            raise CommandError(
                f"{args.output}: cannot write the predictions: {_one_line(exc)}"
            ) from None
        print(f"{len(result)} predictions written to {args.output}", file=out)
    else:
        result.to_csv(out, index=False)
    return result


def main(argv=None):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or (
        argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")
    ):
        argv = ["demo", *argv]
    args = parser.parse_args(argv)
    commands = {"demo": run_demo, "fit": run_fit, "predict": run_predict}
    try:
        commands[args.command](args)
    except BrokenPipeError:
        # The reader of stdout went away (``... | head``): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except CommandError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:
        print(
            f"{parser.prog}: error: {args.command} needs "
            f"{exc.name or 'pandas and skops'} ({_one_line(exc)}): "
            "pip install 'sklearn-bce[cli]'",
            file=sys.stderr,
        )
        return 1
    except ImportError as exc:  # installed, but it does not import
        package = (exc.name or "").partition(".")[0]
        error = _unavailable(exc, args.command, package) if package else exc
        print(f"{parser.prog}: error: {_one_line(error)}", file=sys.stderr)
        return 1
    except ValueError as exc:  # data that scikit-learn rejects (NaN, ...)
        print(f"{parser.prog}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
