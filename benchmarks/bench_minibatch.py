"""Mini-batch descent against full-batch descent and SGDClassifier.

For each data size and penalty (L2, ``l1_ratio=0``, and L1, ``l1_ratio=1``)
the script fits, on standardised ``sklearn.datasets.make_classification``
data, at the same ``C`` and ``tol``:

- ``full``: ``BCELogisticRegression`` full-batch, its default solver;
- ``mini-B`` for each ``--batch-sizes`` ``B``: ``BCELogisticRegression``
  with ``batch_size=B`` (variance-reduced mini-batch steps,
  ``learning_rate="auto"``);
- ``sgd``: scikit-learn's ``SGDClassifier(loss="log_loss")`` with
  ``alpha = 1 / (C n)`` and the same penalty: the same objective (mean
  log-loss plus ``alpha`` times ``||w||^2 / 2`` or ``||w||_1``), its own
  stopping rule (no improvement of the training loss by ``tol`` for
  ``n_iter_no_change`` epochs).

Each is fitted ``--repeats`` times, the order of the contenders rotating from
one repeat to the next; the script reports the median time, the time over the
full-batch fit's (measured in the same run), the epochs or iterations
(``n_iter_``), whether the fit converged, and the objective ``J`` of the
fitted coefficients (computed by one function of this script,
:func:`objective`) with its gap to a tight full-batch reference fit.

Run it with the OpenBLAS overrides of the environment removed, for that
command only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_minibatch.py

See ``benchmarks/README.md`` for the options and the measured results.
"""

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
import threadpoolctl
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression

# _common.py (the environment record, output helpers) lies next to this script:
# `python benchmarks/bench_minibatch.py` puts this folder on sys.path, other
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
    write_outputs,
)

# The same size syntax, timing and iteration ranges as bench_vs_sklearn.py.
from bench_vs_sklearn import fmt_iter, parse_sizes, timed_fit

DEFAULT_SIZES = "20000x20,200000x50"
PENALTIES = {"L2": 0.0, "L1": 1.0}


# -- the common yardstick ---------------------------------------------------------
def objective(X, y, coef, intercept, C, l1_ratio):
    """``J``, in float64: mean BCE plus the penalty over ``C n``.

    ``J(w, b) = 1/n sum_i [logaddexp(0, z_i) - y_i z_i]
    + ((1 - rho) ||w||^2 / 2 + rho ||w||_1) / (C n)`` with ``z = X w + b``:
    the objective of ``BCELogisticRegression`` (unit weights) and of
    ``SGDClassifier(loss="log_loss", alpha=1 / (C n))`` with the penalty of
    ``rho``.
    """
    w = np.asarray(coef, dtype=np.float64).ravel()
    b = float(np.asarray(intercept, dtype=np.float64).ravel()[0])
    z = np.asarray(X, dtype=np.float64) @ w + b
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    penalty = (1 - l1_ratio) * 0.5 * float(w @ w) + l1_ratio * float(np.abs(w).sum())
    return loss + penalty / (C * X.shape[0])


