"""scikit-learn's estimator checks: default parameters, no expected failures."""

import subprocess
import sys

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

from sklearn_bce import BCELogisticRegression


@parametrize_with_checks([BCELogisticRegression()])
def test_sklearn_compatible_estimator(estimator, check, sklearn_reads_device1):
    keywords = getattr(check, "keywords", {})
    on_device1 = any("device1" in str(v) for v in keywords.values())
    if on_device1 and not sklearn_reads_device1:
        pytest.skip("scikit-learn cannot read device1 into NumPy < 2.1")
    check(estimator)


def test_param_validation():
    check_param_validation("BCELogisticRegression", BCELogisticRegression())


def test_dataframe_column_names_consistency():
    check_dataframe_column_names_consistency(
        "BCELogisticRegression", BCELogisticRegression()
    )


def test_works_without_the_array_api_helpers_of_scikit_learn_1_9():
    # scikit-learn 1.8 (the oldest supported) lacks some of the array API
    # helpers of 1.9: the package must import and fit numpy data without them.
    script = """
import sklearn.utils._array_api as helpers
from sklearn import linear_model, metrics, model_selection, pipeline, preprocessing
from sklearn.datasets import load_breast_cancer

del helpers.move_to  # not in scikit-learn 1.8 (scikit-learn has imported it)
from sklearn_bce import BCELogisticRegression, BCELogisticRegressionCV
from sklearn_bce._validation import ARRAY_API_HELPERS
assert not ARRAY_API_HELPERS
assert not BCELogisticRegression().__sklearn_tags__().array_api_support
X, y = load_breast_cancer(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
assert BCELogisticRegression().fit(X, y).score(X, y) > 0.95
BCELogisticRegressionCV(learning_rates=["auto"], cv=3).fit(X, y)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
