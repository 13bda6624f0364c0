"""Learning-rate (and C) search: BCELogisticRegressionCV against GridSearchCV.

``BCELogisticRegressionCV`` trains every (candidate, fold) of a grid as one
column of a single batched gradient-descent run (two runs when the grid mixes
``"auto"`` and fixed steps).  This script times it against the same search done
one fit at a time, ``GridSearchCV(BCELogisticRegression(), grid)`` with
``n_jobs=1`` and ``n_jobs=2``, and against ``LogisticRegressionCV`` (lbfgs, its
own warm-started path over C) with as many candidates, on
``sklearn.datasets.make_classification`` data, standardised by default.

Scenarios (5 folds each, the same ``StratifiedKFold`` splits for every method):

- ``a``: 8 learning rates at ``C=1``; ``LogisticRegressionCV(Cs=8)``;
- ``b``: 8 learning rates x 3 values of ``C``; ``LogisticRegressionCV(Cs=24)``;
- ``c``: ``learning_rate="auto"`` at the 8 values of ``C`` that
  ``LogisticRegressionCV(Cs=8)`` searches (``np.logspace(-4, 4, 8)``): the same
  candidates as LogisticRegressionCV.

Every method refits the chosen candidate on all the data (``refit=True``), and
``BCELogisticRegression`` gets the same ``max_iter`` and ``tol`` in both
searches.  For every scenario and dtype the script reports the median wall time
of each method, the speed-ups (baseline time / ours), the candidate each method
chooses and its score, the largest ``|difference|`` between the mean (and the
per-fold) test scores of ours and of GridSearchCV, and how many fits diverged or
stopped at ``max_iter`` (ConvergenceWarnings are silenced but counted).

Run it with the OpenBLAS overrides of the environment removed, for that command
only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_search.py

See ``benchmarks/README.md`` (section "Learning-rate search") for the options
and the measured results.
"""

import argparse
import math
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import threadpoolctl
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

import sklearn_bce
from sklearn_bce import BCELogisticRegression, BCELogisticRegressionCV

# _common.py (the environment record, output helpers) lies next to this script:
# `python benchmarks/bench_search.py` puts this folder on sys.path, other ways of
# running it (runpy.run_path, an import) may not.
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
    peak_traced_memory,
    table,
    write_csv,
    write_json,
)

#: On the default (standardised) data the textbook safe step 1/L is about 1.25:
#: 0.03-3 converge in 20-230 iterations and 3000 and 10000 diverge at once,
#: while steps from about 10 to 1000 oscillate without diverging until max_iter
#: and would dominate the run time (see benchmarks/README.md).
DEFAULT_LEARNING_RATES = "auto,0.03,0.1,0.3,1,3,3000,10000"
DEFAULT_CS = "0.1,1,10"
DEFAULT_CSV = RESULTS / "bench_search.csv"
SCORING = "neg_log_loss"
#: The methods, in table order: key -> label.
METHODS = {
    "ours": "BCELogisticRegressionCV",
    "gs1": "GridSearchCV n_jobs=1",
    "gs2": "GridSearchCV n_jobs=2",
    "lrcv": "LogisticRegressionCV",
}


# -- argument parsing ---------------------------------------------------------------
def parse_learning_rates(text):
    values = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if item == "auto":
            values.append("auto")
            continue
        try:
            value = float(item)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"learning rate {item!r} is neither 'auto' nor a float"
            ) from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"learning rate {item!r} must be > 0")
        values.append(value)
    if not values:
        raise argparse.ArgumentTypeError("no learning rates given")
    return values


