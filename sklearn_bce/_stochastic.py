"""Mini-batch (stochastic) gradient descent on the objective of ``_loss``.

An epoch visits the rows in a fresh random order, in ``ceil(n / batch_size)``
batches of nearly equal size (at most ``batch_size`` rows each).  Unlike
``MLPClassifier``'s full batches and a shorter last one, no batch is much
smaller than the others: a short batch's step is far noisier, and on 300
standardised rows with ``batch_size=32`` (nine batches of 32 and one of 12)
that noise kept the default ``tol`` out of reach for 1000 epochs, where ten
batches of 30 converged in 76-193 epochs (four seeds).
Each batch gives an unbiased estimate of the gradient of the full objective
``J`` (its data term: the batch's weighted mean loss times the batch's share
of the total weight over its share of the rows, so that weights keep their
meaning across batches; the penalty at full strength) and
one proximal step of size at most ``step_k = step / sqrt(1 + k)`` in epoch
``k``: the decreasing schedule that stochastic steps need to settle.  With a
line search (``learning_rate="auto"``) each batch's step is halved until it
decreases that batch's objective sufficiently, and doubled again (up to the
schedule's cap) for the next batch.  That guards each batch's objective, not
``J``: a batch smaller than the number of features (or a single row) can be
fitted by almost any step, and an epoch of such steps can end above where it
started.  So after each epoch one pass over all the data measures ``J`` and
its (proximal) gradient, which give the loss curve, the convergence test
(``<= tol``) and the divergence test (fixed steps); with the line search, an
epoch that raised ``J`` (beyond the batches' noise,
:data:`EPOCH_RISE_TOLERANCE`) is undone and the column's cap halved for the
epochs after it.
Rows are read batch by batch (``X[batch]``), so a memory-mapped ``X`` is never
loaded whole.
"""

import contextlib

import numpy as np

from ._loss import BCEObjective, l1_subgradient_residual, l2_term, soft_threshold
from ._solver import (
    CONVERGED,
    DIVERGED,
    DIVERGENCE_FACTOR,
    MAX_ITER,
    STOPPED,
    DescentResult,
    rose_above_start,
    safe_step,
    within_dtype,
)

#: Growth of a line-searched step from one batch to the next.
BATCH_STEP_GROWTH = 2.0

#: ``"auto"``: how far above its start (relative to ``max(J, 1)``) an epoch
#: may end before it is undone.  Near the optimum, the batches' noise moves
#: ``J`` up and down by about this much whatever the dtype (and float32's
#: rounding, 32 eps, is this); undoing such epochs, each halving the steps
#: for good, stalled float64 fits far from ``tol``.
EPOCH_RISE_TOLERANCE = 32 * float(np.finfo(np.float32).eps)


def _batch_step(part, coef, l2, l1, eta, line_search, scale=None, inverse=None):
    """One proximal gradient step on a batch; ``eta`` is updated in place.

    ``part`` holds the batch's data term (its weighted mean loss), which the
    step multiplies by ``scale`` (per column; None for 1); the penalty enters
    at full strength (``l2``, ``l1``), so the batch gradient estimates the
    full one.  ``inverse`` (of ``coef``'s shape; None for 1) scales the step
    of each coefficient: the step is ``eta * inverse`` times the gradient, a
    proximal step in the metric ``diag(1 / inverse)``.
    """
    n_features = part.n_features
    raw = part.raw_prediction(coef)
    grad = part.gradient(raw, coef)
    if scale is not None:
        grad *= scale.astype(coef.dtype)
    grad[:n_features] += l2.astype(coef.dtype) * coef[:n_features]

    def smooth(c, z):
        w = c[:n_features].astype(np.float64)
        data = part.objective(z, c)
        if scale is not None:
            data = data * scale
        return data + l2_term(l2, w)

    def proposal():
        # Per coefficient, whether or not the factors are.
        steps = np.broadcast_to(eta if inverse is None else eta * inverse, coef.shape)
        # Steps beyond the dtype's range (features in tiny units, in float32)
        # are cut to its largest number rather than made infinite.
        new = coef - within_dtype(steps, coef.dtype) * grad
        if np.any(l1 > 0):
            with np.errstate(over="ignore"):
                threshold = steps[:n_features] * l1
            new[:n_features] = soft_threshold(
                new[:n_features], within_dtype(threshold, coef.dtype)
            )
        return new

    new = proposal()
    if not line_search:
        return new
    before = smooth(coef, raw)
    for _ in range(60):
        step = new - coef
        z = part.raw_prediction(new)
        squares = step.astype(np.float64) ** 2
        if inverse is not None:
            squares /= inverse
        bound = (
            before
            + (grad * step).sum(axis=0, dtype=np.float64)
            + squares.sum(axis=0) / (2 * eta)
        )
        bad = ~(
            smooth(new, z) <= bound + 32 * np.finfo(coef.dtype).eps * np.abs(before)
        )
        if not bad.any():
            break
        eta[bad] *= 0.5
        new = proposal()
    return new


