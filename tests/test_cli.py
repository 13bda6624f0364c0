"""``python -m sklearn_bce fit`` and ``predict``, run as a user runs them.

A few tests run the program in a new process (``run``): its exit status,
what it prints, the files it writes and reads back.  The others call its
``main`` in this process (``run_here`` or ``cli.main``), which is the same
code without an interpreter's start-up each time.
"""

import contextlib
import importlib
import io
import operator
import os
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge, RidgeClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import sklearn_bce.__main__ as cli
from sklearn_bce import BCELogisticRegression, BCELogisticRegressionCV, __version__

CLI = [sys.executable, "-m", "sklearn_bce"]
#: The folder that holds the sklearn_bce under test.  Put first on the
#: subprocesses' path: run from a temporary folder, ``-m sklearn_bce`` would
#: otherwise import whichever copy is installed (another checkout, say).
SOURCE_ROOT = str(Path(cli.__file__).resolve().parents[1])


def environment():
    path = [SOURCE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def run(*args, cwd):
    return subprocess.run(
        [*CLI, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env=environment(),
    )


def run_here(*args, cwd):
    """``run`` in this process: ``main`` from ``cwd``, its output captured.

    For the behaviour of the commands, without the cost of a new interpreter
    (importing skops alone takes seconds where PyTorch is installed).  The
    warnings that the program lets escape are added to its stderr, as a
    process would print them.
    """
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(record=True) as escaped,
    ):
        warnings.simplefilter("default")
        returncode = cli.main(list(map(str, args)))
    for w in escaped:
        err.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
    return SimpleNamespace(
        returncode=returncode, stdout=out.getvalue(), stderr=err.getvalue()
    )


def breast_cancer_frame():
    """A small CSV-able table: five features and the 0/1 target."""
    data = load_breast_cancer(as_frame=True).frame
    return data[[*data.columns[:5], "target"]]


def iris_frame():
    data = load_iris(as_frame=True)
    frame = data.frame.copy()
    frame["target"] = data.target_names[data.target]
    return frame


def load(path):
    return sio.load(path, trusted=sio.get_untrusted_types(file=path))


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """``fit`` on a binary CSV with --model and --plot, run once."""
    folder = tmp_path_factory.mktemp("fit")
    breast_cancer_frame().to_csv(folder / "data.csv", index=False)
    result = run(
        "fit",
        "data.csv",
        "--target",
        "target",
        "--C",
        "0.5",
        "--model",
        "model.skops",
        "--plot",
        "loss.png",
        cwd=folder,
    )
    return folder, result


def test_fit_prints_both_models_and_writes_the_files(fitted):
    folder, result = fitted
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for row in [
        "train accuracy",
        "train log-loss",
        "test accuracy",
        "test log-loss",
        "iterations",
        "fit time (ms)",
    ]:
        assert row in result.stdout
    assert "BCELogisticRegression" in result.stdout
    assert "LogisticRegression " in result.stdout.replace("\n", " ")
    assert "426 training and 143 test samples" in result.stdout
    assert (folder / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    model = load(folder / "model.skops")
    assert [name for name, _ in model.steps] == [
        "standardscaler",
        "bcelogisticregression",
    ]
    assert model[-1].C == 0.5
    assert list(model.feature_names_in_) == list(breast_cancer_frame().columns[:5])


def test_fit_says_where_it_wrote_the_files(fitted):
    _, result = fitted
    lines = result.stdout.splitlines()
    assert "model written to model.skops" in lines
    assert "loss curve written to loss.png" in lines


def test_predict_writes_the_predictions_of_the_saved_model(fitted):
    folder, _ = fitted
    result = run(
        "predict", "model.skops", "data.csv", "--output", "out.csv", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    predictions = pd.read_csv(folder / "out.csv")
    assert list(predictions.columns) == ["prediction", "proba_0", "proba_1"]
    model = load(folder / "model.skops")
    X = breast_cancer_frame().drop(columns="target")  # the target is ignored
    assert_array_equal(predictions["prediction"], model.predict(X))
    assert_allclose(
        predictions[["proba_0", "proba_1"]], model.predict_proba(X), rtol=1e-12
    )


def test_predict_leaves_missing_and_text_values_to_a_pipeline_that_takes_them(
    tmp_path,
):
    # A saved pipeline that imputes and encodes: the command does not refuse
    # what its steps handle; a model that fails on such values is refused
    # with the command's own message, naming the column.
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder

    frame = breast_cancer_frame()
    X = frame.drop(columns="target").assign(city=["a", "b", "c"] * 189 + ["a", "b"])
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["city"]),
            remainder=make_pipeline(SimpleImputer(), StandardScaler()),
        ),
        BCELogisticRegression(),
    ).fit(X, frame["target"])
    sio.dump(model, tmp_path / "imputing.skops")
    rows = X.iloc[:4].copy()
    rows.iloc[0, 0] = np.nan
    rows.iloc[1, -1] = "unseen"
    rows.to_csv(tmp_path / "rows.csv", index=False)
    result = run_here("predict", "imputing.skops", "rows.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    printed = pd.read_csv(io.StringIO(result.stdout))
    assert_array_equal(printed["prediction"], model.predict(rows))
    assert_allclose(printed[["proba_0", "proba_1"]], model.predict_proba(rows))
    # Other data the model refuses: its reason, in one line.
    strict = clone(model).set_params(columntransformer__onehotencoder=OneHotEncoder())
    sio.dump(strict.fit(X, frame["target"]), tmp_path / "strict.skops")
    result = run_here("predict", "strict.skops", "rows.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "sklearn-bce: error: rows.csv: the model cannot predict these rows: "
        "Found unknown categories ['unseen'] in column 0 during transform"
    )
    # A model without those steps: refused, naming the column.
    plain = make_pipeline(StandardScaler(), BCELogisticRegression())
    sio.dump(plain.fit(X.drop(columns="city"), frame["target"]), tmp_path / "p.skops")
    rows.drop(columns="city").to_csv(tmp_path / "nan.csv", index=False)
    result = run_here("predict", "p.skops", "nan.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "sklearn-bce: error: nan.csv: feature column(s) 'mean radius' have 1 "
        "missing value(s); fill or drop them\n"
    )


def test_predict_says_how_many_predictions_it_wrote(bad_inputs, capsys, monkeypatch):
    monkeypatch.chdir(bad_inputs)
    assert cli.main(["predict", "model.skops", "data.csv", "--output", "p.csv"]) == 0
    rows = len(pd.read_csv("data.csv"))
    assert capsys.readouterr().out == f"{rows} predictions written to p.csv\n"
    assert len(pd.read_csv("p.csv")) == rows


def test_predict_prints_csv_without_output(fitted):
    folder, _ = fitted
    result = run_here("predict", "model.skops", "data.csv", cwd=folder)
    assert result.returncode == 0, result.stderr
    printed = pd.read_csv(io.StringIO(result.stdout))
    model = load(folder / "model.skops")
    X = breast_cancer_frame().drop(columns="target")
    assert list(printed.columns) == ["prediction", "proba_0", "proba_1"]
    assert_array_equal(printed["prediction"], model.predict(X))
    assert_allclose(printed[["proba_0", "proba_1"]], model.predict_proba(X), rtol=1e-12)


def test_multiclass_string_labels_round_trip(tmp_path):
    frame = iris_frame()
    frame.to_csv(tmp_path / "iris.csv", index=False)
    fit = run_here(
        "fit",
        "iris.csv",
        "--target",
        "target",
        "--solver",
        "gd",
        "--max-iter",
        "5000",
        "--test-size",
        "0",
        "--model",
        "iris.skops",
        cwd=tmp_path,
    )
    assert fit.returncode == 0, fit.stderr
    assert "150 training and 0 test samples" in fit.stdout
    assert "test accuracy" not in fit.stdout
    new = frame.drop(columns="target").sample(20, random_state=0)
    new.to_csv(tmp_path / "new.csv", index=False)
    result = run_here(
        "predict", "iris.skops", "new.csv", "--output", "p.csv", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    predictions = pd.read_csv(tmp_path / "p.csv")
    classes = ["setosa", "versicolor", "virginica"]
    assert list(predictions.columns) == ["prediction", *(f"proba_{c}" for c in classes)]
    model = load(tmp_path / "iris.skops")
    assert_array_equal(predictions["prediction"], model.predict(new))
    assert_allclose(predictions.iloc[:, 1:], model.predict_proba(new), rtol=1e-12)
    assert model[-1].solver == "gd"


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory):
    """Files for the failure paths, and a good model to predict with."""
    folder = tmp_path_factory.mktemp("bad")
    frame = breast_cancer_frame()
    frame.to_csv(folder / "data.csv", index=False)
    frame.assign(city="Paris").to_csv(folder / "text.csv", index=False)
    frame.assign(target=1).to_csv(folder / "oneclass.csv", index=False)
    missing = frame.copy()
    missing.iloc[3, 0] = np.nan
    missing.to_csv(folder / "nan.csv", index=False)
    infinite = frame.copy()
    infinite.iloc[[3, 5], 1] = [np.inf, -np.inf]
    infinite.to_csv(folder / "inf.csv", index=False)
    frame[frame.columns[:2]].to_csv(folder / "fewer.csv", index=False)
    frame.to_csv(folder / "noheader_target.csv", index=False, header=False)
    features = frame.drop(columns="target")
    features.to_csv(folder / "noheader.csv", index=False, header=False)
    features.to_csv(folder / "features.csv", index=False)
    (folder / "notmodel.skops").write_text("not a model\n")
    rare = pd.DataFrame({"a": range(1, 7), "t": [0, 0, 0, 1, 1, 2]})
    rare.to_csv(folder / "rare.csv", index=False)
    rare.assign(t=["x", "x", "x", "x", "y", "z"]).to_csv(
        folder / "rare2.csv", index=False
    )
    rare.assign(t=[0, 0, 0, 1, 1, 1]).to_csv(folder / "six.csv", index=False)
    (folder / "twice.csv").write_text("a,t,t\n1,0,0\n2,1,1\n3,0,0\n4,1,1\n")
    rare.assign(t=np.linspace(0.1, 0.6, 6)).to_csv(folder / "real.csv", index=False)
    rare.assign(a=[1e308, -1e308, 1.0, 2.0, 3.0, 4.0], t=[0, 1] * 3).to_csv(
        folder / "huge.csv", index=False
    )
    (folder / "empty.csv").write_text("")
    (folder / "header.csv").write_text("a,t\n")
    (folder / "latin1.csv").write_bytes("a,t\n1,café\n2,thé\n".encode("latin-1"))
    rare[["t"]].to_csv(folder / "target_only.csv", index=False)
    frame.assign(target=frame["target"].where(frame.index % 100 > 0)).to_csv(
        folder / "no_label.csv", index=False
    )
    for width in [10, 11]:
        wide = pd.DataFrame(
            np.ones((4, width - 1)), columns=[f"x{i}" for i in range(width - 1)]
        )
        wide.assign(t=[0, 1, 0, 1]).to_csv(folder / f"wide{width}.csv", index=False)
    X, y = frame.drop(columns="target"), frame["target"]
    sio.dump(make_pipeline(BCELogisticRegression()).fit(X, y), folder / "model.skops")
    sio.dump(BCELogisticRegression().fit(X.to_numpy(), y), folder / "unnamed.skops")
    incomplete = make_pipeline(BCELogisticRegression()).fit(X, y)
    del incomplete[-1].intercept_  # as a file of another version might lack it
    sio.dump(incomplete, folder / "incomplete.skops")
    mislabelled = make_pipeline(BCELogisticRegression()).fit(X, y)
    mislabelled[-1].classes_ = np.array([0, 1, 2])  # more than its columns
    sio.dump(mislabelled, folder / "mislabelled.skops")
    evil = make_pipeline(FunctionTransformer(operator.neg), BCELogisticRegression())
    sio.dump(evil.fit(X, y), folder / "evil.skops")
    sio.dump(RidgeClassifier().fit(X, y), folder / "ridge.skops")
    sio.dump(Ridge().fit(X, y), folder / "regressor.skops")
    sio.dump({"a": 1}, folder / "dict.skops")
    sio.dump(make_pipeline(BCELogisticRegression()), folder / "unfitted.skops")
    (folder / "folder.skops").mkdir()
    # A skops file that skops cannot read (as one of a newer protocol, which
    # skops 0.12 and later refuse): its schema cut short.
    with (
        zipfile.ZipFile(folder / "model.skops") as source,
        zipfile.ZipFile(folder / "unreadable.skops", "w") as target,
    ):
        for name in source.namelist():
            content = source.read(name)
            if name == "schema.json":
                content = content[: len(content) // 2]
            target.writestr(name, content)
    # A first row of numbers in which the target's name is found.
    rare.assign(t=[0, 1] * 3).to_csv(folder / "numbers.csv", index=False, header=False)
    return folder


FAILURES = {
    "missing data file": (["fit", "nope.csv", "--target", "target"], "no such file"),
    "unknown target": (
        ["fit", "data.csv", "--target", "label"],
        "unknown target column 'label'",
    ),
    "non-numeric feature": (
        ["fit", "text.csv", "--target", "target"],
        "non-numeric feature column(s) 'city'",
    ),
    "one class": (
        ["fit", "oneclass.csv", "--target", "target"],
        "the target column 'target' has only one class (1); two or more",
    ),
    "a class of one sample": (
        ["fit", "rare.csv", "--target", "t"],
        "rare.csv: class 2 of the target column 't' has a single sample, so it "
        "cannot be both trained on and evaluated",
    ),
    "classes of one sample": (
        ["fit", "rare2.csv", "--target", "t"],
        "classes 'y', 'z' of the target column 't' have a single sample each",
    ),
    "too small a test set": (
        ["fit", "six.csv", "--target", "t", "--test-size", "0.1"],
        "six.csv: cannot split 6 samples of 2 classes into train and test sets",
    ),
    # pandas would read the second "t" as a feature "t.1".
    "a target named twice": (
        ["fit", "twice.csv", "--target", "t"],
        "twice.csv: the header names 2 columns 't': give the target column a "
        "name of its own",
    ),
    # scikit-learn's sentence ends in a full stop, which the advice replaces.
    "a train set left empty": (
        ["fit", "six.csv", "--target", "t", "--test-size", "0.99"],
        "the resulting train set will be empty. Adjust any of the aforementioned "
        "parameters; choose a --test-size",
    ),
    "too small a test set, with advice": (
        ["fit", "six.csv", "--target", "t", "--test-size", "0.1"],
        "; choose a --test-size that leaves both parts at least one row of every "
        "class, or use --test-size 0 (no test set)",
    ),
    "missing values": (
        ["fit", "nan.csv", "--target", "target"],
        "nan.csv: feature column(s) 'mean radius' have 1 missing value(s)",
    ),
    "missing values to predict": (
        ["predict", "model.skops", "nan.csv"],
        "nan.csv: feature column(s) 'mean radius' have 1 missing value(s)",
    ),
    "infinite values": (
        ["fit", "inf.csv", "--target", "target"],
        "inf.csv: feature column(s) 'mean texture' have 2 infinite value(s)",
    ),
    "infinite values to predict": (
        ["predict", "model.skops", "inf.csv"],
        "inf.csv: feature column(s) 'mean texture' have 2 infinite value(s)",
    ),
    "a model whose classes and probabilities disagree": (
        ["predict", "mislabelled.skops", "data.csv"],
        "mislabelled.skops: cannot predict with this model (was it made with "
        "other versions?): 3 class(es) in classes_",
    ),
    "a model of other versions": (
        ["predict", "incomplete.skops", "data.csv"],
        "incomplete.skops: cannot predict with this model (was it made with "
        "other versions?): 'BCELogisticRegression' object has no attribute "
        "'intercept_'",
    ),
    "a continuous target": (
        ["fit", "real.csv", "--target", "t"],
        "real.csv: the target column 't' holds continuous values, not class labels",
    ),
    "values too large to standardise": (
        ["fit", "huge.csv", "--target", "t"],
        "huge.csv: feature column(s) 'a' have values too large to standardise",
    ),
    "unwritable model": (
        ["fit", "data.csv", "--target", "target", "--model", "no/dir/m.skops"],
        "cannot write the model",
    ),
    "untrusted model": (
        ["predict", "evil.skops", "data.csv"],
        "untrusted types _operator.neg",
    ),
    "not a model file": (["predict", "notmodel.skops", "data.csv"], "not a skops"),
    "a skops file that skops cannot read": (
        ["predict", "unreadable.skops", "data.csv"],
        "unreadable.skops: a skops model file that the installed skops cannot read (",
    ),
    "a folder for a model file": (
        ["predict", "folder.skops", "data.csv"],
        "folder.skops: is a directory, not a model file",
    ),
    "a classifier without probabilities": (
        ["predict", "ridge.skops", "data.csv"],
        "ridge.skops: holds a RidgeClassifier, a classifier without "
        "predict_proba: predict writes the probabilities of the classes",
    ),
    "a regressor": (
        ["predict", "regressor.skops", "data.csv"],
        "regressor.skops: does not hold a classifier (it holds a Ridge)",
    ),
    "not an estimator": (
        ["predict", "dict.skops", "data.csv"],
        "dict.skops: does not hold a classifier (it holds a dict)",
    ),
    "an unfitted model": (
        ["predict", "unfitted.skops", "data.csv"],
        "unfitted.skops: holds an unfitted Pipeline",
    ),
    "missing model file": (["predict", "nope.skops", "data.csv"], "no such file"),
    "missing predict data": (["predict", "model.skops", "nope.csv"], "no such file"),
    "missing feature columns": (
        ["predict", "model.skops", "fewer.csv"],
        "fewer.csv: missing 3 feature column(s) that the model was fitted on: "
        "'mean perimeter', 'mean area', 'mean smoothness'",
    ),
    # A file without a header row: its first row of numbers names the columns.
    "a headerless file for a model with feature names": (
        ["predict", "model.skops", "noheader.csv"],
        "missing 5 feature column(s) that the model was fitted on: 'mean radius', "
        "'mean texture', 'mean perimeter', 'mean area', 'mean smoothness'; the "
        "first row is read as the column names, and this file's are numbers: if "
        "it has no header row, pass --no-header",
    ),
    "a headerless file for a model without feature names": (
        ["predict", "unnamed.skops", "noheader.csv"],
        "noheader.csv: the first row is read as the column names, and it holds "
        "numbers: if it is a row of data, pass --no-header",
    ),
    "a headerless training file": (
        ["fit", "noheader_target.csv", "--target", "target"],
        "unknown target column 'target' (columns: '17.99', '10.38', '122.8', "
        "'1001.0', '0.1184', '0'); the first row is read as the column names, and "
        "this file's are numbers: add a header row that names the columns",
    ),
    # The target's name is among the numbers: that row is still refused.
    "a headerless training file naming the target": (
        ["fit", "numbers.csv", "--target", "0"],
        "numbers.csv: the first row is read as the column names, and it holds "
        "numbers: if it is a row of data, add a header row",
    ),
    "a header read as a row by --no-header": (
        ["predict", "model.skops", "features.csv", "--no-header"],
        "features.csv: the first row holds no numbers, as a header row of column "
        "names does: if it names the columns, drop --no-header",
    ),
    "no header and other columns than the model's": (
        ["predict", "model.skops", "fewer.csv", "--no-header"],
        "fewer.csv: 2 column(s), but the model was fitted on 5 feature(s)",
    ),
    # A model fitted without column names counts the columns.
    "fewer columns than the model's features": (
        ["predict", "unnamed.skops", "fewer.csv"],
        "fewer.csv: 2 column(s), but the model was fitted on 5 feature(s) "
        "(without names: the columns are taken in order)",
    ),
    "unwritable predictions": (
        ["predict", "model.skops", "data.csv", "--output", "no/dir/p.csv"],
        "no/dir/p.csv: cannot write the predictions",
    ),
    "empty file": (
        ["fit", "empty.csv", "--target", "t"],
        "empty.csv: the file is empty",
    ),
    "a header without rows": (
        ["fit", "header.csv", "--target", "t"],
        "header.csv: no data rows",
    ),
    "not UTF-8": (
        ["fit", "latin1.csv", "--target", "t"],
        "latin1.csv: not a text (UTF-8) CSV file",
    ),
    "no feature columns": (
        ["fit", "target_only.csv", "--target", "t"],
        "target_only.csv: no feature columns besides the target",
    ),
    "missing labels": (
        ["fit", "no_label.csv", "--target", "target"],
        "no_label.csv: the target column 'target' has 6 missing value(s)",
    ),
    # Up to ten columns are listed, all of them when there are no more.
    "unknown target among ten columns": (
        ["fit", "wide10.csv", "--target", "label"],
        "unknown target column 'label' (columns: 'x0', 'x1', 'x2', 'x3', 'x4', "
        "'x5', 'x6', 'x7', 'x8', 't')",
    ),
    "unknown target among eleven columns": (
        ["fit", "wide11.csv", "--target", "label"],
        "unknown target column 'label' (columns: 'x0', 'x1', 'x2', 'x3', 'x4', "
        "'x5', 'x6', 'x7', 'x8', 'x9', ... (1 more))",
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_bad_input_is_one_line_on_stderr(bad_inputs, capsys, monkeypatch, case):
    # In this process (a traceback would be an exception raised here); the
    # next test runs one case as its own process.
    monkeypatch.chdir(bad_inputs)
    args, expected = FAILURES[case]
    # A warning would be a second line on a process's stderr.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cli.main(args) == 1
    assert [str(w.message) for w in caught] == []
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("sklearn-bce: error: ")
    assert expected in lines[0]


def test_bad_input_of_a_process_is_one_line_and_status_1(bad_inputs):
    args, expected = FAILURES["non-numeric feature"]
    result = run(*args, cwd=bad_inputs)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("sklearn-bce: error: ")
    assert expected in line


def test_a_reader_that_goes_away_ends_the_output_quietly_with_status_1(bad_inputs):
    # As with "sklearn-bce predict ... | head": the reader closes the pipe
    # (here before the program starts writing its predictions).
    process = subprocess.Popen(
        [*CLI, "predict", "model.skops", "data.csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=bad_inputs,
        env=environment(),
    )
    process.stdout.close()
    error = process.stderr.read()
    assert process.wait(timeout=300) == 1
    assert error == ""


def test_help_lists_the_commands():
    result = subprocess.run([*CLI, "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ["demo", "fit", "predict"]:
        assert command in result.stdout


def test_version_prints_the_version_with_status_0(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"{__version__}\n"


@pytest.mark.parametrize("argv", [[], ["--repeats", "1"]])
def test_demo_stays_the_default_command(monkeypatch, argv):
    calls = []
    monkeypatch.setattr(cli, "run_demo", calls.append)
    assert cli.main(argv) == 0
    assert [args.command for args in calls] == ["demo"]
    assert calls[0].repeats == (int(argv[1]) if argv else 5)


DEFAULTS = {
    # The README's demo: tol=1e-6, the median of 5 fits.
    "demo": {
        "learning_rates": ["auto", 0.03, 0.1, 0.3, 1.0, 3.0, 100.0],
        "C": 1.0,
        "solver": "nesterov",
        "max_iter": 10_000,
        "tol": 1e-6,
        "repeats": 5,
        "test_size": 0.25,
        "cv": 5,
        "random_state": 0,
    },
    "fit": {
        "learning_rate": "auto",
        "C": 1.0,
        "solver": "nesterov",
        "max_iter": 1000,
        "tol": 1e-4,
        "test_size": 0.25,
        "random_state": 0,
    },
}


@pytest.mark.parametrize("command", list(DEFAULTS))
def test_commands_run_with_the_defaults_their_help_shows(capsys, monkeypatch, command):
    calls = []
    monkeypatch.setattr(cli, f"run_{command}", calls.append)
    argv = {"demo": [], "fit": ["fit", "data.csv", "--target", "t"]}[command]
    assert cli.main(argv) == 0
    expected = DEFAULTS[command]
    assert {name: getattr(calls[0], name) for name in expected} == expected
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    options = text.split(" options: ")[1]
    helps = dict(re.findall(r"--([a-zA-Z-]+) (.*?)(?= --[a-zA-Z]|$)", options))
    for name, value in expected.items():
        assert helps[name.replace("_", "-")].endswith(f"default: {value})")


DEMO_OPTION_ERRORS = {
    "C not a number": (["--C", "abc"], "--C: C must be a positive number or 'inf'"),
    "C zero": (["--C", "0"], "--C: C must be a positive number or 'inf'"),
    "tol not a number": (["--tol", "abc"], "--tol: must be a positive number"),
    "tol zero": (["--tol", "0"], "--tol: must be a positive number"),
    "tol infinite": (["--tol", "inf"], "--tol: must be a positive number"),
    "learning rate zero": (
        ["--learning-rates", "auto", "0"],
        "--learning-rates: learning rate must be 'auto' or a positive number",
    ),
    "learning rate infinite": (
        ["--learning-rates", "inf"],
        "--learning-rates: learning rate must be 'auto' or a positive number",
    ),
    "max-iter zero": (["--max-iter", "0"], "--max-iter: must be a positive integer"),
    "max-iter float": (["--max-iter", "1.5"], "--max-iter: must be a positive integer"),
    "repeats zero": (["--repeats", "0"], "--repeats: must be a positive integer"),
    "test-size zero": (["--test-size", "0"], "--test-size: must be a fraction in"),
    "test-size one": (["--test-size", "1"], "--test-size: must be a fraction in"),
    "test-size text": (["--test-size", "x"], "--test-size: must be a fraction in"),
    "cv one": (["--cv", "1"], "--cv: must be an integer >= 2"),
    "random-state negative": (
        ["--random-state", "-1"],
        "--random-state: must be an integer in [0, 2**32 - 1]",
    ),
    "random-state too large": (
        ["--random-state", str(2**32)],
        "--random-state: must be an integer in [0, 2**32 - 1]",
    ),
    "cv text": (["--cv", "five"], "--cv: must be an integer >= 2"),
}


@pytest.mark.parametrize("case", list(DEMO_OPTION_ERRORS))
def test_demo_options_are_checked_with_a_clear_message(capsys, monkeypatch, case):
    argv, message = DEMO_OPTION_ERRORS[case]
    monkeypatch.setattr(cli, "run_demo", lambda args: pytest.fail("demo ran"))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", *argv])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("sklearn-bce demo: error: argument ")
    assert message in error
    assert "invalid" not in error  # argparse's "invalid <function> value"


def _plot_paths(tmp_path):
    (tmp_path / "file").write_text("")
    return {
        "missing directory": (tmp_path / "missing" / "x.png", "no such directory"),
        "a directory": (tmp_path, "it is a directory"),
        "parent is a file": (tmp_path / "file" / "x.png", "is not a directory"),
        "unknown format": (tmp_path / "x.foo", "unknown image format 'foo'"),
    }


@pytest.mark.parametrize(
    "case", ["missing directory", "a directory", "parent is a file", "unknown format"]
)
def test_demo_bad_plot_path_fails_before_the_search(
    tmp_path, capsys, monkeypatch, case
):
    path, message = _plot_paths(tmp_path)[case]
    monkeypatch.setattr(cli, "load_breast_cancer", lambda: pytest.fail("fitted"))
    assert cli.main(["--plot", str(path)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"sklearn-bce: error: {path}: cannot write the plot: ")
    assert message in lines[0]


def test_plot_formats_are_those_matplotlib_writes_in_any_case(tmp_path):
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.figure import Figure

    # savefig writes "x.PNG" as a PNG: the check accepts it.
    path = str(tmp_path / "x.PNG")
    assert cli._check_plot_path(path) == path
    Figure().savefig(path)
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # An unknown format is refused with the list of those it could be.
    with pytest.raises(cli.CommandError) as error:
        cli._check_plot_path(str(tmp_path / "x.jpeg2"))
    supported = re.search(r"\(supported: (.*)\)$", str(error.value))[1]
    formats = FigureCanvasBase.get_supported_filetypes()
    assert supported.split(", ") == sorted(formats)


@pytest.mark.parametrize("option", ["--model", "--plot"])
def test_fit_bad_output_path_fails_before_reading_the_data(
    tmp_path, capsys, monkeypatch, option
):
    path = tmp_path / "missing" / "out.png"
    monkeypatch.setattr(cli, "_read_csv", lambda path: pytest.fail("read"))
    assert cli.main(["fit", "data.csv", "--target", "t", option, str(path)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "cannot write the" in lines[0]
    assert "no such directory" in lines[0]


def test_fit_without_skops_fails_before_reading_the_data(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)
    monkeypatch.setattr(cli, "_read_csv", lambda path: pytest.fail("read"))
    argv = ["fit", "data.csv", "--target", "t", "--model", str(tmp_path / "m.skops")]
    assert cli.main(argv) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        "sklearn-bce: error: --model needs skops: pip install 'sklearn-bce[cli]'"
    ]


def test_fit_passes_the_learning_rate(tmp_path, capsys):
    # --learning-rate reaches the model: saved with it, and fitted with it
    # (a few gd steps, whose coefficients depend on the step).
    breast_cancer_frame().to_csv(tmp_path / "data.csv", index=False)
    argv = ["fit", str(tmp_path / "data.csv"), "--target", "target"]
    argv += ["--test-size", "0", "--solver", "gd", "--max-iter", "5"]
    argv += ["--learning-rate", "0.5", "--model", str(tmp_path / "m.skops")]
    cli.run_fit(cli.build_parser().parse_args(argv))
    model = load(tmp_path / "m.skops")
    assert model[-1].learning_rate == 0.5
    frame = breast_cancer_frame()
    X, y = frame.drop(columns="target"), frame["target"]
    expected = make_pipeline(
        StandardScaler(),
        BCELogisticRegression(learning_rate=0.5, solver="gd", max_iter=5),
    )
    with pytest.warns(ConvergenceWarning):
        expected.fit(X, y)
    assert_allclose(model[-1].coef_, expected[-1].coef_, rtol=1e-12)


def test_fit_passes_tol_to_both_models(tmp_path, capsys, monkeypatch):
    # --tol is the stopping rule of both models (fit had none: each kept its
    # own default, 1e-4 for both, which no option changed).
    breast_cancer_frame().to_csv(tmp_path / "data.csv", index=False)
    fitted = []
    fit = cli.BCELogisticRegression.fit

    def record(self, X, y, **kwargs):
        fitted.append(self.tol)
        return fit(self, X, y, **kwargs)

    monkeypatch.setattr(cli.BCELogisticRegression, "fit", record)
    reference = []
    monkeypatch.setattr(
        cli,
        "LogisticRegression",
        lambda **params: reference.append(params) or LogisticRegression(**params),
    )
    argv = ["fit", str(tmp_path / "data.csv"), "--target", "target"]
    cli.run_fit(cli.build_parser().parse_args([*argv, "--tol", "1e-7"]))
    assert fitted == [1e-7]
    assert reference[0]["tol"] == 1e-7
    out = capsys.readouterr().out
    assert "BCELogisticRegression" in out
    with pytest.raises(SystemExit):
        cli.main([*argv, "--tol", "0"])
    assert "--tol: must be a positive number" in capsys.readouterr().err


FIT_OPTION_ERRORS = {
    "random-state negative": (["--random-state", "-1"], "must be an integer in"),
    "learning rate zero": (["--learning-rate", "0"], "must be 'auto' or a positive"),
    "learning rate infinite": (["--learning-rate", "inf"], "must be 'auto' or a"),
    "test-size one": (["--test-size", "1"], "--test-size: must be in [0, 1)"),
}


@pytest.mark.parametrize("case", list(FIT_OPTION_ERRORS))
def test_fit_options_are_checked_before_reading_the_data(capsys, monkeypatch, case):
    argv, message = FIT_OPTION_ERRORS[case]
    monkeypatch.setattr(cli, "_read_csv", lambda path: pytest.fail("read"))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["fit", "data.csv", "--target", "t", *argv])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("sklearn-bce fit: error: argument ")
    assert message in error


def test_predict_loads_a_sparsified_model(tmp_path):
    frame = breast_cancer_frame()
    X, y = frame.drop(columns="target"), frame["target"]
    model = make_pipeline(
        StandardScaler(), BCELogisticRegression(C=0.05, l1_ratio=1.0)
    ).fit(X, y)
    expected = model.predict_proba(X.head(5))
    model[-1].sparsify()
    sio.dump(model, tmp_path / "sparse.skops")
    assert "scipy.sparse" in " ".join(
        sio.get_untrusted_types(file=tmp_path / "sparse.skops")
    )
    X.head(5).to_csv(tmp_path / "rows.csv", index=False)
    result = run_here("predict", "sparse.skops", "rows.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    predictions = pd.read_csv(io.StringIO(result.stdout))
    assert_allclose(predictions.iloc[:, 1:], expected, rtol=1e-10)
    # A class of another scipy module is still refused.
    assert cli._trust("scipy.optimize.OptimizeResult") == "untrusted"
    assert cli._trust("scipy_sparse_lookalike.Thing") == "untrusted"
    assert cli._trust("scipy.sparse.csr_matrix") == "trusted"


def test_trust_imports_no_example_script_and_tells_missing_from_failing(
    monkeypatch,
):
    imported = []
    import_module = importlib.import_module

    def recording_import(name, *args):
        imported.append(name)
        return import_module(name, *args)

    monkeypatch.setattr(cli.importlib, "import_module", recording_import)
    # numpy's example scripts run a program when imported.
    assert cli._trust("numpy.random._examples.cython.setup.Thing") == "untrusted"
    assert imported == []
    # A module not installed, or a class it does not have: another version's.
    assert cli._trust("sklearn.no_such_module.Thing") == "missing"
    assert cli._trust("sklearn.linear_model.NoSuchClass") == "missing"
    # A module that is there but needs one that is not: refused, not missing.
    monkeypatch.setattr(
        cli.importlib,
        "import_module",
        lambda name: import_module("sklearn_bce.no_such_dependency"),
    )
    assert cli._trust("sklearn.linear_model.LogisticRegression") == "untrusted"


def test_predict_reports_warnings_in_one_line(
    bad_inputs, capsys, monkeypatch, tmp_path
):
    predict_proba = BCELogisticRegression.predict_proba

    def warning_predict_proba(self, X):
        warnings.warn("a warning\n  of two lines", UserWarning, stacklevel=2)
        return predict_proba(self, X)

    monkeypatch.setattr(BCELogisticRegression, "predict_proba", warning_predict_proba)
    monkeypatch.chdir(bad_inputs)
    output = str(tmp_path / "p.csv")
    assert cli.main(["predict", "model.skops", "data.csv", "--output", output]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "sklearn-bce: warning: a warning of two lines"
    ]


def test_predict_takes_the_columns_of_a_model_without_names_by_position(tmp_path):
    # The header's names are not the model's: no warning about them (as
    # scikit-learn's for names given to a model fitted without), and pandas'
    # names of an array's columns (0, 1, ...) read as a header.
    frame = breast_cancer_frame()
    X, y = frame.drop(columns="target"), frame["target"]
    model = BCELogisticRegression().fit(X.to_numpy(), y)
    sio.dump(model, tmp_path / "plain.skops")
    X.head(5).to_csv(tmp_path / "rows.csv", index=False)
    pd.DataFrame(X.head(5).to_numpy()).to_csv(tmp_path / "numbered.csv", index=False)
    expected = model.predict_proba(X.head(5).to_numpy())
    for name in ("rows.csv", "numbered.csv"):
        result = run_here("predict", "plain.skops", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        predictions = pd.read_csv(io.StringIO(result.stdout))
        assert_allclose(predictions.iloc[:, 1:], expected, rtol=1e-12)


@pytest.mark.parametrize("model", ["model.skops", "unnamed.skops"])
def test_predict_without_a_header_predicts_every_row(bad_inputs, model):
    # Also to stdout by "--output -".
    result = run_here(
        "predict",
        model,
        "noheader.csv",
        "--no-header",
        "--output",
        "-",
        cwd=bad_inputs,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    predictions = pd.read_csv(io.StringIO(result.stdout))
    assert not (bad_inputs / "-").exists()
    frame = breast_cancer_frame()
    assert len(predictions) == len(frame)
    with_header = run_here("predict", model, "features.csv", cwd=bad_inputs)
    assert_allclose(
        predictions.iloc[:, 1:],
        pd.read_csv(io.StringIO(with_header.stdout)).iloc[:, 1:],
        rtol=1e-12,
    )


def _warning_lines(fit, prefix=""):
    """The distinct warnings of ``fit()``, as the CLI prints them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    messages = dict.fromkeys(" ".join(str(w.message).split()) for w in caught)
    return [f"sklearn-bce: warning: {prefix}{message}" for message in messages]


def test_fit_prints_the_warnings_of_both_models_one_line_each(tmp_path, capsys):
    # Neither model converges in 3 iterations; the reference model's warnings
    # are named as its.
    frame = breast_cancer_frame()
    frame.to_csv(tmp_path / "data.csv", index=False)
    argv = ["fit", str(tmp_path / "data.csv"), "--target", "target"]
    argv += ["--test-size", "0", "--max-iter", "3"]
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        assert cli.main(argv) == 0
    assert [str(w.message) for w in escaped] == []
    X, y = frame.drop(columns="target"), frame["target"]
    ours = make_pipeline(StandardScaler(), BCELogisticRegression(max_iter=3))
    theirs = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3))
    expected = _warning_lines(lambda: ours.fit(X, y))
    expected += _warning_lines(lambda: theirs.fit(X, y), "LogisticRegression: ")
    assert len(expected) >= 2
    assert capsys.readouterr().err.splitlines() == expected


def test_demo_plot_write_error_is_one_line(tmp_path, capsys, monkeypatch):
    # An error of savefig itself (the folder vanished after the early check).
    monkeypatch.setattr(cli, "_check_plot_path", lambda path: path, raising=False)
    path = tmp_path / "missing" / "search.png"
    argv = ["--plot", str(path), "--learning-rates", "auto", "--repeats", "1"]
    assert cli.main(argv) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith(f"sklearn-bce: error: {path}: cannot write the plot")
    assert "Traceback" not in "\n".join(lines)


def test_demo_pgf_plot_without_tex_fails_before_the_search(
    tmp_path, capsys, monkeypatch
):
    # matplotlib lists pgf among its formats whether or not TeX is installed.
    monkeypatch.setattr(cli.shutil, "which", lambda name: None)
    monkeypatch.setattr(cli, "load_breast_cancer", lambda: pytest.fail("fitted"))
    assert cli.main(["--plot", str(tmp_path / "x.pgf")]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "cannot write the plot: the pgf format needs" in lines[0]
    assert "which is not installed" in lines[0]


def test_demo_plot_runtime_error_of_savefig_is_one_line(tmp_path, capsys, monkeypatch):
    # A backend failing at save time (pgf's TeX run, for one) raises RuntimeError.
    from matplotlib.figure import Figure

    def fail(*args, **kwargs):
        raise RuntimeError("the backend failed")

    monkeypatch.setattr(Figure, "savefig", fail)
    path = tmp_path / "search.png"
    argv = ["--plot", str(path), "--learning-rates", "auto", "--repeats", "1"]
    assert cli.main(argv) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1] == (
        f"sklearn-bce: error: {path}: cannot write the plot: the backend failed"
    )


@pytest.mark.parametrize("read_only", ["folder", "file"])
def test_demo_plot_to_a_read_only_path_fails_fast(
    tmp_path, capsys, monkeypatch, read_only
):
    # Permissions are faked through os.access, so that the check runs for any
    # user (root, as in CI containers, may write anywhere): a folder that
    # cannot be written into, or an existing file that cannot be overwritten.
    path = tmp_path / "x.png"
    if read_only == "file":
        path.write_bytes(b"")
    denied = {"folder": tmp_path, "file": path}[read_only]
    real_access = os.access

    def access(name, mode, **kwargs):
        if Path(name) == denied and mode & os.W_OK:
            return False
        return real_access(name, mode, **kwargs)

    monkeypatch.setattr(cli.os, "access", access)
    monkeypatch.setattr(cli, "load_breast_cancer", lambda: pytest.fail("fitted"))
    assert cli.main(["--plot", str(path)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        f"sklearn-bce: error: {path}: cannot write the plot: permission denied"
    ]


FAST_DEMO = ["--learning-rates", "auto", "--repeats", "1", "--cv", "2"]


def test_demo_gives_both_models_the_same_C(capsys):
    assert cli.main([*FAST_DEMO, "--C", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "C=0.05." in out
    difference = float(out.split("max |coefficient difference|: ")[1].split()[0])
    # The largest coefficient is about 0.47 at C=0.05, 1.3 at C=1.
    assert difference < 1e-5


def test_demo_explains_coefficients_without_a_minimum(capsys):
    # Breast cancer is separable: with C=inf no finite coefficients minimise.
    assert cli.main([*FAST_DEMO, "--C", "inf"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert "on separable training data the loss has no minimum" in last
    assert cli.main(FAST_DEMO) == 0
    assert "no minimum" not in capsys.readouterr().out


def test_demo_says_a_penalised_loss_has_a_minimum_on_separable_data(capsys):
    # At C=300 the model separates the training data; the penalty still gives
    # the loss a minimum, at which both models stop.
    assert cli.main([*FAST_DEMO, "--C", "300"]) == 0
    out = capsys.readouterr().out
    assert "(both stop at max |gradient| <= tol=1e-06; fit time" in out
    assert "no minimum" not in out
    data = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(
        data.data, data.target, test_size=0.25, stratify=data.target, random_state=0
    )
    model = make_pipeline(StandardScaler(), BCELogisticRegression(C=300, tol=1e-6))
    assert accuracy_score(y_train, model.fit(X_train, y_train).predict(X_train)) == 1


def test_demo_plot_without_an_extension_is_a_png(tmp_path, capsys):
    assert cli.main([*FAST_DEMO, "--plot", str(tmp_path / "search")]) == 0
    written = tmp_path / "search.png"
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"learning-rate plot written to {written}" in capsys.readouterr().out


def test_demo_plot_draws_the_search(tmp_path, monkeypatch):
    # The learning-rate display of the demo's search: scores against the
    # rate (log axis, labelled by the metric) and a loss curve per scored
    # candidate.
    drawn = []
    from_cv_results = cli.LearningRateDisplay.from_cv_results

    def recorded(cv_results, **kwargs):
        display = from_cv_results(cv_results, **kwargs)
        drawn.append((cv_results, display))
        return display

    monkeypatch.setattr(cli.LearningRateDisplay, "from_cv_results", recorded)
    demo = ["--learning-rates", "auto", "0.3", "--repeats", "1", "--cv", "2"]
    assert cli.main([*demo, "--plot", str(tmp_path / "search.png")]) == 0
    ((cv_results, display),) = drawn
    assert display.ax_.get_ylabel() == "mean validation neg. log-loss"
    assert display.ax_.get_xlabel() == "learning rate"
    assert display.ax_.get_xscale() == "log"
    scored = np.isfinite(cv_results["mean_test_score"]).sum()
    assert scored == 2 and len(display.curve_lines_) == scored


def _gradients(out):
    """The demo's "max |gradient|" row: ours, LogisticRegression's."""
    (row,) = [line for line in out.splitlines() if line.startswith("max |gradient|")]
    return [float(value) for value in row.split()[2:]]


def test_demo_says_both_converged_only_when_they_did(capsys, monkeypatch):
    # Both models are timed on one thread: lbfgs's small fits took 25-240 ms
    # instead of 4 ms with the default threads on a loaded 2-core machine.
    limits = []

    def one_thread(limit):
        limits.append(limit)
        return contextlib.nullcontext()

    monkeypatch.setattr(cli, "threadpool_limits", one_thread)
    assert cli.main(FAST_DEMO) == 0
    assert limits == [1, 1]
    captured = capsys.readouterr()
    last = captured.out.strip().splitlines()[-1]
    assert last.startswith("max |coefficient difference|: ")
    assert (
        "(both stop at max |gradient| <= tol=1e-06; fit time: median of 1 fit, "
        "one thread each)"
    ) in last
    assert all(gradient <= 1e-6 for gradient in _gradients(captured.out))
    assert captured.err == ""


def test_demo_names_the_model_that_did_not_converge(capsys):
    assert cli.main([*FAST_DEMO, "--max-iter", "50"]) == 0
    captured = capsys.readouterr()
    last = captured.out.strip().splitlines()[-1]
    assert "both stop" not in last
    ours, _ = _gradients(captured.out)
    assert ours > 1e-6
    assert (
        f"(BCELogisticRegression ({ours:.2g}) stopped above max |gradient| "
        "<= tol=1e-06, so the coefficients differ for that reason too;"
    ) in last
    # The ConvergenceWarning is one clean line, not Python's two-line warning.
    warning_lines = captured.err.strip().splitlines()
    assert warning_lines, captured.err
    assert all(line.startswith("sklearn-bce: warning: ") for line in warning_lines)


def test_demo_prints_the_warnings_of_its_final_fit_only(capsys):
    # Every candidate of the search stops at max_iter too: the table says so,
    # and its ConvergenceWarnings are not repeated; the final fit's warning is
    # one line, and none escapes as a Python warning.
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        assert cli.main([*FAST_DEMO, "--max-iter", "50"]) == 0
    assert [str(w.message) for w in escaped] == []
    captured = capsys.readouterr()
    assert "(stopped at max_iter=50)" in captured.out
    data = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(
        data.data, data.target, test_size=0.25, stratify=data.target, random_state=0
    )
    final = make_pipeline(
        StandardScaler(), BCELogisticRegression(max_iter=50, tol=1e-6)
    )
    expected = _warning_lines(lambda: final.fit(X_train, y_train))
    assert expected
    assert captured.err.splitlines() == expected


def test_demo_names_both_models_when_neither_converged(capsys, monkeypatch):
    monkeypatch.setattr(cli, "LOGISTIC_REGRESSION_MAX_ITER", 3, raising=False)
    assert cli.main([*FAST_DEMO, "--max-iter", "50"]) == 0
    out = capsys.readouterr().out
    ours, theirs = _gradients(out)
    assert (
        f"(BCELogisticRegression ({ours:.2g}) and LogisticRegression ({theirs:.2g}) "
        "stopped above"
    ) in out.strip().splitlines()[-1]


def test_demo_judges_lbfgs_by_its_gradient_not_its_silence(capsys):
    # At tol=1e-12 lbfgs stops on its own criterion (a small relative
    # decrease) well above the tolerance, without a ConvergenceWarning.
    assert cli.main([*FAST_DEMO, "--tol", "1e-12"]) == 0
    captured = capsys.readouterr()
    ours, theirs = _gradients(captured.out)
    assert ours <= 1e-12 < theirs
    last = captured.out.strip().splitlines()[-1]
    assert f"(LogisticRegression ({theirs:.2g}) stopped above" in last
    assert "both stop" not in last


def test_largest_gradient_entry_is_that_of_the_objective_with_its_intercept(
    breast_cancer_standardised,
):
    # J(w, b) = mean BCE + ||w||^2 / (2 C n), differentiated numerically, at
    # an intercept away from its optimum: its entry is the largest.
    X, y = breast_cancer_standardised
    model = LogisticRegression(C=0.5).fit(X, y)
    model.intercept_ = model.intercept_ + 1.0

    def objective(theta):
        w, b = theta[:-1], theta[-1]
        return log_loss(y, expit(X @ w + b)) + w @ w / (2 * model.C * len(y))

    theta = np.append(model.coef_, model.intercept_)
    steps = 1e-6 * np.eye(len(theta))
    gradient = [(objective(theta + h) - objective(theta - h)) / 2e-6 for h in steps]
    assert np.argmax(np.abs(gradient)) == len(theta) - 1
    expected = np.abs(gradient).max()
    assert cli.largest_gradient_entry(model, X, y) == pytest.approx(expected, rel=1e-6)


def test_demo_runs_the_same_search_twice(capsys):
    assert cli.main([*FAST_DEMO, "--learning-rates", "auto", "1.0", "3.0"]) == 0
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if "search time" in line]
    difference = float(line.rsplit("differ by at most ", 1)[1])
    assert difference < 1e-8


def test_demo_chooses_the_fewest_iterations_near_the_best_score(capsys):
    rates = ["--learning-rates", "0.3", "auto", "1.0"]
    assert cli.main([*FAST_DEMO, *rates]) == 0
    out = capsys.readouterr().out
    # Converged steps score alike; "auto" needs the fewest iterations.
    assert (
        "chosen: learning_rate=auto, the fewest iterations among the converged "
        "within 0.0001 of their best log-loss"
    ) in out
    results = {
        "mean_test_score": np.array([-0.50, -0.30002, np.nan, -0.30005, -0.3]),
        "mean_n_iter": np.array([5.0, 40.0, 1.0, 20.0, 90.0]),
        "converged": np.array([True, True, False, True, True]),
    }
    assert cli.fewest_iterations_near_the_best(results) == 3
    assert cli.fewest_iterations_near_the_best(results, tolerance=1e-5) == 4
    # A step stopped by max_iter is not at the optimum: never chosen for its
    # score, unless no candidate converged.
    results["mean_test_score"][0] = -0.1
    results["converged"][0] = False
    assert cli.fewest_iterations_near_the_best(results) == 3
    results["converged"][:] = False
    assert cli.fewest_iterations_near_the_best(results) == 0


def test_demo_does_not_choose_a_step_stopped_by_max_iter(capsys):
    # With plain gradient descent the smallest step stops at max_iter with a
    # better (under-fitted) held-out log-loss than the optimum's.
    rates = ["--learning-rates", "0.03", "3.0", "--solver", "gd"]
    assert cli.main([*FAST_DEMO, *rates, "--max-iter", "1000"]) == 0
    out = capsys.readouterr().out
    assert "learning_rate=  0.03" in out and "(stopped at max_iter=1000)" in out
    assert "(by log-loss alone: 0.03)" in out
    assert "chosen: learning_rate=3.0" in out


def test_demo_chooses_the_best_log_loss_when_no_learning_rate_converged(capsys):
    rates = ["--learning-rates", "0.03", "auto"]
    assert cli.main([*FAST_DEMO, *rates, "--max-iter", "5"]) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"learning_rate=\s*(\S+)\s+log-loss (\S+) .*\)$", out, re.M)
    assert len(rows) == 2 and out.count("(stopped at max_iter=5)") == 2
    best = min(rows, key=lambda row: float(row[1]))[0]
    assert (
        f"chosen: learning_rate={best}, no learning rate converged: the best "
        f"log-loss (by log-loss alone: {best})"
    ) in out
    # No converged candidates to compare the two searches' scores by.
    assert "differ by at most" not in out
    # One converged candidate is enough for the rule of the converged.
    assert cli.main([*FAST_DEMO, *rates, "--max-iter", "100"]) == 0
    out = capsys.readouterr().out
    assert out.count("(stopped at max_iter=100)") == 1
    assert "chosen: learning_rate=auto, the fewest iterations among the" in out


def test_demo_help_says_how_the_learning_rate_is_chosen(capsys):
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "On the standardised training set" in text
    assert "candidates that converged within 1e-4 of the best log-loss" in text
    assert "the same search by GridSearchCV on the same data" in text
    assert "pipeline by GridSearchCV" not in text


def test_fit_trains_on_a_class_of_one_sample_without_a_test_set(bad_inputs):
    result = run_here(
        "fit", "rare.csv", "--target", "t", "--test-size", "0", cwd=bad_inputs
    )
    assert result.returncode == 0, result.stderr
    assert "6 training and 0 test samples, 1 feature, classes [0, 1, 2]" in (
        result.stdout
    )


def test_fit_warns_of_a_saved_row_index_used_as_a_feature(tmp_path, capsys):
    # to_csv() writes the index as an unnamed first column of row numbers.
    frame = breast_cancer_frame()
    frame.to_csv(tmp_path / "indexed.csv")
    argv = ["fit", str(tmp_path / "indexed.csv"), "--target", "target"]
    cli.run_fit(cli.build_parser().parse_args([*argv, "--test-size", "0"]))
    captured = capsys.readouterr()
    assert "6 features" in captured.out
    assert captured.err == (
        f"sklearn-bce: warning: {tmp_path / 'indexed.csv'}: the unnamed first "
        "column 'Unnamed: 0' holds the row numbers 0, 1, 2, ..., as pandas "
        "writes its index; it is used as a feature. If it is the index, write "
        "the file with to_csv(index=False) or drop the column.\n"
    )
    # Other row numbers, or a named column of them, are features like any.
    frame.set_axis(np.arange(1, len(frame) + 1)).to_csv(tmp_path / "from1.csv")
    frame.assign(row=np.arange(len(frame))).to_csv(tmp_path / "row.csv", index=False)
    for name in ("from1.csv", "row.csv"):
        argv = ["fit", str(tmp_path / name), "--target", "target", "--test-size", "0"]
        cli.run_fit(cli.build_parser().parse_args(argv))
        assert capsys.readouterr().err == ""


def test_fit_names_labels_that_read_as_the_same_value(tmp_path, capsys):
    # pandas reads codes "01" and "1" as the number 1 (and "True", "true" as
    # True): one class, as read_csv users expect, but the file's author is
    # told which of its labels merged.
    frame = breast_cancer_frame()
    frame["target"] = np.array(["01", "1", "2"])[np.arange(len(frame)) % 3]
    frame.to_csv(tmp_path / "codes.csv", index=False)
    argv = ["fit", str(tmp_path / "codes.csv"), "--target", "target"]
    cli.run_fit(cli.build_parser().parse_args([*argv, "--test-size", "0"]))
    captured = capsys.readouterr()
    assert "classes [1, 2]" in captured.out
    assert captured.err == (
        f"sklearn-bce: warning: {tmp_path / 'codes.csv'}: the target column "
        "'target' has labels that read as the same value, one class: '01' and "
        "'1' as 1. To keep them apart, write them as text that is not a number "
        "(a letter first).\n"
    )
    # Labels written one way each: no warning, numbers stay numbers.
    frame["target"] = np.arange(len(frame)) % 3
    frame.to_csv(tmp_path / "numbers.csv", index=False)
    argv = ["fit", str(tmp_path / "numbers.csv"), "--target", "target"]
    cli.run_fit(cli.build_parser().parse_args([*argv, "--test-size", "0"]))
    captured = capsys.readouterr()
    assert "classes [0, 1, 2]" in captured.out and captured.err == ""


def test_fit_reads_the_target_of_rows_with_an_index_field(tmp_path, capsys):
    # Rows with one more field than the header (R's write.table): pandas
    # makes the first field the index, and the target is still the column
    # named so.
    frame = breast_cancer_frame()
    text = ",".join(frame.columns) + "\n" + frame.to_csv(header=False)
    (tmp_path / "indexed.csv").write_text(text)
    argv = ["fit", str(tmp_path / "indexed.csv"), "--target", "target"]
    cli.run_fit(cli.build_parser().parse_args([*argv, "--test-size", "0"]))
    assert "classes [0, 1]" in capsys.readouterr().out


def test_fit_compares_several_classes_with_the_same_objective(tmp_path, capsys):
    # LogisticRegression fits the multinomial model; ours is one-vs-rest, so
    # the comparison is with one-vs-rest LogisticRegression: the same optimum,
    # at the C both are given.
    iris_frame().to_csv(tmp_path / "iris.csv", index=False)
    path = str(tmp_path / "iris.csv")
    argv = ["fit", path, "--target", "target", "--test-size", "0", "--C", "0.05"]
    args = cli.build_parser().parse_args(argv)
    rows = cli.run_fit(args)
    header, *lines = capsys.readouterr().out.splitlines()[2:]
    assert header.split("  ")[-1] == "LogisticRegression (one-vs-rest)"
    # The columns line up: each value ends under its model's name.
    assert all(len(line) == len(header) for line in lines if line.strip())
    ours, theirs = (
        rows["BCELogisticRegression"],
        rows["LogisticRegression (one-vs-rest)"],
    )
    assert ours["train log-loss"] == pytest.approx(theirs["train log-loss"], abs=1e-4)
    # Far from C=1's 0.29: the C given reached both models.
    assert 0.45 < ours["train log-loss"] < 0.55
    # The iterations of the slowest class, as fitted here (at C=1, where the
    # classes take different numbers).
    frame = iris_frame()
    X, y = frame.drop(columns="target"), frame["target"]
    reference = make_pipeline(
        StandardScaler(),
        OneVsRestClassifier(LogisticRegression(tol=args.tol, max_iter=args.max_iter)),
    ).fit(X, y)
    counts = [estimator.n_iter_[0] for estimator in reference[-1].estimators_]
    rows = cli.run_fit(cli.build_parser().parse_args(argv[:-2]))
    assert len(set(counts)) > 1
    assert rows["LogisticRegression (one-vs-rest)"]["iterations"] == max(counts)
    # --max-iter reaches both models.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rows = cli.run_fit(cli.build_parser().parse_args([*argv, "--max-iter", "3"]))
    assert [row["iterations"] for row in rows.values()] == [3, 3]


def test_demo_folds_with_one_class_compare_the_searches(capsys):
    # 17 training samples, 6 of the rarer class, 10 folds: some validation
    # parts hold one class only.  GridSearchCV scores them too (the labels
    # are given to its log-loss), so the two searches are compared, and
    # scikit-learn's warning about the folds is one line, printed once.
    argv = ["--test-size", "0.97", "--cv", "10", "--learning-rates", "auto", "1.0"]
    assert cli.main([*argv, "--repeats", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "sklearn-bce: warning: The least populated class in y has only 6 members, "
        "which is less than n_splits=10."
    ]
    difference = re.search(r"differ by at most (\S+)\n", captured.out)
    assert difference is not None, captured.out
    assert float(difference.group(1)) < 1e-8


def test_plot_warnings_are_printed_as_the_cli_prints_warnings(tmp_path):
    # A fit that diverges at its first step has no loss curve to draw: the
    # display's warning is one "sklearn-bce: warning:" line like the others.
    breast_cancer_frame().to_csv(tmp_path / "data.csv", index=False)
    result = run(
        "fit", "data.csv", "--target", "target", "--learning-rate", "1e6",
        "--solver", "gd", "--plot", "loss.png", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("sklearn-bce: warning: ") for line in lines), lines
    assert any("no finite value to draw" in line for line in lines), lines
    assert (tmp_path / "loss.png").is_file()


@pytest.mark.parametrize("max_iter, scale", [(1, "linear"), (50, "log")])
def test_a_plot_of_a_single_iteration_draws_the_objective(
    tmp_path, monkeypatch, max_iter, scale
):
    # One objective value has no gap to its minimum to put on a log scale.
    pytest.importorskip("matplotlib")
    from sklearn_bce import LossCurveDisplay

    drawn = []
    original = LossCurveDisplay.from_estimator.__func__

    def spy(cls, estimator, **kwargs):
        drawn.append(original(cls, estimator, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(LossCurveDisplay, "from_estimator", classmethod(spy))
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), BCELogisticRegression(max_iter=max_iter))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cli._save_plot(model, tmp_path / "loss.png")
    (display,) = drawn
    assert display.ax_.get_yscale() == scale
    assert np.isfinite(display.lines_[0].get_ydata()).any()


def test_an_installed_skops_that_fails_to_import_is_named_with_its_error(
    tmp_path, capsys, monkeypatch
):
    # skops 0.10 cannot import with scikit-learn 1.8 and later: upgrading it,
    # not installing it, is the fix, and its own error says why.
    fake = tmp_path / "site" / "skops"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ImportError(\"cannot import name 'Huber' from 'sklearn'\")\n"
    )
    monkeypatch.syspath_prepend(str(fake.parent))
    for name in [name for name in sys.modules if name.partition(".")[0] == "skops"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(cli, "_read_csv", lambda path: pytest.fail("read"))
    argv = ["fit", "data.csv", "--target", "t", "--model", str(tmp_path / "m.skops")]
    assert cli.main(argv) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        "sklearn-bce: error: --model needs skops, which is installed but failed "
        "to import (cannot import name 'Huber' from 'sklearn'): pip install "
        "--upgrade skops"
    ]
    assert cli.main(["predict", str(tmp_path / "m.skops"), "data.csv"]) == 1
    assert "predict needs skops, which is installed but failed" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    "error, message",
    [
        (
            ModuleNotFoundError("No module named 'pandas'", name="pandas"),
            "fit needs pandas (No module named 'pandas'): "
            "pip install 'sklearn-bce[cli]'",
        ),
        (
            ImportError("cannot import name 'x' from 'pandas'", name="pandas"),
            "fit needs pandas, which is installed but failed to import (cannot "
            "import name 'x' from 'pandas'): pip install --upgrade pandas",
        ),
    ],
    ids=["missing", "broken"],
)
def test_pandas_missing_or_failing_to_import_is_one_line(
    capsys, monkeypatch, error, message
):
    def read_csv(path, text_column=None):
        raise error

    monkeypatch.setattr(cli, "_read_csv", read_csv)
    assert cli.main(["fit", "data.csv", "--target", "t"]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"sklearn-bce: error: {message}"
    ]


def assert_rows_are_those_of(rows, ours, theirs, X_test, y_test):
    """The printed test scores and iterations are those of these two models."""
    for name, model in [
        ("BCELogisticRegression", ours),
        ("LogisticRegression", theirs),
    ]:
        row = rows[name]
        assert row["test accuracy"] == accuracy_score(y_test, model.predict(X_test))
        expected = log_loss(y_test, model.predict_proba(X_test))
        assert row["test log-loss"] == pytest.approx(expected, rel=1e-12)
        assert row["iterations"] == int(np.max(model[-1].n_iter_))


@pytest.mark.parametrize("seed", [0, 3])
def test_fit_reports_the_models_of_its_split_scored_on_the_held_out_rows(
    tmp_path, capsys, seed
):
    # Every printed test score, and the saved model, recomputed here from the
    # CSV split as the README says (stratified, --test-size, --random-state).
    frame = breast_cancer_frame()
    frame.to_csv(tmp_path / "data.csv", index=False)
    argv = ["fit", str(tmp_path / "data.csv"), "--target", "target"]
    argv += ["--random-state", str(seed), "--model", str(tmp_path / "m.skops")]
    args = cli.build_parser().parse_args(argv)
    rows = cli.run_fit(args)
    capsys.readouterr()
    X, y = frame.drop(columns="target"), frame["target"]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    saved = load(tmp_path / "m.skops")
    ours = clone(saved).fit(X_train, y_train)
    assert_allclose(saved[-1].coef_, ours[-1].coef_, rtol=1e-12)
    step = saved[-1]
    theirs = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=step.C, tol=step.tol, max_iter=step.max_iter),
    ).fit(X_train, y_train)
    assert_rows_are_those_of(rows, ours, theirs, X_test, y_test)


def test_demo_reports_the_models_it_describes(capsys):
    # The final models, fitted here from what the demo says it fits (its
    # split, the chosen learning rate, --solver, --C, --tol), score as printed.
    argv = ["demo", "--learning-rates", "1.0", "--solver", "gd", "--C", "0.5"]
    argv += ["--repeats", "1", "--cv", "2", "--random-state", "1"]
    args = cli.build_parser().parse_args(argv)
    rows = cli.run_demo(args)
    out = capsys.readouterr().out
    assert "chosen: learning_rate=1.0" in out
    data = load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.25, stratify=data.target, random_state=1
    )
    shared = {"C": 0.5, "tol": args.tol}
    model = BCELogisticRegression(
        learning_rate=1.0, solver="gd", max_iter=args.max_iter, **shared
    )
    # The search's score: the 2-fold log-loss on the standardised training set.
    cv_score = -cross_val_score(
        model,
        StandardScaler().fit_transform(X_train),
        y_train,
        cv=StratifiedKFold(2),
        scoring="neg_log_loss",
    ).mean()
    printed = re.search(r"learning_rate=\s*1\.0\s+log-loss (\S+)", out)
    assert float(printed[1]) == pytest.approx(cv_score, abs=6e-6)
    ours = make_pipeline(StandardScaler(), model).fit(X_train, y_train)
    theirs = make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=10_000, **shared)
    ).fit(X_train, y_train)
    assert_rows_are_those_of(rows, ours, theirs, X_test, y_test)


def fits_taking(monkeypatch, **seconds):
    """Let time pass on the CLI's clock only while a model fits.

    ``seconds``: for each kind of model (a pipeline's by its last step), the
    seconds of its successive fits.  Returns those not used (all fitted: none).
    """
    now = [0.0]
    monkeypatch.setattr(cli, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    left = {name: list(times) for name, times in seconds.items()}
    for kind in [Pipeline, GridSearchCV, BCELogisticRegressionCV]:

        def fit(self, X, y, _fit=kind.fit, **params):
            model = self[-1] if isinstance(self, Pipeline) else self
            now[0] += left[type(model).__name__].pop(0)
            return _fit(self, X, y, **params)

        monkeypatch.setattr(kind, "fit", fit)
    return left


@pytest.mark.parametrize(
    "ours, theirs", [([0.9, 0.1, 0.2], [0.04, 0.05, 0.01]), ([0.3, 0.1], [0.02, 0.06])]
)
def test_demo_shows_the_median_time_of_its_repeated_fits_in_ms(
    capsys, monkeypatch, ours, theirs
):
    left = fits_taking(
        monkeypatch,
        BCELogisticRegressionCV=[0.125],
        GridSearchCV=[0.5],
        BCELogisticRegression=ours,
        LogisticRegression=theirs,
    )
    repeats = len(ours)
    assert cli.main([*FAST_DEMO, "--repeats", str(repeats)]) == 0
    out = capsys.readouterr().out
    # Each model fitted --repeats times, each search once.
    assert all(times == [] for times in left.values()), left
    assert (
        "search time 125 ms; the same search by GridSearchCV, one fit at a time: 500 ms"
    ) in out
    (row,) = [line for line in out.splitlines() if line.startswith("fit time (ms)")]
    expected = [1e3 * np.median(ours), 1e3 * np.median(theirs)]
    assert [float(value) for value in row.split()[3:]] == pytest.approx(expected)
    assert f"fit time: median of {repeats} fits, one thread each)" in out


def test_fit_shows_fit_times_in_ms_and_whole_iterations(tmp_path, capsys, monkeypatch):
    breast_cancer_frame().to_csv(tmp_path / "data.csv", index=False)
    left = fits_taking(
        monkeypatch, BCELogisticRegression=[0.25], LogisticRegression=[0.5]
    )
    argv = ["fit", str(tmp_path / "data.csv"), "--target", "target"]
    rows = cli.run_fit(cli.build_parser().parse_args(argv))
    assert left == {"BCELogisticRegression": [], "LogisticRegression": []}
    lines = capsys.readouterr().out.splitlines()
    (times,) = [line for line in lines if line.startswith("fit time (ms)")]
    assert [float(value) for value in times.split()[3:]] == [250.0, 500.0]
    (iterations,) = [line for line in lines if line.startswith("iterations")]
    assert iterations.split()[1:] == [str(row["iterations"]) for row in rows.values()]


def test_a_gradient_above_tol_is_printed_with_the_digits_that_show_it():
    # Two significant digits round 1.029e-06 down to the tol it exceeds.
    assert cli._above(0.0317, 1e-6) == "0.032"
    assert cli._above(1.029e-6, 1e-6) == "1.03e-06"
    for value in 1e-6 * (1 + np.logspace(-15, 0, 200)):
        text = cli._above(value, 1e-6)
        assert float(text) > 1e-6
        # The fewest digits, from two on, that read above tol.
        digits = next(d for d in range(2, 18) if f"{value:.{d}g}" == text)
        assert digits == 2 or float(f"{value:.{digits - 1}g}") <= 1e-6


def test_demo_prints_a_gradient_just_above_tol_as_above_it(capsys, monkeypatch):
    monkeypatch.setattr(cli, "largest_gradient_entry", lambda model, X, y: 1.029e-6)
    assert cli.main(FAST_DEMO) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert (
        "BCELogisticRegression (1.03e-06) and LogisticRegression (1.03e-06) "
        "stopped above max |gradient| <= tol=1e-06"
    ) in last


# -- data from standard input and pipes ------------------------------------------


def stdin_of(monkeypatch, path):
    """Standard input holding the bytes of ``path``."""
    stream = io.TextIOWrapper(io.BytesIO(Path(path).read_bytes()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stream)


def test_fit_and_predict_read_standard_input_as_dash(bad_inputs, monkeypatch):
    by_path = run_here("fit", "data.csv", "--target", "target", cwd=bad_inputs)
    stdin_of(monkeypatch, bad_inputs / "data.csv")
    by_stdin = run_here("fit", "-", "--target", "target", cwd=bad_inputs)
    assert by_stdin.returncode == 0, by_stdin.stderr
    assert by_stdin.stdout.startswith("stdin: 426 training and 143 test samples")
    # The same fit, timings aside.
    untimed = re.compile(r"fit time \(ms\).*")
    assert untimed.sub("", by_stdin.stdout.replace("stdin:", "data.csv:")) == (
        untimed.sub("", by_path.stdout)
    )
    expected = run_here("predict", "model.skops", "features.csv", cwd=bad_inputs)
    stdin_of(monkeypatch, bad_inputs / "features.csv")
    predicted = run_here("predict", "model.skops", "-", cwd=bad_inputs)
    assert predicted.returncode == 0, predicted.stderr
    assert predicted.stdout == expected.stdout
    # The errors name it too.
    stdin_of(monkeypatch, bad_inputs / "fewer.csv")
    result = run_here("predict", "model.skops", "-", cwd=bad_inputs)
    assert result.returncode == 1
    assert result.stderr.startswith("sklearn-bce: error: stdin: missing 3 feature")


def test_a_target_named_twice_is_refused_on_standard_input(bad_inputs, monkeypatch):
    # pandas would fit the second "t" as a feature "t.1": the header is read
    # again, from the bytes kept of a stream that can be read only once.
    message = "the header names 2 columns 't': give the target column a name"
    stdin_of(monkeypatch, bad_inputs / "twice.csv")
    result = run_here("fit", "-", "--target", "t", cwd=bad_inputs)
    assert result.returncode == 1
    assert result.stderr == f"sklearn-bce: error: stdin: {message} of its own\n"


@pytest.mark.skipif(sys.platform == "win32", reason="no /dev/stdin")
def test_a_target_named_twice_is_refused_in_a_pipe_named_as_a_file(
    bad_inputs, tmp_path
):
    # A pipe on standard input, named as a file: read once, it is empty after.
    message = "the header names 2 columns 't': give the target column a name"
    result = subprocess.run(
        [*CLI, "fit", "/dev/stdin", "--target", "t"],
        input=(bad_inputs / "twice.csv").read_bytes(),
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
        env=environment(),
    )
    assert result.returncode == 1
    assert result.stderr.decode() == (
        f"sklearn-bce: error: /dev/stdin: {message} of its own\n"
    )
