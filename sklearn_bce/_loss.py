r"""The binary cross-entropy objective of K problems that share one design matrix.

This module is pure numpy/scipy (plus threadpoolctl to keep BLAS single-threaded
inside its own threads): it knows nothing about scikit-learn.

The objective
-------------
For one target column ``y`` in {0, 1}^m with sample weights ``s >= 0``,
``S = sum_i s_i``, penalty strength ``C`` in (0, inf] and mixing
``rho = l1_ratio`` in [0, 1], the objective minimised by every solver is::

    J(w, b) = (1/S) sum_i s_i [log(1 + exp(z_i)) - y_i z_i]
              + 1/(C S) [(1 - rho)/2 ||w||_2^2 + rho ||w||_1],   z = X w + b

- ``log(1 + exp(z)) - y z`` is the binary cross-entropy of the probability
  ``sigmoid(z)``; it is evaluated as ``log1p(exp(-|z|)) + (max(z, 0) - y z)``
  (the value of ``np.logaddexp(0, z) - y z``, several times faster; the
  bracket first, so a large margin keeps its small loss, see :func:`bce`)
  and the sigmoid as ``scipy.special.expit`` or ``1 / (1 + exp(-z))``, whose
  ``exp`` may overflow to ``inf`` for its exact limit 0.  Neither loses
  accuracy for large ``|z|``.
- The intercept ``b`` is never penalised and ``C = inf`` means no penalty.
- Multiplying ``J`` by ``C S`` gives ``C sum_i s_i loss_i + penalty``, the
  objective of ``sklearn.linear_model.LogisticRegression(C=C, l1_ratio=rho)``:
  both have the same minimiser, so coefficients are directly comparable.
  Class weights multiply ``s`` (and so ``S``) as in scikit-learn.

Its gradient follows from the chain rule, ``d/dz [log(1 + e^z) - y z] =
sigmoid(z) - y``::

    grad_w J = (1/S) X^T (s * (sigmoid(z) - y)) + (1 - rho)/(C S) w
    grad_b J = (1/S) sum_i s_i (sigmoid(z_i) - y_i)

(the ``||w||_1`` part is not differentiable; solvers handle it with its
proximal operator, :func:`soft_threshold`).

Because ``sigmoid'(z) <= 1/4``, the Hessian of ``J`` is bounded above, for every
``(w, b)``, by the fixed matrix::

    B = X1^T diag(s) X1 / (4 S) + (1 - rho)/(C S) I'

where ``X1`` is ``X`` with a column of ones appended when an intercept is
fitted and ``I'`` is the identity without the intercept's entry.  Its largest
eigenvalue ``L`` is the smoothness (Lipschitz) constant of the gradient, so a
fixed step ``1/L`` never increases ``J``; :meth:`BCEObjective.hessian_bound`
returns ``B`` itself, which preconditioned solvers use as a metric.

K problems at once
------------------
:class:`BCEObjective` holds ``K`` such problems that share ``X``: targets
``Y`` of shape ``(m, K)``, sample weights of shape ``(m,)`` or ``(m, K)`` and a
``C`` and ``l1_ratio`` per column.  Coefficients are stacked in an array of
shape ``(n_coef, K)``: the ``n_features`` weights, then the intercept as the last
row when it is fitted.

One pass over X per iteration
-----------------------------
The plain methods (:meth:`~BCEObjective.raw_prediction`,
:meth:`~BCEObjective.objective`, :meth:`~BCEObjective.gradient`) read ``X``
once for ``X @ W`` and once more for ``X.T @ R``.  The engines use
:meth:`BCEObjective.sweep` instead, which reads ``X`` once: it walks over
blocks of rows small enough to stay in cache and, for each block, computes the
logits at a new point, the objective there, the logits at an extrapolated
point ``y`` (a per-row combination of stored logits) and ``X_block.T @ R`` at
``y`` while the block is still in cache.  A large ``X`` is cut into a fixed
number of row chunks with one accumulator each, swept by up to
:data:`MAX_THREADS` Python threads (numpy's ufuncs and ``np.dot`` release the
GIL; BLAS is limited to one thread meanwhile) and summed in chunk order, so the
result does not depend on the number of threads.  ``X`` is used in place: C- or
F-ordered, read-only or memory-mapped arrays and CSR matrices are cut into row
blocks that are views; a CSC matrix, whose row blocks are not views, is read
whole (``X @ W`` then ``X.T @ R``: two reads).
"""

import contextlib
import copy
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import threadpoolctl
from scipy.linalg import LinAlgError, eigh
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh
from scipy.special import expit
from threadpoolctl import ThreadpoolController

#: Entries of ``X`` (non-zeros when sparse) per row block of a sweep: about
#: 4 MB of float64, which stays in a core's share of the cache between
#: ``X_block @ W`` and ``X_block.T @ R``.
BLOCK_ENTRIES = 1 << 19

#: Bytes of each ``(rows, k)`` work array (logits, losses, residuals) of a
#: row block of a sweep with two or more columns, within the rows of
#: :data:`BLOCK_ENTRIES` and down to :data:`MIN_WIDE_ROWS` rows.  The
#: pointwise work makes about twenty passes over these arrays, which stay in
#: cache between them: with hundreds of columns, blocks sized by ``X`` made
#: arrays of megabytes, read from memory at every pass (a search of 1250
#: columns took 1.9x as long, ``benchmarks/bench_search_wide.py``).  With a
#: few columns, the larger blocks need fewer numpy calls per row, each of
#: which costs a few microseconds whatever its size.  One column keeps the
#: blocks of :data:`BLOCK_ENTRIES`.
WIDE_BLOCK_BYTES = 1 << 19

#: Fewest rows of a row block of a sweep with many columns (see
#: :data:`WIDE_BLOCK_BYTES`): below it, numpy's cost per call outweighs the
#: cache it saves.
MIN_WIDE_ROWS = 32

#: Multiply-adds of the largest product OpenBLAS computes with its
#: small-matrix kernels (``M N K <= 100^3`` with its AVX-512 kernels), which
#: do not pack ``X_block`` and ran 1.5-2x faster than the packed path on the
#: products of a sweep.  A block's products ``X_block @ W`` and
#: ``X_block.T @ R`` are computed in row parts of at most this size, of at
#: least :data:`MIN_PART_ROWS` rows.
SMALL_PRODUCT_ENTRIES = 100**3

#: Fewest rows of a row part of a block's products (see
#: :data:`SMALL_PRODUCT_ENTRIES`): below it, the calls cost more than the
#: small-matrix kernels save.
MIN_PART_ROWS = 128

#: Entries per block when rows of ``X`` are converted to dense float64 (for
#: the Hessian bound): a small block keeps the conversion's memory small.
DENSE_BLOCK_ENTRIES = 1 << 17

#: Number of row chunks of a large ``X``.  Each chunk has its own partial sums,
#: added in chunk order, so a sweep gives the same result on any number of
#: threads; it also bounds the number of threads that can share a sweep.
SWEEP_CHUNKS = 4

#: Fewest entries of ``X`` (non-zeros when sparse) for a sweep in
#: :data:`SWEEP_CHUNKS` chunks; a smaller ``X`` is one chunk, swept on the
#: calling thread, where threads cost more than they save.
PARALLEL_MIN_ENTRIES = 1 << 21

#: Most threads a sweep uses.  The default number is the number of CPUs this
#: process may run on, capped by the OpenMP thread limit, which scikit-learn's
#: own parallel code keeps to (``OMP_NUM_THREADS``, a limit of
#: ``threadpoolctl.threadpool_limits``, joblib's in its process workers of
#: ``n_jobs``), by this setting (set it to 1 to sweep on the calling thread
#: only) and by the number of chunks, :data:`SWEEP_CHUNKS`.
MAX_THREADS = 4


