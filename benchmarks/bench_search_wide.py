"""Searches of many columns: BCELogisticRegressionCV against GridSearchCV(n_jobs=1).

``BCELogisticRegressionCV`` trains every (candidate, fold, class) as a column
of one descent: a search over many candidates, or over data of many classes,
sweeps hundreds or thousands of columns at a time.  This script times such
searches against ``GridSearchCV(BCELogisticRegression(), n_jobs=1)`` over the
same grid and splits (``StratifiedKFold``), which fits one model per
(candidate, fold) with the classes as its columns.  The scenarios:

- ``classes``: 50 classes, ``make_classification(3000, 30, n_informative=20,
  n_clusters_per_class=1)``, ``Cs`` of 1e-4 to 1e4 (5 values) at learning
  rate 0.3, 5 folds: 1250 columns.
- ``candidates``: 10 classes, ``make_classification(300, 10, n_informative=8,
  n_clusters_per_class=1)``, ``Cs=10`` and learning rates 0.001 and 0.003, 5
  folds, ``tol=0`` and ``max_iter=2000`` (every column that does not
  diverge runs 2000 iterations):
  1000 columns.
- ``steps``: 5 classes, ``make_classification(20000, 20, n_informative=10)``,
  8 learning rates from 0.01 to 30 at ``C=1``, 5 folds: 200 columns.
- ``sparse`` (not run by default: about 2.5 minutes): 10 classes, a CSR
  matrix of 5000 x 50000 at density 0.001 with classes from quantiles of a
  random linear score, ``Cs`` of 0.1 to 100 (4 values) and learning rates
  "auto" and 1, 3 folds: 240 columns.

Dense features are standardised.  Both searches score ``neg_log_loss``
without refitting.  Per scenario: the median time of ``--repeats`` fits of
each, in ABBA order, their ratio, the largest difference of
``mean_test_score`` between the two, and the peak memory ``tracemalloc``
traces in one more, untimed, fit of ours (``--no-memory`` skips it).

Run it with the OpenBLAS overrides of the environment removed, for that command
only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_search_wide.py

See ``benchmarks/README.md`` (section "Searches of many columns").
"""

import argparse
import statistics
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression, BCELogisticRegressionCV

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    RESULTS,
    environment_markdown,
    fmt,
    peak_traced_memory,
    run_and_record,
    table,
)

SCENARIOS = ("classes", "candidates", "steps", "sparse")


def scenario(name, scale):
    """``(X, y, grid)`` of a scenario; ``scale`` multiplies its number of rows.

    The sparse scenario's features scale with its rows, down to 5000.
    """
    if name == "sparse":
        n = max(30, round(5000 * scale))
        # The features scale with the rows, down to 5000; a row keeps about
        # 50 nonzero entries.
        p = max(5000, round(50000 * scale))
        rng = np.random.default_rng(0)
        X = sp.random(n, p, density=50 / p, format="csr", random_state=0)
        score = X @ rng.standard_normal(p)
        y = np.digitize(score, np.quantile(score, np.linspace(0, 1, 11)[1:-1]))
        grid = {"Cs": [0.1, 1.0, 10.0, 100.0], "learning_rates": ["auto", 1.0]}
        return X, y, grid, {}, 3
    sizes = {
        "classes": (3000, 30, 20, 50, {"n_clusters_per_class": 1}),
        "candidates": (300, 10, 8, 10, {"n_clusters_per_class": 1}),
        "steps": (20000, 20, 10, 5, {}),
    }
    n, p, informative, n_classes, extra = sizes[name]
    n = max(n_classes * 6, round(n * scale))
    X, y = make_classification(
        n,
        p,
        n_informative=informative,
        n_classes=n_classes,
        random_state=0,
        **extra,
    )
    X = StandardScaler().fit_transform(X)
    params = {}
    if name == "classes":
        grid = {"Cs": [1e-4, 1e-2, 1.0, 1e2, 1e4], "learning_rates": [0.3]}
    elif name == "candidates":
        grid = {"Cs": list(np.logspace(-4, 4, 10)), "learning_rates": [1e-3, 3e-3]}
        params = {"tol": 0.0, "max_iter": 2000}
    else:
        grid = {"Cs": [1.0], "learning_rates": [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30]}
    return X, y, grid, params, 5


