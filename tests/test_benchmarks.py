"""Smoke tests of the benchmark scripts in ``benchmarks/``.

Each script runs once, as a user runs it (``python benchmarks/<script>.py``),
in a subprocess, at the smallest sizes and repeats its options allow, with
every output sent into the test's temporary folder.  The tests check that it
exits cleanly and that its outputs have the expected structure (CSV columns,
markdown tables, the ``*.env.json`` record) and, where the script reports one
and it is cheap, a correctness figure (objective gaps, equivalence of scores,
agreement of compiled loops with numpy); never a time.

Not covered: sections (b) and (d) of ``bench_engine.py``, whose data sets have
fixed sizes (100,000 rows and more), far too large for a smoke test.
"""

import csv
import importlib.util
import json
import math
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_bce

REPOSITORY = Path(__file__).resolve().parents[1]
BENCHMARKS = REPOSITORY / "benchmarks"
#: The folder that holds the sklearn_bce under test, first on the scripts'
#: path (as in ``tests/test_cli.py``): they should benchmark this code, not
#: whichever copy is installed.
SOURCE_ROOT = str(Path(sklearn_bce.__file__).resolve().parents[1])
#: Keys every script's ``*.env.json`` has (``benchmarks/_common.py``).
ENV_KEYS = {
    "date",
    "python",
    "numpy",
    "scipy",
    "sklearn",
    "sklearn_bce",
    "sklearn_bce_source",
    "sklearn_bce_path",
    "sklearn_bce_sha256_16",
    "threadpoolctl",
    "threadpools",
    "sklearn_bce_sweep_threads",
    "cpu",
    "usable_cores",
    "load_average_at_start",
    "load_average_at_end",
    "openblas_overrides_set",
    "total_s",
    "argv",
}
#: Places where the scripts write by default: the tests must leave them alone.
DEFAULT_OUTPUTS = [BENCHMARKS, REPOSITORY / "docs" / "images"]


