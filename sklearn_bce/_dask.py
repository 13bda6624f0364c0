r"""Fitting and prediction on ``dask.array`` data, on the user's Dask cluster.

This module is imported by the package but never imports ``dask`` itself
unless it is given dask arrays (:func:`is_dask_array` only looks at
``sys.modules``), so ``dask`` stays an optional dependency (the ``dask``
extra: ``pip install "sklearn-bce[dask]"``).

How a fit runs
--------------
:class:`DaskBCEObjective` is the counterpart of
:class:`sklearn_bce._loss.BCEObjective` for a ``dask.array`` ``X`` cut into
row chunks (all columns of a row in one chunk).  Every evaluation the descent
engines ask for, :meth:`DaskBCEObjective.sweep` (the objective at a new point
and the gradient at the extrapolated point), is one ``map_blocks`` over the
row chunks of ``X``, the targets and the sample weights: each chunk returns
its partial sums (data losses, ``X_chunk^T R`` and ``sum R``) as one small
float64 row, and ``sum(axis=0)`` adds them in a tree on the cluster.  Only
the coefficients (``n_coef x 2K`` numbers) go to the workers and only
``n_coef x K + 2K`` numbers come back; ``X`` never leaves the workers.  The
curvature bounds (the Gram matrix ``X1^T diag(s) X1`` or its diagonal) are
reductions of the same kind, computed once.

The descent itself is the one of the numpy fit
(:func:`sklearn_bce._logistic.run_solver`: the same metrics, line search,
momentum restart and stopping rules), so a dask fit takes the same steps as
a numpy fit of the same data and reaches the same coefficients up to the
rounding of the sums, whose order differs.  One exception: with
``solver="gd"`` and ``learning_rate="auto"`` on 1001 to 2000 coefficients,
the step ``1/L`` comes from the exact largest eigenvalue here and from
Lanczos iterations (enlarged by 1%) in numpy, so the steps differ by about
1% (one pass over ``X`` for the Gram matrix instead of one per Lanczos
iteration).

Each iteration reads ``X`` once (twice when the line search retries), so
``X`` should be held in the cluster's memory: call ``X = X.persist()`` before
fitting when it is computed from files or from other arrays.  The targets
and sample weights derived from ``y`` are persisted on the cluster by the fit.
"""

import re
import sys
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator
from sklearn import config_context, get_config
from sklearn.utils import assert_all_finite
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._loss import (
    DENSE_BLOCK_ENTRIES,
    PenalisedColumns,
    _pointwise_loss,
    _sigmoid_into,
    _weighted_column_sums,
    class_log_probabilities,
    class_probabilities,
    lanczos_largest_eigenvalue,
    largest_eigenvalue,
    lower_untrained,
    weight_scale,
)
from ._validation import (
    _CLASS_WEIGHT_TAKES_SAMPLE_WEIGHT,
    check_class_weights,
    check_feature_names,
    check_sample_weight,
    check_weight_sum,
    class_weight_overflow,
    class_weights,
    dense_coef,
    external_stacklevel,
    has_callbacks,
    refuse_too_large,
    warn_column_vector_y,
)

__all__ = [
    "DaskBCEObjective",
    "fit_dask",
    "is_dask_array",
    "predict_dask",
]

#: Largest ``n_coef`` for which the smoothness bound comes from the full Gram
#: matrix (one reduction, an ``n_coef x n_coef`` result); wider data use
#: Lanczos iterations, one pass over ``X`` each.
MAX_GRAM_COEF = 2000

# scikit-learn's warning (check_classification_targets) for labels that may
# be a regression target.
_MANY_CLASSES = (
    "The number of unique classes is greater than 50% of the number of "
    "samples. `y` could represent a regression problem, not a classification "
    "problem."
)


def is_dask_array(obj):
    """Whether ``obj`` is a ``dask.array.Array``.

    Never imports dask: an object can only be a dask array if
    ``dask.array`` has already been imported.

    Parameters
    ----------
    obj : object
        Anything.

    Returns
    -------
    bool
        True for a ``dask.array.Array``.
    """
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(obj, module.Array)


def _dask():
    import dask
    import dask.array as da

    return dask, da


