"""Gradient-descent engines for K problems that share one design matrix.

The engines minimise ``J_k = f_k + l1_k ||w_k||_1`` for every column ``k`` of
an objective such as :class:`sklearn_bce._loss.BCEObjective`, where ``f_k`` is
smooth.  They use the objective's fused pass :meth:`~BCEObjective.sweep`, its
``l1_penalty`` and its attributes, never warn and know nothing about
scikit-learn: they return a :class:`DescentResult` and leave interpretation to
the caller.

One iteration from a point ``y`` with gradient ``g = grad f(y)`` is the
proximal step in a metric ``M``::

    x_new = prox_{l1 / M}(y - M^{-1} g)

- :class:`ScalarMetric` with ``M = I / step`` is the textbook update
  ``x_new = y - step * g`` (followed by soft-thresholding under an L1 penalty).
- :class:`CholeskyMetric` uses the matrix ``B`` that bounds every Hessian of
  ``f`` from above: the step ``B^{-1} g`` never increases ``J``
  (a majorise-minimise step, Böhning & Lindsay 1988) and is blind to the
  scaling and correlation of the features.
- :class:`DiagonalMetric` uses ``alpha diag(B)``; it keeps the L1 prox
  separable and costs ``O(n_features)`` per column, for wide or sparse data.

Plain gradient descent steps from ``y = x``; accelerated descent (Nesterov,
FISTA) steps from ``y = x + beta (x - x_prev)`` and restarts the momentum
(``beta = 0``) when the step goes against the gradient at ``y``,
``<G(y), x_new - x> > 0`` with ``G`` the (proximal) gradient mapping: the
gradient scheme of O'Donoghue & Candès (2015), which, unlike a test on the
objective, is known before ``X`` is read.  With ``line_search`` the
metric is scaled per column by ``alpha``, doubled until the step satisfies the
sufficient-decrease condition of Beck & Teboulle (2009), so every accepted step
descends whatever bound the metric came from; after a step accepted at the
first try ``alpha`` shrinks by ``STEP_GROWTH``, so the step grows back where the
Hessian bound is loose (far from the decision boundary, ``sigmoid'`` is much
smaller than its bound 1/4), unless its decrease was within rounding: where
the objective is flat to rounding every step passes, and steps must not
lengthen without bound.

One read of ``X`` per iteration: since ``beta`` is known before the pass, a
single sweep over ``X`` gives the logits and objective at ``x_new`` and the
gradient (and, for the line search, the objective) at the next point
``y = x_new + beta (x_new - x)``, whose logits are the per-row combination
``Z_new + beta (Z_new - Z_x)`` of the new logits and the stored ones of ``x``.
When the line search rejects a column's step, the column is swept again from
``y`` with a shorter step (one more read of ``X``, for the rejected columns);
the gradient its rejected sweep computed is discarded.

A column stops as soon as it converges (the largest absolute entry of its
proximal gradient is ``<= tol``) or diverges; the others go on.  Once the
running columns are at most :data:`COMPACT_SHARE` of those the sweeps hold,
the descent continues on the objective's ``restricted`` copy for them (and on
their columns of the stored logits).
"""

import contextlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import LinAlgError, cho_factor, get_lapack_funcs

from ._loss import single_threaded_blas, soft_threshold

#: Objective values this many times above ``max(J(start), 1)`` count as divergence.
DIVERGENCE_FACTOR = 1e2

#: Factor applied to a line-searched column's ``alpha`` after a first-try success.
#: Each rejection costs one more read of ``X``; 0.9 needed about 12% fewer
#: reads than 0.8 (and than 0.5 or 0.95) to reach tol 1e-4 over dense,
#: ill-conditioned, sparse and 10-class test problems.
STEP_GROWTH = 0.9

#: A descent restricts its objective (and stored logits) to the running
#: columns once they are at most this share of the columns it holds: sweeps of
#: a few of many columns gather them from every block of rows, and copies at
#: geometrically shrinking sizes cost less than one sweep in all.
COMPACT_SHARE = 0.75

#: Backtracking stops doubling ``alpha`` here (the step is then negligible).
MAX_ALPHA = 2.0**60

#: Past the diagonal metric's limit, ``auto_metric``'s descent switches to the
#: full bound for the columns still running after this many iterations: the
#: diagonal is blind to correlated features (hundreds of iterations, where
#: the full bound takes a handful), and on uncorrelated ones it converges
#: sooner than this, without the Gram matrix's ``n p^2`` cost.
FULL_METRIC_AFTER = 50

