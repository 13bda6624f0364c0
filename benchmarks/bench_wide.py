"""Wide, correlated features: the default solver with and without the full-bound switch.

Past 256 coefficients the default solver (``solver="nesterov"``,
``learning_rate="auto"``) starts on the diagonal of the curvature bound; for
dense ``X`` without an L1 term and up to ``FULL_METRIC_MAX_COEF`` (1024)
coefficients, the problems still running after ``FULL_METRIC_AFTER`` (50)
iterations go on with the full bound (one Gram matrix and one Cholesky
factorisation).  This script
fits, on standardised features that share one common factor (every pair of
features has correlation ``rho``):

- *ours*: ``BCELogisticRegression()`` as shipped (the switch at 50);
- *ours diagonal*: the same with the switch turned off (``FULL_METRIC_AFTER``
  patched beyond ``max_iter`` for the fit), the solver before the switch;
- *lbfgs* and *newton-cholesky*: ``LogisticRegression`` with those solvers.

All at the same ``C``, ``tol`` and ``max_iter``; for every data set it reports
the median fit time of each over ``--repeats`` fits (the methods rotate their
order from one repeat to the next), the iterations (``n_iter_``; an iteration
costs differently in each solver), whether a ``ConvergenceWarning`` was raised
and the objective of each fit (``bench_vs_sklearn.objective``) with its gap to
a tight reference, ``LogisticRegression(solver="newton-cholesky",
tol=--reference-tol)``.

Run it with the OpenBLAS overrides of the environment removed, for that command
only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_wide.py

See ``benchmarks/README.md`` (section ``bench_wide.py``) for the results.
"""

import argparse
import statistics
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import threadpoolctl
from sklearn.linear_model import LogisticRegression

from sklearn_bce import BCELogisticRegression, _solver

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    RESULTS,
    environment,
    environment_markdown,
    finish_environment,
    fmt,
    make_logger,
    overrides_warning,
    table,
    write_outputs,
)
from bench_vs_sklearn import fmt_iter, objective, timed_fit

DEFAULT_DATA = "5000x600x0.99,20000x1000x0.9,5000x1000x0.05,20000x600x0"
#: The methods, in table order: key (of the CSV columns) -> name in the tables.
METHODS = {
    "ours": "ours",
    "ours_diagonal": "ours diagonal",
    "lbfgs": "lbfgs",
    "newton_cholesky": "newton-cholesky",
}


# -- data ---------------------------------------------------------------------------
def parse_data(text):
    """``"5000x600x0.99,2e4x1000x0"`` -> ``[(5000, 600, 0.99), (20000, 1000, 0.0)]``."""
    sets = []
    for item in text.split(","):
        item = item.strip().lower()
        if not item:
            continue
        try:
            rows, cols, rho = item.split("x")
            n_samples, n_features, rho = int(float(rows)), int(float(cols)), float(rho)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"data set {item!r} is not of the form NxPxRHO, e.g. 5000x600x0.99"
            ) from None
        if n_samples < 10 or n_features < 2 or not 0 <= rho < 1:
            raise argparse.ArgumentTypeError(
                f"data set {item!r}: need at least 10 rows, 2 features and 0 <= RHO < 1"
            )
        sets.append((n_samples, n_features, rho))
    if not sets:
        raise argparse.ArgumentTypeError("no data sets given")
    return sets


def make_data(n_samples, n_features, rho, seed):
    """Standardised features sharing one factor, and labels of a logistic model.

    ``x_ij = sqrt(1 - rho) e_ij + sqrt(rho) f_i`` (``e``, ``f`` standard normal),
    then centred and scaled to unit variance: every pair of features has
    correlation about ``rho``.  The labels are ``1[x_i . v / sqrt(p) + l_i > 0]``
    with ``v`` standard normal and ``l`` logistic noise.
    """
    rng = np.random.default_rng(seed)
    X = np.sqrt(1 - rho) * rng.standard_normal((n_samples, n_features))
    X += np.sqrt(rho) * rng.standard_normal((n_samples, 1))
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    logits = X @ rng.standard_normal(n_features) / np.sqrt(n_features)
    y = (logits + rng.logistic(size=n_samples) > 0).astype(np.int64)
    return X, y


# -- the fits -----------------------------------------------------------------------
def methods(args):
    """(name, fit(X, y) -> (seconds, model, warned)) for every method."""
    shared = {"C": args.C, "tol": args.tol, "max_iter": args.max_iter}

    def ours(X, y):
        return timed_fit(BCELogisticRegression(**shared), X, y)

    def ours_diagonal(X, y):
        # Never reached: descent switches when its history is this long.
        with mock.patch.object(_solver, "FULL_METRIC_AFTER", args.max_iter + 2):
            return timed_fit(BCELogisticRegression(**shared), X, y)

    def sklearn(solver):
        return lambda X, y: timed_fit(LogisticRegression(solver=solver, **shared), X, y)

    return list(
        zip(
            METHODS,
            (ours, ours_diagonal, sklearn("lbfgs"), sklearn("newton-cholesky")),
            strict=True,
        )
    )


