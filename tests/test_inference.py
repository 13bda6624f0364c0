"""coef_table: maximum-likelihood inference checked against statsmodels' Logit.

The reference numbers were computed once with statsmodels 0.15.0
(``Logit(y, add_constant(X)).fit()`` and ``GLM(..., freq_weights=...)``) on
the Spector and Mazzeo data and are pasted here as literals: statsmodels is not
a dependency.
"""

import re
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, logit
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import (
    ConvergenceWarning,
    DataConversionWarning,
    NotFittedError,
)
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_bce import BCELogisticRegression, BCELogisticRegressionCV, _inference
from sklearn_bce._inference import coef_table

try:  # scikit-learn >= 1.9: the callback API
    from sklearn import callback
except ImportError:
    callback = None

# Spector and Mazzeo (1980): GPA, TUCE, PSI -> GRADE.
SPECTOR_X = np.array(
    [
        [2.66, 20, 0], [2.89, 22, 0], [3.28, 24, 0], [2.92, 12, 0],
        [4.00, 21, 0], [2.86, 17, 0], [2.76, 17, 0], [2.87, 21, 0],
        [3.03, 25, 0], [3.92, 29, 0], [2.63, 20, 0], [3.32, 23, 0],
        [3.57, 23, 0], [3.26, 25, 0], [3.53, 26, 0], [2.74, 19, 0],
        [2.75, 25, 0], [2.83, 19, 0], [3.12, 23, 1], [3.16, 25, 1],
        [2.06, 22, 1], [3.62, 28, 1], [2.89, 14, 1], [3.51, 26, 1],
        [3.54, 24, 1], [2.83, 27, 1], [3.39, 17, 1], [2.67, 24, 1],
        [3.65, 21, 1], [4.00, 23, 1], [3.10, 21, 1], [2.39, 19, 1],
    ]
)  # fmt: skip
SPECTOR_Y = np.array(
    [0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0,
     0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1]
)  # fmt: skip

# statsmodels: Logit(SPECTOR_Y, add_constant(SPECTOR_X)).fit()
SM_PARAMS = [
    -13.021346858115699, 2.826112594889322, 0.09515766131790951, 2.3786876550933553
]  # fmt: skip
SM_BSE = [
    4.9313242136027275, 1.2629410756290833, 0.14155420567369434, 1.0645642544971312
]  # fmt: skip
SM_TVALUES = [
    -2.640537570455657, 2.2377232393693487, 0.6722347871264491, 2.234423751356349
]  # fmt: skip
SM_PVALUES = [
    0.008277461435487797, 0.025239108802563182, 0.5014342380819203, 0.02545520436127809
]  # fmt: skip
SM_CONF_INT = [
    [-22.68656471286735, -3.356129003364048],
    [0.3507935720600419, 5.3014316177186025],
    [-0.18228348366270677, 0.3725988062985258],
    [0.29218005705024597, 4.465195253136464],
]
# .conf_int(alpha=0.1)
SM_CONF_INT_90 = [
    [-21.13265337653376, -4.910040339697636],
    [0.7487593860148309, 4.9034658037638135],
    [-0.1376782872947013, 0.3279936099305203],
    [0.6276352799608589, 4.129740030225852],
]
# Logit(SPECTOR_Y, SPECTOR_X).fit(): no intercept.
SM_NOCONST_PARAMS = [0.2993359228084502, -0.10147248180382694, 1.6363573903945974]
SM_NOCONST_BSE = [0.6815415143273115, 0.0995626033227769, 0.8126199597948999]
# GLM(SPECTOR_Y, add_constant(SPECTOR_X), family=Binomial(),
#     freq_weights=SPECTOR_WEIGHTS).fit()
SPECTOR_WEIGHTS = np.array(
    [1, 2, 1, 1, 3, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1,
     1, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1]
)  # fmt: skip
SM_FW_PARAMS = [
    -15.424743201854458, 3.573607805570532, 0.09251983396198868, 2.4855145305060358
]  # fmt: skip
SM_FW_BSE = [
    5.308751336838265, 1.2423371495277913, 0.14155733111121985, 1.018514228402579
]  # fmt: skip

TIGHT = {"C": np.inf, "tol": 1e-10, "max_iter": 100_000}
COLUMNS = ["coef", "std_err", "z", "p_value", "ci_lower", "ci_upper"]


@pytest.fixture(scope="module")
def spector_table():
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    return coef_table(model, SPECTOR_X, SPECTOR_Y)