#: The switch happens for dense ``X`` with at most this many coefficients (the
#: Gram matrix then costs about as much as ``p / 64`` reads of ``X``; sparse
#: rows would be made dense for it), and when building the bounds and their
#: Cholesky factors takes at most this many bytes at its peak.
FULL_METRIC_MAX_COEF = 1024
FULL_METRIC_MAX_BYTES = 2**30

#: Most coefficients for which ``"auto"`` starts with the full bound.
FULL_METRIC_FIRST_COEF = 256

CONVERGED = "converged"
MAX_ITER = "max_iter"
DIVERGED = "diverged"
STOPPED = "stopped by callback"


@dataclass(frozen=True)
class DescentResult:
    """What a descent engine returns, one entry per problem column.

    Attributes
    ----------
    coef : ndarray of shape (n_coef, K)
        Final coefficients; for a diverged column, the iterate of the lowest
        objective it reached (the start, if no iterate was lower).
    objective : ndarray of shape (K,)
        Objective at ``coef``.
    n_iter : ndarray of shape (K,)
        Accepted iterations per column.
    history : ndarray of shape (max(n_iter), K)
        Objective after each iteration; NaN once a column has stopped.
    converged : ndarray of shape (K,)
        Whether the column met the gradient tolerance.
    stop_reason : ndarray of shape (K,)
        ``"converged"``, ``"max_iter"``, ``"diverged"`` or
        ``"stopped by callback"``.
    grad_max : ndarray of shape (K,)
        Largest absolute entry of the (proximal) gradient at the last check.
    start_objective : ndarray of shape (K,) or None
        Objective at the starting coefficients (None where the engine does
        not report it).
    """

    coef: np.ndarray
    objective: np.ndarray
    n_iter: np.ndarray
    history: np.ndarray
    converged: np.ndarray
    stop_reason: np.ndarray
    grad_max: np.ndarray
    start_objective: np.ndarray | None = None


# -- metrics ------------------------------------------------------------------
class ScalarMetric:
    """``M = I / step``: the textbook update with one step size per column."""

    separable = True

    def __init__(self, step):
        self.step = np.asarray(step, dtype=np.float64)
        self._cast = {}

    def _steps(self, dtype):
        """The steps in ``dtype``, cast once per dtype."""
        steps = self._cast.get(dtype)
        if steps is None:
            # A step beyond the dtype's range (1/L of features in tiny units,
            # in float32) is cut to its largest number, not made infinite.
            steps = self._cast[dtype] = within_dtype(self.step, dtype)
        return steps

    def solve(self, grad, cols):
        return grad * self._steps(grad.dtype)[cols]

    def apply(self, direction, cols):
        return direction / self._steps(direction.dtype)[cols]

    def inverse_diagonal(self, cols):
        return self.step[cols][None, :]


class DiagonalMetric:
    """``M = diag(d)`` with one diagonal of shape ``(n_coef, K)`` per column.

    ``dtype`` is that of the iterates (of ``X``).  Where it cannot hold
    every entry as a normal number (a float32 feature in units of 1e-24 has a
    curvature of about 1e-48, which float32 rounds to 0), steps are divided
    in float64: the gradient of such a feature is at most ``2 sqrt(d)``, so
    its step ``g / d`` fits the dtype again, and it takes the full step of a
    float64 fit.
    """

    separable = True

    def __init__(self, diagonal, dtype=np.float64):
        diagonal = np.asarray(diagonal, dtype=np.float64)
        # An all-zero column of X gives a zero entry (and a zero gradient);
        # small entries keep their own scale (an intercept beside a huge
        # penalty), as in CholeskyMetric.  A column without any curvature
        # (all-zero X, no intercept, no L2 term) is flat: unit curvature.
        largest = diagonal.max(axis=0)
        floor = np.where(
            largest > 0, 1e-12 * np.maximum(largest, np.finfo(float).tiny), 1.0
        )
        self.diagonal = np.maximum(
            np.where(diagonal > 0, diagonal, floor), np.finfo(float).smallest_subnormal
        )
        self._in_float64 = np.dtype(dtype) != np.float64 and bool(
            np.any(self.diagonal < np.finfo(dtype).tiny)
        )

    def solve(self, grad, cols):
        if self._in_float64:
            step = grad.astype(np.float64) / self.diagonal[:, cols]
            largest = np.finfo(grad.dtype).max
            return np.clip(step, -largest, largest).astype(grad.dtype)
        return grad / self.diagonal[:, cols].astype(grad.dtype)

    def apply(self, direction, cols):
        return direction * self.diagonal[:, cols].astype(direction.dtype)

    def inverse_diagonal(self, cols):
        # At most float64's largest number (a subnormal entry's inverse would
        # overflow); a threshold that large zeroes its coefficient anyway.
        return 1.0 / np.maximum(self.diagonal[:, cols], 2.0 / np.finfo(float).max)


