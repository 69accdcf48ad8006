"""The build's parallel pass: the same pages as a serial build, failures still fail it.

Each test builds a tiny MkDocs project (three or four small examples, the build's
``mlviz.build.parallel`` hook) with ``mkdocs build`` in a subprocess, as ``make docs``
does, once with one worker process and once with two.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlviz.build.parallel import ParallelRun, default_jobs, last_run

from ..conftest import ROOT

EXAMPLE = '''"""
# Example {i}

Draws a line from seed {i}.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

rng = np.random.default_rng({i})
print("mean", rng.normal(size=100).mean())
fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
ax.plot(rng.normal(size=20))
plt.show()
{extra}
'''


def _project(folder: Path, failing: bool = False) -> Path:
    (folder / "gallery").mkdir(parents=True)
    (folder / "docs").mkdir()
    (folder / "gallery" / "README.md").write_text("# Tiny\n\nA tiny gallery.\n")
    for i in range(1, 4):
        (folder / "gallery" / f"plot_0{i}_x.py").write_text(
            EXAMPLE.format(i=i, extra="")
        )
    if failing:
        extra = 'raise ValueError("example 4 is broken on purpose")'
        (folder / "gallery" / "plot_04_broken.py").write_text(
            EXAMPLE.format(i=4, extra=extra)
        )
    (folder / "docs" / "index.md").write_text("# Home\n")
    (folder / "hooks.py").write_text(
        "from mlviz.build.parallel import install\n\n\n"
        "def on_config(config, **kwargs):\n    install()\n    return config\n"
    )
    (folder / "mkdocs.yml").write_text(
        "site_name: tiny\nhooks:\n  - hooks.py\nplugins:\n  - gallery:\n"
        "      examples_dirs: gallery\n      gallery_dirs: docs/generated\n"
        "nav:\n  - index.md\n  - generated\n"
    )
    return folder


def _build(folder: Path, jobs: int) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "MPLBACKEND": "agg",
        "MLVIZ_JOBS": str(jobs),
        "MLVIZ_CACHE_DIR": str(folder / "cache"),
    }
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(folder / "site")],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _outputs(folder: Path) -> dict:
    """Every generated file, with what legitimately differs between two runs taken out."""
    files = {}
    for path in sorted((folder / "docs" / "generated").rglob("*")):
        # pickles hold absolute paths, zips the time they were written
        if path.is_file() and path.suffix not in (".pickle", ".zip"):
            data = path.read_bytes()
            if path.suffix in (".md", ".ipynb"):
                data = re.sub(
                    rb"\*\*Total running time of the script:\*\*[^\n]*", b"", data
                )
            if path.name == "mg_execution_times.md":  # its rows are ordered by time
                data = re.sub(rb"\d\d:\d\d\.\d\d\d|\d+\.\d MB", b"", data)
                data = b"\n".join(sorted(data.splitlines()))
            files[str(path.relative_to(folder))] = data
    return files


def test_two_workers_write_what_one_writes(tmp_path):
    serial, parallel = _project(tmp_path / "serial"), _project(tmp_path / "parallel")
    for folder, jobs in ((serial, 1), (parallel, 2)):
        done = _build(folder, jobs)
        assert done.returncode == 0, done.stderr[-3000:]
        # the summary counts the examples the workers ran, as a serial build counts its own
        assert "successfully executed 3 out of 3 file" in done.stdout + done.stderr
    assert last_run(serial / "cache") is None
    run = last_run(parallel / "cache")
    assert run["jobs"] == 2 and run["examples"] == 3 and run["failed"] == []
    a, b = _outputs(serial), _outputs(parallel)
    assert sorted(a) == sorted(b)
    assert any(name.endswith(".png") for name in a)  # the figures were compared too
    for name in a:
        assert a[name] == b[name], name
    # the times of the parallel pass reach the summary, not the skipped pass's zeros
    times = (parallel / "docs" / "generated" / "mg_execution_times.md").read_text()
    assert "00:00.000" not in times and "**00:00.000**" not in times
    # a rebuild with nothing changed runs nothing in the workers
    again = _build(parallel, 2)
    assert again.returncode == 0 and "worker processes" not in again.stderr


def test_a_failing_example_fails_the_build_with_its_name_and_traceback(tmp_path):
    folder = _project(tmp_path / "broken", failing=True)
    done = _build(folder, 2)
    assert done.returncode != 0
    assert (
        "plot_04_broken.py" in done.stderr
        and "example 4 is broken on purpose" in done.stderr
    )
    run = last_run(folder / "cache")
    assert run["failed"] == ["gallery/plot_04_broken.py"]
    # the other examples were written by the workers and are not run again
    assert len(list((folder / "docs" / "generated").glob("plot_0[123]_x.py.md5"))) == 3


def test_jobs_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MLVIZ_JOBS", "3")
    assert default_jobs() == 3
    monkeypatch.delenv("MLVIZ_JOBS")
    assert default_jobs() >= 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("MLVIZ_JOBS", bad)
        with pytest.raises(
            ValueError,
            match=rf"MLVIZ_JOBS must be a whole number of processes, at least 1; got '{bad}'",
        ):
            default_jobs()


def test_the_report_of_a_run_is_plain_json():
    run = ParallelRun(
        jobs=2, examples=5, wall_seconds=10.04, example_seconds=19.51, failed=("a.py",)
    )
    assert json.loads(json.dumps(run.to_dict())) == {
        "jobs": 2,
        "examples": 5,
        "wall_seconds": 10.04,
        "example_seconds": 19.51,
        "failed": ["a.py"],
    }