# -- work on one row chunk (runs on the workers) ----------------------------------
def _chunk_sweep(X, Y, weight, *, W, intercept, k, beta, cols, point_loss):
    """Partial sums of one row chunk, packed in a float64 row of shape (1, R).

    The row holds the data loss at the new point (``k``), the data loss at the
    extrapolated point (``k``) and ``X1^T R`` at it (``n_coef * k``, C order).
    The pointwise work is that of :meth:`BCEObjective.sweep`.
    """
    Z = X @ W
    if intercept is not None:
        Z += intercept
    z = Z[:, :k]
    if cols is not None and Y.shape[1] > 1:
        Y = Y[:, cols]
    values = np.empty(z.shape, dtype=z.dtype)
    tmp = np.empty_like(values)
    extra_loss = np.zeros(k)
    # exp(-z) overflows to inf for very negative z: sigmoid 0.
    with np.errstate(over="ignore"):
        loss = _weighted_column_sums(_pointwise_loss(z, Y, out=values, tmp=tmp), weight)
        zy = z
        if beta is not None:
            zy = z - Z[:, k:]
            zy *= beta
            zy += z
            if point_loss:
                extra_loss = _weighted_column_sums(
                    _pointwise_loss(zy, Y, out=values, tmp=tmp), weight
                )
        residual = _sigmoid_into(zy, out=values)
    residual -= Y
    residual *= weight
    grad = np.asarray(X.T @ residual, dtype=np.float64)
    if intercept is not None:
        grad = np.vstack([grad, residual.sum(axis=0, dtype=np.float64)])
    return np.concatenate([loss, extra_loss, grad.ravel()])[None, :]


