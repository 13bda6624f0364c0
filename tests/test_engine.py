"""The fused, threaded engine: every layout of X, no copies, thread invariance.

Small data are cut into many row blocks and chunks by shrinking the module
settings, so that the blocked and threaded code paths run on problems that fit
in a test.
"""

import os
import select
import subprocess
import sys
import threading
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_bce import BCELogisticRegression, _loss
from sklearn_bce._loss import BCEObjective
from sklearn_bce._solver import DiagonalMetric, _Descent, accelerated_gradient_descent

TIGHT = {"tol": 1e-10, "max_iter": 100_000}


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of a few rows, four chunks and two threads on small data.

    Each block's products are computed in row parts, as those of large
    blocks with many columns are.
    """
    monkeypatch.setattr(_loss, "BLOCK_ENTRIES", 64)
    monkeypatch.setattr(_loss, "SMALL_PRODUCT_ENTRIES", 32)
    monkeypatch.setattr(_loss, "MIN_PART_ROWS", 2)
    monkeypatch.setattr(_loss, "PARALLEL_MIN_ENTRIES", 256)
    monkeypatch.setattr(_loss, "sweep_threads", lambda: 2)


def classification(n_classes=2, n_samples=300, n_features=6, seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


def sparsify(X, seed=0):
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < 0.5] = 0.0
    return X


def layouts(X, tmp_path):
    """The same data as every input the engine accepts, by name."""
    read_only = X.copy()
    read_only.flags.writeable = False
    path = tmp_path / "X.dat"
    mapped = np.memmap(path, dtype=X.dtype, mode="w+", shape=X.shape)
    mapped[:] = X
    mapped.flush()
    del mapped
    return {
        "C": np.ascontiguousarray(X),
        "F": np.asfortranarray(X),
        "float32": X.astype(np.float32),
        "float32-F": np.asfortranarray(X.astype(np.float32)),
        "csr": sp.csr_matrix(X),
        "csc": sp.csc_matrix(X),
        "csr-float32": sp.csr_matrix(X.astype(np.float32)),
        "read-only": read_only,
        "memmap": np.memmap(path, dtype=X.dtype, mode="r", shape=X.shape),
    }


LAYOUTS = [
    "C",
    "F",
    "float32",
    "float32-F",
    "csr",
    "csc",
    "csr-float32",
    "read-only",
    "memmap",
]


def reference(X, y, C, l1_ratio):
    """LogisticRegression at a tight tolerance (saga when there is an L1 term)."""
    dense = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    options = {"C": C, "tol": 1e-10, "max_iter": 100_000}
    if l1_ratio > 0:
        options.update(solver="saga", l1_ratio=l1_ratio)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(**options)
        if len(np.unique(y)) > 2:
            model = OneVsRestClassifier(model)
        model.fit(dense, y)
    if len(np.unique(y)) > 2:
        coef = np.vstack([e.coef_ for e in model.estimators_])
        intercept = np.hstack([e.intercept_ for e in model.estimators_])
        return coef, intercept
    return model.coef_, model.intercept_


def fit(X, y, **params):
    # float32 cannot resolve a gradient of 1e-10: stop at its own precision.
    tol = 1e-7 if X.dtype == np.float32 else 1e-10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return BCELogisticRegression(tol=tol, max_iter=100_000, **params).fit(X, y)


# -- every layout reaches LogisticRegression's optimum --------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_every_layout_reaches_the_reference_optimum(
    layout, n_classes, small_blocks, tmp_path
):
    X, y = classification(n_classes)
    if layout.startswith("csr") or layout.startswith("csc"):
        X = sparsify(X)
    data = layouts(X, tmp_path)[layout]
    before = data.copy() if not sp.issparse(data) else data.toarray()
    model = fit(data, y, C=0.5)
    coef, intercept = reference(X, y, 0.5, 0.0)
    assert_allclose(model.coef_, coef, atol=1e-5)
    assert_allclose(model.intercept_, intercept, atol=1e-5)
    assert model.coef_.dtype == data.dtype
    # X is left as it was.
    after = data.toarray() if sp.issparse(data) else data
    assert np.array_equal(after, before)


@pytest.mark.parametrize(
    ("C", "l1_ratio"), [(np.inf, 0.0), (0.05, 0.0), (0.2, 1.0), (0.2, 0.5)]
)
@pytest.mark.parametrize("layout", ["C", "csr", "csc"])
def test_every_penalty_reaches_the_reference_optimum(
    C, l1_ratio, layout, small_blocks, tmp_path
):
    X, y = classification(n_samples=200, n_features=5, seed=1)
    if layout != "C":
        X = sparsify(X, seed=1)
    data = layouts(X, tmp_path)[layout]
    model = fit(data, y, C=C, l1_ratio=l1_ratio)
    coef, intercept = reference(X, y, C, l1_ratio)
    assert_allclose(model.coef_, coef, atol=1e-5)
    assert_allclose(model.intercept_, intercept, atol=1e-5)


def test_textbook_gd_runs_on_the_fused_engine(small_blocks):
    X, y = classification(n_samples=200, n_features=4)
    model = fit(sp.csr_matrix(X), y, C=1.0, solver="gd")
    coef, intercept = reference(X, y, 1.0, 0.0)
    assert_allclose(model.coef_, coef, atol=1e-5)
    assert_allclose(model.intercept_, intercept, atol=1e-5)


# -- threads ----------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["C", "F", "float32", "csr"])
def test_results_do_not_depend_on_the_number_of_threads(layout, monkeypatch, tmp_path):
    monkeypatch.setattr(_loss, "BLOCK_ENTRIES", 64)
    monkeypatch.setattr(_loss, "PARALLEL_MIN_ENTRIES", 256)
    X, y = classification(n_classes=3)
    if layout == "csr":
        X = sparsify(X)
    data = layouts(X, tmp_path)[layout]
    models, threads_seen = {}, {}
    original = _loss._run_chunks
    per_sweep = []

    def run_chunks(function, n_chunks, n_threads):
        threads = set()
        per_sweep.append(threads)

        def recorded(chunk):
            threads.add(threading.get_ident())
            return function(chunk)

        return original(recorded, n_chunks, n_threads)

    monkeypatch.setattr(_loss, "_run_chunks", run_chunks)
    for n_threads in [1, 2, 3]:
        per_sweep.clear()
        monkeypatch.setattr(_loss, "sweep_threads", lambda n=n_threads: n)
        models[n_threads] = BCELogisticRegression(C=0.5, tol=1e-6).fit(data, y)
        threads_seen[n_threads] = max(len(threads) for threads in per_sweep)
    # The calling thread and pool threads (an idle pool thread may take two
    # ranges of chunks, one after the other).
    assert threads_seen[1] == 1 and threads_seen[2] == 2 and threads_seen[3] >= 2
    for n_threads in [2, 3]:
        assert_allclose(models[n_threads].coef_, models[1].coef_, rtol=0, atol=1e-10)
        assert_allclose(
            models[n_threads].intercept_, models[1].intercept_, rtol=0, atol=1e-10
        )
        assert np.array_equal(models[n_threads].n_iter_, models[1].n_iter_)


def test_sweep_threads_keep_the_callers_floating_point_error_handling(monkeypatch):
    # A step so long that the logits overflow: the descent handles the inf and
    # NaN it meets (it diverges) under np.errstate, which holds in the thread
    # that set it only.  The sweep's other threads must see it too: the fit
    # ends alike on 1 and 3 threads, without numpy's RuntimeWarnings (errors
    # here).
    monkeypatch.setattr(_loss, "BLOCK_ENTRIES", 64)
    monkeypatch.setattr(_loss, "PARALLEL_MIN_ENTRIES", 256)
    X, y = classification()
    X = (X * 1e8).astype(np.float32)
    models = {}
    for n_threads in [1, 3]:
        monkeypatch.setattr(_loss, "sweep_threads", lambda n=n_threads: n)
        model = BCELogisticRegression(learning_rate=1e30, C=np.inf, tol=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("error", RuntimeWarning)
            models[n_threads] = model.fit(X, y)
    for model in models.values():
        assert model.stop_reason_.tolist() == ["diverged"]
    assert_array_equal(models[3].coef_, models[1].coef_)


@pytest.mark.parametrize(
    "n_cpus, cap, openmp, expected",
    [
        (3, 8, None, 3),
        (3, 3, None, 3),
        (3, 2, None, 2),
        (16, 8, None, 4),  # no more threads than chunks
        (16, 4, None, 4),
        (16, 3, None, 3),
        (1, 8, None, 1),
        (3, 0, None, 1),
        (16, 8, 3, 3),
        (16, 8, 1, 1),
        (2, 8, 4, 2),
    ],
)
def test_thread_count_follows_the_cpus_and_the_caps(
    monkeypatch, n_cpus, cap, openmp, expected
):
    # The usable CPUs (the process's affinity on Linux) and the OpenMP limit
    # are faked: a sweep takes as many threads as there are CPUs, up to
    # MAX_THREADS, the OpenMP limit and the number of chunks, and at least one.
    monkeypatch.setattr(
        _loss.os, "sched_getaffinity", lambda pid: set(range(n_cpus)), raising=False
    )
    monkeypatch.setattr(_loss.os, "cpu_count", lambda: n_cpus)
    monkeypatch.setattr(_loss, "MAX_THREADS", cap)
    monkeypatch.setattr(_loss, "openmp_threads", lambda: openmp)
    assert _loss.sweep_threads() == expected


def threads_per_sweep(monkeypatch):
    """Record the number of threads each sweep is given, in a list."""
    counts = []
    original = _loss._run_chunks

    def run_chunks(function, n_chunks, n_threads):
        counts.append(n_threads)
        return original(function, n_chunks, n_threads)

    monkeypatch.setattr(_loss, "_run_chunks", run_chunks)
    return counts


@pytest.mark.parametrize("limit", [1, 3])
def test_sweeps_keep_to_the_openmp_limit_of_threadpoolctl(monkeypatch, limit):
    # threadpool_limits, the way to make a scikit-learn workload use fewer
    # threads, holds for the sweep's own threads (here on 4 usable CPUs) as
    # for scikit-learn's OpenMP code.
    from threadpoolctl import threadpool_limits

    if _loss.openmp_threads() is None:
        pytest.skip("no OpenMP runtime is loaded")
    monkeypatch.setattr(_loss, "PARALLEL_MIN_ENTRIES", 256)
    monkeypatch.setattr(
        _loss.os, "sched_getaffinity", lambda pid: set(range(4)), raising=False
    )
    monkeypatch.setattr(_loss.os, "cpu_count", lambda: 4)
    counts = threads_per_sweep(monkeypatch)
    X, y = classification(n_samples=2000)
    with threadpool_limits(limits=limit, user_api="openmp"):
        fit(X, y, C=1.0)
    assert counts and set(counts) == {limit}


def test_without_an_openmp_runtime_omp_num_threads_is_the_limit(monkeypatch):
    class NoRuntime:
        def select(self, **kwargs):
            return self

        def info(self):
            return []

    monkeypatch.setattr(_loss, "ThreadpoolController", NoRuntime)
    monkeypatch.setitem(_loss._state, "openmp", None)
    for value, expected in [("3", 3), ("4,2", 4), ("0", 1), ("many", None)]:
        monkeypatch.setenv("OMP_NUM_THREADS", value)
        assert _loss.openmp_threads() == expected
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert _loss.openmp_threads() is None


def threads_of_a_sweep_on_64_cpus():
    saved = _loss.os.sched_getaffinity, _loss.MAX_THREADS
    _loss.os.sched_getaffinity = lambda pid: set(range(64))
    _loss.MAX_THREADS = 64
    try:
        return _loss.sweep_threads()
    finally:  # the worker may serve other tests
        _loss.os.sched_getaffinity, _loss.MAX_THREADS = saved


def test_sweeps_in_joblib_workers_keep_to_their_share_of_the_cpus():
    # GridSearchCV(n_jobs=2) and the like: joblib gives each process worker
    # cpu_count // n_jobs threads; the sweeps take no more, on however many
    # CPUs (64 here, faked in the workers).
    from joblib import Parallel, cpu_count, delayed

    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("the CPUs are faked through os.sched_getaffinity")
    jobs = (delayed(threads_of_a_sweep_on_64_cpus)() for _ in range(2))
    threads = Parallel(n_jobs=2)(jobs)
    assert max(threads) <= max(1, cpu_count() // 2)


def blas_threads():
    from threadpoolctl import threadpool_info

    return {
        info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"
    }


def skip_if_blas_limits_are_per_thread():
    """An OpenBLAS built on OpenMP takes limits per thread: the sweeps' limit
    then holds in the thread that set it only (see ``single_threaded_blas``)."""
    from threadpoolctl import threadpool_info

    for info in threadpool_info():
        if info["user_api"] == "blas" and info.get("threading_layer") == "openmp":
            pytest.skip("this BLAS takes its limits per thread")


@pytest.fixture
def two_blas_threads():
    """BLAS set to 2 threads for the test, and restored after it."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        if blas_threads() != {2}:
            pytest.skip("BLAS does not run 2 threads here")
        yield


