r"""The binary cross-entropy objective of K problems that share one design matrix.

This module is pure numpy/scipy: it knows nothing about scikit-learn.

The objective
-------------
For one target column ``y`` in {0, 1}^m with sample weights ``s >= 0``,
``S = sum_i s_i``, penalty strength ``C`` in (0, inf] and mixing
``rho = l1_ratio`` in [0, 1], the objective minimised by every solver is::

    J(w, b) = (1/S) sum_i s_i [log(1 + exp(z_i)) - y_i z_i]
              + 1/(C S) [(1 - rho)/2 ||w||_2^2 + rho ||w||_1],   z = X w + b

- ``log(1 + exp(z)) - y z`` is the binary cross-entropy of the probability
  ``sigmoid(z)``; it is evaluated as ``np.logaddexp(0, z) - y z`` and the
  sigmoid as ``scipy.special.expit``, which neither overflow nor lose accuracy
  for large ``|z|``.
- The intercept ``b`` is never penalised and ``C = inf`` means no penalty.
- Multiplying ``J`` by ``C S`` gives ``C sum_i s_i loss_i + penalty``, the
  objective of ``sklearn.linear_model.LogisticRegression(C=C, l1_ratio=rho)``:
  both have the same minimiser, so coefficients are directly comparable.
  Class weights multiply ``s`` (and so ``S``) as in scikit-learn.

Its gradient follows from the chain rule, ``d/dz [log(1 + e^z) - y z] =
sigmoid(z) - y``::

    grad_w J = (1/S) X^T (s * (sigmoid(z) - y)) + (1 - rho)/(C S) w
    grad_b J = (1/S) sum_i s_i (sigmoid(z_i) - y_i)

(the ``||w||_1`` part is not differentiable; solvers handle it with its
proximal operator, :func:`soft_threshold`).

Because ``sigmoid'(z) <= 1/4``, the Hessian of ``J`` is bounded above, for every
``(w, b)``, by the fixed matrix::

    B = X1^T diag(s) X1 / (4 S) + (1 - rho)/(C S) I'

where ``X1`` is ``X`` with a column of ones appended when an intercept is
fitted and ``I'`` is the identity without the intercept's entry.  Its largest
eigenvalue ``L`` is the smoothness (Lipschitz) constant of the gradient, so a
fixed step ``1/L`` never increases ``J``; :meth:`BCEObjective.hessian_bound`
returns ``B`` itself, which preconditioned solvers use as a metric.

K problems at once
------------------
:class:`BCEObjective` holds ``K`` such problems that share ``X``: targets
``Y`` of shape ``(m, K)``, sample weights of shape ``(m,)`` or ``(m, K)`` and a
``C`` and ``l1_ratio`` per column.  Coefficients are stacked in an array of
shape ``(n_coef, K)``: the ``n_features`` weights, then the intercept as the last
row when it is fitted.  One evaluation reads ``X`` once for ``X @ W`` and once
for ``X.T @ R`` whatever ``K`` is.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh
from scipy.special import expit

#: Rows per block when a product with ``X`` is accumulated block by block.
BLOCK_ROWS = 4096


def bce(raw_prediction, y):
    """Pointwise binary cross-entropy ``log(1 + exp(z)) - y z`` of logits ``z``.

    Equal to ``-y log(p) - (1 - y) log(1 - p)`` with ``p = sigmoid(z)``, but
    computed without forming ``p``, so it is finite for every finite ``z``.
    """
    return np.logaddexp(0, raw_prediction) - y * raw_prediction


def soft_threshold(x, threshold):
    """Proximal operator of ``threshold * ||x||_1``: ``sign(x) max(|x| - t, 0)``."""
    return np.sign(x) * np.maximum(np.abs(x) - threshold, 0)


def l1_subgradient_residual(coef, grad, l1):
    """Smallest-norm element of ``grad + l1 * d||coef||_1``, entrywise.

    Zero exactly at the optimum of an L1-penalised smooth objective; equals
    ``grad`` where ``l1 == 0``.  ``coef`` and ``grad`` are ``(n, K)``, ``l1``
    is ``(K,)``.
    """
    nonzero = coef != 0
    shrunk = np.sign(grad) * np.maximum(np.abs(grad) - l1, 0)
    return np.where(nonzero, grad + l1 * np.sign(coef), shrunk)


class BCEObjective:
    """``K`` penalised binary cross-entropy problems sharing one matrix ``X``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Design matrix; float32 or float64.  It is never copied or modified.
    Y : ndarray of shape (n_samples, K)
        Targets in {0, 1}, of the dtype of ``X``.
    sample_weight : ndarray of shape (n_samples,) or (n_samples, K)
        Non-negative weights; every column must have a positive sum.
    C : array-like of shape (K,)
        Inverse penalty strength per column, in (0, inf].
    l1_ratio : array-like of shape (K,)
        L1 share of the penalty per column, in [0, 1].
    fit_intercept : bool
        Whether the last coefficient row is an unpenalised intercept.
    """

    def __init__(self, X, Y, sample_weight, C, l1_ratio, fit_intercept):
        self.X = X
        self.Y = Y
        self.dtype = X.dtype
        self.n_samples, self.n_features = X.shape
        self.n_problems = Y.shape[1]
        self.fit_intercept = bool(fit_intercept)
        self.n_coef = self.n_features + self.fit_intercept
        sample_weight = np.asarray(sample_weight, dtype=self.dtype)
        self.sw_sum = np.broadcast_to(
            sample_weight.sum(axis=0, dtype=np.float64), (self.n_problems,)
        ).copy()
        # ``R = s * (sigmoid(Z) - Y) / S`` needs only the scaled weights.
        if sample_weight.ndim == 1:
            self._scaled_weight = (sample_weight / self.sw_sum[0])[:, None]
        else:
            self._scaled_weight = sample_weight / self.sw_sum
        self._scaled_weight = self._scaled_weight.astype(self.dtype, copy=False)
        C = np.broadcast_to(np.asarray(C, dtype=np.float64), (self.n_problems,))
        l1_ratio = np.broadcast_to(
            np.asarray(l1_ratio, dtype=np.float64), (self.n_problems,)
        )
        penalty = 1.0 / (C * self.sw_sum)  # 0 where C is inf
        self.l2 = (1.0 - l1_ratio) * penalty
        self.l1 = l1_ratio * penalty

    # -- pieces of one evaluation -------------------------------------------
    def _columns(self, array, cols):
        return array if cols is None else array[:, cols]

    def _weight(self, cols):
        if self._scaled_weight.shape[1] == 1:
            return self._scaled_weight
        return self._columns(self._scaled_weight, cols)

    def _param(self, values, cols):
        return values if cols is None else values[cols]

    def raw_prediction(self, coef, cols=None):
        """Logits ``Z = X W + b`` of shape ``(n_samples, k)``: one read of ``X``."""
        W = coef[: self.n_features]
        Z = np.asarray(self.X @ W)
        if self.fit_intercept:
            Z += coef[-1]
        return Z

    def objective(self, raw_prediction, coef, cols=None):
        """Objective ``J`` per column, in float64, from precomputed logits.

        ``cols`` selects the problems that ``coef`` and ``raw_prediction``
        hold (all when None).
        """
        Y = self._columns(self.Y, cols)
        data = (self._weight(cols) * bce(raw_prediction, Y)).sum(
            axis=0, dtype=np.float64
        )
        return data + self.penalty(coef, cols)

    def penalty(self, coef, cols=None):
        """Penalty term ``l2/2 ||w||^2 + l1 ||w||_1`` per column, in float64."""
        W = coef[: self.n_features].astype(np.float64, copy=False)
        l2, l1 = self._param(self.l2, cols), self._param(self.l1, cols)
        value = 0.5 * l2 * (W**2).sum(axis=0)
        if np.any(l1 > 0):
            value = value + l1 * np.abs(W).sum(axis=0)
        return value

    def l1_penalty(self, coef, cols=None):
        """The ``l1 ||w||_1`` part of :meth:`penalty` per column, in float64."""
        l1 = self._param(self.l1, cols)
        if not np.any(l1 > 0):
            return np.zeros(len(l1))
        W = coef[: self.n_features].astype(np.float64, copy=False)
        return l1 * np.abs(W).sum(axis=0)

    def gradient(self, raw_prediction, coef, cols=None):
        """Gradient of the smooth part of ``J`` (data + L2), ``(n_coef, k)``.

        One read of ``X`` for ``X.T @ R``.
        """
        Y = self._columns(self.Y, cols)
        residual = expit(raw_prediction)
        residual -= Y
        residual *= self._weight(cols)
        grad = np.empty_like(coef)
        grad[: self.n_features] = self.X.T @ residual
        grad[: self.n_features] += (
            self._param(self.l2, cols).astype(self.dtype) * coef[: self.n_features]
        )
        if self.fit_intercept:
            grad[-1] = residual.sum(axis=0)
        return grad

    def loss_gradient(self, coef, cols=None):
        """Objective and smooth gradient at ``coef`` from one ``Z``.

        Returns ``(objective, gradient, raw_prediction)``.
        """
        raw = self.raw_prediction(coef, cols)
        return self.objective(raw, coef, cols), self.gradient(raw, coef, cols), raw

    # -- curvature bounds ---------------------------------------------------
    def _weight_columns(self):
        """Distinct sample-weight columns and, for each problem, its column."""
        weights = self._scaled_weight
        if weights.shape[1] == 1:
            return weights, np.zeros(self.n_problems, dtype=int)
        # Problems that share a weight column (for example the one-vs-rest
        # columns of one cross-validation fold) share its curvature bound.
        seen, representatives = {}, []
        index = np.empty(self.n_problems, dtype=int)
        for k in range(self.n_problems):
            key = weights[:, k].tobytes()
            if key not in seen:
                seen[key] = len(representatives)
                representatives.append(k)
            index[k] = seen[key]
        return weights[:, representatives], index

    def _weighted_gram(self, weight):
        """``X1^T diag(weight) X1`` in float64, accumulated over row blocks."""
        X, n = self.X, self.n_features
        gram = np.zeros((self.n_coef, self.n_coef))
        if sp.issparse(X):
            Xw = X.multiply(weight[:, None]).tocsr()
            gram[:n, :n] = (X.T @ Xw).toarray()
            if self.fit_intercept:
                gram[n, :n] = gram[:n, n] = np.asarray(Xw.sum(axis=0)).ravel()
        else:
            for start in range(0, self.n_samples, BLOCK_ROWS):
                block = X[start : start + BLOCK_ROWS]
                root = np.sqrt(weight[start : start + BLOCK_ROWS, None])
                scaled = (block * root).astype(np.float64, copy=False)
                gram[:n, :n] += scaled.T @ scaled
                if self.fit_intercept:
                    gram[n, :n] += scaled.T @ root[:, 0]
            if self.fit_intercept:
                gram[:n, n] = gram[n, :n]
        if self.fit_intercept:
            gram[n, n] = weight.sum(dtype=np.float64)
        return gram

    def hessian_bound(self):
        """The matrices ``B_k`` bounding every Hessian of ``J_k`` from above.

        Returns ``(bounds, index)``: ``bounds`` of shape ``(n_distinct, n_coef,
        n_coef)`` in float64 and ``index`` of shape ``(K,)`` giving each
        problem's matrix.  Problems share a matrix when they share sample
        weights and penalty.
        """
        weights, weight_index = self._weight_columns()
        keys, bounds, index = {}, [], np.empty(self.n_problems, dtype=int)
        grams = {}
        for k in range(self.n_problems):
            key = (weight_index[k], self.l2[k])
            if key not in keys:
                j = weight_index[k]
                if j not in grams:
                    grams[j] = self._weighted_gram(weights[:, j]) / 4.0
                bound = grams[j].copy()
                bound[np.arange(self.n_features), np.arange(self.n_features)] += (
                    self.l2[k]
                )
                keys[key] = len(bounds)
                bounds.append(bound)
            index[k] = keys[key]
        return np.stack(bounds), index

    def hessian_bound_diagonal(self):
        """Diagonal of every ``B_k``, shape ``(n_coef, K)``, in float64.

        Costs one pass over ``X`` whatever its width, unlike
        :meth:`hessian_bound`.
        """
        weights, weight_index = self._weight_columns()
        n = self.n_features
        diag = np.empty((self.n_coef, weights.shape[1]))
        for j in range(weights.shape[1]):
            diag[:n, j] = self._weighted_column_squares(weights[:, j])
            if self.fit_intercept:
                diag[n, j] = weights[:, j].sum(dtype=np.float64)
        diag = diag[:, weight_index] / 4.0
        diag[:n] += self.l2
        return diag

    def _weighted_column_squares(self, weight):
        """``sum_i weight_i X_ij^2`` for each column ``j``, in float64."""
        X = self.X
        if sp.issparse(X):
            return np.asarray(X.multiply(X).T @ weight.astype(np.float64)).ravel()
        out = np.zeros(self.n_features)
        for start in range(0, self.n_samples, BLOCK_ROWS):
            block = X[start : start + BLOCK_ROWS].astype(np.float64, copy=False)
            out += weight[start : start + BLOCK_ROWS] @ (block * block)
        return out

    def smoothness_bound(self):
        """Lipschitz constant ``L_k = lambda_max(B_k)`` of each gradient, ``(K,)``.

        Exact (a dense eigenvalue problem) when ``n_coef`` is small; otherwise
        the largest eigenvalue from Lanczos iterations on the operator
        ``v -> B v``, enlarged by 1% to stay an upper bound.
        """
        if self.n_coef <= 1000:
            bounds, index = self.hessian_bound()
            top = np.array(
                [
                    eigh(b, eigvals_only=True, subset_by_index=[len(b) - 1] * 2)[0]
                    for b in bounds
                ]
            )
            return top[index]
        weights, weight_index = self._weight_columns()
        top = np.empty(weights.shape[1])
        for j in range(weights.shape[1]):
            top[j] = self._largest_gram_eigenvalue(weights[:, j]) / 4.0
        # Adding l2 on the features only can raise lambda_max by at most l2.
        return top[weight_index] + self.l2

    def _largest_gram_eigenvalue(self, weight):
        X, n = self.X, self.n_features

        def matvec(v):
            v = np.asarray(v, dtype=np.float64).ravel()
            z = np.asarray(X @ v[:n]).ravel()
            if self.fit_intercept:
                z = z + v[n]
            z *= weight
            out = np.empty(self.n_coef)
            out[:n] = np.asarray(X.T @ z).ravel()
            if self.fit_intercept:
                out[n] = z.sum()
            return out

        op = LinearOperator((self.n_coef, self.n_coef), matvec=matvec)
        try:
            value = eigsh(op, k=1, which="LA", tol=1e-4, return_eigenvectors=False)
            return 1.01 * float(value[0])
        except ArpackNoConvergence:
            # The trace bounds lambda_max from above.
            squares = self._weighted_column_squares(weight)
            return float(squares.sum() + self.fit_intercept * weight.sum())
