"""BCELogisticRegressionCV: a cross-validated search trained as K-column runs.

Every (candidate, fold, one-vs-rest class) triple is one column of a single
gradient-descent run over ``X``: the fold is a 0/1 factor of the column's sample
weights and the candidate gives the column's ``C`` and step.  One iteration
reads ``X`` for all columns at once (``X @ W`` with K columns) instead of once
per (candidate, fold) fit; each column still does its own share of the
products and of the elementwise work on every row, so a column-iteration
costs a fraction of a fit's iteration, not nothing (``benchmarks/README.md``,
"What one column costs").  Each column must get the step rule its single
fit would, and a run has one: fixed steps, ``"auto"`` with an L1 term and
``"auto"`` without one run apart, and ``"auto"`` columns without one in runs
whose full curvature bounds fit in memory; columns of many coefficients are
split into several runs of at most ``RUN_COEF_BYTES`` of coefficients each,
and columns of many samples into runs whose stored logits (``"nesterov"``)
fit in scikit-learn's ``working_memory``.
"""

import copy
import time
import traceback
import warnings
from contextlib import suppress
from numbers import Integral, Number, Real

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning, NotFittedError
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.utils import indexable
from sklearn.utils.metadata_routing import (
    UNUSED,
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._array_api import check_numpy_only, to_numpy
from ._logistic import (
    BCELogisticRegression,
    LinearBCEOutputsMixin,
    apply_class_weight,
    one_vs_rest_targets,
    run_solver,
    validate_training_data,
)
from ._loss import BCEObjective, weight_scale
from ._monitor import ProgressPrinter
from ._solver import (
    CONVERGED,
    DIVERGED,
    FULL_METRIC_FIRST_COEF,
    FULL_METRIC_MAX_COEF,
    MAX_ITER,
    full_metric_max_bounds,
    safe_step,
)
from ._validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
    _fit_context,
    _safe_indexing,
    check_some_weight,
    external_stacklevel,
    l1_ratio_said,
    plain_value,
    previous_fit_on_error,
    scorer_accepts_sample_weight,
    scorer_with_classes,
    warn_unused_l1_ratio,
)


def _check_learning_rates(values):
    if getattr(values, "ndim", 1) == 0:  # a 0-d array, which list() refuses
        raise _invalid(
            "learning_rates",
            f"must be a list of 'auto' and floats > 0. Got {values!r} instead.",
        )
    values = list(values)
    if not values:
        raise _invalid("learning_rates", "must contain at least one learning rate.")
    for value in values:
        ok = (
            value == "auto"
            if isinstance(value, str)
            else (_is_number(value) and np.isfinite(value) and value > 0)
        )
        if not ok:
            raise _invalid(
                "learning_rates",
                f"must contain 'auto' or floats > 0. Got {value!r} instead.",
            )
    return values


def _runs(pairs, per_run, max_pairs=None):
    """Consecutive slices of columns: at most ``per_run`` columns each and,
    with ``max_pairs``, at most that many distinct ``pairs`` (a column's fold
    and ``C``, which make its curvature bound)."""
    runs, start, seen = [], 0, set()
    for i, pair in enumerate(pairs):
        full = i - start >= per_run
        if max_pairs is not None and pair not in seen and len(seen) >= max_pairs:
            full = True
        if full:
            runs.append(slice(start, i))
            start, seen = i, set()
        seen.add(pair)
    runs.append(slice(start, len(pairs)))
    return runs


def _invalid(name, must):
    """scikit-learn's error for a parameter whose value it cannot take."""
    return InvalidParameterError(
        f"The {name!r} parameter of BCELogisticRegressionCV {must}"
    )


#: Most bytes of the ``(n_coef, k)`` coefficients of one descent of a search;
#: a search of more columns trains them in several descents, each reading
#: ``X``.  The descent's steps make a few dozen passes over arrays of this
#: shape per iteration, which stay in cache when they are this small: with
#: 50,000 features (sparse) and 240 columns, one descent over arrays of 96 MB
#: took 85 s, runs of 10 columns 49 s (``benchmarks/bench_search_wide.py``).
RUN_COEF_BYTES = 1 << 22

FIT_FAILED = "fit failed"
# A class column a fold does not train: its class is missing from the
# training part, or the fold has two classes and trains one column.
NOT_TRAINED = "not trained"
# The logit of a class a model never saw: the log of the smallest normal
# number, a probability of 0 to any metric's rounding (1e-308 in float64,
# 1e-38 in float32) and a finite decision value.
_ABSENT_LOGIT = {
    dtype: np.log(np.finfo(dtype).tiny).astype(dtype)
    for dtype in (np.float32, np.float64)
}


class _Raised(str):
    """The last line of the error of a scoring that raised."""

    @classmethod
    def of(cls, details):
        lines = [line for line in details.strip().splitlines() if line.strip()]
        return cls(lines[-1].strip() if lines else "")


# Attributes of the refitted model only, and of the refit.
_REFIT_MODEL = ("n_iter_", "loss_curve_", "converged_", "stop_reason_")
_REFIT_ONLY = (*_REFIT_MODEL, "refit_time_", "best_estimator_")
# Attributes of a chosen candidate and its model.
_CHOSEN_MODEL = (
    "best_index_",
    "best_params_",
    "best_score_",
    "C_",
    "learning_rate_",
    "coef_",
    "intercept_",
    *_REFIT_ONLY,
)


def _with_partner(n_iter, stop_reason, absent):
    """A fold's iterations and stop reasons per class, a mirrored column's
    (the first of two classes, the negated second) those of its partner.

    ``absent``: the classes missing from the fold's training part.  Returns
    copies of both and the mask of the mirrored column.
    """
    n_iter, stop_reason = n_iter.copy(), stop_reason.copy()
    ran = stop_reason != NOT_TRAINED
    mirrored = ~ran & ~absent
    if mirrored.any():
        n_iter[mirrored] = n_iter[ran][0]
        stop_reason[mirrored] = stop_reason[ran][0]
    return n_iter, stop_reason, mirrored


def _is_number(value):
    """A real number, not a bool (``True`` is a ``Real`` in Python)."""
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def _check_Cs(values):
    if isinstance(values, bool | np.bool_):
        raise _invalid(
            "Cs",
            "must be an int >= 1 or a list of floats in (0, inf]. "
            f"Got {values!r} instead.",
        )
    if isinstance(values, Integral):
        # LogisticRegressionCV's grid: Cs values from 1e-4 to 1e4, log-spaced.
        return np.logspace(-4, 4, values).tolist()
    if getattr(values, "ndim", 1) == 0:  # a 0-d array, which list() refuses
        raise _invalid(
            "Cs",
            "must be an int >= 1 or a list of floats in (0, inf]. "
            f"Got {values!r} instead.",
        )
    values = list(values)
    if not values:
        raise _invalid("Cs", "must contain at least one value of C.")
    for value in values:
        if not (_is_number(value) and value > 0) or np.isnan(value):
            raise _invalid(
                "Cs", f"must contain floats in (0, inf]. Got {value!r} instead."
            )
    return values


def _no_model(search, method):
    """Why ``search`` has no model to ``method`` with."""
    return (
        f"This {type(search).__name__} has no model to {method} with: with "
        "several metrics in scoring and refit=False, fit only stores "
        "cv_results_. Set refit to the metric that chooses the candidate."
    )


def _will_have_model(search, method):
    """Whether ``search`` has a model, or will have one once fitted.

    Raises ``AttributeError`` (``available_if``'s way of hiding ``method``)
    when it has none and will have none.
    """
    if hasattr(search, "cv_results_"):
        if hasattr(search, "coef_"):
            return True
        raise AttributeError(_no_model(search, method))
    multimetric = isinstance(search.scoring, list | tuple | dict)
    if multimetric and search.refit is False:
        raise AttributeError(_no_model(search, method))
    return True


def _needs_model(method):
    """``method`` of the search's model, hidden where there is no model."""
    name = method.__name__
    return available_if(lambda search: _will_have_model(search, name))(method)


