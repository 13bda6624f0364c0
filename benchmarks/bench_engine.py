"""The fused descent engine: cost per iteration, fit time, time to target, memory.

Four sections, each selectable with ``--sections``:

a. **Per iteration.**  The time of one iteration of the engine (accelerated
   descent with the line search, as ``BCELogisticRegression`` runs it),
   divided by the time of one read of ``X`` (``X @ w``) measured in the same
   run, on 1e6 x 100 data in float64 and float32, C- and F-ordered, with the
   default number of sweep threads and with one; the textbook iteration
   (``z = X @ w``, then ``X.T @ r``) for comparison.
b. **Fit time** of ``BCELogisticRegression(C, tol)`` against
   ``LogisticRegression(C, tol)`` (lbfgs, its other defaults; one-vs-rest for
   several classes) on dense, ill-conditioned, sparse and 10-class data, with
   each fit's objective gap to a tight reference optimum.
c. **Time to target**: the shortest fit that reaches ``J* (1 + 1e-6)`` for
   ours, lbfgs, newton-cholesky, saga, SGDClassifier and textbook gradient
   descent, found by sweeping each one's ``tol`` or ``max_iter``.
d. **Peak memory** of a fit (``tracemalloc``) divided by the size of ``X``.

Run it with the OpenBLAS overrides of the environment removed, for that command
only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_engine.py

See ``benchmarks/README.md`` for the options and the measured results.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import threadpoolctl
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.multiclass import OneVsRestClassifier

from sklearn_bce import BCELogisticRegression
from sklearn_bce import _loss as engine_loss
from sklearn_bce._loss import BCEObjective
from sklearn_bce._solver import accelerated_gradient_descent, auto_metric

# _common.py (the environment record, output helpers) lies next to this script:
# `python benchmarks/bench_engine.py` puts this folder on sys.path, other ways of
# running it (runpy.run_path, an import) may not.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    RESULTS,
    environment,
    environment_markdown,
    finish_environment,
    make_logger,
    overrides_warning,
    peak_traced_memory,
    table,
    with_extension,
    write_csv,
    write_json,
)

#: Rows per block when the objective is scored.
SCORE_ROWS = 65536


# -- data ------------------------------------------------------------------------------
def dense_data(n_samples, n_features, seed, n_classes=2):
    """make_classification with half the features informative (as generated)."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features // 2,
        n_classes=n_classes,
        random_state=seed,
    )
    return X, y


def ill_conditioned_data(n_samples, n_features, seed):
    """Correlated features (10 latent factors + noise) on scales 1e-2 to 1e2."""
    rng = np.random.default_rng(seed)
    factors = rng.standard_normal((n_samples, 10))
    X = factors @ rng.standard_normal((10, n_features))
    X += 0.3 * rng.standard_normal((n_samples, n_features))
    scales = np.logspace(-2, 2, n_features)
    X *= scales
    w = rng.standard_normal(n_features) / scales
    y = (0.3 * (X @ w) + rng.logistic(size=n_samples) > 0).astype(int)
    return X, y


def sparse_data(n_samples, n_features, density, seed):
    """CSR with standard-normal non-zeros and labels from a logistic model."""
    rng = np.random.default_rng(seed)
    X = sp.random(
        n_samples,
        n_features,
        density=density,
        format="csr",
        random_state=seed,
        data_rvs=rng.standard_normal,
    )
    w = rng.standard_normal(n_features)
    y = (np.asarray(X @ w) + rng.logistic(size=n_samples) > 0).astype(int)
    return X, y


#: The named data sets of sections (b) and (d).
DATASETS = ("dense-100k", "dense-1M", "ill-conditioned", "sparse", "10-classes")
# The fits of section (d): data set, dtype, layout variant.
SECTION_D_CASES = (
    ("dense-1M", "float64", None),
    ("dense-1M", "float32", None),
    ("dense-1M", "float64", "F"),
    ("sparse", "float64", None),
    ("sparse", "float64", "csc"),
    ("10-classes", "float64", None),
)
SECTION_D_DATASETS = tuple(dict.fromkeys(name for name, _, _ in SECTION_D_CASES))


