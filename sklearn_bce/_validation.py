"""The one place that touches scikit-learn's private helpers.

Everything else imports them from here (the callback API's private parts
included: ``has_callbacks``, ``init_callback_context``), so a change of
scikit-learn's private API is mended in this file alone.
"""

import contextlib
import contextvars
import inspect
import os
import threading
import warnings

import joblib  # scikit-learn's dependency, which runs its searches' fits
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.base import _fit_context
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import make_scorer
from sklearn.utils import _safe_indexing  # noqa: F401 (re-exported)
from sklearn.utils._param_validation import (  # noqa: F401 (re-exported)
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import (
    _check_feature_names,
    _check_sample_weight,
    validate_data,
)

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn: no callbacks

    class CallbackSupportMixin:
        """Stand-in without ``set_callbacks`` for scikit-learn < 1.9."""


try:  # scikit-learn >= 1.9: the array API helpers of fit and predict
    from sklearn.utils._array_api import (
        _is_numpy_namespace,
        _max_precision_float_dtype,
        check_same_namespace,
        get_namespace,
        get_namespace_and_device,
        indexing_dtype,
        move_to,
    )

    ARRAY_API_HELPERS = True
except ImportError:  # pragma: no cover - older scikit-learn: numpy only
    ARRAY_API_HELPERS = False

    def check_same_namespace(X, estimator, *, attribute, method):
        """Stand-in for scikit-learn < 1.9, whose estimators fit numpy only."""

    def _array_api_helper(*args, **kwargs):
        """Stand-in for the array API helpers of scikit-learn >= 1.9.

        Never called: without them (``ARRAY_API_HELPERS`` false) every input
        is converted to numpy and the array API code paths are skipped.
        """
        raise RuntimeError("Array API inputs need scikit-learn >= 1.9.")

    get_namespace = get_namespace_and_device = indexing_dtype = _array_api_helper
    move_to = _is_numpy_namespace = _max_precision_float_dtype = _array_api_helper


__all__ = [
    "ARRAY_API_HELPERS",
    "CallbackSupportMixin",
    "Interval",
    "StrOptions",
    "_fit_context",
    "check_feature_names",
    "check_finite_products",
    "check_same_namespace",
    "check_sample_weight",
    "check_some_weight",
    "check_weight_sum",
    "class_weights",
    "dense_coef",
    "get_namespace",
    "get_namespace_and_device",
    "indexing_dtype",
    "is_numpy_namespace",
    "max_precision_float_dtype",
    "move_to",
    "scorer_accepts_sample_weight",
    "scorer_with_classes",
    "validate_data",
    "validate_parameter_constraints",
    "warn_column_vector_y",
]


def plain_value(value):
    """A numpy scalar as the Python value it holds, for messages and labels:
    ``0``, not ``np.int64(0)``; other values as they are."""
    return value.item() if isinstance(value, np.generic) else value


def check_sample_weight(sample_weight, X):
    """Validated sample weights of X's dtype: finite, non-negative, not all zero.

    Unlike ``LogisticRegression``, negative weights are rejected: with them the
    objective is no longer convex and may have no minimum.
    """
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
    return check_some_weight(sample_weight)


def check_some_weight(sample_weight):
    """Raise if non-negative ``sample_weight`` is all zero: nothing to fit."""
    if not np.any(sample_weight > 0):
        raise ValueError(
            "Sample weights must contain at least one positive value; "
            "got all-zero sample_weight."
        )
    return sample_weight


def check_weight_sum(sample_weight, weights="sample weights", dtype=None):
    """Raise if the weights' sum overflows or is too small to divide by.

    The objective divides by the sum of the weights (and the penalty by ``C``
    times it), so the sum must be a normal, finite float of ``dtype`` (that
    of the weights by default).  ``weights`` names them in the message.
    """
    with np.errstate(over="ignore"):
        total = float(np.sum(sample_weight, dtype=np.float64))
    dtype = np.dtype(sample_weight.dtype if dtype is None else dtype)
    info = np.finfo(dtype)
    if np.isnan(total):
        # (assume_finite=True skips scikit-learn's check.)
        raise ValueError(f"The {weights} contain NaN.")
    if not np.isfinite(total) or total > float(info.max) / 16:
        raise ValueError(
            f"The {weights} sum to {total:.3g}, too large for "
            f"{dtype} arithmetic; rescale them (only their ratios "
            "and their scale relative to C matter)."
        )
    if total < 1e6 * float(info.tiny):
        raise ValueError(
            f"The {weights} sum to {total:.3g}, too small to divide by; rescale them."
        )
    return sample_weight


def check_feature_names(estimator, X):
    """Warn, as ``validate_data`` does, when ``X``'s feature names (or their
    absence) differ from those ``estimator`` was fitted with."""
    _check_feature_names(estimator, X, reset=False)


def dense_coef(coef):
    """``coef_`` as an array: that of a model made sparse by ``sparsify`` densified."""
    return coef.toarray() if sp.issparse(coef) else coef


def warm_start_coef(estimator, n_problems, n_features):
    """The previous fit's ``coef_`` to warm-start from, or ``None``.

    ``None`` without ``warm_start`` or a previous fit.  Raises, as
    ``LogisticRegression`` does, when that ``coef_`` does not fit this data
    (other numbers of features or classes): starting from zeros instead would
    silently not do what ``warm_start=True`` asks.
    """
    previous = getattr(estimator, "coef_", None)
    if not estimator.warm_start or previous is None:
        return None
    if previous.shape != (n_problems, n_features):
        n_classes = 2 if n_problems == 1 else n_problems
        raise ValueError(
            "warm_start=True cannot start from the previous fit: its coef_ has "
            f"shape {tuple(previous.shape)}, but this data needs shape "
            f"{(n_problems, n_features)} ({n_features} features, {n_classes} "
            "classes). Set warm_start=False to fit from zeros."
        )
    return previous


def refuse_nonfinite_start(coef, continuing):
    """Raise if the coefficients a fit would start from are not all finite.

    ``continuing`` names what starts from them (``"warm_start=True"``,
    ``"partial_fit"``).  A ``coef_`` or ``intercept_`` set by hand to NaN or
    infinity would otherwise give a NaN model; one so large that the sum of
    its squares overflows float64 (entries beyond about 1e154) makes the
    penalty infinite, and the fit would stall there (without a penalty, its
    steps, bounded by the data, would not bring it back either).
    """
    fix = "Set them to {} values, or fit anew with warm_start=False (from zeros)."
    if not np.isfinite(coef).all():
        raise ValueError(
            f"{continuing} cannot start from the model's coef_ and intercept_: "
            "they hold NaN or infinity (or values beyond the range of "
            f"{np.dtype(coef.dtype).name}, the data's precision). "
            + fix.format("finite")
        )
    with np.errstate(over="ignore"):
        squares = np.square(coef, dtype=np.float64).sum()
    if not np.isfinite(squares):
        raise ValueError(
            f"{continuing} cannot start from the model's coef_ and intercept_: "
            "they are so large that the sum of their squares overflows float64 "
            f"(the largest is {float(np.abs(coef).max()):.3g} in absolute "
            "value): a penalised objective is infinite there, and gradient steps, "
            "bounded by the data, cannot bring them back. " + fix.format("smaller")
        )


def check_finite_products(X):
    """Raise if ``X`` is so large that ``X @ w`` or ``X.T @ X`` could overflow.

    Solvers form sums of ``n_features`` products of ``X`` entries with
    coefficients and sums of ``n_samples`` squared entries; both must stay far
    inside the floating-point range of ``X``'s dtype.
    """
    values = X.data if sp.issparse(X) else X
    if sp.issparse(X) or isinstance(X, np.ndarray):
        if values.size == 0:
            return
        # Two reductions instead of np.abs(X), which would copy X.
        largest = max(float(values.max()), -float(values.min()))
        dtype_max = float(np.finfo(X.dtype).max)
    else:
        # An array API array (validated, so not empty): one read to the host.
        xp, _ = get_namespace(X)
        extremes = move_to(xp.stack([xp.max(X), -xp.min(X)]), xp=np, device="cpu")
        largest = float(np.max(extremes))
        dtype_max = float(xp.finfo(X.dtype).max)
    refuse_too_large(largest, dtype_max, X.shape, X.dtype)


def refuse_too_large(largest, dtype_max, shape, dtype):
    """Raise if ``largest``, the largest ``|X|``, is over the bound of an ``X``
    of ``shape``: ``sqrt(dtype_max / (16 n_samples (n_features + 1)))``."""
    if np.isnan(largest):
        # Only with sklearn.set_config(assume_finite=True), which skips
        # scikit-learn's own check.
        raise ValueError("Input X contains NaN.")
    n_terms = float(shape[0]) * (shape[1] + 1)
    if largest > np.sqrt(dtype_max / 16 / n_terms):
        raise ValueError(
            f"X has values as large as {largest:.3g}, too large for "
            f"{dtype} arithmetic: X @ w and the curvature of the loss would "
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
        balanced = isinstance(class_weight, str) and class_weight == "balanced"
        if balanced and sample_weight is not None:
            # classes are sorted (np.unique's) and hold every label of y.
            totals = np.bincount(
                np.searchsorted(classes, y),
                weights=sample_weight,
                minlength=len(classes),
            )
            if not np.all(totals > 0):
                empty = classes[~(totals > 0)].tolist()
                raise ValueError(
                    "class_weight='balanced' weighs each class by the inverse "
                    "of its total sample weight, and class "
                    f"{', '.join(map(repr, empty))} has no sample with a "
                    "positive weight. Give its samples positive weights or "
                    "leave the class out."
                )
        return compute_class_weight(
            class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
    return compute_class_weight(class_weight, classes=classes, y=y)


def check_class_weights(weights, classes):
    """Raise unless every class weight is finite and non-negative.

    Returns the weights as a dict of class to weight, for messages.
    """
    weights = np.asarray(weights)
    described = dict(zip(classes.tolist(), weights.tolist(), strict=True))
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0)):
        raise ValueError(
            "class_weight must give finite, non-negative sample weights; got "
            f"class weights {described}."
        )
    return described


def class_weight_overflow(dtype, described):
    """The error for finite class weights whose products overflow ``dtype``."""
    return ValueError(
        f"The sample weights times their class weights overflow {dtype}: got "
        f"class weights {described}; rescale the sample or class weights (only "
        "their ratios and their scale relative to C matter)."
    )


def has_callbacks(estimator):
    """Whether callbacks were set on ``estimator`` with ``set_callbacks``."""
    return bool(getattr(estimator, "_skl_callbacks", None))


def init_callback_context(estimator, max_subtasks):
    """The callback context of ``estimator``'s fit (scikit-learn >= 1.9)."""
    return estimator._init_callback_context(max_subtasks=max_subtasks)


def score_function(scorer):
    """The metric a scikit-learn scorer calls, or None for other callables."""
    return getattr(scorer, "_score_func", None)


_CALLBACK_FIT_ATTRIBUTES = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


@contextlib.contextmanager
def previous_fit_on_error(estimator):
    """Restore every attribute of ``estimator`` if the block raises.

    A ``fit`` that fails after validating the data (which resets
    ``classes_`` and ``n_features_in_``) then leaves the previous fit whole,
    not its model beside the new data's classes.
    """
    previous = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        # scikit-learn's callback machinery tears the callbacks down after
        # the fit, from the context the fit set up: that stays.
        running = {
            name: estimator.__dict__[name]
            for name in _CALLBACK_FIT_ATTRIBUTES
            if name in estimator.__dict__
        }
        estimator.__dict__.clear()
        estimator.__dict__.update(previous)
        estimator.__dict__.update(running)
        raise


# -- warnings ---------------------------------------------------------------------
_INTERNAL_DIRS = (
    os.path.dirname(os.path.abspath(__file__)) + os.sep,
    os.path.dirname(os.path.abspath(sklearn.__file__)) + os.sep,
    os.path.dirname(os.path.abspath(joblib.__file__)) + os.sep,
)


_STANDARD_LIBRARY = os.path.dirname(os.path.abspath(threading.__file__)) + os.sep


def external_stacklevel():
    """``stacklevel`` for ``warnings.warn`` pointing at the caller's own code.

    The number of frames, from the function that warns up, inside this package,
    scikit-learn or joblib (scikit-learn's ``fit`` wrapper, search and
    pipeline frames, and joblib's that run a search's fits, sit between a
    user's call and the warning): the warning then names the line
    that called ``fit``, ``coef_table`` or a search's ``fit``, however deep
    the call that warns.  Where the frame above those is the standard
    library's (the fits of a search with ``n_jobs`` above 1, run by worker
    threads or processes, a fit submitted to ``concurrent.futures``, the
    command line's ``runpy``), the warning names the line that warns, as
    scikit-learn's own warnings do.
    """
    frame = inspect.currentframe()
    level = 0
    try:
        while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL_DIRS):
            frame = frame.f_back
            level += 1
        if frame is None or _is_standard_library(frame.f_code.co_filename):
            return 1
    finally:
        del frame
    return level