def bce(raw_prediction, y):
    """Pointwise binary cross-entropy ``log(1 + exp(z)) - y z`` of logits ``z``.

    Equal to ``-y log(p) - (1 - y) log(1 - p)`` with ``p = sigmoid(z)``, but
    computed without forming ``p``, so it is finite for every finite ``z``,
    and as ``log1p(exp(-|z|)) + (max(z, 0) - y z)``: for ``y`` in {0, 1} the
    bracket is exact (``max(-z, 0)`` or ``max(z, 0)``), so a sample fitted
    with a large margin keeps its small loss (``max(z, 0) + log1p(...)``
    first would cancel to 0 from ``z`` of about 37 for ``y = 1``).
    """
    z = raw_prediction
    return np.log1p(_exp_neg_abs(z)) + (np.maximum(z, 0) - y * z)


def _exp_neg_abs(z):
    """``exp(-|z|)``, in ``(0, 1]``: never overflows."""
    out = np.abs(z)
    np.negative(out, out=out)
    return np.exp(out, out=out)


def class_log_probabilities(scores):
    """Log-probabilities of the classes from logits, without underflow.

    ``scores`` of shape ``(n,)`` (two classes: ``log(1 - sigmoid(z))`` and
    ``log sigmoid(z)``) or ``(n, n_classes)`` (one-vs-rest: ``log sigmoid(z_k)``
    normalised over the classes).
    """
    if scores.ndim == 1:
        # log sigmoid(z) = -log(1 + exp(-z)), log(1 - sigmoid(z)) = -log(1 + exp(z))
        return -np.column_stack([np.logaddexp(0, scores), np.logaddexp(0, -scores)])
    shifted = _shifted_log_sigmoid(scores)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def lower_untrained(scores, untrained):
    """Lower the logits of ``untrained`` classes below every trained one, in place.

    A model of a search's fold (or its mean, ``refit=False``) may lack a class
    its training part did not hold: its logit is a constant of probability 0
    to rounding (``log(tiny)``).  Where every trained class's logit is lower
    still, that constant would win ``predict`` and take the probability;
    each row's untrained logits are kept below its smallest trained one by
    ``log(eps)`` (their sigmoids below its by a factor ``eps``).
    """
    trained = scores[:, ~untrained]
    low = trained.min(axis=1) + np.log(np.finfo(scores.dtype).eps)
    low = np.nextafter(low, -np.inf, dtype=scores.dtype)
    scores[:, untrained] = np.minimum(scores[:, untrained], low[:, None])


def class_probabilities(scores):
    """Probabilities of the classes from logits (see :func:`class_log_probabilities`).

    One-vs-rest probabilities are normalised in the log domain: ``sigmoid(z_k)``
    of every class can underflow to 0 (logits below -745, -104 in float32),
    their ratios cannot.
    """
    if scores.ndim == 1:
        return np.column_stack([expit(-scores), expit(scores)])
    proba = np.exp(_shifted_log_sigmoid(scores))
    proba /= proba.sum(axis=1, keepdims=True)
    return proba


def _shifted_log_sigmoid(scores):
    """``log sigmoid(scores)`` less its row maximum: each row's largest is 0.

    Subtracting the maximum before the sum, not after, keeps the
    log-probabilities accurate where the logits are large (in float32 the
    spacing of numbers near 1000 is 6e-5).
    """
    log_sigmoid = -np.logaddexp(0, -scores)
    return log_sigmoid - log_sigmoid.max(axis=1, keepdims=True)


def soft_threshold(x, threshold):
    """Proximal operator of ``threshold * ||x||_1``: ``sign(x) max(|x| - t, 0)``."""
    return np.sign(x) * np.maximum(np.abs(x) - threshold, 0)


def l1_subgradient_residual(coef, grad, l1):
    """Smallest-norm element of ``grad + l1 * d||coef||_1``, entrywise.

    Zero exactly at the optimum of an L1-penalised smooth objective; equals
    ``grad`` where ``l1 == 0``.  ``coef`` and ``grad`` are ``(n, K)``, ``l1``
    is ``(K,)``.
    """
    nonzero = coef != 0
    shrunk = np.sign(grad) * np.maximum(np.abs(grad) - l1, 0)
    return np.where(nonzero, grad + l1 * np.sign(coef), shrunk)


# -- threads ------------------------------------------------------------------------
_lock = threading.Lock()
_state = {"executor": None, "openmp": None}
_blas_lock = threading.Lock()
_blas = {"controller": None, "depth": 0}


#: threadpoolctl's OpenBLAS controller class (None if it has none).
_OPENBLAS = getattr(threadpoolctl, "OpenBLASController", None)


def _release_blas_control():
    """Leave no thread in control of OpenBLAS's process-wide limit.

    threadpoolctl 3.8 lets one thread at a time set the limit of an OpenBLAS
    built on its own threads (the first to set one, until its ``with
    threadpool_limits`` blocks end) and silently ignores the others.  The
    sweeps' limit is shared by every thread that sweeps, set by whichever
    enters first and lifted by whichever leaves last: each takes control for
    its call alone.  Earlier threadpoolctl versions have no such control.
    """
    clear = getattr(_OPENBLAS, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)


def _set_blas_limit():
    _release_blas_control()
    try:
        if _blas["controller"] is None:
            _blas["controller"] = ThreadpoolController()
        limiter = _blas["controller"].limit(limits=1, user_api="blas")
        # A lift that an exception interrupted leaves its limiter: it, not
        # the limit it left in force, holds the setting to come back to.
        _blas.setdefault("limiter", limiter)
    finally:
        _release_blas_control()


def _lift_blas_limit():
    limiter = _blas.get("limiter")
    if limiter is None:
        return
    _release_blas_control()
    try:
        limiter.restore_original_limits()
        del _blas["limiter"]  # only once restored
    finally:
        _release_blas_control()


def _reset_threadpoolctl_after_fork():
    """threadpoolctl's OpenBLAS lock and controlling thread, made anew.

    The child of a fork runs one thread: a lock that another thread of the
    parent held at the fork (a ``threadpool_limits`` of its own) would stay
    held for ever, and the controlling thread does not exist here.
    """
    state = getattr(_OPENBLAS, "_SHARED_STATE", None)
    if state is not None and hasattr(state, "lock"):
        state.lock = threading.Lock()
        state.controlling_thread = None


def _lock_before_fork():
    # No thread of this module is then setting or lifting the limit at the
    # fork (threadpoolctl's own lock could stay held in the child).
    _blas_lock.acquire()


def _unlock_after_fork():
    _blas_lock.release()


def _forget_threads():
    """After a fork, the parent's pool threads do not exist in the child.

    Nor do the parent's sweeps: a limit that another thread's sweep held at
    the fork is lifted (the child would keep BLAS at one thread, with no
    sweep to lift it), and the locks are fresh.
    """
    global _lock, _blas_lock
    _lock, _blas_lock = threading.Lock(), threading.Lock()
    _state["executor"] = _state["openmp"] = None
    _blas.update(controller=None, depth=0)
    if "limiter" in _blas:
        _reset_threadpoolctl_after_fork()
        _lift_blas_limit()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_lock_before_fork,
        after_in_parent=_unlock_after_fork,
        after_in_child=_forget_threads,
    )


def sweep_threads():
    """Threads a large sweep uses: the usable CPUs, at most :data:`MAX_THREADS`.

    And at most the OpenMP limit in force (see :data:`MAX_THREADS`) and the
    number of chunks a sweep has, :data:`SWEEP_CHUNKS`.
    """
    try:
        n_cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n_cpus = os.cpu_count() or 1
    n_threads = min(n_cpus, int(MAX_THREADS), SWEEP_CHUNKS)
    limit = openmp_threads()
    if limit is not None:
        n_threads = min(n_threads, limit)
    return max(1, n_threads)


