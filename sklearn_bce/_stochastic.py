"""Mini-batch (stochastic) gradient descent on the objective of ``_loss``.

An epoch visits the rows in a fresh random order, in ``ceil(n / batch_size)``
batches of nearly equal size (at most ``batch_size`` rows each).  Unlike
``MLPClassifier``'s full batches and a shorter last one, no batch is much
smaller than the others: a short batch's step is far noisier.
Each batch takes one proximal gradient step with a variance-reduced
estimate of the gradient of the full objective ``J`` (proximal SVRG: Johnson
and Zhang, 2013; Xiao and Zhang, 2014).  The epoch's starting point is its
*snapshot*, whose full gradient the pass over all the data that ends the
previous epoch has already computed; a batch's estimate at ``w`` is

    ``g_B(w) - g_B(snapshot) + g(snapshot)``,

``g_B`` the batch's data gradient (its weighted mean loss times the batch's
share of the total weight over its share of the rows, so that weights keep
their meaning across batches), ``g`` the full one, plus the penalty at full
strength.  Like a plain batch gradient, it is unbiased; unlike it, its noise
vanishes as ``w`` and the snapshot approach the optimum, so constant steps
converge (linearly, for a strongly convex ``J``) and an L1 penalty keeps the
coefficients whose optimum is 0 at 0: a plain stochastic step leaves them
where the last batches pushed them, with a gradient entry near the
penalty's weight, and needs steps that decrease to settle (which made such
fits crawl).  The price is a second batch gradient per step (at the
snapshot, whose logits are kept: ``n_samples x K`` numbers, the size of the
epoch's own logits).
With a line search (``learning_rate="auto"``) each batch's step is halved until
it decreases that batch's objective sufficiently, and doubled again (up to
the cap) for the next batch.  That guards each batch's objective, not
``J``: a batch smaller than the number of features (or a single row) can be
fitted by almost any step, and an epoch of such steps can end above where it
started.  So after each epoch all the data are read again for ``J`` and its
(proximal) gradient, which give the loss curve, the convergence test
(``<= tol``), the divergence test (fixed steps: a column that ends
``max_iter`` epochs above its start diverged too, as in full-batch descent)
and the next snapshot; with
the line search, an epoch that raised ``J`` (beyond rounding,
:data:`EPOCH_RISE_TOLERANCE`) is undone and the column's cap halved for the
epochs after it, and so are :data:`STALL_EPOCHS` epochs in a row that lower
neither the gradient nor ``J``.
Rows are read batch by batch (``X[batch]``), so a memory-mapped ``X`` is never
loaded whole.
"""

import contextlib

import numpy as np
from scipy.special import expit

from ._loss import (
    _transpose,
    bce,
    l1_subgradient_residual,
    l2_term,
    soft_threshold,
)
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

#: Slack of a batch's sufficient-decrease test, in units of the dtype's
#: precision times the batch's objective: its two evaluations (each a float64
#: sum of losses computed in the dtype) are each within about ``eps`` of
#: their value.  Near the optimum the variance-reduced direction is small, and
#: so is the decrease it must show: a wider slack (32 eps) let float32 steps
#: far beyond ``1 / L`` of a batch of 8 rows through, and kept such fits from
#: ``tol`` for 300 epochs.
LINE_SEARCH_SLACK = 4

#: ``"auto"``: how far above its start (relative to ``max(J, 1)``) an epoch
#: may end before it is undone: float32's rounding of ``J`` near the optimum
#: (32 eps), whatever the dtype.  Undoing epochs that end a rounding error
#: above their start, each halving the steps for good, would stall the fit.
EPOCH_RISE_TOLERANCE = 32 * float(np.finfo(np.float32).eps)

#: ``"auto"``: epochs in a row whose largest (proximal) gradient entry is no
#: lower than the lowest before them, and over which ``J`` did not decrease
#: beyond its rounding (32 eps of the dtype), after which a column's later
#: epochs take steps half as long.  Near the optimum, steps too long for
#: some batches keep the iterate swinging around it, ``J`` within the
#: tolerance of :data:`EPOCH_RISE_TOLERANCE` and the gradient stuck far
#: above ``tol``; steps that suit the batches decrease the gradient or ``J``
#: (an L1 fit's gradient can stay level for many epochs while ``J`` goes
#: down).
STALL_EPOCHS = 5