def test_overlapping_sweeps_restore_the_blas_threads(two_blas_threads):
    # Two threads' sweeps: the first to enter leaves before the second.
    first, second = _loss.single_threaded_blas(), _loss.single_threaded_blas()
    first.__enter__()
    second.__enter__()
    assert blas_threads() == {1}
    first.__exit__(None, None, None)
    assert blas_threads() == {1}  # the second sweep still runs
    second.__exit__(None, None, None)
    assert blas_threads() == {2}


def test_overlapping_sweeps_in_threads_restore_the_blas_threads(two_blas_threads):
    skip_if_blas_limits_are_per_thread()
    # threadpoolctl 3.8 lets one thread at a time set OpenBLAS's limit (the
    # fixture's, here): the sweeps' limit is set by a thread that enters
    # first and lifted by another that leaves last, and must work anyway.
    first_in, second_in, first_out = (threading.Event() for _ in range(3))
    seen = {}

    def first():
        with _loss.single_threaded_blas():
            seen["first"] = blas_threads()
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second():
        first_in.wait(10)
        with _loss.single_threaded_blas():
            second_in.set()
            first_out.wait(10)
            seen["second"] = blas_threads()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"first": {1}, "second": {1}}
    assert blas_threads() == {2}


def test_a_fit_in_another_thread_sweeps_on_one_blas_thread(two_blas_threads):
    skip_if_blas_limits_are_per_thread()
    from concurrent.futures import ThreadPoolExecutor

    X, y = make_classification(50_000, 50, random_state=0)  # a threaded sweep
    seen = []
    rows = _loss._Sweep.rows

    def spy(self, start, stop):
        seen.append(blas_threads())
        return rows(self, start, stop)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return BCELogisticRegression(max_iter=3, tol=0).fit(X, y)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_loss._Sweep, "rows", spy)
        here = fit()
        with ThreadPoolExecutor(1) as pool:
            there = pool.submit(fit).result()
    assert seen and all(threads == {1} for threads in seen)
    assert_array_equal(there.coef_, here.coef_)
    assert blas_threads() == {2}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_a_fork_during_another_threads_sweep_leaves_blas_unlimited_in_the_child(
    two_blas_threads,
):
    entered, release = threading.Event(), threading.Event()

    def sweep():
        with _loss.single_threaded_blas():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=sweep)
    thread.start()
    entered.wait(10)
    assert blas_threads() == {1}
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its BLAS threads and leave at once
        try:
            os.write(write, repr(sorted(blas_threads())).encode())
        finally:
            os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], 60)
    child = os.read(read, 100).decode() if ready else "no answer: the child hangs"
    os.close(read)
    if not ready:
        os.kill(pid, 9)
    os.waitpid(pid, 0)
    release.set()
    thread.join(10)
    assert child == "[2]"  # no sweep runs there to lift the limit
    assert blas_threads() == {2}