def metric_jitter(eps):
    """Share of each diagonal entry that the full metric adds to its bound.

    ``eps`` is that of the dtype of ``X``: in float32 curvatures below 16 eps
    of an entry are rounding, and along the null directions of collinear
    features without a penalty a smaller jitter turns the gradient's
    rounding into huge, useless steps; float64 takes 1e-10.
    """
    return max(1e-10, 16 * float(eps))


class CholeskyMetric:
    """``M = B`` through its Cholesky factors; columns may share a factor."""

    separable = False

    def __init__(self, bounds, index, dtype=np.float64):
        self.bounds = bounds
        self.index = np.asarray(index)
        self.factors = []
        relative = metric_jitter(np.finfo(dtype).eps)  # dtype: that of X
        for bound in bounds:
            bound = bound.copy()
            # Each diagonal entry raised by ``relative`` of itself: the jitter
            # of the diagonally scaled bound, blind to the scales of the
            # features (a jitter relative to the largest entry swamps
            # small-scale ones, such as the intercept's beside a penalty of
            # C=1e-30).  Only a zero entry (an all-zero column) is raised
            # relative to the largest, to keep it factorable.
            diagonal = bound.diagonal()
            largest = diagonal.max()
            # A bound without any curvature (all-zero X, no intercept, no L2
            # term: a flat objective) becomes the identity.
            floor = (
                np.finfo(float).eps * max(largest, np.finfo(float).tiny)
                if largest > 0
                else 1e10
            )
            bound[np.diag_indices_from(bound)] += relative * np.where(
                diagonal > 0, diagonal, floor
            )
            self.factors.append(cho_factor(bound, lower=True)[0])
        # LAPACK's solve with the factors, as cho_solve calls it, without its
        # checks (tens of microseconds an iteration; a non-finite gradient
        # gives a non-finite step, which the descent reports as divergence).
        self._potrs = get_lapack_funcs("potrs", self.factors)

    def _by_group(self, array, cols, function):
        if len(self.factors) == 1:  # one shared bound (a single fit): no masks
            return function(0, array).astype(array.dtype, copy=False)
        out = np.empty_like(array)
        groups = self.index[cols]
        for group in np.unique(groups):
            mask = groups == group
            out[:, mask] = function(group, array[:, mask])
        return out

    def solve(self, grad, cols):
        return self._by_group(grad, cols, self._solve)

    def _solve(self, group, grad):
        step, info = self._potrs(self.factors[group], grad, lower=True)
        if info != 0:  # pragma: no cover - only for invalid arguments
            raise ValueError(f"LAPACK potrs failed with info={info}")
        return step

    def apply(self, direction, cols):
        return self._by_group(direction, cols, lambda group, d: self.bounds[group] @ d)

    def inverse_diagonal(self, cols):  # pragma: no cover - guarded by `separable`
        raise TypeError("a Cholesky metric has no separable proximal operator")


def rose_above_start(f_end, f_start, dtype, relative=None):
    """Whether objectives ended above their start by more than rounding.

    A run that starts at (or near) its optimum and goes on (``tol=0``, or a
    ``tol`` its precision cannot meet) ends a few units of rounding above its
    start: that is not a rise.  A swinging step rises by far more.  The slack
    is ``relative`` (default ``sqrt(eps)`` of ``dtype``) times
    ``max(|f_start|, 1)``; a NaN end rose.
    """
    if relative is None:
        relative = np.sqrt(np.finfo(dtype).eps)
    slack = relative * np.maximum(np.abs(f_start), 1.0)
    return ~(f_end <= f_start + slack)


def safe_step(bound):
    """``1 / bound``, and 1 where the bound is 0.

    A zero curvature bound (all-zero ``X``, no intercept, no L2 term) means a
    flat smooth part with a zero gradient: any step is safe there, and a unit
    one keeps the arithmetic finite.  A subnormal bound's step is at most
    float64's largest number, not infinite.
    """
    bound = np.asarray(bound, dtype=np.float64)
    smallest = 2.0 / np.finfo(float).max
    return 1.0 / np.where(bound > 0, np.maximum(bound, smallest), 1.0)


