"""Safe persistence with skops: round trips trusting only the types skops lists."""

import operator
import sys
import types

import numpy as np
import pytest
import skops.io as sio
from numpy.testing import assert_array_equal
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from skops.io.exceptions import UntrustedTypesFoundException

from sklearn_bce import BCELogisticRegression
from sklearn_bce.__main__ import CommandError, _is_trusted_class, load_model

TRUSTED_PACKAGES = {"sklearn_bce", "sklearn", "numpy"}


def binary_estimator():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return BCELogisticRegression().fit(X, y), X


def multiclass_estimator():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    return BCELogisticRegression(solver="gd", max_iter=3000).fit(X, labels), X


def pipeline():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return make_pipeline(StandardScaler(), BCELogisticRegression()).fit(X, y), X


def final_step(model):
    return model[-1] if hasattr(model, "steps") else model


@pytest.mark.parametrize(
    "make", [binary_estimator, multiclass_estimator, pipeline], ids=lambda f: f.__name__
)
def test_round_trip_trusting_only_the_listed_types(make):
    model, X = make()
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    # Only this package's own classes need trusting; skops trusts the
    # scikit-learn and numpy types it knows by default.
    assert "sklearn_bce._logistic.BCELogisticRegression" in untrusted
    assert {name.split(".")[0] for name in untrusted} <= TRUSTED_PACKAGES
    loaded = sio.loads(data, trusted=untrusted)
    assert type(loaded) is type(model)
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert_array_equal(loaded.predict(X), model.predict(X))
    original, restored = final_step(model), final_step(loaded)
    assert restored.get_params() == original.get_params()
    for name in [
        "classes_",
        "coef_",
        "intercept_",
        "n_iter_",
        "loss_curve_",
        "converged_",
        "stop_reason_",
    ]:
        assert_array_equal(getattr(restored, name), getattr(original, name))
        assert getattr(restored, name).dtype == getattr(original, name).dtype


def test_loading_without_trusting_refuses():
    model, _ = binary_estimator()
    with pytest.raises(UntrustedTypesFoundException, match="BCELogisticRegression"):
        sio.loads(sio.dumps(model), trusted=[])


def dump_pipeline_with_a_function(path):
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(FunctionTransformer(operator.neg), BCELogisticRegression())
    sio.dump(model.fit(X[:, :3], y), path)
    return path


def test_model_with_foreign_types_is_refused(tmp_path):
    path = dump_pipeline_with_a_function(tmp_path / "evil.skops")
    assert "_operator.neg" in sio.get_untrusted_types(file=path)
    with pytest.raises(CommandError, match=r"untrusted types _operator\.neg"):
        load_model(path)


def test_model_of_trusted_types_loads(tmp_path):
    model, X = pipeline()
    sio.dump(model, tmp_path / "model.skops")
    loaded = load_model(tmp_path / "model.skops")
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize(
    "name, trusted",
    [
        ("sklearn_bce._logistic.BCELogisticRegression", True),
        ("sklearn.preprocessing._data.StandardScaler", True),
        ("numpy.ndarray", True),
        ("numpy.load", False),  # a function, not a class
        ("sklearn.datasets.fetch_openml", False),
        ("sklearnx.Model", False),  # not the package, only a similar name
        ("numpy_evil.ndarray", False),
        ("builtins.eval", False),
        ("sklearn.no_such_module.Thing", False),
    ],
)
def test_trusted_classes(name, trusted):
    assert _is_trusted_class(name) is trusted


def test_a_similar_package_name_is_not_trusted(monkeypatch):
    # An importable module whose name only starts like a trusted package.
    impostor = types.ModuleType("sklearnx")
    impostor.Model = type("Model", (), {})
    monkeypatch.setitem(sys.modules, "sklearnx", impostor)
    assert not _is_trusted_class("sklearnx.Model")
