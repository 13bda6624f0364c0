"""Watchers of the descent: early stopping, progress, scikit-learn callbacks.

Each is a solver callback ``callback(iteration, coef, objective, grad_max,
active)`` that returns which columns to stop (see :func:`_solver.descent`).
"""

import numpy as np

from ._loss import bce


class EarlyStopping:
    """Stop each column when its validation log-loss stops improving.

    A column stops once its validation loss has not gone below its best value
    minus ``tol`` for ``n_iter_no_change`` consecutive iterations; the
    coefficients with the best validation loss are kept in ``best_coef``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_validation, n_features)
        Held-out samples.
    Y : ndarray of shape (n_validation, K)
        Their targets in {0, 1}, one column per problem.
    sample_weight : ndarray of shape (n_validation,)
        Their weights (class weights included).
    coef : ndarray of shape (n_coef, K)
        Starting coefficients, the first candidate for the best.
    n_iter_no_change : int
        Iterations without improvement before a column stops.
    tol : float
        Improvement that counts.
    fit_intercept : bool
        Whether the last coefficient row is an intercept.
    """

    def __init__(self, X, Y, sample_weight, coef, n_iter_no_change, tol, fit_intercept):
        self.X, self.Y = X, Y
        self.weight = (sample_weight / sample_weight.sum())[:, None]
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.best_coef = np.array(coef, copy=True)
        self.best_loss = self.loss(coef)
        self.best_iteration = np.zeros(coef.shape[1], dtype=int)
        self.no_improvement = np.zeros(coef.shape[1], dtype=int)
        self.history = []
        self.stopped = np.zeros(coef.shape[1], dtype=bool)
        # Columns that stepped in the last iteration: the running ones, and
        # those whose step just converged (no longer ``active``).
        self.running = np.ones(coef.shape[1], dtype=bool)

    def loss(self, coef):
        """Weighted mean log-loss of every column on the validation samples."""
        n_features = self.X.shape[1]
        raw = np.asarray(self.X @ coef[:n_features])
        if self.fit_intercept:
            raw = raw + coef[-1]
        return (self.weight * bce(raw, self.Y)).sum(axis=0, dtype=np.float64)

    def __call__(self, iteration, coef, objective, grad_max, active):
        # A column that converged at this iteration took its last step: its
        # final coefficients are candidates for the best too (a diverged
        # one's are those of its lowest objective, already scored; its step,
        # which reports a NaN objective, counts in neither n_iter_ nor here).
        stepped = self.running.copy()
        if objective is not None:
            stepped &= ~np.isnan(objective)
        loss = np.where(stepped, self.loss(coef), np.nan)
        self.history.append(loss)
        better = stepped & (loss < self.best_loss)
        self.best_coef[:, better] = coef[:, better]
        self.best_iteration[better] = iteration
        stalled = active & ~(loss < self.best_loss - self.tol)
        self.no_improvement = np.where(stalled, self.no_improvement + 1, 0)
        self.best_loss = np.where(better, loss, self.best_loss)
        stop = active & (self.no_improvement >= self.n_iter_no_change)
        self.stopped |= stop
        self.running = active & ~stop
        return stop

    def curve(self, n_iter):
        """Validation loss per iteration, shaped like ``loss_curve_``."""
        history = np.array(self.history).reshape(-1, len(self.best_loss))
        history = history[: max(int(n_iter.max()), 0)]
        return history[: n_iter[0], 0].copy() if history.shape[1] == 1 else history.T