def _is_standard_library(filename):
    if filename.startswith("<frozen "):  # runpy, importlib, ...
        return True
    return filename.startswith(_STANDARD_LIBRARY) and not any(
        part in ("site-packages", "dist-packages") for part in filename.split(os.sep)
    )


#: Set while a search refits its choice: the search has warned already.
_L1_RATIO_SAID = contextvars.ContextVar("l1_ratio_said", default=False)


@contextlib.contextmanager
def l1_ratio_said():
    """Within: :func:`warn_unused_l1_ratio` is silent (in this thread only,
    unlike a change of the warning filters)."""
    token = _L1_RATIO_SAID.set(True)
    try:
        yield
    finally:
        _L1_RATIO_SAID.reset(token)


def warn_unused_l1_ratio(l1_ratio, Cs, *, search=False):
    """Warn that ``l1_ratio > 0`` does nothing for ``C=inf``: no penalty.

    As ``LogisticRegression`` warns that ``l1_ratio`` is unused without a
    penalty; here for ``l1_ratio=1`` too.  ``Cs``: the ``C`` of a fit, or
    a search's candidates (``search=True``).
    """
    if not l1_ratio > 0 or not any(C == np.inf for C in Cs):
        return
    if _L1_RATIO_SAID.get():
        return
    who = "by the candidates of C=inf: they fit" if search else "with C=inf, which fits"
    warnings.warn(
        f"l1_ratio={l1_ratio} is not used {who} without a penalty (an "
        "infinite C leaves no penalty to mix). Give a finite C for an L1 or "
        "elastic-net penalty.",
        UserWarning,
        stacklevel=external_stacklevel(),
    )