def _penalty_step(W, l2, l1, eta, inverse=None):
    """A proximal step on the penalty alone (a batch without weight).

    ``W <- prox_{eta l1}(W - eta l2 W)``, its shrink factor kept in ``[0, 1]``
    (a step longer than ``1 / l2`` would overshoot the penalty's minimum, 0);
    ``eta`` times ``inverse`` per coefficient when given (see
    :func:`_batch_step`).
    """
    steps = eta if inverse is None else eta * inverse
    shrink = 1.0 - np.minimum(steps * l2, 1.0)
    W = W * shrink.astype(W.dtype)
    if np.any(l1 > 0):
        with np.errstate(over="ignore"):
            threshold = steps * l1
        W = soft_threshold(W, within_dtype(threshold, W.dtype))
    return W


def step_schedule(step, epoch):
    """Step size of epoch ``epoch`` (0-based): ``step / sqrt(1 + epoch)``."""
    return step / np.sqrt(1.0 + epoch)


def auto_step_cap(objective):
    """Longest first-epoch steps of ``learning_rate="auto"``, per coefficient.

    ``1 / diag B``, with ``B`` the Hessian bound of the full objective: the
    inverse of each coefficient's curvature (one pass over ``X``), so that
    the steps are blind to the scale of each feature, as the full-batch
    default's.  They can be too long for some batches; the line search
    shortens them there.  A coefficient's curvature counts as at least the
    precision of ``X``'s dtype times the column's largest: the factors stay
    within ``1 / eps`` of each other (a feature of a vanishing scale is left
    almost still rather than given a step that overflows).
    """
    diagonal = objective.hessian_bound_diagonal()
    floor = np.finfo(objective.X.dtype).eps * diagonal.max(axis=0)
    return safe_step(np.maximum(diagonal, floor))


def minibatch_descent(
    objective,
    coef,
    *,
    batch_size,
    step,
    max_iter,
    tol,
    random_state,
    line_search=False,
    inverse=None,
    check_divergence=False,
    callback=None,
):
    """Minimise every column of ``objective`` by epochs of mini-batch steps.

    Parameters
    ----------
    objective : BCEObjective
        The full problem (its ``X``, ``Y``, weights and penalty).
    coef : ndarray of shape (n_coef, K)
        Starting point (not modified).
    batch_size : int
        Rows per step.
    step : ndarray of shape (K,)
        Step size of the first epoch, per column.
    max_iter : int
        Most epochs.
    tol : float
        Convergence tolerance on the full proximal gradient after an epoch.
    random_state : numpy.random.RandomState
        Source of the row orders.
    line_search : bool, default=False
        Halve each batch's step until it satisfies the sufficient-decrease
        condition on that batch's objective, then try a longer step on the
        next batch; the schedule caps the step at ``step / sqrt(1 + epoch)``,
        halved for every earlier epoch of the column that raised ``J`` by
        more than :data:`EPOCH_RISE_TOLERANCE` (and was undone).
    inverse : ndarray of shape (n_coef, K), default=None
        Per-coefficient factors of the step (None: 1): a coefficient's step
        is ``step`` (as scheduled and searched) times its factor, as
        :func:`_batch_step` takes them.
    check_divergence, callback
        As in :func:`sklearn_bce._solver.descent`; the callback is called
        after every epoch.

    Returns
    -------
    DescentResult
        With ``n_iter`` counting epochs.
    """
    # A step too large overflows on its way to a non-finite objective, which
    # is reported as divergence: numpy's own warnings would only repeat it.
    quiet = (
        np.errstate(over="ignore", invalid="ignore")
        if check_divergence
        else contextlib.nullcontext()
    )
    with quiet:
        return _epochs(
            objective,
            coef,
            batch_size=batch_size,
            step=step,
            max_iter=max_iter,
            tol=tol,
            random_state=random_state,
            line_search=line_search,
            inverse=inverse,
            check_divergence=check_divergence,
            callback=callback,
        )


