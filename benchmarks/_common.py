"""What the benchmark scripts share: the record of their environment and output helpers.

Every script writes, next to its results, a ``*.env.json`` made by
:func:`environment` (the same keys in every script, plus the script's own
extras) and starts its markdown with :func:`environment_markdown`:

- the date (UTC), the python, numpy, scipy, scikit-learn, threadpoolctl and
  sklearn_bce versions;
- which sklearn_bce was benchmarked: the git commit of its checkout ("clean"
  or "modified files"), where it was imported from (relative to this
  repository, never a machine path) and a SHA-256 of its ``.py`` files, which
  tells two uncommitted states apart;
- every thread pool threadpoolctl sees (BLAS, OpenMP: version, threads,
  kernels) and the threads of sklearn_bce's own fused sweep;
- whether the OpenBLAS override variables (:data:`OPENBLAS_OVERRIDES`) are
  set, which change the kernels OpenBLAS runs (see ``benchmarks/README.md``);
- the machine: CPU model, logical and usable CPUs, memory, platform, and the
  load average at the start (and, once :func:`finish_environment` is called,
  at the end) of the run.

The scripts import this module as ``_common``: ``python benchmarks/<script>.py``
puts ``benchmarks/`` on ``sys.path``, and each script adds its own folder
there too for other ways of running it (``runpy.run_path``, importing it).
"""

import csv
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy
import sklearn
import threadpoolctl

import sklearn_bce

#: Environment variables that change which OpenBLAS kernels run.
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
#: The repository this folder belongs to (places are given relative to it).
REPOSITORY = Path(__file__).resolve().parent.parent
#: Default folder of the results.
RESULTS = REPOSITORY / "benchmarks" / "results"


# -- the machine -----------------------------------------------------------------------
def cpu_model():
    """The CPU's model name (``/proc/cpuinfo``, else what ``platform`` knows)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def usable_cores():
    """CPUs this process may run on (its affinity), else all logical CPUs."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def memory_gib():
    """Total memory of the machine in GiB (``/proc/meminfo``), or None."""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def load_average():
    """The 1-, 5- and 15-minute load averages as ``"0.23, 0.88, 1.60"``."""
    try:
        return ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def threadpools():
    """One line per thread pool threadpoolctl sees in this process.

    ``"blas:openblas 0.3.30 threads=2 arch=SkylakeX (libscipy_openblas-....so)"``:
    API and implementation, version, threads, kernels (``architecture``, or
    ``corename`` in older threadpoolctl) and the library's file name.  Only
    libraries already loaded are seen; numpy, scipy and scikit-learn are
    imported by this module.
    """
    lines = []
    for info in threadpoolctl.threadpool_info():
        arch = info.get("architecture") or info.get("corename") or "-"
        lines.append(
            f"{info.get('user_api')}:{info.get('internal_api')} "
            f"{info.get('version') or ''} threads={info.get('num_threads')} "
            f"arch={arch} ({Path(info.get('filepath', '')).name})".replace("  ", " ")
        )
    return lines


# -- the benchmarked package -----------------------------------------------------------
def package_root():
    """The folder of the imported sklearn_bce."""
    return Path(sklearn_bce.__file__).resolve().parent


def package_source():
    """Git commit of the imported sklearn_bce and whether its files differ from it.

    ``"e9b8bcb (clean)"``, ``"e9b8bcb (modified files)"`` (changed or new files
    in the package folder), or ``"unknown (not a git checkout)"``.
    """
    root = package_root()
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} (modified files)" if changes else f"{commit} (clean)"


def package_digest():
    """Where sklearn_bce was imported from and a SHA-256 of its ``.py`` files.

    Returns ``(place, first 16 hex digits)``.  The place is relative to this
    repository (no machine paths in the results): ``sklearn_bce`` for the
    checkout's own package, else ``"a copy outside this repository"``.  The
    hash covers every ``.py`` file under the package folder, name and bytes,
    in sorted order.
    """
    root = package_root()
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    try:
        place = root.relative_to(REPOSITORY).as_posix()
    except ValueError:
        place = "a copy outside this repository"
    return place, digest.hexdigest()[:16]


def sweep_threads():
    """Threads of sklearn_bce's fused sweep in this process, as text."""
    loss = getattr(sklearn_bce, "_loss", None)
    if loss is not None and hasattr(loss, "sweep_threads"):
        return f"{loss.sweep_threads()} (MAX_THREADS={loss.MAX_THREADS})"
    return "n/a (this sklearn_bce has no threaded sweep)"


# -- the record ------------------------------------------------------------------------
def environment(extra=None):
    """Versions, package, thread pools and machine, as a flat dict for JSON.

    Call it once the process's thread limits are set (they are part of the
    record).  ``extra``: the script's own entries, appended after the common
    ones.
    """
    place, digest = package_digest()
    env = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "sklearn_bce": sklearn_bce.__version__,
        "sklearn_bce_source": package_source(),
        "sklearn_bce_path": place,
        "sklearn_bce_sha256_16": digest,
        "threadpoolctl": threadpoolctl.__version__,
        "threadpools": threadpools(),
        "sklearn_bce_sweep_threads": sweep_threads(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cores": usable_cores(),
        "memory_gib": memory_gib(),
        "load_average_at_start": load_average(),
        "platform": platform.platform(),
        "openblas_overrides_set": [k for k in OPENBLAS_OVERRIDES if k in os.environ],
    }
    env.update(extra or {})
    _started[id(env)] = time.perf_counter()
    return env


#: When each record of :func:`environment` was made, for its ``total_s``.
_started = {}


