"""Gradient-descent engines for K problems that share one design matrix.

The engines minimise ``J_k = f_k + l1_k ||w_k||_1`` for every column ``k`` of
an objective such as :class:`sklearn_bce._loss.BCEObjective`, where ``f_k`` is
smooth.  They only use the objective's methods (``raw_prediction``,
``objective``, ``gradient``, ``l1_penalty`` and its attributes), never warn and
know nothing about scikit-learn: they return a :class:`DescentResult` and leave
interpretation to the caller.

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
FISTA) steps from ``y = x + beta (x - x_prev)`` and restarts the momentum when
the objective goes up (O'Donoghue & Candès, 2015).  With ``line_search`` the
metric is scaled per column by ``alpha``, doubled until the step satisfies the
sufficient-decrease condition of Beck & Teboulle (2009), so every accepted step
descends whatever bound the metric came from; after a step accepted at the
first try ``alpha`` shrinks by ``STEP_GROWTH``, so the step grows back where the
Hessian bound is loose (far from the decision boundary, ``sigmoid'`` is much
smaller than its bound 1/4).

Logits are linear in the coefficients, so the engines carry ``Z = X W + b``
along with ``W``: the extrapolated point's logits are a combination of stored
ones, and each iteration reads ``X`` twice (``X @ W`` for the objective at the
new point and ``X.T @ R`` for the next gradient) whatever the method.

A column stops as soon as it converges (the largest absolute entry of its
proximal gradient is ``<= tol``) or diverges; the others go on.
"""

from dataclasses import dataclass

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve

from ._loss import soft_threshold

#: Objective values this many times above ``max(J(start), 1)`` count as divergence.
DIVERGENCE_FACTOR = 1e2