def _float64_blocks(X, weight):
    """``(block, weight)``: row blocks of a chunk and their weights in float64.

    A block holds about ``DENSE_BLOCK_ENTRIES`` entries: the float64 copies
    cost little memory next to the chunk (a whole float32 chunk in float64
    is twice its size, and its products more).
    """
    weight = np.asarray(weight, dtype=np.float64).ravel()
    rows = max(16, DENSE_BLOCK_ENTRIES // max(X.shape[1], 1))
    for begin in range(0, X.shape[0], rows):
        block = np.asarray(X[begin : begin + rows], dtype=np.float64)
        yield block, weight[begin : begin + rows]


def _chunk_gram(X, weight, *, fit_intercept):
    """``X1^T diag(w) X1`` of one chunk in float64, flattened to (1, n_coef^2)."""
    n = X.shape[1]
    gram = np.zeros((n + fit_intercept, n + fit_intercept))
    for block, w in _float64_blocks(X, weight):
        root = np.sqrt(w)
        scaled = block * root[:, None]
        gram[:n, :n] += scaled.T @ scaled
        if fit_intercept:
            gram[n, :n] += root @ scaled
            gram[n, n] += w.sum()
    if fit_intercept:
        gram[:n, n] = gram[n, :n]
    return gram.ravel()[None, :]


def _chunk_squares(X, weight, *, fit_intercept):
    """``sum_i w_i X1_ij^2`` of one chunk in float64, shape (1, n_coef)."""
    out = np.zeros(X.shape[1] + fit_intercept)
    for block, w in _float64_blocks(X, weight):
        out[: X.shape[1]] += w @ (block * block)
        if fit_intercept:
            out[-1] += w.sum()
    return out[None, :]


def _chunk_gram_matvec(X, weight, *, v, fit_intercept):
    """``X1^T diag(w) X1 v`` of one chunk in float64, shape (1, n_coef)."""
    n = X.shape[1]
    weight = np.asarray(weight, dtype=np.float64).ravel()
    z = np.asarray(X @ v[:n], dtype=np.float64)
    if fit_intercept:
        z = z + v[n]
    z *= weight
    out = np.asarray(X.T @ z, dtype=np.float64)
    if fit_intercept:
        out = np.append(out, z.sum())
    return out[None, :]


def _refuse_sparse_chunks(X):
    """Refuse a (chunk of a) dask array made of scipy.sparse matrices."""
    if sp.issparse(X):
        raise TypeError(
            "A dask array of scipy.sparse chunks was passed, but fitting on a "
            "dask array needs dense chunks: make them dense with "
            "X.map_blocks(lambda chunk: chunk.toarray()), or fit on a "
            "scipy.sparse matrix."
        )


def _chunk_check(X):
    """NaN and infinity flags and the extremes of one chunk, shape (1, 4)."""
    _refuse_sparse_chunks(X)  # (in case the array's meta did not say so)
    if X.size == 0:
        return np.array([[0.0, 0.0, -np.inf, np.inf]])
    nan = float(np.isnan(X).any())
    inf = float(np.isinf(X).any())
    # fmax and fmin skip NaN without nanmax's warning for an all-NaN chunk.
    # Chunks run in worker threads: touching the process's warning filters
    # here (catch_warnings is not thread-safe) could leave them changed.
    high, low = np.fmax.reduce(X, axis=None), np.fmin.reduce(X, axis=None)
    return np.array([[nan, inf, float(high), float(low)]])


def _chunk_labels(y, *, classes):
    """Index of each label in the sorted ``classes``."""
    return np.searchsorted(classes, y).astype(np.intp)


def _chunk_targets(y_index, *, n_classes, target_dtype):
    """Targets in {0, 1}: one column for two classes, one per class otherwise."""
    dtype = target_dtype
    if n_classes == 2:
        return (y_index == 1).astype(dtype)[:, None]
    Y = np.zeros((len(y_index), n_classes), dtype=dtype)
    Y[np.arange(len(y_index)), y_index] = 1
    return Y


def _chunk_class_weight(weight, y_index, *, per_class):
    with np.errstate(over="ignore"):  # reported as the numpy engine does
        return weight * per_class[y_index].astype(weight.dtype)


def _chunk_predict(
    X, *, coef, intercept, classes, method, check_finite, untrained=None
):
    """The numpy prediction ``method`` of a fitted model on one chunk.

    ``check_finite``: scikit-learn's ``assume_finite`` where the prediction
    was asked for, negated (a dask worker thread or process has its own
    configuration).
    """
    if check_finite:
        with config_context(assume_finite=False):
            assert_all_finite(X, input_name="X")  # as the numpy prediction checks
    scores = np.asarray(X @ coef.T) + intercept
    if untrained is not None:
        lower_untrained(scores, untrained)
    if scores.shape[1] == 1:
        scores = scores[:, 0]
    if method == "decision_function":
        return scores
    if method == "predict":
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(1)
        return classes[index]
    if method == "predict_proba":
        return class_probabilities(scores)
    return class_log_probabilities(scores)


def _row_sums(function, arrays, width, **kwargs):
    """Sum over the row chunks of ``function(*chunks, **kwargs)``, (1, width) each.

    Returns the lazy dask array of shape ``(width,)``.
    """
    _, da = _dask()
    n_chunks = arrays[0].numblocks[0]
    parts = da.map_blocks(
        function,
        *arrays,
        dtype=np.float64,
        chunks=((1,) * n_chunks, (width,)),
        **kwargs,
    )
    return parts.sum(axis=0)


def _compute(*lazy):
    """Compute small results on the current scheduler (the cluster's client)."""
    dask, _ = _dask()
    return dask.compute(*lazy)


# -- the objective ----------------------------------------------------------------
class DaskBCEObjective(PenalisedColumns):
    """``K`` penalised BCE problems sharing a ``dask.array`` design matrix.

    The same objective, attributes and evaluation interface as
    :class:`sklearn_bce._loss.BCEObjective` (``sweep``, ``penalty``,
    ``l1_penalty``, the curvature bounds), so the numpy descent engines run on
    it unchanged; every pass over ``X`` is a reduction over its row chunks on
    the Dask scheduler.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        float32 or float64, chunked by rows with every column in one chunk.
    Y : dask.array.Array of shape (n_samples, K)
        Targets in {0, 1} of the dtype of ``X``, with the row chunks of ``X``.
    sample_weight : dask.array.Array of shape (n_samples,)
        Non-negative weights of the dtype of ``X``, with its row chunks; they
        must have a positive sum.
    C : array-like of shape (K,)
        Inverse penalty strength per column, in (0, inf].
    l1_ratio : array-like of shape (K,)
        L1 share of the penalty per column, in [0, 1].
    fit_intercept : bool
        Whether the last coefficient row is an unpenalised intercept.
    sw_sum : float, default=None
        The sum of the weights, when already computed.
    weight_scale : float, default=1.0
        The weights are those of the fit times this power of two (see
        :func:`~sklearn_bce._loss.weight_scale`); the penalty is that of the
        fit's weights.
    """

    def __init__(
        self,
        X,
        Y,
        sample_weight,
        C,
        l1_ratio,
        fit_intercept,
        sw_sum=None,
        weight_scale=1.0,
    ):
        if X.numblocks[1] != 1:
            raise ValueError("X must have all its columns in one chunk.")
        self.X = X
        self.Y = Y
        self.dtype = X.dtype
        self.n_samples, self.n_features = X.shape
        self.n_problems = Y.shape[1]
        self.fit_intercept = bool(fit_intercept)
        self.n_coef = self.n_features + self.fit_intercept
        self._weight = sample_weight[:, None]
        if sw_sum is None:
            (sw_sum,) = _compute(sample_weight.sum(dtype=np.float64))
        self.sw_sum = np.full(self.n_problems, float(sw_sum))
        self._set_penalty(C, l1_ratio, weight_scale)
        self._gram = None

    def separates(self, coef):
        """As :meth:`sklearn_bce._loss.BCEObjective.separates`: one pass."""
        _, da = _dask()
        Z = self.X @ coef[: self.n_features]
        if self.fit_intercept:
            Z = Z + coef[self.n_features]
        on_side = da.where(self.Y > 0, Z > 0, Z < 0)
        (separated,) = _compute(da.all(on_side | (self._weight == 0), axis=0))
        return np.asarray(separated)

    #: The descent engines keep no ``(n_samples, K)`` logits for this objective
    #: (its sweep recomputes them from ``X``).
    stores_logits = False

    # -- evaluation ----------------------------------------------------------------
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
        """Objective at ``coef`` and gradient at an extrapolated point: one pass.

        The interface of :meth:`sklearn_bce._loss.BCEObjective.sweep`; the
        logits of ``previous`` are always recomputed from ``X`` in the same
        pass (``X @ [W, W_prev]``), so ``logits`` and ``recompute_previous``
        are ignored and no ``(n_samples, K)`` array lives on the client.

        Parameters
        ----------
        coef : ndarray of shape (n_coef, k)
            The new point, one column per swept problem.
        cols : ndarray of shape (k,), default=None
            The problems that the columns of ``coef`` belong to; all when None.
        logits : ndarray, default=None
            Ignored.
        beta : ndarray of shape (k,), default=None
            Extrapolation coefficient of each column; the gradient is taken at
            ``coef + beta (coef - previous)``.
        previous : ndarray of shape (n_coef, k), default=None
            The previous point; required with ``beta``.
        recompute_previous : bool, default=False
            Ignored (always recomputed).
        point_objective : bool, default=False
            Also return ``J`` at the extrapolated point.

        Returns
        -------
        SweepResult
        """
        del logits, recompute_previous
        n, k = self.n_features, coef.shape[1]
        dtype = self.dtype
        if beta is not None:
            beta = np.asarray(beta, dtype=coef.dtype)
            stacked = np.hstack([coef, previous])
        else:
            stacked = coef
        stacked = stacked.astype(dtype, copy=False)
        W = np.ascontiguousarray(stacked[:n])
        intercept = stacked[n].copy() if self.fit_intercept else None
        width = 2 * k + self.n_coef * k
        (total,) = _compute(
            _row_sums(
                _chunk_sweep,
                (self.X, self.Y, self._weight),
                width,
                W=W,
                intercept=intercept,
                k=k,
                beta=None if beta is None else beta.astype(dtype),
                cols=None if cols is None else np.asarray(cols),
                point_loss=bool(point_objective),
            )
        )
        return self._sweep_result(
            coef,
            cols,
            beta,
            previous,
            total[:k],
            total[k : 2 * k],
            total[2 * k :].reshape(self.n_coef, k),
            point_objective,
        )

    # -- curvature bounds ------------------------------------------------------------
    def weighted_gram(self):
        """``X1^T diag(s) X1 / S`` in float64: one reduction, computed once.

        Returns
        -------
        ndarray of shape (n_coef, n_coef)
        """
        if self._gram is None:
            (gram,) = _compute(
                _row_sums(
                    _chunk_gram,
                    (self.X, self._weight),
                    self.n_coef**2,
                    fit_intercept=self.fit_intercept,
                )
            )
            self._gram = gram.reshape(self.n_coef, self.n_coef) / self.sw_sum[0]
        return self._gram

    def hessian_bound(self):
        """The matrices ``B_k`` bounding every Hessian of ``J_k`` from above.

        Returns
        -------
        bounds : ndarray of shape (n_distinct, n_coef, n_coef)
            One matrix per distinct penalty, in float64.
        index : ndarray of shape (K,)
            Each problem's matrix.
        """
        gram = self.weighted_gram() / 4.0
        values, index = np.unique(self.l2, return_inverse=True)
        bounds = np.repeat(gram[None], len(values), axis=0)
        diagonal = np.arange(self.n_features)
        for j, l2 in enumerate(values):
            bounds[j, diagonal, diagonal] += l2
        return bounds, index.ravel()

    def n_hessian_bounds(self):
        """How many distinct matrices :meth:`hessian_bound` returns."""
        return len(np.unique(self.l2))

    def hessian_bound_diagonal(self):
        """Diagonal of every ``B_k``, shape ``(n_coef, K)``, in float64.

        One pass over ``X``, whatever its width.
        """
        diag = np.repeat(self._gram_diagonal()[:, None] / 4.0, self.n_problems, axis=1)
        diag[: self.n_features] += self.l2
        return diag

    def _gram_diagonal(self):
        """Diagonal of the weighted Gram matrix ``X1^T S X1 / S``, in float64."""
        if self._gram is not None:
            return self._gram.diagonal().copy()
        (squares,) = _compute(
            _row_sums(
                _chunk_squares,
                (self.X, self._weight),
                self.n_coef,
                fit_intercept=self.fit_intercept,
            )
        )
        return squares / self.sw_sum[0]

    def smoothness_bound(self):
        """Lipschitz constant ``L_k = lambda_max(B_k)`` of each gradient, ``(K,)``.

        From the Gram matrix when ``n_coef <= MAX_GRAM_COEF``; otherwise from
        Lanczos iterations (one pass over ``X`` each), enlarged by 1%.
        """
        if self.n_coef <= MAX_GRAM_COEF:
            bounds, index = self.hessian_bound()
            return np.array([largest_eigenvalue(b) for b in bounds])[index]
        # Adding l2 on the features only can raise lambda_max by at most l2.
        return self._lanczos_bound() / 4.0 + self.l2

    def _lanczos_bound(self):
        def matvec(v):
            v = np.asarray(v, dtype=np.float64).ravel()
            (out,) = _compute(
                _row_sums(
                    _chunk_gram_matvec,
                    (self.X, self._weight),
                    self.n_coef,
                    v=v,
                    fit_intercept=self.fit_intercept,
                )
            )
            return out / self.sw_sum[0]

        op = LinearOperator((self.n_coef, self.n_coef), matvec=matvec)
        try:
            return lanczos_largest_eigenvalue(op)
        except ArpackNoConvergence:
            # The trace bounds lambda_max from above (as the numpy engine's).
            return float(self._gram_diagonal().sum())


# -- validation -------------------------------------------------------------------
def _as_row_chunked(X, name, row_counts=True, owner="BCELogisticRegression"):
    """``X`` as a 2-D float32/float64 dask array with one chunk of columns.

    ``row_counts``: unknown chunk sizes are computed (a pass over ``X``),
    which fitting needs; predicting does not.  ``owner``: the estimator's
    class name, for scikit-learn's messages.
    """
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D dask array for {name}, got {X.ndim}D of shape {X.shape}."
        )
    if row_counts and np.isnan(X.shape[0]):
        X = X.compute_chunk_sizes()
    if X.dtype not in (np.float32, np.float64):
        if X.dtype.kind == "c":  # scikit-learn's words
            raise ValueError(f"Complex data not supported\n{X}\n")
        if X.dtype.kind not in "biufO":
            raise ValueError(f"{name} must hold numbers; got dtype {X.dtype}.")
        # Objects (a dask DataFrame's mixed columns) are cast as numpy's
        # check_array casts them; one that is not a number fails there.
        X = X.astype(np.float64)
    if X.numblocks[1] != 1:
        X = X.rechunk({1: -1})
    for count, what in ((X.shape[0], "sample"), (X.shape[1], "feature")):
        if count == 0:  # scikit-learn's words
            raise ValueError(
                f"Found array with 0 {what}(s) (shape={X.shape}) while a "
                f"minimum of 1 is required by {owner}."
            )
    return X