def make_dataset(name, seed):
    """``(X, y)`` of a named data set, float64."""
    if name == "dense-100k":
        return dense_data(100_000, 100, seed)
    if name == "dense-1M":
        return dense_data(1_000_000, 100, seed)
    if name == "dense-200k":
        return dense_data(200_000, 100, seed)
    if name == "ill-conditioned":
        return ill_conditioned_data(200_000, 50, seed)
    if name == "sparse":
        return sparse_data(100_000, 20_000, 0.005, seed)
    if name == "10-classes":
        return dense_data(100_000, 100, seed, n_classes=10)
    raise ValueError(f"unknown data set {name!r}")


def size_of(X):
    """Bytes of X's values (and indices, for a sparse matrix)."""
    if sp.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def as_dtype(X, dtype):
    return X.astype(dtype) if X.dtype != dtype else X


# -- the common yardstick --------------------------------------------------------------
def objective(X, y, coef, intercept, C):
    """Sum over one-vs-rest columns of the objective, in float64.

    ``J_k = 1/n sum_i [logaddexp(0, z_ik) - y_ik z_ik] + ||w_k||^2 / (2 C n)``
    with ``y_ik = [y_i == class k]`` (one column, the second class, for two
    classes): ``LogisticRegression``'s objective divided by ``C n``.
    """
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    intercept = np.asarray(intercept, dtype=np.float64).ravel()
    classes = np.unique(y)
    targets = classes[1:] if len(classes) == 2 else classes
    n = X.shape[0]
    total = 0.0
    for start in range(0, n, SCORE_ROWS):
        block = X[start : start + SCORE_ROWS]
        block = block.astype(np.float64) if sp.issparse(block) else block
        z = np.asarray(block @ coef.T, dtype=np.float64) + intercept
        t = (y[start : start + SCORE_ROWS, None] == targets[None, :]).astype(float)
        total += float(np.sum(np.logaddexp(0.0, z) - t * z))
    penalty = 0.0 if np.isinf(C) else float(np.sum(coef**2)) / (2.0 * C * n)
    return total / n + penalty


def coefficients(model):
    """``(coef, intercept)`` of a binary or one-vs-rest model."""
    if isinstance(model, OneVsRestClassifier):
        return (
            np.vstack([e.coef_ for e in model.estimators_]),
            np.hstack([e.intercept_ for e in model.estimators_]),
        )
    return model.coef_, model.intercept_


def iterations(model):
    if isinstance(model, OneVsRestClassifier):
        return int(max(np.max(e.n_iter_) for e in model.estimators_))
    return int(np.max(model.n_iter_))


