import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def sklearn_reads_device1():
    """Whether scikit-learn can bring arrays on array-api-strict's ``device1``
    to NumPy: it does so with ``numpy.from_dlpack(x, device=)``, which NumPy
    < 2.1 lacks, and its fallback cannot read that device (whatever the
    estimator, its own array API checks then fail there)."""
    try:
        np.from_dlpack(np.zeros(1), device="cpu")
    except TypeError:
        return False
    return True


@pytest.fixture(scope="session")
def breast_cancer_standardised():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture
def correlated_wide_data():
    """A maker of 1500 x 300 standardised features sharing one factor.

    Correlation 0.99: more coefficients than the full metric's 256, and a
    diagonal metric blind to the correlation.
    """

    def make(n_classes=2):
        rng = np.random.RandomState(0)
        n, p = 1500, 300
        X = np.sqrt(0.01) * rng.randn(n, p) + np.sqrt(0.99) * rng.randn(n, 1)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        z = X @ rng.randn(p) / np.sqrt(p) + rng.logistic(size=n)
        return X, np.digitize(z, [-1.0, 1.0][: n_classes - 1])

    return make


class NullCallback:
    """A callback of scikit-learn's callback API that never stops a fit."""

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        return False

    def teardown(self, estimator, context):
        pass


@pytest.fixture
def null_callback():
    """A :class:`NullCallback`; skips the test without the callback API."""
    pytest.importorskip("sklearn.callback")
    return NullCallback()