def within_dtype(values, dtype):
    """Non-negative ``values`` (steps, L1 thresholds) in ``dtype``, at most its
    largest finite number.

    A huge penalty over a tiny curvature (``C=1e-300``, features in units of
    1e-100) overflows an L1 threshold, and the step of a feature in tiny units
    can exceed float32's range; a threshold above every coefficient zeroes it
    all the same, and a step cut to the largest number is still a descent.
    """
    values = np.asarray(values, dtype=np.float64)
    return np.minimum(values, np.finfo(dtype).max).astype(dtype)


def lipschitz_metric(objective):
    """The textbook safe step ``1 / L`` for every column (a :class:`ScalarMetric`)."""
    return ScalarMetric(safe_step(objective.smoothness_bound()))


def auto_metric(objective, max_dense=FULL_METRIC_FIRST_COEF):
    """The metric ``learning_rate="auto"`` uses with accelerated descent.

    The full Hessian bound (one Gram matrix and one Cholesky factorisation)
    when there is no L1 term, at most ``max_dense`` coefficients and the bounds
    of the distinct (weights, penalty) pairs (a search's folds times its
    values of ``C``) fit in :data:`FULL_METRIC_MAX_BYTES`; otherwise its
    diagonal, which the line search scales (see :func:`full_metric_later`).
    """
    if (
        objective.n_coef <= max_dense
        and not np.any(objective.l1 > 0)
        and _full_metric_bytes(objective) <= FULL_METRIC_MAX_BYTES
    ):
        try:
            return CholeskyMetric(*objective.hessian_bound(), dtype=objective.dtype)
        except LinAlgError:
            pass
    return DiagonalMetric(objective.hessian_bound_diagonal(), objective.dtype)


def _full_metric_bytes(objective):
    """Peak bytes of building the full bound's :class:`CholeskyMetric`.

    The Gram matrices of the distinct weightings, the bounds twice (listed,
    then stacked) and their factors.
    """
    return 8 * (4 * objective.n_hessian_bounds() + 1) * objective.n_coef**2


