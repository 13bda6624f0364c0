"""BCELogisticRegressionCV: a cross-validated search trained as one K-column run.

Every (candidate, fold, one-vs-rest class) triple is one column of a single
gradient-descent run over ``X``: the fold is a 0/1 factor of the column's sample
weights and the candidate gives the column's ``C`` and step.  One iteration
reads ``X`` for all columns at once (``X @ W`` with K columns) instead of once
per (candidate, fold) fit; each column still does its own share of the
products and of the elementwise work on every row, so a column-iteration
costs a fraction of a fit's iteration, not nothing (``benchmarks/README.md``,
"What one column costs").  Candidates with ``learning_rate="auto"`` and
those with a fixed step need different step rules, so a grid that mixes them
runs as two such passes.
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.stats import rankdata
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted

from ._logistic import (
    BCELogisticRegression,
    LinearBCEOutputsMixin,
    apply_class_weight,
    one_vs_rest_targets,
    run_solver,
    validate_training_data,
)
from ._loss import BCEObjective
from ._monitor import ProgressPrinter
from ._solver import CONVERGED, DIVERGED, MAX_ITER
from ._validation import (
    Interval,
    StrOptions,
    _fit_context,
    scorer_accepts_sample_weight,
    scorer_with_classes,
)


def _check_learning_rates(values):
    values = list(values)
    if not values:
        raise ValueError("learning_rates must contain at least one learning rate.")
    for value in values:
        ok = (
            value == "auto"
            if isinstance(value, str)
            else (isinstance(value, Real) and np.isfinite(value) and value > 0)
        )
        if not ok:
            raise ValueError(
                f"learning_rates must contain 'auto' or floats > 0, got {value!r}."
            )
    return values


def _check_Cs(values):
    if isinstance(values, Integral):
        # LogisticRegressionCV's grid: Cs values from 1e-4 to 1e4, log-spaced.
        return np.logspace(-4, 4, values).tolist()
    values = list(values)
    if not values:
        raise ValueError("Cs must contain at least one value of C.")
    for value in values:
        if not (isinstance(value, Real) and value > 0) or np.isnan(value):
            raise ValueError(f"Cs must contain floats in (0, inf], got {value!r}.")
    return values


class BCELogisticRegressionCV(ClassifierMixin, LinearBCEOutputsMixin, BaseEstimator):
    """Cross-validated search over learning rate and ``C``, all trained at once.

    For every candidate ``(C, learning_rate)`` and every cross-validation fold
    the model :class:`BCELogisticRegression` would fit is one column of a
    single vectorised gradient-descent run: the fold enters as a 0/1 sample
    weight, the candidate as the column's penalty and step.  Each fold's
    held-out part is then scored, the candidate with the best mean score is
    chosen, and (with ``refit=True``) refitted on all the data, warm-started
    from its fold solutions.  The scores equal those of
    ``GridSearchCV(BCELogisticRegression(), {"learning_rate": ..., "C": ...})``
    with the same splits, in the same candidate order, for every candidate
    whose fits converge.  A fit stopped by ``max_iter`` is an unfinished model:
    when its step makes the loss oscillate, its coefficients depend on
    floating-point rounding (a single ``BCELogisticRegression`` fit changes
    with the memory order of ``X``), so its score can differ from
    ``GridSearchCV``'s; such candidates are warned about and marked in
    ``cv_results_["converged"]``.

    Parameters
    ----------
    learning_rates : list of {"auto", float}, default=("auto", 0.01, 0.1, 1.0)
        Candidate learning rates (see ``BCELogisticRegression``).

    Cs : int or list of float, default=(1.0,)
        Candidate values of ``C``, in ``(0, inf]``.  An int ``n`` is
        ``LogisticRegressionCV``'s grid: ``n`` values from ``1e-4`` to ``1e4``
        on a log scale.

    cv : int, cross-validation generator or iterable, default=None
        As ``GridSearchCV`` takes it: ``None`` is 5-fold, an int the number of
        folds, stratified for classifiers.  Splitters that need groups (such
        as ``GroupKFold``) get them from ``fit(X, y, groups=groups)``.

    scoring : str or callable, default="neg_log_loss"
        A scikit-learn scorer name or a callable ``scorer(estimator, X, y)``;
        greater is better.  Used to choose the candidate and by :meth:`score`.
        Scorers of probabilities or decision values whose metric takes
        ``labels`` (``neg_log_loss``, ``neg_brier_score``, ...) are given all
        the classes, as in ``LogisticRegressionCV``, so a held-out part that
        lacks a class is still scored.

    refit : bool, default=True
        Refit the best candidate on all the data.  With ``False`` the model is
        the mean of the best candidate's fold models, as in
        ``LogisticRegressionCV``.

    solver, max_iter, tol, l1_ratio, fit_intercept, class_weight, random_state, \
