"""Time and peak memory of a fit against data size: numpy, memmap and Dask.

Every (mode, size) runs in a fresh Python process, so that peak memory is the
fit's own.  The modes:

- ``numpy``: ``BCELogisticRegression().fit(X, y)`` on an in-memory ndarray.
- ``memmap``: the same fit on ``np.load(path, mmap_mode="r")`` of an ``.npy``
  file written beforehand (the file's pages enter the page cache, and count
  in the process's RSS while mapped, but are never copied to anonymous
  memory).
- ``dask``: ``BCELogisticRegression().fit`` on a ``dask.array`` generated and
  persisted on a ``LocalCluster`` of 2 worker processes with 1 thread each;
  the client's memory is measured separately from the workers'.
- ``dask-ml``: ``dask_ml.linear_model.LogisticRegression(solver="lbfgs")`` on
  the same persisted array and cluster, when ``dask_ml`` is installed.

The data are the same in every mode: row chunk ``i`` of ``X`` is drawn from
``numpy.random.default_rng(seed + i)`` (standard normal), and
``y = (X w + noise > 0)`` for a fixed ``w``.

It writes ``benchmarks/results/bench_scale.csv`` (one row per mode and size,
written as the run goes), ``bench_scale.env.json`` next to it (versions,
thread pools, machine: see ``benchmarks/_common.py``) and, with
``--markdown``, the markdown it prints.  It exits with status 1 when a
measurement failed (its error is in the ``error`` column); a measurement that
ran out of ``--timeout`` is a result, not a failure.

Usage (from the repository root)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_scale.py --rows 100000,400000,1600000 --features 50

A quick check of the script: ``--rows 20000,50000 --features 10`` (under a
minute).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

# _common.py (the environment record, output helpers) lies next to this script:
# `python benchmarks/bench_scale.py` puts this folder on sys.path, other ways of
# running it (runpy.run_path, an import) may not.  Only the driver imports it
# (in main and markdown): it imports scikit-learn and sklearn_bce, which the
# measuring processes, and the Dask workers they spawn (which import this
# script), should load no earlier than their fit does.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

CHUNK_ROWS = 100_000
MODES = ("numpy", "memmap", "dask", "dask-ml")
DEFAULT_CSV = Path(__file__).resolve().parent / "results" / "bench_scale.csv"
#: Columns of the CSV, in order.
FIELDS = (
    "mode",
    "rows",
    "features",
    "X_mb",
    "fit_s",
    "n_iter",
    "client_peak_extra_mb",
    "client_rss_before_mb",
    "worker_rss_data_mb",
    "worker_rss_after_mb",
    "coef_max_abs_diff_vs_numpy",
    "coef",
    "error",
)
#: Prefix of the line on which a child process reports its measurement.
RESULT_PREFIX = "RESULT "


# -- data ---------------------------------------------------------------------------
def make_chunk(i, rows, n_features, seed):
    """Row chunk ``i`` of ``X`` and its labels (the same in every mode)."""
    rng = np.random.default_rng(seed + i)
    X = rng.standard_normal((rows, n_features))
    w = np.linspace(-1.0, 1.0, n_features)
    y = (X @ w + rng.standard_normal(rows) > 0).astype(np.int64)
    return X, y


def chunk_sizes(n_rows):
    sizes = [CHUNK_ROWS] * (n_rows // CHUNK_ROWS)
    if n_rows % CHUNK_ROWS:
        sizes.append(n_rows % CHUNK_ROWS)
    return sizes


def numpy_data(n_rows, n_features, seed):
    parts = [
        make_chunk(i, rows, n_features, seed)
        for i, rows in enumerate(chunk_sizes(n_rows))
    ]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def write_memmap(path, n_rows, n_features, seed):
    """Write ``X`` to ``path`` (.npy) chunk by chunk; return ``y``."""
    X = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float64, shape=(n_rows, n_features)
    )
    ys, start = [], 0
    for i, rows in enumerate(chunk_sizes(n_rows)):
        X[start : start + rows], y = make_chunk(i, rows, n_features, seed)
        ys.append(y)
        start += rows
    X.flush()
    del X
    return np.concatenate(ys)


def dask_data(n_rows, n_features, seed):
    """``X`` and ``y`` as dask arrays built chunk by chunk on the workers."""
    import dask
    import dask.array as da

    sizes = chunk_sizes(n_rows)
    make = dask.delayed(make_chunk, nout=2)
    Xs, ys = [], []
    for i, rows in enumerate(sizes):
        X, y = make(i, rows, n_features, seed)
        Xs.append(da.from_delayed(X, (rows, n_features), dtype=np.float64))
        ys.append(da.from_delayed(y, (rows,), dtype=np.int64))
    return da.concatenate(Xs), da.concatenate(ys)


# -- memory ----------------------------------------------------------------------
def rss():
    """Resident set size of this process, in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Sample this process's RSS every 5 ms on a thread; keep the largest."""

    def __enter__(self):
        self.start = rss()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