def timed_fit(model, X, y):
    """``(seconds, model, warned)``: fit time and whether it warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
    warned = any("converge" in str(w.message).lower() for w in caught)
    return seconds, model, warned


def one_vs_rest(model, y):
    return OneVsRestClassifier(model) if len(np.unique(y)) > 2 else model


def reference_optimum(X, y, C, log):
    """``J*``: the lower objective of two tight fits (ours and lbfgs), float64."""
    X = as_dtype(X, np.float64)
    values = {}
    fits = {
        "ours": BCELogisticRegression(C=C, tol=1e-9, max_iter=20_000),
        "lbfgs": one_vs_rest(LogisticRegression(C=C, tol=1e-10, max_iter=3000), y),
    }
    for name, model in fits.items():
        seconds, model, _ = timed_fit(model, X, y)
        values[name] = objective(X, y, *coefficients(model), C)
        log(f"    reference {name}: {seconds:.1f} s, J = {values[name]!r}")
    return min(values.values())


# -- (a) per iteration -----------------------------------------------------------------
def median_time(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def iteration_times(X, y, n_iter, n_threads):
    """Mean seconds per iteration of the engine and sweeps per iteration."""
    dtype = X.dtype
    objective_ = BCEObjective(
        X, y[:, None].astype(dtype), np.ones(len(y), dtype), 1.0, 0.0, True
    )
    metric = auto_metric(objective_)
    stamps, sweeps = [], [0]
    sweep = objective_.sweep

    def counted(*args, **kwargs):
        sweeps[0] += 1
        return sweep(*args, **kwargs)

    objective_.sweep = counted

    def callback(*_):
        stamps.append(time.perf_counter())

    saved = engine_loss.MAX_THREADS
    engine_loss.MAX_THREADS = n_threads
    try:
        stamps.append(time.perf_counter())
        accelerated_gradient_descent(
            objective_,
            np.zeros((objective_.n_coef, 1), dtype),
            metric=metric,
            line_search=True,
            max_iter=n_iter,
            tol=0,
            callback=callback,
        )
    finally:
        engine_loss.MAX_THREADS = saved
    # Mean over the iterations after the first (which includes warm-up),
    # line-search retries included.
    per_iteration = (stamps[-1] - stamps[1]) / (len(stamps) - 2)
    return per_iteration, (sweeps[0] - 1) / n_iter


def textbook_iteration(X, y, w):
    z = X @ w
    r = expit(z) - y
    return X.T @ r


def section_a(args, log):
    """Per-iteration ratios; every round measures the read and the iterations
    again, so that a burst of load from other processes hits one round only."""
    rows = []
    n_samples, n_features = args.iteration_size
    X64, y = dense_data(n_samples, n_features, args.seed)
    thread_counts = sorted({engine_loss.sweep_threads(), 1}, reverse=True)
    for dtype in ("float64", "float32"):
        for order in ("C", "F"):
            X = np.asarray(as_dtype(X64, np.dtype(dtype)), order=order)
            yd = y.astype(X.dtype)
            w = np.full(n_features, 0.01, dtype=X.dtype)
            rounds = {threads: [] for threads in thread_counts}
            for _ in range(args.rounds):
                read = median_time(lambda X=X, w=w: X @ w, args.read_repeats)
                with threadpoolctl.threadpool_limits(1, user_api="blas"):
                    read_1 = median_time(lambda X=X, w=w: X @ w, args.read_repeats)
                textbook = median_time(
                    lambda X=X, yd=yd, w=w: textbook_iteration(X, yd, w), 3
                )
                floor = min(read, read_1)
                for threads in thread_counts:
                    per_iter, sweeps = iteration_times(X, y, args.iterations, threads)
                    rounds[threads].append(
                        (per_iter / floor, textbook / floor, sweeps, read, read_1)
                    )
            for threads, values in rounds.items():
                ratio, textbook_ratio, sweeps, read, read_1 = zip(*values, strict=True)
                row = {
                    "data": f"{n_samples} x {n_features}",
                    "dtype": dtype,
                    "order": order,
                    "sweep_threads": threads,
                    "rounds": args.rounds,
                    "ratio_iteration_over_read_min": min(ratio),
                    "ratio_iteration_over_read_median": statistics.median(ratio),
                    "ratios": ";".join(f"{r:.3f}" for r in ratio),
                    "ratio_textbook_over_read_median": statistics.median(
                        textbook_ratio
                    ),
                    "sweeps_per_iteration": statistics.median(sweeps),
                    "read_s_median": statistics.median(read),
                    "read_1thread_s_median": statistics.median(read_1),
                }
                rows.append(row)
                log(
                    f"  {dtype} {order} threads={threads}: iteration / read "
                    f"{row['ratios']} (textbook "
                    f"{row['ratio_textbook_over_read_median']:.2f})"
                )
            del X
    return rows


# -- (b) fit time ----------------------------------------------------------------------
def section_b(args, log):
    rows = []
    for name, dtypes in [
        ("dense-100k", ("float64", "float32")),
        ("dense-1M", ("float64", "float32")),
        ("ill-conditioned", ("float64",)),
        ("sparse", ("float64", "float32")),
        ("10-classes", ("float64",)),
    ]:
        if args.datasets and name not in args.datasets:
            continue
        log(f"  {name}")
        X64, y = make_dataset(name, args.seed)
        reference = reference_optimum(X64, y, args.C, log)
        for dtype in dtypes:
            X = as_dtype(X64, np.dtype(dtype))
            contenders = {
                "ours": lambda: BCELogisticRegression(C=args.C, tol=args.tol),
                "lbfgs": lambda y=y: one_vs_rest(
                    LogisticRegression(C=args.C, tol=args.tol), y
                ),
            }
            fits = {key: [] for key in contenders}
            repeats = args.repeats if X.shape[0] < 1_000_000 else args.big_repeats
            for repeat in range(repeats):
                order = list(contenders) if repeat % 2 == 0 else list(contenders)[::-1]
                for key in order:
                    seconds, model, warned = timed_fit(contenders[key](), X, y)
                    value = objective(X, y, *coefficients(model), args.C)
                    fits[key].append((seconds, iterations(model), warned, value))
                    log(f"    {dtype} {key}: {seconds:.2f} s")
            row = {
                "data": name,
                "shape": f"{X.shape[0]} x {X.shape[1]}",
                "dtype": dtype,
                "n_classes": len(np.unique(y)),
                "C": args.C,
                "tol": args.tol,
                "reference_objective": reference,
            }
            for key in contenders:
                seconds, n_iter, warned, values = zip(*fits[key], strict=True)
                row[f"{key}_s"] = statistics.median(seconds)
                row[f"{key}_times_s"] = ";".join(f"{t:.4f}" for t in seconds)
                row[f"{key}_n_iter"] = max(n_iter)
                row[f"{key}_converged"] = not any(warned)
                row[f"{key}_gap"] = max(values) - reference
            row["ratio_ours_over_lbfgs"] = row["ours_s"] / row["lbfgs_s"]
            row.update(match_accuracy(X, y, args, reference, row["lbfgs_gap"], log))
            rows.append(row)
            del X
    return rows


def match_accuracy(X, y, args, reference, lbfgs_gap, log):
    """Ours at tighter ``tol`` until its gap is at most lbfgs's: time and tol."""
    for tol in (args.tol, args.tol / 3, args.tol / 10, args.tol / 30, args.tol / 100):
        seconds, model, _ = timed_fit(BCELogisticRegression(C=args.C, tol=tol), X, y)
        gap = objective(X, y, *coefficients(model), args.C) - reference
        if gap <= max(lbfgs_gap, 0.0):
            log(f"    ours reaches lbfgs's J at tol={tol:g}: {seconds:.2f} s")
            return {"ours_matching_tol": tol, "ours_matching_s": seconds}
    return {"ours_matching_tol": "", "ours_matching_s": ""}


