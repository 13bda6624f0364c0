"""Fit time and accuracy of BCELogisticRegression against LogisticRegression(lbfgs).

Both estimators are fitted with their default solvers at the same ``C`` and
``tol`` on ``sklearn.datasets.make_classification`` data of a few sizes.  For
every size the script reports the median fit time of each estimator over
``--repeats`` fits (the two alternate, in ABBA order, so that drifts of a shared
machine hit both alike), their ratio, the iterations each ran (``n_iter_``;
an iteration does not cost the same in the two solvers), and the final
objective of each, computed by one function of this script
(:func:`objective`), together with its gap to a tight reference optimum.

Run it with the OpenBLAS overrides of the environment removed, for that command
only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_vs_sklearn.py

See ``benchmarks/README.md`` for the options and the measured results.
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import threadpoolctl
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from sklearn_bce import BCELogisticRegression

# _common.py (the environment record, output helpers) lies next to this script:
# `python benchmarks/bench_vs_sklearn.py` puts this folder on sys.path, other
# ways of running it (runpy.run_path, an import) may not.
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
    write_csv,
    write_json,
)

DEFAULT_SIZES = "10000x20,100000x100,1000000x100"
DEFAULT_CSV = RESULTS / "bench_vs_sklearn.csv"
#: Rows per block when the objective is evaluated (bounds the float64 copy).
BLOCK_ROWS = 65536


# -- the common yardstick ---------------------------------------------------------
def objective(X, y, coef, intercept, C):
    """The objective both estimators minimise, on one footing, in float64.

    ``J(w, b) = 1/n sum_i [logaddexp(0, z_i) - y_i z_i] + ||w||^2 / (2 C n)``
    with ``z = X w + b``: the mean binary cross-entropy plus the L2 penalty.
    It is ``LogisticRegression``'s objective divided by ``C n`` and exactly the
    objective of ``BCELogisticRegression``; ``C = inf`` drops the penalty.
    ``X`` is read in row blocks converted to float64, so float32 data is
    scored in float64 too.
    """
    w = np.asarray(coef, dtype=np.float64).ravel()
    b = float(np.asarray(intercept, dtype=np.float64).ravel()[0])
    n = X.shape[0]
    total = 0.0
    for start in range(0, n, BLOCK_ROWS):
        block = np.asarray(X[start : start + BLOCK_ROWS], dtype=np.float64)
        z = block @ w + b
        t = np.asarray(y[start : start + BLOCK_ROWS], dtype=np.float64)
        total += float(np.sum(np.logaddexp(0.0, z) - t * z))
    penalty = 0.0 if np.isinf(C) else float(w @ w) / (2.0 * C * n)
    return total / n + penalty


# -- data and fits ------------------------------------------------------------------
def parse_sizes(text):
    """``"10000x20,1e5x100"`` -> ``[(10000, 20), (100000, 100)]``."""
    sizes = []
    for item in text.split(","):
        item = item.strip().lower()
        if not item:
            continue
        try:
            rows, cols = item.split("x")
            n_samples, n_features = int(float(rows)), int(float(cols))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"size {item!r} is not of the form NxP, e.g. 10000x20"
            ) from None
        if n_samples < 2 or n_features < 5:
            raise argparse.ArgumentTypeError(
                f"size {item!r}: need at least 2 rows and 5 features"
            )
        sizes.append((n_samples, n_features))
    if not sizes:
        raise argparse.ArgumentTypeError("no sizes given")
    return sizes


def make_data(n_samples, n_features, dtype, seed):
    """make_classification output as is (roughly unit-scale, not standardised)."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=max(2, n_features // 2),
        random_state=seed,
    )
    return X.astype(dtype, copy=False), y