def openmp_threads():
    """The fewest threads the loaded OpenMP runtimes allow the calling thread.

    scikit-learn's compiled modules load one; joblib limits it in its process
    workers (``n_jobs`` with the default loky backend), as
    ``threadpool_limits`` does in a ``with`` block (for the thread that
    entered it: OpenMP's limit is per thread).  The runtimes are those
    loaded at the first call (a scan of the process's libraries); without
    one, ``OMP_NUM_THREADS`` if set, else None.
    """
    with _lock:
        if _state["openmp"] is None:
            _state["openmp"] = ThreadpoolController().select(user_api="openmp")
        openmp = _state["openmp"]
    runtimes = openmp.info()
    if runtimes:
        return min(runtime["num_threads"] for runtime in runtimes)
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"].split(",")[0]))
    except (KeyError, ValueError):
        return None


def _executor():
    """The shared pool of worker threads (created on first use)."""
    with _lock:
        if _state["executor"] is None:
            _state["executor"] = ThreadPoolExecutor(
                max_workers=SWEEP_CHUNKS, thread_name_prefix="sklearn_bce"
            )
        return _state["executor"]


class single_threaded_blas(contextlib.ContextDecorator):
    """Limit BLAS to one thread while the sweep's threads share ``X``.

    The limit is a setting of the whole process: sweeps running at once in
    several threads (fits under joblib's threading backend, say) share one
    limit, set by the first to enter and lifted by the last to leave, so the
    original setting comes back however their windows overlap (each taking
    threadpoolctl's control of OpenBLAS for that moment:
    :func:`_release_blas_control`).  That covers this package's sweeps: a
    limit that another thread sets and lifts across a sweep's window, not
    within it, lifts the sweep's (or restores it after the sweep).  For a
    BLAS that takes its limits per thread (an OpenBLAS built on OpenMP)
    the limit holds in the thread that set it only.  A class, not
    a generator: it is entered once per sweep, and on small data the
    generator's machinery cost more than the rest of the bookkeeping.
    """

    def __enter__(self):
        with _blas_lock:
            if _blas["depth"] == 0:
                _set_blas_limit()
            _blas["depth"] += 1
        return self

    def __exit__(self, *exc_info):
        with _blas_lock:
            # (Below 0 only in a child forked mid-sweep, which lifted it.)
            _blas["depth"] = max(_blas["depth"] - 1, 0)
            if _blas["depth"] == 0:
                _lift_blas_limit()
        return False


def _run_chunks(function, n_chunks, n_threads):
    """``[function(c) for c in range(n_chunks)]`` on ``n_threads`` threads.

    Thread ``t`` runs a contiguous range of chunks; the calling thread runs the
    first one.  The others run under the calling thread's floating-point
    error handling (``np.errstate`` holds in the thread that set it only).
    """
    if n_threads <= 1 or n_chunks <= 1:
        return [function(c) for c in range(n_chunks)]
    bounds = np.linspace(0, n_chunks, n_threads + 1).round().astype(int)
    caller_errors = np.geterr()

    def run_range(t):
        with np.errstate(**caller_errors):
            return [function(c) for c in range(bounds[t], bounds[t + 1])]

    futures = []
    try:
        for t in range(1, n_threads):
            try:
                futures.append(_executor().submit(run_range, t))
            except RuntimeError as exc:
                # The interpreter is shutting down (its pools take no more
                # work) while a thread it waits for still fits: this thread
                # goes on alone.  Any other failure (a thread that cannot
                # start, whose range is queued all the same) is raised.
                if "shutdown" not in str(exc):
                    raise
                futures.append(None)
        results = run_range(0)
        for t, future in enumerate(futures, start=1):
            results.extend(run_range(t) if future is None else future.result())
    except BaseException:
        # No range of the pool may run on once the sweep has failed (with
        # BLAS no longer limited, into a descent that has stopped).
        submitted = [future for future in futures if future is not None]
        for future in submitted:
            future.cancel()
        wait(submitted)
        raise
    return results


# -- blocks of X --------------------------------------------------------------------
def _sparse(cls, data, indices, indptr, shape):
    """A CSR or CSC matrix holding exactly the given arrays.

    The constructor would copy arrays that are views of larger ones; setting
    the attributes of an empty matrix keeps them as they are.
    """
    out = cls(shape, dtype=data.dtype)
    out.data, out.indices, out.indptr = data, indices, indptr
    return out


def _compressed_view(X, start, stop):
    """Rows (CSR) or columns (CSC) ``start:stop`` of ``X`` sharing its arrays."""
    begin, end = X.indptr[start], X.indptr[stop]
    indptr = X.indptr[start : stop + 1] - begin
    data, indices = X.data[begin:end], X.indices[begin:end]
    if X.format == "csr":
        shape = (stop - start, X.shape[1])
        return _sparse(sp.csr_matrix, data, indices, indptr, shape)
    shape = (X.shape[0], stop - start)
    return _sparse(sp.csc_matrix, data, indices, indptr, shape)


def _transpose(X):
    """``X.T`` as a view (scipy's ``.T`` may copy the arrays of a view)."""
    if not sp.issparse(X):
        return X.T
    cls = sp.csc_matrix if X.format == "csr" else sp.csr_matrix
    return _sparse(cls, X.data, X.indices, X.indptr, X.shape[::-1])


def _contiguous(array):
    return array.flags.c_contiguous or array.flags.f_contiguous


def _dot(A, B, out=None):
    """``A @ B``, through ``np.dot`` when both operands are contiguous.

    ``np.dot`` releases the GIL for its BLAS call; numpy's ``matmul`` (the
    ``@`` operator) holds it when an operand is transposed or a vector, which
    would make the sweep's threads take turns instead of running together.
    But ``np.dot`` copies an operand that is not contiguous (a block of rows
    of an F-ordered ``X``), which ``matmul`` reads in place.
    """
    if not (isinstance(A, np.ndarray) and isinstance(B, np.ndarray)):
        return A @ B  # a sparse operand
    if _contiguous(A) and _contiguous(B):
        return np.dot(A, B, out=out)
    return np.matmul(A, B, out=out)


def largest_eigenvalue(matrix):
    """The largest eigenvalue of a symmetric matrix.

    LAPACK's subset solver (MRRR) fails ("Internal Error") on some matrices
    whose eigenvalues span a huge range, such as a Hessian bound beside a
    penalty of ``C=1e-100``; the full solver then gives it.
    """
    try:
        return eigh(matrix, eigvals_only=True, subset_by_index=[len(matrix) - 1] * 2)[0]
    except LinAlgError:
        return np.linalg.eigvalsh(matrix)[-1]


def lanczos_largest_eigenvalue(operator):
    """An upper bound on the largest eigenvalue of a symmetric ``operator``.

    Lanczos iterations (ARPACK) to a relative ``1e-4``, enlarged by 1%.  They
    start from a fixed vector: ARPACK's own start is random, which would make
    the bound, and so every fit's steps, change from one fit to the next.
    Raises ``ArpackNoConvergence`` when the iterations do not converge.
    """
    start = np.random.default_rng(0).standard_normal(operator.shape[0])
    value = eigsh(
        operator, k=1, which="LA", tol=1e-4, v0=start, return_eigenvectors=False
    )
    return 1.01 * float(value[0])


def _squared_entries(X):
    """A sparse matrix of ``X``'s structure holding its squared entries.

    Duplicate entries (a matrix not in canonical format) are summed first:
    the square of an entry is that of their sum.
    """
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return _sparse(X.__class__, X.data**2, X.indices, X.indptr, X.shape)


def _column_chunks(n_columns, n_chunks):
    """About ``n_chunks`` contiguous ``(start, stop)`` ranges of columns."""
    edges = np.linspace(0, n_columns, min(n_chunks, n_columns) + 1).astype(int)
    return list(itertools.pairwise(edges.tolist()))


