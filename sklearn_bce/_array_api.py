r"""Fitting and prediction on array API arrays (PyTorch, CuPy, array-api-strict).

With ``sklearn.set_config(array_api_dispatch=True)`` (and ``SCIPY_ARRAY_API=1``
set before scipy is imported, as scikit-learn requires), an ``X`` that is not a
numpy array but follows the `array API standard
<https://data-apis.org/array-api/latest/>`_ is fitted here: every operation
on ``X`` and on the coefficients uses ``X``'s own namespace on ``X``'s device,
so a PyTorch or CuPy array on a GPU trains on the GPU.  numpy input (with or
without dispatch) never comes here: it keeps the fused engine of
:mod:`sklearn_bce._loss` and :mod:`sklearn_bce._solver`, the fastest on a CPU.

The problem
-----------
:class:`ArrayAPIObjective` holds the objective of :mod:`sklearn_bce._loss`
for the ``K`` one-vs-rest columns of one fit: the weighted mean binary
cross-entropy (sample weights times class weights, normalised to sum to one)
plus ``l2/2 ||w||^2 + l1 ||w||_1`` with ``l2 = (1 - l1_ratio) / (C S)`` and
``l1 = l1_ratio / (C S)``, ``S`` the sum of the weights; the intercept is not
penalised.  The labels, sample weights and class weights are prepared on the
host with the numpy fit's own helpers (they are vectors of ``n_samples``
numbers, moved to the device once); ``X`` stays where it is.

The descent
-----------
:func:`descent` is the numpy engine (:func:`sklearn_bce._solver.descent`):
proximal gradient descent, with or without Nesterov momentum (FISTA with the
same gradient restart), in the same metrics, written with array operations
only, so that nothing branches on the values of device arrays: the restart
is an ``xp.where``, the L1 part a soft-threshold.  The step is the numpy
fit's:

- a fixed ``learning_rate``, used as given, with divergence detection;
- ``learning_rate="auto"`` with ``solver="gd"``: ``1 / L``, ``L`` the largest
  eigenvalue of the Hessian bound ``B = X1^T diag(s) X1 / (4 S) + l2 I'`` (by
  ``xp.linalg.eigvalsh``, or by power iteration for more than
  :data:`MAX_GRAM_COEF` coefficients);
- ``learning_rate="auto"`` with ``solver="nesterov"``: the step ``B^-1 grad``
  (its diagonal for an L1 term or more than :data:`MAX_DENSE_METRIC`
  coefficients, with ``B`` itself from the first block ending at or after
  iteration 50 up to 1024 coefficients without an L1 term), scaled per
  column by the numpy engine's backtracking line
  search.  A step that fails its sufficient-decrease test is undone with
  ``xp.where`` and retried at the next pass with a shorter step, so the line
  search needs no read of the objective on the host either.

Nothing is read back to the host during an iteration.  Iterations run in
blocks of :data:`BLOCK_ITERATIONS`; each keeps its iterates and, per
iteration, the objective and the largest absolute entry of the (proximal)
gradient (and, with the line search, whether the step was accepted) in device
arrays, which are read back once at the end of the block.  The host then
finds, column by column, the first iteration that met ``tol`` or (for a fixed
step) diverged, as the numpy engine decides after each iteration, so
``n_iter_``, ``loss_curve_``, ``converged_`` and ``stop_reason_`` mean the
same, and with a fixed step or ``"gd"`` the iterates are the numpy fit's; the
iterations a block ran past a column's stop are discarded.  Columns are
independent, so those that have stopped do not change the others.
"""

import contextlib
import functools

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets

from ._dask import is_dask_array
from ._loss import penalty_factor
from ._monitor import ProgressPrinter
from ._solver import (
    CONVERGED,
    DIVERGED,
    DIVERGENCE_FACTOR,
    FULL_METRIC_AFTER,
    FULL_METRIC_MAX_COEF,
    MAX_ALPHA,
    MAX_ITER,
    STEP_GROWTH,
    DescentResult,
    metric_jitter,
    rose_above_start,
)
from ._validation import (
    ARRAY_API_HELPERS,
    check_finite_products,
    check_sample_weight,
    dense_coef,
    get_namespace,
    get_namespace_and_device,
    has_callbacks,
    indexing_dtype,
    is_numpy_namespace,
    max_precision_float_dtype,
    move_to,
    refuse_nonfinite_start,
    validate_data,
    warm_start_coef,
)

__all__ = [
    "ArrayAPIObjective",
    "array_api_namespace",
    "check_numpy_only",
    "descent",
    "fit_array_api",
    "predict_array_api",
    "to_numpy",
]

#: Iterations between two reads of the objective and the gradient to the host.
BLOCK_ITERATIONS = 10

#: Largest ``n_coef`` whose smoothness bound comes from the eigenvalues of the
#: ``n_coef x n_coef`` Hessian bound; wider data use power iteration.
MAX_GRAM_COEF = 1000

#: Largest ``n_coef`` for which ``learning_rate="auto"`` with ``"nesterov"``
#: steps with the inverse of the full Hessian bound (as the numpy engine).
MAX_DENSE_METRIC = 256

#: Power iterations for the smoothness bound of wide data, and the margin that
#: turns their estimate (from below) into a bound.
POWER_ITERATIONS = 100
POWER_MARGIN = 1.05

#: Entries of ``X`` per row block when forming the Gram matrix in float64.
GRAM_BLOCK_ENTRIES = 1 << 22


def array_api_namespace(X):
    """``(xp, device)`` of ``X`` when it is fitted here, else None.

    That is when scikit-learn's ``array_api_dispatch`` is on and ``X`` is an
    array API array other than a numpy array.

    Parameters
    ----------
    X : object
        The input of ``fit`` or of a prediction method.

    Returns
    -------
    tuple or None
        The array namespace and device of ``X``.
    """
    if not get_config()["array_api_dispatch"]:
        return None
    if isinstance(X, np.ndarray) or sp.issparse(X):
        return None
    if not ARRAY_API_HELPERS:
        if hasattr(X, "__array_namespace__"):
            raise ValueError(
                f"Array API inputs ({type(X).__module__}.{type(X).__name__}) need "
                "scikit-learn >= 1.9; pass NumPy arrays, or upgrade scikit-learn."
            )
        return None
    try:
        xp, is_array_api, device = get_namespace_and_device(X)
    except TypeError:  # not an array of any known namespace
        return None
    if not is_array_api or is_numpy_namespace(xp):
        return None
    layout = getattr(X, "layout", None)
    if layout is not None and str(layout) != "torch.strided":
        # (The engine's reductions have no sparse kernels.)
        raise ValueError(
            f"Sparse tensors ({layout}) are not supported: pass a dense "
            "tensor (X.to_dense()), or a SciPy sparse matrix without "
            "array_api_dispatch."
        )
    if xp.isdtype(X.dtype, "complex floating"):
        # scikit-learn's check reads dtype.kind, which torch's dtypes lack.
        raise ValueError(f"Complex data not supported\n{X}\n")
    return xp, device