verbose
        As in :class:`BCELogisticRegression`, for every candidate.  With
        ``verbose >= 1`` the search also prints its size and, every 10
        iterations (every one with ``verbose >= 2``), how many columns are
        still running and their largest objective and gradient entry.

    Attributes
    ----------
    learning_rate_ : "auto" or float
        Learning rate of the best candidate.

    C_ : float
        ``C`` of the best candidate.

    best_score_ : float
        Mean cross-validated score of the best candidate.

    best_index_ : int
        Index of the best candidate in ``cv_results_``.

    best_params_ : dict
        ``{"C": C_, "learning_rate": learning_rate_}``, as in ``GridSearchCV``.

    cv_results_ : dict of ndarrays
        Per candidate, with ``GridSearchCV``'s keys: ``params``,
        ``param_C``, ``param_learning_rate``, ``split{k}_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``mean_fit_time``, ``std_fit_time``, ``mean_score_time``,
        ``std_score_time``; and the descent: ``split{k}_n_iter`` (iterations,
        the largest over one-vs-rest classes), ``mean_n_iter``, ``diverged``
        (whether any fold diverged), ``converged`` (whether every fold and
        class converged) and ``loss_curve`` (per candidate an array
        of shape ``(n_splits, n_iterations)``, the objective after each
        iteration averaged over one-vs-rest classes, NaN once a fold stopped).
        A fit time is the shared run's time divided among its candidates and
        folds.  Diverged candidates score NaN, rank last and are never chosen.

    n_splits_ : int
        Number of cross-validation folds.

    classes_, coef_, intercept_, n_iter_, loss_curve_, converged_, \