class _Batch:
    """The data term of one batch: its weighted mean loss and gradient.

    What :func:`_batch_step` and the snapshot's correction need of a
    :class:`~sklearn_bce._loss.BCEObjective` of the batch's rows without a
    penalty, with the same arithmetic, built without its checks and layout
    (a batch of a few hundred rows cost more to set up than to fit).
    ``weight`` (of shape ``(b,)`` or ``(b, k)``, at most 1 and with a
    positive sum per column) is normalised to sum to 1 per column.
    """

    def __init__(self, X, Y, weight, fit_intercept):
        self.X, self.Y = X, Y
        self.n_features = X.shape[1]
        self.fit_intercept = fit_intercept
        weight = weight.reshape(len(weight), -1)
        total = weight.sum(axis=0, dtype=np.float64)
        self.weight = (weight / total).astype(X.dtype, copy=False)

    def raw_prediction(self, coef):
        Z = np.asarray(self.X @ coef[: self.n_features])
        if self.fit_intercept:
            Z += coef[-1]
        return Z

    def objective(self, raw_prediction, coef):
        """The data term per column, in float64 (``coef`` unused)."""
        return (self.weight * bce(raw_prediction, self.Y)).sum(axis=0, dtype=np.float64)

    def gradient(self, raw_prediction, coef):
        """The data term's gradient, of ``coef``'s shape."""
        residual = expit(raw_prediction)
        residual -= self.Y
        residual *= self.weight
        grad = np.empty_like(coef)
        grad[: self.n_features] = _transpose(self.X) @ residual
        if self.fit_intercept:
            grad[-1] = residual.sum(axis=0)
        return grad


def _batch_step(
    part, coef, l2, l1, eta, line_search, scale=None, inverse=None, correction=None
):
    """One proximal gradient step on a batch; ``eta`` is updated in place.

    ``part`` (a :class:`_Batch`) holds the batch's data term (its weighted
    mean loss), which the step multiplies by ``scale`` (per column; None for
    1); the penalty enters at full strength (``l2``, ``l1``), so the batch
    gradient estimates the full one.  ``correction`` (of ``coef``'s shape;
    None for 0) is added to the batch gradient to make the direction of the
    step: the snapshot's full data gradient minus the batch's (scaled) at the
    snapshot.  The line search tests the batch's own objective and gradient.
    ``inverse`` (of ``coef``'s shape; None for 1) scales the step of each
    coefficient: the step is ``eta * inverse`` times the direction, a
    proximal step in the metric ``diag(1 / inverse)``.
    """
    n_features = part.n_features
    raw = part.raw_prediction(coef)
    grad = part.gradient(raw, coef)
    if scale is not None:
        grad *= scale.astype(coef.dtype)
    grad[:n_features] += l2.astype(coef.dtype) * coef[:n_features]
    direction = grad if correction is None else grad + correction

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
        new = coef - within_dtype(steps, coef.dtype) * direction
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
            smooth(new, z)
            <= bound + LINE_SEARCH_SLACK * np.finfo(coef.dtype).eps * np.abs(before)
        )
        if not bad.any():
            break
        eta[bad] *= 0.5
        new = proposal()
    return new


def _weightless_step(coef, n_features, l2, l1, eta, inverse=None, anchor=None):
    """The step of a batch without weight: the penalty's, and the anchor's.

    The batch's data gradient is zero, at ``coef`` and at the snapshot alike,
    so its estimate of the full gradient is ``anchor`` (the snapshot's full
    data gradient; None for 0) plus the penalty's:
    ``coef <- prox_{eta l1}(coef (1 - eta l2) - eta anchor)`` on the
    features, ``- eta anchor`` on the intercept.  The L2 shrink factor is kept
    in ``[0, 1]`` (a step longer than ``1 / l2`` would overshoot the
    penalty's minimum, 0); ``eta`` times ``inverse`` per coefficient when
    given (see :func:`_batch_step`).
    """
    steps = np.broadcast_to(eta if inverse is None else eta * inverse, coef.shape)
    new = np.array(coef, copy=True)
    shrink = 1.0 - np.minimum(steps[:n_features] * l2, 1.0)
    new[:n_features] *= shrink.astype(coef.dtype)
    if anchor is not None:
        new -= within_dtype(steps, coef.dtype) * anchor
    if np.any(l1 > 0):
        with np.errstate(over="ignore"):
            threshold = steps[:n_features] * l1
        new[:n_features] = soft_threshold(
            new[:n_features], within_dtype(threshold, coef.dtype)
        )
    return new