# -- one pass over X ----------------------------------------------------------------
@dataclass(frozen=True)
class SweepResult:
    """What :meth:`BCEObjective.sweep` returns, one column per swept problem.

    Attributes
    ----------
    objective : ndarray of shape (k,)
        ``J`` at the swept coefficients, in float64.
    point : ndarray of shape (n_coef, k)
        The extrapolated point ``y`` (the coefficients themselves without
        momentum).
    gradient : ndarray of shape (n_coef, k)
        Gradient of the smooth part of ``J`` (data + L2) at ``point``.
    point_objective : ndarray of shape (k,) or None
        ``J`` at ``point`` in float64, when asked for.
    """

    objective: np.ndarray
    point: np.ndarray
    gradient: np.ndarray
    point_objective: np.ndarray | None


class _Partial:
    """Sums over some rows: data losses at the two points and ``X1^T R``."""

    def __init__(self, n_coef, k):
        self.loss = np.zeros(k)
        self.point_loss = np.zeros(k)
        self.grad = np.zeros((n_coef, k))

    def add(self, other):
        self.loss += other.loss
        self.point_loss += other.point_loss
        self.grad += other.grad
        return self


class _Sweep:
    """The inputs of one sweep and the work on one range of rows.

    ``points`` holds the weights and intercepts of the new point, and of the
    previous point when its logits are recomputed from ``X`` rather than read
    from the stored ``logits`` (two products with a block in cache are
    cheaper than one with twice the columns, which BLAS handles poorly).
    """

    def __init__(self, objective, coef, cols, beta, previous, logits, recompute):
        self.objective = objective
        self.k = coef.shape[1]
        self.cols = cols
        self.logits = logits
        self.beta = None if beta is None else np.asarray(beta, dtype=coef.dtype)
        self.recompute = self.beta is not None and (recompute or logits is None)
        self.points = [self._weights(coef)]
        if self.recompute:
            self.points.append(self._weights(previous))
        self.point_loss = False

    def _weights(self, coef):
        n = self.objective.n_features
        intercept = coef[n] if self.objective.fit_intercept else None
        return np.ascontiguousarray(coef[:n]), intercept

    def rows(self, start, stop):
        """Partial sums over rows ``start:stop``, block by block."""
        obj = self.objective
        partial = _Partial(obj.n_coef, self.k)
        dtype = np.result_type(obj.dtype, self.points[0][0].dtype)
        block_rows = obj._sweep_block_rows(self.k)
        work = _Workspace(min(block_rows, stop - start), self.k, dtype)
        # exp(-z) overflows to inf for z < -709 (-88 in float32): sigmoid 0.
        with np.errstate(over="ignore"):
            if obj._whole:
                # One product with all of X, the pointwise work in row blocks.
                Z = self._logits(obj.X)
                residual = np.empty((obj.n_samples, self.k), dtype=Z[0].dtype)
                for begin in range(start, stop, block_rows):
                    end = min(begin + block_rows, stop)
                    rows = [z[begin:end] for z in Z]
                    residual[begin:end] = self._residual(
                        begin, end, rows, partial, work
                    )
                self._add_gradient(obj.X, residual, partial)
                return partial
            for begin, end, block in obj._row_blocks(start, stop, block_rows):
                parts = self._parts(block)
                Z = self._logits(block, work, parts)
                residual = self._residual(begin, end, Z, partial, work)
                self._add_gradient(block, residual, partial, parts, work)
        return partial

    def _parts(self, block):
        """Row ranges of ``block`` for its products (see SMALL_PRODUCT_ENTRIES)."""
        n_rows = block.shape[0]
        if not isinstance(block, np.ndarray):
            return [(0, n_rows)]
        size = n_rows * self.objective.n_features * self.k
        n_parts = min(-(-size // SMALL_PRODUCT_ENTRIES), n_rows // MIN_PART_ROWS)
        if n_parts <= 1:
            return [(0, n_rows)]
        edges = np.linspace(0, n_rows, n_parts + 1).astype(int).tolist()
        return list(itertools.pairwise(edges))

    def _logits(self, block, work=None, parts=None):
        """``[block @ W + b]`` of the new (and previous) point."""
        out = []
        for i, (W, intercept) in enumerate(self.points):
            if work is not None and isinstance(block, np.ndarray):
                Z = work.get(f"z{i}", len(block))
                for begin, end in parts or [(0, len(block))]:
                    _dot(block[begin:end], W, out=Z[begin:end])
            else:
                Z = np.asarray(block @ W)
            if intercept is not None:
                _rowwise(np.add, Z, intercept, work, f"b{i}")
            out.append(Z)
        return out

    def _add_gradient(self, block, residual, partial, parts=None, work=None):
        n = self.objective.n_features
        if parts is None or len(parts) == 1:
            partial.grad[:n] += _dot(_transpose(block), residual)
        else:
            for begin, end in parts:
                partial.grad[:n] += _dot(block[begin:end].T, residual[begin:end])
        if self.objective.fit_intercept:
            # A float64 matrix-vector product: faster than an axis-0 sum of
            # a narrow array, and it releases the GIL.
            ones = np.ones(len(residual)) if work is None else work.ones(len(residual))
            partial.grad[n] += np.dot(ones, residual)

    def _residual(self, start, stop, Z, partial, work):
        """Weighted ``sigmoid(Z_y) - Y`` of rows ``start:stop``; adds the losses.

        ``Z`` holds the logits of the new (and previous) point.  Also stores
        the new logits when the sweep keeps them.  Every pointwise operation
        writes into the buffers of ``work``: no temporary arrays.
        """
        obj, cols = self.objective, self.cols
        n_rows = stop - start
        z = Z[0]
        Y = obj._target_rows(start, stop, cols)
        weight = obj._weight_rows(start, stop, cols)
        loss = work.get("loss", n_rows)
        tmp = work.get("tmp", n_rows)
        _pointwise_loss(z, Y, out=loss, tmp=tmp)
        partial.loss += _weighted_column_sums(loss, weight)
        zy = z
        if self.beta is not None:
            previous = (
                Z[1] if self.recompute else obj._rows(self.logits, start, stop, cols)
            )
            zy = np.subtract(z, previous, out=work.get("zy", n_rows))
            _rowwise(np.multiply, zy, self.beta, work, "beta")
            zy += z
            if self.point_loss:
                _pointwise_loss(zy, Y, out=loss, tmp=tmp)
                partial.point_loss += _weighted_column_sums(loss, weight)
        if self.logits is not None:
            if cols is None:
                self.logits[start:stop] = z
            else:
                self.logits[start:stop, cols] = z
        residual = _sigmoid_into(zy, out=loss)
        residual -= Y
        residual *= weight
        return residual


class _Workspace:
    """Named buffers of shape ``(rows, k)`` for the pointwise work of a sweep."""

    def __init__(self, rows, k, dtype):
        self.rows, self.k, self.dtype = max(rows, 1), k, dtype
        self._buffers = {}

    def get(self, name, n_rows):
        """The first ``n_rows`` rows of buffer ``name`` (allocated once)."""
        buffer = self._buffers.get(name)
        if buffer is None:
            buffer = np.empty((self.rows, self.k), dtype=self.dtype)
            self._buffers[name] = buffer
        return buffer[:n_rows]

    def ones(self, n_rows):
        """A float64 vector of ``n_rows`` ones (allocated once)."""
        ones = self._buffers.get("ones")
        if ones is None:
            ones = self._buffers["ones"] = np.ones(self.rows)
        return ones[:n_rows]

    def tiled(self, name, row, size):
        """``row`` repeated over the rows of a buffer, flat: its first ``size`` entries.

        Computed once per name: ``row`` must not change while the workspace
        is used (a workspace lives for one sweep of one chunk).
        """
        tiled = self._buffers.get(name)
        if tiled is None:
            tiled = np.tile(np.asarray(row, dtype=self.dtype), self.rows)
            self._buffers[name] = tiled
        return tiled[:size]


def _rowwise(ufunc, array, row, work, name):
    """``ufunc(array, row)`` into ``array``, with ``row`` broadcast over its rows.

    numpy runs one inner loop per row for a broadcast row, which costs more
    than the arithmetic when rows have a few columns; a C-contiguous
    ``array`` is instead combined with ``row`` tiled by ``work`` as two flat
    arrays: one inner loop.
    """
    if work is None or not array.flags.c_contiguous or array.shape[1] != work.k:
        return ufunc(array, row, out=array)
    flat = array.reshape(-1)
    if work.k == 1:  # one column: the row is a scalar (no tiled copy to make)
        return ufunc(flat, np.asarray(row, dtype=work.dtype).reshape(-1)[0], out=flat)
    return ufunc(flat, work.tiled(name, row, flat.size), out=flat)


def _pointwise_loss(z, y, *, out, tmp):
    """:func:`bce` ``= log1p(exp(-|z|)) + (max(z, 0) - y z)`` into ``out``, in
    place (the bracket first: exact for ``y`` in {0, 1}, see :func:`bce`)."""
    np.maximum(z, 0, out=out)
    np.multiply(z, y, out=tmp)
    out -= tmp
    np.abs(z, out=tmp)
    np.negative(tmp, out=tmp)
    np.exp(tmp, out=tmp)
    np.log1p(tmp, out=tmp)
    out += tmp
    return out


def _sigmoid_into(z, *, out):
    """``sigmoid(z) = 1 / (1 + exp(-z))`` into ``out`` (callers ignore overflow)."""
    np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1
    np.divide(1, out, out=out)
    return out


def _weighted_column_sums(values, weight):
    """``sum_i weight_i values_i`` per column, in float64; overwrites ``values``.

    A product and a matrix-vector product: ``np.einsum`` over two arrays of a
    few columns is slower.
    """
    if values.dtype == np.float64 and weight.shape[1] == 1:
        return np.dot(weight[:, 0], values)
    values *= weight
    return np.dot(np.ones(len(values)), values)


def weight_scale(largest):
    """The power of two that brings weights at most ``largest`` to at most 1.

    1 where ``largest <= 1``; ``2**-e`` otherwise, with ``largest`` in
    ``[2**(e-1), 2**e)``.  Multiplying by a power of two is exact (short of
    underflow), so the scaled weights give the same ``s / S`` and the same
    objective, and a weighted residual or loss cannot overflow where the
    unweighted one does not.
    """
    largest = np.asarray(largest, dtype=np.float64)
    exponent = np.maximum(np.frexp(largest)[1], 0)  # 0 (scale 1) up to 1
    return np.where(largest > 1.0, np.ldexp(1.0, -exponent), 1.0)


def penalty_factor(C, weight_sum, dtype):
    """``1 / (C S)`` per column (0 where ``C`` is inf), ``S`` the weights' sum.

    Raises scikit-learn-style where it overflows ``dtype``: a ``C`` so small
    would make a NaN model.
    """
    C = np.asarray(C, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        penalty = 1.0 / (C * weight_sum)
    too_large = ~(penalty <= float(np.finfo(dtype).max))
    if too_large.any():
        j = np.unravel_index(np.argmax(too_large), too_large.shape)
        raise ValueError(
            f"C={float(np.broadcast_to(C, too_large.shape)[j]):.3g} is too small "
            "for sample weights summing to "
            f"{float(np.broadcast_to(weight_sum, too_large.shape)[j]):.3g}: the "
            "penalty factor 1/(C * sum(sample_weight)) overflows. Use a larger C."
        )
    return penalty


class PenalisedColumns:
    """What every objective of K penalised BCE problems shares, whatever holds ``X``.

    Subclasses set ``n_features``, ``n_problems`` and ``sw_sum`` (the sum of
    each column's weights as the objective holds them: those given, times
    :func:`weight_scale`) and call :meth:`_set_penalty`; their sweeps sum the
    weighted losses and ``X1^T R`` over the rows and hand the sums to
    :meth:`_sweep_result`.
    """

    def _set_penalty(self, C, l1_ratio, weight_scale=1.0):
        """``l2`` and ``l1`` per column from ``C`` and ``l1_ratio``, as ``1/(C S)``.

        ``weight_scale`` (per column, see :func:`weight_scale`): the weights
        the objective holds, and so ``sw_sum``, are the given ones times it;
        ``S`` is the sum of the given ones.
        """
        C = np.broadcast_to(np.asarray(C, dtype=np.float64), (self.n_problems,))
        l1_ratio = np.broadcast_to(
            np.asarray(l1_ratio, dtype=np.float64), (self.n_problems,)
        )
        given_sum = self.sw_sum / weight_scale
        penalty = penalty_factor(C, given_sum, getattr(self, "dtype", np.float64))
        self.l2 = (1.0 - l1_ratio) * penalty
        self.l1 = l1_ratio * penalty
        # Whether any problem has an L1 term (so also any of a restricted copy's).
        self._any_l1 = bool(np.any(self.l1 > 0))

    def _param(self, values, cols):
        return values if cols is None else values[cols]

    def penalty(self, coef, cols=None):
        """Penalty term ``l2/2 ||w||^2 + l1 ||w||_1`` per column, in float64."""
        W = coef[: self.n_features].astype(np.float64, copy=False)
        l2, l1 = self._param(self.l2, cols), self._param(self.l1, cols)
        value = l2_term(l2, W)
        if self._any_l1:
            value = value + l1 * np.abs(W).sum(axis=0)
        return value

    def l1_penalty(self, coef, cols=None):
        """The ``l1 ||w||_1`` part of :meth:`penalty` per column, in float64."""
        l1 = self._param(self.l1, cols)
        if not self._any_l1:
            return np.zeros(len(l1))
        W = coef[: self.n_features].astype(np.float64, copy=False)
        return l1 * np.abs(W).sum(axis=0)

    def _sweep_result(
        self, coef, cols, beta, previous, loss, point_loss, grad_sum, point_objective
    ):
        """The :class:`SweepResult` of a sweep from its sums over the rows.

        ``loss`` and ``point_loss`` are the weighted data losses at ``coef``
        and at the extrapolated point, ``grad_sum`` is ``X1^T R`` there (all
        unnormalised, in float64).
        """
        point = coef if beta is None else coef + beta * (coef - previous)
        inverse_sum = 1.0 / self._param(self.sw_sum, cols)
        grad = (grad_sum * inverse_sum).astype(coef.dtype)
        n = self.n_features
        grad[:n] += self._param(self.l2, cols).astype(coef.dtype) * point[:n]
        value = loss * inverse_sum + self.penalty(coef, cols)
        point_value = None
        if point_objective and beta is None:
            point_value = value.copy()
        elif point_objective:
            point_value = point_loss * inverse_sum + self.penalty(point, cols)
        return SweepResult(value, point, grad, point_value)


def l2_term(l2, W):
    """``l2/2 ||w||^2`` per column of ``W``, in float64.

    0 where ``l2`` is 0 (``C=np.inf``), also for coefficients so large that
    their squares overflow (0 * inf would be NaN).
    """
    l2 = np.asarray(l2, dtype=np.float64)
    if l2.shape == W.shape[1:] and (l2 > 0).all():  # the usual case, quickly
        return 0.5 * l2 * np.square(W, dtype=np.float64).sum(axis=0)
    l2 = np.broadcast_to(l2, W.shape[1:])
    value = np.zeros(W.shape[1:])
    on = l2 > 0
    if on.any():
        W = W if on.all() else W[:, on]
        value[on] = 0.5 * l2[on] * np.square(W, dtype=np.float64).sum(axis=0)
    return value


class BCEObjective(PenalisedColumns):
    """``K`` penalised binary cross-entropy problems sharing one matrix ``X``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Design matrix; float32 or float64, dense (C- or F-ordered, possibly
        read-only or memory-mapped), CSR or CSC.  It is never copied or
        modified.
    Y : ndarray of shape (n_samples, K), or (n_samples, T) with ``target_index``
        Targets in {0, 1}, of the dtype of ``X``.
    sample_weight : ndarray of shape (n_samples,), (n_samples, K) or (n_samples, G)
        Non-negative weights; every column must have a positive sum.  With
        ``weight_index``, ``G`` columns of weights that the problems share.
        A column whose largest weight exceeds 1 is held scaled down by a
        power of two (:func:`weight_scale`): the same objective, without
        overflow in the weighted sums.
    C : array-like of shape (K,)
        Inverse penalty strength per column, in (0, inf].
    l1_ratio : array-like of shape (K,)
        L1 share of the penalty per column, in [0, 1].
    fit_intercept : bool
        Whether the last coefficient row is an unpenalised intercept.
    weight_index : array-like of shape (K,), default=None
        Problem ``k`` is weighted by column ``weight_index[k]`` of
        ``sample_weight`` (the search's problems share their fold's weights:
        ``n_samples x n_folds`` weights instead of ``n_samples x K``).
    scaled_by : array-like of shape (n_weight_columns,), default=None
        Set when ``sample_weight`` is already the given weights times these
        powers of two (:func:`weight_scale` of each column's largest), as the
        search holds its fold weights once for all its runs; ``C`` applies to
        the given weights.
    target_index : array-like of shape (K,), default=None
        Problem ``k`` has the targets of column ``target_index[k]`` of ``Y``
        (the search's problems share their class's one-vs-rest targets:
        ``n_samples x n_classes`` targets instead of ``n_samples x K``).
    """

    #: Accelerated descent keeps the logits ``X W + b`` of its iterate in an
    #: ``(n_samples, K)`` array that :meth:`sweep` reads and updates.
    stores_logits = True

    def __init__(
        self,
        X,
        Y,
        sample_weight,
        C,
        l1_ratio,
        fit_intercept,
        weight_index=None,
        scaled_by=None,
        target_index=None,
    ):
        self.X = X
        self.Y = Y
        self.dtype = X.dtype
        self.n_samples, self.n_features = X.shape
        if target_index is not None:
            target_index = np.asarray(target_index, dtype=np.intp)
        self.n_problems = Y.shape[1] if target_index is None else target_index.size
        self.fit_intercept = bool(fit_intercept)
        self.n_coef = self.n_features + self.fit_intercept
        # C order: sweeps read the weights of a block of rows at once.
        sample_weight = np.ascontiguousarray(sample_weight, dtype=self.dtype)
        if sample_weight.ndim == 1:
            sample_weight = sample_weight[:, None]
        # Weights above 1 are scaled down (exactly, by a power of two) so that
        # weighting a residual or a loss cannot overflow; C makes up for it.
        if scaled_by is not None:
            scale = np.broadcast_to(
                np.asarray(scaled_by, dtype=np.float64), sample_weight.shape[1:]
            )
        else:
            scale = weight_scale(sample_weight.max(axis=0, initial=0.0))
        if scaled_by is None and np.any(scale != 1.0):
            sample_weight = (sample_weight * scale.astype(self.dtype)).astype(
                self.dtype, copy=False
            )
        sums = sample_weight.sum(axis=0, dtype=np.float64)
        if weight_index is not None:
            weight_index = np.asarray(weight_index, dtype=np.intp)
            sums, scale = sums[weight_index], scale[weight_index]
        self.sw_sum = np.broadcast_to(sums, (self.n_problems,)).copy()
        # The weights as given (a view, shape (m, 1), (m, K) or, with an index,
        # (m, G)), or a copy scaled down (see above); sums over samples are
        # divided by ``S`` (their sum, as held) at the end.
        self._sample_weight = sample_weight
        self._weight_index = weight_index
        # Targets read through an index (as restricted objectives read them).
        self._target_index = target_index
        self._set_penalty(C, l1_ratio, np.broadcast_to(scale, (self.n_problems,)))
        self._layout_rows()

    def restricted(self, cols):
        """The problems ``cols`` alone, as an objective sharing ``X``.

        Nothing of ``n_samples`` length is copied: targets and weights are
        shared and read through column indexes (a column shared by all
        problems stays one broadcast column).  A descent whose running columns
        are a small part of those it holds sweeps this objective instead.
        """
        cols = np.asarray(cols)
        sub = copy.copy(self)
        sub.n_problems = len(cols)
        if self.Y.shape[1] == 1 or self.Y.strides[1] == 0:
            sub.Y = np.broadcast_to(self.Y[:, :1], (self.n_samples, len(cols)))
            sub._target_index = None
        else:
            sub._target_index = self._index(self._target_index, cols)
        if self._weight_index is not None or self._sample_weight.shape[1] > 1:
            sub._weight_index = self._index(self._weight_index, cols)
        sub.sw_sum, sub.l2, sub.l1 = self.sw_sum[cols], self.l2[cols], self.l1[cols]
        sub._any_l1 = bool(np.any(sub.l1 > 0))
        return sub

    @staticmethod
    def _index(index, cols):
        """Columns ``cols`` of a column index (None: the identity)."""
        return np.asarray(cols) if index is None else index[cols]

    @property
    def _scaled_weight(self):
        """``s / S`` of shape ``(m, 1)`` or ``(m, K)``, in the dtype of ``X``."""
        weight = self._sample_weight
        if self._weight_index is not None:
            weight = weight[:, self._weight_index]
        scaled = weight / self.sw_sum[: weight.shape[1]]
        return scaled.astype(self.dtype, copy=False)

    def _weight_column(self, j):
        """Column ``j`` of :attr:`_scaled_weight`, in float64."""
        column = j if self._weight_index is None else self._weight_index[j]
        return self._sample_weight[:, column] / self.sw_sum[j]

    def _target_rows(self, start, stop, cols):
        """Rows ``start:stop`` of the targets of the problems ``cols`` (or all)."""
        return self._indexed_rows(self.Y, self._target_index, start, stop, cols)

    def _weight_rows(self, start, stop, cols):
        """Rows ``start:stop`` of the weights of the problems ``cols`` (or all)."""
        return self._indexed_rows(
            self._sample_weight, self._weight_index, start, stop, cols
        )

    def _indexed_rows(self, array, index, start, stop, cols):
        """Rows of ``array``'s columns for ``cols``, through ``index`` if any."""
        if index is None:
            return self._rows(array, start, stop, cols)
        return array[start:stop].take(index if cols is None else index[cols], axis=1)

    # -- how sweeps cut X ----------------------------------------------------------
    def _layout_rows(self):
        """Choose the row blocks and chunks of :meth:`sweep` (never copies X)."""
        X, m = self.X, self.n_samples
        self._whole = sp.issparse(X) and X.format == "csc"
        if self._whole:
            # Row blocks of CSC are not views: X is read whole, twice; only
            # the pointwise work goes by blocks of rows.
            self._rows_X, self._block_rows = X, max(1, BLOCK_ENTRIES // 64)
            self._chunks = [(0, m)]
            return
        if sp.issparse(X):
            self._rows_X = X
            entries = X.nnz
        else:
            # A plain ndarray view: no memmap subclass overhead on every slice.
            self._rows_X = np.asarray(X)
            entries = m * self.n_features
        per_row = max(entries / max(m, 1), 1.0)
        self._block_rows = max(1, int(BLOCK_ENTRIES // per_row))
        n_chunks = SWEEP_CHUNKS if entries >= PARALLEL_MIN_ENTRIES else 1
        n_chunks = max(1, min(n_chunks, m))
        if sp.issparse(X) and X.nnz:
            # Chunks of about equal numbers of non-zeros.
            targets = np.linspace(0, X.nnz, n_chunks + 1)[1:-1]
            inner = np.searchsorted(X.indptr, targets)
        else:
            inner = np.linspace(0, m, n_chunks + 1)[1:-1].astype(int)
        edges = np.unique(np.concatenate([[0], inner, [m]]))
        self._chunks = list(itertools.pairwise(edges.tolist()))

    def _sweep_block_rows(self, k):
        """Rows per block of a sweep with ``k`` columns (of its pointwise
        work only, for CSC ``X``)."""
        if k == 1:
            return self._block_rows
        rows = max(MIN_WIDE_ROWS, WIDE_BLOCK_BYTES // (k * self.X.dtype.itemsize))
        if sp.issparse(self.X) and not self._whole and self.X.nnz:
            # X_block.T @ R is a dense (n_features, k) array: a block needs
            # enough non-zeros (8 per feature) for its product to pay for it.
            per_row = self.X.nnz / self.n_samples
            rows = max(rows, int(np.ceil(8 * self.n_features / per_row)))
        return max(1, min(self._block_rows, rows))

    def _row_blocks(self, start, stop, rows=None):
        """``(begin, end, block)`` for the row blocks of ``start:stop``.

        Blocks have ``rows`` rows (the sweep's block size by default).
        """
        X = self._rows_X
        rows = self._block_rows if rows is None else rows
        if start == 0 and stop == self.n_samples and rows >= stop:
            yield 0, stop, X
            return
        for begin in range(start, stop, rows):
            end = min(begin + rows, stop)
            if sp.issparse(X):
                yield begin, end, _compressed_view(X, begin, end)
            else:
                yield begin, end, X[begin:end]

    def _over_chunks(self, function):
        """``[function(start, stop) for each chunk]``, on the sweep's threads.

        BLAS is limited to one thread meanwhile (see
        :class:`single_threaded_blas`): each chunk is then computed the same
        way whatever the number of threads, and the products with blocks that
        fit in cache are too small for BLAS threads to pay off (on some
        machines they cost many times more than they save).
        """
        chunks = self._chunks
        n_threads = min(sweep_threads(), len(chunks)) if len(chunks) > 1 else 1
        with single_threaded_blas():
            return _run_chunks(lambda c: function(*chunks[c]), len(chunks), n_threads)

    @staticmethod
    def _rows(array, start, stop, cols):
        """Rows ``start:stop`` of ``array``, restricted to ``cols`` if needed.

        A column shared by all problems (shape ``(m, 1)``, or a broadcast
        view with stride 0, such as the search's one target column) comes
        back with one column, which the pointwise operations broadcast.
        """
        if array.shape[1] == 1 or array.strides[1] == 0:
            return array[start:stop, :1]
        if cols is None:
            return array[start:stop]
        return array[start:stop, cols]

    # -- the fused pass ------------------------------------------------------------
    def sweep(
        self,
        coef,
        cols=None,
        *,
        logits=None,
        beta=None,
        previous=None,
        recompute_previous=False,
        point_objective=False,
    ):
        """Objective at ``coef`` and gradient at an extrapolated point: one read of X.

        With ``beta``, the point is ``y = coef + beta (coef - previous)`` and its
        logits ``Z_y = Z + beta (Z - Z_prev)``, where ``Z = X W + b`` are the
        logits of ``coef`` and ``Z_prev`` those of ``previous``; without it,
        ``y = coef``.

        Parameters
        ----------
        coef : ndarray of shape (n_coef, k)
            The new point, one column per swept problem.
        cols : ndarray of shape (k,), default=None
            The problems that the columns of ``coef`` belong to; all when None.
        logits : ndarray of shape (n_samples, K), default=None
            Storage of logits.  On entry its columns ``cols`` hold ``Z_prev``
            (unless ``recompute_previous``); on return they hold ``Z``.
        beta : ndarray of shape (k,), default=None
            Extrapolation coefficient of each column.
        previous : ndarray of shape (n_coef, k), default=None
            The previous point; required with ``beta``.
        recompute_previous : bool, default=False
            Compute ``Z_prev = X previous + b`` in the same pass instead of
            reading it from ``logits``.
        point_objective : bool, default=False
            Also return ``J(y)``.

        Returns
        -------
        SweepResult
        """
        job = _Sweep(self, coef, cols, beta, previous, logits, recompute_previous)
        job.point_loss = point_objective and job.beta is not None
        parts = self._over_chunks(job.rows)
        total = parts[0]
        for part in parts[1:]:
            total.add(part)
        return self._sweep_result(
            coef,
            cols,
            job.beta,
            previous,
            total.loss,
            total.point_loss,
            total.grad,
            point_objective,
        )

    # -- pieces of one evaluation -------------------------------------------
    def _columns(self, array, cols):
        return array if cols is None else array[:, cols]

    def _weight(self, cols):
        weight = self._scaled_weight
        return weight if weight.shape[1] == 1 else self._columns(weight, cols)

    def raw_prediction(self, coef, cols=None):
        """Logits ``Z = X W + b`` of shape ``(n_samples, k)``: one read of ``X``.

        ``cols`` is taken as ``objective`` and ``gradient`` take it; the
        logits do not depend on which problems the columns are.
        """
        W = coef[: self.n_features]
        Z = np.asarray(self.X @ W)
        if self.fit_intercept:
            Z += coef[-1]
        return Z

    def separates(self, coef):
        """Whether ``coef`` separates each column's classes: shape ``(K,)``.

        True where every sample of positive weight lies on its class's side
        of the hyperplane (a positive margin): then ``t * coef`` lowers the
        loss for every ``t > 1``, and without a penalty the objective has no
        minimum.  One read of ``X``.
        """
        Z = self.raw_prediction(coef)
        Y = self.Y if self._target_index is None else self.Y[:, self._target_index]
        weight = self._sample_weight
        if self._weight_index is not None:
            weight = weight[:, self._weight_index]
        # The margins (2 y - 1) z, in place of the logits.
        np.multiply(Z, 2 * Y - 1, out=Z)
        on_side = Z > 0
        on_side |= weight == 0
        return on_side.all(axis=0)

    def objective(self, raw_prediction, coef, cols=None):
        """Objective ``J`` per column, in float64, from precomputed logits.

        ``cols`` selects the problems that ``coef`` and ``raw_prediction``
        hold (all when None).
        """
        Y = self._target_rows(0, self.n_samples, cols)
        data = (self._weight(cols) * bce(raw_prediction, Y)).sum(
            axis=0, dtype=np.float64
        )
        return data + self.penalty(coef, cols)

    def gradient(self, raw_prediction, coef, cols=None, *, l2=True):
        """Gradient of the smooth part of ``J`` (data + L2), ``(n_coef, k)``.

        One read of ``X`` for ``X.T @ R``.  ``l2=False`` leaves the L2 term
        out: the data term's gradient alone.
        """
        Y = self._target_rows(0, self.n_samples, cols)
        residual = expit(raw_prediction)
        residual -= Y
        residual *= self._weight(cols)
        grad = np.empty_like(coef)
        grad[: self.n_features] = _transpose(self.X) @ residual
        if l2:
            grad[: self.n_features] += (
                self._param(self.l2, cols).astype(self.dtype) * coef[: self.n_features]
            )
        if self.fit_intercept:
            grad[-1] = residual.sum(axis=0)
        return grad

    def loss_gradient(self, coef, cols=None):
        """Objective and smooth gradient at ``coef`` from one ``Z``.

        Returns ``(objective, gradient, raw_prediction)``.
        """
        raw = self.raw_prediction(coef, cols)
        return self.objective(raw, coef, cols), self.gradient(raw, coef, cols), raw

    # -- curvature bounds ---------------------------------------------------
    def _weight_columns(self):
        """Distinct weight columns and, for each problem, its position among them.

        Returns ``(columns, index)``: ``columns`` lists one column of the
        weights per distinct weighting; problem ``k`` is weighted like
        ``columns[index[k]]``.  Problems that share a weighting (the one-vs-rest
        columns of one cross-validation fold, say) share its curvature bound.
        """
        weights = self._sample_weight
        if weights.shape[1] == 1:
            return [0], np.zeros(self.n_problems, dtype=int)
        if self._weight_index is not None:
            _, first, index = np.unique(
                self._weight_index, return_index=True, return_inverse=True
            )
            return first.tolist(), index
        seen, columns = {}, []
        index = np.empty(self.n_problems, dtype=int)
        for k in range(self.n_problems):
            key = (weights[:, k] / self.sw_sum[k]).tobytes()
            if key not in seen:
                seen[key] = len(columns)
                columns.append(k)
            index[k] = seen[key]
        return columns, index

    def _dense_row_blocks(self, start, stop):
        """``(begin, end, block)``: rows ``start:stop`` of X as dense arrays.

        Only for dense or CSR ``X``; a block holds about
        ``DENSE_BLOCK_ENTRIES`` entries, so converting it costs little memory.
        """
        X = self._rows_X
        rows = max(16, DENSE_BLOCK_ENTRIES // max(self.n_features, 1))
        for begin in range(start, stop, rows):
            end = min(begin + rows, stop)
            if sp.issparse(X):
                yield begin, end, _compressed_view(X, begin, end).toarray()
            else:
                yield begin, end, X[begin:end]

    def _weighted_gram(self, weight):
        """``X1^T diag(weight) X1`` in float64, without copying ``X``.

        Row blocks are multiplied in the dtype of ``X`` and summed in float64,
        chunk by chunk on the sweep's threads.
        """
        n = self.n_features
        gram = np.zeros((self.n_coef, self.n_coef))
        weight = weight.astype(np.float64, copy=False)
        if sp.issparse(self.X) and self.X.format == "csc":
            X = self.X
            # Column chunks of CSC are views; each costs a copy of its share.
            for start, stop in _column_chunks(n, 16):
                part = _compressed_view(X, start, stop).multiply(weight[:, None])
                gram[:n, start:stop] = (_transpose(X) @ sp.csr_matrix(part)).toarray()
            if self.fit_intercept:
                gram[n, :n] = np.asarray(_transpose(X) @ weight).ravel()
        else:
            # Equal weights (the common case) factor out of the sums.
            uniform = weight.size == 0 or bool(np.all(weight == weight[0]))
            for part in self._over_chunks(
                lambda start, stop: self._gram_rows(start, stop, weight, uniform)
            ):
                gram += part
            if uniform and weight.size:
                gram *= weight[0]
        if self.fit_intercept:
            gram[:n, n] = gram[n, :n]
            gram[n, n] = weight.sum()
        return gram

    def _gram_rows(self, start, stop, weight, uniform):
        """``X1^T diag(weight) X1`` over rows ``start:stop`` (weights left out
        when ``uniform``), without its intercept corner."""
        n = self.n_features
        part = np.zeros((self.n_coef, self.n_coef))
        for begin, end, block in self._dense_row_blocks(start, stop):
            if uniform:
                scaled = block
                column_sums = block.sum(axis=0, dtype=np.float64)
            else:
                root = np.sqrt(weight[begin:end]).astype(block.dtype)
                scaled = block * root[:, None]
                column_sums = np.dot(root, scaled)
            part[:n, :n] += _dot(scaled.T, scaled)
            if self.fit_intercept:
                part[n, :n] += column_sums
        return part

    def hessian_bound(self):
        """The matrices ``B_k`` bounding every Hessian of ``J_k`` from above.

        Returns ``(bounds, index)``: ``bounds`` of shape ``(n_distinct, n_coef,
        n_coef)`` in float64 and ``index`` of shape ``(K,)`` giving each
        problem's matrix.  Problems share a matrix when they share sample
        weights and penalty.
        """
        columns, weight_index = self._weight_columns()
        keys, bounds, index = {}, [], np.empty(self.n_problems, dtype=int)
        grams = {}
        for k in range(self.n_problems):
            key = (weight_index[k], self.l2[k])
            if key not in keys:
                j = weight_index[k]
                if j not in grams:
                    weight = self._weight_column(columns[j])
                    grams[j] = self._weighted_gram(weight) / 4.0
                bound = grams[j].copy()
                bound[np.arange(self.n_features), np.arange(self.n_features)] += (
                    self.l2[k]
                )
                keys[key] = len(bounds)
                bounds.append(bound)
            index[k] = keys[key]
        return np.stack(bounds), index

    def n_hessian_bounds(self):
        """How many distinct matrices :meth:`hessian_bound` returns."""
        _, weight_index = self._weight_columns()
        return len(set(zip(weight_index.tolist(), self.l2.tolist(), strict=True)))

    def hessian_bound_diagonal(self, *, penalty=True):
        """Diagonal of every ``B_k``, shape ``(n_coef, K)``, in float64.

        Costs one pass over ``X`` whatever its width, unlike
        :meth:`hessian_bound`.  ``penalty=False`` leaves out the L2 term: the
        diagonal of the data's part alone.
        """
        columns, weight_index = self._weight_columns()
        n = self.n_features
        diag = np.empty((self.n_coef, len(columns)))
        for j, column in enumerate(columns):
            weight = self._weight_column(column)
            diag[:n, j] = self._weighted_column_squares(weight)
            if self.fit_intercept:
                diag[n, j] = weight.sum(dtype=np.float64)
        diag = diag[:, weight_index] / 4.0
        if penalty:
            diag[:n] += self.l2
        return diag

    def _weighted_column_squares(self, weight):
        """``sum_i weight_i X_ij^2`` for each column ``j``, in float64."""
        X, n = self.X, self.n_features
        weight = weight.astype(np.float64, copy=False)
        out = np.zeros(n)
        pieces = max(1, X.nnz // DENSE_BLOCK_ENTRIES) if sp.issparse(X) else 1
        if sp.issparse(X) and X.format == "csc":
            for start, stop in _column_chunks(n, pieces):
                part = _squared_entries(_compressed_view(X, start, stop))
                out[start:stop] = _transpose(part) @ weight
        elif sp.issparse(X):
            rows = max(1, self.n_samples // pieces)
            for begin, end, block in self._row_blocks(0, self.n_samples, rows):
                out += _transpose(_squared_entries(block)) @ weight[begin:end]
        else:
            for part in self._over_chunks(
                lambda start, stop: sum(
                    np.dot(weight[begin:end], np.square(block, dtype=np.float64))
                    for begin, end, block in self._dense_row_blocks(start, stop)
                )
            ):
                out += part
        return out

    def smoothness_bound(self):
        """Lipschitz constant ``L_k = lambda_max(B_k)`` of each gradient, ``(K,)``.

        Exact (a dense eigenvalue problem) when ``n_coef`` is small; otherwise
        the largest eigenvalue from Lanczos iterations on the operator
        ``v -> B v``, enlarged by 1% to stay an upper bound.
        """
        if self.n_coef <= 1000:
            bounds, index = self.hessian_bound()
            return np.array([largest_eigenvalue(b) for b in bounds])[index]
        columns, weight_index = self._weight_columns()
        top = np.empty(len(columns))
        for j, column in enumerate(columns):
            weight = self._weight_column(column)
            top[j] = self._largest_gram_eigenvalue(weight) / 4.0
        # Adding l2 on the features only can raise lambda_max by at most l2.
        return top[weight_index] + self.l2

    def _largest_gram_eigenvalue(self, weight):
        X, n = self.X, self.n_features

        def matvec(v):
            v = np.asarray(v, dtype=np.float64).ravel()
            z = np.asarray(X @ v[:n]).ravel()
            if self.fit_intercept:
                z = z + v[n]
            z *= weight
            out = np.empty(self.n_coef)
            out[:n] = np.asarray(_transpose(X) @ z).ravel()
            if self.fit_intercept:
                out[n] = z.sum()
            return out

        op = LinearOperator((self.n_coef, self.n_coef), matvec=matvec)
        try:
            return lanczos_largest_eigenvalue(op)
        except ArpackNoConvergence:
            # The trace bounds lambda_max from above.
            squares = self._weighted_column_squares(weight)
            return float(squares.sum() + self.fit_intercept * weight.sum())