def _check_values(X):
    """Raise on NaN, infinity or magnitudes that would overflow (one pass)."""
    n_chunks = X.numblocks[0]
    _, da = _dask()
    flags = da.map_blocks(
        _chunk_check, X, dtype=np.float64, chunks=((1,) * n_chunks, (4,))
    )
    (flags,) = _compute(flags)
    if flags[:, 0].any():
        raise ValueError("Input X contains NaN.")
    if flags[:, 1].any():
        raise ValueError(
            f"Input X contains infinity or a value too large for {X.dtype!r}."
        )
    largest = max(float(flags[:, 2].max()), -float(flags[:, 3].min()))
    refuse_too_large(largest, float(np.finfo(X.dtype).max), X.shape, X.dtype)


def _rows_like(array, X, name, dtype=None, owner="BCELogisticRegression"):
    """A numpy or dask vector as a dask array with the row chunks of ``X``.

    A scalar ``sample_weight`` (a dask one too) weighs every row, made where
    the chunks are; ``y`` must be a vector, as in scikit-learn.  ``owner``:
    the estimator's class name, for scikit-learn's messages.
    """
    _, da = _dask()
    if name == "y" and array is None:
        raise ValueError(
            f"This {owner} estimator requires y to be passed, but the target y is None."
        )
    if np.ndim(array) == 0:
        if name == "y":
            raise ValueError(
                "y should be a 1d array, got an array of shape () instead."
            )
        if is_dask_array(array):
            array = da.broadcast_to(array, X.shape[:1], chunks=(X.chunks[0],))
            return array if dtype is None else array.astype(dtype)
        value = np.asarray(array)
        return da.full(
            X.shape[0],
            value,
            chunks=(X.chunks[0],),
            dtype=value.dtype if dtype is None else dtype,
        )
    if not is_dask_array(array):
        array = da.from_array(np.asarray(array), chunks=-1)
    if array.ndim == 2 and array.shape[1] == 1 and name == "y":
        warn_column_vector_y()
        array = array[:, 0]
    if array.ndim != 1:
        # scikit-learn's words for sample weights (a column is refused too).
        raise ValueError(
            "Sample weights must be 1D array or scalar, got "
            f"{array.ndim}D array. Expected either a scalar value or a 1D "
            f"array of length {X.shape[0]}."
            if name == "sample_weight"
            else f"{name} must be 1D; got shape {array.shape}."
        )
    if np.isnan(array.shape[0]):
        array = array.compute_chunk_sizes()
    if array.shape[0] != X.shape[0]:  # scikit-learn's words for each
        raise ValueError(
            f"sample_weight.shape == {array.shape}, expected {X.shape[:1]}!"
            if name == "sample_weight"
            else "Found input variables with inconsistent numbers of samples: "
            f"[{X.shape[0]}, {array.shape[0]}]"
        )
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    if array.chunks[0] != X.chunks[0]:
        array = array.rechunk((X.chunks[0],))
    return array