# -- one measurement (in a child process) -------------------------------------------
def run_one(mode, n_rows, n_features, seed, tol, path):
    from sklearn_bce import BCELogisticRegression

    out = {"mode": mode, "rows": n_rows, "features": n_features}
    model = BCELogisticRegression(tol=tol, max_iter=1000)
    if mode in ("numpy", "memmap"):
        if mode == "numpy":
            X, y = numpy_data(n_rows, n_features, seed)
        else:
            X = np.load(path, mmap_mode="r")
            y = np.load(path + ".y.npy")
        # Warm-up on tiny data (imports, thread pools).
        BCELogisticRegression().fit(np.asarray(X[:1000]), y[:1000])
        with PeakRSS() as memory:
            start = time.perf_counter()
            model.fit(X, y)
            out["fit_s"] = time.perf_counter() - start
        out["client_rss_before_mb"] = memory.start / 2**20
        out["client_peak_extra_mb"] = (memory.peak - memory.start) / 2**20
        out["n_iter"] = int(model.n_iter_[0])
        out["coef"] = model.coef_.ravel().tolist()
        return out

    import distributed

    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    try:
        X, y = dask_data(n_rows, n_features, seed)
        X, y = client.persist([X, y])
        distributed.wait([X, y])
        worker_rss = client.run(lambda: rss())
        out["worker_rss_data_mb"] = sum(worker_rss.values()) / 2**20
        if mode == "dask":
            # Warm-up on tiny data (imports on the workers).
            BCELogisticRegression().fit(X[:1000], y[:1000])
        else:
            from dask_ml.linear_model import LogisticRegression

            model = LogisticRegression(solver="lbfgs", C=1.0, tol=tol, max_iter=1000)
            model.fit(X[:1000], y[:1000])
        with PeakRSS() as memory:
            start = time.perf_counter()
            model.fit(X, y)
            out["fit_s"] = time.perf_counter() - start
        out["client_rss_before_mb"] = memory.start / 2**20
        out["client_peak_extra_mb"] = (memory.peak - memory.start) / 2**20
        worker_rss = client.run(lambda: rss())
        out["worker_rss_after_mb"] = sum(worker_rss.values()) / 2**20
        if mode == "dask":
            out["n_iter"] = int(model.n_iter_[0])
            out["coef"] = model.coef_.ravel().tolist()
        else:
            out["n_iter"] = None  # dask_ml does not report its iterations
            out["coef"] = np.asarray(model.coef_).ravel().tolist()
    finally:
        client.close()
        cluster.close()
    return out


# -- driver --------------------------------------------------------------------------
def dask_ml_available():
    try:
        import dask_ml.linear_model  # noqa: F401
    except Exception:
        return False
    return True


def module_version(name):
    """``name.__version__``, or None when it is not installed."""
    try:
        module = __import__(name)
    except Exception:
        return None
    return getattr(module, "__version__", "unknown")