def _epochs(
    objective,
    coef,
    *,
    batch_size,
    step,
    max_iter,
    tol,
    random_state,
    line_search,
    inverse,
    check_divergence,
    callback,
):
    """The epochs of :func:`minibatch_descent`."""
    X, Y = objective.X, objective.Y
    if objective._target_index is not None:
        Y = Y[:, objective._target_index]
    weights = objective._scaled_weight  # (n_samples, 1) or (n_samples, K)
    n_samples, n_features = X.shape
    n_problems = coef.shape[1]
    l2, l1 = objective.l2, objective.l1
    x = np.array(coef, copy=True)
    value = objective.objective(objective.raw_prediction(x), x)
    limit = DIVERGENCE_FACTOR * np.maximum(value, 1.0)
    # The epoch's iterate of the lowest objective, which a diverged column keeps.
    best, best_value = (x.copy(), value.copy()) if check_divergence else (None, None)
    # A batch's mean loss estimates the full one when the weights are equal
    # (zeros aside: rows left out, such as early stopping's validation rows);
    # otherwise it is scaled by the batch's share of the weight (the weights
    # sum to 1) over its share of the rows.
    largest = weights.max(axis=0)
    equal_weights = bool(np.all((weights == 0) | (weights == largest)))
    n_iter = np.zeros(n_problems, dtype=int)
    grad_max = np.full(n_problems, np.nan)
    stop_reason = np.full(n_problems, MAX_ITER, dtype=object)
    active = np.ones(n_problems, dtype=bool)
    history = []
    # "auto": an epoch that ends above where it started by more than noise
    # (its batches' line searches guard each batch's objective, not
    # J) is undone, and the column's later epochs take steps half as long.
    shrink = np.ones(n_problems)
    for epoch in range(max_iter):
        A = np.flatnonzero(active)
        if A.size == 0:
            break
        start = x[:, A].copy() if line_search else None
        cap = step_schedule(step[A], epoch) * shrink[A]
        eta = cap.copy()
        # The running columns' factors, for the whole epoch.
        factors = None if inverse is None else inverse[:, A]
        for batch in np.array_split(
            random_state.permutation(n_samples), max(1, -(-n_samples // batch_size))
        ):
            batch = np.sort(batch)
            batch_weight = (
                weights[batch][:, 0] if weights.shape[1] == 1 else weights[batch][:, A]
            )
            if not np.any(batch_weight > 0):
                if not equal_weights:
                    # The batch's data term is zero, not unknown: a step on
                    # the penalty alone keeps the epoch's gradient unbiased.
                    x[:n_features, A] = _penalty_step(
                        x[:n_features, A],
                        l2[A],
                        l1[A],
                        eta,
                        None if factors is None else factors[:n_features],
                    )
                continue
            part = BCEObjective(
                X[batch],
                Y[batch][:, A],
                batch_weight,
                np.inf,
                0.0,
                objective.fit_intercept,
            )
            scale = None
            if not equal_weights:
                share = batch_weight.sum(axis=0, dtype=np.float64)
                scale = np.broadcast_to(share * n_samples / len(batch), A.shape)
            x[:, A] = _batch_step(
                part,
                x[:, A],
                l2[A],
                l1[A],
                eta,
                line_search,
                scale,
                factors,
            )
            if line_search:
                eta = np.minimum(eta * BATCH_STEP_GROWTH, cap)
        raw = objective.raw_prediction(x[:, A], A)
        value_A = objective.objective(raw, x[:, A], A)
        if line_search:
            # By more than the batches' noise (and float32's rounding).
            rose = rose_above_start(
                value_A, value[A], x.dtype, relative=EPOCH_RISE_TOLERANCE
            )
            if rose.any():
                x[:, A[rose]] = start[:, rose]
                shrink[A[rose]] *= 0.5
                value_A[rose] = value[A[rose]]
                raw[:, rose] = objective.raw_prediction(x[:, A[rose]], A[rose])
        full_grad = objective.gradient(raw, x[:, A], A)
        full_grad[:n_features] = l1_subgradient_residual(
            x[:n_features, A], full_grad[:n_features], l1[A]
        )
        grad_max[A] = np.abs(full_grad).max(axis=0)
        diverged = np.zeros(A.size, dtype=bool)
        if check_divergence:
            diverged = ~np.isfinite(value_A) | (value_A > limit[A])
            lower = ~diverged & (value_A < best_value[A])
            best[:, A[lower]] = x[:, A[lower]]
            best_value[A[lower]] = value_A[lower]
            x[:, A[diverged]] = best[:, A[diverged]]
            value[A[diverged]] = best_value[A[diverged]]
        ok = ~diverged
        row = np.full(n_problems, np.nan)
        row[A[ok]] = value_A[ok]
        history.append(row)
        value[A[ok]] = value_A[ok]
        n_iter[A[ok]] += 1
        done = ok & (grad_max[A] <= tol)
        stop_reason[A[diverged]] = DIVERGED
        stop_reason[A[done]] = CONVERGED
        active[A[diverged | done]] = False
        if callback is not None:
            reported = value.copy()
            reported[A[diverged]] = np.nan
            stop = callback(len(history), x, reported, grad_max, active.copy())
            stop = active & np.broadcast_to(np.asarray(stop, dtype=bool), active.shape)
            stop_reason[stop] = STOPPED
            active &= ~stop
    history = np.array(history).reshape(-1, n_problems)[: max(n_iter.max(), 0)]
    return DescentResult(
        coef=x,
        objective=value,
        n_iter=n_iter,
        history=history,
        converged=stop_reason == CONVERGED,
        stop_reason=stop_reason.astype(str),
        grad_max=grad_max,
    )