def to_numpy(array):
    """A numpy copy, on the host, of an array API array; anything else as is.

    Needs ``array_api_dispatch`` on (to recognise the array's namespace),
    except for a dask array, which is computed (loaded into memory).
    """
    if is_dask_array(array):
        return np.asarray(array)
    if not ARRAY_API_HELPERS:
        return array
    if array is None or isinstance(array, np.ndarray) or sp.issparse(array):
        return array
    try:
        xp, is_array_api = get_namespace(array)
    except TypeError:  # not an array of any known namespace
        return array
    if not is_array_api or is_numpy_namespace(xp):
        return array
    return move_to(array, xp=np, device="cpu")


def _float_dtypes(xp, device):
    """The float dtypes ``X`` may keep on ``device``, the one to cast to first:
    float64 and float32, or float32 alone on a device without float64."""
    if max_precision_float_dtype(xp, device) == xp.float64:
        return [xp.float64, xp.float32]
    return [xp.float32]


def check_numpy_only(estimator, X, method):
    """Raise for array API input, or a model fitted on it, in a numpy-only method.

    A dask array is not refused (the method loads it into memory, with
    :func:`to_numpy`), though with ``array_api_dispatch`` scikit-learn sees
    an array API namespace in it.
    """
    namespace = None if is_dask_array(X) else array_api_namespace(X)
    coef = getattr(estimator, "coef_", None)
    if namespace is None and (
        coef is None or isinstance(coef, np.ndarray) or sp.issparse(coef)
    ):
        return
    where = (
        f"array API namespace {namespace[0].__name__}"
        if namespace is not None
        else "models fitted on array API arrays"
    )
    raise ValueError(
        f"{method} is not supported for {where}: it computes with NumPy on "
        "the host. Use NumPy arrays and a model fitted on them (a fitted model "
        "moves to NumPy with "
        "sklearn.utils._array_api.move_estimator_to(model, numpy, 'cpu'))."
    )


def _numpy_dtype(xp, dtype):
    return np.float32 if dtype == xp.float32 else np.float64


def _relu(a):
    """``max(a, 0)``: ``(a + |a|) / 2`` is exact in floating point."""
    return (a + abs(a)) * 0.5