def full_metric_max_bounds(n_coef):
    """Most distinct bounds a full metric of ``n_coef`` coefficients may hold.

    The largest count whose :func:`_full_metric_bytes` stays within
    :data:`FULL_METRIC_MAX_BYTES` (at least 1): a search runs its columns in
    groups of at most this many (fold, ``C``) pairs, so each column gets the
    metric its single fit would.
    """
    return max(1, (FULL_METRIC_MAX_BYTES // (8 * n_coef**2) - 1) // 4)


def full_metric_later(objective):
    """``descent``'s ``metric_switch`` for a diagonal metric of ``auto_metric``.

    ``(FULL_METRIC_AFTER, build)``: ``build(cols)`` returns the full bound's
    :class:`CholeskyMetric` for the problems ``cols`` still running (indexed
    by problem, as the diagonal metric), or None where it would take too much
    memory or cannot be factored.  None where the full bound cannot serve or
    costs too much: an L1 term (which needs a separable metric), sparse
    ``X`` or more than :data:`FULL_METRIC_MAX_COEF` coefficients.
    """
    if (
        np.any(objective.l1 > 0)
        or objective.n_coef > FULL_METRIC_MAX_COEF
        or sp.issparse(getattr(objective, "X", None))
    ):
        return None

    def build(cols):
        restricted = getattr(objective, "restricted", None)
        running = objective if restricted is None else restricted(cols)
        if _full_metric_bytes(running) > FULL_METRIC_MAX_BYTES:
            return None
        bounds, index = running.hessian_bound()
        if restricted is not None:
            index, local = np.zeros(objective.n_problems, dtype=int), index
            index[cols] = local
        try:
            return CholeskyMetric(bounds, index, dtype=objective.dtype)
        except LinAlgError:
            return None

    return FULL_METRIC_AFTER, build


# -- the engine ------------------------------------------------------------------
def gradient_descent(objective, coef, *, metric, **kwargs):
    """Plain (proximal) gradient descent: ``x <- prox(x - M^{-1} grad f(x))``.

    See :func:`descent` for the parameters.
    """
    return descent(objective, coef, metric=metric, accelerated=False, **kwargs)


def accelerated_gradient_descent(objective, coef, *, metric, **kwargs):
    """Nesterov-accelerated (FISTA) descent with adaptive restart.

    See :func:`descent` for the parameters.
    """
    return descent(objective, coef, metric=metric, accelerated=True, **kwargs)


# Every sweep limits BLAS to one thread (see ``_loss``); holding the limit for
# the whole run makes those nested limits free: setting it costs tens of
# microseconds, which show on small data.
@single_threaded_blas()
def descent(
    objective,
    coef,
    *,
    metric,
    accelerated,
    max_iter,
    tol,
    line_search=False,
    check_divergence=False,
    rise_is_divergence=True,
    metric_switch=None,
    callback=None,
):
    """Minimise every column of ``objective`` from ``coef``.

    Parameters
    ----------
    objective : BCEObjective
        The K problems.
    coef : ndarray of shape (n_coef, K)
        Starting point (not modified).
    metric : ScalarMetric, DiagonalMetric or CholeskyMetric
        Metric of the proximal step (see the module docstring).
    accelerated : bool
        Nesterov momentum with gradient restart.
    max_iter : int
        Most iterations per column.
    tol : float
        A column converges when the largest absolute entry of its proximal
        gradient is ``<= tol`` where its step starts; it keeps that step's
        point unless the step raised the objective (:meth:`_Descent.settle`).
        With ``tol=0`` it runs ``max_iter`` iterations unless the gradient is
        exactly zero.
    line_search : bool, default=False
        Double a column's ``alpha`` until its step satisfies sufficient decrease.
    check_divergence : bool, default=False
        Stop a column whose objective becomes non-finite or more than
        ``DIVERGENCE_FACTOR`` times ``max(J(start), 1)``, keeping the
        coefficients of the lowest objective it reached (the start's, if no
        iterate was lower); with ``rise_is_divergence``, a column that
        reaches ``max_iter`` with an objective above ``J(start)`` (by more
        than rounding: :func:`rose_above_start`) is diverged too, and keeps
        them also.
    rise_is_divergence : bool, default=True
        See ``check_divergence``.  ``partial_fit``'s single steps turn it off:
        it takes a step that rises on its batch's objective (and warns).
    metric_switch : tuple (int, callable), default=None
        ``(iteration, build)``: after that many iterations, the columns ``A``
        still running go on with the metric ``build(A)`` returns (unless
        None), from where they are, with their momentum and line-search scale
        reset.
    callback : callable, default=None
        Called after every iteration as ``callback(iteration, coef, objective,
        grad_max, active)``: ``coef`` of shape ``(n_coef, K)`` (read-only use),
        the other arrays of shape ``(K,)``; ``objective`` is NaN for a column
        whose step diverged at this iteration (its ``coef`` are those it
        keeps, of its lowest objective).  It returns a falsy value to go on,
        True to stop every running column, or a boolean mask of shape ``(K,)``
        of the columns to stop (their reason becomes ``"stopped by
        callback"``).

    Returns
    -------
    DescentResult
    """
    run = _Descent(objective, coef, metric, accelerated, line_search)
    n_problems = coef.shape[1]
    n_iter = np.zeros(n_problems, dtype=int)
    stop_reason = np.full(n_problems, MAX_ITER, dtype=object)
    active = np.ones(n_problems, dtype=bool)
    f_start = run.fx.copy()
    f_limit = DIVERGENCE_FACTOR * np.maximum(f_start, 1.0)
    # The iterate of the lowest objective so far, which a diverged column keeps.
    best = run.x.copy() if check_divergence else None
    best_f = run.fx.copy()

    # A step too large overflows on its way to a non-finite objective, which
    # is reported as divergence: numpy's own warnings would only repeat it.
    def quiet():
        if not check_divergence:
            return contextlib.nullcontext()
        return np.errstate(over="ignore", invalid="ignore")

    history = []
    for _ in range(max_iter):
        A = np.flatnonzero(active)
        if A.size == 0:
            break
        if metric_switch is not None and len(history) == metric_switch[0]:
            metric = metric_switch[1](A)
            if metric is not None:
                run.switch_metric(metric, A)
        with quiet():
            step = run.step(A)
        done = run.grad_max[A] <= tol
        if done.any():
            with quiet():
                run.settle(step, done)
        diverged = np.zeros(A.size, dtype=bool)
        if check_divergence:
            diverged = ~np.isfinite(step.f_new) | (step.f_new > f_limit[A])
        ok = ~diverged
        row = np.full(n_problems, np.nan)
        row[A[ok]] = step.f_new[ok]
        history.append(row)
        n_iter[A[ok]] += 1
        stop_reason[A[diverged]] = DIVERGED
        stop_reason[A[done & ok]] = CONVERGED
        active[A[diverged | done]] = False
        run.accept(step, ok)
        if check_divergence:
            lower = A[ok & (step.f_new < best_f[A])]
            best[:, lower] = run.x[:, lower]
            best_f[lower] = run.fx[lower]
            gone = A[diverged]
            run.x[:, gone] = best[:, gone]
            run.fx[gone] = best_f[gone]

        if callback is not None:
            reported = run.fx.copy()
            reported[A[diverged]] = np.nan
            stop = callback(len(history), run.x, reported, run.grad_max, active.copy())
            stop = active & np.broadcast_to(np.asarray(stop, dtype=bool), active.shape)
            stop_reason[stop] = STOPPED
            active &= ~stop
        with quiet():
            run.move_to_next_point(step, active[A])

    if check_divergence and rise_is_divergence:
        # A column that ran out of iterations higher than it started was
        # swinging, not descending: it diverged too, only more slowly.
        swung = (stop_reason == MAX_ITER) & rose_above_start(
            run.fx, f_start, run.x.dtype
        )
        stop_reason[swung] = DIVERGED
        run.x[:, swung] = best[:, swung]
        run.fx[swung] = best_f[swung]
    history = np.array(history).reshape(-1, n_problems)[: max(n_iter.max(), 0)]
    return DescentResult(
        coef=run.x,
        objective=run.fx,
        n_iter=n_iter,
        history=history,
        converged=stop_reason == CONVERGED,
        stop_reason=stop_reason.astype(str),
        grad_max=run.grad_max,
        start_objective=f_start,
    )


def _keep_columns(array, cols, rows=4096):
    """``array[:, cols]`` written over the start of ``array``'s own memory.

    ``array`` is C-contiguous with at least ``len(cols)`` columns: the new
    rows ``begin:end`` go where old rows before ``end`` lie, so copying them
    (through a small temporary) block by block in order never overwrites a
    row not yet copied, and no second array of the full size is allocated.
    """
    n, k = array.shape[0], len(cols)
    flat = array.reshape(-1)
    for begin in range(0, n, rows):
        end = min(begin + rows, n)
        flat[begin * k : end * k] = array[begin:end, cols].reshape(-1)
    return flat[: n * k].reshape(n, k)


@dataclass
class _Step:
    """One iteration of the running columns ``cols`` before it is committed."""

    cols: np.ndarray
    x_new: np.ndarray
    f_new: np.ndarray
    t_next: np.ndarray
    point: np.ndarray
    gradient: np.ndarray
    point_objective: np.ndarray | None


class _Descent:
    """The state of a descent and its moves, one column per problem.

    Holds the iterate ``x`` with its objective ``fx`` (and, with momentum, its
    logits ``Z_x``), the point ``y`` the next step starts from with its
    gradient (and objective, for the line search), the momentum ``t`` and the
    line-search scale ``alpha`` of every column.
    """

    def __init__(self, objective, coef, metric, accelerated, line_search):
        self.objective = objective
        self.metric = metric
        self.accelerated = accelerated
        self.line_search = line_search
        self.n_problems = coef.shape[1]
        self.l1 = objective.l1
        self.use_prox = bool(np.any(self.l1 > 0))
        if self.use_prox and not metric.separable:
            raise ValueError("an L1 penalty needs a scalar or diagonal metric")
        self.x = np.array(coef, copy=True)
        # The line search's allowance for rounding, relative to the objective.
        self._slack = 32 * np.finfo(self.x.dtype).eps
        self.logits = None
        if accelerated and getattr(objective, "stores_logits", True):
            dtype = np.result_type(objective.dtype, self.x.dtype)
            self.logits = np.empty((objective.n_samples, self.n_problems), dtype)
        start = objective.sweep(self.x, logits=self.logits)
        # The problems the swept objective (and the logits) hold: all at first.
        self.held = np.arange(self.n_problems)
        self.held_objective = objective
        self.fx = start.objective
        self.y, self.grad, self.fy = self.x.copy(), start.gradient, self.fx.copy()
        self.momentum = np.ones(self.n_problems)
        self.alpha = np.ones(self.n_problems)
        self.grad_max = np.full(self.n_problems, np.nan)

    def switch_metric(self, metric, cols):
        """Go on with ``metric`` (indexed by problem, as the first): the
        columns ``cols`` restart their momentum and line-search scale."""
        self.metric = metric
        self.alpha[cols] = 1.0
        self.momentum[cols] = 1.0

    def _cols(self, cols):
        """``cols`` as columns of :attr:`held_objective` (None: all of them)."""
        if len(cols) == len(self.held):
            return None
        return np.searchsorted(self.held, cols)

    def _compact(self, A):
        """Hold only the running columns ``A`` when they are few enough."""
        if len(A) > COMPACT_SHARE * len(self.held):
            return
        restricted = getattr(self.held_objective, "restricted", None)
        if restricted is None:
            return
        local = np.searchsorted(self.held, A)
        self.held_objective = restricted(local)
        if self.logits is not None:
            self.logits = _keep_columns(self.logits, local)
        self.held = A.copy()

    def propose(self, y, grad, cols):
        """The proximal step ``prox(y - M^{-1} grad / alpha)`` of ``cols``."""
        alpha = self.alpha[cols]
        x_new = y - self.metric.solve(grad, cols) / alpha.astype(y.dtype)
        if self.use_prox:
            n_features = self.objective.n_features
            inverse = self.metric.inverse_diagonal(cols)[:n_features]
            with np.errstate(over="ignore"):
                threshold = self.l1[cols] * inverse / alpha
            threshold = within_dtype(threshold, x_new.dtype)
            x_new[:n_features] = soft_threshold(x_new[:n_features], threshold)
        return x_new

    def gradient_mapping(self, x_new, y, grad, cols):
        """``alpha M (y - x_new)``: the gradient itself without an L1 term.

        With one, computed without forming ``y - x_new``, which rounds to 0
        for a step far below the size of ``y`` (a line-search scale grown
        large) and would report convergence whatever the gradient: it is
        ``grad + l1 sign(x_new)`` where the proximal step keeps a
        coefficient, ``alpha M y`` where it zeroes it, and the gradient for
        the intercept.
        """
        if not self.use_prox:
            return grad
        n_features = self.objective.n_features
        mapping = np.array(grad, copy=True)
        w_new = x_new[:n_features]
        l1 = self.l1[cols].astype(grad.dtype)
        # In float64: alpha M can pass float32's range, and y is 0 where a
        # coefficient stays 0.  An entry beyond the dtype's range is inf, as
        # far from tol as it gets.
        scale = self.alpha[cols] / self.metric.inverse_diagonal(cols)[:n_features]
        with np.errstate(over="ignore"):
            mapping[:n_features] = np.where(
                w_new != 0,
                grad[:n_features] + l1 * np.sign(w_new),
                y[:n_features] * scale,
            )
        return mapping

    def extrapolation(self, x_new, x, direction, cols):
        """Momentum ``beta`` and next ``t`` of each column, restart included.

        The momentum restarts (``beta = 0``) when the step goes against the
        gradient mapping at ``y``, ``<G(y), x_new - x> > 0`` (the gradient
        scheme of O'Donoghue & Candès, 2015), which is known before ``X`` is
        read.  Plain descent has no momentum: ``beta`` is None and ``t`` stays.
        """
        if not self.accelerated:
            return None, self.momentum[cols]
        restart = (direction * (x_new - x)).sum(axis=0, dtype=np.float64) > 0
        t = np.where(restart, 1.0, self.momentum[cols])
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t**2))
        return (t - 1.0) / t_next, t_next

    def sweep(self, x_new, cols, beta, recompute):
        """Objective at ``x_new`` and gradient at the next ``y``: one read of X."""
        return self.held_objective.sweep(
            x_new,
            self._cols(cols),
            logits=self.logits,
            beta=beta,
            previous=self.x[:, cols] if beta is not None else None,
            recompute_previous=recompute,
            point_objective=self.line_search,
        )

    def step(self, A):
        """Propose, sweep and (with the line search) accept a step of ``A``."""
        self._compact(A)
        y, grad, x = self.y[:, A], self.grad[:, A], self.x[:, A]
        x_new = self.propose(y, grad, A)
        mapping = self.gradient_mapping(x_new, y, grad, A)
        self.grad_max[A] = np.abs(mapping).max(axis=0) if len(mapping) else 0.0
        beta, t_next = self.extrapolation(x_new, x, mapping, A)
        swept = self.sweep(x_new, A, beta, recompute=False)
        step = _Step(
            A,
            x_new,
            swept.objective.copy(),
            t_next,
            np.array(swept.point, copy=True),
            swept.gradient,
            swept.point_objective,
        )
        if self.line_search:
            self._backtrack(step, y, grad, x)
        return step

    def _backtrack(self, step, y, grad, x):
        """Double ``alpha`` of the columns whose step fails sufficient decrease.

        A failed column is swept again (an extra read of X, for it alone); the
        gradient its failed sweep computed is discarded.
        """
        A = step.cols
        smooth_y = self.fy[A] - self._l1_penalty(y, A)
        slack = self._slack * (np.abs(smooth_y) + 1e-12)
        first_try = np.ones(A.size, dtype=bool)
        while True:
            move = step.x_new - y
            curvature = (move * self.metric.apply(move, A)).sum(axis=0, dtype=float)
            bound = (
                smooth_y
                + (grad * move).sum(axis=0, dtype=float)
                + 0.5 * self.alpha[A] * curvature
            )
            smooth_new = step.f_new - self._l1_penalty(step.x_new, A)
            # Rounding in the sums over samples must not force more halving;
            # a step that no longer moves (or a huge alpha) has nothing left
            # to shorten, so it is accepted.
            bad = (
                ~(smooth_new <= bound + slack)
                & (move != 0).any(axis=0)
                & (self.alpha[A] < MAX_ALPHA)
            )
            if not bad.any():
                break
            first_try &= ~bad
            B = A[bad]
            self.alpha[B] *= 2.0
            x_new = self.propose(y[:, bad], grad[:, bad], B)
            mapping = self.gradient_mapping(x_new, y[:, bad], grad[:, bad], B)
            beta, step.t_next[bad] = self.extrapolation(x_new, x[:, bad], mapping, B)
            swept = self.sweep(x_new, B, beta, recompute=True)
            step.x_new[:, bad] = x_new
            step.f_new[bad] = swept.objective
            step.point[:, bad] = swept.point
            step.gradient[:, bad] = swept.gradient
            if step.point_objective is not None:
                step.point_objective[bad] = swept.point_objective
        # Lengthen the step again while it keeps being accepted at once, by
        # a decrease that rounding cannot explain: where the objective is
        # flat to rounding every step passes, and steps lengthened at each
        # iteration without bound (tol=0 runs) sent the iterate wandering.
        # (smooth_new is the accepted steps', computed by the last pass.)
        first_try &= smooth_new < smooth_y - slack
        self.alpha[A[first_try]] *= STEP_GROWTH

    def _l1_penalty(self, coef, cols):
        """The L1 part of the objective of ``cols`` at ``coef`` (0 without L1)."""
        if not self.use_prox:
            return 0.0
        return self.held_objective.l1_penalty(coef, self._cols(cols))

    def settle(self, step, done):
        """Keep the start ``y`` of the columns ``done`` whose step rose from it.

        A column is done when the gradient (mapping) at ``y``, where its step
        starts, meets ``tol``: ``y`` is the point convergence was measured
        at.  The step from it is taken when it lowers the objective; a step
        too long for the curvature there (a fixed learning rate, say, from a
        warm start at the optimum) would leave a point above ``y`` whose
        gradient was never checked, so the column stays at ``y`` instead
        (when the rise is beyond rounding): ``step`` is changed in place to
        hold ``y`` and its objective.
        """
        D = step.cols[done]
        f_start = self._start_objective(D)
        # By more than rounding (as in the line search): a step that descends
        # by less than the objective's rounding is taken, as any other; one
        # that overflowed (a NaN objective) rose.
        with np.errstate(invalid="ignore"):
            rose = ~(step.f_new[done] <= f_start + self._slack * np.abs(f_start))
        if not rose.any():
            return
        at = np.flatnonzero(done)[rose]
        step.x_new[:, at] = self.y[:, D[rose]]
        step.f_new[at] = f_start[rose]

    def _start_objective(self, cols):
        """The objective at the points ``y`` the steps of ``cols`` start from."""
        if self.line_search:
            return self.fy[cols]
        f = self.fx[cols].copy()
        if not self.accelerated:
            return f  # plain descent starts from its iterate: y is x
        # With momentum y is x after a restart; elsewhere it is computed.
        moved = (self.y[:, cols] != self.x[:, cols]).any(axis=0)
        if moved.any():
            M = cols[moved]
            f[moved] = self.held_objective.sweep(self.y[:, M], self._cols(M)).objective
        return f

    def accept(self, step, ok):
        """Make ``x_new`` the iterate of the columns ``ok`` of the step."""
        keep = step.cols[ok]
        self.x[:, keep] = step.x_new[:, ok]
        self.fx[keep] = step.f_new[ok]
        self.momentum[keep] = step.t_next[ok]

    def move_to_next_point(self, step, going_on):
        """Start the next step of the columns still running from their ``y``."""
        G = step.cols[going_on]
        if not G.size:
            return
        self.y[:, G] = step.point[:, going_on]
        self.grad[:, G] = step.gradient[:, going_on]
        if step.point_objective is not None:
            self.fy[G] = step.point_objective[going_on]