def run(args, log):
    rows = []
    for name in args.scenarios:
        X, y, grid, params, n_folds = scenario(name, args.scale)
        if args.max_iter is not None:
            params = {**params, "max_iter": args.max_iter}
        cv = StratifiedKFold(n_folds)
        ours = BCELogisticRegressionCV(**grid, cv=cv, refit=False, **params)
        theirs = GridSearchCV(
            BCELogisticRegression(**params),
            {"C": grid["Cs"], "learning_rate": grid["learning_rates"]},
            cv=cv,
            scoring="neg_log_loss",
            refit=False,
            n_jobs=1,
        )
        n_classes = len(np.unique(y))
        columns = (
            len(grid["Cs"])
            * len(grid["learning_rates"])
            * n_folds
            * (1 if n_classes == 2 else n_classes)
        )
        log(f"{name}: {X.shape[0]} x {X.shape[1]}, {columns} columns")
        times = {"ours": [], "grid": []}
        order = [("ours", ours), ("grid", theirs)]
        for r in range(args.repeats):
            for label, search in order if r % 2 == 0 else order[::-1]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    start = time.perf_counter()
                    search.fit(X, y)
                    times[label].append(time.perf_counter() - start)
                log(f"  {label}: {times[label][-1]:.2f} s")
        peak = ""
        if args.memory:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                peak = peak_traced_memory(partial(ours.fit, X, y)) / 2**20
        difference = np.abs(
            ours.cv_results_["mean_test_score"] - theirs.cv_results_["mean_test_score"]
        )
        ours_s = statistics.median(times["ours"])
        grid_s = statistics.median(times["grid"])
        rows.append(
            {
                "scenario": name,
                "n_samples": X.shape[0],
                "n_features": X.shape[1],
                "n_classes": n_classes,
                "candidates": len(grid["Cs"]) * len(grid["learning_rates"]),
                "folds": n_folds,
                "columns": columns,
                "ours_s": ours_s,
                "grid_s": grid_s,
                "grid_over_ours": grid_s / ours_s,
                "ours_times": " ".join(f"{t:.3f}" for t in times["ours"]),
                "grid_times": " ".join(f"{t:.3f}" for t in times["grid"]),
                "max_abs_diff_mean_score": float(np.nanmax(difference)),
                "ours_peak_mib": peak,
            }
        )
    return rows


def markdown(rows, env, args):
    lines = environment_markdown(env)
    lines += [
        "",
        f"Settings: median of {args.repeats} fits of each search (ABBA order), "
        f"rows scaled by {args.scale:g}"
        + ("" if args.max_iter is None else f", max_iter={args.max_iter}")
        + "; GridSearchCV(BCELogisticRegression(), n_jobs=1) over the same "
        "grid and StratifiedKFold splits, scoring neg_log_loss, no refit.",
        "",
    ]
    lines += table(
        [
            "scenario",
            "data",
            "classes",
            "candidates x folds",
            "columns",
            "ours s",
            "GridSearchCV s",
            "GridSearchCV / ours",
            "max abs diff mean score",
            "ours peak MiB",
        ],
        [
            (
                r["scenario"],
                f"{r['n_samples']} x {r['n_features']}",
                r["n_classes"],
                f"{r['candidates']} x {r['folds']}",
                r["columns"],
                fmt(r["ours_s"], ".2f"),
                fmt(r["grid_s"], ".2f"),
                fmt(r["grid_over_ours"], ".2f"),
                fmt(r["max_abs_diff_mean_score"], ".1e"),
                fmt(r["ours_peak_mib"], ".0f"),
            )
            for r in rows
        ],
        align="llrlrrrrrr",
    )
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )

    def names(text):
        chosen = [v.strip() for v in text.split(",") if v.strip()]
        unknown = sorted(set(chosen) - set(SCENARIOS))
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown scenario(s) {', '.join(unknown)}; "
                f"choose from {', '.join(SCENARIOS)}"
            )
        return chosen

    parser.add_argument(
        "--scenarios",
        type=names,
        default="classes,candidates,steps",
        help=f"comma-separated, from {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--repeats", type=int, default=3, help="fits of each search")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="factor on every scenario's rows (and the sparse one's features)",
    )
    parser.add_argument(
        "--max-iter",
        type=int,
        default=None,
        help="max_iter of both searches (%(default)s: each scenario's own)",
    )
    parser.add_argument(
        "--no-memory",
        dest="memory",
        action="store_false",
        default=argparse.SUPPRESS,  # no "(default: True)" beside a "--no-"
        help="skip the untimed fit of ours that measures its peak memory (run "
        "otherwise)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS / "bench_search_wide",
        help="output prefix (.csv, .md, .env.json)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    args.memory = getattr(args, "memory", True)  # left out of the help (above)
    return args


def main(argv=None):
    run_and_record(parse_args(argv), run, markdown)


if __name__ == "__main__":
    main()
