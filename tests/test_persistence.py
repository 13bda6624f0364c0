"""Safe persistence with skops: round trips trusting only the types skops lists."""

import importlib
import json
import operator
import sys
import types
import zipfile

import numpy as np
import pytest
import skops.io as sio
from numpy.testing import assert_array_equal
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
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
        # Classes a file could call with its own arguments to write files,
        # fetch URLs or call functions: not estimators nor what they hold.
        ("numpy.memmap", "untrusted"),
        ("numpy.recarray", "untrusted"),
        ("numpy.lib._datasource.DataSource", "untrusted"),
        ("numpy.vectorize", "untrusted"),
        ("sklearn.utils.parallel.Parallel", "untrusted"),
        ("scipy.sparse.linalg.LinearOperator", "untrusted"),
        # What models and searches hold.
        ("scipy.sparse.csr_matrix", "trusted"),
        ("sklearn.metrics._scorer._Scorer", "trusted"),
        ("sklearn.model_selection._split.StratifiedKFold", "trusted"),
        ("numpy.float64", "trusted"),
        ("numpy.random.RandomState", "trusted"),
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


def test_a_file_calling_a_numpy_class_with_its_own_arguments_is_refused(tmp_path):
    # A model file can have skops call a class with arguments it holds:
    # numpy.memmap(path, "uint8", "w+", 0, (16,)) in the pipeline's memory
    # would overwrite the file at path with zeros while the model loads.
    model, _ = pipeline()
    sio.dump(model, tmp_path / "model.skops")
    target = tmp_path / "precious.txt"
    target.write_text("data that must survive loading a model")

    def json_node(value):
        return {
            "__class__": type(value).__name__,
            "__module__": "builtins",
            "__loader__": "JsonNode",
            "content": json.dumps(value),
            "is_json": True,
        }

    def tuple_node(items):
        return {
            "__class__": "tuple",
            "__module__": "builtins",
            "__loader__": "TupleNode",
            "content": items,
        }

    with zipfile.ZipFile(tmp_path / "model.skops") as source:
        files = {name: source.read(name) for name in source.namelist()}
    schema = json.loads(files["schema.json"])
    schema["content"]["content"]["memory"] = {
        "__class__": "memmap",
        "__module__": "numpy",
        "__loader__": "ConstructorFromReduceNode",
        "content": tuple_node(
            [
                json_node(str(target)),
                json_node("uint8"),
                json_node("w+"),
                json_node(0),
                tuple_node([json_node(16)]),
            ]
        ),
    }
    for node_id, node in enumerate(_nodes_without_id(schema), start=10_000):
        node["__id__"] = node_id
    files["schema.json"] = json.dumps(schema)
    with zipfile.ZipFile(tmp_path / "evil.skops", "w") as evil:
        for name, data in files.items():
            evil.writestr(name, data)
    try:
        untrusted = sio.get_untrusted_types(file=tmp_path / "evil.skops")
    except TypeError:  # pragma: no cover - an older skops (0.11)
        pytest.skip("this skops has no loader calling a class with its arguments")
    assert "numpy.memmap" in untrusted
    with pytest.raises(CommandError, match=r"untrusted types numpy\.memmap"):
        load_model(tmp_path / "evil.skops")
    assert target.read_text() == "data that must survive loading a model"


def _nodes_without_id(node):
    """The loader nodes of a skops schema that have no ``__id__`` yet."""
    if isinstance(node, dict):
        if "__loader__" in node and "__id__" not in node:
            yield node
        for value in node.values():
            yield from _nodes_without_id(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes_without_id(value)


def test_a_grid_search_over_the_estimator_loads_and_predicts(tmp_path):
    from sklearn.model_selection import GridSearchCV

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    search = GridSearchCV(BCELogisticRegression(), {"C": [0.1, 1.0]}, cv=3)
    sio.dump(search.fit(X, y), tmp_path / "search.skops")
    loaded = load_model(tmp_path / "search.skops")
    assert_array_equal(loaded.predict_proba(X), search.predict_proba(X))


@pytest.mark.parametrize(
    "make",
    [
        lambda: CalibratedClassifierCV(BCELogisticRegression(), cv=3),
        lambda: RandomForestClassifier(n_estimators=3, random_state=0),
        lambda: make_pipeline(
            ColumnTransformer(
                [
                    (
                        "scale",
                        StandardScaler(),
                        make_column_selector(dtype_include="number"),
                    )
                ]
            ),
            BCELogisticRegression(),
        ),
        lambda: VotingClassifier(
            [("a", BCELogisticRegression()), ("b", RandomForestClassifier(3))],
            voting="soft",
        ),
    ],
    ids=["calibrated", "forest", "column-selector", "voting"],
)
def test_classifiers_holding_other_scikit_learn_objects_load(make, tmp_path):
    # They hold classes that are not estimators (a calibrated classifier, a
    # tree, a column selector, a Bunch of estimators), which the file restores
    # from their attributes or through skops' own loader of a scikit-learn
    # class.
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    model = make().fit(X, y)
    sio.dump(model, tmp_path / "model.skops")
    loaded = load_model(tmp_path / "model.skops")
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize(
    "name, loaders, verdict",
    [
        ("sklearn.calibration._CalibratedClassifier", {"ObjectNode"}, "trusted"),
        ("sklearn.calibration._CalibratedClassifier", None, "untrusted"),
        ("numpy.memmap", {"ObjectNode"}, "trusted"),  # no call: no file
        ("numpy.memmap", {"ObjectNode", "ConstructorFromReduceNode"}, "untrusted"),
        ("numpy.memmap", {"TreeNode"}, "untrusted"),  # not a tree
        ("sklearn.tree._tree.Tree", {"TreeNode"}, "trusted"),
        ("sklearn_bce._logistic.BCELogisticRegression", {"ReduceNode"}, "trusted"),
        ("numpy.load", {"ObjectNode"}, "untrusted"),  # a function
        ("sklearn.utils._bunch.Bunch", {"DictNode"}, "trusted"),  # made empty
        # A splitter that is no BaseCrossValidator, called with arguments.
        ("sklearn.model_selection._split.RepeatedStratifiedKFold", None, "trusted"),
    ],
)
def test_trust_depends_on_whether_the_file_calls_the_class(name, loaders, verdict):
    assert _trust(name, loaders) == verdict