def test_a_fit_still_running_on_a_thread_at_exit_completes():
    # Python stops concurrent.futures' pools before it waits for the threads
    # the main thread left running: the sweeps then go on without the pool.
    script = """
import threading
from sklearn.datasets import make_classification
from sklearn_bce import BCELogisticRegression
X, y = make_classification(50_000, 50, random_state=0)
def fit():
    model = BCELogisticRegression(max_iter=50, tol=0).fit(X, y)
    print("fitted", model.n_iter_[0])
threading.Thread(target=fit).start()
"""
    source = str(Path(_loss.__file__).resolve().parents[1])  # this checkout's package
    path = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout.split() == ["fitted", "50"]


@pytest.mark.parametrize("failing", [0, 1], ids=["own part", "pool's part"])
def test_a_failing_chunk_waits_for_the_chunks_of_the_pool(failing):
    # Chunk 0 runs on the calling thread, 1 and 2 in the pool; chunk 2 runs
    # on after the failure of the other chunk.
    running, started, finished = threading.Event(), [], []

    def chunk(c):
        if c == failing:
            running.wait(10)
            raise ValueError(f"chunk {c} failed")
        if c == 2:
            started.append(c)
            running.set()
            time.sleep(0.3)
            finished.append(c)
        return c

    with pytest.raises(ValueError, match=f"chunk {failing} failed"):
        _loss._run_chunks(chunk, 3, 3)
    # None still running (with BLAS no longer limited) once the sweep failed.
    assert started == finished == [2]