# -- (c) time to target ----------------------------------------------------------------
def ladders(C, n_samples):
    """Per solver, settings from cheap to expensive: (label, factory)."""
    alpha = 1.0 / (C * n_samples)
    return {
        "ours": [
            (f"tol={t:g}", lambda t=t: BCELogisticRegression(C=C, tol=t))
            for t in (1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 1e-7)
        ],
        "lbfgs": [
            (
                f"tol={t:g}",
                lambda t=t: LogisticRegression(C=C, tol=t, max_iter=10_000),
            )
            for t in (1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 1e-6, 1e-7, 1e-8)
        ],
        "newton-cholesky": [
            (
                f"tol={t:g}",
                lambda t=t: LogisticRegression(
                    C=C, tol=t, solver="newton-cholesky", max_iter=1000
                ),
            )
            for t in (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8)
        ],
        "saga": [
            (
                f"max_iter={k}",
                lambda k=k: LogisticRegression(C=C, solver="saga", tol=0, max_iter=k),
            )
            for k in (3, 10, 30, 100, 300)
        ],
        # Averaged SGD with a decreasing step: of the schedules tried, the
        # one that came closest (the default "optimal" step, fitted to this
        # tiny alpha, stays far away).
        "sgd": [
            (
                f"max_iter={k}",
                lambda k=k: SGDClassifier(
                    loss="log_loss",
                    alpha=alpha,
                    learning_rate="invscaling",
                    eta0=0.01,
                    average=True,
                    tol=None,
                    max_iter=k,
                    random_state=0,
                ),
            )
            for k in (10, 30, 100, 300)
        ],
        "textbook gd": [
            (
                f"max_iter={k}",
                lambda k=k: BCELogisticRegression(C=C, solver="gd", tol=0, max_iter=k),
            )
            for k in (100, 300, 1000, 3000, 10_000)
        ],
    }


