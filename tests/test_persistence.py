"""Safe persistence with skops: round trips trusting only the types skops lists."""

import importlib
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
from sklearn_bce.__main__ import CommandError, _trust, load_model

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
    "name, verdict",
    [
        ("sklearn_bce._logistic.BCELogisticRegression", "trusted"),
        ("sklearn.preprocessing._data.StandardScaler", "trusted"),
        ("numpy.ndarray", "trusted"),
        # A search's scorer holds a metric function.
        ("sklearn.metrics._classification.log_loss", "trusted"),
        ("numpy.load", "untrusted"),  # a function, not a metric
        # Functions of sklearn.metrics that no named scorer scores with.
        ("sklearn.metrics._scorer.get_scorer", "untrusted"),
        ("sklearn.metrics.pairwise.pairwise_distances", "untrusted"),
        ("sklearn.datasets.fetch_openml", "untrusted"),
        ("sklearnx.Model", "untrusted"),  # not the package, only a similar name
        ("numpy_evil.ndarray", "untrusted"),
        ("builtins.eval", "untrusted"),
        # A trusted package without it: a file of other versions.
        ("sklearn.no_such_module.Thing", "missing"),
        ("sklearn_bce._logistic.NoSuchClass", "missing"),
    ],
)
def test_trusted_classes(name, verdict):
    assert _trust(name) == verdict


def test_a_class_the_packages_lack_is_reported_as_such(tmp_path, monkeypatch):
    model, _ = pipeline()
    sio.dump(model, tmp_path / "model.skops")
    # As a file made with a version that had another module would name it.
    monkeypatch.setattr(
        sio,
        "get_untrusted_types",
        lambda file: ["sklearn_bce._old_logistic.BCELogisticRegression"],
    )
    with pytest.raises(CommandError, match="which the installed packages do not have"):
        load_model(tmp_path / "model.skops")


@pytest.mark.parametrize(
    "module",
    [
        "numpy.f2py.__main__",  # runs f2py on sys.argv
        "sklearn._build_utils.version",  # prints the version
        "numpy._pyinstaller.tests.pyinstaller-smoke",  # a script, not a module name
        "sklearn.conftest",  # imports pytest
        "sklearn.experimental.enable_halving_search_cv",  # changes scikit-learn
        "sklearn.utils._testing",
    ],
)
def test_modules_that_run_code_are_never_imported_to_judge_a_name(module, monkeypatch):
    def refuse(name, *args, **kwargs):
        pytest.fail(f"imported {name}")

    monkeypatch.setattr(importlib, "import_module", refuse)
    assert _trust(f"{module}.Anything") == "untrusted"


def test_a_search_loads_and_predicts(tmp_path):
    from sklearn_bce import BCELogisticRegressionCV

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    search = BCELogisticRegressionCV(learning_rates=["auto"], cv=3).fit(X, y)
    sio.dump(search, tmp_path / "search.skops")
    loaded = load_model(tmp_path / "search.skops")
    assert_array_equal(loaded.predict_proba(X), search.predict_proba(X))


def test_a_similar_package_name_is_not_trusted(monkeypatch):
    # An importable module whose name only starts like a trusted package.
    impostor = types.ModuleType("sklearnx")
    impostor.Model = type("Model", (), {})
    monkeypatch.setitem(sys.modules, "sklearnx", impostor)
    assert _trust("sklearnx.Model") == "untrusted"