def test_a_pool_that_cannot_start_a_thread_fails_the_sweep(monkeypatch):
    # Its work item is queued all the same: running it here too would run it
    # twice, the second time during some later sweep.
    class Refusing:
        def submit(self, *args):
            raise RuntimeError("can't start new thread")

    monkeypatch.setattr(_loss, "_executor", Refusing)
    ran = []
    with pytest.raises(RuntimeError, match="can't start new thread"):
        _loss._run_chunks(ran.append, 2, 2)
    assert ran == []


def test_a_sweep_leaves_no_thread_in_control_of_blas(two_blas_threads):
    # threadpoolctl 3.8 ignores the limits of every thread but the one in
    # control of OpenBLAS: after a sweep, another thread's limits must work.
    with _loss.single_threaded_blas():
        pass
    seen = {}

    def user():
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            seen["inside"] = blas_threads()

    thread = threading.Thread(target=user)
    thread.start()
    thread.join(10)
    assert seen == {"inside": {1}}
    assert blas_threads() == {2}


def test_fits_in_threads_leave_blas_as_they_found_it(two_blas_threads):
    from concurrent.futures import ThreadPoolExecutor

    X, y = make_classification(50_000, 50, random_state=0)  # a threaded sweep
    assert X.size >= _loss.PARALLEL_MIN_ENTRIES
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with ThreadPoolExecutor(4) as pool:
            models = list(
                pool.map(
                    lambda C: BCELogisticRegression(C=C, max_iter=10).fit(X, y),
                    [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0],
                )
            )
    assert len(models) == 6
    assert blas_threads() == {2}