#: Factor applied to a line-searched column's ``alpha`` after a first-try success.
STEP_GROWTH = 0.8

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
        Final coefficients; for a diverged column, the last iterate whose
        objective was finite and not far above the start.
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
    """

    coef: np.ndarray
    objective: np.ndarray
    n_iter: np.ndarray
    history: np.ndarray
    converged: np.ndarray
    stop_reason: np.ndarray
    grad_max: np.ndarray


# -- metrics ------------------------------------------------------------------
class ScalarMetric:
    """``M = I / step``: the textbook update with one step size per column."""

    separable = True

    def __init__(self, step):
        self.step = np.asarray(step, dtype=np.float64)

    def solve(self, grad, cols):
        return grad * self.step[cols].astype(grad.dtype)

    def apply(self, direction, cols):
        return direction / self.step[cols].astype(direction.dtype)

    def inverse_diagonal(self, cols):
        return self.step[cols][None, :]


class DiagonalMetric:
    """``M = diag(d)`` with one diagonal of shape ``(n_coef, K)`` per column."""

    separable = True

    def __init__(self, diagonal):
        diagonal = np.asarray(diagonal, dtype=np.float64)
        # An all-zero column of X gives a zero entry (and a zero gradient).
        floor = 1e-12 * np.maximum(diagonal.max(axis=0), np.finfo(float).tiny)
        self.diagonal = np.maximum(diagonal, floor)

    def solve(self, grad, cols):
        return grad / self.diagonal[:, cols].astype(grad.dtype)

    def apply(self, direction, cols):
        return direction * self.diagonal[:, cols].astype(direction.dtype)

    def inverse_diagonal(self, cols):
        return 1.0 / self.diagonal[:, cols]


class CholeskyMetric:
    """``M = B`` through its Cholesky factors; columns may share a factor."""

    separable = False

    def __init__(self, bounds, index):
        self.bounds = bounds
        self.index = np.asarray(index)
        self.factors = []
        for bound in bounds:
            bound = bound.copy()
            jitter = 1e-10 * max(bound.diagonal().max(), np.finfo(float).tiny)
            bound[np.diag_indices_from(bound)] += jitter
            self.factors.append(cho_factor(bound, lower=True))

    def _by_group(self, array, cols, function):
        out = np.empty_like(array)
        groups = self.index[cols]
        for group in np.unique(groups):
            mask = groups == group
            out[:, mask] = function(group, array[:, mask])
        return out

    def solve(self, grad, cols):
        return self._by_group(
            grad, cols, lambda group, g: cho_solve(self.factors[group], g)
        )

    def apply(self, direction, cols):
        return self._by_group(direction, cols, lambda group, d: self.bounds[group] @ d)

    def inverse_diagonal(self, cols):  # pragma: no cover - guarded by `separable`
        raise TypeError("a Cholesky metric has no separable proximal operator")


def lipschitz_metric(objective):
    """The textbook safe step ``1 / L`` for every column (a :class:`ScalarMetric`)."""
    return ScalarMetric(1.0 / objective.smoothness_bound())


def auto_metric(objective, max_dense=256):
    """The metric ``learning_rate="auto"`` uses with accelerated descent.

    The full Hessian bound (one Gram matrix and one Cholesky factorisation)
    when there is no L1 term and at most ``max_dense`` coefficients; otherwise
    its diagonal, which the line search scales.
    """
    if objective.n_coef <= max_dense and not np.any(objective.l1 > 0):
        try:
            return CholeskyMetric(*objective.hessian_bound())
        except LinAlgError:
            pass
    return DiagonalMetric(objective.hessian_bound_diagonal())


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
        Nesterov momentum with function-value restart.
    max_iter : int
        Most iterations per column.
    tol : float
        A column converges when the largest absolute entry of its proximal
        gradient is ``<= tol``.  With ``tol=0`` it runs ``max_iter`` iterations
        unless the gradient is exactly zero.
    line_search : bool, default=False
        Double a column's ``alpha`` until its step satisfies sufficient decrease.
    check_divergence : bool, default=False
        Stop a column whose objective becomes non-finite or more than
        ``DIVERGENCE_FACTOR`` times ``max(J(start), 1)``, keeping the last good
        coefficients.
    callback : callable, default=None
        Called after every iteration as ``callback(iteration, coef, objective,
        grad_max, active)``: ``coef`` of shape ``(n_coef, K)`` (read-only use),
        the other arrays of shape ``(K,)``.  It returns a falsy value to go on,
        True to stop every running column, or a boolean mask of shape ``(K,)``
        of the columns to stop (their reason becomes ``"stopped by
        callback"``).

    Returns
    -------
    DescentResult
    """
    n_problems = coef.shape[1]
    n_features = objective.n_features
    l1 = objective.l1
    use_prox = bool(np.any(l1 > 0))
    if use_prox and not metric.separable:
        raise ValueError("an L1 penalty needs a scalar or diagonal metric")

    x = np.array(coef, copy=True)
    Zx = objective.raw_prediction(x)
    fx = objective.objective(Zx, x)
    f_limit = DIVERGENCE_FACTOR * np.maximum(fx, 1.0)
    y, Zy, fy = x.copy(), Zx, fx.copy()
    grad = objective.gradient(Zy, y)
    momentum = np.ones(n_problems)
    alpha = np.ones(n_problems)
    n_iter = np.zeros(n_problems, dtype=int)
    grad_max = np.full(n_problems, np.nan)
    stop_reason = np.full(n_problems, MAX_ITER, dtype=object)
    active = np.ones(n_problems, dtype=bool)
    history = []

    def propose(y_cols, grad_cols, cols):
        scale = alpha[cols].astype(y_cols.dtype)
        x_new = y_cols - metric.solve(grad_cols, cols) / scale
        if use_prox:
            threshold = l1[cols] * metric.inverse_diagonal(cols)[:n_features]
            x_new[:n_features] = soft_threshold(
                x_new[:n_features], (threshold / alpha[cols]).astype(x_new.dtype)
            )
        return x_new

    def evaluate(x_new, cols):
        sub = None if len(cols) == n_problems else cols
        Z_new = objective.raw_prediction(x_new, sub)
        return Z_new, objective.objective(Z_new, x_new, sub)

    for _ in range(max_iter):
        A = np.flatnonzero(active)
        if A.size == 0:
            break
        sub = None if A.size == n_problems else A
        y_A, grad_A = y[:, A], grad[:, A]
        x_new = propose(y_A, grad_A, A)
        step = x_new - y_A
        if use_prox:
            prox_grad = -metric.apply(step, A) * alpha[A].astype(step.dtype)
        else:
            prox_grad = grad_A
        grad_max[A] = np.abs(prox_grad).max(axis=0) if len(prox_grad) else 0.0
        done = grad_max[A] <= tol

        Z_new, f_new = evaluate(x_new, A)
        if line_search:
            smooth_y = fy[A] - objective.l1_penalty(y_A, sub)
            first_try = np.ones(A.size, dtype=bool)
            while True:
                smooth_new = f_new - objective.l1_penalty(x_new, sub)
                curvature = (step * metric.apply(step, A)).sum(axis=0, dtype=float)
                bound = (
                    smooth_y
                    + (grad_A * step).sum(axis=0, dtype=float)
                    + 0.5 * alpha[A] * curvature
                )
                # Rounding in the sums over samples must not force more halving.
                slack = 32 * np.finfo(x.dtype).eps * (np.abs(smooth_y) + 1e-12)
                bad = ~(smooth_new <= bound + slack)
                if not bad.any():
                    break
                first_try &= ~bad
                alpha[A[bad]] *= 2.0
                x_new[:, bad] = propose(y_A[:, bad], grad_A[:, bad], A[bad])
                step[:, bad] = x_new[:, bad] - y_A[:, bad]
                Z_new[:, bad], f_new[bad] = evaluate(x_new[:, bad], A[bad])

            # Lengthen the step again while it keeps being accepted at once.
            alpha[A[first_try]] *= STEP_GROWTH
        diverged = np.zeros(A.size, dtype=bool)
        if check_divergence:
            diverged = ~np.isfinite(f_new) | (f_new > f_limit[A])
        ok = ~diverged
        row = np.full(n_problems, np.nan)
        row[A[ok]] = f_new[ok]
        history.append(row)
        n_iter[A[ok]] += 1
        stop_reason[A[diverged]] = DIVERGED
        stop_reason[A[done & ok]] = CONVERGED
        active[A[diverged | done]] = False

        if accelerated:
            restart = f_new > fx[A]
            momentum[A[restart]] = 1.0
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * momentum[A] ** 2))
            beta = ((momentum[A] - 1.0) / t_next).astype(x.dtype)
            momentum[A] = t_next
            y_new = x_new + beta * (x_new - x[:, A])
            Zy_new = Z_new + beta * (Z_new - Zx[:, A])
        else:
            y_new, Zy_new = x_new, Z_new

        # Commit the accepted columns; diverged ones keep their last good x.
        keep = A[ok]
        x[:, keep] = x_new[:, ok]
        fx[keep] = f_new[ok]
        if accelerated:
            Zx[:, keep] = Z_new[:, ok]

        if callback is not None:
            stop = callback(len(history), x, fx, grad_max, active.copy())
            stop = active & np.broadcast_to(np.asarray(stop, dtype=bool), active.shape)
            stop_reason[stop] = STOPPED
            active &= ~stop
        go_on = ok & ~done & active[A]
        G = A[go_on]
        if G.size:
            y[:, G] = y_new[:, go_on]
            sub_G = None if G.size == n_problems else G
            Zy_G = Zy_new if go_on.all() else Zy_new[:, go_on]
            grad[:, G] = objective.gradient(Zy_G, y[:, G], sub_G)
            if line_search:
                fy[G] = objective.objective(Zy_G, y[:, G], sub_G)

    history = np.array(history).reshape(-1, n_problems)[: max(n_iter.max(), 0)]
    return DescentResult(
        coef=x,
        objective=fx,
        n_iter=n_iter,
        history=history,
        converged=stop_reason == CONVERGED,
        stop_reason=stop_reason.astype(str),
        grad_max=grad_max,
    )