def _class_weight_vector(class_weight, classes, counts):
    """Weight of each class; ``counts`` are the (weighted) class counts."""
    if class_weight is None:
        return None
    if not (isinstance(class_weight, str) and class_weight == "balanced"):
        # A dict's weights need no counts.
        return class_weights(class_weight, classes, classes, None)
    if _CLASS_WEIGHT_TAKES_SAMPLE_WEIGHT:
        # y = classes, each weighted by its class's total weight, gives the
        # weighted bincount that "balanced" needs.
        return class_weights(class_weight, classes, classes, counts)
    return class_weights(class_weight, classes, np.repeat(classes, counts), None)


def _check_estimator(estimator):
    if estimator.batch_size is not None:
        raise ValueError(
            "batch_size is not supported with dask arrays; use full-batch "
            "descent (batch_size=None)."
        )
    if estimator.early_stopping:
        raise ValueError("early_stopping is not supported with dask arrays.")
    if has_callbacks(estimator):
        raise ValueError("set_callbacks is not supported with dask arrays.")


def fit_dask(estimator, X, y, sample_weight=None):
    """Fit ``estimator`` on a dask ``X``: what ``fit`` does for numpy input.

    Validates the data (the checks run as reductions on the cluster), sets
    ``classes_`` and ``n_features_in_`` on ``estimator``, builds a
    :class:`DaskBCEObjective` and runs the numpy fit's descent on it.

    Parameters
    ----------
    estimator : BCELogisticRegression
        The estimator; its parameters are used as they are.
    X : dask.array.Array of shape (n_samples, n_features)
        Training data; float32 is fitted in float32, other numeric dtypes are
        cast to float64.  Rechunked to one chunk of columns if needed.
    y : dask.array.Array or array-like of shape (n_samples,)
        Labels; only their distinct values are brought to the client.
    sample_weight : dask.array.Array or array-like of shape (n_samples,), default=None
        Non-negative weights; None weighs all samples equally.

    Returns
    -------
    result : DescentResult
        The descent's result.
    objective : DaskBCEObjective
        The objective it minimised, for ``_set_fitted`` and ``_warn``.
    """
    from ._logistic import run_solver
    from ._monitor import ProgressPrinter

    dask, da = _dask()
    _check_estimator(estimator)
    _refuse_sparse_chunks(getattr(X, "_meta", None))
    owner = type(estimator).__name__
    X = _as_row_chunked(X, "X", owner=owner)
    dtype = X.dtype
    y = _rows_like(y, X, "y", owner=owner)
    _check_values(X)

    try:
        (classes,) = _compute(da.unique(y))
    except TypeError as exc:
        # Labels of several types cannot be sorted: scikit-learn's error.
        raise ValueError(
            "Unknown label type: unknown. Maybe you are trying to fit a "
            "classifier, which expects discrete classes on a regression target "
            "with continuous values."
        ) from exc
    # NaN or infinite labels: scikit-learn's error, before its check of the
    # classes casts them to integers (which warns).
    assert_all_finite(classes, input_name="y")
    with warnings.catch_warnings():
        # Its rule of "more classes than half the samples" needs the samples,
        # not the distinct labels alone: applied below.
        warnings.filterwarnings("ignore", message=re.escape(_MANY_CLASSES))
        check_classification_targets(classes)
    n_samples = X.shape[0]
    if len(classes) > 2 and n_samples > 20 and len(classes) > round(0.5 * n_samples):
        warnings.warn(_MANY_CLASSES, UserWarning, stacklevel=external_stacklevel())
    if len(classes) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, "
            f"but the data contains only one class: {classes[0]!r}"
        )
    n_classes = len(classes)
    # Labels and weights are held in the cluster's memory once computed: each
    # check below reads them again, and a graph computed in several calls is
    # fused differently each time (distributed warns of "different run_spec").
    (y_index,) = dask.persist(
        y.map_blocks(_chunk_labels, classes=classes, dtype=np.intp)
    )

    if sample_weight is None:
        weight = da.ones(X.shape[0], chunks=(X.chunks[0],), dtype=dtype)
    else:
        (weight,) = dask.persist(
            _rows_like(sample_weight, X, "sample_weight", dtype=dtype)
        )
        nan, finite, smallest, positive = _compute(
            da.isnan(weight).any(),
            da.isfinite(weight).all(),
            weight.min(),
            (weight > 0).any(),
        )
        # scikit-learn's words.
        if nan:
            raise ValueError("Input sample_weight contains NaN.")
        if not finite:
            raise ValueError(
                "Input sample_weight contains infinity or a value too large for "
                f"{weight.dtype!r}."
            )
        if smallest < 0:
            raise ValueError("Negative values in data passed to `sample_weight`.")
        if not positive:
            # What numpy input gets (scikit-learn's words changed in 1.9).
            check_sample_weight(np.zeros(1, dtype), np.zeros((1, 1), dtype))

    counts = None
    if estimator.class_weight == "balanced":
        counts_weights = weight if _CLASS_WEIGHT_TAKES_SAMPLE_WEIGHT else None
        (counts,) = _compute(
            da.bincount(y_index, weights=counts_weights, minlength=n_classes)
        )
    per_class = _class_weight_vector(estimator.class_weight, classes, counts)
    if per_class is not None:
        per_class = np.asarray(per_class, dtype=np.float64)
        described = check_class_weights(per_class, classes)
        (weight,) = dask.persist(
            da.map_blocks(
                _chunk_class_weight, weight, y_index, per_class=per_class, dtype=dtype
            )
        )
    total, positive, finite, largest = _compute(
        weight.sum(dtype=np.float64),
        (weight > 0).any(),
        da.isfinite(weight).all(),
        weight.max(),
    )
    if per_class is not None and not finite:
        raise class_weight_overflow(dtype, described)
    if not positive:
        raise ValueError(
            "class_weight and sample_weight leave no sample with a positive weight."
        )
    check_weight_sum(
        np.asarray([total]),
        "sample weights"
        if per_class is None
        else "sample weights times their class weights",
        dtype=dtype,
    )
    # As in BCEObjective: weights above 1 are scaled down exactly.
    scale = float(weight_scale(largest))
    if scale != 1.0:
        (weight,) = dask.persist(weight * dtype.type(scale))
        total *= scale

    Y = y_index.map_blocks(
        _chunk_targets,
        n_classes=n_classes,
        target_dtype=dtype,
        dtype=dtype,
        chunks=(X.chunks[0], (1 if n_classes == 2 else n_classes,)),
        new_axis=1,
        meta=np.empty((0, 0), dtype=dtype),
    )
    # The targets and weights stay in the cluster's memory for every pass.
    Y, weight = dask.persist(Y, weight)

    estimator.classes_ = classes
    estimator.n_features_in_ = X.shape[1]
    estimator.__dict__.pop("feature_names_in_", None)
    objective = DaskBCEObjective(
        X,
        Y,
        weight,
        estimator.C,
        estimator.l1_ratio,
        estimator.fit_intercept,
        sw_sum=total,
        weight_scale=scale,
    )
    coef = estimator._initial_coef(objective)
    callback = None
    if estimator.verbose:
        callback = ProgressPrinter(
            1 if estimator.verbose >= 2 else 10, last=estimator.max_iter
        )
    result = run_solver(
        objective,
        coef,
        solver=estimator.solver,
        learning_rate=estimator.learning_rate,
        max_iter=estimator.max_iter,
        tol=estimator.tol,
        callback=callback,
    )
    return result, objective


