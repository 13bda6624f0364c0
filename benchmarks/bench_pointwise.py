"""Where a sweep's time goes: products against pointwise work, and a compiled loop.

One sweep of ``k`` columns of the search's objective (``BCEObjective.sweep``
with Nesterov momentum and stored logits, as ``BCELogisticRegressionCV`` runs
it) does two things per block of rows: the products ``X_block @ W`` and
``X_block.T @ R`` (BLAS), and about twenty numpy passes over the block's
``(rows, k)`` arrays (the pointwise work: losses, momentum combination, stored
logits, sigmoid, weighted residuals).  This script walks over all rows block by
block on one thread, as one of the sweep's threads does, and times:

- ``products``: the engine's ``_logits`` and ``_add_gradient`` of each block;
- ``numpy``: the engine's pointwise work, ``_residual``, on the same block;
- ``C``: the same pointwise work as one loop over the block in C, compiled at
  run time by the machine's C compiler (``$CC`` or ``cc``) with ``-O3
  -fno-math-errno`` and loaded with ctypes: what a portable compiled kernel
  (an optional compiled extension) would give; each build has two loop
  orders, row by row
  (vectorisable over a row's columns) and column by column (over the rows of
  a column, strided), and the faster one is reported;
- ``C vector``: the same loop compiled with ``-O3 -march=native -ffast-math``
  and glibc's vector math library (libmvec), which vectorises ``exp`` and
  ``log1p``: an upper bound, not something a package could ship as is
  (``-ffast-math`` drops IEEE semantics, ``-march=native`` runs only on
  machines like this one).

Each compiled loop is checked against numpy (largest relative difference of
the residuals and of the loss sums).  The projection *sweep with a compiled
loop* is ``(products + numpy) / (products + C)``: how much faster a sweep
would be, and so the per-column speed-up of ``bench_sweep_columns.py``, if
only the pointwise work changed.  The compiled columns are left empty when no
C compiler (or no libmvec) is found.

Run it with the OpenBLAS overrides of the environment removed, for that command
only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_pointwise.py

See ``benchmarks/README.md`` (section "Learning-rate search") for the results.
"""

import ctypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sklearn_bce._loss import (
    _Partial,
    _Sweep,
    _Workspace,
    single_threaded_blas,
)

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    environment,
    environment_markdown,
    finish_environment,
    fmt,
    make_logger,
    overrides_warning,
    table,
    write_outputs,
)
from bench_sweep_columns import search_data, search_objective, search_parser

#: The engine's pointwise work on one block, as one loop: the loss at ``z``
#: (weighted column sums in double), the momentum point ``zy``, the stored
#: logits and the weighted residual ``w (sigmoid(zy) - y)``.  The weights are
#: read through the columns' fold index, the target is one shared column.
C_SOURCE = r"""
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define SIGNATURE(NAME, REAL)                                                  \
void NAME(ptrdiff_t n, ptrdiff_t k, const REAL *z, const REAL *prev,           \
          const REAL *beta, const REAL *y, const REAL *w, ptrdiff_t n_weights, \
          const int64_t *index, REAL *store, REAL *resid, double *loss)

#define POINTWISE(NAME, REAL, EXP, LOG1P, ABS, MAX)                              \
SIGNATURE(NAME, REAL)                                                          \
{                                                                              \
    for (ptrdiff_t i = 0; i < n; i++) {                                        \
        const REAL yi = y[i];                                                  \
        const REAL *zr = z + i * k, *pr = prev + i * k;                        \
        const REAL *wr = w + i * n_weights;                                    \
        REAL *sr = store + i * k, *rr = resid + i * k;                         \
        _Pragma("omp simd")                                                    \
        for (ptrdiff_t j = 0; j < k; j++) {                                    \
            const REAL zz = zr[j], wij = wr[index[j]];                         \
            const REAL l = LOG1P(EXP(-ABS(zz))) + MAX(zz, (REAL)0) - yi * zz;  \
            loss[j] += (double)(wij * l);                                      \
            const REAL zy = zz + beta[j] * (zz - pr[j]);                       \
            sr[j] = zz;                                                        \
            rr[j] = wij * ((REAL)1 / ((REAL)1 + EXP(-zy)) - yi);               \
        }                                                                      \
    }                                                                          \
}

/* The same, column by column: vectorised over rows (strided), for few columns. */
#define POINTWISE_BY_COLUMN(NAME, REAL, EXP, LOG1P, ABS, MAX)                    \
SIGNATURE(NAME, REAL)                                                          \
{                                                                              \
    for (ptrdiff_t j = 0; j < k; j++) {                                        \
        const REAL bj = beta[j];                                               \
        const REAL *wj = w + index[j];                                         \
        double sum = 0;                                                        \
        _Pragma("omp simd reduction(+:sum)")                                   \
        for (ptrdiff_t i = 0; i < n; i++) {                                    \
            const REAL zz = z[i * k + j], wij = wj[i * n_weights], yi = y[i];  \
            const REAL l = LOG1P(EXP(-ABS(zz))) + MAX(zz, (REAL)0) - yi * zz;  \
            sum += (double)(wij * l);                                          \
            const REAL zy = zz + bj * (zz - prev[i * k + j]);                  \
            store[i * k + j] = zz;                                             \
            resid[i * k + j] = wij * ((REAL)1 / ((REAL)1 + EXP(-zy)) - yi);    \
        }                                                                      \
        loss[j] += sum;                                                        \
    }                                                                          \
}

POINTWISE(pointwise_float64, double, exp, log1p, fabs, fmax)
POINTWISE(pointwise_float32, float, expf, log1pf, fabsf, fmaxf)
POINTWISE_BY_COLUMN(by_column_float64, double, exp, log1p, fabs, fmax)
POINTWISE_BY_COLUMN(by_column_float32, float, expf, log1pf, fabsf, fmaxf)
"""