def test_matches_statsmodels_logit(spector_table):
    table = spector_table
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == COLUMNS
    assert list(table.index) == ["intercept", "x0", "x1", "x2"]
    assert_allclose(table["coef"], SM_PARAMS, rtol=0, atol=1e-6)
    assert_allclose(table["std_err"], SM_BSE, rtol=0, atol=1e-6)
    assert_allclose(table["z"], SM_TVALUES, rtol=0, atol=1e-6)
    assert_allclose(table["p_value"], SM_PVALUES, rtol=0, atol=1e-6)
    assert_allclose(table[["ci_lower", "ci_upper"]], SM_CONF_INT, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "changed",
    [
        {"C": 0.5},
        {"fit_intercept": False},
        {"class_weight": "balanced"},
        {"early_stopping": True},
    ],
)
def test_parameters_set_after_the_fit_do_not_change_the_table(spector_table, changed):
    # The table is of the model as fitted: set_params changes no coefficient.
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    model.set_params(**changed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = coef_table(model, SPECTOR_X, SPECTOR_Y)
    assert_allclose(table, spector_table, rtol=1e-12)
    assert list(table.index) == list(spector_table.index)


def test_a_class_weight_dict_changed_after_the_fit_does_not_change_the_table():
    weights = {0: 1.0, 1: 2.0}
    model = BCELogisticRegression(C=np.inf, tol=1e-10, class_weight=weights)
    model.fit(SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match="class_weight"):
        expected = coef_table(model, SPECTOR_X, SPECTOR_Y)
    weights[1] = 50.0
    with pytest.warns(UserWarning, match=r"class_weight=\{0: 1.0, 1: 2.0\}"):
        table = coef_table(model, SPECTOR_X, SPECTOR_Y)
    assert_allclose(table, expected, rtol=1e-12)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_a_converged_penalised_fit_is_not_called_far_from_its_optimum(l1_ratio):
    # Its optimum is that of the penalised objective: the Newton step counts
    # the penalty's gradient, and only the "penalised" warning is given.
    X = StandardScaler().fit_transform(load_breast_cancer().data[:, :3])
    y = load_breast_cancer().target
    model = BCELogisticRegression(C=0.05, l1_ratio=l1_ratio, tol=1e-10)
    model.fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        coef_table(model, X, y)
    assert len(caught) == 1, [str(w.message) for w in caught]
    assert "penalised" in str(caught[0].message)


def test_a_penalised_fit_keeps_its_penalty_after_set_params():
    model = BCELogisticRegression(C=0.5, tol=1e-10).fit(SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match="penalised"):
        expected = coef_table(model, SPECTOR_X, SPECTOR_Y)
    for changed in [{"C": np.inf}, {"l1_ratio": 1.0}]:
        model.set_params(**changed)
        with pytest.warns(UserWarning, match=r"penalised \(C=0.5\)"):
            table = coef_table(model, SPECTOR_X, SPECTOR_Y)
        assert_allclose(table, expected, rtol=1e-12)


def test_confidence_level_sets_the_interval():
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    table = coef_table(model, SPECTOR_X, SPECTOR_Y, confidence_level=0.9)
    assert_allclose(table[["ci_lower", "ci_upper"]], SM_CONF_INT_90, rtol=0, atol=1e-6)


def test_without_intercept_matches_statsmodels():
    model = BCELogisticRegression(fit_intercept=False, **TIGHT)
    table = coef_table(model.fit(SPECTOR_X, SPECTOR_Y), SPECTOR_X, SPECTOR_Y)
    assert list(table.index) == ["x0", "x1", "x2"]
    assert_allclose(table["coef"], SM_NOCONST_PARAMS, rtol=0, atol=1e-6)
    assert_allclose(table["std_err"], SM_NOCONST_BSE, rtol=0, atol=1e-6)


def test_sample_weights_are_frequency_weights():
    model = BCELogisticRegression(**TIGHT).fit(
        SPECTOR_X, SPECTOR_Y, sample_weight=SPECTOR_WEIGHTS
    )
    table = coef_table(model, SPECTOR_X, SPECTOR_Y, sample_weight=SPECTOR_WEIGHTS)
    assert_allclose(table["coef"], SM_FW_PARAMS, rtol=0, atol=1e-6)
    assert_allclose(table["std_err"], SM_FW_BSE, rtol=0, atol=1e-6)
    # ... which is the table of the data with each row repeated that often.
    X_rep = np.repeat(SPECTOR_X, SPECTOR_WEIGHTS, axis=0)
    y_rep = np.repeat(SPECTOR_Y, SPECTOR_WEIGHTS)
    repeated = BCELogisticRegression(**TIGHT).fit(X_rep, y_rep)
    assert_allclose(coef_table(repeated, X_rep, y_rep), table, rtol=0, atol=1e-6)


def test_class_weight_multiplies_the_sample_weights():
    class_weight = {0: 1.0, 1: 3.0}
    weighted = BCELogisticRegression(class_weight=class_weight, **TIGHT)
    weighted.fit(SPECTOR_X, SPECTOR_Y)
    sample_weight = np.where(SPECTOR_Y == 1, 3.0, 1.0)
    wrongly = "too small for weights above 1, too large below 1"
    with pytest.warns(UserWarning, match=f"class_weight=.*{wrongly}"):
        table = coef_table(weighted, SPECTOR_X, SPECTOR_Y)
    plain = BCELogisticRegression(**TIGHT).fit(
        SPECTOR_X, SPECTOR_Y, sample_weight=sample_weight
    )
    expected = coef_table(plain, SPECTOR_X, SPECTOR_Y, sample_weight=sample_weight)
    assert_allclose(table, expected, rtol=0, atol=1e-6)


def test_balanced_class_weight_with_sample_weights_is_the_fits():
    from sklearn_bce._validation import class_weights

    balanced = BCELogisticRegression(class_weight="balanced", **TIGHT)
    balanced.fit(SPECTOR_X, SPECTOR_Y, sample_weight=SPECTOR_WEIGHTS)
    with pytest.warns(UserWarning, match="class_weight='balanced'"):
        table = coef_table(
            balanced, SPECTOR_X, SPECTOR_Y, sample_weight=SPECTOR_WEIGHTS
        )
    # The weights the fit used: "balanced" counts the samples by weight.
    per_class = class_weights("balanced", np.array([0, 1]), SPECTOR_Y, SPECTOR_WEIGHTS)
    weight = SPECTOR_WEIGHTS * per_class[SPECTOR_Y]
    plain = BCELogisticRegression(**TIGHT).fit(
        SPECTOR_X, SPECTOR_Y, sample_weight=weight
    )
    assert_allclose(balanced.coef_, plain.coef_, rtol=0, atol=1e-7)
    expected = coef_table(plain, SPECTOR_X, SPECTOR_Y, sample_weight=weight)
    assert_allclose(table, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("C", [np.inf, 1e-2])
def test_huge_weights_give_the_table_of_their_ratios(C):
    # Weights times c (with C divided by c) are the same fit; as frequency
    # weights they carry c times the information, so the standard errors are
    # those of the weights' ratios divided by sqrt(c).  The information of the
    # features scaled by 1e4 with weights near 2**1001 overflows: it must not
    # turn into an error blaming the data.  (c a power of two: both fits take
    # the same steps, so any tol will do.)
    X, c = SPECTOR_X * 1e4, 2.0**1000
    params = {**TIGHT, "C": C, "tol": 1e-8}
    plain = BCELogisticRegression(**params).fit(
        X, SPECTOR_Y, sample_weight=SPECTOR_WEIGHTS
    )
    huge = BCELogisticRegression(**{**params, "C": C / c}).fit(
        X, SPECTOR_Y, sample_weight=SPECTOR_WEIGHTS * c
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # C=1e-2 is penalised
        expected = coef_table(plain, X, SPECTOR_Y, sample_weight=SPECTOR_WEIGHTS)
        table = coef_table(huge, X, SPECTOR_Y, sample_weight=SPECTOR_WEIGHTS * c)
    assert np.all(np.isfinite(table.to_numpy()))
    assert_allclose(table["coef"], expected["coef"], rtol=1e-12)
    assert_allclose(table["std_err"] * np.sqrt(c), expected["std_err"], rtol=1e-12)
    assert_allclose(table["z"] / np.sqrt(c), expected["z"], rtol=1e-12)
    # An unconverged fit is the same number of its standard errors from the
    # optimum (one Newton step) times sqrt(c): as frequency weights, c times
    # the weights know the optimum sqrt(c) times better.
    distances = []
    for model, weight in [(plain, SPECTOR_WEIGHTS), (huge, SPECTOR_WEIGHTS * c)]:
        model.set_params(tol=0, max_iter=3).fit(X, SPECTOR_Y, sample_weight=weight)
        with pytest.warns(UserWarning) as caught:
            coef_table(model, X, SPECTOR_Y, sample_weight=weight)
        distances += [
            float(re.search(r"are (\S+) standard errors", str(w.message)).group(1))
            for w in caught
            if "Newton step" in str(w.message)
        ]
    assert len(distances) == 2
    assert_allclose(distances[1], distances[0] * np.sqrt(c), rtol=1e-2)


@pytest.mark.parametrize("scale", [1e-200, 1e-155, 1e150])
def test_features_of_any_scale_give_the_table_in_their_units(scale):
    # The same model in other units of feature x1: its coefficient divided by
    # ``scale``, its standard error too, the rest unchanged.  The variance of
    # x1's coefficient (1e308 at 1e-155) and the information's entries of x1
    # (1e-400 at 1e-200) are outside float64's range: they must not turn into
    # an infinite standard error or an error blaming the data.
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    expected = coef_table(model, SPECTOR_X, SPECTOR_Y)
    X = SPECTOR_X * [1.0, scale, 1.0]
    model.coef_ = model.coef_ / [1.0, scale, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = coef_table(model, X, SPECTOR_Y)
    units = np.array([1.0, 1.0, 1.0 / scale, 1.0])[:, None]
    assert_allclose(table[["coef", "std_err"]], expected[["coef", "std_err"]] * units)
    assert_allclose(table[["z", "p_value"]], expected[["z", "p_value"]])


@pytest.mark.parametrize("scale", [1e100, 1e150])
def test_penalised_features_of_any_scale_use_the_penalised_hessian(scale):
    # x1 in units of 1 / scale, its coefficient divided by scale: in these
    # units the penalty 1/C falls on the new coefficient, so the Hessian is
    # D H0 D + diag(0, 1, 1, 1) / C with H0 the information in the original
    # units and D = diag(1, 1, scale, 1).  Its inverse is
    # inv(D) inv(H0 + diag(0, 1, scale**-2, 1) / C) inv(D): computed there,
    # nothing overflows.
    C = 1.0
    model = BCELogisticRegression(C=C, tol=1e-10, max_iter=100_000)
    model.fit(SPECTOR_X, SPECTOR_Y)
    units = np.array([1.0, scale, 1.0])
    model.coef_ = model.coef_ / units
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # penalised, not the optimum
        table = coef_table(model, SPECTOR_X * units, SPECTOR_Y)
    X1 = np.column_stack([np.ones(len(SPECTOR_X)), SPECTOR_X])
    p = expit(X1 @ np.r_[model.intercept_, model.coef_[0] * units])
    penalty = np.diag([0.0, 1.0, scale**-2, 1.0]) / C
    hessian = X1.T @ (X1 * (p * (1 - p))[:, None]) + penalty
    expected = np.sqrt(np.diag(np.linalg.inv(hessian))) / np.r_[1.0, units]
    assert_allclose(table["std_err"], expected, rtol=1e-10)


def test_early_stopped_model_warns():
    model = BCELogisticRegression(C=np.inf, early_stopping=True, random_state=0)
    X = np.tile(SPECTOR_X, (4, 1))
    y = np.tile(SPECTOR_Y, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.stop_reason_.tolist() == ["early stopped"]
    with pytest.warns(UserWarning, match="early_stopping=True") as caught:
        coef_table(model, X, y)
    assert len(caught) == 1  # not also "increase max_iter or lower tol"


def test_feature_names_and_string_labels():
    X = pd.DataFrame(SPECTOR_X, columns=["GPA", "TUCE", "PSI"])
    y = np.where(SPECTOR_Y == 1, "pass", "fail")  # "pass" is classes_[1]
    model = BCELogisticRegression(**TIGHT).fit(X, y)
    table = coef_table(model, X, y)
    assert list(table.index) == ["intercept", "GPA", "TUCE", "PSI"]
    assert_allclose(table["std_err"], SM_BSE, rtol=0, atol=1e-6)


def test_sparse_and_float32_data_give_the_same_table(spector_table):
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    sparse_table = coef_table(model, sp.csr_matrix(SPECTOR_X), SPECTOR_Y)
    assert_allclose(sparse_table, spector_table, rtol=1e-12)
    # float32 fits stop at a float32-sized tol; the table is computed in float64.
    X32 = SPECTOR_X.astype(np.float32)
    model32 = BCELogisticRegression(C=np.inf, tol=1e-5).fit(X32, SPECTOR_Y)
    table32 = coef_table(model32, X32, SPECTOR_Y)
    assert table32.dtypes.eq(np.float64).all()
    assert_allclose(table32["std_err"], SM_BSE, rtol=1e-4)


def test_a_sparse_x_with_duplicate_entries_is_left_as_given(spector_table):
    # Each entry split in two (0.3 and 0.7 of it) and the rows' indices
    # reversed: the same matrix, not in canonical format.
    dense = sp.csr_matrix(SPECTOR_X)
    rows = np.repeat(np.arange(dense.shape[0]), np.diff(dense.indptr))
    order = np.lexsort((-np.r_[dense.indices, dense.indices], np.r_[rows, rows]))
    X = sp.csr_matrix(
        (
            np.r_[0.3 * dense.data, 0.7 * dense.data][order],
            np.r_[dense.indices, dense.indices][order],
            2 * dense.indptr,
        ),
        shape=dense.shape,
    )
    data, indices = X.data.copy(), X.indices.copy()
    assert not X.has_canonical_format
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    assert_allclose(coef_table(model, X, SPECTOR_Y), spector_table, rtol=1e-12)
    assert_array_equal(X.data, data)
    assert_array_equal(X.indices, indices)


def test_penalised_model_warns_and_uses_the_penalised_hessian():
    C = 0.5
    model = BCELogisticRegression(C=C, tol=1e-10, max_iter=100_000)
    model.fit(SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match="penalised.*not valid"):
        table = coef_table(model, SPECTOR_X, SPECTOR_Y)
    # Hessian of S J = summed log-likelihood + ||w||^2 / (2 C): penalty 1/C.
    X1 = np.column_stack([np.ones(len(SPECTOR_X)), SPECTOR_X])
    p = model.predict_proba(SPECTOR_X)[:, 1]
    hessian = X1.T @ (X1 * (p * (1 - p))[:, None]) + np.diag([0, 1, 1, 1]) / C
    expected = np.sqrt(np.diag(np.linalg.inv(hessian)))
    assert_allclose(table["std_err"], expected, rtol=1e-10)


def test_l1_penalty_is_named_in_the_warning():
    model = BCELogisticRegression(C=2.0, l1_ratio=0.5, tol=1e-8).fit(
        SPECTOR_X, SPECTOR_Y
    )
    with pytest.warns(UserWarning, match="L1 part"):
        coef_table(model, SPECTOR_X, SPECTOR_Y)


def test_an_l2_penalty_is_not_called_l1_in_the_warning():
    model = BCELogisticRegression(C=1.0, l1_ratio=0.0, tol=1e-8)
    model.fit(SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match="penalised") as caught:
        coef_table(model, SPECTOR_X, SPECTOR_Y)
    messages = [str(w.message) for w in caught]
    assert not [message for message in messages if "L1" in message]


def test_unpenalised_converged_model_does_not_warn():
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coef_table(model, SPECTOR_X, SPECTOR_Y)


def test_unconverged_model_warns():
    model = BCELogisticRegression(C=np.inf, max_iter=3)
    with pytest.warns(ConvergenceWarning):
        model.fit(SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match="standard errors from the optimum") as caught:
        coef_table(model, SPECTOR_X, SPECTOR_Y)
    assert str(caught[0].message).startswith("The fit ran max_iter=3 iterations, but")
    assert str(caught[0].message).endswith("Increase max_iter and fit again.")


@pytest.mark.parametrize("tol", [0.0, 1e-9])
def test_a_model_far_from_the_optimum_of_the_data_given_warns(tol):
    # A loose tol reports "converged" on coefficients well apart from the
    # maximum-likelihood estimate (here by up to 3.7 standard errors); the
    # optimum of other data (weights left out) than the fit's is apart too.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:, :4]
    weight = np.random.default_rng(0).uniform(0, 3, len(y))
    model = BCELogisticRegression(C=np.inf, tol=0.02).fit(X, y, sample_weight=weight)
    assert model.stop_reason_[0] == "converged"
    with pytest.warns(UserWarning, match="converged with tol=0.02, but") as caught:
        coef_table(model, X, y, sample_weight=weight)
    assert str(caught[0].message).endswith(
        "Fit again with a smaller tol, on the X, y and sample_weight given here."
    )
    model.set_params(tol=1e-8).fit(X, y, sample_weight=weight)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coef_table(model, X, y, sample_weight=weight)
    with pytest.warns(UserWarning, match="converged with tol=1e-08, but"):
        coef_table(model, X, y)
    # A model stopped by max_iter close enough to the optimum gets its table.
    model.set_params(tol=tol, max_iter=model.n_iter_[0] - 1)
    with pytest.warns(ConvergenceWarning) if tol else warnings.catch_warnings():
        model.fit(X, y, sample_weight=weight)
    assert model.stop_reason_[0] == "max_iter"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coef_table(model, X, y, sample_weight=weight)


def test_the_distance_from_the_optimum_counts_the_intercept():
    # A converged model whose intercept is moved by k of its standard errors
    # is about k standard errors from the optimum: the Newton step, computed
    # here from the information and the gradient of the log-likelihood, both
    # with the intercept's row.
    X = StandardScaler().fit_transform(SPECTOR_X)
    model = BCELogisticRegression(**TIGHT).fit(X, SPECTOR_Y)
    X1 = np.column_stack([np.ones(len(X)), X])

    def newton_step(beta):
        p = expit(X1 @ beta)
        inverse = np.linalg.inv(X1.T @ (X1 * (p * (1 - p))[:, None]))
        step = inverse @ (X1.T @ (p - SPECTOR_Y))
        return step, np.sqrt(np.diag(inverse))

    optimum = np.r_[model.intercept_, model.coef_[0]]
    std_err = newton_step(optimum)[1][0]
    for k in [0.5, 2.0]:
        model.intercept_[0] = optimum[0] + k * std_err
        step, errors = newton_step(np.r_[model.intercept_, model.coef_[0]])
        with pytest.warns(UserWarning, match="converged with tol=1e-10, but") as caught:
            coef_table(model, X, SPECTOR_Y)
        assert len(caught) == 1
        message = str(caught[0].message)
        distance = float(re.search(r"are (\S+) standard errors", message).group(1))
        assert_allclose(distance, np.max(np.abs(step) / errors), rtol=5e-3)
        assert_allclose(distance, k, rtol=0.2)
    # 0.05 standard errors away is within the 0.1 that the table accepts.
    model.intercept_[0] = optimum[0] + 0.05 * std_err
    step, errors = newton_step(np.r_[model.intercept_, model.coef_[0]])
    assert np.max(np.abs(step) / errors) < 0.06
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coef_table(model, X, SPECTOR_Y)


@pytest.mark.parametrize("tol", [0.0, 1e-4])
def test_a_streamed_model_is_told_its_steps_and_to_fit(tol):
    model = BCELogisticRegression(C=np.inf, tol=tol)
    for _ in range(3):
        model.partial_fit(SPECTOR_X, SPECTOR_Y, classes=[0, 1])
    with pytest.warns(UserWarning, match="partial_fit took 3 steps") as caught:
        coef_table(model, SPECTOR_X, SPECTOR_Y)
    assert str(caught[0].message).endswith(
        "Fit on all the data with fit for inference."
    )
    # Steps enough to reach the optimum give the table, whatever tol (which
    # partial_fit does not use) and early_stopping (which it does not apply).
    X = StandardScaler().fit_transform(SPECTOR_X)
    model = BCELogisticRegression(C=np.inf, tol=tol, early_stopping=True)
    for _ in range(100):
        model.partial_fit(X, SPECTOR_Y, classes=[0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coef_table(model, X, SPECTOR_Y)


def test_a_diverged_model_is_told_to_take_a_smaller_step():
    model = BCELogisticRegression(C=np.inf, learning_rate=1e6, solver="gd")
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.fit(100 * SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match="stop_reason_='diverged'") as caught:
        coef_table(model, 100 * SPECTOR_X, SPECTOR_Y)
    assert "learning_rate='auto' or a smaller step" in str(caught[0].message)
    assert "max_iter" not in str(caught[0].message)
    assert len(caught) == 1  # not also a distance from the optimum


class StopAt:
    """A callback (scikit-learn's callback API) that stops the fit at an iteration."""

    def __init__(self, iteration):
        self.iteration = iteration
        self.iterations = 0

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if fitted_estimator is None or context.task_name != "iteration":
            return False
        self.iterations += 1
        return self.iterations >= self.iteration

    def teardown(self, estimator, context):
        pass


@pytest.mark.skipif(
    callback is None, reason="scikit-learn's callback API needs scikit-learn >= 1.9"
)
@pytest.mark.parametrize("iteration", [4, 400])
def test_a_model_stopped_by_a_callback_is_told_to_fit_again(iteration):
    # Stopped early (4 iterations) or late (400, all but at the optimum): the
    # table says why it is not inference, and only that.
    X = StandardScaler().fit_transform(SPECTOR_X)
    model = BCELogisticRegression(C=np.inf, tol=0, max_iter=10_000)
    model.set_callbacks(StopAt(iteration)).fit(X, SPECTOR_Y)
    assert model.stop_reason_.tolist() == ["stopped by callback"]
    with pytest.warns(UserWarning) as caught:
        coef_table(model, X, SPECTOR_Y)
    assert [str(w.message) for w in caught] == [
        "The fit stopped before it converged (stop_reason_='stopped by callback'): "
        "the coefficients are not the optimum, and the table is not valid "
        "inference. Fit again without stopping it early."
    ]


def test_tol_zero_is_judged_by_its_distance_from_the_optimum():
    # tol=0 runs max_iter iterations (stop_reason_ "max_iter"): enough of them
    # reach the optimum, and the table does not claim otherwise.
    model = BCELogisticRegression(C=np.inf, tol=0, max_iter=2000)
    model.fit(SPECTOR_X, SPECTOR_Y)
    assert model.stop_reason_[0] == "max_iter"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coef_table(model, SPECTOR_X, SPECTOR_Y)
    model.set_params(max_iter=3).fit(SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match=r"with tol=0, but its coefficients are"):
        coef_table(model, SPECTOR_X, SPECTOR_Y)


def test_tol_zero_with_an_l1_penalty_is_judged_by_its_proximal_gradient():
    # At an L1 optimum the raw gradient of a zero coefficient may be as large
    # as the penalty's weight (here 0.035 of 25 zeros): its smallest
    # subgradient residual is what must vanish, and the table only warns
    # that the model is penalised.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = BCELogisticRegression(C=0.05, l1_ratio=1.0, tol=0, max_iter=3000)
    model.fit(X, y)
    assert model.stop_reason_[0] == "max_iter" and np.sum(model.coef_ == 0) > 10
    with pytest.warns(UserWarning) as caught:
        model.coef_table(X, y)
    assert [str(w.message).split(":")[0] for w in caught] == [
        "The model is penalised (C=0.05)"
    ]


def separated_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def test_perfect_separation_raises():
    X, y = separated_data()
    # The fit has said so already.
    with pytest.warns(ConvergenceWarning, match="The model separates the classes"):
        model = BCELogisticRegression(C=np.inf).fit(X, y)
    with pytest.raises(ValueError, match="separates the two classes perfectly"):
        coef_table(model, X, y)
    # With a penalty the estimate exists and has a (penalised) table.
    penalised = BCELogisticRegression(C=1.0).fit(X, y)
    with pytest.warns(UserWarning, match="penalised"):
        table = coef_table(penalised, X, y)
    assert np.isfinite(table.to_numpy()).all()


def quasi_separated_data():
    # Quasi-complete separation: x > 0 is class 1, x < 0 class 0, and x = 0
    # holds both; the likelihood grows along x without bound.
    rng = np.random.default_rng(0)
    x = np.r_[np.linspace(0.5, 2, 10), -np.linspace(0.5, 2, 10), np.zeros(6)]
    y = np.r_[np.ones(10), np.zeros(10), np.tile([0, 1], 3)].astype(int)
    return np.column_stack([x, rng.normal(size=len(x))]), y


def test_quasi_separation_along_no_axis_raises():
    # A boundary in a general direction: the linear program's margins of the
    # samples on it round to about -1e-16, not to 0, and must count as 0.
    rng = np.random.RandomState(0)
    along = rng.randn(60)
    across = rng.rand(60) * 2 - 1
    across[:10] = 0.0  # ten samples on the boundary, of both classes
    normal = np.array([0.3, 0.7]) / np.hypot(0.3, 0.7)
    X = np.outer(across, normal) + np.outer(along, [-normal[1], normal[0]])
    y = (across > 0).astype(int)
    y[:10] = rng.randint(0, 2, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BCELogisticRegression(C=np.inf, tol=1e-6, max_iter=5000).fit(X, y)
    with pytest.raises(ValueError, match="quasi-completely separated"):
        coef_table(model, X, y)


@pytest.mark.parametrize("sparse", [False, True])
def test_quasi_complete_separation_raises(sparse):
    X, y = quasi_separated_data()
    model = BCELogisticRegression(C=np.inf).fit(X, y)
    data = sp.csr_matrix(X) if sparse else X
    with pytest.raises(ValueError, match=r"quasi-completely separated.*finite C"):
        coef_table(model, data, y)
    # Further along the direction of separation, as a longer fit would go:
    # the separated samples get fitted probabilities of 0 or 1.
    model.coef_[0, 0] = 80.0
    with pytest.raises(ValueError, match=r"quasi-completely separated.*finite C"):
        coef_table(model, data, y)
    # An L1 penalty alone adds no curvature: the advice is an L2 part.
    with pytest.warns(ConvergenceWarning):
        model = BCELogisticRegression(C=1e6, l1_ratio=1.0, max_iter=20).fit(X, y)
    model.coef_[0, 0] = 80.0
    with pytest.warns(UserWarning, match="penalised"):
        with pytest.raises(ValueError, match=r"separated.*fit with l1_ratio < 1"):
            coef_table(model, data, y)


@pytest.mark.parametrize("sparse", [False, True])
def test_a_sample_of_zero_weight_does_not_hide_quasi_separation(sparse):
    # A sample on the wrong side of x0 = 0, but of weight zero: the others are
    # still quasi-completely separated.
    X, y = quasi_separated_data()
    X = np.vstack([X, [[1.0, 0.0]]])
    y = np.append(y, 0)
    sample_weight = np.append(np.ones(len(y) - 1), 0.0)
    model = BCELogisticRegression(C=np.inf).fit(X, y, sample_weight=sample_weight)
    model.coef_[0, 0] = 80.0
    data = sp.csr_matrix(X) if sparse else X
    with pytest.raises(ValueError, match=r"quasi-completely separated.*finite C"):
        coef_table(model, data, y, sample_weight=sample_weight)


@pytest.mark.parametrize("sparse", [False, True])
def test_quasi_separation_through_the_intercept_raises(sparse):
    # x0 > 2 is class 1, x0 < 2 class 0, and x0 = 2 holds both: the direction
    # of separation (-2, 1, 0) needs the intercept's column of ones.
    rng = np.random.default_rng(0)
    x = np.r_[2 + np.linspace(0.5, 2, 10), 2 - np.linspace(0.5, 2, 10), np.full(6, 2.0)]
    y = np.r_[np.ones(10), np.zeros(10), np.tile([0, 1], 3)].astype(int)
    X = np.column_stack([x, rng.normal(size=len(x))])
    model = BCELogisticRegression(C=np.inf).fit(X, y)
    data = sp.csr_matrix(X) if sparse else X
    for slope in [40.0, 60.0]:  # along the direction of separation
        model.coef_[0, 0], model.intercept_[0] = slope, -2 * slope
        with pytest.raises(ValueError, match=r"quasi-completely separated.*finite C"):
            coef_table(model, data, y)


@pytest.mark.parametrize("tol", [1e-3, 1e-4, 1e-5, 1e-6, 1e-8])
def test_an_indicator_of_one_class_is_quasi_separation_at_any_tol(tol):
    # Every sample with d = 1 is of class 1: the coefficient of d runs off as
    # far as tol lets it, the information along it falling with tol (about
    # 4e-7 of that at probabilities of 1/2 at tol=1e-8).  From tol=1e-5 to
    # 1e-9 a table came back without a warning (p = 0.98 at 1e-8).
    rng = np.random.default_rng(6)
    x = rng.normal(size=300)
    d = (rng.random(300) < 0.1).astype(float)
    y = (rng.random(300) < 1 / (1 + np.exp(-x))).astype(int)
    y[d == 1] = 1
    X = np.column_stack([x, d])
    model = BCELogisticRegression(C=np.inf, tol=tol, max_iter=100_000).fit(X, y)
    with pytest.raises(ValueError, match=r"quasi-completely separated.*finite C"):
        coef_table(model, X, y)
    # Without the indicator's separation, a table.
    y[np.flatnonzero(d == 1)[0]] = 0
    model = BCELogisticRegression(C=np.inf, tol=tol, max_iter=100_000).fit(X, y)
    with warnings.catch_warnings():  # far from the optimum at a loose tol
        warnings.simplefilter("ignore", UserWarning)
        assert np.isfinite(coef_table(model, X, y).to_numpy()).all()


@pytest.mark.parametrize("tol", [1e-3, 1e-4, 1e-5])
def test_a_rare_indicator_of_one_class_is_refused_without_a_warning_first(tol):
    # Three of 100 samples have d = 1, all of class 1.  At these tols the fit
    # stops within 0.1 standard errors (by one Newton step) of where it would
    # be: nothing warned, and a table gave d a p-value of 0.56 (tol=1e-4),
    # its standard error growing with a smaller tol.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (rng.random(100) < expit(X @ [1.0, -1.0])).astype(int)
    X[:, 1] = 0.0
    X[:3, 1], y[:3] = 1.0, 1
    model = BCELogisticRegression(C=np.inf, tol=tol, max_iter=100_000).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"quasi-completely separated.*finite C"):
            coef_table(model, X, y)


@pytest.mark.parametrize("sparse", [False, True])
def test_a_fit_near_its_optimum_proves_no_separation_without_the_program(
    sparse, monkeypatch
):
    # Its weights of the samples balance the design (Stiemke's lemma): the
    # linear program, which reads the data once per pivot, is not needed.
    def no_program(*args, **kwargs):
        raise AssertionError("the linear program ran")

    monkeypatch.setattr(_inference, "linprog", no_program)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 5))
    y = (rng.random(3000) < expit(X @ rng.normal(size=5) * 2 - 1)).astype(int)
    sample_weight = rng.integers(0, 3, size=3000).astype(float)
    model = BCELogisticRegression(C=np.inf, tol=1e-6)
    model.fit(X, y, sample_weight=sample_weight)
    data = sp.csr_matrix(X) if sparse else X
    table = coef_table(model, data, y, sample_weight=sample_weight)
    assert np.isfinite(table.to_numpy()).all()


def test_an_inexact_certificate_is_not_taken(monkeypatch):
    # The correction balances the design only if solved accurately: one a
    # little off (as an ill-conditioned solve could be) changes no logit by
    # much, but leaves weights that do not balance it, and proves nothing.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y01 = (rng.random(200) < expit(X @ [1.0, -1.0, 0.5])).astype(float)
    s = np.ones(200)
    model = BCELogisticRegression(C=np.inf, tol=1e-8).fit(X, y01)
    z = X @ model.coef_[0] + model.intercept_[0]
    assert _inference._certainly_not_separated(X, y01, s, z, True)
    solve = _inference.cho_solve
    monkeypatch.setattr(_inference, "cho_solve", lambda *args: solve(*args) + 1e-3)
    assert not _inference._certainly_not_separated(X, y01, s, z, True)


@pytest.mark.parametrize("seed", range(40))
def test_the_certificate_of_no_separation_agrees_with_the_program(seed):
    # Any logits: the certificate is never given where the linear program
    # finds a direction of separation, and is given at the optimum of data
    # that are not separated (few samples: 16 of these 40 draws are separated).
    rng = np.random.default_rng(seed)
    n, p = rng.integers(3, 12), rng.integers(1, 4)
    X = rng.normal(size=(n, p)) * rng.choice([0.0, 1.0], size=(n, p), p=[0.3, 0.7])
    y01 = (rng.random(n) < 0.5).astype(float)
    s = rng.choice([0.0, 1.0, 2.5], size=n, p=[0.1, 0.6, 0.3])
    fit_intercept = bool(rng.integers(2))
    try:
        _inference._check_not_quasi_separated(X, y01, s, fit_intercept, "")
        separated = False
    except ValueError:
        separated = True
    for z in [rng.normal(size=n) * 3, np.zeros(n)]:
        certified = _inference._certainly_not_separated(X, y01, s, z, fit_intercept)
        assert not (certified and separated)
    if not separated and np.ptp(y01[s > 0]) > 0:
        model = BCELogisticRegression(
            C=np.inf, tol=1e-10, max_iter=100_000, fit_intercept=fit_intercept
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y01, sample_weight=s)
        z = X @ model.coef_[0] + model.intercept_[0]
        assert _inference._certainly_not_separated(X, y01, s, z, fit_intercept)


def test_a_confidence_level_near_1_gives_finite_intervals():
    from scipy.stats import norm

    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    level = np.nextafter(1.0, 0.0)
    table = coef_table(model, SPECTOR_X, SPECTOR_Y, confidence_level=level)
    half_width = (table["ci_upper"] - table["ci_lower"]) / 2
    assert_allclose(half_width, norm.isf(2**-54) * table["std_err"], rtol=1e-12)
    assert 8.2 < norm.isf(2**-54) < 8.3


def test_rare_events_are_not_taken_for_separation():
    # 1 event in 1e9 trials against 5 in 1e9, as frequency weights: every
    # fitted probability is about 1e-9, without any separation.  statsmodels'
    # GLM(freq_weights) gives these standard errors: sqrt(1/a + 1/b) per group
    # (to 1e-3: a gradient below tol relative to the total weight, 2e9).
    X = np.array([[0.0], [0.0], [1.0], [1.0]])
    y = np.array([0, 1, 0, 1])
    counts = np.array([1e9 - 1, 1, 1e9 - 5, 5])
    model = BCELogisticRegression(C=np.inf, tol=1e-12, max_iter=100_000)
    model.fit(X, y, sample_weight=counts)
    table = coef_table(model, X, y, sample_weight=counts)
    logit0, logit1 = logit(1 / 1e9), logit(5 / 1e9)
    assert_allclose(table["coef"], [logit0, logit1 - logit0], rtol=1e-3)
    se0 = np.sqrt(1 / 1 + 1 / (1e9 - 1))
    se1 = np.sqrt(se0**2 + 1 / 5 + 1 / (1e9 - 5))
    assert_allclose(table["std_err"], [se0, se1], rtol=1e-3)


@pytest.mark.parametrize("kind", ["collinear", "constant"])
def test_singular_information_raises(kind):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] + rng.normal(size=100) > 0).astype(int)
    extra = X[:, 0] - 2 * X[:, 1] if kind == "collinear" else np.full(100, 3.0)
    X = np.column_stack([X, extra])
    model = BCELogisticRegression(C=np.inf, tol=1e-8).fit(X, y)
    with pytest.raises(ValueError, match=r"singular.*collinear.*add an L2 penalty"):
        coef_table(model, X, y)
    # Too weak a penalty is told to grow, not to be added.
    weak = BCELogisticRegression(C=1e14, tol=1e-8).fit(X, y)
    with pytest.warns(UserWarning, match="penalised"):
        with pytest.raises(ValueError, match=r"collinear.*stronger L2 penalty"):
            coef_table(weak, X, y)
    # An L2 penalty makes the (penalised) Hessian invertible.
    ridge = BCELogisticRegression(C=1.0, tol=1e-8).fit(X, y)
    with pytest.warns(UserWarning, match="penalised"):
        assert np.isfinite(coef_table(ridge, X, y).to_numpy()).all()


@pytest.mark.parametrize("sparse", [False, True])
def test_a_zero_column_raises(sparse):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] + rng.normal(size=100) > 0).astype(int)
    X = np.column_stack([X, np.zeros(100)])
    model = BCELogisticRegression(C=np.inf, tol=1e-8).fit(X, y)
    data = sp.csr_matrix(X) if sparse else X
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(
            ValueError,
            match=r"^The information matrix is singular: "
            r"a column of X is zero on all samples with a positive "
            r"weight\.$",
        ):
            coef_table(model, data, y)


def test_an_ill_conditioned_penalised_information_raises():
    # Quasi-separated along x0 + x1 (the samples of both classes on
    # x0 + x1 = 0), with a penalty too weak to matter: far along that
    # direction the penalised Hessian is numerically singular.
    rng = np.random.default_rng(0)
    side = np.abs(rng.normal(size=(20, 2)))
    u = rng.normal(size=8)
    X = np.vstack([side, -side, np.column_stack([u, -u])])
    y = np.r_[np.ones(20), np.zeros(20), np.tile([0, 1], 4)].astype(int)
    C = 1e15
    model = BCELogisticRegression(C=C, l1_ratio=0.0, fit_intercept=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    for k in [300.0, 1e5]:
        model.coef_ = np.array([[k, k]])
        # Scaled to a unit diagonal, its condition number is past 1e12.
        p = expit(X @ model.coef_[0])
        hessian = X.T @ (X * (p * (1 - p))[:, None]) + np.eye(2) / C
        scale = 1 / np.sqrt(np.diag(hessian))
        assert np.linalg.cond(hessian * scale[:, None] * scale) > 1e12
        with pytest.warns(UserWarning, match="penalised"):
            with pytest.raises(
                ValueError, match=r"numerically singular.*Fit with a smaller C\.$"
            ):
                coef_table(model, X, y)


def test_multiclass_raises():
    X, y = load_iris(return_X_y=True)
    model = BCELogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"binary models only.*3 classes"):
        coef_table(model, X, y)


def test_not_fitted_raises():
    with pytest.raises(NotFittedError):
        coef_table(BCELogisticRegression(), SPECTOR_X, SPECTOR_Y)


def test_other_estimators_are_refused_with_what_to_pass():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = BCELogisticRegression(**TIGHT)
    pipeline = make_pipeline(StandardScaler(), model).fit(SPECTOR_X, SPECTOR_Y)
    search = GridSearchCV(model, {"tol": [1e-8, 1e-9]}, cv=2)
    cases = [
        (pipeline, r"got Pipeline\. Pass the pipeline's last step, pipeline\[-1\]"),
        (search, r"got GridSearchCV\. Pass the search's refitted model"),
        (
            LogisticRegression(),
            r"or BCELogisticRegressionCV, got LogisticRegression\.$",
        ),
    ]
    for estimator, message in cases:
        with pytest.raises(TypeError, match=message):
            coef_table(estimator, SPECTOR_X, SPECTOR_Y)
    # What the messages say works.
    table = coef_table(pipeline[-1], pipeline[:-1].transform(SPECTOR_X), SPECTOR_Y)
    assert table.shape == (SPECTOR_X.shape[1] + 1, 6)


def test_bad_data_raises():
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    with pytest.raises(ValueError, match="3 features"):
        coef_table(model, SPECTOR_X[:, :2], SPECTOR_Y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        coef_table(model, SPECTOR_X, SPECTOR_Y[:-1])
    with pytest.raises(ValueError, match=r"labels \[2\]"):
        coef_table(model, SPECTOR_X, np.where(SPECTOR_Y == 1, 2, 0))


@pytest.mark.parametrize("sparse", [False, True])
def test_values_too_large_for_float64_raise_as_in_fit(sparse):
    # x1 in units of 1e-300: the model's coefficient divided by 1e300 is the
    # same model, but its data are refused, by coef_table as by fit.
    units = np.array([1.0, 1e300, 1.0])
    X = SPECTOR_X * units
    data = sp.csr_matrix(X) if sparse else X
    message = r"X has values as large as 2.9e\+301, too large for float64 arithmetic"
    with pytest.raises(ValueError, match=message):
        BCELogisticRegression(**TIGHT).fit(data, SPECTOR_Y)
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    model.coef_ = model.coef_ / units
    with pytest.raises(ValueError, match=message):
        coef_table(model, data, SPECTOR_Y)


def test_column_vector_labels_warn_at_the_callers_line():
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    with pytest.warns(DataConversionWarning, match="column-vector y") as record:
        table = coef_table(model, SPECTOR_X, SPECTOR_Y[:, None])
    assert [w.filename for w in record] == [__file__]
    assert_array_equal(table, coef_table(model, SPECTOR_X, SPECTOR_Y))


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, "0.9", None, [0.9, 0.95]])
def test_bad_confidence_level_raises(level):
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'confidence_level' parameter of coef_table must be a float "
        r"in the range \(0.0, 1.0\)",
    ):
        coef_table(model, SPECTOR_X, SPECTOR_Y, confidence_level=level)