def test_small_problems_are_swept_on_one_thread():
    X, y = classification()
    objective = BCEObjective(X, y[:, None].astype(float), np.ones(len(y)), 1.0, 0, 1)
    assert objective._chunks == [(0, len(y))]


# -- the fused sweep equals the separate computations -------------------------------
def objective_for(data, rng, K=3, weights_2d=True, sw=None):
    m = data.shape[0]
    dtype = data.dtype
    Y = (rng.random((m, K)) < 0.4).astype(dtype)
    shape = (m, K) if weights_2d else (m,)
    if sw is None:
        sw = rng.uniform(0.2, 3.0, size=shape).astype(dtype)
    return BCEObjective(data, Y, sw, np.array([0.5, 2.0, np.inf][:K]), 0.0, True)


@pytest.mark.parametrize("layout", ["C", "F", "float32", "csr", "csc", "memmap"])
@pytest.mark.parametrize("weights_2d", [True, False])
@pytest.mark.parametrize("recompute", [False, True])
def test_sweep_equals_the_unfused_computation(
    layout, weights_2d, recompute, small_blocks, rng, tmp_path
):
    X = sparsify(rng.normal(size=(90, 7)))
    data = layouts(X, tmp_path)[layout]
    objective = objective_for(data, rng, weights_2d=weights_2d)
    dtype = data.dtype
    coef = rng.normal(scale=0.5, size=(8, 3)).astype(dtype)
    previous = rng.normal(scale=0.5, size=(8, 3)).astype(dtype)
    beta = np.array([0.0, 0.3, 0.9])
    logits = np.full((90, 3), np.nan, dtype=dtype)
    if not recompute:
        logits[:] = objective.raw_prediction(previous)
    result = objective.sweep(
        coef,
        logits=logits,
        beta=beta,
        previous=previous,
        recompute_previous=recompute,
        point_objective=True,
    )
    point = coef + beta.astype(dtype) * (coef - previous)
    rtol = 1e-5 if dtype == np.float32 else 1e-11
    raw = objective.raw_prediction(coef)
    raw_point = objective.raw_prediction(point)
    assert_allclose(logits, raw, rtol=rtol, atol=rtol)
    assert_allclose(result.point, point)
    assert_allclose(result.objective, objective.objective(raw, coef), rtol=rtol)
    assert_allclose(
        result.point_objective, objective.objective(raw_point, point), rtol=rtol
    )
    assert_allclose(
        result.gradient, objective.gradient(raw_point, point), rtol=rtol, atol=rtol
    )
    assert result.gradient.dtype == dtype