def parse_floats(text):
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of floats") from None
    if not values or any(not v > 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: need floats > 0")
    return values


def parse_choices(allowed):
    def parse(text):
        values = [v.strip() for v in text.split(",") if v.strip()]
        bad = [v for v in values if v not in allowed]
        if bad or not values:
            raise argparse.ArgumentTypeError(
                f"{text!r}: choose among {', '.join(allowed)}"
            )
        return values

    return parse


# -- data, grids and methods --------------------------------------------------------
def make_data(n_samples, n_features, dtype, seed, standardize):
    """make_classification data (standardised in float64), then cast to dtype."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=max(2, n_features // 2),
        random_state=seed,
    )
    if standardize:
        X = StandardScaler().fit_transform(X)
    return X.astype(dtype, copy=False), y


def scenario_grid(name, args):
    """(learning rates, Cs) of a scenario."""
    if name == "a":
        return list(args.learning_rates), [args.C]
    if name == "c":
        # LogisticRegressionCV(Cs=n) searches np.logspace(-4, 4, n).
        return ["auto"], np.logspace(-4, 4, args.n_Cs_c).tolist()
    return list(args.learning_rates), list(args.Cs)


def method_factories(learning_rates, Cs, splits, args):
    """Fresh estimators per method: key -> factory."""
    shared = {"solver": args.solver, "max_iter": args.max_iter, "tol": args.tol}
    grid = {"learning_rate": learning_rates, "C": Cs}
    n_candidates = len(learning_rates) * len(Cs)

    def grid_search(n_jobs):
        return GridSearchCV(
            BCELogisticRegression(**shared),
            grid,
            cv=splits,
            scoring=SCORING,
            n_jobs=n_jobs,
        )

    return {
        "ours": lambda: BCELogisticRegressionCV(
            learning_rates=learning_rates,
            Cs=Cs,
            cv=splits,
            scoring=SCORING,
            **shared,
        ),
        "gs1": lambda: grid_search(n_jobs=1),
        "gs2": lambda: grid_search(n_jobs=2),
        "lrcv": lambda: LogisticRegressionCV(
            Cs=n_candidates,
            l1_ratios=(0.0,),
            cv=splits,
            scoring=SCORING,
            tol=args.tol,
            max_iter=args.max_iter,
            use_legacy_attributes=False,
        ),
    }


def timed_fit(key, estimator, X, y):
    """Fit; return (seconds, estimator, ConvergenceWarnings caught or None).

    GridSearchCV with ``n_jobs=2`` fits in worker processes, whose warnings do
    not come back: they are ignored there and their count is None.
    """
    with warnings.catch_warnings(record=True) as caught:
        if key == "gs2":
            warnings.simplefilter("ignore", ConvergenceWarning)
        else:
            warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
    count = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return seconds, estimator, None if key == "gs2" else count


# -- what each method chose ---------------------------------------------------------
def peak_memory(factory, X, y):
    """Peak memory traced (numpy included) during one untimed fit, in bytes."""

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            factory().fit(X, y)

    return peak_traced_memory(fit)


def describe_params(params):
    rate = params["learning_rate"]
    rate = rate if isinstance(rate, str) else f"{rate:g}"
    return f"lr={rate}, C={params['C']:g}"


def summarize(key, model):
    """Best candidate, its score and per-candidate scores of a fitted search."""
    if key == "lrcv":
        scores = np.asarray(model.scores_)  # (n_folds, n_l1_ratios, n_cs)
        mean = scores.mean(axis=0)[0]
        best = int(np.argmax(mean))
        return {
            "best": f"C={model.Cs_[best]:.3g}",
            "best_score": float(mean[best]),
            "n_iter_max": int(np.max(model.n_iter_)),
        }
    results = model.cv_results_
    return {
        "best": describe_params(results["params"][model.best_index_]),
        "best_score": float(model.best_score_),
    }


def fit_counts(model, max_iter):
    """Diverged candidates, fits at max_iter, longest run and total iterations.

    ``fit_iterations`` sums the iterations of every (candidate, fold) fit: the
    iterations GridSearchCV runs one fit at a time (before its refit), and the
    column-iterations of ours.
    """
    results = model.cv_results_
    n_splits = model.n_splits_
    n_iter = np.array([results[f"split{f}_n_iter"] for f in range(n_splits)]).T
    at_max = int(((n_iter >= max_iter) & ~results["diverged"][:, None]).sum())
    return {
        "ours_diverged_candidates": int(results["diverged"].sum()),
        "ours_fits_at_max_iter": at_max,
        "ours_longest_n_iter": int(n_iter.max()),
        "fit_iterations": int(n_iter.sum()),
    }


def time_breakdown(model):
    """Seconds of ours spent in the 'auto' run, the fixed-step run and scoring.

    ``mean_fit_time`` is a shared run's time divided among its candidates and
    folds, so summing it over a group's candidates and folds gives the run back.
    """
    results = model.cv_results_
    n_splits = model.n_splits_
    is_auto = np.array([p["learning_rate"] == "auto" for p in results["params"]])
    fit = results["mean_fit_time"] * n_splits
    return {
        "ours_auto_run_s": float(fit[is_auto].sum()),
        "ours_fixed_run_s": float(fit[~is_auto].sum()),
        "ours_score_s": float((results["mean_score_time"] * n_splits).sum()),
    }


def compare_scores(ours, theirs):
    """Largest |ours - GridSearchCV| of the mean and per-fold test scores.

    Candidates that ours marks as diverged score NaN there and are left out of
    the maxima; ``nan_mismatch`` counts candidates NaN in exactly one of the two.
    """
    a, b = ours.cv_results_, theirs.cv_results_
    if list(a["params"]) != list(b["params"]):
        raise RuntimeError("the two searches list their candidates differently")
    mean_a, mean_b = np.asarray(a["mean_test_score"]), np.asarray(b["mean_test_score"])
    finite = np.isfinite(mean_a) & np.isfinite(mean_b)
    mismatch = int((np.isnan(mean_a) != np.isnan(mean_b)).sum())
    split_diff = 0.0
    for f in range(ours.n_splits_):
        key = f"split{f}_test_score"
        sa, sb = np.asarray(a[key]), np.asarray(b[key])
        ok = np.isfinite(sa) & np.isfinite(sb)
        if ok.any():
            split_diff = max(split_diff, float(np.abs(sa[ok] - sb[ok]).max()))
    diff = np.abs(mean_a[finite] - mean_b[finite])
    worst = int(np.flatnonzero(finite)[np.argmax(diff)]) if diff.size else None
    return {
        "max_abs_diff_mean_score": float(diff.max()) if diff.size else math.nan,
        "max_abs_diff_split_score": split_diff,
        "worst_candidate": "" if worst is None else describe_params(a["params"][worst]),
        "nan_mismatch": mismatch,
        "same_best": a["params"][ours.best_index_] == b["params"][theirs.best_index_],
    }


# -- one scenario -------------------------------------------------------------------
def repeats_of(key, args):
    return args.baseline_repeats if key in ("gs1", "gs2") else args.repeats


def bench_scenario(scenario, dtype, X, y, splits, args, log):
    learning_rates, Cs = scenario_grid(scenario, args)
    n_candidates = len(learning_rates) * len(Cs)
    factories = method_factories(learning_rates, Cs, splits, args)
    keys = [k for k in METHODS if k in args.methods]
    row = {
        "scenario": scenario,
        "dtype": dtype,
        "n_samples": X.shape[0],
        "n_features": X.shape[1],
        "n_candidates": n_candidates,
        "n_folds": len(splits),
        "learning_rates": ";".join(map(str, learning_rates)),
        "Cs": ";".join(f"{c:g}" for c in Cs),
        "solver": args.solver,
        "max_iter": args.max_iter,
        "tol": args.tol,
    }
    times = {k: [] for k in keys}
    first = {}
    ours_runs = []  # (seconds, time breakdown) of every run of ours
    for repeat in range(max(repeats_of(k, args) for k in keys)):
        order = keys if repeat % 2 == 0 else keys[::-1]
        for key in order:
            if repeat >= repeats_of(key, args):
                continue
            if repeat and args.max_repeat_s and times[key][0] > args.max_repeat_s:
                continue  # slow: one run is enough (see --max-repeat-s)
            seconds, model, n_warnings = timed_fit(key, factories[key](), X, y)
            times[key].append(seconds)
            log(f"  [{scenario} {dtype}] repeat {repeat + 1} {key}: {seconds:.2f} s")
            if key not in first:
                first[key] = (model, n_warnings)
            elif key == "ours":
                # Ours is deterministic: every repeat chooses the same.
                assert model.best_index_ == first[key][0].best_index_
            if key == "ours":
                ours_runs.append((seconds, time_breakdown(model)))

    for key in keys:
        model, n_warnings = first[key]
        row[f"{key}_median_s"] = statistics.median(times[key])
        row[f"{key}_min_s"] = min(times[key])
        row[f"{key}_times_s"] = ";".join(f"{t:.3f}" for t in times[key])
        row[f"{key}_repeats"] = len(times[key])
        row[f"{key}_conv_warnings"] = "" if n_warnings is None else n_warnings
        summary = summarize(key, model)
        row[f"{key}_best"] = summary["best"]
        row[f"{key}_best_score"] = summary["best_score"]
        if key == "lrcv":
            row["lrcv_n_iter_max"] = summary["n_iter_max"]
    if "ours" in keys:
        ours = first["ours"][0]
        row.update(fit_counts(ours, args.max_iter))
        for key in ("ours", "gs1"):
            if key in keys and row["fit_iterations"]:
                row[f"{key}_ms_per_fit_iteration"] = (
                    1e3 * row[f"{key}_median_s"] / row["fit_iterations"]
                )
        row["ours_diverged_list"] = ";".join(
            describe_params(p)
            for p, d in zip(
                ours.cv_results_["params"], ours.cv_results_["diverged"], strict=True
            )
            if d
        )
        # The breakdown of the run whose time is the median (the lower one of
        # the middle two for an even number of runs).
        ours_runs.sort(key=lambda run: run[0])
        row.update(ours_runs[(len(ours_runs) - 1) // 2][1])
        for key in keys:
            if key != "ours":
                row[f"speedup_{key}"] = row[f"{key}_median_s"] / row["ours_median_s"]
        if args.memory:
            row["ours_peak_memory_x"] = peak_memory(factories["ours"], X, y) / X.nbytes
        reference = "gs1" if "gs1" in keys else ("gs2" if "gs2" in keys else None)
        if reference is not None:
            row["equivalence_reference"] = reference
            comparison = compare_scores(ours, first[reference][0])
            row.update({f"eq_{k}": v for k, v in comparison.items()})
    return row, candidate_rows(scenario, dtype, first)


def candidate_rows(scenario, dtype, first):
    """Per candidate: iterations and divergence of ours, scores of both searches."""
    rows = []
    ours = first.get("ours", (None,))[0]
    gs = first.get("gs1", first.get("gs2", (None,)))[0]
    reference = ours if ours is not None else gs
    if reference is None:
        return rows
    for i, params in enumerate(reference.cv_results_["params"]):
        row = {
            "scenario": scenario,
            "dtype": dtype,
            "learning_rate": params["learning_rate"],
            "C": float(params["C"]),
        }
        if ours is not None:
            results = ours.cv_results_
            n_iter = [
                int(results[f"split{f}_n_iter"][i]) for f in range(ours.n_splits_)
            ]
            row["ours_n_iter_per_fold"] = ";".join(map(str, n_iter))
            row["ours_diverged"] = bool(results["diverged"][i])
            row["ours_mean_test_score"] = float(results["mean_test_score"][i])
        if gs is not None:
            row["gs_mean_test_score"] = float(gs.cv_results_["mean_test_score"][i])
        rows.append(row)
    return rows


# -- output -------------------------------------------------------------------------
def fmt_time(row, key):
    """Median seconds and, in brackets, the number of runs it is the median of."""
    if f"{key}_median_s" not in row:
        return "n/a"
    return f"{row[f'{key}_median_s']:.1f} ({row[f'{key}_repeats']})"


def markdown(rows, candidates, env, args, total_s):
    lines = environment_markdown(env, date_note=f"; whole run {total_s / 60:.1f} min")
    rates = ", ".join(map(str, args.learning_rates))
    lines += [
        "",
        f"Settings: make_classification {args.n_samples} x {args.n_features} "
        f"({'standardised' if args.standardize else 'not standardised'}), "
        f"seed={args.seed}, {args.n_folds}-fold StratifiedKFold "
        f"(shuffled, seed {args.seed}); learning rates [{rates}]; scenario a: "
        f"C={args.C:g}, scenario b: Cs=[{', '.join(f'{c:g}' for c in args.Cs)}]; "
        f"solver={args.solver}, max_iter={args.max_iter}, tol={args.tol:g} for "
        f"ours and GridSearchCV; LogisticRegressionCV(lbfgs, Cs=<n candidates>, "
        f"tol={args.tol:g}, max_iter={args.max_iter}); scoring={SCORING}; "
        "refit=True everywhere; "
        f"repeats: ours and LogisticRegressionCV {args.repeats}, "
        f"GridSearchCV {args.baseline_repeats}, one run only for a method whose "
        f"first run took over {args.max_repeat_s:g} s (the CSV lists every "
        "time); "
        f"BLAS threads of the main process: {args.blas_threads or 'no limit'}.",
        "",
        "Wall time (median seconds over the runs, their number in brackets) "
        "and speed-up (baseline time / ours):",
        "",
    ]
    lines += table(
        [
            "scenario",
            "dtype",
            "cand. x folds",
            "ours s",
            "GS n_jobs=1 s",
            "GS n_jobs=2 s",
            "LRCV s",
            "GS1/ours",
            "GS2/ours",
            "LRCV/ours",
            "ours (median run): auto run / fixed run / scoring s",
            "fit iterations",
            "ms per fit iteration: ours / GS1",
            "ours peak memory / X",
        ],
        [
            (
                r["scenario"],
                r["dtype"],
                f"{r['n_candidates']} x {r['n_folds']}",
                fmt_time(r, "ours"),
                fmt_time(r, "gs1"),
                fmt_time(r, "gs2"),
                fmt_time(r, "lrcv"),
                fmt(r.get("speedup_gs1"), ".2f"),
                fmt(r.get("speedup_gs2"), ".2f"),
                fmt(r.get("speedup_lrcv"), ".2f"),
                f"{fmt(r.get('ours_auto_run_s'), '.1f')} / "
                f"{fmt(r.get('ours_fixed_run_s'), '.1f')} / "
                f"{fmt(r.get('ours_score_s'), '.1f')}",
                fmt(r.get("fit_iterations"), "d"),
                f"{fmt(r.get('ours_ms_per_fit_iteration'), '.1f')} / "
                f"{fmt(r.get('gs1_ms_per_fit_iteration'), '.1f')}",
                fmt(r.get("ours_peak_memory_x"), ".2f"),
            )
            for r in rows
        ],
        align="lllrrrrrrrlrlr",
    )
    lines += [
        "",
        "Chosen candidates, best mean neg_log_loss, and the equivalence check "
        "(ours against GridSearchCV on the same splits):",
        "",
    ]
    cells = []
    for r in rows:
        gs = "gs1" if "gs1_best" in r else "gs2"
        cells.append(
            (
                r["scenario"],
                r["dtype"],
                r.get("ours_best", "n/a"),
                r.get(f"{gs}_best", "n/a"),
                r.get("lrcv_best", "n/a"),
                fmt(r.get("ours_best_score"), ".6f"),
                fmt(r.get(f"{gs}_best_score"), ".6f"),
                fmt(r.get("lrcv_best_score"), ".6f"),
                fmt(r.get("eq_max_abs_diff_mean_score"), ".1e"),
                fmt(r.get("eq_max_abs_diff_split_score"), ".1e"),
                fmt(r.get("eq_nan_mismatch"), "d"),
                f"{fmt(r.get('ours_diverged_candidates'), 'd')} / "
                f"{fmt(r.get('ours_fits_at_max_iter'), 'd')} / "
                f"{fmt(r.get('ours_longest_n_iter'), 'd')}",
                f"{fmt(r.get('ours_conv_warnings'), 'd')} / "
                f"{fmt(r.get('gs1_conv_warnings'), 'd')}",
            )
        )
    lines += table(
        [
            "scenario",
            "dtype",
            "best ours",
            "best GS",
            "best LRCV",
            "score ours",
            "score GS",
            "score LRCV",
            "max abs diff mean score",
            "max abs diff fold score",
            "NaN in one only",
            "ours: diverged cand. / fits at max_iter / longest iter",
            "ConvergenceWarnings ours / GS1",
        ],
        cells,
        align="lllllrrrrrrll",
    )
    lines += [
        "",
        "GS = GridSearchCV(BCELogisticRegression(), {learning_rate, C}); "
        "'fit iterations' sums the iterations of every (candidate, fold) fit "
        "(GridSearchCV runs them one fit at a time, ours as columns of one run); "
        "'ms per fit iteration' is a method's whole time over that sum; "
        "'ours peak memory / X': the peak memory traced (tracemalloc) during "
        "one more, untimed fit of ours, over the bytes of X.  "
        "LRCV = LogisticRegressionCV with as many values of C as the grid has "
        "candidates (its own C grid, so its best score is a reference, not an "
        "equivalence check).  Diverged candidates score NaN in ours and never "
        "win; GridSearchCV scores the coefficients its estimator keeps (the 'NaN "
        "in one only' column).  'fits at max_iter' counts (candidate, fold) pairs of "
        "ours that ran max_iter iterations, in candidates that diverged in no "
        "fold.  ConvergenceWarnings: "
        "ours warns once per kind for the whole search, GridSearchCV once per "
        "fit; n_jobs=2 workers' warnings are not counted.",
    ]
    lines += candidate_table(candidates, args.max_iter)
    return "\n".join(lines) + "\n"


def candidate_table(candidates, max_iter):
    """Iterations of ours per learning rate (rows) and scenario/dtype/C (columns)."""
    candidates = [c for c in candidates if "ours_n_iter_per_fold" in c]
    lines = c_grid_table(candidates, max_iter)
    candidates = [c for c in candidates if c["scenario"] != "c"]
    if not candidates:
        return lines
    columns, rates = [], []
    for c in candidates:
        column = (c["scenario"], c["dtype"], c["C"])
        if column not in columns:
            columns.append(column)
        if c["learning_rate"] not in rates:
            rates.append(c["learning_rate"])
    cells = {}
    for c in candidates:
        n_iter = [int(v) for v in c["ours_n_iter_per_fold"].split(";")]
        text = f"{statistics.median(n_iter):g}"
        if c["ours_diverged"]:
            text += " D"
        elif max(n_iter) >= max_iter:
            text += " M"
        cells[c["learning_rate"], (c["scenario"], c["dtype"], c["C"])] = text
    return [
        *lines,
        "",
        "Iterations of each (candidate, fold) column of ours, median over the "
        "folds (D: diverged in a fold, scored NaN; M: stopped at max_iter in a "
        "fold):",
        "",
        *table(
            ["learning rate", *(f"{s} {d} C={C:g}" for s, d, C in columns)],
            [
                (rate, *(cells.get((rate, column), "") for column in columns))
                for rate in rates
            ],
            align="l" + "r" * len(columns),
        ),
    ]


def c_grid_table(candidates, max_iter):
    """Scenario c: iterations of ours per value of C (columns), per dtype (rows)."""
    candidates = [c for c in candidates if c["scenario"] == "c"]
    if not candidates:
        return []
    Cs = sorted({c["C"] for c in candidates})
    dtypes = list(dict.fromkeys(c["dtype"] for c in candidates))
    cells = {}
    for c in candidates:
        n_iter = [int(v) for v in c["ours_n_iter_per_fold"].split(";")]
        text = f"{statistics.median(n_iter):g}"
        if c["ours_diverged"]:
            text += " D"
        elif max(n_iter) >= max_iter:
            text += " M"
        cells[c["dtype"], c["C"]] = text
    return [
        "",
        "Scenario c (learning_rate='auto'): iterations of ours per value of C, "
        "median over the folds:",
        "",
        *table(
            ["dtype", *(f"C={C:.3g}" for C in Cs)],
            [(d, *(cells.get((d, C), "") for C in Cs)) for d in dtypes],
            align="l" + "r" * len(Cs),
        ),
    ]


def candidates_path(path):
    """``results/x.csv`` -> ``results/x.candidates.csv``."""
    return path.with_name(path.stem + ".candidates.csv")


# -- main ---------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--n-samples", type=int, default=200_000, help="rows of the data"
    )
    parser.add_argument(
        "--n-features", type=int, default=50, help="features of the data"
    )
    parser.add_argument(
        "--dtypes",
        type=parse_choices(["float64", "float32"]),
        default="float64,float32",
        help="comma-separated dtypes of X",
    )
    parser.add_argument(
        "--scenarios",
        type=parse_choices(["a", "b", "c"]),
        default="a,b,c",
        help="a: learning rates at C=--C; b: learning rates x --Cs; "
        "c: 'auto' at LogisticRegressionCV's --n-Cs-c values of C",
    )
    parser.add_argument(
        "--learning-rates",
        type=parse_learning_rates,
        default=DEFAULT_LEARNING_RATES,
        help="comma-separated 'auto' or floats",
    )
    parser.add_argument("--C", type=float, default=1.0, help="C of scenario a")
    parser.add_argument(
        "--Cs", type=parse_floats, default=DEFAULT_CS, help="Cs of scenario b"
    )
    parser.add_argument(
        "--n-Cs-c",
        type=int,
        default=8,
        help="number of C values of scenario c (LogisticRegressionCV's grid)",
    )
    parser.add_argument(
        "--n-folds", type=int, default=5, help="folds of StratifiedKFold(shuffle)"
    )
    shared = "the same for ours and GridSearchCV"
    parser.add_argument(
        "--solver", choices=["nesterov", "gd"], default="nesterov", help=shared
    )
    parser.add_argument("--max-iter", type=int, default=1000, help=f"{shared} and LRCV")
    parser.add_argument("--tol", type=float, default=1e-4, help=f"{shared} and LRCV")
    parser.add_argument(
        "--no-standardize",
        dest="standardize",
        action="store_false",
        default=argparse.SUPPRESS,  # no "(default: True)" beside a "--no-"
        help="keep make_classification's raw feature scales (standardised otherwise)",
    )
    parser.add_argument(
        "--methods",
        type=parse_choices(list(METHODS)),
        default=",".join(METHODS),
        help="comma-separated subset of " + ", ".join(METHODS),
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="fits of ours and of LogisticRegressionCV (median reported)",
    )
    parser.add_argument(
        "--baseline-repeats",
        type=int,
        default=3,
        help="fits of each GridSearchCV (slow; median reported)",
    )
    parser.add_argument(
        "--max-repeat-s",
        type=float,
        default=60.0,
        help="run a method only once in a scenario when its first run took "
        "longer than this (seconds; 0: always do every repeat): bounds the "
        "run time when the searches are slow (a grid with steps that "
        "oscillate until max_iter, a slower engine)",
    )
    parser.add_argument(
        "--no-memory",
        dest="memory",
        action="store_false",
        default=argparse.SUPPRESS,
        help="skip the untimed fit of ours that measures its peak memory (run "
        "otherwise)",
    )
    parser.add_argument("--seed", type=int, default=0, help="data and splits")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads of this process (threadpoolctl); 0: no limit.  "
        "%(default)s by default: on a shared 2-core machine two OpenBLAS "
        "threads slow small matrix products down many times over when "
        "another process holds a core (GridSearchCV n_jobs=2 workers get 1 "
        "thread each anyway).  sklearn_bce's own sweep threads are set by "
        "--sweep-threads.",
    )
    parser.add_argument(
        "--sweep-threads",
        type=int,
        default=0,
        help="set sklearn_bce._loss.MAX_THREADS, the most Python threads the "
        "package's fused sweep uses, in this process, at most SWEEP_CHUNKS = 4 "
        "(0: the package default, the usable CPUs, at most 4).  GridSearchCV n_jobs=2 "
        "workers keep the default, within joblib's limit of each worker's "
        "threads",
    )
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="CSV output")
    parser.add_argument(
        "--markdown", type=Path, default=None, help="also write the tables here"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    # The "--no-" flags' defaults, left out of the help (see above).
    for name in ("standardize", "memory"):
        setattr(args, name, getattr(args, name, True))
    if args.repeats < 1 or args.baseline_repeats < 1:
        parser.error("--repeats and --baseline-repeats must be at least 1")
    if args.n_folds < 2:
        parser.error("--n-folds must be at least 2")
    if not args.C > 0:
        parser.error("--C must be > 0")
    return args


def main(argv=None):
    args = parse_args(argv)

    log = make_logger(args.quiet)
    if args.sweep_threads:
        loss = getattr(sklearn_bce, "_loss", None)
        if loss is None or not hasattr(loss, "MAX_THREADS"):
            raise SystemExit("--sweep-threads: this sklearn_bce has no threaded sweep")
        loss.MAX_THREADS = args.sweep_threads
    with threadpoolctl.threadpool_limits(args.blas_threads or None, user_api="blas"):
        run(args, log)


def run(args, log):
    started = time.perf_counter()
    env = environment()
    if warning := overrides_warning(env):
        log(warning)
    rows, candidates = [], []
    for dtype in args.dtypes:
        # Warm up imports, lazy initialisation and the n_jobs=2 worker pool
        # outside the timed fits.
        X, y = make_data(2000, 10, np.dtype(dtype), args.seed, args.standardize)
        splits = list(
            StratifiedKFold(args.n_folds, shuffle=True, random_state=args.seed).split(
                X, y
            )
        )
        for key, factory in method_factories(
            args.learning_rates[:2], [1.0], splits, args
        ).items():
            if key in args.methods:
                timed_fit(key, factory(), X, y)

        X, y = make_data(
            args.n_samples,
            args.n_features,
            np.dtype(dtype),
            args.seed,
            args.standardize,
        )
        splits = list(
            StratifiedKFold(args.n_folds, shuffle=True, random_state=args.seed).split(
                X, y
            )
        )
        for scenario in args.scenarios:
            log(f"scenario {scenario}, {args.n_samples} x {args.n_features} {dtype}")
            row, per_candidate = bench_scenario(
                scenario, dtype, X, y, splits, args, log
            )
            rows.append(row)
            candidates += per_candidate
            # Write as we go, so that an interrupted run keeps what it measured.
            write_csv(rows, args.csv)
            write_csv(candidates, candidates_path(args.csv))

    total_s = time.perf_counter() - started
    finish_environment(env, total_s=total_s)
    write_json(args.csv.with_suffix(".env.json"), env)
    text = markdown(rows, candidates, env, args, total_s)
    print(text, end="")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text, encoding="utf-8")
    log(f"wrote {args.csv}")


if __name__ == "__main__":
    main()