def test_a_feature_named_intercept_keeps_the_rows_apart():
    X = pd.DataFrame(SPECTOR_X, columns=["intercept", "tuce", "psi"])
    model = BCELogisticRegression(**TIGHT).fit(X, SPECTOR_Y)
    table = coef_table(model, X, SPECTOR_Y)
    assert table.index.tolist() == ["(intercept)", "intercept", "tuce", "psi"]
    assert_allclose(table.loc["(intercept)", "coef"], model.intercept_[0])
    assert_allclose(table.loc["intercept", "coef"], model.coef_[0, 0])
    # Also with a feature named "(intercept)": one more pair of parentheses.
    X.columns = ["intercept", "(intercept)", "psi"]
    model = BCELogisticRegression(**TIGHT).fit(X, SPECTOR_Y)
    table = coef_table(model, X, SPECTOR_Y)
    assert table.index.tolist() == ["((intercept))", "intercept", "(intercept)", "psi"]
    assert_allclose(table.loc["((intercept))", "coef"], model.intercept_[0])


def test_a_search_gives_the_table_of_its_refitted_model():
    search = BCELogisticRegressionCV(learning_rates=["auto"], Cs=[10.0], cv=3)
    search.fit(SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match="penalised"):
        table = coef_table(search, SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match="penalised"):
        expected = coef_table(search.best_estimator_, SPECTOR_X, SPECTOR_Y)
    pd.testing.assert_frame_equal(table, expected)
    search.set_params(refit=False).fit(SPECTOR_X, SPECTOR_Y)
    with pytest.raises(ValueError, match="refit=False does not keep"):
        coef_table(search, SPECTOR_X, SPECTOR_Y)