# -- the objective ----------------------------------------------------------------
class ArrayAPIObjective:
    """``K`` penalised BCE problems sharing ``X``, in ``X``'s namespace and device.

    The objective of :class:`sklearn_bce._loss.BCEObjective` for the columns
    of one fit, which share their sample weights, ``C`` and ``l1_ratio``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        float32 or float64 array API array.
    Y : array of shape (n_samples, K)
        Targets in {0, 1}, of the dtype, namespace and device of ``X``.
    weight : array of shape (n_samples, 1)
        Sample weights divided by their sum ``S``, like ``Y``.
    sw_sum : float
        ``S``, the sum of the sample weights.
    C : float
        Inverse penalty strength, in (0, inf].
    l1_ratio : float
        L1 share of the penalty, in [0, 1].
    fit_intercept : bool
        Whether the last coefficient row is an unpenalised intercept.
    """

    def __init__(self, X, Y, weight, sw_sum, C, l1_ratio, fit_intercept):
        self.xp, _, self.device = get_namespace_and_device(X)
        self.X, self.Y, self.weight = X, Y, weight
        self.dtype = X.dtype
        # Sums over samples (objective, Gram matrix) are taken in float64
        # where the device has it.
        self.sum_dtype = max_precision_float_dtype(self.xp, self.device)
        self.n_samples, self.n_features = X.shape
        self.n_problems = Y.shape[1]
        self.fit_intercept = bool(fit_intercept)
        self.n_coef = self.n_features + self.fit_intercept
        self.sw_sum = np.full(self.n_problems, float(sw_sum))
        # 0 where C is inf; a C so small that it overflows raises.
        penalty = float(
            penalty_factor(float(C), float(sw_sum), _numpy_dtype(self.xp, self.dtype))
        )
        self.l2_value = (1.0 - float(l1_ratio)) * penalty
        self.l1_value = float(l1_ratio) * penalty
        self.l2 = np.full(self.n_problems, self.l2_value)
        self.l1 = np.full(self.n_problems, self.l1_value)
        self._bound = None
        self._smoothness = None

    # -- arrays between host and device --------------------------------------------
    def from_numpy(self, array, dtype=None):
        """A numpy array as an array of ``X``'s namespace and device."""
        out = move_to(np.asarray(array), xp=self.xp, device=self.device)
        return out if dtype is None else self.xp.astype(out, dtype, copy=False)

    def zeros_coef(self):
        return self.xp.zeros(
            (self.n_coef, self.n_problems), dtype=self.dtype, device=self.device
        )

    def split_coef(self, coef):
        """``coef_`` of shape ``(K, n_features)`` and ``intercept_`` ``(K,)``."""
        xp, n = self.xp, self.n_features
        coef_ = xp.asarray(coef[:n, :].T, copy=True)
        if self.fit_intercept:
            intercept = xp.asarray(coef[n, :], copy=True)
        else:
            intercept = xp.zeros(self.n_problems, dtype=coef.dtype, device=self.device)
        return coef_, intercept

    # -- evaluations --------------------------------------------------------------
    def logits(self, coef):
        """``Z = X W + b``, shape ``(n_samples, K)``."""
        Z = self.X @ coef[: self.n_features, :]
        if self.fit_intercept:
            Z = Z + coef[self.n_features :, :]
        return Z

    def separates(self, coef):
        """As :meth:`sklearn_bce._loss.BCEObjective.separates`: on the device."""
        xp = self.xp
        Z = self.logits(coef)
        on_side = xp.where(self.Y > 0, Z > 0, Z < 0)
        separated = xp.all(on_side | (self.weight == 0), axis=0)
        return np.asarray(to_numpy(separated), dtype=bool)

    def value(self, Z, exp_neg_abs, coef):
        """The objective per column, shape ``(K,)``, in :attr:`sum_dtype`.

        ``exp_neg_abs`` is ``exp(-|Z|)``.
        """
        xp = self.xp
        # log(1 + e^z) - y z = log1p(e^-|z|) + (max(z, 0) - y z): no
        # overflow, and the bracket exact for y in {0, 1} (see _loss.bce).
        loss = xp.log1p(exp_neg_abs) + (_relu(Z) - self.Y * Z)
        value = xp.sum(
            xp.astype(self.weight * loss, self.sum_dtype, copy=False), axis=0
        )
        return value + self.penalty(coef)

    def penalty(self, coef):
        """``l2/2 ||w||^2 + l1 ||w||_1`` per column, in :attr:`sum_dtype`."""
        xp = self.xp
        W = xp.astype(coef[: self.n_features, :], self.sum_dtype, copy=False)
        value = xp.zeros(W.shape[1], dtype=self.sum_dtype, device=self.device)
        if self.l2_value > 0:  # 0 * inf would be NaN for huge coefficients
            value = (0.5 * self.l2_value) * xp.sum(W * W, axis=0)
        if self.l1_value > 0:
            value = value + self.l1_value * xp.sum(xp.abs(W), axis=0)
        return value

    def gradient(self, Z, exp_neg_abs, coef):
        """Gradient of the smooth part (data + L2) at ``coef``, of logits ``Z``."""
        xp = self.xp
        # sigmoid(z) from e = exp(-|z|): 1 / (1 + e) or e / (1 + e).
        positive = 1.0 / (1.0 + exp_neg_abs)
        sigmoid = xp.where(Z >= 0, positive, exp_neg_abs * positive)
        residual = self.weight * (sigmoid - self.Y)
        grad = self.X.T @ residual
        if self.l2_value > 0:
            grad = grad + self.l2_value * coef[: self.n_features, :]
        if self.fit_intercept:
            grad = xp.concat([grad, xp.sum(residual, axis=0, keepdims=True)], axis=0)
        return grad

    # -- curvature bounds --------------------------------------------------------
    def weighted_gram(self):
        """``X1^T diag(s/S) X1`` in :attr:`sum_dtype`, by blocks of rows."""
        xp, n, dtype = self.xp, self.n_features, self.sum_dtype
        gram = xp.zeros((n, n), dtype=dtype, device=self.device)
        column_sums = xp.zeros((1, n), dtype=dtype, device=self.device)
        rows = max(1, GRAM_BLOCK_ENTRIES // max(n, 1))
        for start in range(0, self.n_samples, rows):
            stop = min(start + rows, self.n_samples)
            block = xp.astype(self.X[start:stop, :], dtype, copy=False)
            weighted = block * xp.astype(self.weight[start:stop, :], dtype, copy=False)
            gram = gram + block.T @ weighted
            column_sums = column_sums + xp.sum(weighted, axis=0, keepdims=True)
        if not self.fit_intercept:
            return gram
        total = xp.sum(xp.astype(self.weight, dtype, copy=False), axis=0, keepdims=True)
        return xp.concat(
            [
                xp.concat([gram, column_sums.T], axis=1),
                xp.concat([column_sums, total], axis=1),
            ],
            axis=0,
        )

    def hessian_bound(self):
        """``B = X1^T diag(s/S) X1 / 4 + l2 I'`` (no L2 on the intercept)."""
        if self._bound is None:
            ridge = np.full(self.n_coef, self.l2_value)
            if self.fit_intercept:
                ridge[-1] = 0.0
            self._bound = self.weighted_gram() / 4.0 + self.from_numpy(
                np.diag(ridge), self.sum_dtype
            )
        return self._bound

    def smoothness_bound(self):
        """Lipschitz constant ``L`` of every column's gradient, numpy ``(K,)``."""
        if self._smoothness is None:
            if self.n_coef <= MAX_GRAM_COEF:
                values = self.xp.linalg.eigvalsh(self.hessian_bound())
                top = float(np.max(to_numpy(values)))
            else:
                top = self._power_iteration_bound()
            self._smoothness = np.full(self.n_problems, top)
        return self._smoothness

    def _power_iteration_bound(self):
        """``lambda_max(B)`` of wide data from power iteration on ``v -> B v``."""
        xp, n = self.xp, self.n_features
        start = np.random.default_rng(0).standard_normal((self.n_coef, 1))
        v = self.from_numpy(start, self.dtype)

        def gram_times(v):
            z = self.X @ v[:n, :]
            if self.fit_intercept:
                z = z + v[n:, :]
            z = self.weight * z
            out = self.X.T @ z
            if self.fit_intercept:
                out = xp.concat([out, xp.sum(z, axis=0, keepdims=True)], axis=0)
            return out

        tiny = xp.finfo(self.dtype).smallest_normal
        for _ in range(POWER_ITERATIONS):
            v = gram_times(v)
            v = v / (xp.sqrt(xp.sum(v * v)) + tiny)
        estimate = float(to_numpy(xp.sum(v * gram_times(v))))
        # Adding l2 on the features only can raise lambda_max by at most l2.
        return POWER_MARGIN * estimate / 4.0 + self.l2_value

    def hessian_bound_diagonal(self):
        """Diagonal of ``B``, shape ``(n_coef, 1)``, in :attr:`sum_dtype`.

        One pass over ``X``, whatever its width.
        """
        xp, dtype = self.xp, self.sum_dtype
        squares = xp.zeros((1, self.n_features), dtype=dtype, device=self.device)
        rows = max(1, GRAM_BLOCK_ENTRIES // max(self.n_features, 1))
        for start in range(0, self.n_samples, rows):
            stop = min(start + rows, self.n_samples)
            block = xp.astype(self.X[start:stop, :], dtype, copy=False)
            weight = xp.astype(self.weight[start:stop, :], dtype, copy=False)
            squares = squares + xp.sum(weight * block * block, axis=0, keepdims=True)
        diagonal = squares.T / 4.0 + self.l2_value
        if self.fit_intercept:
            total = xp.sum(
                xp.astype(self.weight, dtype, copy=False), axis=0, keepdims=True
            )
            diagonal = xp.concat([diagonal, total / 4.0], axis=0)
        return diagonal


# -- metrics ----------------------------------------------------------------------
class ScalarMetric:
    """``M = I / step``: the textbook step ``x <- x - step * grad``."""

    def __init__(self, step):
        self.step = float(step)

    def solve(self, grad):
        return self.step * grad

    def apply(self, direction):
        return direction / self.step

    def inverse_diagonal(self):
        return self.step


class DiagonalMetric:
    """``M = diag(B)`` (with a floor), for an L1 penalty or wide data."""

    def __init__(self, objective):
        xp = objective.xp
        diagonal = objective.hessian_bound_diagonal()
        # An all-zero column of X gives a zero entry (and a zero gradient);
        # small entries keep their own scale (an intercept beside a huge
        # penalty); without any curvature (all-zero X, no intercept, no L2
        # term: a flat objective), unit curvature.
        # (On the device: no read to the host.)
        largest = xp.max(diagonal)
        floor = xp.where(
            largest > 0,
            1e-12 * largest + xp.finfo(diagonal.dtype).smallest_normal,
            xp.ones_like(largest),
        )
        diagonal = xp.where(diagonal > 0, diagonal, floor)
        # Entries the iterates' dtype would round to 0 count as its smallest
        # subnormal number: in float32 the curvature of a feature in units
        # of 1e-24 (about 1e-48) would, and its division by 0 made the model
        # NaN.  (The numpy engine divides such steps in float64 instead, and
        # takes them in full; here they are shortened.)
        info = xp.finfo(objective.dtype)
        smallest = float(info.smallest_normal) * float(info.eps)
        diagonal = xp.where(diagonal > smallest, diagonal, smallest)
        self.diagonal = xp.astype(diagonal, objective.dtype, copy=False)
        self.n_features = objective.n_features
        self.xp = xp

    def solve(self, grad):
        return grad / self.diagonal

    def apply(self, direction):
        return direction * self.diagonal

    def inverse_diagonal(self):
        # At most half the dtype's largest number (a subnormal entry's inverse
        # would overflow); a threshold that large zeroes its coefficient.
        smallest = 2.0 / float(self.xp.finfo(self.diagonal.dtype).max)
        return 1.0 / self.xp.clip(self.diagonal[: self.n_features, :], min=smallest)


class MatrixMetric:
    """``M = B + r D``, through its inverse (``D = diag(B)``).

    Both are applied in :attr:`ArrayAPIObjective.sum_dtype` (float64 where
    the device has it): a nearly singular ``B`` (collinear features, no
    penalty) has a large inverse, whose product with the gradient loses all
    accuracy in float32.  ``r``, :func:`~sklearn_bce._solver.metric_jitter`
    (16 eps of the dtype of ``X``, whose rounding makes smaller curvatures
    noise, at least 1e-10), keeps ``M``
    invertible; it is added to the diagonally scaled ``D^-1/2 B D^-1/2``, so
    that a feature on a large scale does not swamp the others', and ``M``
    stays above ``B``, so its step still never increases the objective.  No
    proximal operator: no L1 term.
    """

    def __init__(self, objective):
        xp = objective.xp
        bound = objective.hessian_bound()
        tiny = xp.finfo(bound.dtype).smallest_normal
        diagonal = xp.linalg.diagonal(bound)
        # No curvature at all (all-zero X, no intercept, no L2 term): the
        # objective is flat, and the identity is as good a metric (chosen on
        # the device: no read to the host).
        identity = xp.eye(bound.shape[0], dtype=bound.dtype, device=objective.device)
        bound = xp.where(xp.max(diagonal) > 0, bound, identity)
        diagonal = xp.linalg.diagonal(bound)
        # All-zero columns get a floor instead of a division by zero; small
        # entries keep their own scale (an intercept beside a huge penalty).
        floor = xp.finfo(bound.dtype).eps * xp.max(diagonal) + tiny
        root = xp.sqrt(xp.where(diagonal > 0, diagonal, floor))
        scale = 1.0 / root
        # The scaled bound has a unit diagonal: raising it by ``relative``
        # raises each diagonal entry of B by that much of itself, as the
        # numpy engine's Cholesky metric does.  Its inverse by elimination
        # keeps the small entries between the intercept and the features of
        # a huge penalty accurate to their own scale (an eigendecomposition's
        # vectors mix them at the rounding of the largest).  The scaling
        # multiplies B one side at a time and the vectors the metric is
        # applied to, never by ``scale_i * scale_j``, which overflows for
        # features in tiny units.
        relative = metric_jitter(xp.finfo(objective.dtype).eps)
        scaled = (bound * scale[:, None]) * scale[None, :] + relative * identity
        self.scaled_inverse = xp.linalg.inv(scaled)
        self.scaled = scaled
        self.scale, self.root = scale[:, None], root[:, None]
        self.xp, self.dtype = xp, objective.dtype

    def _times(self, matrix, array, scale):
        array = self.xp.astype(array, matrix.dtype, copy=False)
        product = scale * (matrix @ (scale * array))
        return self.xp.astype(product, self.dtype, copy=False)

    def solve(self, grad):
        """``M^-1 grad = D^-1/2 S^-1 D^-1/2 grad``, ``S`` the scaled bound."""
        return self._times(self.scaled_inverse, grad, self.scale)

    def apply(self, direction):
        """``M direction = D^1/2 S D^1/2 direction``."""
        return self._times(self.scaled, direction, self.root)

    def inverse_diagonal(self):  # pragma: no cover - guarded in `descent`
        raise TypeError("a full metric has no separable proximal operator")


def auto_metric(objective, solver):
    """The metric of ``learning_rate="auto"``, as in the numpy engine.

    ``"gd"``: the step ``1 / L``.  ``"nesterov"`` (with a line search): the
    full Hessian bound for at most :data:`MAX_DENSE_METRIC` coefficients and
    no L1 term, its diagonal otherwise (which ``fit_array_api`` has the
    descent replace by the full bound after 50 iterations, up to
    ``FULL_METRIC_MAX_COEF`` coefficients, as the numpy engine does).
    """
    if solver == "gd":
        bound = float(objective.smoothness_bound()[0])
        # A flat objective (no curvature at all): any step is safe.
        # At most the dtype's largest number (1/L of features in tiny units).
        largest = float(objective.xp.finfo(objective.dtype).max)
        return ScalarMetric(min(1.0 / bound, largest) if bound > 0 else 1.0)
    if objective.n_coef <= MAX_DENSE_METRIC and objective.l1_value == 0:
        return MatrixMetric(objective)
    return DiagonalMetric(objective)


# -- the descent ------------------------------------------------------------------
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
    metric_switch=None,
    callback=None,
):
    """Minimise every column of ``objective`` from ``coef``, on its device.

    The numpy engine (:func:`sklearn_bce._solver.descent`) without branches
    on device values: each pass of the loop below is a *trial* of every
    column.  Without ``line_search`` every trial is an iteration.  With it, a
    trial that fails the sufficient-decrease test of the numpy engine is
    discarded with ``xp.where`` (the column keeps its point and doubles
    ``alpha``) and the column tries again at the next pass; an accepted trial
    is an iteration (and, accepted at the first try, shrinks ``alpha`` by
    :data:`~sklearn_bce._solver.STEP_GROWTH`).  Each trial reads ``X`` twice,
    as a numpy iteration or retry does.

    Parameters
    ----------
    objective : ArrayAPIObjective
        The ``K`` problems.
    coef : array of shape (n_coef, K)
        Starting point, in the namespace, device and dtype of ``X``.
    metric : ScalarMetric, DiagonalMetric or MatrixMetric
        Metric of the proximal step ``prox(y - M^-1 grad / alpha)``.
    accelerated : bool
        Nesterov momentum (FISTA) with the numpy engine's gradient restart.
    max_iter : int
        Most iterations per column.
    tol : float
        A column converges when the largest absolute entry of its (proximal)
        gradient at the point a step starts from is ``<= tol``; it keeps that
        step's point unless the step raised the objective beyond rounding (as
        the numpy engine's ``_Descent.settle``).
    line_search : bool, default=False
        Backtrack on ``alpha`` as the numpy engine does (only accelerated).
    check_divergence : bool, default=False
        Stop a column whose objective becomes non-finite or more than
        ``DIVERGENCE_FACTOR`` times ``max(J(start), 1)``, keeping the
        coefficients of the lowest objective it reached (the start's, if no
        iterate was lower); a column that reaches ``max_iter`` with an
        objective above ``J(start)`` (by more than rounding) is diverged too,
        and keeps them also.
    metric_switch : tuple (int, callable), default=None
        ``(iteration, build)``: once a column has taken that many iterations
        (at the end of a block), the columns still running go on with the
        metric ``build()`` returns, with their momentum and line-search scale
        reset, as in the numpy engine (where the switch comes at exactly that
        iteration).
    callback : callable, default=None
        Called on the host after each iteration, once its block has been
        read back, as ``callback(iteration, None, objective, grad_max,
        active)`` (see :func:`sklearn_bce._solver.descent`); its result is
        ignored.

    Returns
    -------
    DescentResult
        ``coef`` in ``X``'s namespace and device, the rest numpy arrays.
    """
    xp, n = objective.xp, objective.n_features
    n_problems = objective.n_problems
    line_search = bool(line_search and accelerated)
    use_prox = objective.l1_value > 0
    if use_prox and isinstance(metric, MatrixMetric):
        raise ValueError("an L1 penalty needs a scalar or diagonal metric")
    dtype, sum_dtype = objective.dtype, objective.sum_dtype

    def ones(dtype):
        return xp.ones(n_problems, dtype=dtype, device=objective.device)

    def l1_penalty(coef):
        if not use_prox:
            return 0.0
        W = xp.astype(coef[:n, :], sum_dtype, copy=False)
        return objective.l1_value * xp.sum(xp.abs(W), axis=0)

    dtype_max = float(xp.finfo(dtype).max)

    def propose(y, grad, alpha):
        """The proximal step from ``y`` and its gradient mapping."""
        direction = metric.solve(grad)
        if line_search:
            direction = direction / xp.astype(alpha, dtype, copy=False)
        x_new = y - direction
        if not use_prox:
            return x_new, grad
        # A huge penalty over a tiny curvature would overflow the threshold;
        # any threshold above every coefficient zeroes them all the same.
        inverse = metric.inverse_diagonal()
        cap = 0.5 * dtype_max / max(float(objective.l1_value), 1.0)
        inverse = (
            min(inverse, cap)
            if isinstance(inverse, float)
            else xp.clip(inverse, max=cap)
        )
        threshold = objective.l1_value * inverse
        if line_search:
            threshold = threshold / xp.astype(alpha, dtype, copy=False)
        W = x_new[:n, :]
        W = xp.sign(W) * _relu(xp.abs(W) - threshold)
        # alpha M (y - W), computed without forming y - W (as the numpy
        # engine's _Descent.gradient_mapping): grad + l1 sign(W) where the
        # step keeps a coefficient, alpha M y where it zeroes it.
        scale = 1.0 / inverse
        if line_search:
            scale = scale * xp.astype(alpha, dtype, copy=False)
        if not isinstance(scale, float):
            # Within the dtype's range: y is 0 where a coefficient stays 0,
            # and 0 * inf would be NaN.
            scale = xp.clip(scale, max=dtype_max)
        mapping = xp.where(
            W != 0,
            grad[:n, :] + objective.l1_value * xp.sign(W),
            y[:n, :] * scale,
        )
        if objective.fit_intercept:
            W = xp.concat([W, x_new[n:, :]], axis=0)
            mapping = xp.concat([mapping, grad[n:, :]], axis=0)
        return W, mapping

    x = coef
    Z = objective.logits(x)
    exp_z = xp.exp(-xp.abs(Z))
    f_start = objective.value(Z, exp_z, x)
    fx = to_numpy(f_start).astype(np.float64)
    fx_start = fx.copy()
    f_limit = DIVERGENCE_FACTOR * np.maximum(fx, 1.0)
    # The iterate of the lowest objective before any divergence, per column,
    # kept on the device (and its objective on the host): what a diverged
    # column ends with.
    best_x, best_f = x, f_start
    best_fx = fx.copy()
    f_limit_device = xp.asarray(f_limit, dtype=f_start.dtype, device=objective.device)
    alive = ones(xp.bool)
    y, grad, f_y = x, objective.gradient(Z, exp_z, x), f_start
    momentum = ones(dtype)
    alpha = ones(sum_dtype)
    first_try = ones(xp.bool)
    slack_scale = 32 * float(xp.finfo(dtype).eps)

    n_iter = np.zeros(n_problems, dtype=int)
    stop_reason = np.full(n_problems, MAX_ITER, dtype=object)
    active = np.ones(n_problems, dtype=bool)
    grad_max = np.full(n_problems, np.nan)
    final = [None] * n_problems
    curves = [[] for _ in range(n_problems)]
    # Per column, for the callback: the gradient of each iteration, the
    # iteration it stopped at (a diverged trial counting as one) and the one
    # whose step diverged (its objective is reported as NaN).
    gradients = [[] for _ in range(n_problems)]
    stopped_at = np.full(n_problems, np.iinfo(np.int64).max)
    diverged_at = np.full(n_problems, -1)
    trial_grad_max = np.full(n_problems, np.nan)
    reported = 0

    def iteration_report(p):
        """``(objective, grad_max, active)`` of every column at iteration p."""
        objective, gradient = fx.copy(), grad_max.copy()
        for k in range(n_problems):
            if len(curves[k]) >= p:
                objective[k], gradient[k] = curves[k][p - 1], gradients[k][p - 1]
        objective[diverged_at == p] = np.nan
        return objective, gradient, stopped_at > p

    def quiet():
        if not check_divergence:
            return contextlib.nullcontext()
        return np.errstate(over="ignore", invalid="ignore")

    def start_objective(start):
        """The objective at the points ``start`` (host, per column).

        Plain descent starts each step from its iterate, whose objective
        ``fx`` holds; with momentum the point is evaluated (one read of X).
        """
        if not accelerated:
            return fx.copy()
        Z_start = objective.logits(start)
        value = objective.value(Z_start, xp.exp(-xp.abs(Z_start)), start)
        return to_numpy(value).astype(np.float64)

    while active.any():
        if metric_switch is not None and int(n_iter.max()) >= metric_switch[0]:
            metric = metric_switch[1]()
            metric_switch = None
            alpha, momentum, first_try = ones(sum_dtype), ones(dtype), ones(xp.bool)
        size = min(BLOCK_ITERATIONS, max_iter - int(n_iter[active].min()))
        # The iterates after each trial, and the points each trial starts from.
        iterates, starts, records = [x], [y], []
        # A step too large overflows on its way to a non-finite objective,
        # reported as divergence: numpy-backed namespaces' warnings would
        # only repeat it (as in the numpy engine).
        with quiet():
            for _ in range(size):
                x_new, mapping = propose(y, grad, alpha)
                largest = xp.max(xp.abs(mapping), axis=0)
                Z_new = objective.logits(x_new)
                exp_new = xp.exp(-xp.abs(Z_new))
                f_new = objective.value(Z_new, exp_new, x_new)
                if accelerated:
                    # Restart where the step goes against the gradient mapping.
                    restart = xp.sum(mapping * (x_new - x), axis=0) > 0
                    t = xp.where(restart, xp.ones_like(momentum), momentum)
                    t_next = 0.5 * (1.0 + xp.sqrt(1.0 + 4.0 * t * t))
                    beta = (t - 1.0) / t_next
                    y_next = x_new + beta * (x_new - x)
                    Z_y = Z_new + beta * (Z_new - Z)
                    exp_y = xp.exp(-xp.abs(Z_y))
                    grad_next = objective.gradient(Z_y, exp_y, y_next)
                else:
                    y_next, grad_next = x_new, objective.gradient(Z_new, exp_new, x_new)
                accepted = ones(xp.bool)
                if line_search:
                    move = x_new - y
                    curved = move * metric.apply(move)
                    curvature = xp.sum(xp.astype(curved, sum_dtype, copy=False), axis=0)
                    smooth_y = f_y - l1_penalty(y)
                    bound = (
                        smooth_y
                        + xp.sum(xp.astype(grad * move, sum_dtype, copy=False), axis=0)
                        + 0.5 * alpha * curvature
                    )
                    slack = slack_scale * (xp.abs(smooth_y) + 1e-12)
                    # A step that no longer moves, or a huge alpha, is accepted.
                    smooth_new = f_new - l1_penalty(x_new)
                    accepted = (
                        (smooth_new <= bound + slack)
                        | xp.all(move == 0, axis=0)
                        | (alpha >= MAX_ALPHA)
                    )
                    records.append(
                        xp.stack(
                            [
                                f_new,
                                xp.astype(largest, sum_dtype, copy=False),
                                xp.astype(accepted, sum_dtype, copy=False),
                                xp.astype(first_try, sum_dtype, copy=False),
                            ]
                        )
                    )
                    keep = accepted[None, :]
                    f_y = xp.where(accepted, objective.value(Z_y, exp_y, y_next), f_y)
                    x = xp.where(keep, x_new, x)
                    Z = xp.where(keep, Z_new, Z)
                    y = xp.where(keep, y_next, y)
                    grad = xp.where(keep, grad_next, grad)
                    momentum = xp.where(accepted, t_next, momentum)
                    # Lengthened after a first-try decrease that rounding
                    # cannot explain, as the numpy engine's.
                    decreased = smooth_new < smooth_y - slack
                    grown = xp.where(first_try & decreased, STEP_GROWTH * alpha, alpha)
                    alpha = xp.where(accepted, grown, 2.0 * alpha)
                    first_try = accepted
                else:
                    records.append(
                        xp.stack([f_new, xp.astype(largest, sum_dtype, copy=False)])
                    )
                    x, Z, y, grad = x_new, Z_new, y_next, grad_next
                    if accelerated:
                        momentum = t_next
                    if check_divergence:
                        alive = alive & xp.isfinite(f_new) & (f_new <= f_limit_device)
                        lower = alive & (f_new < best_f)
                        best_f = xp.where(lower, f_new, best_f)
                        best_x = xp.where(lower[None, :], x_new, best_x)
                iterates.append(x)
                starts.append(y)
        # The block's one read to the host.
        block = to_numpy(xp.stack(records)).astype(np.float64)
        for j in range(size):
            if not active.any():
                break
            f_new, largest = block[j, 0], block[j, 1]
            if line_search:
                accepted = block[j, 2] > 0
                new_iteration = block[j, 3] > 0
            else:
                accepted = np.ones(n_problems, dtype=bool)
                new_iteration = accepted
            # The gradient of an iteration is that of its first trial.
            trial_grad_max[new_iteration] = largest[new_iteration]
            grad_max[active] = trial_grad_max[active]
            # A converged column whose step rose from the point where its
            # gradient met tol (beyond rounding, or to a non-finite
            # objective) stays there, as in the numpy engine.
            meets = active & accepted & (grad_max <= tol)
            settled = np.zeros(n_problems, dtype=bool)
            if meets.any():
                f_from = start_objective(starts[j])
                with np.errstate(invalid="ignore"):
                    rose = ~(f_new <= f_from + slack_scale * np.abs(f_from))
                settled = meets & rose
                f_new = np.where(settled, f_from, f_new)
            diverged = np.zeros(n_problems, dtype=bool)
            if check_divergence:
                with np.errstate(invalid="ignore"):
                    diverged = active & ~(np.isfinite(f_new) & (f_new <= f_limit))
            ok = active & accepted & ~diverged
            done = ok & (grad_max <= tol)
            n_iter[ok] += 1
            fx[ok] = f_new[ok]
            best_fx[ok] = np.minimum(best_fx[ok], f_new[ok])
            for k in np.flatnonzero(ok):
                curves[k].append(f_new[k])
                if callback is not None:
                    gradients[k].append(grad_max[k])
            out_of_iterations = ok & ~done & (n_iter >= max_iter)
            # Out of iterations higher than it started: it was swinging, not
            # descending, and diverged too (as in the numpy engine).
            swung = np.zeros(n_problems, dtype=bool)
            if check_divergence:
                swung = out_of_iterations & rose_above_start(
                    fx, fx_start, _numpy_dtype(xp, dtype)
                )
                out_of_iterations &= ~swung
            for k in np.flatnonzero(diverged | swung):
                final[k] = best_x[:, k]
                fx[k] = best_fx[k]
            for k in np.flatnonzero(done | out_of_iterations):
                final[k] = (starts[j] if settled[k] else iterates[j + 1])[:, k]
            stop_reason[diverged | swung] = DIVERGED
            stop_reason[done] = CONVERGED
            stopping = diverged | swung | done | out_of_iterations
            active &= ~stopping
            # A diverged trial counts as its column's step, as in the numpy
            # engine's history.
            counts = n_iter + diverged
            stopped_at[stopping] = counts[stopping]
            diverged_at[diverged] = counts[diverged]
            # Iteration p is reported once every column still running has
            # taken p steps, each iteration once, with every column's values
            # at p, as the numpy engine (where each iteration steps every
            # running column) reports it: here a column's rejected trials
            # make it lag the others.
            passes = int(counts[active].min() if active.any() else counts.max())
            if callback is not None:
                for p in range(reported + 1, passes + 1):
                    callback(p, None, *iteration_report(p))
            reported = max(reported, passes)
    history = np.full((max(n_iter.max(), 0), n_problems), np.nan)
    for k, curve in enumerate(curves):
        history[: len(curve), k] = curve
    return DescentResult(
        coef=xp.stack(final, axis=1),
        objective=fx,
        n_iter=n_iter,
        history=history,
        converged=stop_reason == CONVERGED,
        stop_reason=stop_reason.astype(str),
        grad_max=grad_max,
    )


# -- fit --------------------------------------------------------------------------
def _check_estimator(estimator, xp):
    """Refuse what the array API engine does not do, in scikit-learn's words."""
    unsupported = {
        "batch_size": estimator.batch_size is not None,
        "early_stopping": bool(estimator.early_stopping),
    }
    for name, used in unsupported.items():
        if used:
            raise ValueError(
                f"`{name}={getattr(estimator, name)!r}` is not supported for "
                f"array API namespace {xp.__name__}. Use the default "
                f"`{name}` or fit on NumPy arrays instead."
            )
    if has_callbacks(estimator):
        raise ValueError(
            f"set_callbacks is not supported for array API namespace "
            f"{xp.__name__}. Remove the callbacks (set_callbacks()) or fit on "
            "NumPy arrays instead; verbose=1 prints the progress."
        )


def _classes_like(classes, y):
    """``classes_`` in the namespace and device of ``y``, as scikit-learn does.

    Labels that are not numbers (strings, objects) stay a numpy array.
    """
    xp_y, is_array_api, device_y = get_namespace_and_device(y)
    if not is_array_api or is_numpy_namespace(xp_y) or classes.dtype.kind not in "biuf":
        return classes
    return move_to(classes, xp=xp_y, device=device_y)


def _initial_coef(estimator, objective):
    """Zeros, or the previous coefficients when warm-starting."""
    K, n = objective.n_problems, objective.n_features
    previous = warm_start_coef(estimator, K, n)
    if previous is None:
        return objective.zeros_coef()
    coef = np.zeros((objective.n_coef, K))
    coef[:n] = to_numpy(dense_coef(previous)).T
    if objective.fit_intercept:
        coef[n] = np.broadcast_to(to_numpy(estimator.intercept_), (K,))
    # Checked in the data's precision: beyond float32's range is inf there.
    bits = objective.xp.finfo(objective.dtype).bits
    with np.errstate(over="ignore"):
        coef = coef.astype(np.float32 if bits == 32 else np.float64, copy=False)
    refuse_nonfinite_start(coef, "warm_start=True")
    return objective.from_numpy(coef, objective.dtype)


def fit_array_api(estimator, X, y, sample_weight, namespace):
    """Fit ``estimator`` on an array API ``X``: what ``fit`` does for numpy input.

    Validates the data, sets ``classes_`` (in the namespace of ``y``, as
    scikit-learn's array API classifiers do) and ``n_features_in_``, builds an
    :class:`ArrayAPIObjective` and runs :func:`descent` on ``X``'s device.

    Parameters
    ----------
    estimator : BCELogisticRegression
        The estimator; its parameters are used as they are.
    X : array of shape (n_samples, n_features)
        Training data; float32 is fitted in float32, other numeric dtypes are
        converted to float64 (float32 on devices without float64).
    y : array-like of shape (n_samples,)
        Labels, of any namespace and device.
    sample_weight : array-like of shape (n_samples,) or None
        Non-negative weights, of any namespace and device.
    namespace : tuple
        ``(xp, device)`` of ``X``, from :func:`array_api_namespace`.

    Returns
    -------
    result : DescentResult
        The descent's result (coefficients on the device, the rest numpy).
    objective : ArrayAPIObjective
        The objective it minimised.
    """
    from ._logistic import apply_class_weight  # (_logistic imports this module)

    xp, device = namespace
    _check_estimator(estimator, xp)
    y_original = y
    # Tensors that record gradients (say, a network's output or weights): the
    # fit needs their values only, and host reads of them would fail.
    if getattr(X, "requires_grad", False):
        X = X.detach()
    if getattr(y, "requires_grad", False):
        y = y.detach()
    if getattr(sample_weight, "requires_grad", False):
        sample_weight = sample_weight.detach()
    y, sample_weight = to_numpy(y), to_numpy(sample_weight)
    X, y = validate_data(estimator, X, y, dtype=_float_dtypes(xp, device))
    check_classification_targets(y)
    check_finite_products(X)
    encoder = LabelEncoder().fit(y)
    classes = encoder.classes_
    if len(classes) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, "
            f"but the data contains only one class: {classes[0]!r}"
        )
    estimator.classes_ = _classes_like(classes, y_original)
    y_index = encoder.transform(y)

    dtype = _numpy_dtype(xp, X.dtype)
    # Weights are vectors of n_samples numbers: prepared on the host with the
    # numpy fit's helpers, moved to the device once.
    shape_only = np.empty((X.shape[0], 0), dtype=dtype)
    weight = apply_class_weight(
        check_sample_weight(sample_weight, shape_only),
        estimator.class_weight,
        classes,
        y_index,
    )
    sw_sum = float(np.sum(weight, dtype=np.float64))
    labels = move_to(y_index, xp=xp, device=device)
    n_classes = len(classes)
    if n_classes == 2:
        Y = xp.astype(labels == 1, X.dtype, copy=False)[:, None]
    else:
        columns = xp.arange(n_classes, dtype=labels.dtype, device=device)
        Y = xp.astype(labels[:, None] == columns[None, :], X.dtype, copy=False)
    scaled_weight = ((weight / sw_sum).astype(dtype))[:, None]
    objective = ArrayAPIObjective(
        X,
        Y,
        move_to(scaled_weight, xp=xp, device=device),
        sw_sum,
        estimator.C,
        estimator.l1_ratio,
        estimator.fit_intercept,
    )

    options = {
        "accelerated": estimator.solver == "nesterov",
        "max_iter": estimator.max_iter,
        "tol": estimator.tol,
    }
    if estimator.verbose:
        options["callback"] = ProgressPrinter(
            1 if estimator.verbose >= 2 else 10, last=estimator.max_iter
        )
    if isinstance(estimator.learning_rate, str):
        options["metric"] = auto_metric(objective, estimator.solver)
        options["line_search"] = estimator.solver == "nesterov"
        if (
            isinstance(options["metric"], DiagonalMetric)
            and objective.l1_value == 0
            and objective.n_coef <= FULL_METRIC_MAX_COEF
        ):
            # Wide, correlated features: the full bound after 50 iterations,
            # as in the numpy engine (one bound here: a few MiB at most).
            options["metric_switch"] = (
                FULL_METRIC_AFTER,
                functools.partial(MatrixMetric, objective),
            )
    else:
        options["metric"] = ScalarMetric(estimator.learning_rate)
        options["check_divergence"] = True
    result = descent(objective, _initial_coef(estimator, objective), **options)
    return result, objective


