r"""Standard errors, z-tests and confidence intervals of a binary fit.

At the maximum-likelihood estimate ``beta = (b, w)`` of a logistic regression,
the covariance of the estimate is asymptotically the inverse of the Fisher
information, the Hessian of the *summed* negative log-likelihood::

    I = X1^T diag(s * p * (1 - p)) X1,        p = sigmoid(X1 beta)

with ``X1`` the design with a leading column of ones (when an intercept is
fitted) and ``s`` the sample weights (times class weights), used as frequency
weights.  This is what ``statsmodels`` reports for ``Logit`` (and for ``GLM``
with ``freq_weights``).

The objective of :class:`~sklearn_bce.BCELogisticRegression` is that negative
log-likelihood divided by ``S = sum(s)``, plus ``1/(C S)`` times the penalty, so
``S J`` is the negative log-likelihood plus ``penalty / C`` and its Hessian is
``I + (1 - l1_ratio) / C`` on the diagonal of the weights (the L1 part has no
curvature; the intercept is not penalised).  That matrix is the one inverted
here; for ``C = inf`` it is ``I`` itself.

The table assumes the coefficients are that optimum, on the data given.  How
far they are from it is estimated by one Newton step, ``inv(I) S grad J``,
measured in standard errors: unlike the gradient, this does not depend on
the scale of the features, and one threshold serves any amount of data (a
gradient of 1e-4 is close to the optimum for a hundred samples and far from
it, in standard errors, for a million).  Sample weights count as frequency
weights here too: scaling them up makes the standard errors smaller and the
same coefficients farther from the optimum.
"""

import warnings
from numbers import Real
from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp
from scipy.linalg import LinAlgError, cho_factor, cho_solve, eigh
from scipy.optimize import linprog
from scipy.special import expit
from scipy.stats import norm
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.validation import check_is_fitted

from ._array_api import check_numpy_only, to_numpy
from ._loss import l1_subgradient_residual, weight_scale
from ._validation import (
    Interval,
    check_finite_products,
    check_sample_weight,
    class_weights,
    dense_coef,
    external_stacklevel,
    validate_data,
    validate_parameter_constraints,
    warn_column_vector_y,
)

__all__ = ["coef_table"]

#: Largest condition number of the (diagonally scaled) information matrix that
#: is inverted; beyond it the standard errors would have no correct digit left
#: worth reporting.
MAX_CONDITION = 1e12

#: Smallest share of the information the data could carry (at p = 1/2 for every
#: sample) that an L1 fit (C finite, l1_ratio=1) may keep in any direction
#: before the data are checked for quasi-complete separation.
MIN_RELATIVE_INFORMATION = 1e-3

#: Largest change of a sample's logit by the correction that makes the fit's
#: weights of the samples an exact certificate that the classes are not
#: separated (see :func:`_certainly_not_separated`); beyond it, a linear
#: program decides.  Any value below 1 is a certificate; 0.5 leaves room for
#: rounding.
MAX_CERTIFICATE_CHANGE = 0.5

#: Largest residual of that certificate, relative to the size of its terms.
CERTIFICATE_TOL = 1e-8

#: Largest margin (of a direction scaled to [-1, 1] on data scaled to [-1, 1])
#: that counts as zero in the separation check, and the largest violation of a
#: margin, relative to the largest margin, that still counts as separation.
SEPARATION_TOL = 1e-6

#: Largest distance of the coefficients from the optimum, in standard errors
#: (one Newton step from them), at which the table is taken as inference
#: without a warning.
MAX_NEWTON_STEP = 0.1

COLUMNS = ["coef", "std_err", "z", "p_value", "ci_lower", "ci_upper"]