def test_missing_pandas_raises_import_error(monkeypatch):
    model = BCELogisticRegression(**TIGHT).fit(SPECTOR_X, SPECTOR_Y)
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas fails
    expected = r'coef_table needs pandas: pip install "sklearn-bce\[inference\]"'
    with pytest.raises(ImportError, match=expected):
        coef_table(model, SPECTOR_X, SPECTOR_Y)


def test_p_values_and_intervals_follow_from_the_standard_errors(spector_table):
    table = spector_table
    assert_allclose(table["z"], table["coef"] / table["std_err"])
    assert_array_equal(table["ci_lower"] < table["coef"], True)
    assert_allclose(
        table["ci_upper"] - table["ci_lower"], 2 * 1.959963984540054 * table["std_err"]
    )


def test_method_is_the_function():
    X, y = np.asarray(SPECTOR_X, dtype=float), np.asarray(SPECTOR_Y)
    model = BCELogisticRegression(C=np.inf, tol=1e-10, max_iter=100_000).fit(X, y)
    pd.testing.assert_frame_equal(model.coef_table(X, y), coef_table(model, X, y))


def test_elastic_net_hessian_penalises_only_the_l2_part():
    C, l1_ratio = 2.0, 0.25
    model = BCELogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-10, max_iter=100_000)
    model.fit(SPECTOR_X, SPECTOR_Y)
    with pytest.warns(UserWarning, match="penalised"):
        table = coef_table(model, SPECTOR_X, SPECTOR_Y)
    X1 = np.column_stack([np.ones(len(SPECTOR_X)), SPECTOR_X])
    p = model.predict_proba(SPECTOR_X)[:, 1]
    penalty = np.diag([0, 1, 1, 1]) * (1 - l1_ratio) / C
    hessian = X1.T @ (X1 * (p * (1 - p))[:, None]) + penalty
    expected = np.sqrt(np.diag(np.linalg.inv(hessian)))
    assert_allclose(table["std_err"], expected, rtol=1e-8)


def test_separation_ignores_samples_of_zero_weight():
    # A misclassified sample of weight zero does not stop the others from
    # being perfectly separated.
    X, y = separated_data()
    X = np.vstack([X, [[3.0, 0.0]]])
    y = np.append(y, 0)
    sample_weight = np.append(np.ones(len(y) - 1), 0.0)
    with pytest.warns(ConvergenceWarning, match="The model separates the classes"):
        model = BCELogisticRegression(C=np.inf).fit(X, y, sample_weight=sample_weight)
    assert model.predict(X[-1:])[0] == 1
    with pytest.raises(ValueError, match="separates the two classes perfectly"):
        coef_table(model, X, y, sample_weight=sample_weight)