# -- prediction -------------------------------------------------------------------
def _softplus(z, xp):
    """``log(1 + e^z)`` without overflow."""
    return _relu(z) + xp.log1p(xp.exp(-xp.abs(z)))


def _sigmoid(z, xp):
    exp_neg_abs = xp.exp(-xp.abs(z))
    positive = 1.0 / (1.0 + exp_neg_abs)
    return xp.where(z >= 0, positive, exp_neg_abs * positive)


def predict_array_api(estimator, X, method, namespace):
    """A prediction method of a model fitted on array API data, on ``X``'s device.

    Parameters
    ----------
    estimator : fitted BCELogisticRegression
        Fitted with arrays of the namespace and device of ``X``.
    X : array of shape (n_samples, n_features)
        Samples.
    method : {"decision_function", "predict", "predict_proba", "predict_log_proba"}
        What to return, with the shape of the numpy method's result.
    namespace : tuple
        ``(xp, device)`` of ``X``, from :func:`array_api_namespace`.

    Returns
    -------
    array
        In the namespace and on the device of ``X`` (``predict`` of labels that
        are not numbers: a numpy array, as in scikit-learn).
    """
    xp, device = namespace
    X = validate_data(estimator, X, dtype=_float_dtypes(xp, device), reset=False)
    coef, intercept = estimator.coef_, estimator.intercept_
    dtype = xp.result_type(X.dtype, coef.dtype)
    scores = xp.astype(X, dtype, copy=False) @ xp.astype(
        coef, dtype, copy=False
    ).T + xp.astype(intercept, dtype, copy=False)
    binary = scores.shape[1] == 1
    if binary:
        scores = scores[:, 0]
    if method == "decision_function":
        return scores
    if method == "predict":
        if binary:
            index = xp.astype(scores > 0, indexing_dtype(xp), copy=False)
        else:
            index = xp.argmax(scores, axis=1)
        classes = estimator.classes_
        xp_classes, _, device_classes = get_namespace_and_device(classes)
        index = move_to(index, xp=xp_classes, device=device_classes)
        labels = xp_classes.take(classes, index, axis=0)
        if isinstance(labels, np.ndarray) and labels.dtype.kind not in "biuf":
            return labels
        return move_to(labels, xp=xp, device=device)
    if method == "predict_proba":
        if binary:
            return xp.stack([_sigmoid(-scores, xp), _sigmoid(scores, xp)], axis=1)
        # Normalised in the log domain: every sigmoid(z_k) can underflow.
        shifted = _shifted_log_sigmoid(scores, xp)
        proba = xp.exp(shifted)
        return proba / xp.sum(proba, axis=1, keepdims=True)
    # predict_log_proba: log sigmoid(z) = -log(1 + e^-z), computed stably.
    if binary:
        return -xp.stack([_softplus(scores, xp), _softplus(-scores, xp)], axis=1)
    shifted = _shifted_log_sigmoid(scores, xp)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


def _shifted_log_sigmoid(scores, xp):
    """``log sigmoid(scores)`` less its row maximum: rows with a 0 entry."""
    log_sigmoid = -_softplus(-scores, xp)
    return log_sigmoid - xp.max(log_sigmoid, axis=1, keepdims=True)