def bench_data(n_samples, n_features, rho, args, log):
    X, y = make_data(n_samples, n_features, rho, args.seed)
    row = {
        "n_samples": n_samples,
        "n_features": n_features,
        "rho": rho,
        "C": args.C,
        "tol": args.tol,
        "max_iter": args.max_iter,
        "repeats": args.repeats,
    }
    contenders = methods(args)
    fits = {name: [] for name, _ in contenders}  # (seconds, n_iter, warned, J)
    for repeat in range(args.repeats):
        shift = repeat % len(contenders)
        for name, fit in contenders[shift:] + contenders[:shift]:
            seconds, model, warned = fit(X, y)
            value = objective(X, y, model.coef_, model.intercept_, args.C)
            fits[name].append((seconds, int(np.max(model.n_iter_)), warned, value))
            log(f"  repeat {repeat + 1} {name}: {seconds:.3f} s")

    seconds, model, warned = timed_fit(
        LogisticRegression(
            solver="newton-cholesky", C=args.C, tol=args.reference_tol, max_iter=1000
        ),
        X,
        y,
    )
    log(f"  reference: {seconds:.3f} s")
    reference = objective(X, y, model.coef_, model.intercept_, args.C)
    row.update(
        reference_objective=reference,
        reference_n_iter=int(model.n_iter_[0]),
        reference_warned=warned,
    )
    for name, _ in contenders:
        seconds, n_iter, warned, values = zip(*fits[name], strict=True)
        row[f"{name}_median_s"] = statistics.median(seconds)
        row[f"{name}_times_s"] = ";".join(f"{t:.4f}" for t in seconds)
        row[f"{name}_n_iter"] = ";".join(map(str, n_iter))
        row[f"{name}_converged"] = not any(warned)
        row[f"{name}_objective"] = max(values)
        row[f"{name}_gap"] = max(values) - reference
    row["diagonal_over_ours"] = row["ours_diagonal_median_s"] / row["ours_median_s"]
    row["lbfgs_over_ours"] = row["lbfgs_median_s"] / row["ours_median_s"]
    row["newton_cholesky_over_ours"] = (
        row["newton_cholesky_median_s"] / row["ours_median_s"]
    )
    return row


# -- output ------------------------------------------------------------------------
def markdown(rows, env, args):
    lines = environment_markdown(
        env, extra_lines=[f"- BLAS threads: {args.blas_threads or 'not limited'}"]
    )
    lines += [
        "",
        f"Settings: C={args.C:g}, tol={args.tol:g}, max_iter={args.max_iter} for "
        f"every method, float64, {args.repeats} repeats, seed {args.seed}; "
        "reference: LogisticRegression(solver='newton-cholesky', "
        f"tol={args.reference_tol:g}).",
        "",
    ]

    def cell(r, name):
        flag = "" if r[f"{name}_converged"] else " (no conv.)"
        return f"{r[f'{name}_median_s']:.3f} / {fmt_iter(r[f'{name}_n_iter'])}{flag}"

    lines += table(
        [
            "data (n x p, rho)",
            *(f"{label} s / iter" for label in METHODS.values()),
            "diagonal / ours",
            "lbfgs / ours",
            "newton-cholesky / ours",
        ],
        [
            (
                f"{r['n_samples']} x {r['n_features']}, {r['rho']:g}",
                *(cell(r, name) for name in METHODS),
                fmt(r["diagonal_over_ours"], ".2f"),
                fmt(r["lbfgs_over_ours"], ".2f"),
                fmt(r["newton_cholesky_over_ours"], ".2f"),
            )
            for r in rows
        ],
        align="lrrrrrrr",
    )
    lines += ["", "Objective J of each fit and its gap J - J* to the reference:", ""]
    lines += table(
        ["data (n x p, rho)", "J*", *(f"{label} J - J*" for label in METHODS.values())],
        [
            (
                f"{r['n_samples']} x {r['n_features']}, {r['rho']:g}",
                f"{r['reference_objective']:.10f}",
                *(fmt(r[f"{name}_gap"], ".1e") for name in METHODS),
            )
            for r in rows
        ],
        align="lrrrrr",
    )
    lines += [
        "",
        "Times are medians over the repeats, iterations n_iter_ (a range when "
        "the repeats differ); ratios above 1 mean ours is faster.  J is the "
        "mean BCE + ||w||^2/(2 C n), the largest over the repeats.",
    ]
    return "\n".join(lines) + "\n"


# -- main ---------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--data",
        type=parse_data,
        default=DEFAULT_DATA,
        help="comma-separated NxPxRHO (rows x features x pairwise correlation)",
    )
    parser.add_argument("--C", type=float, default=1.0, help="inverse penalty")
    parser.add_argument("--tol", type=float, default=1e-4, help="every method")
    parser.add_argument("--max-iter", type=int, default=1000, help="every method")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit BLAS and OpenMP threads (threadpoolctl); %(default)s: no limit",
    )
    parser.add_argument("--repeats", type=int, default=3, help="fits per method")
    parser.add_argument("--seed", type=int, default=0, help="data")
    parser.add_argument(
        "--reference-tol", type=float, default=1e-10, help="tol of the reference fit"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS / "bench_wide",
        help="output prefix (.csv, .md, .env.json)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.max_iter < 1:
        parser.error("--max-iter must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    log = make_logger(args.quiet)
    with threadpoolctl.threadpool_limits(args.blas_threads):
        env = environment()
        if warning := overrides_warning(env):
            log(warning)
        # Warm up imports and lazy initialisation outside the timed fits.
        X, y = make_data(300, 10, 0.5, args.seed)
        for _, fit in methods(args):
            fit(X, y)
        rows = []
        for n_samples, n_features, rho in args.data:
            log(f"{n_samples} x {n_features}, rho {rho:g}")
            rows.append(bench_data(n_samples, n_features, rho, args, log))
        finish_environment(env)
    text = markdown(rows, env, args)
    write_outputs(args.output, rows, env, text)
    print(text, end="")


if __name__ == "__main__":
    main()