def warn_column_vector_y():
    """scikit-learn's warning for a column-vector ``y``, naming the caller's line."""
    warnings.warn(
        "A column-vector y was passed when a 1d array was expected. "
        "Please change the shape of y to (n_samples,), for example "
        "using ravel().",
        DataConversionWarning,
        stacklevel=external_stacklevel(),
    )


# -- array API --------------------------------------------------------------------
def is_numpy_namespace(xp):
    """Whether the array namespace ``xp`` is numpy (plain or wrapped)."""
    return _is_numpy_namespace(xp)


def max_precision_float_dtype(xp, device):
    """The most precise float dtype (float64 or float32) of ``xp`` on ``device``."""
    return _max_precision_float_dtype(xp, device)


# -- scorers -----------------------------------------------------------------------
def scorer_accepts_sample_weight(scorer):
    """Whether ``scorer`` takes ``sample_weight`` (as ``GridSearchCV`` asks it)."""
    if hasattr(scorer, "_accept_sample_weight"):
        return scorer._accept_sample_weight()
    return "sample_weight" in inspect.signature(scorer).parameters


def scorer_with_classes(scorer, classes):
    """``scorer``, told all the ``classes`` when its metric takes ``labels``.

    A held-out part may lack a class (a rare one, or splits that are not
    stratified); a metric of probabilities such as ``log_loss`` then cannot
    tell which columns are which and fails.  As ``LogisticRegressionCV``
    does, such scorers are rebuilt with ``labels=classes`` (and, for two
    classes, ``pos_label`` the second).  Scorers of ``predict`` are left
    alone: there ``labels`` changes the metric (the classes a macro average
    runs over), and absent classes do not make it fail.  Other callables are
    used as they are.
    """
    score_func = score_function(scorer)
    response_method = getattr(scorer, "_response_method", "predict")
    if score_func is None or response_method == "predict":
        return scorer
    parameters = inspect.signature(score_func).parameters
    kwargs = dict(getattr(scorer, "_kwargs", None) or {})
    if "labels" not in parameters or "labels" in kwargs:
        return scorer
    kwargs["labels"] = classes
    if len(classes) == 2 and "pos_label" in parameters and "pos_label" not in kwargs:
        kwargs["pos_label"] = classes[-1]
    rebuilt = make_scorer(
        score_func,
        greater_is_better=scorer._sign > 0,
        response_method=response_method,
        **kwargs,
    )
    if sklearn.get_config().get("enable_metadata_routing", False):
        # The metadata the scorer requests (set only while routing is on).
        requests = scorer.get_metadata_routing().score.requests
        requests = {
            name: alias
            for name, alias in requests.items()
            if alias is not None and name not in kwargs
        }
        if requests:
            rebuilt.set_score_request(**requests)
    return rebuilt