#: name -> compiler flags (after ``-shared -fPIC``) and libraries.
BUILDS = {
    "C": (["-O3", "-fno-math-errno"], ["-lm"]),
    "C vector": (
        ["-O3", "-march=native", "-ffast-math", "-fopenmp-simd"],
        ["-lmvec", "-lm"],
    ),
}


def compile_loops(directory, log):
    """``{build name: ctypes library}`` for the builds the C compiler manages."""
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        log("no C compiler: the compiled columns stay empty")
        return {}
    source = Path(directory) / "pointwise.c"
    source.write_text(C_SOURCE, encoding="utf-8")
    libraries = {}
    for i, (name, (flags, libs)) in enumerate(BUILDS.items()):
        target = Path(directory) / f"pointwise{i}.so"
        command = [compiler, *flags, "-shared", "-fPIC", str(source), "-o", str(target)]
        try:
            done = subprocess.run([*command, *libs], capture_output=True, text=True)
        except OSError as error:  # $CC names no program that runs
            log(f"{name}: build failed ({error})")
            continue
        if done.returncode != 0:
            log(f"{name}: build failed ({done.stderr.strip().splitlines()[-1:]})")
            continue
        libraries[name] = ctypes.CDLL(str(target))
    return libraries


def loops_of(name, library, dtype):
    """``{timing name: function}``: both loop orders of a build."""
    loops = {}
    for order, prefix in (("", "pointwise"), (" by column", "by_column")):
        function = getattr(library, f"{prefix}_{np.dtype(dtype).name}")
        function.argtypes = [ctypes.c_ssize_t] * 2 + [ctypes.c_void_p] * 5
        function.argtypes += [ctypes.c_ssize_t] + [ctypes.c_void_p] * 4
        function.restype = None
        loops[name + order] = function
    return loops


def one_pass(objective, job, loops, inputs, block_rows):
    """Seconds of each piece over all rows, block by block, on this thread."""
    y, folds, index, previous, beta = inputs
    k = job.k
    dtype = objective.dtype
    seconds = dict.fromkeys(["products", "numpy", *loops], 0.0)
    work = _Workspace(block_rows, k, dtype)
    partial = _Partial(objective.n_coef, k)
    store = np.empty((block_rows, k), dtype)
    resid = np.empty((block_rows, k), dtype)
    sums = {name: np.zeros(k) for name in loops}
    residuals = {}
    clock = time.perf_counter
    for begin, end, block in objective._row_blocks(0, objective.n_samples, block_rows):
        t0 = clock()
        parts = job._parts(block)
        Z = job._logits(block, work, parts)
        t1 = clock()
        residual = job._residual(begin, end, Z, partial, work)
        t2 = clock()
        job._add_gradient(block, residual, partial, parts)
        t3 = clock()
        seconds["products"] += (t1 - t0) + (t3 - t2)
        seconds["numpy"] += t2 - t1
        for name, loop in loops.items():
            n = end - begin
            t4 = clock()
            loop(
                n,
                k,
                Z[0].ctypes.data,
                previous[begin:end].ctypes.data,
                beta.ctypes.data,
                y[begin:end].ctypes.data,
                folds[begin:end].ctypes.data,
                folds.shape[1],
                index.ctypes.data,
                store.ctypes.data,
                resid.ctypes.data,
                sums[name].ctypes.data,
            )
            seconds[name] += clock() - t4
            residuals[name] = (residual.copy(), resid[:n].copy())
    return seconds, partial.loss, sums, residuals


def relative_difference(a, b):
    """Largest ``|a - b|`` over the largest ``|b|``."""
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), np.finfo(b.dtype).tiny))