def section_c(args, log):
    rows = []
    n_samples, n_features = args.target_size
    X, y = dense_data(n_samples, n_features, args.seed)
    reference = reference_optimum(X, y, args.C, log)
    for solver, ladder in ladders(args.C, n_samples).items():
        best, spent, closest = None, 0.0, None
        for label, factory in ladder:
            seconds, model, _ = timed_fit(factory(), X, y)
            spent += seconds
            gap = (
                objective(X, y, *coefficients(model), args.C) - reference
            ) / reference
            log(f"    {solver} {label}: {seconds:.2f} s, relative gap {gap:.1e}")
            if closest is None or gap < closest[1]:
                closest = (label, gap, seconds)
            if gap <= args.target_gap:
                best = (label, seconds, gap)
                break
            if spent > args.solver_budget:
                break
        rows.append(
            {
                "solver": solver,
                "data": f"{n_samples} x {n_features}",
                "target_relative_gap": args.target_gap,
                "reached": best is not None,
                "setting": best[0] if best else closest[0],
                "time_s": best[1] if best else "",
                "relative_gap": best[2] if best else closest[1],
                "time_spent_s": spent,
            }
        )
    return rows


# -- (d) memory ------------------------------------------------------------------------
def peak_memory(factory, X, y):
    return peak_traced_memory(lambda: timed_fit(factory(), X, y))


def section_d(args, log):
    rows = []
    data = {}
    for name, dtype, variant in SECTION_D_CASES:
        if args.datasets and name not in args.datasets:
            continue
        if name not in data:
            data = {name: make_dataset(name, args.seed)}
        X, y = data[name]
        X = as_dtype(X, np.dtype(dtype))
        if variant == "F":
            X = np.asfortranarray(X)
        elif variant == "csc":
            X = X.tocsc()
        size = size_of(X)
        ours = peak_memory(lambda: BCELogisticRegression(C=args.C, tol=args.tol), X, y)
        lbfgs = peak_memory(
            lambda y=y: one_vs_rest(LogisticRegression(C=args.C, tol=args.tol), y), X, y
        )
        label = name + ("" if variant is None else f" ({variant})")
        rows.append(
            {
                "data": label,
                "dtype": dtype,
                "size_of_X_MB": size / 1e6,
                "ours_peak_MB": ours / 1e6,
                "ours_peak_over_X": ours / size,
                "lbfgs_peak_MB": lbfgs / 1e6,
                "lbfgs_peak_over_X": lbfgs / size,
            }
        )
        log(f"  {label} {dtype}: ours {ours / size:.3f} x X, lbfgs {lbfgs / size:.3f}")
    return rows


# -- environment and output -----------------------------------------------------------
def engine_environment():
    """This benchmark's extras to the common environment: the engine's settings."""
    return {
        "sweep_threads": engine_loss.sweep_threads(),
        "engine_settings": {
            name: getattr(engine_loss, name)
            for name in (
                "BLOCK_ENTRIES",
                "SWEEP_CHUNKS",
                "PARALLEL_MIN_ENTRIES",
                "MAX_THREADS",
            )
        },
    }


def command_line():
    """The command that ran this benchmark, from the repository root."""
    return " ".join(["python", f"benchmarks/{Path(__file__).name}", *sys.argv[1:]])