def measure(spec, timeout):
    """Run one measurement in a fresh process; its result or an error row.

    The child runs in its own session, so that on a timeout (or an interrupt
    of this script) its whole process group, the Dask scheduler and workers
    included, is killed.
    """
    command = [sys.executable, __file__, "--child", json.dumps(spec)]
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return {"error": f"timeout after {timeout:g} s"}
    except BaseException:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise
    results = [
        line[len(RESULT_PREFIX) :]
        for line in stdout.splitlines()
        if line.startswith(RESULT_PREFIX)
    ]
    if child.returncode or not results:
        lines = stderr.strip().splitlines() or [f"exit status {child.returncode}"]
        return {"error": lines[-1][:300]}
    try:
        return json.loads(results[-1])
    except ValueError:
        return {"error": f"unreadable result: {results[-1][:200]}"}


def parse_rows(text):
    """``"20000,1e5"`` -> ``[20000, 100000]``."""
    try:
        rows = [int(float(r)) for r in text.split(",") if r.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of sizes") from None
    if not rows or min(rows) < 100:
        raise argparse.ArgumentTypeError(f"{text!r}: need sizes of at least 100 rows")
    return rows


def parse_modes(text):
    modes = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise argparse.ArgumentTypeError(f"{text!r}: choose among {', '.join(MODES)}")
    return modes


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--rows",
        type=parse_rows,
        default="100000,400000,1600000",
        help="comma-separated numbers of rows (at least 100)",
    )
    parser.add_argument("--features", type=int, default=50, help="features of X")
    parser.add_argument(
        "--modes",
        type=parse_modes,
        default=",".join(MODES),
        help="comma-separated subset of " + ", ".join(MODES),
    )
    parser.add_argument(
        "--tol", type=float, default=1e-4, help="tol of every estimator"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the data")
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds per measurement"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder for the memmap's temporary .npy files (None: the "
        "system's temporary folder; it should be on disk, not in memory)",
    )
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="CSV output")
    parser.add_argument(
        "--markdown", type=Path, default=None, help="also write the markdown here"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.features < 1:
        parser.error("--features must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        print(RESULT_PREFIX + json.dumps(run_one(**spec)), flush=True)
        return

    from _common import (
        environment,
        finish_environment,
        make_logger,
        overrides_warning,
        write_csv,
        write_json,
    )

    log = make_logger(args.quiet)
    modes = list(args.modes)
    if module_version("distributed") is None:
        skipped = [m for m in modes if m in ("dask", "dask-ml")]
        if skipped:
            log(f"dask.distributed is not installed: skipping {', '.join(skipped)}")
            modes = [m for m in modes if m not in skipped]
    if "dask-ml" in modes and not dask_ml_available():
        log("dask_ml is not installed: skipping dask-ml")
        modes.remove("dask-ml")
    env = environment(
        extra={
            "dask": module_version("dask"),
            "distributed": module_version("distributed"),
            "dask_ml": module_version("dask_ml"),
            "chunk_rows": CHUNK_ROWS,
            "dask_cluster": "LocalCluster, 2 worker processes x 1 thread",
        }
    )
    if warning := overrides_warning(env):
        log(warning)
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(dir=args.data_dir) as tmp:
        for n_rows in args.rows:
            path = os.path.join(tmp, f"X_{n_rows}.npy")
            if "memmap" in modes:
                y = write_memmap(path, n_rows, args.features, args.seed)
                np.save(path + ".y.npy", y)
            reference = None  # coefficients of the numpy mode at this size
            for mode in modes:
                spec = {
                    "mode": mode,
                    "n_rows": n_rows,
                    "n_features": args.features,
                    "seed": args.seed,
                    "tol": args.tol,
                    "path": path,
                }
                out = measure(spec, args.timeout)
                row = {"mode": mode, "rows": n_rows, "features": args.features}
                row.update(out)
                row["X_mb"] = n_rows * args.features * 8 / 2**20
                coef = row.pop("coef", None)
                if coef is not None:
                    if mode == "numpy":
                        reference = np.asarray(coef)
                    if reference is not None:
                        diff = np.max(np.abs(np.asarray(coef) - reference))
                        row["coef_max_abs_diff_vs_numpy"] = float(diff)
                    row["coef"] = ";".join(repr(c) for c in coef[:3])
                results.append(row)
                log(
                    f"{n_rows} x {args.features} {mode}: "
                    + (
                        f"error: {row['error']}"
                        if "error" in row
                        else f"{row['fit_s']:.2f} s, {row['n_iter']} iterations, "
                        f"client peak +{row['client_peak_extra_mb']:.0f} MB"
                    )
                )
                # Write as we go, so that an interrupted run keeps what it measured.
                write_csv(results, args.csv, fields=FIELDS)
            for name in (path, path + ".y.npy"):
                if os.path.exists(name):
                    os.remove(name)

    total_s = time.perf_counter() - started
    finish_environment(env, total_s=total_s)
    write_json(args.csv.with_suffix(".env.json"), env)
    text = markdown(results, env, args, modes, total_s)
    print(text, end="")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text, encoding="utf-8")
    log(f"wrote {args.csv}")
    # A timeout is a result (too slow at that size); an error is a failure.
    failed = [r for r in results if not r.get("error", "timeout").startswith("timeout")]
    return 1 if failed else 0


def markdown(results, env, args, modes, total_s):
    from _common import environment_markdown, fmt, table

    versions = ", ".join(
        f"{name} {env[name]}"
        for name in ("dask", "distributed", "dask_ml")
        if env.get(name) is not None
    )
    lines = environment_markdown(
        env,
        date_note=f"; whole run {total_s / 60:.1f} min",
        extra_lines=[f"- {versions or 'dask not installed'}"],
    )
    dask_ml = (
        f", dask-ml LogisticRegression(solver='lbfgs', C=1, tol={args.tol:g}, "
        "max_iter=1000)"
        if "dask-ml" in modes
        else ""
    )
    lines += [
        "",
        f"Settings: rows {', '.join(map(str, args.rows))} x {args.features} "
        f"features (float64), modes "
        f"{', '.join(modes)}; BCELogisticRegression(tol={args.tol:g}, "
        f"max_iter=1000){dask_ml}; {env['dask_cluster']}; chunks of "
        f"{CHUNK_ROWS} rows; seed={args.seed}; each measurement in a fresh "
        "process.",
        "",
    ]
    cells = []
    for r in results:
        if "error" in r:
            cells.append(
                (r["rows"], f"{r['X_mb']:.1f}", r["mode"], "error", "", "", "", "")
            )
            continue
        workers = ""
        if "worker_rss_data_mb" in r:
            workers = f"{r['worker_rss_data_mb']:.0f} / {r['worker_rss_after_mb']:.0f}"
        cells.append(
            (
                r["rows"],
                f"{r['X_mb']:.1f}",
                r["mode"],
                f"{r['fit_s']:.3f}",
                "-" if r["n_iter"] is None else r["n_iter"],
                f"{r['client_peak_extra_mb']:.0f}",
                workers,
                fmt(r.get("coef_max_abs_diff_vs_numpy"), ".1e"),
            )
        )
    lines += table(
        [
            "rows",
            "X MB",
            "mode",
            "fit s",
            "iter",
            "client peak extra MB",
            "workers RSS MB (data / after)",
            "max abs coef diff vs numpy",
        ],
        cells,
        align="rrlrrrrr",
    )
    errors = [r for r in results if "error" in r]
    lines += [
        "",
        "fit s: `fit` alone, after an untimed warm-up fit on 1000 rows; client "
        "peak extra: the fitting process's peak RSS during `fit` above its RSS "
        "before (sampled every 5 ms; for memmap it counts the mapped file's "
        "pages); workers RSS: the summed RSS of the two Dask workers once the "
        "data are persisted and after the fit (imports included).",
    ]
    lines += [f"- error, {r['rows']} rows, {r['mode']}: {r['error']}" for r in errors]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
