"""Run the gallery's examples in parallel worker processes, before mkdocs-gallery's serial pass.

mkdocs-gallery 0.10.4 runs examples one after the other and skips an example whose
source has the MD5 it recorded after its last run. :func:`install` wraps its
``generate_gallery_md``: before the serial pass, the examples it would run (changed
sources that match the build's filter) run in ``jobs`` worker processes, each through
mkdocs-gallery's own ``generate_file_md``, which writes the page, its figures, its
downloads and its MD5. The serial pass then finds them unchanged and only assembles the
indexes, so the output is what a serial build writes. Run times and memory that the
serial pass would report as 0 for such a skipped example are restored from the workers.

The workers are forked from the build process: they inherit mkdocs-gallery's
configuration (scrapers and reset functions are callables, not picklable) and start
without importing anything again. A process that has run torch cannot be forked safely
(its OpenMP threads do not survive), so a rebuild in a process that has loaded torch
runs the examples one after the other. Longest examples go first (their times are kept in
``cache_dir("build")``), so that two workers end close together.

An example that fails in a worker has its MD5 removed, so that the serial pass runs it
again and fails the build with its name and traceback, exactly as a serial build does.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from mlviz.config import cache_dir

__all__ = ["JOBS_ENV", "RUN_REPORT", "ParallelRun", "default_jobs", "install", "last_run"]

log = logging.getLogger("mkdocs.plugins.mlviz")

#: Environment variable that sets the number of worker processes (1: the serial build).
JOBS_ENV = "MLVIZ_JOBS"

#: Seconds assumed for an example never timed before: it goes first.
_UNKNOWN_SECONDS = 1e9


def default_jobs() -> int:
    """Worker processes for this build: ``$MLVIZ_JOBS``, else the cores this process may use."""
    value = os.environ.get(JOBS_ENV, "").strip()
    if value:
        try:
            jobs = int(value)
        except ValueError:
            jobs = 0
        if jobs < 1:
            raise ValueError(
                f"{JOBS_ENV} must be a whole number of processes, at least 1; got {value!r}"
            )
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class ParallelRun:
    """What the parallel pass did: how many examples, in how many workers, how long.

    ``example_seconds`` sums the examples' own run times (what a serial build would
    take for them); ``wall_seconds`` is the pass's elapsed time.
    """

    jobs: int
    examples: int
    wall_seconds: float
    example_seconds: float
    failed: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "jobs": self.jobs,
            "examples": self.examples,
            "wall_seconds": round(self.wall_seconds, 2),
            "example_seconds": round(self.example_seconds, 2),
            "failed": list(self.failed),
        }


def _times_file() -> Path:
    return cache_dir("build") / "example-seconds.json"


def _read_times() -> dict:
    try:
        return json.loads(_times_file().read_text())
    except (OSError, ValueError):
        return {}


#: Where a build writes its parallel pass (:meth:`ParallelRun.to_dict`), under the cache root.
RUN_REPORT = Path("build", "last-parallel-run.json")


def last_run(cache_root: Path) -> dict | None:
    """The parallel pass of the last build that used ``cache_root``, or None if none ran."""
    try:
        return json.loads((Path(cache_root) / RUN_REPORT).read_text())
    except (OSError, ValueError):
        return None


#: Set in the build process just before forking; the workers read it.
_SCRIPTS: list = []
#: src path -> (seconds, memory) of the examples the workers ran, for the serial pass.
_DONE: dict = {}


def _run_one(index: int):
    """In a worker: generate one example's page with mkdocs-gallery's own function."""
    script = _SCRIPTS[index]
    conf = script.gallery_conf
    start = time.perf_counter()
    try:
        result = _ORIGINAL_FILE_MD(script)
        failed = any(
            Path(f) == Path(script.src_py_file)
            for f in conf.get("failing_examples", {})
        )
        seconds, memory = result.exec_time, result.memory
    except (
        BaseException
    ) as error:  # abort_on_example_error, or an error of the builder itself
        log.error("mlviz: %s failed in a worker: %s", script.src_py_file, error)
        failed, seconds, memory = True, time.perf_counter() - start, 0.0
    return index, failed, seconds, memory


def _pending(gallery_conf, mkdocs_conf) -> tuple:
    """The examples the serial pass would run, in the galleries' order, and their galleries.

    A script refers to its gallery weakly: the caller keeps the galleries alive.
    """
    from mkdocs_gallery.gen_data_model import AllInformation

    info = AllInformation.from_cfg(gallery_conf, mkdocs_conf)
    info.collect_script_files()
    scripts = []
    for gallery in info.galleries:
        for g in (gallery, *gallery.subsections):
            # the folders every worker writes into, made before the fork: two workers
            # making one (mkdir without exist_ok) would fail the second
            g.make_generated_dir()
            g.make_images_dir()
            g.make_thumb_dir()
            for script in g.scripts:
                script.make_dwnld_py_file()
                if (
                    script.is_executable_example()
                    and script.has_changed_wrt_persisted_md5()
                ):
                    scripts.append(script)
    return info, scripts


def run_pending(gallery_conf, mkdocs_conf, jobs: int) -> ParallelRun | None:
    """Run the examples that changed in ``jobs`` forked workers; None when there is nothing to share."""
    info, scripts = _pending(gallery_conf, mkdocs_conf)
    if jobs < 2 or len(scripts) < 2:
        return None
    if "torch" in sys.modules:
        # A rebuild (mkdocs serve) after examples ran in this process: torch's OpenMP
        # threads do not survive a fork, and a forked worker could hang in them.
        log.info(
            "mlviz: torch is loaded in the build process; examples run one after the other"
        )
        return None
    known = _read_times()
    scripts.sort(
        key=lambda s: -known.get(str(s.src_py_file_rel_project), _UNKNOWN_SECONDS)
    )
    _SCRIPTS[:] = scripts
    log.info("mlviz: running %d examples in %d worker processes", len(scripts), jobs)
    start = time.perf_counter()
    failed = []
    # Not a multiprocessing.Pool: its workers are daemons, in which joblib refuses to
    # start the processes that scikit-learn's n_jobs asks for.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(min(jobs, len(scripts)), mp_context=context) as pool:
        futures = [
            pool.submit(_run_one, i) for i in range(len(scripts))
        ]  # longest first
        for future in as_completed(futures):
            index, did_fail, seconds, memory = future.result()
            script = scripts[index]
            name = str(script.src_py_file_rel_project)
            if did_fail:
                failed.append(name)
                # mkdocs-gallery wrote its MD5 anyway: remove it, so that the serial pass
                # runs the example again and fails the build with its traceback
                Path(script.md5_file).unlink(missing_ok=True)
                continue
            known[name] = round(seconds, 2)
            _DONE[str(script.src_py_file)] = (seconds, memory)
    _SCRIPTS.clear()
    run = ParallelRun(
        jobs=jobs,
        examples=len(scripts),
        wall_seconds=time.perf_counter() - start,
        example_seconds=sum(
            _DONE.get(str(s.src_py_file), (0.0, 0.0))[0] for s in scripts
        ),
        failed=tuple(failed),
    )
    _times_file().write_text(json.dumps(known, indent=1, sort_keys=True))
    (cache_dir(*RUN_REPORT.parent.parts) / RUN_REPORT.name).write_text(
        json.dumps(run.to_dict(), indent=1)
    )
    log.info(
        "mlviz: %d examples in %d workers took %.0f s; run one after the other they took %.0f s",
        run.examples,
        run.jobs,
        run.wall_seconds,
        run.example_seconds,
    )
    del info  # the galleries, kept alive until here for the scripts' weak references
    return run


_ORIGINAL_FILE_MD = None


def install(jobs: int | None = None) -> None:
    """Make mkdocs-gallery run changed examples in parallel workers first (idempotent).

    Parameters
    ----------
    jobs : int, optional
        Worker processes; default :func:`default_jobs`. With 1, nothing changes.
    """
    global _ORIGINAL_FILE_MD
    from mkdocs_gallery import gen_single, plugin

    jobs = default_jobs() if jobs is None else jobs
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(
            f"jobs must be a whole number of processes, at least 1; got {jobs!r}"
        )
    if getattr(plugin.generate_gallery_md, "_mlviz_parallel", None) is not None:
        plugin.generate_gallery_md._mlviz_parallel["jobs"] = jobs
        return
    original_gallery_md = plugin.generate_gallery_md
    _ORIGINAL_FILE_MD = gen_single.generate_file_md
    settings = {"jobs": jobs}

    def generate_gallery_md(gallery_conf, mkdocs_conf):
        _DONE.clear()
        run_pending(gallery_conf, mkdocs_conf, settings["jobs"])
        return original_gallery_md(gallery_conf, mkdocs_conf)

    def generate_file_md(script, seen_backrefs=None):
        result = _ORIGINAL_FILE_MD(script, seen_backrefs=seen_backrefs)
        done = _DONE.get(str(script.src_py_file))
        if (
            done is not None
        ):  # run by a worker: keep its time and memory for the summaries
            result.exec_time, result.memory = done
            stale = script.gallery_conf["stale_examples"]
            if script.dwnld_py_file in stale:
                stale.remove(script.dwnld_py_file)
            # counted as run ("successfully executed N out of N"), as the worker ran it
            script.gallery_conf["passing_examples"].append(script)
        return result

    generate_gallery_md._mlviz_parallel = settings
    plugin.generate_gallery_md = generate_gallery_md
    gen_single.generate_file_md = generate_file_md
