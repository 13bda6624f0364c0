"""The one place that touches scikit-learn's private helpers.

Everything else imports them from here, so a change of scikit-learn's private
API is mended in this file alone.
"""

import inspect

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight, validate_data

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn: no callbacks

    class CallbackSupportMixin:
        """Stand-in without ``set_callbacks`` for scikit-learn < 1.9."""


__all__ = [
    "CallbackSupportMixin",
    "Interval",
    "StrOptions",
    "_fit_context",
    "check_finite_products",
    "check_sample_weight",
    "check_weight_sum",
    "class_weights",
    "validate_data",
]


def check_sample_weight(sample_weight, X):
    """Validated sample weights of X's dtype: finite, non-negative, not all zero.

    Unlike ``LogisticRegression``, negative weights are rejected: with them the
    objective is no longer convex and may have no minimum.
    """
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
    if not np.any(sample_weight > 0):
        raise ValueError(
            "Sample weights must contain at least one positive value; "
            "got all-zero sample_weight."
        )
    return sample_weight


def check_weight_sum(sample_weight):
    """Raise if the weights' sum overflows or is too small to divide by.

    The objective divides by the sum of the weights (and the penalty by ``C``
    times it), so the sum must be a normal, finite float.
    """
    with np.errstate(over="ignore"):
        total = float(np.sum(sample_weight, dtype=np.float64))
    info = np.finfo(sample_weight.dtype)
    if not np.isfinite(total) or total > info.max / 16:
        raise ValueError(
            f"The sample weights sum to {total:.3g}, too large for "
            f"{sample_weight.dtype} arithmetic; rescale them (only their ratios "
            "and their scale relative to C matter)."
        )
    if total < 1e6 * float(info.tiny):
        raise ValueError(
            f"The sample weights sum to {total:.3g}, too small to divide by; "
            "rescale them."
        )
    return sample_weight


def check_finite_products(X):
    """Raise if ``X`` is so large that ``X @ w`` or ``X.T @ X`` could overflow.

    Solvers form sums of ``n_features`` products of ``X`` entries with
    coefficients and sums of ``n_samples`` squared entries; both must stay far
    inside the floating-point range of ``X``'s dtype.
    """
    values = X.data if sp.issparse(X) else X
    if values.size == 0:
        return
    # Two reductions instead of np.abs(X), which would copy X.
    largest = max(float(values.max()), -float(values.min()))
    n_terms = float(X.shape[0]) * (X.shape[1] + 1)
    if largest > np.sqrt(float(np.finfo(X.dtype).max) / 16 / n_terms):
        raise ValueError(
            f"X has values as large as {largest:.3g}, too large for "
            f"{X.dtype} arithmetic: X @ w and the curvature of the loss would "
            "overflow. Rescale the features, for example with "
            "sklearn.preprocessing.StandardScaler."
        )


_CLASS_WEIGHT_TAKES_SAMPLE_WEIGHT = (
    "sample_weight" in inspect.signature(compute_class_weight).parameters
)


def class_weights(class_weight, classes, y, sample_weight):
    """Weight of each class, as ``LogisticRegression`` computes it.

    Recent scikit-learn counts the samples of each class by their sample
    weights for ``"balanced"``; older versions count them.
    """
    if _CLASS_WEIGHT_TAKES_SAMPLE_WEIGHT:
        return compute_class_weight(
            class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
    return compute_class_weight(class_weight, classes=classes, y=y)