def run(args, log, libraries):
    rows = []
    for dtype in map(np.dtype, args.dtypes):
        loops = {}
        for name, library in libraries.items():
            loops.update(loops_of(name, library, dtype))
        X, y, folds = search_data(args, dtype)
        for k in args.columns:
            objective = search_objective(X, y, folds, k)
            index = np.arange(k) % folds.shape[1]  # the columns' folds
            rng = np.random.default_rng(args.seed)
            coef = (0.05 * rng.standard_normal((objective.n_coef, k))).astype(dtype)
            prev = (0.05 * rng.standard_normal((objective.n_coef, k))).astype(dtype)
            logits = np.empty((objective.n_samples, k), dtype=dtype)
            objective.sweep(prev, logits=logits)
            beta = np.full(k, 0.5, dtype=dtype)
            previous = logits.copy()  # the compiled loops' own stored logits
            block_rows = objective._sweep_block_rows(k)
            inputs = (y, folds, index, previous, beta)
            times = []
            with single_threaded_blas():
                for _ in range(args.repeats + 1):  # the first one warms up
                    logits[:] = previous
                    job = _Sweep(objective, coef, None, beta, prev, logits, False)
                    times.append(one_pass(objective, job, loops, inputs, block_rows))
            seconds = {
                key: statistics.median(t[0][key] for t in times[1:])
                for key in times[1][0]
            }
            _, numpy_loss, sums, residuals = times[-1]
            row = {
                "dtype": dtype.name,
                "k": k,
                "block_rows": block_rows,
                "products_ms": 1e3 * seconds["products"],
                "numpy_ms": 1e3 * seconds["numpy"],
                "numpy_share": seconds["numpy"]
                / (seconds["products"] + seconds["numpy"]),
            }
            for build in BUILDS:
                key = build.replace(" ", "_")
                if build not in loops:
                    continue
                # The faster loop order of this build.
                name = min((build, build + " by column"), key=seconds.get)
                row[f"{key}_order"] = "by column" if name != build else "by row"
                row[f"{key}_ms"] = 1e3 * seconds[name]
                row[f"{key}_sweep_speedup"] = (
                    seconds["products"] + seconds["numpy"]
                ) / (seconds["products"] + seconds[name])
                # Both loop orders are checked against numpy, not only the faster.
                orders = [o for o in (build, build + " by column") if o in residuals]
                row[f"{key}_residual_rel_diff"] = max(
                    relative_difference(*residuals[o][::-1]) for o in orders
                )
                row[f"{key}_loss_rel_diff"] = max(
                    relative_difference(sums[o], numpy_loss) for o in orders
                )
            rows.append(row)
            log(
                f"{dtype.name} k={k}: products {row['products_ms']:.1f} ms, numpy "
                f"{row['numpy_ms']:.1f} ms"
                + "".join(f", {name} {1e3 * seconds[name]:.1f} ms" for name in loops)
            )
            del objective, logits, previous
        del X
    return rows


def markdown(rows, env, args, built):
    lines = environment_markdown(env)
    lines += [
        "",
        f"Settings: make_classification {args.n_samples} x {args.n_features} "
        f"(standardised), {args.n_folds} folds, seed {args.seed}; all rows, "
        f"block by block on one thread (one BLAS thread); median of "
        f"{args.repeats} passes (Nesterov momentum, stored logits); compiled "
        f"loops built: {', '.join(built) or 'none'}.",
        "",
    ]
    header = ["dtype", "k", "block rows", "products ms", "numpy ms", "numpy share"]
    for name in BUILDS:
        header += [
            f"{name} ms",
            f"sweep with {name}",
            f"{name}: loop order, rel. diff residual / loss",
        ]
    body = []
    for r in rows:
        line = [
            r["dtype"],
            r["k"],
            r["block_rows"],
            fmt(r["products_ms"], ".1f"),
            fmt(r["numpy_ms"], ".1f"),
            fmt(r["numpy_share"], ".0%"),
        ]
        for name in BUILDS:
            key = name.replace(" ", "_")
            line += [
                fmt(r.get(f"{key}_ms"), ".1f"),
                fmt(r.get(f"{key}_sweep_speedup"), ".2f"),
                f"{r.get(f'{key}_order', '')} "
                f"{fmt(r.get(f'{key}_residual_rel_diff'), '.1e')} / "
                f"{fmt(r.get(f'{key}_loss_rel_diff'), '.1e')}",
            ]
        body.append(tuple(line))
    lines += table(header, body, align="lrr" + "r" * (len(header) - 3))
    lines += [
        "",
        "'products': the engine's X_block @ W and X_block.T @ R; 'numpy': its "
        "pointwise work (about twenty numpy passes per block); 'C' and 'C "
        "vector': the same pointwise work as one compiled loop (see the "
        "script's docstring); 'sweep with ...': (products + numpy) / (products "
        "+ compiled loop), the sweep's speed-up if only the pointwise work were "
        "compiled.  Each build has two loop orders, the faster one is shown: "
        "'by row' (vectorised over a row's columns) and 'by column' "
        "(vectorised over the rows of a column, strided).",
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    parser = search_parser(
        __doc__.split("\n\n")[0],
        columns="5,10,20,40",
        repeats=7,
        repeats_help="passes timed",
        output="bench_pointwise",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    log = make_logger(args.quiet)
    env = environment()
    if warning := overrides_warning(env):
        log(warning)
    with tempfile.TemporaryDirectory() as directory:
        libraries = compile_loops(directory, log)
        rows = run(args, log, libraries)
    finish_environment(env)
    text = markdown(rows, env, args, list(libraries))
    write_outputs(args.output, rows, env, text)
    print(text)


if __name__ == "__main__":
    main()