def markdown(results, env, args):
    settings = "- engine settings: " + ", ".join(
        f"{k}={v}" for k, v in env["engine_settings"].items()
    )
    lines = environment_markdown(env, extra_lines=[settings])
    lines += [
        f"- command: `{command_line()}`",
        "- 1-minute load average before/after each section (this benchmark "
        f"included; {env['usable_cores']} usable CPUs): "
        + ", ".join(
            f"({k}) {a:.1f}/{b:.1f}"
            for k, (a, b) in env.get("load_average_1min_before_after", {}).items()
        ),
        "",
    ]
    if results.get("a"):
        lines += [
            "(a) Time per iteration / one read of X (`X @ w`, the faster of "
            "default and 1 BLAS thread), same round",
            "",
        ]
        lines += table(
            [
                "data",
                "dtype",
                "order",
                "sweep threads",
                "iteration / read, best round",
                "median round",
                "sweeps / iteration",
                "textbook / read",
                "read ms",
                "read ms (1 BLAS thread)",
            ],
            [
                (
                    r["data"],
                    r["dtype"],
                    r["order"],
                    r["sweep_threads"],
                    f"{r['ratio_iteration_over_read_min']:.2f}",
                    f"{r['ratio_iteration_over_read_median']:.2f}",
                    f"{r['sweeps_per_iteration']:.2f}",
                    f"{r['ratio_textbook_over_read_median']:.2f}",
                    f"{1e3 * r['read_s_median']:.1f}",
                    f"{1e3 * r['read_1thread_s_median']:.1f}",
                )
                for r in results["a"]
            ],
        )
        lines += [""]
    if results.get("b"):
        lines += [
            f"(b) Fit time, ours / LogisticRegression (lbfgs), C={args.C}, "
            f"tol={args.tol}",
            "",
        ]
        lines += table(
            [
                "data",
                "n x p",
                "dtype",
                "ours s",
                "lbfgs s",
                "ours / lbfgs",
                "ours iter",
                "lbfgs iter",
                "ours J - J*",
                "lbfgs J - J*",
                "ours to lbfgs's J: s (tol)",
            ],
            [
                (
                    r["data"],
                    r["shape"],
                    r["dtype"],
                    f"{r['ours_s']:.3f}",
                    f"{r['lbfgs_s']:.3f}",
                    f"{r['ratio_ours_over_lbfgs']:.2f}",
                    f"{r['ours_n_iter']}" + ("" if r["ours_converged"] else " (nc)"),
                    f"{r['lbfgs_n_iter']}" + ("" if r["lbfgs_converged"] else " (nc)"),
                    f"{r['ours_gap']:.1e}",
                    f"{r['lbfgs_gap']:.1e}",
                    "not reached"
                    if r["ours_matching_s"] == ""
                    else f"{r['ours_matching_s']:.3f} ({r['ours_matching_tol']:g})",
                )
                for r in results["b"]
            ],
        )
        lines += [""]
    if results.get("c"):
        lines += [
            f"(c) Time to reach J* (1 + {args.target_gap:g}) on "
            f"{results['c'][0]['data']} float64",
            "",
        ]
        lines += table(
            ["solver", "reached", "setting", "time s", "relative gap", "time spent s"],
            [
                (
                    r["solver"],
                    "yes" if r["reached"] else "no",
                    r["setting"],
                    "" if r["time_s"] == "" else f"{r['time_s']:.2f}",
                    f"{r['relative_gap']:.1e}",
                    f"{r['time_spent_s']:.1f}",
                )
                for r in results["c"]
            ],
        )
        lines += [""]
    if results.get("d"):
        lines += ["(d) Peak traced memory of one fit / size of X", ""]
        lines += table(
            ["data", "dtype", "X MB", "ours peak / X", "lbfgs peak / X"],
            [
                (
                    r["data"],
                    r["dtype"],
                    f"{r['size_of_X_MB']:.0f}",
                    f"{r['ours_peak_over_X']:.3f}",
                    f"{r['lbfgs_peak_over_X']:.3f}",
                )
                for r in results["d"]
            ],
        )
        lines += [""]
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------
def parse_size(text):
    rows, cols = text.lower().split("x")
    return int(float(rows)), int(float(cols))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--sections", default="a,b,c,d", help="comma-separated subset of a,b,c,d"
    )
    parser.add_argument(
        "--datasets",
        default="",
        help="comma-separated subset of the data sets of (b) (dense-100k, "
        "dense-1M, ill-conditioned, sparse, 10-classes) and (d) (dense-1M, "
        "sparse, 10-classes); all if empty",
    )
    parser.add_argument(
        "--C", type=float, default=1.0, help="C of both estimators in (b), (d)"
    )
    parser.add_argument(
        "--tol", type=float, default=1e-4, help="tol of both estimators in (b), (d)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every data set")
    parser.add_argument("--repeats", type=int, default=3, help="fits per estimator")
    parser.add_argument(
        "--big-repeats", type=int, default=2, help="fits per estimator at 1e6 rows"
    )
    parser.add_argument(
        "--iteration-size",
        type=parse_size,
        default="1000000x100",
        help="rows x features of the data of (a)",
    )
    parser.add_argument(
        "--iterations", type=int, default=20, help="iterations timed in (a)"
    )
    parser.add_argument(
        "--read-repeats", type=int, default=10, help="timed reads of X in (a)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="measurement rounds in (a)"
    )
    parser.add_argument(
        "--target-size",
        type=parse_size,
        default="200000x100",
        help="rows x features of the data of (c)",
    )
    parser.add_argument(
        "--target-gap",
        type=float,
        default=1e-6,
        help="relative objective gap (J - J*) / J* each solver of (c) is timed "
        "to reach",
    )
    parser.add_argument(
        "--solver-budget",
        type=float,
        default=120.0,
        help="seconds after which a solver's ladder in (c) stops",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS / "bench_engine",
        help="output prefix (_a.csv ... _d.csv, .md, .env.json)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    args.sections = [s for s in args.sections.split(",") if s]
    args.datasets = [d for d in args.datasets.split(",") if d]
    unknown = sorted(set(args.sections) - set("abcd"))
    if unknown:
        parser.error(f"--sections: unknown section(s) {unknown}; choose from a,b,c,d")
    unknown = sorted(set(args.datasets) - set(DATASETS))
    if unknown:
        parser.error(
            f"--datasets: unknown data set(s) {unknown}; choose from "
            f"{', '.join(DATASETS)}"
        )
    if (
        "d" in args.sections
        and args.datasets
        and not set(args.datasets) & set(SECTION_D_DATASETS)
    ):
        parser.error(
            f"--datasets: section (d) has none of {args.datasets}; it measures "
            f"{', '.join(SECTION_D_DATASETS)} (or leave d out of --sections)"
        )
    return args


def main(argv=None):
    args = parse_args(argv)
    log = make_logger(args.quiet)

    env = environment(extra=engine_environment())
    if warning := overrides_warning(env):
        log(warning)
    # Warm-up: imports, thread pools and lazy initialisation.
    X, y = dense_data(2000, 10, args.seed)
    timed_fit(BCELogisticRegression(), X, y)
    timed_fit(LogisticRegression(), X, y)

    sections = {"a": section_a, "b": section_b, "c": section_c, "d": section_d}
    results = {}
    loads = {}
    for key in args.sections:
        log(f"section ({key})")
        before = os.getloadavg()[0]
        results[key] = sections[key](args, log)
        loads[key] = (before, os.getloadavg()[0])
        write_csv(results[key], args.output.with_name(f"{args.output.name}_{key}.csv"))
    finish_environment(env, load_average_1min_before_after=loads)
    write_json(with_extension(args.output, ".env.json"), env)
    text = markdown(results, env, args)
    with_extension(args.output, ".md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