class ProgressPrinter:
    """Print the objective and largest gradient entry every few iterations.

    Also at iteration ``last`` (``max_iter``: a run it stops is shown to its
    end) and when every column has stopped.  Of several columns (the classes
    of one fit), the largest objective and gradient entry among those that
    took the iteration's step (not the frozen values of columns that stopped
    before it, nor those whose step diverged at that iteration, which the
    line counts).  With ``columns=True`` (a search's run of many columns)
    also the number of columns still running, and the largest objective and
    gradient entry among those; a last line when all have stopped.  Given
    ``validation`` (the fit's :class:`EarlyStopping`, called before this
    printer), also the largest validation loss of the iteration.  ``unit``
    begins each line: ``"Epoch"`` for mini-batch fits.
    """

    def __init__(
        self, every, columns=False, last=None, validation=None, unit="Iteration"
    ):
        self.unit = unit
        self.every = every
        self.columns = columns
        self.last = last
        self.validation = validation
        # Columns that take the next step (all, before the first).
        self.running = None

    def __call__(self, iteration, coef, objective, grad_max, active):
        stepped = np.ones(active.shape, bool) if self.running is None else self.running
        self.running = active.copy()
        if iteration % self.every and active.any() and iteration != self.last:
            return False
        if self.columns and not active.any():
            print(f"{self.unit} {iteration}, all {active.size} columns stopped")
        elif self.columns:
            print(
                f"{self.unit} {iteration}, {int(active.sum())} of {active.size} "
                f"columns running, largest objective = "
                f"{np.nanmax(objective[active]):.8g}, max |gradient| = "
                f"{np.nanmax(grad_max[active]):.3e}"
            )
        else:
            # A column whose step diverged reports a NaN objective.
            diverged = stepped & np.isnan(objective)
            stepped &= ~diverged
            if not stepped.any():
                print(
                    f"{self.unit} {iteration}, the step diverged: the fit keeps "
                    "the coefficients of its lowest objective"
                )
                return False
            line = (
                f"{self.unit} {iteration}, objective = "
                f"{np.max(objective[stepped]):.8g}, max |gradient| = "
                f"{np.max(grad_max[stepped]):.3e}"
            )
            if self.validation is not None:
                loss = self.validation.history[-1][stepped]
                line += f", validation loss = {np.nanmax(loss):.8g}"
            if diverged.any():
                line += f", {int(diverged.sum())} diverged"
            print(line)
        return False


class CallbackBridge:
    """Report each iteration to scikit-learn's callbacks as one task.

    scikit-learn's callback API (``estimator.set_callbacks``, scikit-learn 1.9
    and later) sees a root ``fit`` task with one subtask per iteration; the
    estimator, rebuilt from the iteration's ``coef_`` and ``intercept_``, is
    available to the callbacks at the end of each.  A callback asking to stop
    stops the descent.
    """

    def __init__(self, context, estimator, X, y, metadata, coef, fit_intercept):
        self.context = context
        self.estimator = estimator
        self.X, self.y, self.metadata = X, y, metadata
        self.fit_intercept = fit_intercept
        # The iteration task begun and not yet ended: each begin gets exactly
        # one end, also when a callback's hook raises.
        self.task = None
        self._begin(coef)

    def _attributes(self, coef):
        n_features = self.X.shape[1]
        intercept = (
            coef[-1].copy()
            if self.fit_intercept
            else np.zeros(coef.shape[1], coef.dtype)
        )
        return {
            # A copy: the descent updates its coefficients in place, and a
            # callback may keep this iteration's model.
            "coef_": np.array(coef[:n_features].T, order="C"),
            "intercept_": intercept,
        }

    def _begin(self, coef):
        self.task = self.context.subcontext(task_name="iteration")
        self.task.call_on_fit_task_begin(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=self._attributes(coef),
        )

    def __call__(self, iteration, coef, objective, grad_max, active):
        task, self.task = self.task, None
        stop = task.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=self._attributes(coef),
        )
        self._begin(coef)
        return bool(stop)

    def close(self):
        """End the task opened for an iteration that never ran, if any."""
        task, self.task = self.task, None
        if task is not None:
            task.call_on_fit_task_end(estimator=self.estimator)

    def end_fit(self):
        """End the root ``fit`` task, once the estimator holds its model."""
        self.context.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes={},
        )


def combine(callbacks):
    """One solver callback that calls each of ``callbacks``; None if empty.

    Each callback sees as stopped the columns that the ones before it stop
    (early stopping's, for the progress printer's last line).
    """
    callbacks = [callback for callback in callbacks if callback is not None]
    if not callbacks:
        return None

    def combined(iteration, coef, objective, grad_max, active):
        stop = np.zeros(active.shape, dtype=bool)
        for callback in callbacks:
            stop |= np.broadcast_to(
                np.asarray(
                    callback(iteration, coef, objective, grad_max, active & ~stop),
                    dtype=bool,
                ),
                active.shape,
            )
        return stop

    return combined
