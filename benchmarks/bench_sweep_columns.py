"""What one column of a batched search costs: a sweep of k columns against a fold fit.

``BCELogisticRegressionCV`` runs every (candidate, fold) as a column of one
descent; each iteration is one sweep over ``X`` (``BCEObjective.sweep``) of the
columns still running.  ``GridSearchCV`` runs each (candidate, fold) as its own
fit, whose iteration is a one-column sweep over the fold's training rows.  This
script times both on the search's objective (``make_classification`` data,
standardised, 5 ``StratifiedKFold`` folds, one shared target column, the
folds' 0/1 weights through ``weight_index``):

- a sweep of ``k`` columns (``k`` = 1, 2, 5, 10, 20, 40 by default) over all
  rows, with Nesterov momentum and stored logits as the search runs it, on an
  objective holding exactly those columns (the engine restricts itself to the
  running columns as they finish);
- the sweep of one fold fit: one column over the training rows of fold 0
  (``X[train]``, copied as GridSearchCV copies it).

The ratio *fold-fit sweep / (k-column sweep / k)* is the speed-up batching
gives per unit of work (one iteration of one (candidate, fold)): a batched
search cannot be faster than GridSearchCV by more than this ratio at the
number of columns its iterations run with.

Run it with the OpenBLAS overrides of the environment removed, for that command
only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_sweep_columns.py

See ``benchmarks/README.md`` (section "Learning-rate search") for the results.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from sklearn_bce._loss import BCEObjective

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    RESULTS,
    environment_markdown,
    fmt,
    run_and_record,
    table,
)
from bench_search import make_data  # the search benchmark's data, exactly


def sweep_seconds(objective, k, repeats, seed):
    """Median seconds of one momentum sweep of all ``k`` columns of ``objective``."""
    rng = np.random.default_rng(seed)
    dtype = objective.dtype
    coef = (0.05 * rng.standard_normal((objective.n_coef, k))).astype(dtype)
    previous = (0.05 * rng.standard_normal((objective.n_coef, k))).astype(dtype)
    logits = np.empty((objective.n_samples, k), dtype=dtype)
    objective.sweep(previous, logits=logits)  # the stored logits of `previous`
    beta = np.full(k, 0.5)

    def sweep():
        objective.sweep(coef, logits=logits, beta=beta, previous=previous)

    sweep()  # warm-up: buffers, thread pool
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        sweep()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def search_data(args, dtype):
    """The search benchmark's data, its target column and the folds' 0/1 weights."""
    X, labels = make_data(args.n_samples, args.n_features, dtype, args.seed, True)
    y = labels.astype(X.dtype)
    splits = StratifiedKFold(args.n_folds, shuffle=True, random_state=args.seed)
    folds = np.zeros((len(y), args.n_folds), dtype=X.dtype)
    for f, (train, _) in enumerate(splits.split(X, y)):
        folds[train, f] = 1
    return X, y, folds


def search_objective(X, y, folds, k):
    """The search's objective with ``k`` columns.

    One shared target column; column ``j`` reads the weights of fold
    ``j % n_folds`` through ``weight_index``.
    """
    return BCEObjective(
        X,
        np.broadcast_to(y[:, None], (len(y), k)),
        folds,
        np.ones(k),
        0.0,
        True,
        weight_index=np.arange(k) % folds.shape[1],
    )


def run(args, log):
    rows = []
    for dtype in args.dtypes:
        X, y, folds = search_data(args, np.dtype(dtype))
        train = np.flatnonzero(folds[:, 0])
        fold_fit = BCEObjective(
            X[train], y[train, None], np.ones(len(train), X.dtype), 1.0, 0.0, True
        )
        reference = sweep_seconds(fold_fit, 1, args.repeats, args.seed)
        log(f"{dtype}: fold-fit sweep {1e3 * reference:.2f} ms")
        for k in args.columns:
            objective = search_objective(X, y, folds, k)
            seconds = sweep_seconds(objective, k, args.repeats, args.seed)
            row = {
                "dtype": dtype,
                "n_samples": args.n_samples,
                "n_features": args.n_features,
                "k": k,
                "sweep_ms": 1e3 * seconds,
                "ms_per_column": 1e3 * seconds / k,
                "fold_fit_sweep_ms": 1e3 * reference,
                "fold_fit_rows": len(train),
                "speedup_per_column": reference / (seconds / k),
            }
            rows.append(row)
            log(
                f"  k={k}: {row['sweep_ms']:.2f} ms, {row['ms_per_column']:.2f} ms "
                f"per column, fold fit / column {row['speedup_per_column']:.2f}"
            )
        del X
    return rows


def markdown(rows, env, args):
    lines = environment_markdown(env)
    lines += [
        "",
        f"Settings: make_classification {args.n_samples} x {args.n_features} "
        f"(standardised), {args.n_folds} folds, seed {args.seed}; median of "
        f"{args.repeats} sweeps (Nesterov momentum, stored logits).",
        "",
    ]
    lines += table(
        [
            "dtype",
            "k columns",
            "sweep ms",
            "ms per column",
            "fold-fit sweep ms",
            "fold-fit sweep / ms per column",
        ],
        [
            (
                r["dtype"],
                r["k"],
                fmt(r["sweep_ms"], ".2f"),
                fmt(r["ms_per_column"], ".2f"),
                fmt(r["fold_fit_sweep_ms"], ".2f"),
                fmt(r["speedup_per_column"], ".2f"),
            )
            for r in rows
        ],
        align="lrrrrr",
    )
    return "\n".join(lines) + "\n"


def search_parser(description, *, columns, repeats, repeats_help, output):
    """The arguments of the scripts that time sweeps of the search's objective."""
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--n-samples", type=int, default=200_000, help="rows of the data"
    )
    parser.add_argument(
        "--n-features", type=int, default=50, help="features of the data"
    )
    parser.add_argument(
        "--n-folds", type=int, default=5, help="folds of the search's objective"
    )
    parser.add_argument(
        "--columns",
        type=lambda text: [int(v) for v in text.split(",") if v.strip()],
        default=columns,
        help="comma-separated numbers of columns per sweep",
    )
    parser.add_argument(
        "--dtypes",
        type=lambda text: [v.strip() for v in text.split(",") if v.strip()],
        default="float64,float32",
        help="comma-separated dtypes of X",
    )
    parser.add_argument("--repeats", type=int, default=repeats, help=repeats_help)
    parser.add_argument("--seed", type=int, default=0, help="data and folds")
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS / output,
        help="output prefix (.csv, .md, .env.json)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def parse_args(argv=None):
    parser = search_parser(
        __doc__.split("\n\n")[0],
        columns="1,2,5,10,20,40",
        repeats=15,
        repeats_help="sweeps timed",
        output="bench_sweep_columns",
    )
    return parser.parse_args(argv)


def main(argv=None):
    run_and_record(parse_args(argv), run, markdown)


if __name__ == "__main__":
    main()