# -- prediction -------------------------------------------------------------------
def predict_dask(estimator, X, method):
    """A prediction method of a fitted model on a dask ``X``, as a dask array.

    Lazy: a ``map_blocks`` over the row chunks of ``X`` with the fitted
    ``coef_``, ``intercept_`` and ``classes_``; nothing is computed.

    Parameters
    ----------
    estimator : fitted BCELogisticRegression or BCELogisticRegressionCV
        The model.
    X : dask.array.Array of shape (n_samples, n_features)
        Samples.
    method : {"decision_function", "predict", "predict_proba", "predict_log_proba"}
        What to return, with the shape of the numpy method's result.

    Returns
    -------
    dask.array.Array
        ``(n_samples,)`` for ``predict`` and a binary ``decision_function``,
        ``(n_samples, n_classes)`` otherwise.
    """
    methods = ("decision_function", "predict", "predict_proba", "predict_log_proba")
    if method not in methods:
        raise ValueError(f"method must be one of {methods}; got {method!r}.")
    check_is_fitted(estimator)
    if not (isinstance(estimator.coef_, np.ndarray) or sp.issparse(estimator.coef_)):
        raise ValueError(
            f"{type(estimator).__name__}.{method}() got a dask array, but this "
            "model was fitted on array API arrays: predict with "
            "sklearn.set_config(array_api_dispatch=True) and arrays of the same "
            "namespace and device, or move the model to NumPy with "
            "sklearn.utils._array_api.move_estimator_to(model, numpy, 'cpu')."
        )
    check_feature_names(estimator, X)  # reads no data
    X = _as_row_chunked(X, "X", row_counts=False)
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input."
        )
    coef = np.asarray(dense_coef(estimator.coef_))
    intercept = np.asarray(estimator.intercept_)
    classes = np.asarray(estimator.classes_)
    n_classes = len(classes)
    dtype = np.result_type(X.dtype, coef.dtype)
    one_column = coef.shape[0] == 1
    kwargs = {"coef": coef, "intercept": intercept, "classes": classes}
    kwargs["check_finite"] = not get_config()["assume_finite"]
    # A search's model may lack classes no training part held.
    kwargs["untrained"] = getattr(estimator, "_untrained_classes", None)
    if method == "predict" or (method == "decision_function" and one_column):
        dtype = classes.dtype if method == "predict" else dtype
        return X.map_blocks(
            _chunk_predict,
            method=method,
            dtype=dtype,
            drop_axis=1,
            meta=np.empty((0,), dtype=dtype),
            **kwargs,
        )
    width = coef.shape[0] if method == "decision_function" else n_classes
    return X.map_blocks(
        _chunk_predict,
        method=method,
        dtype=dtype,
        chunks=(X.chunks[0], (width,)),
        meta=np.empty((0, 0), dtype=dtype),
        **kwargs,
    )