class BCELogisticRegressionCV(ClassifierMixin, LinearBCEOutputsMixin, BaseEstimator):
    """Cross-validated search over learning rate and ``C``, all trained at once.

    For every candidate ``(C, learning_rate)`` and every cross-validation fold
    the model :class:`BCELogisticRegression` would fit is one column of a
    vectorised gradient-descent run: the fold enters as a 0/1 sample weight,
    the candidate as the column's penalty and step.  ``"auto"`` chooses its
    step rule per run, as a single fit does per fit, so each column gets its
    single fit's rule: a grid runs its fixed steps apart from ``"auto"``, and
    its ``"auto"`` columns with an L1 term apart from those without (a
    ``C=np.inf`` column has none, whatever ``l1_ratio``); columns of many
    coefficients, such as those of wide sparse data, run in several runs of
    at most 4 MiB of coefficients each, ``"auto"`` columns whose full
    curvature bounds would together take more than 1 GiB in runs whose
    bounds fit, and, with ``solver="nesterov"``, which stores each column's
    logits (``n_samples`` values), columns of many samples in runs of at
    most scikit-learn's ``working_memory`` of logits (1 GiB by default; see
    :func:`sklearn.set_config`).  Each
    fold's held-out part is then scored, the candidate with the
    best mean score is chosen, and (with ``refit=True``) refitted on all the
    data, warm-started from its fold solutions.  The scores equal those of
    ``GridSearchCV(BCELogisticRegression(), {"learning_rate": ..., "C": ...})``
    with the same splits, in the same candidate order, for every candidate
    whose fits converge (up to rounding; in float32, rounding can move where a
    fit stops within ``tol``: on breast cancer standardised in float32 the
    fold log-loss scores differed by up to 3e-5 with the default grid, 5e-3
    over ``Cs=10``'s).
    A fit stopped by ``max_iter`` is an
    unfinished model: when its step makes the loss oscillate, its
    coefficients depend on floating-point rounding (a single
    ``BCELogisticRegression`` fit changes with the memory order of ``X``), so
    its score can differ from ``GridSearchCV``'s, and from one grid to
    another (the number of columns trained together changes how the
    products round), as can whether its swing ends as diverged; such
    candidates are warned about (unless ``tol=0``, which asks for
    ``max_iter`` iterations) and marked in ``cv_results_["converged"]``.

    Parameters
    ----------
    learning_rates : list of {"auto", float}, default=("auto", 0.1, 0.3, 1.0)
        Candidate learning rates (see ``BCELogisticRegression``).  At
        ``C=1`` the default fixed steps converge within the default
        ``max_iter`` on standardised data (breast cancer, wine, iris, digits);
        smaller ones need more iterations.  A smaller ``C`` raises the
        smoothness bound ``L`` (a fixed step above ``1/L``, ``2/L`` with
        ``solver="gd"``, can diverge or oscillate) and a much larger one can
        need more iterations: over a grid of ``C`` values, ``"auto"`` sets
        each candidate's steps from the data.

    Cs : int or list of float, default=(1.0,)
        Candidate values of ``C``, in ``(0, inf]``.  An int ``n`` is
        ``LogisticRegressionCV``'s grid: ``n`` values from ``1e-4`` to ``1e4``
        on a log scale.

    cv : int, cross-validation generator or iterable, default=None
        As ``GridSearchCV`` takes it: ``None`` is 5-fold, an int the number of
        folds, stratified for classifiers.  Splitters that need groups (such
        as ``GroupKFold``) get them from ``fit(X, y, groups=groups)``.

    scoring : str, callable, list, tuple, dict or None, \
default="neg_log_loss"
        A scikit-learn scorer name or a callable ``scorer(estimator, X, y)``;
        greater is better.  Used to choose the candidate and by :meth:`score`.
        ``None`` is the estimator's own score, the accuracy.  Each scorer gets
        the model of the (candidate, fold), a fitted
        :class:`BCELogisticRegression` with its ``n_iter_``, ``converged_``,
        ``stop_reason_`` and ``loss_curve_``, and the held-out ``X`` and
        ``y`` as given to :meth:`fit`.  Several metrics, as in
        ``GridSearchCV``: a list or tuple of scorer names, a dict of names to
        scorer names or callables, or a callable returning a dict of named
        scores; ``refit`` then names the metric that chooses.  Scorers of
        probabilities or decision values whose metric takes ``labels``
        (``neg_log_loss``, ``neg_brier_score``, ...) are given all the
        classes (and, for two classes, ``pos_label`` the second, unless the
        scorer sets them), as in ``LogisticRegressionCV``, so a held-out part
        that lacks a class is still scored (metrics that need every class in
        it, such as ROC AUC, give NaN there, with a warning).  Scorers of
        predicted labels (``f1``, ``precision``, ``recall``, ...) keep their
        ``pos_label=1``, as in ``GridSearchCV``: where 1 is not a class (string
        labels, for example) they raise, and the search says so; pass
        ``make_scorer(f1_score, pos_label=...)``.  (``LogisticRegressionCV``
        scores labels it has encoded, and takes the second class as the
        positive one.)  A class missing
        from a fold's training part (a rare class) is not trained in that
        fold, as in the fold's single fit; the fold model gives it
        probability 0 and never predicts it (to rounding: its decision value
        is the log of the smallest normal number, about -708, -87 in float32,
        or lower where the trained classes' logits are, below each of them),
        so the log-loss of its held-out samples is that of scikit-learn's
        clipped zero probability, the same for every candidate
        (``GridSearchCV``'s fold model lacks the class and its log-loss is
        NaN); other scorers score the fold model as it is, where
        ``GridSearchCV``'s may give NaN (one-vs-rest ROC AUC counts the
        class's constant score as chance, 0.5); its ``stop_reason_`` is
        ``"not trained"`` (``converged_`` False, ``n_iter_`` 0).

    refit : bool, str or callable, default=True
        Refit the best candidate on all the data.  With ``False`` the model is
        the mean of the fold models of the candidate with the best mean score
        (each class's coefficients over the folds that trained it; a class no
        training part held has probability 0 and is never predicted);
        ``LogisticRegressionCV`` instead averages the model of each fold's
        own best ``C``, and sets ``C_`` to the mean of those.  As in
        ``GridSearchCV``, a callable ``refit(cv_results_)`` returns the index
        of the candidate to refit instead of the best mean score (for example
        the one that needs the fewest iterations,
        ``cv_results_["mean_n_iter"]``, among those scoring within a
        tolerance of the best); ``best_score_`` is then not set.  It must
        choose a candidate with a finite mean score (with several metrics:
        one that did not diverge).  With several metrics in ``scoring``, as in
        ``GridSearchCV``, ``refit`` is the name of the metric whose best mean
        score chooses the candidate to refit, a callable, or ``False``: then
        no metric chooses, and the search stores ``cv_results_`` only, with
        no model to predict with.  With one metric named by ``scoring`` (or
        ``None``), a string ``refit`` may name it: ``"score"`` (its name in
        ``cv_results_``) or ``scoring`` itself (``"accuracy"`` for
        ``scoring=None``); the name of another metric is refused, where
        ``GridSearchCV`` would ignore it and choose by ``scoring``.  With a
        callable ``scoring`` that returns one score, any string is taken, as
        in ``GridSearchCV``.

    error_score : "raise" or float, default=np.nan
        As in ``GridSearchCV``: the score of a (candidate, fold) pair whose
        training part cannot be fitted (it holds one class only, or its
        weights leave nothing to fit), with a ``FitFailedWarning``, or whose
        scorer raises, with a ``UserWarning``; ``"raise"`` raises the error
        instead.  A search in which no training part can be fitted raises,
        and so does one in which no candidate has a finite mean score, saying
        why, whenever a candidate must be chosen: to refit it or, with
        ``refit=False`` and one metric, to average its fold models
        (``GridSearchCV`` would refit the first candidate, or with
        ``refit=False`` keep the scores only).  With several metrics and
        ``refit=False`` nothing is chosen and nothing raises: the NaN scores
        are stored in ``cv_results_``.
        Diverged candidates score NaN whatever ``error_score`` is.

    return_train_score : bool, default=False
        As in ``GridSearchCV``: also score every (candidate, fold) model on
        its training part, in ``cv_results_["split{k}_train_score"]``,
        ``["mean_train_score"]`` and ``["std_train_score"]`` (to see which
        candidates overfit; it costs a second round of scoring).

    solver : {"nesterov", "gd"}, default="nesterov"
        As in :class:`BCELogisticRegression`, for every candidate.

    max_iter : int, default=1000
        As in :class:`BCELogisticRegression`: the most iterations of every
        (candidate, fold) fit and of the refit.

    tol : float, default=1e-4
        As in :class:`BCELogisticRegression`, for every candidate.

    l1_ratio : float, default=0.0
        As in :class:`BCELogisticRegression`, for every candidate; unused by
        those of ``C=np.inf`` (one ``UserWarning`` says so).

    fit_intercept : bool, default=True
        As in :class:`BCELogisticRegression`, for every candidate.

    class_weight : dict or "balanced", default=None
        As in :class:`BCELogisticRegression`; ``"balanced"`` weighs the
        classes of each training part by their counts in that part, as the
        fit of a ``GridSearchCV`` does.

    random_state : int, RandomState instance or None, default=None
        Passed to the refitted :class:`BCELogisticRegression`.  Full-batch
        descent uses no randomness, so it changes no result: as in
        ``LogisticRegressionCV``, it does not shuffle the folds (give ``cv``
        a splitter such as ``StratifiedKFold(shuffle=True,
        random_state=0)``).

    verbose : int, default=0
        As in :class:`BCELogisticRegression` for the refit.  With
        ``verbose >= 1`` the search also prints its size and, every 10
        iterations (every one with ``verbose >= 2``), how many columns are
        still running and their largest objective and gradient entry (from
        iteration 1 again in each run, when columns of many coefficients run
        in several).

    Attributes
    ----------
    learning_rate_ : "auto" or float
        Learning rate of the best candidate.

    C_ : float
        ``C`` of the best candidate.

    Cs_ : ndarray of shape (n_Cs,)
        The values of ``C`` searched, as in ``LogisticRegressionCV`` (those
        of ``Cs``, or its grid when ``Cs`` is an int).

    learning_rates_ : list of {"auto", float}
        The learning rates searched.

    best_score_ : float
        Mean cross-validated score of the best candidate (with several
        metrics, of the one ``refit`` names; not set when ``refit`` is a
        callable).

    best_index_ : int
        Index of the best candidate in ``cv_results_``.

    best_params_ : dict
        ``{"C": C_, "learning_rate": learning_rate_}``, as in ``GridSearchCV``.

    cv_results_ : dict of ndarrays
        Per candidate, with ``GridSearchCV``'s keys: ``params``,
        ``param_C``, ``param_learning_rate``, ``split{k}_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``mean_fit_time``, ``std_fit_time``, ``mean_score_time``,
        ``std_score_time`` (and ``split{k}_train_score``,
        ``mean_train_score``, ``std_train_score`` with
        ``return_train_score=True``); and the descent: ``split{k}_n_iter`` (iterations,
        the largest over one-vs-rest classes), ``mean_n_iter``, ``diverged``
        (whether any fold diverged), ``converged`` (whether every class
        column of every fold converged; folds that could not be fitted and
        classes a fold did not train do not count) and ``loss_curve`` (per
        candidate an array
        of shape ``(n_splits, n_iterations)``, the objective after each
        iteration averaged over one-vs-rest classes, NaN once a fold stopped).
        A fit time is the time of the runs of its step rule divided among
        their candidates and folds.  Diverged candidates score NaN, rank last
        and are never chosen.
        With several metrics, each has its own ``split{k}_test_<name>``,
        ``mean_test_<name>``, ``std_test_<name>`` and ``rank_test_<name>``
        (and ``_train_<name>`` keys) in place of the ``_score`` ones, as in
        ``GridSearchCV``.

    multimetric_ : bool
        Whether the scores are of several metrics.

    scorer_ : callable or dict
        The scorer used in ``fit``, or the dict of named scorers for a list
        or dict ``scoring``, as in ``GridSearchCV`` (scorers of
        probabilities given all the classes; :meth:`score` uses the current
        ``scoring``).

    n_splits_ : int
        Number of cross-validation folds.

    refit_time_ : float
        Seconds the refit on all the data took, as in ``GridSearchCV`` (only
        with ``refit`` not ``False``).

    best_estimator_ : BCELogisticRegression
        The refitted model as a :class:`BCELogisticRegression` with the
        chosen ``C`` and ``learning_rate``, as in ``GridSearchCV`` (only with
        ``refit`` not ``False``; the search predicts with the same
        coefficients).  Unlike ``GridSearchCV``'s, its fit started from the
        mean of the candidate's fold solutions, not from zeros: fitting it
        (or a clone) again starts from zeros and stops at another point
        within ``tol`` of the optimum (at the default ``tol``, coefficients
        a few percent apart on standardised breast cancer; a smaller ``tol``
        brings both closer to the optimum).

    classes_, coef_, intercept_, n_iter_, loss_curve_, converged_, \
stop_reason_, n_features_in_, feature_names_in_
        The final model, as in :class:`BCELogisticRegression` (``loss_curve_``,
        ``converged_`` and ``stop_reason_`` only with ``refit`` not ``False``;
        with ``refit=False``, ``n_iter_`` is of shape ``(n_splits,
        n_problems)``: the iterations of the chosen candidate's fold fits,
        whose mean is the model, as ``LogisticRegressionCV`` keeps those of
        its fold fits; 0 for a fold that could not be fitted and for a class
        missing from a fold's training part; with two classes left, both have
        the iterations of the fold's binary fit).

    See Also
    --------
    BCELogisticRegression : The estimator searched over.
    sklearn.model_selection.GridSearchCV : The same search, one fit at a time.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_bce import BCELogisticRegressionCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> search = BCELogisticRegressionCV(
    ...     learning_rates=["auto", 0.1, 1.0], Cs=[0.1, 1.0], cv=3
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    6
    >>> search.C_ in (0.1, 1.0), search.coef_.shape
    (True, (1, 30))
    """

    # score's sample_weight goes to the scorer, which requests it (as in
    # LogisticRegressionCV): the search itself does not consume it.
    __metadata_request__score = {"sample_weight": UNUSED}

    _parameter_constraints: dict = {
        "learning_rates": ["array-like"],
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "cv": ["cv_object"],
        "scoring": [
            StrOptions(set(get_scorer_names())),
            callable,
            list,
            tuple,
            dict,
            None,
        ],
        "refit": ["boolean", str, callable],
        "error_score": [StrOptions({"raise"}), Real],
        "return_train_score": ["boolean"],
        "solver": [StrOptions({"nesterov", "gd"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        learning_rates=("auto", 0.1, 0.3, 1.0),
        Cs=(1.0,),
        cv=None,
        scoring="neg_log_loss",
        refit=True,
        error_score=np.nan,
        return_train_score=False,
        solver="nesterov",
        max_iter=1000,
        tol=1e-4,
        l1_ratio=0.0,
        fit_intercept=True,
        class_weight=None,
        random_state=None,
        verbose=0,
    ):
        self.learning_rates = learning_rates
        self.Cs = Cs
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.random_state = random_state
        self.verbose = verbose

    def _estimator(self, **params):
        """A BCELogisticRegression with this search's shared parameters."""
        return BCELogisticRegression(
            solver=self.solver,
            max_iter=self.max_iter,
            tol=self.tol,
            l1_ratio=self.l1_ratio,
            fit_intercept=self.fit_intercept,
            class_weight=self.class_weight,
            random_state=self.random_state,
            verbose=self.verbose,
            **params,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Train every candidate on every fold at once, choose, and refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Target labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights of the fits.  Without metadata routing they are
            also passed to the scorer for the held-out parts when it accepts
            them, as ``GridSearchCV`` does; with it, when the scorer requests
            them.

        **params : dict
            Without metadata routing, only ``groups``: group labels of the
            samples for the splitter, as ``GridSearchCV.fit`` takes them.  With
            ``sklearn.set_config(enable_metadata_routing=True)``, any metadata
            the splitter or the scorer requests.

        Returns
        -------
        self : object
            The fitted search.
        """
        # A fit that raises (say, no candidate with a finite score) leaves
        # the previous fit whole.
        with previous_fit_on_error(self):
            return self._fit(X, y, sample_weight, params)

    def _fit(self, X, y, sample_weight, params):
        check_numpy_only(self, X, f"{type(self).__name__}.fit")
        # Labels and weights in another namespace (NumPy X, torch y) are
        # brought to the host, as a single fit does (and a dask X is loaded).
        X, y, sample_weight = to_numpy(X), to_numpy(y), to_numpy(sample_weight)
        learning_rates = _check_learning_rates(self.learning_rates)
        Cs = _check_Cs(self.Cs)
        warn_unused_l1_ratio(self.l1_ratio, Cs, search=True)
        routing = _routing_enabled()
        if routing:
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
            split_params, score_params = routed.splitter.split, routed.scorer.score
        else:
            _reject_params(params, self, "fit", allow={"groups"})
            split_params, score_params = {"groups": params.get("groups")}, {}
        weighted = sample_weight is not None
        X_given, y_given = X, y
        X, y_index, sample_weight = validate_training_data(self, X, y, sample_weight)
        if self.class_weight is not None:
            # Class weights that the refit on all the data refuses are a bad
            # parameter (as in a single fit), not failed folds.
            apply_class_weight(sample_weight, self.class_weight, self.classes_, y_index)
        # The splitter and the scorer get the data as given (a DataFrame keeps
        # its column names, a Series its index), made indexable as
        # GridSearchCV makes them.
        X_score, y_score = indexable(X_given, y_given)
        labels = self.classes_[y_index]
        scorer, scorers = self._scorer()
        if not callable(self.scoring):
            # Before the run; a callable may return one score or a dict.
            names = ["score"] if scorers is None else list(scorers)
            self._check_refit(names, multimetric=scorers is not None)
        cv = check_cv(self.cv, labels, classifier=True)
        n_splits = cv.get_n_splits(X_score, y_score, **split_params)
        splits = [
            tuple(_as_indices(part, len(y_index)) for part in split)
            for split in cv.split(X_score, y_score, **split_params)
        ]
        # GridSearchCV's checks, in its words.
        if not splits:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? Were there no "
                "candidates?"
            )
        if len(splits) != n_splits:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {n_splits} splits, got {len(splits)}"
            )
        self.n_splits_ = len(splits)
        self.Cs_ = np.asarray(Cs, dtype=np.float64)
        self.learning_rates_ = learning_rates
        candidates = list(ParameterGrid({"C": Cs, "learning_rate": learning_rates}))
        if self.verbose:
            print(
                f"Fitting {self.n_splits_} folds for each of {len(candidates)} "
                f"candidates, totalling {self.n_splits_ * len(candidates)} fits, "
                "as the columns of a run per step rule"
            )

        trained = self._train_all(X, y_index, sample_weight, splits, candidates)
        coefs, n_iter, stop_reason, histories, fit_times, failures, safe = trained
        self._check_failures(failures, len(candidates))
        if not routing and weighted and self._scorer_takes_weights(scorers):
            score_params = {"sample_weight": sample_weight}
        fitted = (
            X_score,
            y_score,
            score_params,
            splits,
            candidates,
            (coefs, n_iter, stop_reason, histories),
            failures,
        )
        scores, score_times, multimetric, raised = self._score_all(
            scorer, scorers, *fitted
        )
        if callable(self.scoring):
            self._check_refit(list(scores), multimetric)
        diverged = (stop_reason == DIVERGED).any(axis=2)
        for values in scores.values():
            values[diverged] = np.nan
        train_scores = None
        if self.return_train_score:
            train_scores, *_ = self._score_all(scorer, scorers, *fitted, part=0)
            for values in train_scores.values():
                values[diverged] = np.nan
        self._warn(candidates, diverged, stop_reason, safe)
        # Over the folds that were fitted.
        converged = np.isin(stop_reason, (CONVERGED, FIT_FAILED, NOT_TRAINED)).all(
            axis=(1, 2)
        )
        curves = [
            _average_over_classes(history, n_iter[c], stop_reason[c] != NOT_TRAINED)
            for c, history in enumerate(histories)
        ]
        results = _results(
            candidates,
            scores,
            fit_times,
            score_times,
            n_iter,
            diverged,
            converged,
            curves,
            train_scores,
        )
        diverged = diverged.any(axis=1)
        self._warn_non_finite(results, scores, diverged)
        chooses = not (multimetric and self.refit is False)
        if chooses:
            metric = self._refit_metric(multimetric)
            if metric is not None:
                means = results[f"mean_test_{metric}"]
                if np.isnan(means).all():
                    reason = self._no_score_reason(
                        diverged,
                        failures,
                        multimetric,
                        metric,
                        raised[metric],
                        scores[metric],
                    )
                    raise ValueError(reason)
            elif diverged.all():
                reason = self._no_score_reason(diverged, failures, True, None, [], None)
                raise ValueError(reason)
            best_index = self._choose(results, metric, diverged)
        for name in _CHOSEN_MODEL:
            self.__dict__.pop(name, None)
        self.cv_results_ = results
        self.multimetric_ = multimetric
        self.scorer_ = scorer if scorers is None else scorers
        if not chooses:
            # As GridSearchCV: no metric chooses, so there is no model.
            return self
        self.best_index_ = best_index
        best = self.best_params_ = dict(candidates[best_index])
        self.C_, self.learning_rate_ = float(best["C"]), best["learning_rate"]
        if not callable(self.refit):
            # As in GridSearchCV, not with a callable: its choice is no score's.
            self.best_score_ = float(means[best_index])
        # Mean over the folds that trained each column: (n_coef, n_columns).
        fitted = np.delete(coefs[best_index], list(failures), axis=0)
        start = _mean_over_folds(fitted)
        untrained = np.isnan(fitted).all(axis=(0, 1))
        self._set_final_model(X, labels, sample_weight, start, untrained)
        if not self.refit:
            # As LogisticRegressionCV's: the iterations of the fold fits
            # (those of the chosen candidate, whose mean is the model), a
            # mirrored column's those of its partner, as in its fold model.
            self.n_iter_ = np.array(
                [
                    _with_partner(count, reason, np.isnan(coef).all(axis=0))[0]
                    for count, reason, coef in zip(
                        n_iter[best_index],
                        stop_reason[best_index],
                        coefs[best_index],
                        strict=True,
                    )
                ],
                dtype=np.int32,
            )
        return self

    def _check_refit(self, names, multimetric):
        """Refuse a ``refit`` that names no metric of ``scoring``."""
        if multimetric:
            if self.refit is False or callable(self.refit) or self.refit in names:
                return
            # GridSearchCV's words.
            raise ValueError(
                "For multi-metric scoring, the parameter refit must be set to a "
                "scorer key or a callable to refit an estimator with the best "
                "parameter setting on the whole data and make the best_* "
                "attributes available for that metric. If this is not needed, "
                f"refit should be set to False explicitly. {self.refit!r} was "
                "passed."
            )
        if callable(self.scoring):
            return  # a metric without a known name: any string, as GridSearchCV
        # The single metric is "score" in cv_results_, also known by its name.
        names = {"score", "accuracy" if self.scoring is None else self.scoring}
        if isinstance(self.refit, str) and self.refit not in names:
            raise ValueError(
                f"refit={self.refit!r} names a metric, but scoring="
                f"{self.scoring!r} is a single metric: use refit=True, or give "
                "scoring a list or dict of metrics that includes it."
            )

    def _refit_metric(self, multimetric):
        """The metric whose best mean score chooses: None if ``refit`` chooses."""
        if callable(self.refit):
            return None if multimetric else "score"
        return self.refit if multimetric else "score"

    def _choose(self, results, metric, diverged):
        """Index of the best candidate: the best mean score, or ``refit``'s choice."""
        if not callable(self.refit):
            return int(np.nanargmax(results[f"mean_test_{metric}"]))
        index = self.refit(results)
        # GridSearchCV's checks, in its words.
        if not isinstance(index, Integral):
            raise TypeError("best_index_ returned is not an integer")
        index = int(index)  # True is 1, as GridSearchCV indexes with it
        if index < 0 or index >= len(diverged):
            raise IndexError("best_index_ index out of range")
        if metric is None:
            if diverged[index]:
                raise ValueError(
                    f"The refit callable chose candidate {index}, which "
                    "diverged in at least one fold; choose among the candidates "
                    "where cv_results_['diverged'] is False."
                )
        elif np.isnan(results[f"mean_test_{metric}"][index]):
            raise ValueError(
                f"The refit callable chose candidate {index}, whose mean "
                "score is NaN (it diverged or could not be scored); choose "
                "among the candidates with a finite mean_test_score."
            )
        return index

    # -- the shared run -------------------------------------------------------------
    def _train_all(self, X, y_index, sample_weight, splits, candidates):
        """K-column runs per step rule; per (candidate, fold) results.

        Each fold trains the columns its single ``BCELogisticRegression`` fit
        would: one per class of its training part (one column for two
        classes); a class missing from the training part is not trained (its
        coefficients stay NaN) and, with two classes left, the first one's
        column is the negated second, as the binary model predicts them.

        Also returns, per fold whose training part cannot be fitted (one
        class, or weights that leave nothing to fit), the error a single
        ``BCELogisticRegression`` fit would raise; such folds are not run.
        """
        n_classes = len(self.classes_)
        Y = one_vs_rest_targets(y_index, n_classes, X.dtype)
        n_columns = Y.shape[1]
        n_cand, n_folds = len(candidates), len(splits)
        failures, weights, present = {}, [], []
        for f, (train, _) in enumerate(splits):
            try:
                weights.append(self._fold_weights(y_index, sample_weight, train))
            except ValueError as exc:
                failures[f] = exc
            else:
                present.append(np.unique(y_index[train]))
        trained = np.array([f for f in range(n_folds) if f not in failures], dtype=int)
        fold_weights = np.zeros((X.shape[0], trained.size), dtype=X.dtype)
        for j, (f, w) in enumerate(zip(trained, weights, strict=True)):
            # A row listed k times (a bootstrap) weighs k times, as in X[train].
            fold_weights[:, j] = np.bincount(
                splits[f][0], weights=w, minlength=X.shape[0]
            )
        # The class columns each trained fold runs.
        columns = [
            [0] if n_columns == 1 else list(p[1:] if p.size == 2 else p)
            for p in present
        ]
        n_coef = X.shape[1] + self.fit_intercept
        coefs = np.full((n_cand, n_folds, n_coef, n_columns), np.nan, dtype=X.dtype)
        n_iter = np.zeros((n_cand, n_folds, n_columns), dtype=int)
        stop_reason = np.full((n_cand, n_folds, n_columns), NOT_TRAINED, dtype=object)
        stop_reason[:, list(failures)] = FIT_FAILED
        histories = [None] * n_cand
        fit_times = np.zeros(n_cand)
        # 1/L of the fixed-step columns stopped by max_iter, for the warning.
        safe = np.full((n_cand, n_folds, n_columns), np.nan)
        is_auto = np.array([c["learning_rate"] == "auto" for c in candidates])
        # "auto" chooses its step rule per run, as a single fit does per fit:
        # columns with an L1 term (which needs a separable metric) run apart
        # from those without, whose full curvature bounds must fit in memory.
        # (A C so large that 1 / (C S) is 0 has none, as C=np.inf.)
        fold_sums = fold_weights.sum(axis=0, dtype=np.float64)
        # Held scaled once for all runs, as each run's objective would hold them.
        scale = weight_scale(fold_weights.max(axis=0, initial=0.0))
        if np.any(scale != 1.0):
            fold_weights *= scale.astype(X.dtype)
        with np.errstate(divide="ignore", over="ignore"):
            has_l1 = np.array(
                [
                    self.l1_ratio > 0 and bool(np.any(1.0 / (c["C"] * fold_sums) > 0))
                    for c in candidates
                ]
            )
        full_bound = n_coef <= FULL_METRIC_FIRST_COEF or (
            not sp.issparse(X) and n_coef <= FULL_METRIC_MAX_COEF
        )
        n_trained = trained.size
        for group in (
            np.flatnonzero(is_auto & ~has_l1),
            np.flatnonzero(is_auto & has_l1),
            np.flatnonzero(~is_auto),
        ):
            if group.size == 0 or n_trained == 0:
                continue
            # Columns ordered (candidate, fold, class).
            member, fold, klass = np.array(
                [
                    (i, j, k)
                    for i in range(group.size)
                    for j in range(n_trained)
                    for k in columns[j]
                ],
                dtype=int,
            ).T
            cand = group[member]
            is_fixed = not is_auto[group[0]]
            # Runs of at most RUN_COEF_BYTES of coefficients each and, where
            # the full bound can serve, of as many bounds as it can hold.
            per_run = max(1, RUN_COEF_BYTES // (n_coef * X.dtype.itemsize))
            if self.solver == "nesterov":
                # Accelerated descent stores the logits of its columns: at
                # most scikit-learn's working_memory of them per run.
                memory = int(get_config()["working_memory"] * 2**20)
                logits = X.shape[0] * X.dtype.itemsize  # bytes per column
                per_run = min(per_run, max(1, memory // logits))
            max_pairs = None
            if not is_fixed and full_bound and not has_l1[group[0]]:
                max_pairs = full_metric_max_bounds(n_coef)
            pairs = [(f, candidates[c]["C"]) for c, f in zip(cand, fold, strict=True)]
            runs = _runs(pairs, per_run, max_pairs)
            if self.verbose:
                print(
                    f"{'fixed' if is_fixed else 'auto'} steps"
                    + (" with an L1 term" if has_l1[group[0]] and not is_fixed else "")
                    + ": "
                    f"{group.size} candidate(s) x {n_trained} folds x "
                    + (
                        f"{len(columns[0])} class column(s)"
                        if len({len(c) for c in columns}) == 1
                        else "the class columns of each fold's classes"
                    )
                    + f" = {len(cand)} columns"
                    + (
                        f", in {len(runs)} runs of at most "
                        f"{max(run.stop - run.start for run in runs)}"
                        if len(runs) > 1
                        else ""
                    )
                )
            start = time.perf_counter()
            curves = []
            for run in runs:
                result, objective = self._run_columns(
                    X,
                    Y,
                    (fold_weights, scale),
                    candidates,
                    cand[run],
                    fold[run],
                    klass[run],
                )
                folds = trained[fold[run]]
                at = (cand[run], folds, klass[run])
                coefs[at[0], at[1], :, at[2]] = result.coef.T
                n_iter[at] = result.n_iter
                stop_reason[at] = result.stop_reason
                unfinished = np.flatnonzero(result.stop_reason == MAX_ITER)
                if unfinished.size and is_fixed:
                    # One bound per fold, the data's, plus each column's L2
                    # term: an upper bound on L (exact without an intercept),
                    # without an eigenvalue problem per (fold, C).
                    running = objective.restricted(unfinished)
                    l2, running.l2 = running.l2, np.zeros_like(running.l2)
                    safe[tuple(a[unfinished] for a in at)] = safe_step(
                        running.smoothness_bound() + l2
                    )
                curves.append(result.history)
            fit_times[group] = (time.perf_counter() - start) / (group.size * n_trained)
            history = np.full(
                (group.size, n_folds, n_columns, max(len(c) for c in curves)), np.nan
            )
            for run, curve in zip(runs, curves, strict=True):
                where = (member[run], trained[fold[run]], klass[run])
                history[where[0], where[1], where[2], : len(curve)] = curve.T
            for i, c in enumerate(group):
                histories[c] = history[i]
        for j, p in enumerate(present):
            if n_columns > 1 and p.size == 2:
                # The binary model of two classes: the first's logit is -z.
                coefs[:, trained[j], :, p[0]] = -coefs[:, trained[j], :, p[1]]
        return coefs, n_iter, stop_reason, histories, fit_times, failures, safe

    def _run_columns(self, X, Y, weights, candidates, cand, fold, klass):
        """One descent of the columns ``(cand, fold, klass)``: its result and
        objective.  ``weights``: the fold weights as held (scaled down by
        powers of two, see :func:`weight_scale`) and their scales."""
        fold_weights, scale = weights
        # Two classes: one target column for all, as a view (no copy); more:
        # each column reads its class's, n_samples x n_classes in all.
        two = Y.shape[1] == 1
        # Every column reads its fold's weights: n_samples x n_folds.
        objective = BCEObjective(
            X,
            np.broadcast_to(Y, (len(Y), klass.size)) if two else Y,
            fold_weights,
            [candidates[c]["C"] for c in cand],
            self.l1_ratio,
            self.fit_intercept,
            weight_index=fold,
            scaled_by=scale,
            target_index=None if two else klass,
        )
        rates = [candidates[c]["learning_rate"] for c in cand]
        result = run_solver(
            objective,
            np.zeros((X.shape[1] + self.fit_intercept, len(cand)), dtype=X.dtype),
            solver=self.solver,
            learning_rate="auto" if rates[0] == "auto" else np.array(rates),
            max_iter=self.max_iter,
            tol=self.tol,
            callback=(
                ProgressPrinter(
                    1 if self.verbose >= 2 else 10, columns=True, last=self.max_iter
                )
                if self.verbose
                else None
            ),
        )
        return result, objective

    def _fold_weights(self, y_index, sample_weight, train):
        """Weights of a fold's training rows, as its single fit would use them."""
        present = np.unique(y_index[train])
        if present.size == 0:
            # The error of the fold's single fit, in scikit-learn's words.
            raise ValueError(
                f"Found array with 0 sample(s) (shape=(0, {self.n_features_in_})) "
                "while a minimum of 1 is required by BCELogisticRegression."
            )
        if present.size < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {self.classes_[present[0]]!r}"
            )
        weights = check_some_weight(sample_weight[train])
        return apply_class_weight(
            weights, self.class_weight, self.classes_, y_index[train]
        )

    def _scorer_takes_weights(self, scorers):
        """Whether held-out scores are weighted, as ``GridSearchCV`` decides."""
        if scorers is None:
            scorer = self._base_scorer()
            accept = scorer_accepts_sample_weight(scorer)
            refusing = [] if accept else [f"{scorer}"]
        else:
            # Weighted when any of them takes weights; each refusal is warned.
            refusing = [
                f"{name}={scorer}"
                for name, scorer in scorers.items()
                if not scorer_accepts_sample_weight(scorer)
            ]
            accept = len(refusing) < len(scorers)
        for scorer in refusing:
            warnings.warn(
                f"The scoring {scorer} does not support sample_weight, which may "
                "lead to statistically incorrect results when fitting with "
                "sample_weight.",
                UserWarning,
                stacklevel=external_stacklevel(),
            )
        return accept

    def _score_all(
        self,
        scorer,
        scorers,
        X,
        y,
        score_params,
        splits,
        candidates,
        fits,
        failures,
        part=1,
    ):
        """Scores of every (candidate, fold), the time it took, whether there
        are several metrics, and per metric how many scorings raised.

        On each split's held-out rows (``part=1``) or training rows
        (``part=0``), each (candidate, fold) by its own model (see
        :meth:`_fold_model`; ``fits`` holds the per-(candidate, fold)
        coefficients, iterations, stop reasons and loss histories).
        ``score_params`` are the scorer's metadata for all
        samples; each fold's scorer gets those rows of the ones given per
        sample.  Folds that could not be fitted, and scorers that raise, score
        ``error_score``.  The scores are a dict: metric name to an array of
        shape ``(n_candidates, n_splits)``, ``{"score": ...}`` for one metric.
        """
        results = {}
        times = np.zeros((len(candidates), len(splits)))
        n_samples = len(y)
        for f, split in enumerate(splits):
            if f in failures:
                continue
            rows = split[part]
            X_test, y_test = _safe_indexing(X, rows), _safe_indexing(y, rows)
            kwargs = _rows_of_params(score_params, rows, n_samples)
            for c, params in enumerate(candidates):
                model = self._fold_model(params, *(a[c][f] for a in fits))
                start = time.perf_counter()
                try:
                    value = scorer(model, X_test, y_test, **kwargs)
                except Exception:
                    # A multi-metric scorer reports its scorers' errors; what
                    # it raises is its own (metadata), as GridSearchCV lets
                    # it through.
                    if self.error_score == "raise" or scorers is not None:
                        raise
                    details = traceback.format_exc()
                    self._warn_scoring_failed(details)
                    value = _Raised.of(details)
                else:
                    value = self._checked_score(value, scorer)
                results[c, f] = value
                times[c, f] = time.perf_counter() - start
        names = None if scorers is None else list(scorers)
        scores, raised, multimetric = _gather_scores(
            results, (len(candidates), len(splits)), names, self._error_value
        )
        return scores, times, multimetric, raised

    def _fold_model(self, params, coef, n_iter, stop_reason, history):
        """The model of one (candidate, fold), as its scorer sees it.

        A fitted ``BCELogisticRegression`` with the search's classes: a class
        missing from the fold's training part has probability 0 to rounding
        (coefficients 0, intercept :data:`_ABSENT_LOGIT`, finite so that
        decision values stay finite, and lowered below the row's trained
        logits where they are lower still, so it is never predicted); a
        column mirrored from its partner (two classes left) reports its
        partner's iterations.
        """
        model = self._model_of_the_data(params)
        n_features = coef.shape[0] - self.fit_intercept
        absent = np.isnan(coef).all(axis=0)
        model.coef_ = np.ascontiguousarray(np.where(absent, 0, coef[:n_features]).T)
        intercept = (
            coef[n_features].copy()
            if self.fit_intercept
            else np.zeros(coef.shape[1], dtype=coef.dtype)
        )
        intercept[absent] = _ABSENT_LOGIT[coef.dtype.type]
        model.intercept_ = intercept
        if absent.any():
            # Never predicted, whatever the trained logits of a row.
            model._untrained_classes = absent
        n_iter, stop_reason, mirrored = _with_partner(n_iter, stop_reason, absent)
        model.n_iter_ = n_iter.astype(np.int32)
        model.converged_ = stop_reason == CONVERGED
        model.stop_reason_ = stop_reason
        curve = history[:, : int(n_iter.max())].copy()
        if mirrored.any():
            curve[mirrored] = curve[~mirrored & ~absent][0]
        model.loss_curve_ = curve[0] if len(curve) == 1 else curve
        return model

    def _checked_score(self, value, scorer):
        """A scorer's result: a number, or a dict of them, as GridSearchCV
        checks it; the failures a multi-metric scorer reports score
        ``error_score``."""
        if not isinstance(value, dict):
            return _number(value, scorer)
        checked = {}
        for name, score in value.items():
            if isinstance(score, str):
                # The error text of a multi-metric scorer that did not raise.
                self._warn_scoring_failed(score)
                checked[name] = _Raised.of(score)
            else:
                checked[name] = _number(score, name)
        return checked

    def _warn_scoring_failed(self, details):
        warnings.warn(
            "Scoring failed. The score on this train-test partition for these "
            f"parameters will be set to {self.error_score}. Details: \n{details}",
            UserWarning,
            stacklevel=external_stacklevel(),
        )

    @property
    def _error_value(self):
        return np.nan if self.error_score == "raise" else self.error_score

    def _check_failures(self, failures, n_candidates):
        """Raise or warn about folds whose training part cannot be fitted."""
        if not failures:
            return
        if self.error_score == "raise":
            raise next(iter(failures.values()))
        n_fits = n_candidates * self.n_splits_
        n_failed = n_candidates * len(failures)
        if len(failures) == self.n_splits_:
            raise ValueError(
                f"All the {n_fits} fits failed: no training part of the "
                "cross-validation can be fitted. Below are more details about "
                f"the failures:\n{_failure_details(failures)}"
            )
        warnings.warn(
            f"\n{n_failed} fits failed out of a total of {n_fits}.\n"
            "The score on these train-test partitions for these parameters will "
            f"be set to {self.error_score}.\n"
            "If these failures are not expected, you can try to debug them by "
            "setting error_score='raise'.\n\n"
            f"Below are more details about the failures:\n{_failure_details(failures)}",
            FitFailedWarning,
            stacklevel=external_stacklevel(),
        )

    def _warn_non_finite(self, results, scores, diverged):
        """GridSearchCV's warnings for non-finite scores that are not divergence."""
        for part in ("test", "train"):
            for name in scores:
                means = results.get(f"mean_{part}_{name}")
                if means is not None and not np.isfinite(means[~diverged]).all():
                    warnings.warn(
                        f"One or more of the {part} scores are non-finite: {means}",
                        UserWarning,
                        stacklevel=external_stacklevel(),
                    )

    def _no_score_reason(self, diverged, failures, multimetric, metric, errors, values):
        """Why no candidate has a mean score, for the error ``fit`` raises.

        ``values``: the metric's scores, ``(n_candidates, n_splits)``.
        """
        if diverged.all():
            return (
                "Every candidate diverged in at least one fold; use smaller "
                "learning rates or include 'auto'."
            )
        reasons = []
        if diverged.any():
            reasons.append(
                f"{int(diverged.sum())} of {len(diverged)} candidates diverged"
            )
        if failures:
            reasons.append(
                f"{len(failures)} of {self.n_splits_} training parts could not be "
                f"fitted and score error_score={self.error_score}"
            )
        scorer = metric if multimetric else self.scoring
        fitted = [f for f in range(self.n_splits_) if f not in failures]
        # The scorer is to blame unless the failed training parts explain it.
        blamed = not (failures and np.isfinite(values[~diverged][:, fitted]).all())
        if blamed and errors:
            reasons.append(
                f"the scorer {scorer!r} raised an error for {len(errors)} "
                f"(candidate, fold) pairs, the first: {errors[0]} (the 'Scoring "
                "failed' warnings have the tracebacks; error_score='raise' "
                "raises the first)"
            )
        elif blamed:
            scored = values[~diverged][:, fitted]
            n_bad = int((~np.isfinite(scored)).any(axis=1).sum())
            others = " that did not diverge" if diverged.any() else ""
            reasons.append(
                f"the scorer {scorer!r} gave non-finite scores for {n_bad} of the "
                f"{len(scored)} candidates{others} (a held-out part it cannot "
                "score, such as one holding a single class for ROC AUC)"
            )
        return f"No candidate has a finite mean score: {'; '.join(reasons)}."

    def _base_scorer(self):
        """The scorer of ``scoring`` (``None`` is the estimator's accuracy); a
        multi-metric scorer for several."""
        return check_scoring(
            self, scoring="accuracy" if self.scoring is None else self.scoring
        )

    def _scorer(self):
        """The scorer of ``scoring``, given all the classes when it takes them.

        Returns the scorer and, for a list or dict of metrics, the dict of
        named scorers it combines (else None); a multi-metric scorer returns
        the failures of its scorers instead of raising unless
        ``error_score="raise"``.
        """
        base = self._base_scorer()  # scikit-learn's checks of the scoring
        if isinstance(self.scoring, dict):
            # check_scoring validates each value only as a nested call, which
            # fit's context skips (as GridSearchCV, which validates nested
            # calls, does not).
            for name, value in self.scoring.items():
                if not (value is None or isinstance(value, str) or callable(value)):
                    raise _invalid(
                        "scoring",
                        "must be a dict of scorer names (str), callables or "
                        f"None. Got {value!r} for {name!r} instead.",
                    )
        if not isinstance(self.scoring, list | tuple | dict):
            return scorer_with_classes(base, self.classes_), None
        named = (
            self.scoring.items()
            if isinstance(self.scoring, dict)
            else ((name, name) for name in self.scoring)
        )
        scorers = {
            name: scorer_with_classes(check_scoring(self, scoring=value), self.classes_)
            for name, value in named
        }
        raise_exc = self.error_score == "raise"
        return check_scoring(self, scoring=scorers, raise_exc=raise_exc), scorers

    def score(self, X, y, sample_weight=None, **score_params):
        """Score of the final model on ``X``, ``y`` by the search's ``scoring``.

        As ``GridSearchCV.score`` and ``LogisticRegressionCV.score`` do: the
        default ``scoring="neg_log_loss"`` gives the negated log-loss, not
        the accuracy of ``ClassifierMixin.score``.  The scorer gets the final
        model as a :class:`BCELogisticRegression`, as it gets the fold models
        in :meth:`fit` (and as ``GridSearchCV``'s gets ``best_estimator_``):
        ``best_estimator_``, or with ``refit=False`` the mean fold model with
        the chosen ``C`` and ``learning_rate`` (without the attributes of a
        single fit, such as ``n_iter_``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.

        y : array-like of shape (n_samples,)
            True labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed to the scorer (with metadata routing, when
            the scorer requests them).

        **score_params : dict
            Other metadata the scorer requests; only with
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        score : float
            The score; greater is better.
        """
        self._check_model("score")
        if _routing_enabled():
            if sample_weight is not None:  # (None is no metadata, not a value)
                score_params["sample_weight"] = sample_weight
            routed = process_routing(self, "score", **score_params)
            kwargs = routed.scorer.score
        else:
            _reject_params(score_params, self, "score")
            kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        scorer, scorers = self._scorer()
        metric = self.refit if isinstance(self.refit, str) else None
        if scorers is not None:
            scorer = scorers.get(metric)
        model = self._final_estimator()
        score = None if scorer is None else scorer(model, X, y, **kwargs)
        if isinstance(score, dict):
            score = score.get(metric)
        if score is None:
            raise ValueError(
                "With several metrics in scoring, score uses the one refit "
                f"names, but refit={self.refit!r} names none of them. Call one "
                "of the scorers of scorer_ instead."
            )
        return score

    def __sklearn_is_fitted__(self):
        # A model, or the results of a multi-metric search that chose none.
        return hasattr(self, "coef_") or (
            hasattr(self, "cv_results_") and not hasattr(self, "best_index_")
        )

    def _check_model(self, method):
        """Refuse ``method`` without a model, saying why when ``fit`` left none."""
        check_is_fitted(self)
        if not hasattr(self, "coef_"):
            raise NotFittedError(_no_model(self, method))

    # Without a model to come (several metrics and refit=False), the search
    # has no prediction methods, as GridSearchCV has none: code that asks
    # hasattr(search, "predict_proba") is told the truth.
    decision_function = _needs_model(LinearBCEOutputsMixin.decision_function)
    predict = _needs_model(LinearBCEOutputsMixin.predict)
    predict_proba = _needs_model(LinearBCEOutputsMixin.predict_proba)
    predict_log_proba = _needs_model(LinearBCEOutputsMixin.predict_log_proba)

    def _predict_elsewhere(self, X, method):
        self._check_model(method)
        return super()._predict_elsewhere(X, method)

    def _check_coef_stored(self, method):
        super()._check_coef_stored(method)
        self._check_model(method)

    def _model_of_the_data(self, params):
        """A BCELogisticRegression of ``params`` with the search's classes and
        features (names too), to be given coefficients."""
        model = self._estimator(**params)
        model.classes_ = self.classes_
        model.n_features_in_ = self.n_features_in_
        if hasattr(self, "feature_names_in_"):
            model.feature_names_in_ = self.feature_names_in_
        return model

    def _final_estimator(self):
        """The final model as a :class:`BCELogisticRegression`, as scorers get it.

        ``best_estimator_`` after a refit; with ``refit=False``, the mean fold
        model with the chosen parameters (without the attributes of a single
        fit: ``n_iter_``, ``loss_curve_``, ...).
        """
        if hasattr(self, "best_estimator_"):
            return self.best_estimator_
        model = self._model_of_the_data(self.best_params_)
        model.coef_, model.intercept_ = self.coef_, self.intercept_
        if self._untrained_classes is not None:
            model._untrained_classes = self._untrained_classes
        return model

    def get_metadata_routing(self):
        """Metadata routing of the search: to its splitter and its scorer.

        ``fit`` routes metadata (such as ``groups``) to ``cv``'s ``split`` and
        to the scorer; ``score`` routes to the scorer.  See scikit-learn's
        metadata routing user guide.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        return (
            MetadataRouter(owner=type(self).__name__)
            .add_self_request(self)
            .add(
                # As given: check_cv would use up a generator of splits.
                splitter=self.cv,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
            .add(
                scorer=self._base_scorer(),
                method_mapping=MethodMapping()
                .add(caller="fit", callee="score")
                .add(caller="score", callee="score"),
            )
        )

    def _warn(self, candidates, diverged, stop_reason, safe):
        """Warn of the candidates that diverged or ran out of iterations.

        ``safe``: ``1/L`` of the fixed-step (candidate, fold, class) columns
        stopped by ``max_iter`` (NaN elsewhere).  Steps above it can keep the
        accelerated descent's loss oscillating; plain descent decreases the
        loss with any step below ``2/L``.
        """
        plain = self.solver == "gd"
        limit_name = "2/L" if plain else "1/L"
        if diverged.any():
            names = [
                _describe(candidates[c]) for c in np.flatnonzero(diverged.any(axis=1))
            ]
            warnings.warn(
                f"{len(names)} of {len(candidates)} candidates diverged in at "
                f"least one fold: {_listing(names, 'diverged')}. Their scores "
                "are NaN and they are never chosen. A fixed step of at most "
                "1/L (L the smoothness bound of a fold's loss, larger at "
                "smaller C) cannot diverge: use smaller learning rates, or "
                "'auto'.",
                ConvergenceWarning,
                stacklevel=external_stacklevel(),
            )
        unfinished = (stop_reason == MAX_ITER).any(axis=2)
        # tol=0 asks for exactly max_iter iterations, as in the single fit.
        if unfinished.any() and self.tol > 0:
            names, too_large = [], False
            for c in np.flatnonzero(unfinished.any(axis=1)):
                steps = safe[c][~np.isnan(safe[c])]
                limit = (2 if plain else 1) * steps.min() if steps.size else None
                if limit is not None and candidates[c]["learning_rate"] > limit:
                    too_large = True
                    names.append(
                        _describe(candidates[c], f" > {limit_name} = {limit:.3g}")
                    )
                else:
                    names.append(_describe(candidates[c]))
            advice = (
                "increase max_iter or scale the features if they are not standardised"
            )
            if too_large:
                advice = (
                    f"a fixed step above {limit_name} (L the smoothness bound of "
                    "a fold's loss at that C) can make the loss oscillate "
                    "without diverging: use smaller learning rates or 'auto'; "
                    f"otherwise {advice}"
                )
            if any(
                candidates[c]["C"] == np.inf
                for c in np.flatnonzero(unfinished.any(axis=1))
            ):
                # Their refit says so when its model separates the classes.
                advice += (
                    "; but a candidate of C=inf has no penalty: where a plane "
                    "separates a training part's classes it has no minimum to "
                    "converge to, and more iterations only make its "
                    "coefficients larger (give a finite C)"
                )
            rows = unfinished[unfinished.any(axis=1)]
            n_fits, several = int(rows.sum()), len(rows) != 1
            warnings.warn(
                f"{len(rows)} candidate{'s' * several} did not converge in "
                f"max_iter={self.max_iter} iterations ({n_fits} of "
                f"{'their' if several else 'its'} {rows.size} fold fits): "
                f"{_listing(names, 'converged')}; {advice}. Their scores are "
                "those of unfinished models: where a step makes the loss "
                "oscillate they depend on floating-point rounding and can "
                "differ from fits made one at a time (cv_results_['converged'] "
                "is False).",
                ConvergenceWarning,
                stacklevel=external_stacklevel(),
            )

    def _set_final_model(self, X, labels, sample_weight, start, untrained):
        """The refit from ``start``, or with ``refit=False`` ``start`` itself.

        ``untrained``: the class columns no training part had; the mean fold
        model gives them probability 0, as each fold model does (the refit
        starts them from zeros).
        """
        n_features = X.shape[1]
        self._untrained_classes = None
        if not self.refit:
            self.coef_ = np.ascontiguousarray(start[:n_features].T)
            self.intercept_ = (
                start[n_features].copy()
                if self.fit_intercept
                else np.zeros(start.shape[1], dtype=start.dtype)
            )
            self.intercept_[untrained] = _ABSENT_LOGIT[start.dtype.type]
            if untrained.any():
                self._untrained_classes = untrained
            return
        model = self._estimator(
            C=self.C_, learning_rate=self.learning_rate_, warm_start=True
        )
        model.coef_ = np.ascontiguousarray(start[:n_features].T)
        model.intercept_ = start[n_features].copy() if self.fit_intercept else 0.0
        start_time = time.perf_counter()
        with l1_ratio_said():  # the search has, of all its candidates of C=inf
            model.fit(X, labels, sample_weight=sample_weight)
        self.refit_time_ = time.perf_counter() - start_time
        for name in ("coef_", "intercept_", *_REFIT_MODEL):
            # Copies: best_estimator_ keeps its own.
            setattr(self, name, copy.copy(getattr(model, name)))
        # As GridSearchCV's, the chosen parameters as given (an int C stays
        # one; its fit of them started from the fold solutions: see
        # best_estimator_ in the class doc).
        model.set_params(warm_start=False, **self.best_params_)
        if hasattr(self, "feature_names_in_"):
            model.feature_names_in_ = self.feature_names_in_
        self.best_estimator_ = model


def _results(
    candidates,
    scores,
    fit_times,
    score_times,
    n_iter,
    diverged,
    converged,
    curves,
    train_scores=None,
):
    """``cv_results_``: GridSearchCV's keys, then the descent's."""
    n_cand, n_folds = n_iter.shape[:2]
    results = {
        "mean_fit_time": fit_times,
        # One shared run: every fold of a candidate gets the same share.
        "std_fit_time": np.zeros(n_cand),
        "mean_score_time": score_times.mean(axis=1),
        "std_score_time": score_times.std(axis=1),
    }
    for name in ("C", "learning_rate"):
        results[f"param_{name}"] = _param_column([c[name] for c in candidates])
    results["params"] = candidates
    for name, values in scores.items():
        _store_scores(results, f"test_{name}", values)
        if train_scores is not None:
            _store_scores(results, f"train_{name}", train_scores[name], rank=False)
    longest = n_iter.max(axis=2)
    for f in range(n_folds):
        results[f"split{f}_n_iter"] = longest[:, f]
    results["mean_n_iter"] = longest.mean(axis=1)
    results["diverged"] = diverged.any(axis=1)
    results["converged"] = converged
    loss_curve = np.empty(n_cand, dtype=object)
    loss_curve[:] = curves
    results["loss_curve"] = loss_curve
    return results


def _store_scores(results, key, values, rank=True):
    """``split{k}_<key>``, ``mean_<key>``, ``std_<key>`` (and ``rank_<key>``)
    of scores of shape ``(n_candidates, n_splits)``, as GridSearchCV stores them."""
    for f in range(values.shape[1]):
        results[f"split{f}_{key}"] = values[:, f]
    means = results[f"mean_{key}"] = values.mean(axis=1)
    results[f"std_{key}"] = values.std(axis=1)
    if not rank:
        return
    if np.isnan(means).all():
        ranks = np.ones(len(means), dtype=np.int32)
    else:
        # NaN ranks last.
        filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
        ranks = rankdata(-filled, method="min").astype(np.int32)
    results[f"rank_{key}"] = ranks


def _gather_scores(results, shape, names, error_score):
    """Per metric, the ``(n_candidates, n_splits)`` scores of ``results``.

    ``results`` maps ``(candidate, fold)`` to a score, a dict of named scores,
    or ``_Raised`` for a scorer (or, in a dict, a metric) that raised; pairs
    missing from it (folds that could not be fitted) and the scorings that
    raised score ``error_score``.  ``names`` are the metrics of a multi-metric
    ``scoring``; None takes them from the scores.  Returns the dict of scores
    (``{"score": ...}`` for one metric), the errors of the scorings that
    raised per metric, and whether the scores are multi-metric.
    """
    dicts = [value for value in results.values() if isinstance(value, dict)]
    scored = [value for value in results.values() if not isinstance(value, _Raised)]
    if dicts and len(dicts) < len(scored):
        raise ValueError(
            "The scoring returned a dict of scores for some candidates and folds "
            "and a single score for others."
        )
    multimetric = names is not None or bool(dicts)
    if names is None:
        names = list(dicts[0]) if dicts else ["score"]
    for value in dicts:
        if sorted(value) != sorted(names):
            raise ValueError(
                f"The scoring returned the metrics {sorted(value)} for one "
                f"candidate and fold and {sorted(names)} for another."
            )
    scores = {name: np.full(shape, float(error_score)) for name in names}
    raised = {name: [] for name in names}
    for (c, f), value in results.items():
        for name in names:
            score = value[name] if isinstance(value, dict) else value
            if isinstance(score, _Raised):
                raised[name].append(score)
            else:
                scores[name][c, f] = score
    return scores, raised, multimetric


def _number(score, scorer):
    """``score`` as a Python number, or GridSearchCV's error."""
    if hasattr(score, "item"):
        with suppress(ValueError):
            # A NumPy scalar or one-element array.
            score = score.item()
    if not isinstance(score, Number):
        raise ValueError(
            f"scoring must return a number, got {score} ({type(score)}) instead. "
            f"(scorer={scorer})"
        )
    return score


def _param_column(values):
    """A ``param_*`` column as GridSearchCV stores it: a masked array, object
    dtype only for strings or mixed types (such as ``"auto"`` among floats)."""
    inferred = np.array(values)
    dtype = inferred.dtype if inferred.dtype.kind in "biuf" else object
    column = np.ma.MaskedArray(np.empty(len(values), dtype=dtype), mask=False)
    column[:] = values
    return column


def _failure_details(failures):
    """Failed folds grouped by error message, as GridSearchCV reports them."""
    by_message = {}
    for f, exc in failures.items():
        by_message.setdefault(f"{type(exc).__name__}: {exc}", []).append(f)
    return "\n".join(
        f"fold(s) {', '.join(map(str, folds))}: {message}"
        for message, folds in by_message.items()
    )


def _as_indices(part, n_samples):
    """A split's train or test part as row indices, as ``_safe_indexing`` reads it.

    Boolean masks become the indices of their true entries and negative
    indices count from the end; an index out of range or a mask of the wrong
    length raises ``IndexError``, and indices that are neither integers nor
    booleans (floats) ``ValueError``, as in ``GridSearchCV``.
    """
    part = np.asarray(part)
    if part.size == 0:
        return np.empty(0, dtype=np.intp)
    return _safe_indexing(np.arange(n_samples), part)


def _routing_enabled():
    return bool(get_config().get("enable_metadata_routing", False))


def _reject_params(params, owner, method, allow=()):
    """Refuse metadata other than ``allow`` while metadata routing is off."""
    extra = set(params) - set(allow)
    if extra:
        raise ValueError(
            f"Passing extra keyword arguments to {type(owner).__name__}.{method} "
            "is only supported if enable_metadata_routing=True, which you can "
            "set using `sklearn.set_config`. See the User Guide "
            "<https://scikit-learn.org/stable/metadata_routing.html> for more "
            f"details. Extra parameters passed are: {extra}"
        )


def _rows_of_params(params, rows, n_samples):
    """``params`` with the entries given per sample restricted to ``rows``."""
    return {
        name: (
            _safe_indexing(value, rows)
            if not isinstance(value, str)
            and hasattr(value, "__len__")
            and len(value) == n_samples
            else value
        )
        for name, value in params.items()
        if value is not None
    }


def _describe(params, note=""):
    rate = plain_value(params["learning_rate"])
    return f"(C={params['C']:g}, learning_rate={rate!r}{note})"


def _listing(names, key, limit=10):
    """``names`` joined, the first ``limit`` only; the rest are counted."""
    if len(names) <= limit:
        return "; ".join(names)
    return (
        f"{'; '.join(names[:limit])}; and {len(names) - limit} more "
        f"(cv_results_[{key!r}])"
    )


def _mean_over_folds(coefs):
    """Mean of ``(n_folds, n_coef, n_columns)`` coefficients over the folds
    that trained each column (NaN where one did not); 0 where none did."""
    trained = ~np.isnan(coefs)
    count = trained.sum(axis=0)
    total = np.where(trained, coefs, 0).sum(axis=0)
    return (total / np.maximum(count, 1)).astype(coefs.dtype, copy=False)


def _average_over_classes(history, n_iter, ran):
    """Per fold, the objective per iteration averaged over one-vs-rest columns.

    ``history`` has shape ``(n_folds, n_columns, n_iterations)`` with NaN after
    a column stopped; only the columns ``ran`` (a fold's trained columns)
    count, a stopped one with its final value until the fold's last column
    stops.
    """
    n_folds = history.shape[0]
    curves = np.full((n_folds, max(int(n_iter.max()), 0)), np.nan)
    for f in range(n_folds):
        last = int(n_iter[f].max())
        if last == 0:
            continue
        columns = np.flatnonzero(ran[f])
        filled = np.empty((columns.size, last))
        for row, k in enumerate(columns):
            done = int(n_iter[f, k])
            filled[row, :done] = history[f, k, :done]
            filled[row, done:] = history[f, k, done - 1] if done else np.nan
        curves[f, :last] = filled.mean(axis=0)
    return curves
