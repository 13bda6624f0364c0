"""scikit-learn's estimator checks: default parameters, no expected failures."""

from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

from sklearn_bce import BCELogisticRegression


@parametrize_with_checks([BCELogisticRegression()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_param_validation():
    check_param_validation("BCELogisticRegression", BCELogisticRegression())


def test_dataframe_column_names_consistency():
    check_dataframe_column_names_consistency(
        "BCELogisticRegression", BCELogisticRegression()
    )