def snapshot(folders):
    return {
        path: path.stat().st_mtime_ns
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(autouse=True)
def repository_untouched():
    """Every output goes to ``tmp_path``: nothing in the repository changes."""
    before = snapshot(DEFAULT_OUTPUTS)
    yield
    assert snapshot(DEFAULT_OUTPUTS) == before


def run_script(name, *args, cwd, env=None):
    """Run ``benchmarks/<name>`` with ``args``; check it exits cleanly."""
    path = [SOURCE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(path),
            "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ in benchmarks/
            **(env or {}),
        },
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done


def read_csv(path):
    """``(columns, rows)`` of a CSV file, rows as dicts of strings."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        return reader.fieldnames, rows


def read_env(path, args):
    """The ``*.env.json`` record, checked: common keys, versions, arguments."""
    env = json.loads(Path(path).read_text(encoding="utf-8"))
    assert ENV_KEYS <= env.keys()
    assert env["sklearn_bce"] == sklearn_bce.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", env["python"])
    assert env["numpy"] and env["scipy"] and env["sklearn"] and env["threadpoolctl"]
    assert re.fullmatch(r"[0-9a-f]{16}", env["sklearn_bce_sha256_16"])
    if Path(SOURCE_ROOT) == REPOSITORY:  # the checkout's own package was measured
        assert env["sklearn_bce_path"] == "sklearn_bce"
    assert env["argv"] == [str(a) for a in args]
    return env


def markdown_table(text, first_column):
    """Cells of the rows of the markdown table whose header starts with
    ``| first_column |``, checked for a rule and one cell per column."""
    lines = text.splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.startswith(f"| {first_column} |")
    )
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    assert re.fullmatch(r"\|(---:?\|)+", lines[start + 1])
    assert lines[start + 1].count("|") == len(header) + 1
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
        assert len(rows[-1]) == len(header), line
    assert rows
    return header, rows


def check_markdown(text):
    assert text.startswith("Environment:\n")
    assert f"sklearn_bce {sklearn_bce.__version__} at " in text


def number(cell):
    value = float(cell)
    assert math.isfinite(value), cell
    return value


def test_bench_vs_sklearn(tmp_path):
    args = [
        "--sizes", "500x5,300x6",
        "--repeats", "1",
        "--csv", tmp_path / "vs.csv",
        "--markdown", tmp_path / "vs.md",
        "--quiet",
    ]  # fmt: skip
    done = run_script("bench_vs_sklearn.py", *args, cwd=tmp_path)
    text = (tmp_path / "vs.md").read_text(encoding="utf-8")
    assert done.stdout == text
    check_markdown(text)
    _, cells = markdown_table(text, "data (n x p)")
    assert [r[0] for r in cells] == ["500 x 5", "300 x 6"]

    columns, rows = read_csv(tmp_path / "vs.csv")
    assert {"n_samples", "n_features", "dtype", "reference_objective"} <= set(columns)
    assert [(r["n_samples"], r["n_features"]) for r in rows] == [
        ("500", "5"),
        ("300", "6"),
    ]
    for r in rows:
        assert r["dtype"] == "float64"
        for name in ("ours", "lbfgs"):
            assert r[f"{name}_converged"] == "True"
            assert number(r[f"{name}_median_s"]) > 0
            # Both reach the reference optimum (up to lbfgs's tol).
            assert abs(number(r[f"{name}_gap"])) < 1e-6
        assert number(r["ours_objective"]) == pytest.approx(
            number(r["reference_objective"]), abs=1e-6
        )
    read_env(tmp_path / "vs.env.json", args)


def test_bench_search(tmp_path):
    args = [
        "--n-samples", "1000",
        "--n-features", "5",
        "--dtypes", "float64",
        "--learning-rates", "auto,0.3",
        "--Cs", "0.5,1",
        "--n-Cs-c", "2",
        "--n-folds", "2",
        "--max-iter", "200",
        "--repeats", "1",
        "--baseline-repeats", "1",
        "--csv", tmp_path / "search.csv",
        "--markdown", tmp_path / "search.md",
        "--quiet",
    ]  # fmt: skip
    done = run_script("bench_search.py", *args, cwd=tmp_path)
    text = (tmp_path / "search.md").read_text(encoding="utf-8")
    assert done.stdout == text
    check_markdown(text)
    _, cells = markdown_table(text, "scenario")
    assert [r[:3] for r in cells] == [
        ["a", "float64", "2 x 2"],
        ["b", "float64", "4 x 2"],
        ["c", "float64", "2 x 2"],
    ]

    columns, rows = read_csv(tmp_path / "search.csv")
    for method in ("ours", "gs1", "gs2", "lrcv"):
        assert f"{method}_median_s" in columns
    assert [r["scenario"] for r in rows] == ["a", "b", "c"]
    for r in rows:
        # The batched search and GridSearchCV agree (every candidate converges).
        assert r["equivalence_reference"] == "gs1"
        assert number(r["eq_max_abs_diff_mean_score"]) < 1e-10
        assert number(r["eq_max_abs_diff_split_score"]) < 1e-10
        assert r["eq_nan_mismatch"] == "0"
        assert r["eq_same_best"] == "True"
        assert r["ours_best"] == r["gs1_best"]
        assert r["ours_diverged_candidates"] == "0"
        assert number(r["ours_peak_memory_x"]) > 0

    columns, candidates = read_csv(tmp_path / "search.candidates.csv")
    assert {"learning_rate", "C", "ours_mean_test_score"} <= set(columns)
    assert [r["scenario"] for r in candidates] == list("aabbbbcc")
    for r in candidates:
        assert number(r["ours_mean_test_score"]) == pytest.approx(
            number(r["gs_mean_test_score"]), abs=1e-10
        )
    read_env(tmp_path / "search.env.json", args)


def test_bench_search_wide(tmp_path):
    args = [
        "--scale", "0.01",
        "--max-iter", "5",
        "--repeats", "1",
        "--scenarios", "classes,candidates,steps,sparse",
        "--output", tmp_path / "wide",
        "--quiet",
    ]  # fmt: skip
    done = run_script("bench_search_wide.py", *args, cwd=tmp_path)
    text = (tmp_path / "wide.md").read_text(encoding="utf-8")
    assert text.strip() in done.stdout
    check_markdown(text)
    _, cells = markdown_table(text, "scenario")
    assert [r[0] for r in cells] == ["classes", "candidates", "steps", "sparse"]

    columns, rows = read_csv(tmp_path / "wide.csv")
    assert {"ours_s", "grid_s", "grid_over_ours", "max_abs_diff_mean_score"} <= set(
        columns
    )
    # Candidates x folds x classes (one column for two classes).
    assert [r["columns"] for r in rows] == ["1250", "1000", "200", "240"]
    for r in rows:
        assert number(r["grid_over_ours"]) == pytest.approx(
            number(r["grid_s"]) / number(r["ours_s"])
        )
        # The same iterations of the same candidates: the same scores.
        assert number(r["max_abs_diff_mean_score"]) < 1e-8
        assert number(r["ours_peak_mib"]) > 0
    read_env(tmp_path / "wide.env.json", args)


def test_bench_sweep_columns(tmp_path):
    args = [
        "--n-samples", "1000",
        "--n-features", "5",
        "--n-folds", "2",
        "--columns", "1,3",
        "--dtypes", "float32",
        "--repeats", "1",
        "--output", tmp_path / "sweep.v2",  # a dot in the prefix is kept
        "--quiet",
    ]  # fmt: skip
    done = run_script("bench_sweep_columns.py", *args, cwd=tmp_path)
    text = (tmp_path / "sweep.v2.md").read_text(encoding="utf-8")
    assert text.strip() in done.stdout
    check_markdown(text)
    _, cells = markdown_table(text, "dtype")
    assert [r[:2] for r in cells] == [["float32", "1"], ["float32", "3"]]

    columns, rows = read_csv(tmp_path / "sweep.v2.csv")
    assert columns == [
        "dtype",
        "n_samples",
        "n_features",
        "k",
        "sweep_ms",
        "ms_per_column",
        "fold_fit_sweep_ms",
        "fold_fit_rows",
        "speedup_per_column",
    ]
    assert [r["k"] for r in rows] == ["1", "3"]
    for r in rows:
        assert number(r["sweep_ms"]) > 0
        assert number(r["ms_per_column"]) * int(r["k"]) == pytest.approx(
            number(r["sweep_ms"])
        )
        assert r["fold_fit_rows"] == "500"  # half the rows in each of 2 folds
    read_env(tmp_path / "sweep.v2.env.json", args)


def test_bench_wide(tmp_path):
    args = [
        "--data", "600x280x0.99,300x20x0.5",
        "--repeats", "1",
        "--output", tmp_path / "wide",
        "--quiet",
    ]  # fmt: skip
    done = run_script("bench_wide.py", *args, cwd=tmp_path)
    text = (tmp_path / "wide.md").read_text(encoding="utf-8")
    assert done.stdout == text
    check_markdown(text)
    header, cells = markdown_table(text, "data (n x p, rho)")
    assert header[1:5] == [
        "ours s / iter",
        "ours diagonal s / iter",
        "lbfgs s / iter",
        "newton-cholesky s / iter",
    ]
    assert [r[0] for r in cells] == ["600 x 280, 0.99", "300 x 20, 0.5"]

    _, rows = read_csv(tmp_path / "wide.csv")
    methods = ("ours", "ours_diagonal", "lbfgs", "newton_cholesky")
    for r in rows:
        for name in methods:
            assert r[f"{name}_converged"] == "True"
            assert number(r[f"{name}_median_s"]) > 0
            assert abs(number(r[f"{name}_gap"])) < 1e-4
        # Newton's method reaches the reference; ours, well within tol.
        assert abs(number(r["newton_cholesky_gap"])) < 1e-9
        assert abs(number(r["ours_gap"])) < 1e-7
    wide, narrow = rows
    # 280 coefficients (past the full metric's 256): the shipped solver goes
    # on with the full bound after 50 diagonal iterations, the diagonal alone
    # takes hundreds of iterations and stops further from the optimum.
    assert 50 < int(wide["ours_n_iter"]) < 100
    assert int(wide["ours_diagonal_n_iter"]) > 5 * int(wide["ours_n_iter"])
    assert number(wide["ours_diagonal_gap"]) > 100 * number(wide["ours_gap"])
    # 21 coefficients: the full bound from the start, the switch plays no part.
    assert narrow["ours_n_iter"] == narrow["ours_diagonal_n_iter"]
    assert narrow["ours_objective"] == narrow["ours_diagonal_objective"]
    read_env(tmp_path / "wide.env.json", args)


def test_bench_minibatch(tmp_path):
    args = [
        "--sizes", "3000x6,200x5",
        "--batch-sizes", "100,500",
        "--repeats", "1",
        "--tol", "1e-6",
        "--output", tmp_path / "mb",
        "--quiet",
    ]  # fmt: skip
    done = run_script("bench_minibatch.py", *args, cwd=tmp_path)
    text = (tmp_path / "mb.md").read_text(encoding="utf-8")
    assert done.stdout == text
    check_markdown(text)
    header, cells = markdown_table(text, "data (n x p), penalty")
    assert header[1:5] == [
        "full s / iter / J - J*",
        "mini-100 s / iter / J - J*",
        "mini-500 s / iter / J - J*",
        "sgd s / iter / J - J*",
    ]
    assert [r[0] for r in cells] == [
        "3000 x 6, L2",
        "3000 x 6, L1",
        "200 x 5, L2",
        "200 x 5, L1",
    ]
    # A batch of all the rows (500 of 200) is not run: it is the full fit.
    assert cells[2][3] == "(batch of all rows)" and cells[2][-2] == "n/a"

    _, rows = read_csv(tmp_path / "mb.csv")
    for r in rows:
        sizes = ["100", "500"] if r["n_samples"] == "3000" else ["100"]
        for name in ["full", *(f"mini_{size}" for size in sizes)]:
            # Full and mini-batch fits alike reach the reference optimum.
            assert r[f"{name}_converged"] == "True"
            assert number(r[f"{name}_median_s"]) > 0
            assert abs(number(r[f"{name}_gap"])) < 1e-8
        assert number(r["sgd_median_s"]) > 0
        assert number(r["sgd_gap"]) >= -1e-12  # never below the optimum
        if r["n_samples"] == "200":
            assert r["mini_500_median_s"] == ""
    read_env(tmp_path / "mb.env.json", args)


@pytest.mark.parametrize("compiler", ["default", "none"])
def test_bench_pointwise(tmp_path, compiler):
    """With the machine's C compiler (if any) and with none (``$CC`` names a
    program that does not exist): the compiled columns are then empty."""
    args = [
        "--n-samples", "1000",
        "--n-features", "5",
        "--n-folds", "2",
        "--columns", "3",
        "--dtypes", "float64",
        "--repeats", "1",
        "--output", tmp_path / "pointwise",
        "--quiet",
    ]  # fmt: skip
    env = {"CC": str(tmp_path / "no-such-compiler")} if compiler == "none" else None
    done = run_script("bench_pointwise.py", *args, cwd=tmp_path, env=env)
    text = (tmp_path / "pointwise.md").read_text(encoding="utf-8")
    assert text.strip() in done.stdout
    check_markdown(text)
    header, cells = markdown_table(text, "dtype")
    assert header[:6] == [
        "dtype",
        "k",
        "block rows",
        "products ms",
        "numpy ms",
        "numpy share",
    ]
    assert [r[:2] for r in cells] == [["float64", "3"]]

    columns, rows = read_csv(tmp_path / "pointwise.csv")
    assert columns[:6] == [
        "dtype",
        "k",
        "block_rows",
        "products_ms",
        "numpy_ms",
        "numpy_share",
    ]
    (row,) = rows
    assert 0 < number(row["numpy_share"]) < 1
    built = [b for b in ("C", "C_vector") if f"{b}_ms" in columns]
    if compiler == "none":
        assert built == []
        assert len(columns) == 6
        assert "compiled loops built: none." in text
        assert cells[0][6:] == ["n/a", "n/a", "n/a / n/a"] * 2
    for build in built:
        # Each compiled loop matches numpy's pointwise work.
        assert number(row[f"{build}_residual_rel_diff"]) < 1e-6
        assert number(row[f"{build}_loss_rel_diff"]) < 1e-6
        assert row[f"{build}_order"] in ("by row", "by column")
    read_env(tmp_path / "pointwise.env.json", args)


def test_bench_scale(tmp_path):
    # Each (mode, size) runs in its own process; dask starts a local cluster
    # of 2 workers (the slowest part), only where distributed is installed.
    modes = ["numpy", "memmap"]
    if importlib.util.find_spec("distributed") is not None:
        modes.append("dask")
    args = [
        "--rows", "500",
        "--features", "5",
        "--modes", ",".join(modes),
        "--timeout", "120",
        "--data-dir", tmp_path,
        "--csv", tmp_path / "scale.csv",
        "--markdown", tmp_path / "scale.md",
        "--quiet",
    ]  # fmt: skip
    done = run_script("bench_scale.py", *args, cwd=tmp_path)
    text = (tmp_path / "scale.md").read_text(encoding="utf-8")
    assert done.stdout == text
    check_markdown(text)
    _, cells = markdown_table(text, "rows")
    assert [r[:3] for r in cells] == [["500", "0.0", m] for m in modes]
    assert "error" not in text

    columns, rows = read_csv(tmp_path / "scale.csv")
    assert columns[:6] == ["mode", "rows", "features", "X_mb", "fit_s", "n_iter"]
    assert "coef_max_abs_diff_vs_numpy" in columns
    assert [r["mode"] for r in rows] == modes
    for r in rows:
        assert r["error"] == "", r["error"]  # a failed measurement still exits 0
        assert number(r["fit_s"]) > 0
        # The same fit in every mode.
        assert r["n_iter"] == rows[0]["n_iter"]
        assert number(r["coef_max_abs_diff_vs_numpy"]) < 1e-12
    if "dask" in modes:
        assert number(rows[-1]["worker_rss_after_mb"]) > 0
    assert not list(tmp_path.glob("*.npy"))  # the memmap's files are removed
    env = read_env(tmp_path / "scale.env.json", args)
    assert {"dask", "distributed", "dask_ml", "total_s"} <= env.keys()


def test_bench_engine(tmp_path):
    """Sections (a) and (c), whose sizes are options."""
    args = [
        "--sections", "a,c",
        "--iteration-size", "2000x5",
        "--iterations", "3",
        "--read-repeats", "1",
        "--rounds", "1",
        "--target-size", "2000x5",
        "--solver-budget", "30",  # time enough on a slow machine; ours stops early
        "--output", tmp_path / "engine",
        "--quiet",
    ]  # fmt: skip
    done = run_script("bench_engine.py", *args, cwd=tmp_path)
    text = (tmp_path / "engine.md").read_text(encoding="utf-8")
    assert text.strip() in done.stdout
    check_markdown(text)
    assert "- engine settings: BLOCK_ENTRIES=" in text
    _, cells = markdown_table(text, "data")
    assert {(r[1], r[2]) for r in cells} == {
        (d, o) for d in ("float64", "float32") for o in ("C", "F")
    }
    _, cells = markdown_table(text, "solver")
    solvers = ["ours", "lbfgs", "newton-cholesky", "saga", "sgd", "textbook gd"]
    assert [r[0] for r in cells] == solvers

    columns, rows = read_csv(tmp_path / "engine_a.csv")
    assert {"dtype", "order", "sweep_threads", "sweeps_per_iteration"} <= set(columns)
    assert len(rows) in (4, 8)  # 2 dtypes x 2 orders x 1 or 2 thread counts
    for r in rows:
        assert r["data"] == "2000 x 5"
        assert number(r["ratio_iteration_over_read_median"]) > 0
        assert number(r["sweeps_per_iteration"]) >= 1

    columns, rows = read_csv(tmp_path / "engine_c.csv")
    assert columns[:4] == ["solver", "data", "target_relative_gap", "reached"]
    assert [r["solver"] for r in rows] == solvers
    for r in rows:
        assert number(r["relative_gap"]) > -1e-6  # J* is the lowest objective
    ours = rows[0]
    assert ours["reached"] == "True"
    assert number(ours["relative_gap"]) <= 1e-6
    assert not (tmp_path / "engine_b.csv").exists()
    env = read_env(tmp_path / "engine.env.json", args)
    assert set(env["engine_settings"]) == {
        "BLOCK_ENTRIES",
        "SWEEP_CHUNKS",
        "PARALLEL_MIN_ENTRIES",
        "MAX_THREADS",
    }
    assert set(env["load_average_1min_before_after"]) == {"a", "c"}


def png_size(path):
    """``(width, height)`` from a PNG file's header."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_make_figures(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "images"
    done = run_script("make_figures.py", "--output-dir", out, cwd=tmp_path)
    names = [
        "learning_rate_search.png",
        "loss_curve_breast_cancer.png",
        "loss_curve_iris.png",
    ]
    assert sorted(p.name for p in out.iterdir()) == names
    for name in names:
        assert f"wrote {out / name}" in done.stdout
        assert png_size(out / name) == (1000, 400)  # figsize (10, 4) at 100 dpi


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--sections", "x", "unknown section(s) ['x']"),
        ("--datasets", "nosuch", "unknown data set(s) ['nosuch']"),
    ],
)
def test_bench_engine_refuses_unknown_names(tmp_path, option, value, message):
    # Section (b) alone and outputs in tmp_path, should the names be taken.
    args = ["--sections", "b", "--output", tmp_path / "engine", option, value]
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_engine.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
