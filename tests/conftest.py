import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def breast_cancer_standardised():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y