def test_sweep_of_some_columns(small_blocks, rng):
    X = rng.normal(size=(70, 5))
    objective = objective_for(X, rng)
    coef = rng.normal(size=(6, 3))
    logits = objective.raw_prediction(np.zeros((6, 3)))
    cols = np.array([2, 0])
    result = objective.sweep(coef[:, cols], cols, logits=logits)
    full = objective.sweep(coef)
    assert_allclose(result.objective, full.objective[cols], rtol=1e-12)
    assert_allclose(result.gradient, full.gradient[:, cols], rtol=1e-12)
    assert_allclose(logits[:, cols], objective.raw_prediction(coef)[:, cols])
    assert not logits[:, 1].any()  # the other columns are left alone


def test_sweep_without_momentum_is_objective_and_gradient(rng):
    X = rng.normal(size=(50, 4))
    objective = objective_for(X, rng)
    coef = rng.normal(size=(5, 3))
    result = objective.sweep(coef, point_objective=True)
    value, grad, _ = objective.loss_gradient(coef)
    assert_allclose(result.objective, value, rtol=1e-12)
    assert_allclose(result.point_objective, value, rtol=1e-12)
    assert_allclose(result.gradient, grad, rtol=1e-12, atol=1e-15)
    assert result.point is coef


@pytest.mark.parametrize("layout", ["C", "csr", "csc"])
def test_rejected_steps_are_swept_again(layout, small_blocks, rng, tmp_path):
    # A metric 100 times too small: the first steps fail sufficient decrease,
    # and the gradient each failed sweep computed must be replaced.
    X, y = classification(n_samples=120, n_features=5)
    data = layouts(X, tmp_path)[layout]
    Y = np.column_stack([y, 1 - y]).astype(float)
    objective = BCEObjective(data, Y, np.ones(120), np.array([1.0, 0.3]), 0.0, True)
    diagonal = objective.hessian_bound_diagonal()
    diagonal[:, 1] /= 100.0  # only the second column backtracks
    descent = _Descent(
        objective, np.zeros((6, 2)), DiagonalMetric(diagonal), True, True
    )
    for _ in range(4):
        A = np.arange(2)
        step = descent.step(A)
        raw_x = objective.raw_prediction(step.x_new)
        assert_allclose(step.f_new, objective.objective(raw_x, step.x_new), rtol=1e-12)
        raw_y = objective.raw_prediction(step.point)
        assert_allclose(
            step.gradient, objective.gradient(raw_y, step.point), rtol=1e-10, atol=1e-14
        )
        assert_allclose(
            step.point_objective, objective.objective(raw_y, step.point), rtol=1e-12
        )
        descent.accept(step, np.ones(2, dtype=bool))
        assert_allclose(descent.logits, raw_x, rtol=1e-12, atol=1e-14)
        descent.move_to_next_point(step, np.ones(2, dtype=bool))
    assert descent.alpha[1] > 10 * descent.alpha[0]