stop_reason_, n_features_in_, feature_names_in_
        The final model, as in :class:`BCELogisticRegression` (``n_iter_``,
        ``loss_curve_``, ``converged_`` and ``stop_reason_`` only with
        ``refit=True``).

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

    _parameter_constraints: dict = {
        "learning_rates": ["array-like"],
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable],
        "refit": ["boolean"],
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
        learning_rates=("auto", 0.01, 0.1, 1.0),
        Cs=(1.0,),
        cv=None,
        scoring="neg_log_loss",
        refit=True,
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
        learning_rates = _check_learning_rates(self.learning_rates)
        Cs = _check_Cs(self.Cs)
        routing = _routing_enabled()
        if routing:
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
            split_params, score_params = routed.splitter.split, routed.scorer.score
        else:
            _reject_params(params, self, "fit", allow={"groups"})
            split_params, score_params = {"groups": params.get("groups")}, {}
        weighted = sample_weight is not None
        X, y_index, sample_weight = validate_training_data(self, X, y, sample_weight)
        labels = self.classes_[y_index]
        cv = check_cv(self.cv, labels, classifier=True)
        splits = list(cv.split(X, labels, **split_params))
        self.n_splits_ = len(splits)
        candidates = list(ParameterGrid({"C": Cs, "learning_rate": learning_rates}))
        if self.verbose:
            print(
                f"Fitting {self.n_splits_} folds for each of {len(candidates)} "
                f"candidates, totalling {self.n_splits_ * len(candidates)} fits, "
                "as the columns of one run per kind of step"
            )

        coefs, n_iter, stop_reason, curves, fit_times = self._train_all(
            X, y_index, sample_weight, splits, candidates
        )
        if not routing and weighted and self._scorer_takes_weights():
            score_params = {"sample_weight": sample_weight}
        scores, score_times = self._score_all(
            X, labels, score_params, splits, candidates, coefs
        )
        diverged = (stop_reason == DIVERGED).any(axis=2)
        scores[diverged] = np.nan
        self._warn(candidates, diverged, stop_reason)
        converged = (stop_reason == CONVERGED).all(axis=(1, 2))
        self._store_results(
            candidates,
            scores,
            fit_times,
            score_times,
            n_iter,
            diverged,
            converged,
            curves,
        )
        if np.isnan(self.cv_results_["mean_test_score"]).all():
            raise ValueError(
                "Every candidate diverged or scored NaN; use smaller learning "
                "rates or include 'auto'."
            )
        self.best_index_ = int(np.nanargmax(self.cv_results_["mean_test_score"]))
        best = self.best_params_ = dict(candidates[self.best_index_])
        self.C_, self.learning_rate_ = best["C"], best["learning_rate"]
        self.best_score_ = float(self.cv_results_["mean_test_score"][self.best_index_])
        start = coefs[self.best_index_].mean(axis=0)  # (n_coef, n_columns)
        self._set_final_model(X, labels, sample_weight, start)
        return self

    # -- the shared run -------------------------------------------------------------
    def _train_all(self, X, y_index, sample_weight, splits, candidates):
        """One K-column run per step rule; per (candidate, fold) results."""
        n_classes = len(self.classes_)
        Y = one_vs_rest_targets(y_index, n_classes, X.dtype)
        n_columns = Y.shape[1]
        fold_weights = np.zeros((X.shape[0], len(splits)), dtype=X.dtype)
        for f, (train, _) in enumerate(splits):
            fold_weights[train, f] = apply_class_weight(
                sample_weight[train], self.class_weight, self.classes_, y_index[train]
            )
        n_cand, n_folds = len(candidates), len(splits)
        n_coef = X.shape[1] + self.fit_intercept
        coefs = np.zeros((n_cand, n_folds, n_coef, n_columns), dtype=X.dtype)
        n_iter = np.zeros((n_cand, n_folds, n_columns), dtype=int)
        stop_reason = np.full((n_cand, n_folds, n_columns), MAX_ITER, dtype=object)
        curves = [None] * n_cand
        fit_times = np.zeros(n_cand)
        is_auto = np.array([c["learning_rate"] == "auto" for c in candidates])
        for group in (np.flatnonzero(is_auto), np.flatnonzero(~is_auto)):
            if group.size == 0:
                continue
            # Columns ordered (candidate, fold, class).
            cand = np.repeat(group, n_folds * n_columns)
            fold = np.tile(np.repeat(np.arange(n_folds), n_columns), group.size)
            klass = np.tile(np.arange(n_columns), group.size * n_folds)
            # Two classes: one target column for all, as a view (no copy).
            targets = (
                np.broadcast_to(Y, (len(Y), klass.size))
                if n_columns == 1
                else Y[:, klass]
            )
            # Every column reads its fold's weights: n_samples x n_folds.
            objective = BCEObjective(
                X,
                targets,
                fold_weights,
                [candidates[c]["C"] for c in cand],
                self.l1_ratio,
                self.fit_intercept,
                weight_index=fold,
            )
            step = (
                "auto"
                if is_auto[group[0]]
                else np.array([candidates[c]["learning_rate"] for c in cand])
            )
            if self.verbose:
                print(
                    f"{'auto' if is_auto[group[0]] else 'fixed'} steps: "
                    f"{group.size} candidate(s) x {n_folds} folds x {n_columns} "
                    f"class column(s) = {len(cand)} columns"
                )
            start = time.perf_counter()
            result = run_solver(
                objective,
                np.zeros((n_coef, len(cand)), dtype=X.dtype),
                solver=self.solver,
                learning_rate=step,
                max_iter=self.max_iter,
                tol=self.tol,
                callback=(
                    ProgressPrinter(1 if self.verbose >= 2 else 10, columns=True)
                    if self.verbose
                    else None
                ),
            )
            fit_times[group] = (time.perf_counter() - start) / (group.size * n_folds)
            shape = (group.size, n_folds, n_columns)
            coefs[group] = np.moveaxis(result.coef.reshape(n_coef, *shape), 0, 2)
            n_iter[group] = result.n_iter.reshape(shape)
            stop_reason[group] = result.stop_reason.reshape(shape)
            history = result.history.T.reshape(*shape, result.history.shape[0])
            for i, c in enumerate(group):
                curves[c] = _average_over_classes(history[i], n_iter[c])
        return coefs, n_iter, stop_reason, curves, fit_times

    def _scorer_takes_weights(self):
        """Whether held-out scores are weighted, as ``GridSearchCV`` decides."""
        scorer = check_scoring(self, scoring=self.scoring)
        accept = scorer_accepts_sample_weight(scorer)
        if not accept:
            warnings.warn(
                f"The scoring {scorer} does not support sample_weight, which may "
                "lead to statistically incorrect results when fitting with "
                "sample_weight.",
                UserWarning,
                stacklevel=3,
            )
        return accept

    def _score_all(self, X, labels, score_params, splits, candidates, coefs):
        """Held-out score of every (candidate, fold) and the time it took.

        ``score_params`` are the scorer's metadata for all samples; each fold's
        scorer gets the held-out rows of those given per sample.
        """
        scorer = self._scorer()
        scores = np.full((len(candidates), len(splits)), np.nan)
        times = np.zeros((len(candidates), len(splits)))
        model = self._estimator()
        model.classes_ = self.classes_
        model.n_features_in_ = self.n_features_in_
        if hasattr(self, "feature_names_in_"):
            model.feature_names_in_ = self.feature_names_in_
        n_features = X.shape[1]
        for f, (_, test) in enumerate(splits):
            X_test, y_test = _safe_indexing(X, test), labels[test]
            kwargs = _rows_of_params(score_params, test, len(labels))
            for c, params in enumerate(candidates):
                model.set_params(**params)
                model.coef_ = np.ascontiguousarray(coefs[c, f, :n_features].T)
                model.intercept_ = (
                    coefs[c, f, n_features].copy()
                    if self.fit_intercept
                    else np.zeros(coefs.shape[-1], dtype=coefs.dtype)
                )
                start = time.perf_counter()
                scores[c, f] = scorer(model, X_test, y_test, **kwargs)
                times[c, f] = time.perf_counter() - start
        return scores, times

    def _scorer(self):
        """The scorer of ``scoring``, given all the classes when it takes them."""
        return scorer_with_classes(
            check_scoring(self, scoring=self.scoring), self.classes_
        )

    def score(self, X, y, sample_weight=None, **score_params):
        """Score of the final model on ``X``, ``y`` by the search's ``scoring``.

        As ``GridSearchCV.score`` and ``LogisticRegressionCV.score`` do: the
        default ``scoring="neg_log_loss"`` gives the negated log-loss, not
        the accuracy of ``ClassifierMixin.score``.

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
        check_is_fitted(self)
        if _routing_enabled():
            routed = process_routing(
                self, "score", sample_weight=sample_weight, **score_params
            )
            kwargs = routed.scorer.score
        else:
            _reject_params(score_params, self, "score")
            kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self._scorer()(self, X, y, **kwargs)

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
                scorer=check_scoring(self, scoring=self.scoring),
                method_mapping=MethodMapping()
                .add(caller="fit", callee="score")
                .add(caller="score", callee="score"),
            )
        )

    def _warn(self, candidates, diverged, stop_reason):
        if diverged.any():
            names = [
                _describe(candidates[c]) for c in np.flatnonzero(diverged.any(axis=1))
            ]
            warnings.warn(
                f"{len(names)} of {len(candidates)} candidates diverged in at "
                f"least one fold: {', '.join(names)}. Their scores are NaN and "
                "they are never chosen.",
                ConvergenceWarning,
                stacklevel=3,
            )
        unfinished = (stop_reason == MAX_ITER).any(axis=2)
        if unfinished.any():
            names = [
                _describe(candidates[c]) for c in np.flatnonzero(unfinished.any(axis=1))
            ]
            warnings.warn(
                f"{int(unfinished.sum())} candidate fits did not converge in "
                f"max_iter={self.max_iter} iterations ({', '.join(names)}); "
                "scale the data or increase max_iter. Their scores are those "
                "of unfinished models: where a step makes the loss oscillate "
                "they depend on floating-point rounding and can differ from "
                "fits made one at a time (cv_results_['converged'] is False).",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _store_results(
        self,
        candidates,
        scores,
        fit_times,
        score_times,
        n_iter,
        diverged,
        converged,
        curves,
    ):
        n_cand, n_folds = scores.shape
        results = {"params": candidates}
        for name in ("C", "learning_rate"):
            column = np.ma.MaskedArray(np.empty(n_cand, dtype=object), mask=False)
            column[:] = [c[name] for c in candidates]
            results[f"param_{name}"] = column
        for f in range(n_folds):
            results[f"split{f}_test_score"] = scores[:, f]
        means = scores.mean(axis=1)
        results["mean_test_score"] = means
        results["std_test_score"] = scores.std(axis=1)
        if np.isnan(means).all():
            ranks = np.ones(n_cand, dtype=np.int32)
        else:
            filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
            ranks = rankdata(-filled, method="min").astype(np.int32)
        results["rank_test_score"] = ranks
        results["mean_fit_time"] = fit_times
        results["std_fit_time"] = np.zeros(n_cand)
        results["mean_score_time"] = score_times.mean(axis=1)
        results["std_score_time"] = score_times.std(axis=1)
        longest = n_iter.max(axis=2)
        for f in range(n_folds):
            results[f"split{f}_n_iter"] = longest[:, f]
        results["mean_n_iter"] = longest.mean(axis=1)
        results["diverged"] = diverged.any(axis=1)
        results["converged"] = converged
        loss_curve = np.empty(n_cand, dtype=object)
        loss_curve[:] = curves
        results["loss_curve"] = loss_curve
        self.cv_results_ = results

    def _set_final_model(self, X, labels, sample_weight, start):
        n_features = X.shape[1]
        if not self.refit:
            self.coef_ = np.ascontiguousarray(start[:n_features].T)
            self.intercept_ = (
                start[n_features].copy()
                if self.fit_intercept
                else np.zeros(start.shape[1], dtype=start.dtype)
            )
            return
        model = self._estimator(
            C=self.C_, learning_rate=self.learning_rate_, warm_start=True
        )
        model.coef_ = np.ascontiguousarray(start[:n_features].T)
        model.intercept_ = start[n_features].copy() if self.fit_intercept else 0.0
        model.fit(X, labels, sample_weight=sample_weight)
        for name in (
            "coef_",
            "intercept_",
            "n_iter_",
            "loss_curve_",
            "converged_",
            "stop_reason_",
        ):
            setattr(self, name, getattr(model, name))


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


def _describe(params):
    return f"C={params['C']:g}, learning_rate={params['learning_rate']!r}"


def _average_over_classes(history, n_iter):
    """Per fold, the objective per iteration averaged over one-vs-rest columns.

    ``history`` has shape ``(n_folds, n_columns, n_iterations)`` with NaN after
    a column stopped; a stopped column counts with its final value until the
    fold's last column stops.
    """
    n_folds, n_columns, _ = history.shape
    curves = np.full((n_folds, max(int(n_iter.max()), 0)), np.nan)
    for f in range(n_folds):
        last = int(n_iter[f].max())
        if last == 0:
            continue
        filled = np.empty((n_columns, last))
        for k in range(n_columns):
            done = int(n_iter[f, k])
            filled[k, :done] = history[f, k, :done]
            filled[k, done:] = history[f, k, done - 1] if done else np.nan
        curves[f, :last] = filled.mean(axis=0)
    return curves