def auto_step_cap(objective):
    """Longest first-epoch steps of ``learning_rate="auto"``, per coefficient.

    ``1 / diag B``, with ``B`` the Hessian bound of the full objective: the
    inverse of each coefficient's curvature (one pass over ``X``), so that
    the steps are blind to the scale of each feature, as the full-batch
    default's.  They can be too long for some batches; the line search
    shortens them there.  A coefficient's curvature counts as at least the
    precision of ``X``'s dtype times the column's largest curvature from the
    data (a feature of a vanishing scale is left almost still rather than
    given a step that overflows).  The floor leaves out the L2 term: a strong
    penalty (small ``C`` or small sample weights) raises the curvature of the
    weights only, and must not freeze the unpenalised intercept.
    """
    data = objective.hessian_bound_diagonal(penalty=False)
    floor = np.finfo(objective.X.dtype).eps * data.max(axis=0)
    diagonal = data
    diagonal[: objective.n_features] += objective.l2
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
        Step size of every batch, per column (with ``line_search``, the
        longest).
    max_iter : int
        Most epochs.
    tol : float
        Convergence tolerance on the full proximal gradient after an epoch.
    random_state : numpy.random.RandomState
        Source of the row orders.
    line_search : bool, default=False
        Halve each batch's step until it satisfies the sufficient-decrease
        condition on that batch's objective, then try a longer step on the
        next batch, up to ``step`` halved for every earlier epoch of the
        column that raised ``J`` by more than :data:`EPOCH_RISE_TOLERANCE`
        (and was undone).
    inverse : ndarray of shape (n_coef, K), default=None
        Per-coefficient factors of the step (None: 1): a coefficient's step
        is ``step`` (as searched) times its factor, as
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
    # The snapshot of each column (the start of its epoch), its logits and
    # its full data gradient, the anchor of the batches' estimates.
    snapshot = x.copy()
    snapshot_raw = objective.raw_prediction(x)
    anchor = objective.gradient(snapshot_raw, x, l2=False)
    value = objective.objective(snapshot_raw, x)
    start_value = value.copy()
    limit = DIVERGENCE_FACTOR * np.maximum(value, 1.0)
    # The epoch's iterate of the lowest objective, which a diverged column keeps.
    best, best_value = (x.copy(), value.copy()) if check_divergence else (None, None)
    # A batch's mean loss estimates the full one when the weights are equal
    # (zeros aside: rows left out, such as early stopping's validation rows);
    # otherwise it is scaled by the batch's share of the weight (the weights
    # sum to 1) over its share of the rows.  Decided per column of weights.
    largest = weights.max(axis=0)
    equal = np.broadcast_to(
        np.all((weights == 0) | (weights == largest), axis=0), (n_problems,)
    )
    n_iter = np.zeros(n_problems, dtype=int)
    grad_max = np.full(n_problems, np.nan)
    stop_reason = np.full(n_problems, MAX_ITER, dtype=object)
    active = np.ones(n_problems, dtype=bool)
    history = []
    # "auto": an epoch that ends above where it started by more than
    # rounding (its batches' line searches guard each batch's objective, not
    # J) is undone, and the column's later epochs take steps half as long.
    shrink = np.ones(n_problems)
    # "auto": the lowest gradient entry of each column, the epochs since (or
    # since its steps were last halved), and J when that count began.
    lowest_grad = np.full(n_problems, np.inf)
    stalled = np.zeros(n_problems, dtype=int)
    stall_value = value.copy()
    rounding = 32 * float(np.finfo(x.dtype).eps)
    for _ in range(max_iter):
        A = np.flatnonzero(active)
        if A.size == 0:
            break
        start = x[:, A].copy() if line_search else None
        cap = step[A] * shrink[A]
        eta = cap.copy()
        # The running columns' factors and kinds of weights, for the epoch.
        factors = None if inverse is None else inverse[:, A]
        equal_A = equal[A]
        for batch in np.array_split(
            random_state.permutation(n_samples), max(1, -(-n_samples // batch_size))
        ):
            batch = np.sort(batch)
            if weights.shape[1] == 1:
                batch_weight = weights[batch][:, 0]
                weighted = np.full(A.size, np.any(batch_weight > 0))
            else:
                # Columns with weights of their own may have weight in this
                # batch or not.
                batch_weight = weights[batch][:, A]
                weighted = np.any(batch_weight > 0, axis=0)
            idle = ~weighted & ~equal_A
            if idle.any():
                # The batch's data term is zero, not unknown: its step
                # keeps the epoch's estimates unbiased.
                x[:, A[idle]] = _weightless_step(
                    x[:, A[idle]],
                    n_features,
                    l2[A[idle]],
                    l1[A[idle]],
                    eta[idle],
                    None if factors is None else factors[:, idle],
                    anchor[:, A[idle]],
                )
            if not weighted.any():
                continue
            # The columns that step on the batch's data (views of the
            # running ones' arrays when they all do, as usual).
            every = weighted.all()
            B = A if every else A[weighted]
            eta_B = eta if every else eta[weighted]
            if batch_weight.ndim == 2 and not every:
                batch_weight = batch_weight[:, weighted]
            part = _Batch(
                X[batch], Y[batch][:, B], batch_weight, objective.fit_intercept
            )
            scale = None
            equal_B = equal_A if every else equal_A[weighted]
            if not equal_B.all():
                share = batch_weight.sum(axis=0, dtype=np.float64)
                scale = np.broadcast_to(share * n_samples / len(batch), B.shape)
                if equal_B.any():
                    scale = np.where(equal_B, 1.0, scale)
            at_snapshot = part.gradient(snapshot_raw[np.ix_(batch, B)], snapshot[:, B])
            if scale is not None:
                at_snapshot *= scale.astype(x.dtype)
            x[:, B] = _batch_step(
                part,
                x[:, B],
                l2[B],
                l1[B],
                eta_B,
                line_search,
                scale,
                factors if factors is None or every else factors[:, weighted],
                anchor[:, B] - at_snapshot,
            )
            if line_search:
                grown = np.minimum(
                    eta_B * BATCH_STEP_GROWTH, cap if every else cap[weighted]
                )
                if every:
                    eta = grown
                else:
                    eta[weighted] = grown
        raw = objective.raw_prediction(x[:, A], A)
        value_A = objective.objective(raw, x[:, A], A)
        if line_search:
            # By more than float32's rounding.
            rose = rose_above_start(
                value_A, value[A], x.dtype, relative=EPOCH_RISE_TOLERANCE
            )
            if rose.any():
                x[:, A[rose]] = start[:, rose]
                shrink[A[rose]] *= 0.5
                value_A[rose] = value[A[rose]]
                raw[:, rose] = objective.raw_prediction(x[:, A[rose]], A[rose])
        data_grad = objective.gradient(raw, x[:, A], A, l2=False)
        full_grad = data_grad.copy()
        full_grad[:n_features] += l2[A].astype(x.dtype) * x[:n_features, A]
        full_grad[:n_features] = l1_subgradient_residual(
            x[:n_features, A], full_grad[:n_features], l1[A]
        )
        grad_max[A] = np.abs(full_grad).max(axis=0)
        if line_search:
            lower = grad_max[A] < lowest_grad[A]
            lowest_grad[A[lower]] = grad_max[A[lower]]
            # (An undone epoch halved its column's steps already.)
            restart = lower | rose
            stalled[A] = np.where(restart, 0, stalled[A] + 1)
            counted = stalled[A] >= STALL_EPOCHS
            # J down by more than rounding: above it at the count's start.
            descended = rose_above_start(
                stall_value[A], value_A, x.dtype, relative=rounding
            )
            stuck = counted & ~descended
            shrink[A[stuck]] *= 0.5
            restart |= counted
            stalled[A[restart]] = 0
            stall_value[A[restart]] = value_A[restart]
        diverged = np.zeros(A.size, dtype=bool)
        if check_divergence:
            diverged = ~np.isfinite(value_A) | (value_A > limit[A])
            lower = ~diverged & (value_A < best_value[A])
            best[:, A[lower]] = x[:, A[lower]]
            best_value[A[lower]] = value_A[lower]
            x[:, A[diverged]] = best[:, A[diverged]]
            value[A[diverged]] = best_value[A[diverged]]
        ok = ~diverged
        # The next epoch's snapshot (a column that diverged stops here).
        snapshot[:, A] = x[:, A]
        snapshot_raw[:, A] = raw
        anchor[:, A] = data_grad
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
    if check_divergence:
        # A column that ran out of epochs higher than it started was swinging
        # (a fixed step too long for some batches), not descending: it
        # diverged too, only more slowly, as in full-batch descent.
        swung = (stop_reason == MAX_ITER) & rose_above_start(
            value, start_value, x.dtype
        )
        stop_reason[swung] = DIVERGED
        x[:, swung] = best[:, swung]
        value[swung] = best_value[swung]
    history = np.array(history).reshape(-1, n_problems)[: max(n_iter.max(), 0)]
    return DescentResult(
        coef=x,
        objective=value,
        n_iter=n_iter,
        history=history,
        converged=stop_reason == CONVERGED,
        stop_reason=stop_reason.astype(str),
        grad_max=grad_max,
        start_objective=start_value,
    )