# -- data and fits ------------------------------------------------------------------
def parse_batch_sizes(text):
    """``"256,4096"`` -> ``[256, 4096]``."""
    try:
        sizes = [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"batch sizes {text!r} are not integers"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give positive batch sizes")
    return sizes


def make_data(n_samples, n_features, seed):
    """Standardised make_classification data (SGDClassifier wants it so)."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=max(2, n_features // 2),
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


def contenders(args, n_samples, l1_ratio):
    """``(name, factory)`` of every fit, freshly built."""
    params = {"C": args.C, "l1_ratio": l1_ratio, "tol": args.tol}
    params["max_iter"] = args.max_iter
    out = [("full", lambda: BCELogisticRegression(**params))]
    # A batch of all the rows is a full-batch fit: not run again.
    for size in (size for size in args.batch_sizes if size < n_samples):
        out.append(
            (
                f"mini-{size}",
                lambda size=size: BCELogisticRegression(
                    batch_size=size, random_state=args.seed, **params
                ),
            )
        )
    out.append(
        (
            "sgd",
            lambda: SGDClassifier(
                loss="log_loss",
                penalty="l1" if l1_ratio else "l2",
                alpha=1.0 / (args.C * n_samples),
                tol=args.tol,
                max_iter=args.max_iter,
                random_state=args.seed,
            ),
        )
    )
    return out


def bench(n_samples, n_features, penalty, args, log):
    l1_ratio = PENALTIES[penalty]
    X, y = make_data(n_samples, n_features, args.seed)
    reference = BCELogisticRegression(
        C=args.C, l1_ratio=l1_ratio, tol=args.reference_tol, max_iter=100_000
    ).fit(X, y)
    best = objective(X, y, reference.coef_, reference.intercept_, args.C, l1_ratio)
    row = {
        "n_samples": n_samples,
        "n_features": n_features,
        "penalty": penalty,
        "C": args.C,
        "tol": args.tol,
        "repeats": args.repeats,
        "reference_objective": best,
    }
    fits = contenders(args, n_samples, l1_ratio)
    results = {name: [] for name, _ in fits}  # (seconds, n_iter, warned, J)
    for repeat in range(args.repeats):
        shift = repeat % len(fits)
        for name, factory in fits[shift:] + fits[:shift]:
            seconds, model, warned = timed_fit(factory(), X, y)
            value = objective(X, y, model.coef_, model.intercept_, args.C, l1_ratio)
            results[name].append((seconds, int(np.max(model.n_iter_)), warned, value))
            log(f"  {penalty} repeat {repeat + 1} {name}: {seconds:.3f} s")
    for name, _ in fits:
        key = name.replace("-", "_")
        seconds, n_iter, warned, values = zip(*results[name], strict=True)
        row[f"{key}_median_s"] = statistics.median(seconds)
        row[f"{key}_times_s"] = ";".join(f"{t:.4f}" for t in seconds)
        row[f"{key}_n_iter"] = ";".join(map(str, n_iter))
        row[f"{key}_converged"] = not any(warned)
        row[f"{key}_objective"] = max(values)
        row[f"{key}_gap"] = max(values) - best
    for name, _ in fits:
        key = name.replace("-", "_")
        row[f"{key}_over_full"] = row[f"{key}_median_s"] / row["full_median_s"]
    return row


# -- output ------------------------------------------------------------------------
def markdown(rows, env, args):
    names = ["full", *(f"mini-{size}" for size in args.batch_sizes), "sgd"]
    lines = environment_markdown(
        env, extra_lines=[f"- BLAS threads: {args.blas_threads or 'not limited'}"]
    )
    lines += [
        "",
        f"Settings: C={args.C:g}, tol={args.tol:g}, max_iter={args.max_iter} for "
        f"every fit, float64, {args.repeats} repeats, seed {args.seed}; mini-B "
        "is BCELogisticRegression(batch_size=B), sgd is "
        "SGDClassifier(loss='log_loss', alpha=1/(C n)) with the same penalty; "
        f"reference: BCELogisticRegression(tol={args.reference_tol:g}).",
        "",
    ]

    def cell(r, name):
        key = name.replace("-", "_")
        if f"{key}_median_s" not in r:
            return "(batch of all rows)"
        flag = "" if r[f"{key}_converged"] else " (no conv.)"
        return (
            f"{r[f'{key}_median_s']:.3f} / {fmt_iter(r[f'{key}_n_iter'])}{flag} / "
            f"{fmt(r[f'{key}_gap'], '.1e')}"
        )

    lines += table(
        [
            "data (n x p), penalty",
            *(f"{name} s / iter / J - J*" for name in names),
            *(f"{name} / full" for name in names[1:]),
        ],
        [
            (
                f"{r['n_samples']} x {r['n_features']}, {r['penalty']}",
                *(cell(r, name) for name in names),
                *(
                    fmt(r.get(f"{name.replace('-', '_')}_over_full", ""), ".2f")
                    for name in names[1:]
                ),
            )
            for r in rows
        ],
        align="l" + "r" * (2 * len(names) - 1),
    )
    lines += [
        "",
        "Times are medians over the repeats, iterations n_iter_ (epochs for "
        "mini-B and sgd; a range when the repeats differ); '/ full' is the "
        "time over the full-batch fit's, below 1 when faster.  J is the mean "
        "BCE + ((1 - rho) ||w||^2 / 2 + rho ||w||_1) / (C n), the largest over "
        "the repeats, J* that of the reference fit.",
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
        "--batch-sizes",
        type=parse_batch_sizes,
        default="256,4096",
        help="comma-separated batch sizes of the mini-batch fits",
    )
    parser.add_argument(
        "--penalties",
        default="L2,L1",
        help="comma-separated penalties: L2 (l1_ratio=0), L1 (l1_ratio=1)",
    )
    parser.add_argument("--C", type=float, default=1.0, help="inverse penalty")
    parser.add_argument("--tol", type=float, default=1e-4, help="every fit")
    parser.add_argument("--max-iter", type=int, default=1000, help="every fit")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit BLAS and OpenMP threads (threadpoolctl); %(default)s: no limit",
    )
    parser.add_argument("--repeats", type=int, default=3, help="fits per contender")
    parser.add_argument("--seed", type=int, default=0, help="data and row orders")
    parser.add_argument(
        "--reference-tol", type=float, default=1e-10, help="tol of the reference fit"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS / "bench_minibatch",
        help="output prefix (.csv, .md, .env.json)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    args.penalties = [p.strip().upper() for p in args.penalties.split(",") if p.strip()]
    if not args.penalties or set(args.penalties) - set(PENALTIES):
        parser.error("--penalties takes L2, L1 or both")
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
        X, y = make_data(500, 5, args.seed)
        for _, factory in contenders(args, len(y), 0.0):
            timed_fit(factory(), X, y)
        rows = []
        for n_samples, n_features in args.sizes:
            for penalty in args.penalties:
                log(f"{n_samples} x {n_features}, {penalty}")
                rows.append(bench(n_samples, n_features, penalty, args, log))
        finish_environment(env)
    text = markdown(rows, env, args)
    write_outputs(args.output, rows, env, text)
    print(text, end="")


if __name__ == "__main__":
    main()