def test_momentum_restarts_when_the_step_opposes_the_gradient(rng):
    X = rng.normal(size=(40, 3))
    objective = objective_for(X, rng, K=2)
    descent = _Descent(
        objective,
        np.zeros((4, 2)),
        DiagonalMetric(objective.hessian_bound_diagonal()),
        True,
        False,
    )
    descent.momentum[:] = 5.0
    direction = np.ones((4, 2))
    x_new = np.zeros((4, 2))
    x = np.zeros((4, 2))
    x_new[:, 0] = 1.0  # <G, x_new - x> > 0: restart
    x_new[:, 1] = -1.0  # keeps its momentum
    beta, t_next = descent.extrapolation(x_new, x, direction, np.arange(2))
    assert beta[0] == 0.0
    assert beta[1] == pytest.approx(4.0 / t_next[1])


# -- no copy of X ------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["C", "F", "read-only", "memmap", "csr"])
def test_row_blocks_are_views_of_x(layout, small_blocks, rng, tmp_path):
    X = sparsify(rng.normal(size=(60, 5)))
    data = layouts(X, tmp_path)[layout]
    objective = objective_for(data, rng)
    blocks = list(objective._row_blocks(0, 60))
    assert len(blocks) > 1
    for _, _, block in blocks:
        if sp.issparse(data):
            assert np.shares_memory(block.data, data.data)
            assert np.shares_memory(block.indices, data.indices)
        else:
            assert np.shares_memory(block, data)


def test_hessian_bounds_of_sparse_x_match_dense(rng):
    X = sparsify(rng.normal(size=(80, 6)))
    sw = rng.uniform(0.2, 3.0, size=(80, 3))
    dense = objective_for(X, rng, sw=sw)
    for matrix in [sp.csr_matrix(X), sp.csc_matrix(X)]:
        other = BCEObjective(matrix, dense.Y, sw, [0.5, 2.0, np.inf], 0.0, True)
        assert_allclose(other.hessian_bound()[0], dense.hessian_bound()[0], rtol=1e-12)
        assert_allclose(
            other.hessian_bound_diagonal(), dense.hessian_bound_diagonal(), rtol=1e-12
        )


