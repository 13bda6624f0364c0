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

Usage (from the repository root)::

    flock /tmp/sklearn-bce-bench.lock env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/bench_scale.py --rows 100000,400000,1600000 --features 50
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

CHUNK_ROWS = 100_000
MODES = ("numpy", "memmap", "dask", "dask-ml")


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
        out["coef"] = model.coef_.ravel()[:3].tolist()
        return out

    import distributed

    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
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
            out["coef"] = model.coef_.ravel()[:3].tolist()
        else:
            out["n_iter"] = None
            out["coef"] = np.asarray(model.coef_).ravel()[:3].tolist()
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,400000,1600000")
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--csv", default="benchmarks/results/bench_scale.csv")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        spec = json.loads(args.child)
        print(json.dumps(run_one(**spec)))
        return

    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            print(f"warning: {name} is set; see benchmarks/README.md", file=sys.stderr)
    modes = [m for m in args.modes.split(",") if m]
    if "dask-ml" in modes and not dask_ml_available():
        print("dask_ml is not installed: skipping dask-ml", file=sys.stderr)
        modes.remove("dask-ml")
    rows = [int(r) for r in args.rows.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n_rows in rows:
            path = os.path.join(tmp, f"X_{n_rows}.npy")
            if "memmap" in modes:
                y = write_memmap(path, n_rows, args.features, args.seed)
                np.save(path + ".y.npy", y)
            for mode in modes:
                spec = {
                    "mode": mode,
                    "n_rows": n_rows,
                    "n_features": args.features,
                    "seed": args.seed,
                    "tol": args.tol,
                    "path": path,
                }
                command = [sys.executable, __file__, "--child", json.dumps(spec)]
                try:
                    done = subprocess.run(
                        command,
                        capture_output=True,
                        text=True,
                        timeout=args.timeout,
                        check=False,
                    )
                except subprocess.TimeoutExpired:
                    row = {"mode": mode, "rows": n_rows, "error": "timeout"}
                else:
                    lines = done.stdout.strip().splitlines()
                    if done.returncode or not lines:
                        row = {
                            "mode": mode,
                            "rows": n_rows,
                            "error": done.stderr[-500:],
                        }
                    else:
                        row = json.loads(lines[-1])
                row["X_mb"] = n_rows * args.features * 8 / 2**20
                results.append(row)
                print(json.dumps(row), flush=True)
            if os.path.exists(path):
                os.remove(path)

    Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
    fields = [
        "mode",
        "rows",
        "X_mb",
        "fit_s",
        "n_iter",
        "client_peak_extra_mb",
        "client_rss_before_mb",
        "worker_rss_data_mb",
        "worker_rss_after_mb",
        "coef",
        "error",
    ]
    with open(args.csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(results)
    print()
    print(
        "| rows | X MB | mode | fit s | iter | client peak extra MB "
        "| workers RSS MB (data / after) |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|")
    for r in results:
        if "error" in r:
            print(f"| {r['rows']} | {r['X_mb']:.0f} | {r['mode']} | error | | | |")
            continue
        workers = ""
        if "worker_rss_data_mb" in r:
            workers = f"{r['worker_rss_data_mb']:.0f} / {r['worker_rss_after_mb']:.0f}"
        print(
            f"| {r['rows']} | {r['X_mb']:.0f} | {r['mode']} | {r['fit_s']:.2f} "
            f"| {r['n_iter'] if r['n_iter'] is not None else '-'} "
            f"| {r['client_peak_extra_mb']:.0f} | {workers} |"
        )


if __name__ == "__main__":
    main()
