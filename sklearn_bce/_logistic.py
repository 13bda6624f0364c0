"""BCELogisticRegression: validate, build the K-column problem, descend, report."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted

from ._array_api import (
    array_api_namespace,
    check_numpy_only,
    fit_array_api,
    predict_array_api,
    to_numpy,
)
from ._dask import fit_dask, is_dask_array, predict_dask
from ._inference import coef_table
from ._loss import (
    BCEObjective,
    class_log_probabilities,
    class_probabilities,
    lower_untrained,
)
from ._monitor import CallbackBridge, EarlyStopping, ProgressPrinter, combine
from ._solver import (
    DIVERGED,
    MAX_ITER,
    STOPPED,
    DiagonalMetric,
    ScalarMetric,
    accelerated_gradient_descent,
    auto_metric,
    full_metric_later,
    gradient_descent,
    lipschitz_metric,
    rose_above_start,
    safe_step,
)
from ._stochastic import auto_step_cap, minibatch_descent
from ._validation import (
    ARRAY_API_HELPERS,
    CallbackSupportMixin,
    Interval,
    StrOptions,
    _fit_context,
    _safe_indexing,
    check_class_weights,
    check_finite_products,
    check_same_namespace,
    check_sample_weight,
    check_weight_sum,
    class_weight_overflow,
    class_weights,
    dense_coef,
    external_stacklevel,
    has_callbacks,
    init_callback_context,
    plain_value,
    previous_fit_on_error,
    refuse_nonfinite_start,
    validate_data,
    warm_start_coef,
    warn_unused_l1_ratio,
)

EARLY_STOPPED = "early stopped"

# The parameters that make a fitted model what it is (its objective, how its
# fit stopped), kept as its fit used them: coef_table reads these, which
# set_params may have changed since.
_FIT_PARAMS = (
    "C",
    "l1_ratio",
    "class_weight",
    "fit_intercept",
    "max_iter",
    "tol",
    "early_stopping",
)

_SOLVERS = {"gd": gradient_descent, "nesterov": accelerated_gradient_descent}

# Classes a warning names; it counts the others (as the search's warnings do).
_NAMED_CLASSES = 10


def validate_training_data(estimator, X, y, sample_weight):
    """Validate ``fit``'s arguments; set ``classes_`` on ``estimator``.

    Returns ``X`` (float32 or float64, dense or CSR/CSC), ``y`` as indices into
    ``classes_`` and the validated sample weights.  With array API dispatch,
    ``y`` and ``sample_weight`` of another namespace come to numpy first.
    """
    y, sample_weight = to_numpy(y), to_numpy(sample_weight)
    X, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse=["csr", "csc"],
        dtype=[np.float64, np.float32],
    )
    check_classification_targets(y)
    check_finite_products(X)
    encoder = LabelEncoder().fit(y)
    estimator.classes_ = encoder.classes_
    if len(encoder.classes_) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, "
            f"but the data contains only one class: {encoder.classes_[0]!r}"
        )
    return X, encoder.transform(y), check_sample_weight(sample_weight, X)


def apply_class_weight(sample_weight, class_weight, classes, y_index, declared=False):
    """Multiply sample weights by the weights of the samples' classes.

    The weights are those of the classes present in ``y_index``, as a fit on
    these samples alone computes them (a search's training part may lack a
    class); with ``declared`` (``partial_fit``, whose ``classes`` are declared
    on the first call and a batch may lack some), a dict's are those of all
    of ``classes``, as in ``SGDClassifier.partial_fit``.
    """
    if class_weight is None:
        return check_weight_sum(sample_weight)
    present = slice(None) if declared else np.unique(y_index)
    weights = np.ones(len(classes))
    weights[present] = class_weights(
        class_weight, classes[present], classes[y_index], sample_weight
    )
    described = check_class_weights(weights, classes)
    with np.errstate(over="ignore"):
        weighted = sample_weight * weights[y_index].astype(sample_weight.dtype)
    if not np.all(np.isfinite(weighted)):
        # Finite class weights whose products with the sample weights do not
        # fit the dtype of X (float32, or huge sample weights).
        raise class_weight_overflow(sample_weight.dtype, described)
    if not np.any(weighted > 0):
        raise ValueError(
            "class_weight and sample_weight leave no sample with a positive weight."
        )
    return check_weight_sum(weighted, "sample weights times their class weights")


def one_vs_rest_targets(y_index, n_classes, dtype):
    """Targets in {0, 1}: one column for two classes, one per class otherwise."""
    if n_classes == 2:
        return (y_index == 1).astype(dtype)[:, None]
    Y = np.zeros((len(y_index), n_classes), dtype=dtype)
    Y[np.arange(len(y_index)), y_index] = 1
    return Y


def run_solver(objective, coef, *, solver, learning_rate, max_iter, tol, callback=None):
    """Descend from ``coef`` with the step that ``learning_rate`` asks for.

    ``learning_rate`` is ``"auto"`` or the fixed step of every column (a float
    or an array of shape ``(K,)``).
    """
    options = {"max_iter": max_iter, "tol": tol, "callback": callback}
    if isinstance(learning_rate, str):
        if solver == "gd":
            metric = lipschitz_metric(objective)
        else:
            metric = auto_metric(objective)
            options["line_search"] = True
            if isinstance(metric, DiagonalMetric):
                options["metric_switch"] = full_metric_later(objective)
    else:
        step = np.broadcast_to(learning_rate, (objective.n_problems,))
        metric = ScalarMetric(np.array(step, dtype=np.float64))
        options["check_divergence"] = True
    return _SOLVERS[solver](objective, coef, metric=metric, **options)


def _swinging(history):
    """Whether a column of ``history`` (epochs x columns) ended above its lowest.

    By more than rounding (:func:`~sklearn_bce._solver.rose_above_start`,
    float64): the mark of a fixed step that keeps the objective swinging.
    """
    if history.size == 0:
        return False
    return bool(
        np.any(rose_above_start(history[-1], np.nanmin(history, axis=0), np.float64))
    )


#: Early stopping: how far above the lowest objective of the fit (relative to
#: ``max(|J|, 1)``) its last iterate must be to count as swinging.  Momentum
#: leaves ripples of up to about 6e-6 on fits that settle (standardised iris,
#: wine, breast-cancer and make_classification data, steps 0.1 to 10, full
#: batch and mini-batch); a step that keeps the objective swinging ends
#: percents to orders of magnitude above it.
_SWING_TOLERANCE = 1e-4


def _step_remedies(objective, columns, full_batch):
    """What to do about a fixed step too large for the ``columns`` of
    ``objective``: a sentence without its full stop."""
    if full_batch:
        longest = safe_step(objective.smoothness_bound()[columns]).min()
        return (
            f"A fixed step of at most 1/L = {longest:.3g} (L the smoothness "
            "bound of the loss) cannot diverge; use one, or "
            "learning_rate='auto', which sets its steps from the data"
        )
    # 1/L bounds the full objective's curvature, not a batch's: one row's can
    # be far larger.
    return (
        "A mini-batch step shorter than 1/L of the whole data can still "
        "diverge (a batch's curvature can be larger): use a smaller step, or "
        "learning_rate='auto', whose line search fits each batch's step to "
        "that batch"
    )


def _plain_number(value):
    """``repr`` of a parameter, a numpy scalar as its Python value (``1.5``,
    not ``np.float64(1.5)``)."""
    return repr(plain_value(value))


class LinearBCEOutputsMixin:
    """Predictions of fitted one-vs-rest BCE models from ``coef_``/``intercept_``.

    Shared by the estimators of this package; expects ``classes_``, ``coef_``
    of shape ``(1 or n_classes, n_features)`` and ``intercept_``.
    """

    # -- prediction --------------------------------------------------------------
    def decision_function(self, X):
        """Compute the logits ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples.  The result is of ``X``'s kind: a (lazy) dask array for a
            dask ``X`` and, with array API dispatch, an array of ``X``'s
            namespace on its device.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Logit of the positive class for two classes, of each class against
            the rest otherwise.
        """
        elsewhere = self._predict_elsewhere(X, "decision_function")
        if elsewhere is not None:
            return elsewhere
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=False,
        )
        coef = self.coef_
        if sp.issparse(coef) and sp.issparse(X) and coef.dtype != X.dtype:
            # SciPy multiplies two sparse matrices of one dtype only; a dense
            # coef_ is promoted by the product, a sparse one here the same way.
            dtype = np.result_type(X.dtype, coef.dtype)
            X, coef = X.astype(dtype, copy=False), coef.astype(dtype, copy=False)
        scores = safe_sparse_dot(X, coef.T, dense_output=True) + self.intercept_
        untrained = getattr(self, "_untrained_classes", None)
        if untrained is not None:
            lower_untrained(scores, untrained)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict the class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples.  The result is of ``X``'s kind: a (lazy) dask array for a
            dask ``X`` and, with array API dispatch, an array of ``X``'s
            namespace on its device.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The class with the largest decision value (logit), as in
            ``OneVsRestClassifier``: the class of largest probability, except
            where the probabilities round to a tie (two classes: a logit
            within rounding of 0; more: several sigmoids that round to 1, see
            :meth:`predict_proba`).
        """
        elsewhere = self._predict_elsewhere(X, "predict")
        if elsewhere is not None:
            return elsewhere
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(1)
        return self.classes_[index]

    def predict_proba(self, X):
        """Probability of each class.

        For two classes, ``[1 - sigmoid(z), sigmoid(z)]``; for more, the
        one-vs-rest probabilities ``sigmoid(z_k)`` normalised to sum to one, as
        ``OneVsRestClassifier(LogisticRegression())`` gives them.  Where
        several classes have logits above about 37 (17 in float32) their
        sigmoids all round to 1 and their probabilities tie, while
        :meth:`predict`, as ``OneVsRestClassifier``'s, still compares the
        logits: ``argmax(predict_proba)`` can then differ from ``predict``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples.  The result is of ``X``'s kind: a (lazy) dask array for a
            dask ``X`` and, with array API dispatch, an array of ``X``'s
            namespace on its device.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        elsewhere = self._predict_elsewhere(X, "predict_proba")
        if elsewhere is not None:
            return elsewhere
        return class_probabilities(self.decision_function(X))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed without underflow.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples.  The result is of ``X``'s kind: a (lazy) dask array for a
            dask ``X`` and, with array API dispatch, an array of ``X``'s
            namespace on its device.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        elsewhere = self._predict_elsewhere(X, "predict_log_proba")
        if elsewhere is not None:
            return elsewhere
        return class_log_probabilities(self.decision_function(X))

    def _predict_elsewhere(self, X, method):
        """``method`` of a dask or array API ``X``, on its own backend; else None.

        None means ``X`` is predicted here, with numpy (the model is fitted).
        """
        if is_dask_array(X):
            return predict_dask(self, X, method)
        check_is_fitted(self)
        namespace = self._prediction_namespace(X, method)
        if namespace is not None:
            return predict_array_api(self, X, method, namespace)
        return None

    def _prediction_namespace(self, X, method):
        """``(xp, device)`` when ``X`` is predicted by the array API path, else None.

        Raises scikit-learn's error when ``X`` and the fitted coefficients are
        not of the same namespace and device.
        """
        check_same_namespace(X, self, attribute="coef_", method=method)
        namespace = array_api_namespace(X)
        if namespace is None and not (
            isinstance(self.coef_, np.ndarray) or sp.issparse(self.coef_)
        ):
            raise ValueError(
                f"Inputs passed to {type(self).__name__}.{method}() must use the "
                "same namespace and the same device as those passed to fit(). "
                "This model was fitted on array API arrays: predict with "
                "sklearn.set_config(array_api_dispatch=True) and arrays of the "
                "same namespace and device, or move the model to NumPy with "
                "sklearn.utils._array_api.move_estimator_to(model, numpy, 'cpu')."
            )
        return namespace

    # -- storage of coef_ ---------------------------------------------------------
    def _check_coef_stored(self, method):
        """Refuse ``method`` (sparsify, densify) before fit."""
        verb = {"sparsify": "sparsifying", "densify": "densifying"}[method]
        check_is_fitted(self, msg=f"Estimator, %(name)s, must be fitted before {verb}.")

    def sparsify(self):
        """Store ``coef_`` as a SciPy CSR matrix, as ``LogisticRegression`` does.

        With an L1 or elastic-net penalty (``l1_ratio > 0``) many coefficients
        are exactly zero, and a sparse ``coef_`` takes less memory and pickles
        smaller: a stored entry takes 12 bytes in float64 (a value and its
        column) against 8 dense, 8 against 4 in float32, so it saves memory
        only when more than about a third (float32: a half) of the entries are
        zero (``(coef_ == 0)``), and much only when most are.  It is a matter
        of storage, not of speed: predictions on sparse ``X`` with a very
        sparse ``coef_`` can be faster, but on dense ``X`` (after
        ``StandardScaler``, say) a sparse ``coef_`` makes them several times
        slower.
        ``intercept_`` stays dense.  Predictions are unchanged (to rounding:
        the products are summed in another order), on NumPy, sparse and Dask
        input; a warm-started ``fit``, ``partial_fit`` and ``coef_table`` of
        ``BCELogisticRegression`` accept a sparsified model, and every fit
        stores a dense ``coef_`` again.  Not for models fitted on array API
        arrays (their ``coef_`` stays in its namespace).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_coef_stored("sparsify")
        if not (isinstance(self.coef_, np.ndarray) or sp.issparse(self.coef_)):
            raise ValueError(
                "sparsify stores coef_ as a SciPy sparse matrix, for models with "
                "NumPy coefficients; this model was fitted on array API arrays. "
                "Move it to NumPy first with "
                "sklearn.utils._array_api.move_estimator_to(model, numpy, 'cpu')."
            )
        self.coef_ = sp.csr_matrix(self.coef_)
        return self

    def densify(self):
        """Store ``coef_`` as a dense array again (undoes :meth:`sparsify`).

        A no-op when ``coef_`` is not sparse.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_coef_stored("densify")
        self.coef_ = dense_coef(self.coef_)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class BCELogisticRegression(
    ClassifierMixin, CallbackSupportMixin, LinearBCEOutputsMixin, BaseEstimator
):
    r"""Logistic regression trained by batch gradient descent on the cross-entropy.

    The model is the textbook one: logits ``z = X w + b``, probabilities
    ``sigmoid(z)``, and the weighted mean binary cross-entropy plus an
    elastic-net penalty, minimised by full-batch gradient descent::

        J(w, b) = 1/S sum_i s_i [log(1 + exp(z_i)) - y_i z_i]
                  + 1/(C S) [(1 - l1_ratio)/2 ||w||^2 + l1_ratio ||w||_1]

    with sample weights ``s_i`` (times class weights) summing to ``S``.  This is
    the objective of :class:`sklearn.linear_model.LogisticRegression` divided by
    ``C S``: for the same ``C`` and ``l1_ratio`` both estimators have the same
    optimum.  Several classes are fitted one-vs-rest, each class a binary
    problem, all solved together in one vectorised run: the coefficients of
    ``OneVsRestClassifier(LogisticRegression())``, not of
    ``LogisticRegression``'s multinomial model.

    Parameters
    ----------
    C : float, default=1.0
        Inverse of the regularisation strength, in ``(0, inf]``, as in
        ``LogisticRegression``.  ``np.inf`` fits without penalty: where a
        plane separates the classes, the objective then has no minimum (the
        coefficients grow as long as the fit runs).  A ``fit`` whose model
        separates the classes of the data it trained on says so with a
        ``ConvergenceWarning``; one that stops at ``tol`` before its model
        separates them (or on quasi-separated classes) cannot tell.

    l1_ratio : float, default=0.0
        Elastic-net mixing in ``[0, 1]``: 0 is a pure L2 penalty, 1 a pure L1
        (lasso) penalty.  The L1 part is applied by a proximal
        (soft-thresholding) step, so coefficients can become exactly zero.
        With ``C=np.inf`` there is no penalty to mix: ``l1_ratio > 0`` is
        then unused, with a ``UserWarning`` (as ``LogisticRegression`` warns).
        To keep the features of the non-zero coefficients with
        ``SelectFromModel``, pass ``threshold=1e-5``: its default threshold
        is 1e-5 only for estimators it knows by name (``LogisticRegression``
        with ``l1_ratio=1``, for one), the mean of the coefficients' absolute
        values otherwise.

    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept ``b``.

    learning_rate : "auto" or float, default="auto"
        The step size.  A float ``eta > 0`` is the textbook fixed step:
        ``w <- w - eta * grad_w J`` and ``b <- b - eta * grad_b J``.  Too large a
        step makes the objective blow up, or swing so that after ``max_iter``
        iterations (epochs, with ``batch_size``) it ends above where it
        started; the fit is then diverged, with the coefficients of the
        lowest objective it reached (the starting ones if none was lower) and a
        :class:`~sklearn.exceptions.ConvergenceWarning` naming a fixed step
        that cannot diverge (``1/L``, below).  A swing that ends below its
        start runs out of ``max_iter`` and keeps its last coefficients; its
        warning names ``1/L`` when the step is above it (``2/L`` with
        ``solver="gd"``), where the loss can oscillate without diverging.
        With ``batch_size`` no fixed step is safe for every batch, and the
        warnings advise a smaller step or ``"auto"`` without naming one
        (first, when the last epoch ended above the lowest objective
        reached).
        ``"auto"`` never diverges:
        with ``solver="gd"`` it is the step ``1/L`` from the smoothness bound
        ``L`` of the gradient; with ``solver="nesterov"`` the step is
        preconditioned by the matrix that bounds the Hessian of ``J``
        (``X1^T diag(s) X1 / (4 S)`` plus the L2 term, with ``X1`` = ``X`` and a
        column of ones), which makes it insensitive to the scaling of the
        features, and checked by a backtracking line search.

    solver : {"nesterov", "gd"}, default="nesterov"
        ``"gd"`` is plain gradient descent, exactly the textbook update.
        ``"nesterov"`` adds Nesterov momentum (FISTA), which needs far fewer
        iterations.  The momentum restarts when a step goes against the
        (proximal) gradient at the extrapolated point ``y``,
        ``<G(y), w_new - w> > 0`` with ``G`` the gradient mapping: the
        gradient restart of O'Donoghue & Candès (2015), not a test on the
        objective.

    max_iter : int, default=1000
        Maximum number of iterations (passes over the data).  With the default
        ``learning_rate="auto"`` and ``tol``, fits on standardised data usually
        stop within a few dozen; the generous default leaves room for
        unscaled or nearly separable data.  The textbook ``"gd"`` takes many
        more iterations, often thousands even on standardised data, and
        usually needs a larger ``max_iter``.

    tol : float, default=1e-4
        Stop when the largest absolute entry of the gradient of ``J`` (the
        proximal gradient when ``l1_ratio > 0``) is ``<= tol``: the criterion
        ``LogisticRegression``'s lbfgs uses on the same objective.  It is
        judged where the last step starts (for ``"nesterov"``, the
        extrapolated point), and the fit returns the point that step reaches,
        one step further, whose own gradient can exceed ``tol`` by a small
        factor (up to about 10 in a search over small random unpenalised fits
        at ``tol=1e-10``, 20 over unscaled data with an L1 term: scale the
        data or lower ``tol`` where the returned point must meet it); if that
        step raised the objective (a fixed step too long for the curvature
        there), it returns the point where ``tol`` was met instead.  With
        ``tol=0`` exactly ``max_iter`` iterations are run, unless the gradient
        is exactly zero (an L1 penalty that zeroes every coefficient, or a
        fixed point in the float precision), which stops as converged.  In
        float32 a ``tol`` of about 1e-6 or below nears the gradient's
        rounding: the iterations, and whether it is met at all, can then
        change with the memory layout of ``X`` (C or Fortran order, CSR or
        CSC).

    class_weight : dict or "balanced", default=None
        Weights ``{class_label: weight}`` that multiply the sample weights;
        ``"balanced"`` uses ``n_samples / (n_classes * np.bincount(y))``, or,
        when ``sample_weight`` is given, the same as ``LogisticRegression``
        with the installed scikit-learn: from 1.9 the weighted equivalent
        (each class counted by its total sample weight), with 1.8 the counts
        of the samples.  With several classes
        the weights apply to every one-vs-rest problem: ``"balanced"``
        balances the classes of the multiclass problem, as
        ``LogisticRegression`` does, where
        ``OneVsRestClassifier(LogisticRegression(class_weight="balanced"))``
        balances each binary problem (its class against the rest), so that
        its coefficients differ.  A dict weighs the samples of each class in
        every problem: the coefficients of class ``k`` are those of
        ``LogisticRegression`` fitted on ``y == k`` with
        ``sample_weight=[class_weight[label] for label in y]`` (a dict given
        to ``OneVsRestClassifier(LogisticRegression(class_weight=...))``
        names the binary labels 0 and 1 instead).

    warm_start : bool, default=False
        Start from the previous fit's coefficients instead of zeros.  As
        with ``LogisticRegression``, the data must have the previous fit's
        numbers of features and classes (otherwise ``fit`` raises a
        ``ValueError``).  Coefficients set by hand to NaN or infinity, or so
        large that the sum of their squares overflows float64 (beyond about
        1e154), are refused.  A start far from the optimum, where every
        logit is saturated, is left slowly: the gradient is bounded by the
        data, so each step moves the coefficients a bounded distance (on
        100 x 4 ``make_classification`` data, a start at 1e10 had not
        converged in 100,000 iterations, where ``LogisticRegression`` took 53).

    batch_size : int, default=None
        ``None`` is full-batch descent.  An int runs epochs over the rows in a
        random order (seeded by ``random_state``), split into
        ``ceil(n_samples / batch_size)`` batches of nearly equal size (at
        most ``batch_size`` rows; no short last batch, whose noisy steps
        slow the fit), one proximal gradient step per batch along a
        variance-reduced estimate of the full gradient (proximal SVRG): the
        batch's gradient, minus the batch's gradient at the epoch's starting
        point, plus the full gradient there (which the pass over all the
        data that ends each epoch computes anyway).  Its noise vanishes near
        the optimum, so the steps stay constant and, with a step short enough
        for the batches (``"auto"`` finds one), the fit converges to ``tol``
        as a full-batch one does, with an L1 penalty too (whose zero
        coefficients it keeps at exactly zero).  The step is
        ``learning_rate``; with ``"auto"``, each batch's step is found by a
        backtracking line search on that batch's objective, each
        coefficient's capped by the inverse of its diagonal entry of the
        curvature bound ``B`` (so the steps are blind to the scale of each
        feature, as the full-batch default's), and an epoch that ends with a
        higher objective than it started with (beyond float32's rounding,
        ``4e-6 max(J, 1)``) is undone and halves the cap of the epochs after
        it (small batches can be fitted by almost any step, which the full
        objective need not accept), so ``loss_curve_`` does not rise beyond
        that tolerance; five epochs in a row that take neither the largest
        gradient entry below its lowest nor the objective down beyond the
        dtype's rounding halve it too (steps too long for some batches can
        keep the iterate swinging around the optimum, within that
        tolerance).  Steps have no momentum whatever ``solver``;
        ``n_iter_`` counts epochs, and ``tol`` is checked on the full
        gradient after each epoch.  An epoch reads ``X`` once batch by batch
        (each batch's gradient taken at two points) and twice whole, for the
        closing pass's objective and gradient; it keeps the logits of the
        epoch's start, ``n_samples`` numbers per binary problem.  Each
        batch's mean loss counts with the batch's share of the total weight
        over its share of the rows (an unbiased estimate of the full
        gradient, whatever the weights).  A
        ``batch_size`` not smaller than the number of samples fits
        full-batch, with a warning.  Each batch's step has a fixed cost in
        Python and NumPy calls (about 0.25 ms with ``learning_rate="auto"``
        on a 2-core machine, whatever the batch's size), so batches of a few
        rows are slow: on standardised 10,000 x 20 data
        (``benchmarks/bench_minibatch.py``), ``batch_size=1`` took about
        4,200 times as long as the full-batch fit (46 s), 32 about 70 times
        and 256 about 6 times.  Use batches of hundreds of rows or more.

    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training data
        (it gets zero weight in the objective) and stop each binary problem
        when its validation log-loss (weighted by the sample and class
        weights, as the objective's) has not improved by ``tol`` for
        ``n_iter_no_change`` iterations; the coefficients with the best
        validation loss are kept.  With a fixed ``learning_rate``, a problem
        whose objective was still swinging when it was stopped (its last
        value more than ``1e-4 max(|J|, 1)`` above the lowest it reached)
        warns (``ConvergenceWarning``) that the step is too large: early
        stopping can end such a fit before it is seen to diverge.

    validation_fraction : float, default=0.1
        Share of the samples held out for early stopping, in ``(0, 1)``.

    n_iter_no_change : int, default=10
        Iterations without improvement of the validation loss before early
        stopping stops.

    random_state : int, RandomState instance or None, default=None
        Seed of the validation split of early stopping and, with
        ``batch_size`` set, of the order of the rows in each epoch of
        mini-batches.  Full-batch descent itself is deterministic.

    verbose : int, default=0
        Print the objective and the largest gradient entry every 10
        iterations (every iteration when ``verbose >= 2``; with several
        classes, the largest among the classes still descending; with
        ``early_stopping``, also the validation loss; with ``batch_size``,
        epochs, each line starting "Epoch"), and one line per
        ``partial_fit`` call (its batch's objective after the step).  With
        scikit-learn 1.9 or later, ``set_callbacks`` also accepts
        scikit-learn's callbacks (``sklearn.callback.ProgressBar``,
        ``ScoringMonitor``); each iteration is one task, and a callback that
        asks to stop ends the fit with ``stop_reason_`` "stopped by callback".

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.  After a fit on array API arrays, numeric labels are in
        the namespace and on the device of ``y``.

    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights ``w``; one row for two classes (the second class is the
        positive one), one row per class otherwise.

    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts ``b`` (zeros when ``fit_intercept=False``).

    n_iter_ : ndarray of shape (1,) or (n_classes,)
        Iterations run, per binary problem.

    loss_curve_ : ndarray of shape (n_iter_[0],) or (n_classes, max(n_iter_))
        Objective ``J`` after each iteration.  With several classes, one row
        per class, padded with NaN after the class has stopped.  The curve of
        a fit that blew up ends at its last iteration below the divergence
        limit: the step that crossed it is not counted in ``n_iter_`` or
        recorded.

    converged_ : ndarray of shape (1,) or (n_classes,)
        Whether each binary problem met ``tol``: the largest entry of its
        (proximal) gradient was at most ``tol`` at the point its last step
        started from (with ``"nesterov"``, the extrapolated point); the
        returned coefficients are one step further, where the objective is
        lower and the gradient may be a little above ``tol`` (or, when that
        step raised the objective, that point itself).
        With early stopping, not when the coefficients kept come from an
        earlier iteration.

    stop_reason_ : ndarray of shape (1,) or (n_classes,)
        Why each binary problem stopped: ``"converged"``, ``"max_iter"``,
        ``"diverged"``, ``"early stopped"`` or ``"stopped by callback"``.
        Always a numpy array of strings.  With ``early_stopping``, a problem
        that met ``tol`` after its validation loss last improved is
        ``"early stopped"`` too (not converged): its coefficients are those
        of ``best_iteration_``.

    validation_loss_curve_ : ndarray of the shape of ``loss_curve_``
        With ``early_stopping``, the validation log-loss after each iteration
        (weighted by the sample and class weights).

    best_iteration_ : ndarray of shape (1,) or (n_classes,)
        With ``early_stopping``, the iteration whose coefficients were kept
        (0: the starting point).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The same model, fitted by
        quasi-Newton and other solvers.

    Notes
    -----
    After a fit on array API arrays (PyTorch, CuPy, ...) with
    ``sklearn.set_config(array_api_dispatch=True)``, ``coef_``,
    ``intercept_``, ``n_iter_``, ``loss_curve_`` and ``converged_`` are arrays
    of the namespace and device of ``X``, as in scikit-learn's array API
    estimators.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_bce import BCELogisticRegression
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), BCELogisticRegression(C=1.0))
    >>> model.fit(X, y).score(X, y)
    0.98...
    >>> model.predict(X[:3])
    array([0, 0, 0])
    >>> model.predict_proba(X[:1]).shape
    (1, 2)
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "learning_rate": [
            StrOptions({"auto"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "solver": [StrOptions({"nesterov", "gd"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        C=1.0,
        l1_ratio=0.0,
        fit_intercept=True,
        learning_rate="auto",
        solver="nesterov",
        max_iter=1000,
        tol=1e-4,
        class_weight=None,
        warm_start=False,
        batch_size=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        verbose=0,
    ):
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.learning_rate = learning_rate
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by batch gradient descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.  float32 data is fitted in float32.  With
            ``sklearn.set_config(array_api_dispatch=True)``, an array API
            array (PyTorch, CuPy, ...) is fitted in its own namespace on its
            own device (``batch_size``, ``early_stopping`` and callbacks are
            not supported there).  A dask array is fitted chunk by chunk
            where its chunks live (``batch_size``, ``early_stopping`` and
            callbacks are not supported there); see the README.

        y : array-like of shape (n_samples,)
            Target labels (at least two classes).

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; ``None`` weighs all equally.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        warn_unused_l1_ratio(self.l1_ratio, [self.C])
        with previous_fit_on_error(self):
            return self._fit(X, y, sample_weight)

    def _fit(self, X, y, sample_weight):
        # A search's fold model refitted (by a scorer, say) trains every class.
        self.__dict__.pop("_untrained_classes", None)
        if is_dask_array(X):
            result, objective = fit_dask(self, X, y, sample_weight)
            coef = self._set_fitted(result, objective, None)
            self._warn(result, objective, coef)
            return self
        namespace = array_api_namespace(X)
        if namespace is not None:
            result, objective = fit_array_api(self, X, y, sample_weight, namespace)
            coef = self._set_fitted(result, objective, None)
            self._warn(result, objective, coef)
            return self
        weighted = sample_weight is not None
        X, y_index, sample_weight = validate_training_data(self, X, y, sample_weight)
        # Callbacks get the weights given, as LogisticRegression's do.
        given_weight = sample_weight if weighted else None
        sample_weight = apply_class_weight(
            sample_weight, self.class_weight, self.classes_, y_index
        )
        Y = one_vs_rest_targets(y_index, len(self.classes_), X.dtype)
        early_stopping = None
        if self.early_stopping:
            # Validation rows get zero weight in the objective: no copy of X.
            validation = self._validation_rows(self.classes_[y_index])
            fit_weight = sample_weight.copy()
            fit_weight[validation] = 0
            for part, weight in [
                ("validation", sample_weight[validation]),
                ("training", fit_weight),
            ]:
                if not np.any(weight > 0):
                    raise ValueError(
                        f"early_stopping: the {part} part of the data has no "
                        "sample with a positive weight (the validation part, "
                        f"validation_fraction={self.validation_fraction}, is "
                        "drawn without regard to the weights). Give more "
                        "samples a positive weight or set early_stopping=False."
                    )
        else:
            fit_weight = sample_weight
        objective = BCEObjective(
            X, Y, fit_weight, self.C, self.l1_ratio, self.fit_intercept
        )
        coef = self._initial_coef(objective)
        if self.early_stopping:
            early_stopping = EarlyStopping(
                _safe_indexing(X, validation),
                Y[validation],
                sample_weight[validation],
                coef,
                self.n_iter_no_change,
                self.tol,
                self.fit_intercept,
            )
        batch_size = self.batch_size
        if batch_size is not None and batch_size >= X.shape[0]:
            # Before the callbacks' tasks begin: as an error, it leaves none open.
            warnings.warn(
                f"batch_size={batch_size} is not smaller than the {X.shape[0]} "
                "samples: fitting with full-batch descent, as batch_size=None "
                "does (one batch per epoch would be gradient descent without "
                "momentum).",
                UserWarning,
                stacklevel=external_stacklevel(),
            )
            batch_size = None
        bridge = self._callback_bridge(X, self.classes_[y_index], given_weight, coef)
        progress = (
            ProgressPrinter(
                1 if self.verbose >= 2 else 10,
                last=self.max_iter,
                validation=early_stopping,
                unit="Iteration" if batch_size is None else "Epoch",
            )
            if self.verbose
            else None
        )
        callback = combine([early_stopping, bridge, progress])
        try:
            if batch_size is None:
                result = run_solver(
                    objective,
                    coef,
                    solver=self.solver,
                    learning_rate=self.learning_rate,
                    max_iter=self.max_iter,
                    tol=self.tol,
                    callback=callback,
                )
            else:
                result = self._minibatch(objective, coef, fit_weight, callback)
        finally:
            if bridge is not None:
                bridge.close()
        coef = self._set_fitted(result, objective, early_stopping)
        if bridge is not None:
            bridge.end_fit()
        self._warn(result, objective, coef, full_batch=batch_size is None)
        return self

    # -- fit, step by step -------------------------------------------------------
    def _validation_rows(self, labels):
        """Indices of the stratified validation split for early stopping.

        Stratified by the labels (the split of their class indices), which
        its errors name.
        """
        try:
            _, validation = train_test_split(
                np.arange(len(labels)),
                test_size=self.validation_fraction,
                stratify=labels,
                random_state=self.random_state,
            )
        except ValueError as exc:
            raise ValueError(
                "early_stopping: cannot hold out a stratified "
                f"validation_fraction={self.validation_fraction} of the "
                f"{len(labels)} samples: {str(exc).rstrip('.')}. Change "
                "validation_fraction, use more samples of each class, or set "
                "early_stopping=False."
            ) from exc
        return np.sort(validation)

    def _callback_bridge(self, X, y, sample_weight, coef):
        """Report iterations to callbacks set with ``set_callbacks``, if any.

        Without callbacks (or before scikit-learn 1.9) there is no bridge and
        no cost per iteration, as in ``LogisticRegression``.
        """
        if not has_callbacks(self):
            return None
        context = init_callback_context(self, max_subtasks=self.max_iter + 1)
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        return CallbackBridge(context, self, X, y, metadata, coef, self.fit_intercept)

    def _minibatch(self, objective, coef, sample_weight, callback):
        """Epochs of mini-batch steps (``batch_size`` set)."""
        auto = self.learning_rate == "auto"
        step = 1.0 if auto else float(self.learning_rate)
        return minibatch_descent(
            objective,
            coef,
            batch_size=self.batch_size,
            step=np.full(objective.n_problems, step),
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=check_random_state(self.random_state),
            line_search=auto,
            inverse=auto_step_cap(objective) if auto else None,
            check_divergence=self.learning_rate != "auto",
            callback=callback,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Take one gradient step on a batch of samples.

        For data that arrive in pieces or do not fit in memory: each call
        takes one (proximal) gradient step on the objective of the given batch,
        as ``fit`` defines it on the batch alone: the batch's weighted mean
        loss plus the penalty over ``C`` times the batch's total weight.  The
        penalty is therefore relative to each batch, as ``MLPClassifier``
        scales ``alpha`` by the batch size: a stream of batches of ``b`` of
        ``n`` samples approaches the optimum of ``fit`` with ``C * b / n``,
        not ``C`` (pass ``C * n / b`` to approach ``fit`` with ``C``).
        Sample and class weights weigh the samples of a batch against each
        other and, through the batch's total weight, against the penalty: a
        factor shared by all of a batch (such as the class weight of a batch
        of one class) acts as that factor on ``C`` for that step, as scaling
        every weight does in ``fit``.  So batches should be of similar total
        weight: a batch of under half the mean weight of those before it
        weighs the penalty more than twice as much, which can shrink the
        coefficients far toward zero, and warns (``UserWarning``; with
        ``sklearn.utils.gen_batches``, ``min_batch_size=batch_size`` joins a
        short last batch to the one before).  The step is ``learning_rate``,
        or with ``"auto"`` the batch's safe step ``1/L`` (so each step
        descends on its batch); a fixed step that makes the batch's
        objective diverge (past 100 times ``max(J(start), 1)``) is not taken
        (``ConvergenceWarning``, ``stop_reason_`` ``"diverged"``), and one
        that raises it less is taken with a ``ConvergenceWarning`` naming the
        batch's safe step.  A constant step leaves the model
        wandering near that optimum by an amount that shrinks with the step
        and with larger batches; ``fit``
        reaches its own optimum (with ``batch_size`` too, whose batches count
        against the whole data).  Turning ``fit_intercept`` off mid-stream
        drops the intercept learned so far (with a warning).
        ``early_stopping`` and ``batch_size`` do not apply, and
        ``class_weight="balanced"`` is refused (it needs the whole data): a
        dict's weights are those of all of ``classes``, as in
        ``SGDClassifier.partial_fit``.  ``n_iter_``
        counts the calls since the last ``fit`` and ``loss_curve_`` holds
        each batch's objective after its step (a call after ``fit`` continues
        from its coefficients and starts both afresh); ``converged_`` is
        False and ``stop_reason_`` ``"max_iter"`` (one step does not meet
        ``tol``), unless the batch's gradient is exactly zero
        (``"converged"``) or the step diverged.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.  The first call (or ``fit``) sets the
            model's precision, float32 or float64; later batches are cast to
            it, as its coefficients are kept in it.

        y : array-like of shape (n_samples,)
            Its labels.

        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data; required on the first call, ignored
            (but checked) afterwards.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the batch's samples.

        Returns
        -------
        self : object
            The estimator, updated.
        """
        warn_unused_l1_ratio(self.l1_ratio, [self.C])
        # As fit: a call that fails leaves the model as it was (not a first
        # call's classes_ and n_features_in_ without a model).
        with previous_fit_on_error(self):
            return self._partial_fit(X, y, classes, sample_weight)

    def _partial_fit(self, X, y, classes, sample_weight):
        if hasattr(self, "coef_"):
            # scikit-learn's _fit_context validates the parameters only on a
            # first call; set_params may have changed them since.
            self._validate_params()
        check_numpy_only(self, X, "partial_fit")
        # Labels, classes and weights in another namespace are brought to the
        # host, as fit does (and a dask X is loaded).
        X, y, classes = to_numpy(X), to_numpy(y), to_numpy(classes)
        sample_weight = to_numpy(sample_weight)
        self.__dict__.pop("_untrained_classes", None)  # it trains every class
        first = not hasattr(self, "coef_")
        if first:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            # scikit-learn's check (and words) for mixed label types.
            classes = unique_labels(classes)
        elif classes is not None and not np.array_equal(
            unique_labels(classes), self.classes_
        ):
            # (From fit or from the first call to partial_fit.)
            raise ValueError(
                f"classes={unique_labels(classes)!r} is not the same as the "
                f"classes the model was fitted on: {self.classes_!r}."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the whole data, which partial_fit "
                "does not see; set class_weight to a dict of class weights "
                "(such as dict(zip(classes, compute_class_weight('balanced', "
                "classes=classes, y=y))) on the whole y) or None."
            )
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            # Later batches take the model's precision, whatever theirs.
            dtype=[np.float64, np.float32]
            if first
            else np.asarray(self.intercept_).dtype,
            reset=first,
        )
        check_classification_targets(y)
        check_finite_products(X)
        if first:
            if len(classes) < 2:
                raise ValueError(
                    f"classes must hold at least 2 classes, got {classes!r}."
                )
            self.classes_ = classes
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels {unknown!r} that are not in classes "
                f"{self.classes_!r}."
            )
        y_index = np.searchsorted(self.classes_, y)
        sample_weight = apply_class_weight(
            check_sample_weight(sample_weight, X),
            self.class_weight,
            self.classes_,
            y_index,
            declared=True,
        )
        objective = BCEObjective(
            X,
            one_vs_rest_targets(y_index, len(self.classes_), X.dtype),
            sample_weight,
            self.C,
            self.l1_ratio,
            self.fit_intercept,
        )
        if first:
            coef = np.zeros((objective.n_coef, objective.n_problems), dtype=X.dtype)
        else:
            # Continue from the coefficients of partial_fit or fit.
            if not self.fit_intercept and np.any(np.asarray(self.intercept_) != 0):
                warnings.warn(
                    "fit_intercept=False, but the model so far has a non-zero "
                    "intercept_: it is dropped (set to 0) from this step on, "
                    "which shifts every prediction. Keep fit_intercept as it "
                    "was for the whole stream, or fit anew.",
                    UserWarning,
                    stacklevel=external_stacklevel(),
                )
            coef = self._stacked_coef(objective)
            refuse_nonfinite_start(coef, "partial_fit")
        # The first step after fit (or ever) starts the counts and the curve.
        steps_so_far = getattr(self, "_n_partial_steps", 0)
        batch_weight = float(np.sum(sample_weight, dtype=np.float64))
        weight_so_far = self.__dict__.get("_partial_weight", 0.0)
        mean = weight_so_far / steps_so_far if steps_so_far else 0.0
        # (Without a penalty, C=inf, the weights scale nothing.)
        if batch_weight < 0.5 * mean and self.C != np.inf:
            warnings.warn(
                f"This batch's total weight ({batch_weight:.3g}) is under half "
                f"the mean of the {steps_so_far} batch"
                f"{'' if steps_so_far == 1 else 'es'} before it ({mean:.3g}): "
                "partial_fit weighs the penalty of each step by 1 / (C times "
                "its batch's total weight), so this step weighs it "
                f"{mean / batch_weight:.3g} times as much as theirs and can "
                "shrink the coefficients far toward zero. Give batches of "
                "similar total weight (for example sklearn.utils.gen_batches("
                "n, size, min_batch_size=size), which joins a short last batch "
                "to the one before it).",
                UserWarning,
                stacklevel=external_stacklevel(),
            )
        if self.learning_rate == "auto":
            step = safe_step(objective.smoothness_bound())
        else:
            step = np.full(objective.n_problems, float(self.learning_rate))
        result = gradient_descent(
            objective,
            coef,
            metric=ScalarMetric(step),
            max_iter=1,
            tol=0,
            check_divergence=self.learning_rate != "auto",
            rise_is_divergence=False,
        )
        diverged = result.stop_reason == DIVERGED
        names = self._problem_names()

        def warn_of_the_step(chosen, happened, outcome, promise):
            # Both warnings name the batch's safe step, the same advice.
            longest = safe_step(objective.smoothness_bound()[chosen]).min()
            warnings.warn(
                f"The step on this batch {happened}: learning_rate="
                f"{_plain_number(self.learning_rate)} is too large for {outcome} "
                f"A fixed step of at most 1/L = {longest:.3g} (L the smoothness "
                f"bound of this batch's loss) {promise}; use one, or "
                "learning_rate='auto', or standardise the features if they "
                "are not.",
                ConvergenceWarning,
                stacklevel=external_stacklevel(),
            )

        if diverged.any():
            warn_of_the_step(
                diverged,
                f"made the objective diverge{names(diverged)}",
                "this data. The coefficients were kept as they were.",
                "cannot diverge",
            )
        # A step no longer than 1/L descends on its batch: one that raised
        # the batch's objective (by more than rounding) is too long for it.
        rose = ~diverged & rose_above_start(
            result.objective, result.start_objective, result.coef.dtype
        )
        if self.learning_rate != "auto" and rose.any():
            rise = result.objective - result.start_objective
            worst = int(np.argmax(np.where(rose, rise, -np.inf)))
            warn_of_the_step(
                rose,
                f"raised its objective{names(rose)} (from "
                f"{result.start_objective[worst]:.3g} to "
                f"{result.objective[worst]:.3g})",
                "this batch, and the model can swing from batch to batch "
                "instead of settling. The step was taken.",
                "descends on it",
            )
        self._n_partial_steps = steps_so_far + 1
        self._partial_weight = weight_so_far + batch_weight
        self._set_coef(result.coef, objective)
        self._keep_fit_params()
        self.n_iter_ = np.full(objective.n_problems, self._n_partial_steps, np.int32)
        self.loss_curve_ = self._extended_partial_curve(steps_so_far, result.objective)
        if self.verbose:
            # One line per call, as MLPClassifier's and SGDClassifier's; of
            # the classes whose step was taken (a diverged one keeps its
            # coefficients, and is counted).
            taken = ~diverged if not diverged.all() else diverged
            line = (
                f"Step {self._n_partial_steps}, batch objective = "
                f"{np.nanmax(result.objective[taken]):.8g}, max |gradient| = "
                f"{np.nanmax(result.grad_max[taken]):.3e}"
            )
            if diverged.all():
                line += ", the step diverged: the coefficients were kept"
            elif diverged.any():
                line += f", {int(diverged.sum())} diverged"
            print(line)
        # One step is never converged; what fit's early stopping saw is gone.
        self.converged_ = result.converged
        self.stop_reason_ = result.stop_reason.astype(str)
        for name in ("validation_loss_curve_", "best_iteration_"):
            self.__dict__.pop(name, None)
        return self

    def _extended_partial_curve(self, n_steps, objective):
        """``loss_curve_`` of ``n_steps`` partial_fit steps and one more.

        The curve is a view of a buffer that doubles when full, so that a long
        stream of ``partial_fit`` calls costs the same per call instead of a
        copy of the whole curve each time.  The buffer is rebuilt from
        ``loss_curve_`` when it is not the curve's (after unpickling).
        """
        n_problems = len(objective)
        buffer = self.__dict__.get("_partial_curve")
        curve = getattr(self, "loss_curve_", None)
        if not (
            n_steps
            and buffer is not None
            and curve is not None
            and curve.base is buffer
            and buffer.shape[0] == n_problems
        ):
            buffer = np.empty((n_problems, max(16, 2 * (n_steps + 1))))
            if n_steps:
                buffer[:, :n_steps] = np.reshape(curve, (n_problems, n_steps))
        elif n_steps == buffer.shape[1]:
            buffer = np.concatenate([buffer, np.empty_like(buffer)], axis=1)
        buffer[:, n_steps] = objective
        self._partial_curve = buffer
        curve = buffer[:, : n_steps + 1]
        return curve[0] if n_problems == 1 else curve

    def __getstate__(self):
        state = dict(super().__getstate__())
        # partial_fit's buffer: loss_curve_ holds the steps it has.
        state.pop("_partial_curve", None)
        return state

    def coef_table(self, X, y, sample_weight=None, confidence_level=0.95):
        """Tabulate coefficients with standard errors, z-tests and intervals.

        Classical maximum-likelihood inference for a fitted binary model, from
        the inverse Fisher information at the fitted coefficients; valid for
        the unpenalised model (``C=np.inf``), where it equals ``statsmodels``'
        ``Logit``.  See :func:`sklearn_bce.coef_table` for the details.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training data the model was fitted on.

        y : array-like of shape (n_samples,)
            The training labels.

        sample_weight : array-like of shape (n_samples,), default=None
            The sample weights of the fit.

        confidence_level : float, default=0.95
            Coverage of the confidence intervals, in ``(0, 1)``.

        Returns
        -------
        table : pandas.DataFrame of shape (n_coef, 6)
            Rows ``"intercept"`` and the features; columns ``coef``,
            ``std_err``, ``z``, ``p_value``, ``ci_lower``, ``ci_upper``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_breast_cancer
        >>> from sklearn.preprocessing import StandardScaler
        >>> from sklearn_bce import BCELogisticRegression
        >>> data = load_breast_cancer()
        >>> X = StandardScaler().fit_transform(data.data[:, :3])
        >>> model = BCELogisticRegression(C=np.inf, tol=1e-8).fit(X, data.target)
        >>> model.coef_table(X, data.target).columns.tolist()
        ['coef', 'std_err', 'z', 'p_value', 'ci_lower', 'ci_upper']
        """
        return coef_table(
            self, X, y, sample_weight=sample_weight, confidence_level=confidence_level
        )

    def _stacked_coef(self, objective):
        coef = np.zeros((objective.n_coef, objective.n_problems), dtype=objective.dtype)
        coef[: objective.n_features] = dense_coef(self.coef_).T
        if objective.fit_intercept:
            coef[-1] = self.intercept_
        return coef

    def _set_coef(self, coef, objective):
        if not isinstance(coef, np.ndarray):
            # Fitted on array API data: the coefficients stay on its device.
            self.coef_, self.intercept_ = objective.split_coef(coef)
            return
        self.coef_ = np.ascontiguousarray(coef[: objective.n_features].T)
        if objective.fit_intercept:
            self.intercept_ = coef[-1].copy()
        else:
            self.intercept_ = np.zeros(objective.n_problems, dtype=coef.dtype)

    def _initial_coef(self, objective):
        """Zeros, or the previous coefficients when warm-starting."""
        coef = np.zeros((objective.n_coef, objective.n_problems), dtype=objective.dtype)
        previous = warm_start_coef(self, objective.n_problems, objective.n_features)
        if previous is not None:
            try:
                previous = np.asarray(to_numpy(dense_coef(previous)))
                intercept = np.asarray(to_numpy(self.intercept_))
            except (RuntimeError, TypeError, ValueError) as exc:
                # Device arrays that NumPy cannot read without dispatch.
                raise ValueError(
                    "warm_start=True: this model was fitted on array API arrays "
                    "whose device NumPy cannot read. Fit with "
                    "sklearn.set_config(array_api_dispatch=True) and arrays of "
                    "that namespace and device, or move the model to NumPy first "
                    "with sklearn.utils._array_api.move_estimator_to(model, "
                    "numpy, 'cpu')."
                ) from exc
            # (Beyond the range of float32 data: inf, refused just below.)
            with np.errstate(over="ignore"):
                coef[: objective.n_features] = previous.T
                if objective.fit_intercept:
                    coef[-1] = intercept
            refuse_nonfinite_start(coef, "warm_start=True")
        return coef

    def _set_fitted(self, result, objective, early_stopping):
        """Set the fitted attributes; return the coefficients of the model."""
        coef = result.coef
        stop_reason = result.stop_reason.astype(object)
        converged = result.converged
        if early_stopping is not None:
            # The model is the one with the best validation loss.
            coef = early_stopping.best_coef
            stop_reason[early_stopping.stopped] = EARLY_STOPPED
            # A column that met tol after its validation loss last improved
            # keeps earlier coefficients, which did not meet it.
            earlier = converged & (early_stopping.best_iteration < result.n_iter)
            stop_reason[earlier] = EARLY_STOPPED
            converged = converged & ~earlier
            self.validation_loss_curve_ = early_stopping.curve(result.n_iter)
            self.best_iteration_ = early_stopping.best_iteration
        else:
            for name in ("validation_loss_curve_", "best_iteration_"):
                self.__dict__.pop(name, None)
        self._set_coef(coef, objective)
        self._keep_fit_params()
        for name in ("_n_partial_steps", "_partial_curve", "_partial_weight"):
            self.__dict__.pop(name, None)
        self.n_iter_ = result.n_iter.astype(np.int32)
        self.converged_ = converged
        self.stop_reason_ = stop_reason.astype(str)
        if objective.n_problems == 1:
            self.loss_curve_ = result.history[: result.n_iter[0], 0].copy()
        else:
            self.loss_curve_ = np.ascontiguousarray(result.history.T)
        if not isinstance(coef, np.ndarray):
            # As scikit-learn's array API estimators: every numeric array
            # attribute in the namespace and on the device of X.
            for name in ("n_iter_", "converged_", "loss_curve_"):
                setattr(self, name, objective.from_numpy(getattr(self, name)))
        return coef

    def _keep_fit_params(self):
        """Keep the parameters of this fit (:data:`_FIT_PARAMS`)."""
        params = {name: getattr(self, name) for name in _FIT_PARAMS}
        if isinstance(params["class_weight"], dict):
            params["class_weight"] = dict(params["class_weight"])
        self._fit_params = params

    def _params_at_fit(self):
        """The :data:`_FIT_PARAMS` the coefficients were fitted with.

        A model given coefficients without a fit (a search's fold models)
        has its parameters as they are.
        """
        kept = self.__dict__.get("_fit_params")
        return dict(kept) if kept is not None else self.get_params(deep=False)

    def __sklearn_is_fitted__(self):
        # Fitted when there is a model: classes_ and n_features_in_ alone
        # (set by validation before a fit's model) do not make one.
        return hasattr(self, "coef_")

    @property
    def stop_reason_(self):
        """Why each binary problem stopped, ndarray of str (see the class doc)."""
        # Kept as a tuple: a string array cannot live in the namespace of an
        # array API fit, where all the array attributes do.
        try:
            reasons = self.__dict__["_stop_reason"]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute 'stop_reason_'"
            ) from None
        return np.array(reasons, dtype=str)

    @stop_reason_.setter
    def stop_reason_(self, value):
        self._stop_reason = tuple(np.asarray(value, dtype=str).tolist())

    def _warn(self, result, objective, coef, full_batch=True):
        """Turn the solver's stop reasons into warnings.

        ``coef``: the model's coefficients, as the solver holds them.
        ``full_batch``: whether the fit was full-batch descent (``batch_size``
        None, or not smaller than the number of samples).
        """
        names = self._problem_names()
        # Mini-batch fits count epochs.
        unit = "iteration" if full_batch else "epoch"
        diverged = result.stop_reason == DIVERGED
        separated = np.zeros_like(diverged)
        if self.C == np.inf:
            # No penalty: on separated classes there is no minimum to reach.
            separated = objective.separates(coef) & ~diverged
        if separated.any():
            largest = max(
                np.abs(np.asarray(to_numpy(getattr(self, name)))[separated]).max()
                for name in ("coef_", "intercept_")
            )
            # Early stopping's validation rows are not fitted on.
            data = "training data"
            if self.early_stopping:
                data += " (its validation rows aside)"
            if len(separated) == 1:
                subject = f"The model separates the classes of the {data}"
            elif separated.sum() == 1:
                subject = (
                    f"The one-vs-rest model{names(separated)} separates its "
                    f"class from the others in the {data}"
                )
            else:
                subject = (
                    f"The one-vs-rest models{names(separated)} separate their "
                    f"classes from the others in the {data}"
                )
            warnings.warn(
                f"{subject}: without a penalty (C=inf) the objective "
                "has no minimum, and the coefficients grow without bound the "
                "longer the fit runs. Those returned are where it stopped "
                f"(the largest, intercept included, is {largest:.3g} in "
                "absolute value), not an optimum, and more iterations or a "
                "smaller tol only make them larger. Give a finite C, or remove "
                "the features that separate the classes.",
                ConvergenceWarning,
                stacklevel=external_stacklevel(),
            )
        if diverged.any():
            n_iter = int(result.n_iter[diverged].min())
            remedies = _step_remedies(objective, diverged, full_batch)
            warnings.warn(
                f"The objective diverged{names(diverged)} "
                + (
                    f"after {n_iter} {unit}{'' if n_iter == 1 else 's'}"
                    if n_iter
                    else f"at the first {unit}"
                )
                + f": learning_rate={_plain_number(self.learning_rate)} is too "
                "large for this data. Fitting stopped and kept the coefficients "
                "of the lowest objective it reached (the starting ones if none "
                f"was lower). {remedies}, or standardise the features if they "
                "are not (sklearn.preprocessing.StandardScaler).",
                ConvergenceWarning,
                stacklevel=external_stacklevel(),
            )
        self._warn_swing_before_early_stop(result, objective, full_batch)
        # tol=0 asks for exactly max_iter iterations: nothing to warn about.
        # Separated columns have no minimum to converge to: said above.
        unfinished = (result.stop_reason == MAX_ITER) & ~separated
        if unfinished.any() and self.tol > 0:
            advice = [
                "increase max_iter",
                "scale the features if they are not standardised (for example "
                "with sklearn.preprocessing.StandardScaler)",
            ]
            if not full_batch:
                # Where batches stall (fewer rows than features, say), the
                # full-batch solvers need fewer passes over X; early stopping
                # ends a fit whose validation loss no longer improves.
                advice.append(
                    "fit full-batch (batch_size=None)"
                    if self.early_stopping
                    else "set early_stopping=True or fit full-batch (batch_size=None)"
                )
            fixed = not isinstance(self.learning_rate, str)
            longest = (
                safe_step(objective.smoothness_bound()[unfinished]).min()
                if fixed and full_batch
                else np.inf
            )
            # Momentum can keep the loss oscillating above 1/L; plain descent
            # decreases it with any step below 2/L.
            plain = self.solver == "gd"
            limit = 2 * longest if plain else longest
            lead = ""
            if fixed and not full_batch and _swinging(result.history[:, unfinished]):
                # Below its start, but above the lowest objective it reached:
                # a step too long for some batches keeps it swinging.
                lead = (
                    "The objective rose between epochs (its last ended above "
                    "the lowest it reached): "
                    f"learning_rate={_plain_number(self.learning_rate)} is too "
                    "long for some batches; use a smaller step or "
                    "learning_rate='auto'. Otherwise "
                )
            elif fixed and self.learning_rate > limit:
                # The loss can oscillate without diverging: neither scaling
                # nor more iterations help, a smaller step does.
                lead = (
                    f"learning_rate={_plain_number(self.learning_rate)} is above "
                    f"{'2/L' if plain else '1/L'} = {limit:.3g} (L the smoothness "
                    "bound of the loss), where a fixed step can make the loss "
                    "oscillate without diverging: use a step of at most "
                    + (f"1/L = {longest:.3g}" if plain else "1/L")
                    + " or learning_rate='auto'. Otherwise "
                )
            elif fixed:
                advice.append(
                    "use a different learning rate (learning_rate='auto' picks "
                    "a safe one)"
                )
            elif self.solver == "gd" and full_batch:
                advice.append(
                    "use solver='nesterov' (the default), which needs far "
                    "fewer iterations"
                )
            *first, last = advice
            remedies = f"{', '.join(first)}{',' * (len(first) > 1)} or {last}."
            if not lead:
                remedies = remedies[0].upper() + remedies[1:]
            warnings.warn(
                f"BCELogisticRegression did not converge{names(unfinished)} in "
                f"max_iter={self.max_iter} {unit}{'' if self.max_iter == 1 else 's'} "
                "(largest gradient entry "
                f"{result.grad_max[unfinished].max():.2e} > tol={self.tol}). "
                f"{lead}{remedies}",
                ConvergenceWarning,
                stacklevel=external_stacklevel(),
            )

    def _warn_swing_before_early_stop(self, result, objective, full_batch):
        """Warn about early-stopped columns whose objective was still swinging.

        A fixed step too large for the data makes the objective swing; a full
        run ends diverged (beyond ``DIVERGENCE_FACTOR`` times its start, or
        above its start at ``max_iter``), but early stopping can end it first,
        on a validation loss that stopped improving because of the swings.
        Descent with a step the data allows ends at (or, with momentum,
        within ripples of) the lowest objective it reached.
        """
        if (
            not self.early_stopping
            or isinstance(self.learning_rate, str)
            or result.history.shape[0] == 0
        ):
            return
        history = result.history
        columns = np.arange(history.shape[1])
        last = history[np.maximum(result.n_iter, 1) - 1, columns]
        lowest = np.where(np.isnan(history), np.inf, history).min(axis=0)
        # Stopped by early stopping (not by a callback, nor converged with
        # earlier coefficients kept; diverged columns have their own warning).
        stopped = (self.stop_reason_ == EARLY_STOPPED) & (result.stop_reason == STOPPED)
        swinging = stopped & rose_above_start(
            last, lowest, np.float64, relative=_SWING_TOLERANCE
        )
        if not swinging.any():
            return
        rise = (last - lowest) / np.maximum(np.abs(lowest), 1.0)
        worst = columns[swinging][np.argmax(rise[swinging])]
        values = (
            f"its last value, {last[worst]:.3g}, is above the lowest it "
            f"reached, {lowest[worst]:.3g}"
        )
        start = result.start_objective
        if start is not None:
            peak = np.where(np.isnan(history), -np.inf, history).max(axis=0)
            if rose_above_start(peak[worst], start[worst], np.float64):
                values += (
                    f", and it rose as high as {peak[worst]:.3g} from its "
                    f"start, {start[worst]:.3g}"
                )
        unit = "iteration" if full_batch else "epoch"
        names = self._problem_names()
        warnings.warn(
            f"The objective was still swinging{names(swinging)} when early "
            f"stopping ended the fit ({values}): "
            f"learning_rate={_plain_number(self.learning_rate)} is too large "
            "for this data. The coefficients kept, those of the "
            f"{unit} of the best validation loss, can be far from the minimum "
            f"of the objective. {_step_remedies(objective, swinging, full_batch)}, "
            "or standardise the features if they are not "
            "(sklearn.preprocessing.StandardScaler).",
            ConvergenceWarning,
            stacklevel=external_stacklevel(),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # fit and predict run in the namespace and on the device of array API
        # inputs with sklearn.set_config(array_api_dispatch=True).
        tags.array_api_support = ARRAY_API_HELPERS
        return tags

    def _problem_names(self):
        """A function naming the one-vs-rest problems that a mask selects
        (the first ten, and how many more)."""
        classes = np.asarray(to_numpy(self.classes_))
        if len(classes) == 2:
            return lambda mask: ""

        def names(mask):
            chosen = classes[mask].tolist()
            if len(chosen) <= _NAMED_CLASSES:
                return f" for classes {chosen}"
            return (
                f" for {len(chosen)} classes ({chosen[:_NAMED_CLASSES]} and "
                f"{len(chosen) - _NAMED_CLASSES} more)"
            )

        return names