@pytest.mark.parametrize("kind", ["csr", "csc"])
def test_duplicate_sparse_entries_count_as_their_sum(kind, rng):
    # A matrix not in canonical format: every entry stored as two halves.
    X = rng.normal(size=(200, 5))
    y = (X @ [1.0, -1.0, 0.5, 0.0, 0.0] + rng.normal(size=200) > 0).astype(int)
    halves = np.hstack([X / 2, X / 2]).ravel()
    columns = np.tile(np.r_[np.arange(5), np.arange(5)], 200)
    duplicated = sp.csr_matrix((halves, columns, np.arange(0, 2001, 10)), X.shape)
    duplicated = duplicated if kind == "csr" else duplicated.T.tocsr().T
    assert not duplicated.has_canonical_format
    assert abs(duplicated - sp.csr_matrix(X)).max() == 0
    # The L1 (diagonal) metric and the mini-batch step read the squared
    # entries: squaring the halves made both smaller than X's.
    for params in [{"l1_ratio": 0.5}, {"batch_size": 20, "max_iter": 5, "tol": 0}]:
        expected = BCELogisticRegression(random_state=0, **params).fit(X, y)
        model = BCELogisticRegression(random_state=0, **params).fit(duplicated, y)
        assert_array_equal(model.n_iter_, expected.n_iter_)
        assert_allclose(model.coef_, expected.coef_, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("layout", ["dense", "csr", "csc"])
def test_peak_memory_of_a_fit_is_far_below_the_size_of_x(layout):
    rng = np.random.default_rng(0)
    if layout == "dense":
        X = rng.normal(size=(40_000, 100))
    else:
        X = sp.random(40_000, 1_000, density=0.05, format=layout, random_state=0)
        X.data = rng.normal(size=X.nnz)
    w = rng.normal(size=X.shape[1]) / np.sqrt(X.shape[1] * 0.05)
    y = (np.asarray(X @ w) + rng.logistic(size=X.shape[0]) > 0).astype(int)
    size = X.nbytes if layout == "dense" else X.data.nbytes + X.indices.nbytes
    model = BCELogisticRegression(max_iter=30, tol=1e-4)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.25 * size


@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_sweep_of_many_columns_works_in_small_row_blocks(layout, rng):
    # A search sweeps thousands of columns: its work arrays (logits, losses,
    # residuals) must be those of a few rows, not (n_samples, K) each.
    m, k = 4_000, 1_000
    X = rng.normal(size=(m, 5))
    X = X if layout == "dense" else sp.csr_matrix(X)
    Y = (rng.random((m, k)) < 0.5).astype(float)
    objective = BCEObjective(X, Y, np.ones(m), np.ones(k), 0.0, True)
    coef = 0.1 * rng.normal(size=(6, k))
    previous = 0.5 * coef
    logits = objective.raw_prediction(previous)
    tracemalloc.start()
    try:
        result = objective.sweep(
            coef, logits=logits, beta=np.full(k, 0.5), previous=previous
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * m * k * 8
    # The sums over the blocks are those over all rows at once.
    point = coef + 0.5 * (coef - previous)
    loss = objective.loss_gradient(coef)[0]
    assert_allclose(result.objective, loss, rtol=1e-12)
    assert_allclose(
        result.gradient, objective.loss_gradient(point)[1], rtol=1e-10, atol=1e-14
    )


def test_engine_peak_memory_is_order_samples_plus_features(rng):
    X = rng.normal(size=(50_000, 80))
    y = (X[:, 0] + rng.logistic(size=50_000) > 0).astype(float)[:, None]
    objective = BCEObjective(X, y, np.ones(50_000), 1.0, 0.0, True)
    from sklearn_bce._solver import auto_metric

    tracemalloc.start()
    try:
        accelerated_gradient_descent(
            objective,
            np.zeros((81, 1)),
            metric=auto_metric(objective),
            line_search=True,
            max_iter=20,
            tol=0,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Logits, row blocks and their temporaries: a few dozen vectors of length m.
    assert peak < 0.1 * X.nbytes
