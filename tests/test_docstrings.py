"""The public API's docstrings follow the numpydoc standard.

Checked with numpydoc's validator, as scikit-learn checks its own: every
parameter documented and in the signature's order, the sections in order,
summaries of one line ending in a period, types and descriptions given.
"""

import inspect

import pytest

import sklearn_bce

validate = pytest.importorskip("numpydoc.validate").validate

#: Checks left out, as many scientific Python projects leave them out:
#: GL01 (the summary may start on the line of the opening quotes), ES01 (no
#: extended summary needed), SA01 (no See Also needed), EX01 (an example
#: in every docstring; the classes and the main functions have one) and
#: RT02 (a return value may be named).
IGNORED = {"GL01", "ES01", "SA01", "EX01", "RT02"}


def public_names():
    """Dotted names of the public classes, their methods, and functions."""
    names = []
    for name in sklearn_bce.__all__:
        obj = getattr(sklearn_bce, name)
        if inspect.isclass(obj):
            names.append(f"sklearn_bce.{name}")
            for member in dir(obj):
                if member.startswith("_"):
                    continue
                attribute = inspect.getattr_static(obj, member)
                function = getattr(attribute, "__func__", attribute)
                function = getattr(function, "fget", function)
                # Members inherited from scikit-learn are its to document.
                module = getattr(function, "__module__", None) or ""
                if module.startswith("sklearn_bce"):
                    names.append(f"sklearn_bce.{name}.{member}")
        elif callable(obj):
            names.append(f"sklearn_bce.{name}")
    return names


def test_the_public_api_is_collected():
    names = public_names()
    for expected in [
        "sklearn_bce.BCELogisticRegression",
        "sklearn_bce.BCELogisticRegression.fit",
        "sklearn_bce.BCELogisticRegression.predict_proba",
        "sklearn_bce.BCELogisticRegressionCV.fit",
        "sklearn_bce.LearningRateDisplay.from_cv_results",
        "sklearn_bce.LossCurveDisplay.plot",
        "sklearn_bce.coef_table",
    ]:
        assert expected in names
    # Not scikit-learn's own (get_params, set_output, ...).
    assert "sklearn_bce.BCELogisticRegression.get_params" not in names


@pytest.mark.parametrize("name", public_names())
def test_docstring(name):
    errors = [
        f"{code}: {message}"
        for code, message in validate(name)["errors"]
        if code not in IGNORED
    ]
    assert not errors, "\n".join([name, *errors])