def finish_environment(env, **extra):
    """Add the load average at the end of the run, the seconds since
    :func:`environment` made ``env`` (``total_s``, unless ``extra`` has the
    script's own) and ``extra`` to ``env``."""
    env["load_average_at_end"] = load_average()
    started = _started.pop(id(env), None)
    if started is not None:
        env["total_s"] = round(time.perf_counter() - started, 1)
    env.update(extra)
    return env


def overrides_warning(env):
    """A warning to print when OpenBLAS override variables are set, else None."""
    if not env["openblas_overrides_set"]:
        return None
    return (
        "warning: "
        + ", ".join(env["openblas_overrides_set"])
        + " set; run under `env -u "
        + " -u ".join(OPENBLAS_OVERRIDES)
        + "` (see benchmarks/README.md)"
    )


def environment_markdown(env, date_note="", extra_lines=()):
    """The "Environment:" list that opens every script's markdown.

    ``date_note`` is appended to the date line (``"; whole run 3.2 min"``);
    ``extra_lines`` (whole list items, ``"- ..."``) come before the line on the
    OpenBLAS overrides.
    """
    load = f"load average at start {env['load_average_at_start']}"
    if "load_average_at_end" in env:
        load += f", at end {env['load_average_at_end']}"
    memory = env.get("memory_gib")
    memory = "" if memory is None else f", {memory:g} GiB"
    lines = [
        "Environment:",
        "",
        f"- date (UTC): {env['date']}{date_note}",
        f"- CPU: {env['cpu']}, {env['cpu_count']} logical CPUs "
        f"({env['usable_cores']} usable){memory}, {env['platform']}; {load}",
        f"- python {env['python']}, numpy {env['numpy']}, scipy {env['scipy']}, "
        f"scikit-learn {env['sklearn']}, "
        f"sklearn_bce {env['sklearn_bce']} at {env['sklearn_bce_source']} "
        f"({env['sklearn_bce_path']}, .py files sha256 "
        f"{env['sklearn_bce_sha256_16']}), "
        f"threadpoolctl {env['threadpoolctl']}",
    ]
    lines += [f"- threadpool: {lib}" for lib in env["threadpools"]]
    lines += [
        "- sklearn_bce sweep threads of the main process: "
        f"{env['sklearn_bce_sweep_threads']}"
    ]
    lines += list(extra_lines)
    overrides = ", ".join(env["openblas_overrides_set"]) or "none"
    lines += [f"- OpenBLAS overrides set in the environment: {overrides}"]
    return lines


# -- output ----------------------------------------------------------------------------
def fmt(value, spec):
    """``format(value, spec)``, ``"n/a"`` for a missing value ("" or None)."""
    if value == "" or value is None:
        return "n/a"
    if isinstance(value, float) and np.isnan(value):
        return "nan"
    return format(value, spec)


def table(header, rows, align=None):
    """A markdown table as a list of lines.

    ``align``: one character per column, ``"l"`` (``---``) or ``"r"``
    (``---:``); left everywhere by default.
    """
    align = align or "l" * len(header)
    if len(align) != len(header):
        raise ValueError("one alignment per column")
    rule = "".join("---:|" if a == "r" else "---|" for a in align)
    lines = ["| " + " | ".join(header) + " |", "|" + rule]
    lines += ["| " + " | ".join(map(str, r)) + " |" for r in rows]
    return lines


def write_csv(rows, path, fields=None):
    """Write dicts as CSV, floats as ``repr`` (every digit), missing cells empty.

    The columns are ``fields`` (other keys are left out) or, by default, the
    keys of all the rows in the order they first appear.  No rows: an empty
    file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fields is None:
        fields = []
        for r in rows:
            fields += [k for k in r if k not in fields]
    with open(path, "w", newline="", encoding="utf-8") as f:
        if not fields:
            return
        writer = csv.DictWriter(
            f, fieldnames=list(fields), restval="", extrasaction="ignore"
        )
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {k: repr(v) if isinstance(v, float) else v for k, v in r.items()}
            )


def write_json(path, record):
    """Write ``record`` and the command's arguments (``argv``) as indented JSON."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({**record, "argv": sys.argv[1:]}, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


def with_extension(prefix, extension):
    """``prefix`` + ``extension``: a dot in the prefix (``run.v2``) is kept."""
    prefix = Path(prefix)
    return prefix.with_name(prefix.name + extension)


def write_outputs(prefix, rows, env, text):
    """Write ``prefix`` + ``.csv`` (rows), ``.env.json`` (env) and ``.md`` (text)."""
    write_csv(rows, with_extension(prefix, ".csv"))
    write_json(with_extension(prefix, ".env.json"), env)
    with_extension(prefix, ".md").write_text(text, encoding="utf-8")


def peak_traced_memory(function):
    """Peak bytes ``tracemalloc`` traces (numpy arrays included) in ``function()``."""
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def run_and_record(args, run, markdown):
    """The usual run of a script: record, ``run(args, log)``, write, print.

    ``args`` has ``quiet`` and ``output`` (a prefix); ``run`` returns the
    rows, ``markdown(rows, env, args)`` the text written and printed.
    """
    log = make_logger(args.quiet)
    env = environment()
    if warning := overrides_warning(env):
        log(warning)
    rows = run(args, log)
    finish_environment(env)
    text = markdown(rows, env, args)
    write_outputs(args.output, rows, env, text)
    print(text)


def make_logger(quiet):
    """A ``log(message)`` that prints progress to stderr unless ``quiet``."""

    def log(message):
        if not quiet:
            print(message, file=sys.stderr, flush=True)

    return log