def timed_fit(estimator, X, y):
    """Fit; return (seconds, estimator, whether a ConvergenceWarning was raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return seconds, estimator, warned


def estimators(args):
    """The two contenders, freshly built: (name, factory)."""
    ours_kwargs = {"C": args.C, "tol": args.tol}
    lbfgs_kwargs = {"C": args.C, "tol": args.tol}
    if args.max_iter is not None:
        ours_kwargs["max_iter"] = lbfgs_kwargs["max_iter"] = args.max_iter
    return [
        ("ours", lambda: BCELogisticRegression(**ours_kwargs)),
        ("lbfgs", lambda: LogisticRegression(**lbfgs_kwargs)),
    ]


def bench_size(n_samples, n_features, args, log):
    X, y = make_data(n_samples, n_features, np.dtype(args.dtype), args.seed)
    row = {
        "n_samples": n_samples,
        "n_features": n_features,
        "dtype": args.dtype,
        "C": args.C,
        "tol": args.tol,
        "repeats": args.repeats,
    }
    contenders = estimators(args)
    fits = {name: [] for name, _ in contenders}  # (seconds, n_iter, warned, J)
    for repeat in range(args.repeats):
        order = contenders if repeat % 2 == 0 else contenders[::-1]
        for name, factory in order:
            seconds, model, warned = timed_fit(factory(), X, y)
            value = objective(X, y, model.coef_, model.intercept_, args.C)
            fits[name].append((seconds, int(np.max(model.n_iter_)), warned, value))
            log(f"  repeat {repeat + 1} {name}: {seconds:.3f} s")

    reference = None
    if n_samples <= args.reference_max_rows:
        # In float64 whatever --dtype: float32 arithmetic cannot get that tight.
        seconds, model, warned = timed_fit(
            LogisticRegression(C=args.C, tol=args.reference_tol, max_iter=10000),
            X.astype(np.float64, copy=False),
            y,
        )
        log(f"  reference: {seconds:.3f} s")
        reference = objective(X, y, model.coef_, model.intercept_, args.C)
        row.update(
            reference_objective=reference,
            reference_fit_s=seconds,
            reference_n_iter=int(model.n_iter_[0]),
            reference_warned=warned,
        )
    else:
        row.update(
            reference_objective="",
            reference_fit_s="",
            reference_n_iter="",
            reference_warned="",
        )

    for name, _ in contenders:
        seconds, n_iter, warned, values = zip(*fits[name], strict=True)
        row[f"{name}_median_s"] = statistics.median(seconds)
        row[f"{name}_min_s"] = min(seconds)
        row[f"{name}_times_s"] = ";".join(f"{t:.4f}" for t in seconds)
        # Iterations and objective of every repeat: the fits should not vary.
        row[f"{name}_n_iter"] = ";".join(map(str, n_iter))
        row[f"{name}_converged"] = not any(warned)
        row[f"{name}_objective"] = max(values)
        row[f"{name}_objectives"] = ";".join(f"{v!r}" for v in values)
        row[f"{name}_gap"] = "" if reference is None else max(values) - reference
    row["ratio_ours_over_lbfgs"] = row["ours_median_s"] / row["lbfgs_median_s"]
    return row


# -- output ------------------------------------------------------------------------
def fmt_iter(joined):
    """``"13;17;13"`` -> ``"13-17"``; a single value when all repeats agree."""
    values = sorted({int(v) for v in joined.split(";")})
    return str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}"


def markdown(rows, env, args):
    lines = environment_markdown(env)
    lines += [
        "",
        f"Settings: C={args.C}, tol={args.tol}, dtype={args.dtype}, "
        f"repeats={args.repeats}, seed={args.seed}, "
        f"blas_threads={args.blas_threads or 'default'}, "
        f"max_iter={'estimator defaults' if args.max_iter is None else args.max_iter}"
        f"; reference: LogisticRegression(tol={args.reference_tol:g}, "
        "max_iter=10000).",
        "",
    ]
    cells = []
    for r in rows:
        flags = {
            name: "" if r[f"{name}_converged"] else " (no conv.)"
            for name in ("ours", "lbfgs")
        }
        cells.append(
            (
                f"{r['n_samples']} x {r['n_features']}",
                f"{r['ours_median_s']:.3f}",
                f"{r['lbfgs_median_s']:.3f}",
                f"{r['ratio_ours_over_lbfgs']:.2f}",
                f"{fmt_iter(r['ours_n_iter'])}{flags['ours']}",
                f"{fmt_iter(r['lbfgs_n_iter'])}{flags['lbfgs']}",
                f"{r['ours_objective']:.10f}",
                f"{r['lbfgs_objective']:.10f}",
                fmt(r["ours_gap"], ".1e"),
                fmt(r["lbfgs_gap"], ".1e"),
            )
        )
    lines += table(
        [
            "data (n x p)",
            "ours s",
            "lbfgs s",
            "ratio ours/lbfgs",
            "ours iter",
            "lbfgs iter",
            "ours J",
            "lbfgs J",
            "ours J - J*",
            "lbfgs J - J*",
        ],
        cells,
        align="lrrrrrrrrr",
    )
    lines += [
        "",
        "Times are medians over the repeats; iterations are n_iter_ (a range "
        "when the repeats differ); J is the mean BCE + ||w||^2/(2 C n) of the "
        "fitted coefficients, the largest over the repeats, J* that of the "
        "reference fit.",
    ]
    return "\n".join(lines) + "\n"


# -- main ---------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=DEFAULT_SIZES,
        help="comma-separated NxP (rows x features) data sizes",
    )
    parser.add_argument(
        "--dtype",
        choices=["float64", "float32"],
        default="float64",
        help="dtype of X (both estimators fit in it)",
    )
    parser.add_argument("--C", type=float, default=1.0, help="inverse penalty")
    parser.add_argument("--tol", type=float, default=1e-4, help="both estimators")
    parser.add_argument(
        "--max-iter",
        type=int,
        default=None,
        help="max_iter of both estimators (%(default)s: each estimator's own)",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit BLAS and OpenMP threads (threadpoolctl); %(default)s: no limit",
    )
    parser.add_argument("--repeats", type=int, default=3, help="fits per estimator")
    parser.add_argument("--seed", type=int, default=0, help="make_classification")
    parser.add_argument(
        "--reference-tol", type=float, default=1e-10, help="tol of the reference fit"
    )
    parser.add_argument(
        "--reference-max-rows",
        type=int,
        default=1_000_000,
        help="skip the reference fit for data with more rows",
    )
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="CSV output")
    parser.add_argument(
        "--markdown", type=Path, default=None, help="also write the table here"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    log = make_logger(args.quiet)
    with threadpoolctl.threadpool_limits(args.blas_threads):
        run(args, log)


def run(args, log):
    env = environment()
    if warning := overrides_warning(env):
        log(warning)
    # Warm up imports and lazy initialisation outside the timed fits.
    X, y = make_data(500, 10, np.dtype(args.dtype), args.seed)
    for _, factory in estimators(args):
        timed_fit(factory(), X, y)

    rows = []
    for n_samples, n_features in args.sizes:
        log(f"{n_samples} x {n_features} ({args.dtype})")
        rows.append(bench_size(n_samples, n_features, args, log))

    write_csv(rows, args.csv)
    finish_environment(env)
    write_json(args.csv.with_suffix(".env.json"), env)
    text = markdown(rows, env, args)
    print(text, end="")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text, encoding="utf-8")
    log(f"wrote {args.csv}")


if __name__ == "__main__":
    main()