def coef_table(estimator, X, y, sample_weight=None, confidence_level=0.95):
    """Table of coefficients, standard errors, z-tests and confidence intervals.

    The standard errors are the square roots of the diagonal of the inverse
    Fisher information at the fitted coefficients, the Hessian of the summed
    (weighted) negative log-likelihood
    ``X1.T @ diag(s * p * (1 - p)) @ X1``, with ``X1`` the data with a leading
    column of ones when an intercept is fitted and ``p`` the fitted
    probabilities of the positive class ``classes_[1]``.  The z statistic is
    ``coef / std_err``, its p-value the two-sided normal one, and the interval
    ``coef ± q std_err`` with ``q`` the normal quantile of
    ``(1 + confidence_level) / 2``.  Fitted with ``C=np.inf`` and a small
    ``tol``, the table is the one of ``statsmodels``' ``Logit`` (sample weights
    count as frequency weights, as ``freq_weights`` in ``statsmodels``' ``GLM``);
    a float32 fit keeps float32 coefficients, so its table agrees to about
    float32's precision (1e-5 relative, more for the p-values).

    This is classical maximum-likelihood inference: it is valid only for the
    unpenalised model (``C=np.inf``) fitted on the data given here.  With a
    penalty the Hessian of the penalised objective is used instead (plus
    ``(1 - l1_ratio) / C`` on the diagonal of the weights), and a
    ``UserWarning`` says that the numbers are not valid inference.

    Parameters
    ----------
    estimator : BCELogisticRegression or BCELogisticRegressionCV
        A fitted binary model (two classes); a search's refitted model,
        ``best_estimator_``.  The table is of the model as fitted: with the
        parameters of its fit, whatever ``set_params`` has changed since.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The training data the model was fitted on.

    y : array-like of shape (n_samples,)
        The training labels, among ``classes_``.

    sample_weight : array-like of shape (n_samples,), default=None
        The sample weights of the fit; ``None`` weighs all samples equally.
        ``class_weight`` of the estimator multiplies them, as in ``fit``.

    confidence_level : float, default=0.95
        Coverage of the confidence intervals, in ``(0, 1)``.

    Returns
    -------
    table : pandas.DataFrame of shape (n_coef, 6)
        One row per coefficient: ``"intercept"`` first when
        ``fit_intercept=True``, then the features, named by
        ``feature_names_in_`` when the model was fitted on a DataFrame with
        string column names and ``"x0"``, ``"x1"``, ... otherwise (the
        intercept's row is ``"(intercept)"`` when a feature is named
        ``"intercept"``, in more parentheses until no feature has its name).
        Columns:
        ``coef``, ``std_err``, ``z``, ``p_value``, ``ci_lower`` and ``ci_upper``.

    Raises
    ------
    ValueError
        If the model has more than two classes; if it is a
        ``BCELogisticRegressionCV`` fitted with ``refit=False`` (no refitted
        model); if it was fitted on array API arrays; if ``y`` has labels
        the model was not fitted on; if the data are perfectly separated by
        the fitted unpenalised model, or quasi-completely separated (the
        maximum-likelihood estimate does not exist; see the notes); or if
        the information matrix is singular or too ill-conditioned to invert,
        for example for collinear features.

    ImportError
        If pandas is not installed.

    TypeError
        If the estimator is not a BCELogisticRegression or
        BCELogisticRegressionCV (a pipeline or another search, for example).

    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.

    Warns
    -----
    UserWarning
        If the model is penalised (finite ``C``), was fitted with
        ``class_weight`` (weights that depend on the labels are not
        frequency weights: the standard errors come out too small for
        weights above 1, too large below 1),
        ``early_stopping=True`` (on part of the data, stopped by a validation
        score), diverged or was stopped by a callback, or if its coefficients
        are more than 0.1 standard errors from the optimum of the data given
        (by one Newton step from them: a loose ``tol``, too few iterations or
        ``partial_fit`` steps, or other ``X``, ``y`` or ``sample_weight`` than
        the fit's): the table is then not valid maximum-likelihood inference.

    See Also
    --------
    statsmodels.discrete.discrete_model.Logit : The same table for the
        unpenalised model, fitted by Newton's method.

    Notes
    -----
    Perfect separation is detected exactly: when the fitted unpenalised model
    classifies every sample of positive weight correctly, the likelihood has
    no maximum.  Quasi-complete separation (classes separated up to samples
    on the boundary) is decided exactly too, at any ``tol``, for an
    unpenalised fit (``C=inf``).  Near the optimum, the fit's weights of the
    samples (each sample's weight times its fitted probability of the other
    class), slightly corrected, balance the design, and then no direction
    separates the classes (Stiemke's lemma): one pass over the data checks
    it.  Where they do not (separated data, a fit far from the optimum), a
    linear program decides: is there a direction on which every sample of
    positive weight lies on its class's side?  It reads every sample once
    per pivot: on 200,000 x 50 it took about 10 s.  Fits of rare events,
    whose probabilities are all small without any separation, get their
    table.  An L1 fit (finite ``C``, ``l1_ratio=1``) stops short of the
    likelihood's optimum, and its penalty keeps it from running off; its
    data go to the linear program only once the fit has driven the
    information along some direction below 1e-3 of what it would be at
    probabilities of 1/2.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn_bce import BCELogisticRegression
    >>> from sklearn_bce import coef_table
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> X = X[["mean radius", "mean texture"]]
    >>> model = BCELogisticRegression(C=np.inf, tol=1e-8).fit(X, y)
    >>> table = coef_table(model, X, y)
    >>> table.round(3)
                    coef  std_err       z  p_value  ci_lower  ci_upper
    intercept     19.849    1.774  11.189      0.0    16.373    23.326
    mean radius   -1.057    0.101 -10.417      0.0    -1.256    -0.858
    mean texture  -0.218    0.037  -5.885      0.0    -0.291    -0.145
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            'coef_table needs pandas: pip install "sklearn-bce[inference]" '
            "(or pip install pandas)"
        ) from exc
    validate_parameter_constraints(
        {"confidence_level": [Interval(Real, 0, 1, closed="neither")]},
        {"confidence_level": confidence_level},
        caller_name="coef_table",
    )
    estimator = _fitted_model(estimator)
    # The parameters of its fit, whatever set_params has changed since.
    fitted = SimpleNamespace(**estimator._params_at_fit())
    check_numpy_only(estimator, X, "coef_table")
    # Labels and weights in another namespace come to the host, as in fit
    # (and a dask X is loaded).
    X, y, sample_weight = to_numpy(X), to_numpy(y), to_numpy(sample_weight)
    if len(estimator.classes_) != 2:
        raise ValueError(
            "coef_table supports binary models only; this model has "
            f"{len(estimator.classes_)} classes, fitted one-vs-rest."
        )
    X = validate_data(
        estimator, X, accept_sparse=["csr", "csc"], dtype=np.float64, reset=False
    )
    check_finite_products(X)
    if np.ndim(y) == 2 and np.shape(y)[1] == 1:
        warn_column_vector_y()  # column_or_1d's would name its own line
    y = column_or_1d(y)
    check_consistent_length(X, y)
    unknown = ~np.isin(y, estimator.classes_)
    if unknown.any():
        raise ValueError(
            f"y has labels {np.unique(y[unknown]).tolist()} that are not among "
            f"the classes the model was fitted on, {estimator.classes_.tolist()}."
        )
    y01 = (y == estimator.classes_[1]).astype(np.float64)
    s = check_sample_weight(sample_weight, X)
    if fitted.class_weight is not None:
        # As fit weighs the classes ("balanced" counts weighted samples).
        weights = class_weights(fitted.class_weight, estimator.classes_, y, s)
        s = s * weights[y01.astype(int)]

    # Weights above 1 are held scaled down by a power of two, as the fit holds
    # them, so that the weighted sums cannot overflow: the information matrix
    # is then weight_factor times the true one.
    weight_factor = float(weight_scale(s.max(initial=0.0)))
    s = s * weight_factor

    coef = np.asarray(dense_coef(estimator.coef_)[0], dtype=np.float64)
    intercept = float(estimator.intercept_[0])
    z = np.asarray(X @ coef).ravel() + intercept
    check_step = _warn_if_not_inference(estimator, fitted)
    if check_step:
        # The gradient of the summed objective as held, in the table's order.
        gradient = _gradient(fitted, X, y01, (s, weight_factor), z, coef) * s.sum()
    if np.isinf(fitted.C):
        _check_not_separated(z, y01, s)
    # p (1 - p), accurate where p is close to 0 or 1.
    curvature = s * expit(z) * expit(-z)
    penalty = (1.0 - fitted.l1_ratio) / fitted.C
    # The information of the columns of X scaled by powers of two (exactly):
    # squares of features far from 1 would overflow or underflow.
    held_penalty = penalty * weight_factor
    factor = _column_factors(X, held_penalty)
    if np.any(factor != 1.0):
        X = X @ sp.diags_array(factor) if sp.issparse(X) else X * factor
    held_penalty = (np.sqrt(held_penalty) * factor) ** 2  # at most 4: no overflow
    information = _weighted_gram(X, curvature, fitted.fit_intercept, held_penalty)
    bound = _weighted_gram(X, s / 4.0, fitted.fit_intercept, held_penalty)
    if penalty == 0:
        advice = (
            "Fit with a finite C and l1_ratio < 1, or remove the separating features."
            if np.isinf(fitted.C)
            else "Its L1 penalty adds no curvature: fit with l1_ratio < 1, or "
            "remove the separating features."
        )
        if np.isinf(fitted.C):
            suspected = not _certainly_not_separated(X, y01, s, z, fitted.fit_intercept)
        else:
            # An L1 fit stops short of the likelihood's optimum, so its
            # weights of the samples prove nothing; its penalty keeps it from
            # running off, unless C is so large that the information it keeps
            # along some direction has collapsed.
            relative = _relative_information(information, bound)
            suspected = relative < MIN_RELATIVE_INFORMATION
        if suspected:
            _check_not_quasi_separated(X, y01, s, fitted.fit_intercept, advice)
    else:
        advice = "Fit with a smaller C."
    if fitted.fit_intercept:
        factor = np.concatenate([[1.0], factor])
    # inv(I) = D inv(D I D) D: the standard errors are D times the square roots
    # of the diagonal of the scaled inverse, taken apart (the variances
    # themselves may overflow where they do not), times that of weight_factor
    # (the information held is weight_factor times the true one).
    inverse, scale = _scaled_inverse(information, bound, advice, penalty > 0)
    held_err = np.sqrt(np.diag(inverse)) * scale
    std_err = held_err * factor * np.sqrt(weight_factor)
    if check_step:
        # One Newton step from the coefficients, in standard errors: the same
        # in the scaled columns' coordinates and weights as in the true ones.
        step = scale * (inverse @ (scale * (factor * gradient)))
        _warn_if_far_from_optimum(
            estimator, fitted, np.max(np.abs(step) / held_err) / np.sqrt(weight_factor)
        )

    values = np.concatenate([[intercept], coef]) if fitted.fit_intercept else coef
    z_stat = values / std_err
    # Not ppf(0.5 + level / 2), which rounds to ppf(1) = inf near level 1.
    quantile = norm.isf((1.0 - confidence_level) / 2)
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        names = [f"x{j}" for j in range(X.shape[1])]
    intercept_name = "intercept"
    while intercept_name in set(names):
        intercept_name = f"({intercept_name})"
    index = [intercept_name, *names] if fitted.fit_intercept else list(names)
    return pd.DataFrame(
        {
            "coef": values,
            "std_err": std_err,
            "z": z_stat,
            "p_value": 2 * norm.sf(np.abs(z_stat)),
            "ci_lower": values - quantile * std_err,
            "ci_upper": values + quantile * std_err,
        },
        index=pd.Index(index, dtype=object),
        columns=COLUMNS,
    )


def _fitted_model(estimator):
    """The fitted BCELogisticRegression of ``estimator`` (a search's refit)."""
    from ._logistic import BCELogisticRegression
    from ._search import BCELogisticRegressionCV

    if not isinstance(estimator, BCELogisticRegression | BCELogisticRegressionCV):
        if hasattr(estimator, "steps"):
            advice = (
                " Pass the pipeline's last step, pipeline[-1], with the data "
                "its other steps make of X, pipeline[:-1].transform(X)."
            )
        elif hasattr(estimator, "estimator") and hasattr(estimator, "refit"):
            advice = " Pass the search's refitted model, its best_estimator_."
        else:
            advice = ""
        raise TypeError(
            "coef_table needs a BCELogisticRegression or "
            f"BCELogisticRegressionCV, got {type(estimator).__name__}." + advice
        )
    check_is_fitted(estimator)
    if isinstance(estimator, BCELogisticRegressionCV):
        if not hasattr(estimator, "best_estimator_"):
            raise ValueError(
                "coef_table needs the search's refitted model, which "
                "refit=False does not keep: fit with refit=True."
            )
        return estimator.best_estimator_
    return estimator


def _warn_if_not_inference(estimator, fitted):
    """Warn where the fit itself tells that the table is not inference.

    ``fitted``: the parameters of the fit of ``estimator``.

    Returns whether the coefficients are to be checked for how far they are
    from the optimum (:func:`_warn_if_far_from_optimum`): not when a warning
    here already says that they are not the optimum.
    """
    if np.isfinite(fitted.C):
        l1 = (
            " The L1 part of the penalty has no curvature and is left out; "
            "coefficients it set to zero have no meaningful interval."
            if fitted.l1_ratio > 0
            else ""
        )
        warnings.warn(
            f"The model is penalised (C={fitted.C!r}): its standard errors, "
            "p-values and confidence intervals come from the Hessian of the "
            "penalised objective and are not valid statistical inference."
            + l1
            + (" Fit with C=np.inf for maximum-likelihood inference."),
            UserWarning,
            stacklevel=external_stacklevel(),
        )
    if fitted.class_weight is not None:
        warnings.warn(
            f"The model was fitted with class_weight={fitted.class_weight!r}: "
            "the table reads the class weights as frequency weights (as if the "
            "samples of a weighted class had been observed that many times), "
            "which weights that depend on the labels are not, so its standard "
            "errors are scaled wrongly (too small for weights above 1, too large "
            "below 1) and it is not valid inference. Fit without "
            "class_weight for inference.",
            UserWarning,
            stacklevel=external_stacklevel(),
        )
    # partial_fit trains without early stopping, whatever the parameter says.
    streamed = hasattr(estimator, "_n_partial_steps")
    if fitted.early_stopping and not streamed:
        warnings.warn(
            "The model was fitted with early_stopping=True: on part of its "
            "data, stopped by a validation score rather than at the optimum, "
            "so the table (which assumes the optimum on X, y) is not valid "
            "inference. Fit without early stopping for inference.",
            UserWarning,
            stacklevel=external_stacklevel(),
        )
        return False
    reason = str(estimator.stop_reason_[0])
    if reason in ("diverged", "stopped by callback"):
        advice = (
            "Fit again with learning_rate='auto' or a smaller step."
            if reason == "diverged"
            else "Fit again without stopping it early."
        )
        warnings.warn(
            f"The fit stopped before it converged (stop_reason_={reason!r}): "
            "the coefficients are not the optimum, and the table is not valid "
            f"inference. {advice}",
            UserWarning,
            stacklevel=external_stacklevel(),
        )
        return False
    return True


def _warn_if_far_from_optimum(estimator, fitted, distance):
    """Warn if the coefficients are ``distance`` standard errors or more from
    the optimum of the data given (one Newton step), above
    ``MAX_NEWTON_STEP``.

    Whatever the fit reports, its coefficients may not be the
    maximum-likelihood estimate of this data: a loose ``tol``, ``max_iter``
    iterations or ``partial_fit`` steps that stopped short, or other ``X``,
    ``y`` or ``sample_weight`` than the fit's.
    """
    if distance <= MAX_NEWTON_STEP:
        return
    reason = str(estimator.stop_reason_[0])
    n_iter = int(np.asarray(estimator.n_iter_)[0])
    if hasattr(estimator, "_n_partial_steps"):
        ran = f"partial_fit took {n_iter} step{'s' * (n_iter != 1)}"
        advice = "Fit on all the data with fit for inference."
    elif reason == "max_iter":
        ran = f"The fit ran max_iter={fitted.max_iter} iterations" + (
            " with tol=0" if fitted.tol == 0 else ""
        )
        advice = "Increase max_iter and fit again."
    else:
        ran = f"The fit converged with tol={fitted.tol!r}"
        advice = (
            "Fit again with a smaller tol, on the X, y and sample_weight given here."
        )
    warnings.warn(
        f"{ran}, but its coefficients are {distance:.3g} standard errors from "
        "the optimum of the data given here (by one Newton step): the table "
        f"is not valid inference. {advice}",
        UserWarning,
        stacklevel=external_stacklevel(),
    )


def _gradient(fitted, X, y01, weights, z, coef):
    """Gradient of the fit's objective at ``coef``, intercept first.

    ``fitted``: the parameters of the fit.

    ``weights``: the sample weights as held, and the power of two they were
    scaled by (the penalty is divided by ``C`` times the sum of those given).
    With an L1 penalty, the smallest subgradient.
    """
    s, scale = weights
    residual = s * (expit(z) - y01)
    total = s.sum()
    gradient = np.asarray(X.T @ residual).ravel() / total
    if np.isfinite(fitted.C):
        penalty = scale / (fitted.C * total)
        gradient += (1 - fitted.l1_ratio) * coef * penalty
        l1 = np.array([fitted.l1_ratio * penalty])
        gradient = l1_subgradient_residual(coef[:, None], gradient[:, None], l1)[:, 0]
    if fitted.fit_intercept:
        gradient = np.concatenate([[residual.sum() / total], gradient])
    return gradient


def _check_not_separated(z, y01, s):
    """Raise if the fitted hyperplane separates the classes completely.

    Then ``t * (w, b)`` lowers the unpenalised loss for every ``t > 1``: the
    maximum-likelihood estimate does not exist.
    """
    margins = (2 * y01 - 1) * z
    if np.all(margins[s > 0] > 0):
        raise ValueError(
            "The fitted model separates the two classes perfectly: the "
            "maximum-likelihood estimate does not exist (the unpenalised "
            "coefficients grow without bound) and has no standard errors. "
            "Fit with a finite C, or remove the features that separate the "
            "classes."
        )


def _weighted_gram(X, weights, fit_intercept, penalty):
    """``X1^T diag(weights) X1`` plus ``penalty`` on the diagonal of the weights.

    ``X1`` is ``X`` with a leading column of ones when ``fit_intercept``.
    """
    if sp.issparse(X):
        weighted = sp.csr_array(X).multiply(weights[:, None])
        gram_x = np.asarray((X.T @ weighted).toarray())
        cross = np.asarray(weighted.sum(axis=0)).ravel()
    else:
        weighted = X * weights[:, None]
        gram_x = X.T @ weighted
        cross = weighted.sum(axis=0)
    gram_x = gram_x + penalty * np.eye(X.shape[1])
    if not fit_intercept:
        return gram_x
    n = X.shape[1] + 1
    gram = np.empty((n, n))
    gram[0, 0] = weights.sum()
    gram[0, 1:] = gram[1:, 0] = cross
    gram[1:, 1:] = gram_x
    return gram


def _certainly_not_separated(X, y01, s, z, fit_intercept):
    """Whether the fit proves that no direction separates the classes.

    By Stiemke's lemma, either some direction ``d`` of the design has
    ``A d >= 0`` and ``A d != 0`` (quasi-complete separation; ``A``: the
    design with a column of ones for the intercept, each row times its
    class's sign ``2 y - 1``, on the samples of positive weight), or some
    weights ``v > 0`` of the samples balance it, ``A^T v = 0``; never both.
    At the optimum of the unpenalised likelihood, the weights ``r = s q``
    (``q``: the fitted probability of the other class) do: ``A^T r`` is minus
    the gradient.  Near it, ``v = r (1 + A u)`` with ``u`` the Newton-like
    correction ``-(A^T diag(r) A)^{-1} A^T r`` balances it exactly, and is
    positive where ``|A u| < 1`` (where the correction changes no sample's
    logit by 1).  That is checked, with room for rounding
    (:data:`MAX_CERTIFICATE_CHANGE`, and the residual ``A^T v`` against
    :data:`CERTIFICATE_TOL`): one pass over ``X`` instead of the linear
    program, which reads it once per pivot.  A separated design has no such
    weights, so this never passes there; nor where the fit is far from the
    optimum, or a probability rounds to 0 or 1: then the linear program
    decides.
    """
    positive = s > 0
    sign = 2.0 * y01 - 1.0
    r = s * expit(-sign * z)
    if not np.all(r[positive] > 0) or not np.all(np.isfinite(r)):
        return False

    def signed_sums(weights):
        """``A^T weights``."""
        signed = weights * sign
        sums = np.asarray(X.T @ signed).ravel()
        return np.concatenate([[signed.sum()], sums]) if fit_intercept else sums

    balance = signed_sums(r)
    gram = _weighted_gram(X, r, fit_intercept, 0.0)
    diagonal = np.diag(gram)
    if not np.all(diagonal > 0):
        return False
    scale = 1.0 / np.sqrt(diagonal)
    try:
        factor = cho_factor(gram * scale[:, None] * scale)
    except LinAlgError:
        return False
    u = -scale * cho_solve(factor, balance * scale)
    change = np.asarray(X @ u[int(fit_intercept) :]).ravel()
    if fit_intercept:
        change = change + u[0]
    if not np.all(np.abs(change[positive]) <= MAX_CERTIFICATE_CHANGE):
        return False
    v = r * (1.0 + sign * change)
    # Each sum against its largest possible size, sum(v) max |column|.
    largest = _column_largest(X)
    if fit_intercept:
        largest = np.concatenate([[1.0], largest])
    residual = signed_sums(v)
    return bool(np.all(np.abs(residual) <= CERTIFICATE_TOL * v.sum() * largest))


def _relative_information(information, bound):
    """Smallest eigenvalue of ``information`` relative to ``bound``.

    ``bound`` is the information the data would carry if every fitted
    probability were 1/2 (its largest value); where the probabilities are
    close to 0 or 1 along some direction, the ratio is small there.  Returns
    0 when ``bound`` is not positive definite (collinear columns, which
    :func:`_scaled_inverse` reports).
    """
    try:
        relative = eigh(information, bound, eigvals_only=True, subset_by_index=[0, 0])
    except LinAlgError:
        return 0.0
    return float(relative[0])


def _check_not_quasi_separated(X, y01, s, fit_intercept, advice):
    """Raise if a direction puts every sample on its class's side (or on it).

    Quasi-complete separation: ``(2 y - 1) x1 . d >= 0`` for every sample of
    positive weight and ``> 0`` for some, for a direction ``d`` of the design
    ``x1`` (with a column of ones for the intercept).  Then the likelihood
    grows along ``d`` without bound.  Decided by the linear program
    ``max sum_i m_i`` over ``d`` in ``[-1, 1]`` subject to ``m = A d >= 0``,
    with ``A`` the signed design, its columns scaled to ``[-1, 1]``: its
    optimum is 0 unless the data are separated.
    """
    positive = s > 0
    sign = 2.0 * y01[positive] - 1.0
    if sp.issparse(X):
        A = sp.csr_array(X)[positive].multiply(sign[:, None]).tocsc()
        if fit_intercept:
            A = sp.hstack([sp.csc_array(sign[:, None]), A], format="csc")
        scale = np.asarray(abs(A).max(axis=0).toarray()).ravel()
        scale[scale == 0] = 1.0
        A = sp.csc_array(A.multiply(1.0 / scale[None, :]))
    else:
        A = X[positive] * sign[:, None]
        if fit_intercept:
            A = np.column_stack([sign, A])
        scale = np.abs(A).max(axis=0)
        scale[scale == 0] = 1.0
        A = A / scale
    result = linprog(
        -np.asarray(A.sum(axis=0)).ravel(),
        A_ub=-A,
        b_ub=np.zeros(A.shape[0]),
        bounds=(-1, 1),
        method="highs",
    )
    if result.status != 0:  # pragma: no cover - a bounded, feasible program
        return
    margins = np.asarray(A @ result.x).ravel()
    largest = margins.max()
    if largest > SEPARATION_TOL and margins.min() >= -SEPARATION_TOL * largest:
        raise ValueError(
            "The classes are quasi-completely separated: along some direction "
            "of X every sample lies on its class's side or on the boundary, so "
            "the fitted probabilities go to 0 or 1 there, the maximum-likelihood "
            "estimate does not exist and the information matrix is singular. " + advice
        )


def _column_factors(X, penalty):
    """Powers of two that bring the columns of ``X`` near 1, where they are far.

    A column's size is its largest absolute value, or the square root of the
    ``penalty`` on its diagonal where that is larger (its curvature then
    dominates); sizes within a factor of ``2**64`` of 1 are left as they are.
    Scaled, neither the squares of the features nor the penalty times the
    square of the factor can overflow or underflow.
    """
    size = np.maximum(_column_largest(X), np.sqrt(penalty))
    exponent = np.frexp(size)[1]
    exponent = np.where(np.abs(exponent) <= 64, 0, np.clip(exponent, -1000, 1000))
    return np.ldexp(1.0, -exponent)


def _column_largest(X):
    """The largest absolute value of each column of ``X``."""
    if sp.issparse(X):
        if not X.has_canonical_format:
            # abs() would sum the caller's duplicate entries in place.
            X = X.copy()
        return np.asarray(abs(X).max(axis=0).toarray()).ravel()
    # Two reductions instead of np.abs(X), which would copy X.
    return np.maximum(X.max(axis=0), -X.min(axis=0))


def _scaled_inverse(information, bound, advice, penalised):
    """``inv(D I D)`` and ``D``, the inverse of ``I = information`` scaled to a
    unit diagonal, ``inv(I) = D inv(D I D) D``.

    Or say why it cannot be inverted.  ``bound`` is the information at
    probabilities of 1/2 (see :func:`_relative_information`): it is singular
    exactly when the columns of the design are collinear.  ``advice`` ends the
    message of an information matrix too ill-conditioned to invert;
    ``penalised``: whether it holds an L2 penalty.
    """
    diagonal = np.diag(bound)
    if np.any(diagonal <= 0):
        raise ValueError(
            "The information matrix is singular: a column of X is zero on all "
            "samples with a positive weight."
        )
    scale = 1.0 / np.sqrt(diagonal)
    eigenvalues = np.linalg.eigvalsh(bound * scale[:, None] * scale)
    condition = eigenvalues[-1] / eigenvalues[0] if eigenvalues[0] > 0 else np.inf
    if not condition <= MAX_CONDITION:
        raise ValueError(
            "The information matrix is singular: the columns of X (and the "
            f"column of ones of the intercept) are collinear (condition number "
            f"{condition:.3g} after scaling). Remove redundant features or "
            + (
                "use a stronger L2 penalty (a smaller C)."
                if penalised
                else "add an L2 penalty (a finite C with l1_ratio < 1)."
            )
        )
    # Scaled to a unit diagonal, so that the scales of the features (and the
    # overall size of p (1 - p), small for rare events) do not cost accuracy:
    # inv(I) = D inv(D I D) D.
    diagonal = np.diag(information)
    scaled = None
    if np.all(diagonal > 0):
        scale = 1.0 / np.sqrt(diagonal)
        scaled = information * scale[:, None] * scale
        eigenvalues = np.linalg.eigvalsh(scaled)
        condition = eigenvalues[-1] / eigenvalues[0] if eigenvalues[0] > 0 else np.inf
    if scaled is None or not condition <= MAX_CONDITION:
        raise ValueError(
            "The information matrix is numerically singular: fitted "
            "probabilities are numerically 0 or 1 along some direction of X "
            "(the classes are separated there, or nearly so). " + advice
        )
    try:
        factor = cho_factor(scaled)
    except LinAlgError as exc:  # pragma: no cover - positive definite above
        raise ValueError(
            "The information matrix is numerically singular: its Cholesky "
            "factorisation failed. " + advice
        ) from exc
    return cho_solve(factor, np.eye(len(scale))), scale
