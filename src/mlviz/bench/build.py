"""The gallery's benchmark (``make bench``): build times, per-example cost, page weight.

Measures, on a copy of the project with a clean model cache:

1. the cold full build (every example runs, models are trained);
2. a warm rebuild with no change (mkdocs-gallery skips examples by MD5);
3. a rebuild after touching one example;
4. each example run on its own as a script: wall time and peak resident memory;
5. the built site: total size, page weights (a page's HTML plus the images it shows,
   shared assets excluded) and the largest images;
6. what a desktop and a 3x phone download per page (:mod:`mlviz.bench.transfer`), the
   playground's training speed in Chromium, and Lighthouse's performance and
   accessibility scores of every page (:mod:`mlviz.bench.lighthouse`);
7. a second full build under other CPU kernels (:mod:`mlviz.bench.rounding`): the claims
   that only run in full mode must hold under another processor's rounding too (the
   quick-mode ones are proved by ``make test``). This one is a check: it fails the run.

Writes ``bench/report.json`` and prints a table with the budgets next to the numbers.
This is a measurement, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

#: Budgets on a 2-core machine (issues "Site quality, reliability and speed" and
#: "build twice as fast", with sections J and K in).
BUDGETS = {
    "cold_build_s": 10 * 60,
    "warm_rebuild_s": 20,
    "example_s": 60,
    "peak_rss_mb": 4096,
    "median_page_mb": 1.0,
    "phone_desktop_ratio": 2.0,
}

_RUNNING_TIME = re.compile(r"Total running time of the script:\*\*\s*\(\s*(\d+) minutes\s+([\d.]+) seconds\)")
_IMG = re.compile(r'<img[^>]+src="([^"]+)"')


def copy_project(dest: Path) -> Path:
    """Copy the sources a build reads (no generated pages, no site) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "node_modules")
    for name in ("mkdocs.yml", "pyproject.toml", "README.md", "Makefile", "requirements"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / name)
    for folder in ("src", "gallery"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=skip)
    shutil.copytree(ROOT / "docs", dest / "docs", ignore=shutil.ignore_patterns("gallery", "__pycache__"))
    return dest


def _run(cmd, cwd: Path, env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a command; return (wall seconds, peak RSS of the child in MB, result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # RUSAGE_CHILDREN's ru_maxrss is the largest of all children so far: it is this child's
    # own peak only for the first child, or when this child is the largest.
    return wall, max(peak, before) / 1024, result


def _build(project: Path, env: dict, label: str, *, first: bool = False) -> dict:
    """One build. Peak RSS is only known for the first child process (see ``_run``)."""
    site = project / "site"
    wall, rss, result = _run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)], project, env)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-6000:])
        raise SystemExit(f"bench: {label} failed (see above)")
    executed = re.search(r"successfully executed (\d+) out of (\d+)", result.stdout + result.stderr)
    memory = f", peak RSS {rss:.0f} MB" if first else ""
    print(f"  {label}: {wall:.1f} s, {executed.group(1) if executed else '?'} examples run{memory}")
    from mlviz.build.parallel import RUN_REPORT, last_run

    run = last_run(env["MLVIZ_CACHE_DIR"])
    # the next build's pass (if any) writes its own
    Path(env["MLVIZ_CACHE_DIR"], RUN_REPORT).unlink(missing_ok=True)
    if run:
        print(
            f"    examples in {run['jobs']} worker processes: {run['wall_seconds']:.0f} s; "
            f"one after the other they took {run['example_seconds']:.0f} s"
        )
    return {
        "seconds": round(wall, 2),
        "examples_run": int(executed.group(1)) if executed else None,
        "peak_rss_mb": round(rss) if first else None,
        "parallel_examples": run,
    }


def _build_times(project: Path) -> dict[str, float]:
    times = {}
    for md in sorted((project / "docs" / "gallery").glob("*/plot_*.md")):
        m = _RUNNING_TIME.search(md.read_text(encoding="utf-8"))
        if m:
            times[f"{md.parent.name}/{md.stem}.py"] = round(int(m.group(1)) * 60 + float(m.group(2)), 2)
    return times


def _standalone(project: Path, env: dict) -> dict[str, dict]:
    out = {}
    for script in sorted((project / "gallery").glob("*/plot_*.py")):
        key = f"{script.parent.name}/{script.name}"
        wall, _, result = _run(
            [sys.executable, "-c", _RSS_WRAPPER, str(script)], script.parent, dict(env, MPLBACKEND="agg")
        )
        rss = json.loads(result.stdout.strip().splitlines()[-1]).get("rss_mb") if result.returncode == 0 else None
        out[key] = {"seconds": round(wall, 2), "peak_rss_mb": rss, "ok": result.returncode == 0}
        print(f"  {key}: {wall:.1f} s, peak RSS {rss} MB{'' if result.returncode == 0 else ' FAILED'}")
    return out


def _playground(site: Path) -> list[dict] | None:
    """Training steps and frames per second of the in-browser playground (2 x 8 neurons)."""
    from .playground import playground_rates

    try:
        rates = playground_rates(site, seconds=5.0)
    except Exception as exc:  # no Chromium, no playground page: report it, keep the rest
        print(f"  playground: not measured ({type(exc).__name__}: {exc})")
        return None
    for r in rates:
        print(f"  playground, {r['speed']} epoch(s)/frame: {r['steps_per_s']:.1f} steps/s, {r['frames_per_s']:.1f} frames/s")
    return [{k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()} for r in rates]


def _transfer(site: Path) -> dict | None:
    """Bytes per page on a desktop and a 3x phone (:mod:`mlviz.bench.transfer`)."""
    from .transfer import page_transfer

    print("Bytes over the wire per page, desktop and 3x phone:")
    try:
        pages = page_transfer(site)
    except Exception as exc:  # no Chromium: report it, keep the rest
        print(f"  transfer: not measured ({type(exc).__name__}: {exc})")
        return None
    ratios = {page: v["phone"] / max(v["desktop"], 1) for page, v in pages.items()}
    worst = max(ratios, key=ratios.get)
    return {
        "pages": pages,
        "median_desktop_mb": round(statistics.median(v["desktop"] for v in pages.values()) / 2**20, 2),
        "median_phone_mb": round(statistics.median(v["phone"] for v in pages.values()) / 2**20, 2),
        "worst_ratio": {"page": worst, "ratio": round(ratios[worst], 2)},
    }


def _lighthouse(site: Path) -> dict | None:
    """Lighthouse performance and accessibility of every page (mobile preset)."""
    from .lighthouse import audit_site

    print("Lighthouse, every page (mobile preset):")
    try:
        return audit_site(site)
    except Exception as exc:  # no npm or Chromium: report it, keep the rest
        print(f"  lighthouse: not measured ({type(exc).__name__}: {exc})")
        return None


# Runs one example as __main__ and prints its own peak RSS (children included) as JSON.
_RSS_WRAPPER = """
import json, resource, runpy, sys, io, contextlib
path = sys.argv[1]
sys.argv = [path]
with contextlib.redirect_stdout(io.StringIO()):
    runpy.run_path(path, run_name="__main__")
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rss_mb": round(max(own, kids) / 1024)}))
"""


def _site_weights(site: Path) -> dict:
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    pages = {}
    for html in site.rglob("index.html"):
        text = html.read_text(encoding="utf-8", errors="replace")
        size = html.stat().st_size
        for src in _IMG.findall(text):
            if src.startswith(("http", "data:")):
                continue
            target = (html.parent / src.split("#")[0]).resolve()
            if target.is_file() and "assets" not in target.relative_to(site.resolve()).parts:
                size += target.stat().st_size
        pages[html.parent.relative_to(site).as_posix() or "."] = size
    images = sorted(
        ((p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.png") if "thumb" not in p.parts),
        reverse=True,
    )[:5]
    sizes = sorted(pages.values())
    largest = max(pages, key=pages.get) if pages else None
    return {
        "site_mb": round(total / 2**20, 1),
        "pages": len(pages),
        "median_page_mb": round(statistics.median(sizes) / 2**20, 3) if sizes else 0,
        "largest_page": {"path": largest, "mb": round(pages[largest] / 2**20, 2)} if largest else None,
        "largest_images": [{"path": p, "kb": round(s / 1024)} for s, p in images],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "report.json")
    parser.add_argument("--skip-standalone", action="store_true", help="do not run each example on its own")
    parser.add_argument(
        "--skip-rounding", action="store_true", help="do not rebuild the full site under other CPU kernels"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mlviz-bench-") as tmp:
        tmp = Path(tmp)
        project = copy_project(tmp / "project")
        env = dict(
            os.environ,
            PYTHONPATH=str(project / "src"),
            MLVIZ_CACHE_DIR=str(tmp / "cache"),  # clean model cache: the cold build trains everything
            MLVIZ_QUICK="0",
            NO_MKDOCS_2_WARNING="1",
        )
        env.pop("MLVIZ_EXAMPLES", None)
        env.setdefault("NUMBA_CACHE_DIR", str(tmp / "numba"))
        print("Benchmark (full mode, clean model cache)")
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "budgets": BUDGETS,
        }
        report["cold_build"] = _build(project, env, "cold full build", first=True)
        report["per_example_in_build_s"] = _build_times(project)
        report["warm_rebuild"] = _build(project, env, "warm rebuild, no change")
        touched = sorted((project / "gallery").glob("*/plot_*.py"))[0]
        with touched.open("a") as fh:
            fh.write("\n# touched by the benchmark\n")
        report["touched_rebuild"] = _build(project, env, f"rebuild after touching {touched.name}")
        report["touched_rebuild"]["example"] = touched.name
        report["site"] = _site_weights(project / "site")
        report["transfer"] = _transfer(project / "site")
        report["playground"] = _playground(project / "site")
        report["lighthouse"] = _lighthouse(project / "site")
        if not args.skip_standalone:
            print("Each example on its own (warm caches):")
            report["standalone"] = _standalone(project, env)
        if not args.skip_rounding:
            # The claims that only run in full mode, under another processor's rounding
            # (make test proves the quick-mode ones): a fresh copy, so every example runs.
            from .rounding import build_site

            print("Full build under other CPU kernels (warm model cache):")
            other = copy_project(tmp / "rounding")
            report["other_rounding"] = build_site(other, other / "site", env=env)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    _print_table(report)
    print(f"\nReport written to {args.out}")
    rounding = report.get("other_rounding")
    if rounding and not rounding["ok"]:
        print("\nA claim failed under other CPU kernels (the build log's end):\n" + rounding["error"])
        return 1
    return 0


def _print_table(r: dict) -> None:
    slowest = max(r["per_example_in_build_s"].items(), key=lambda kv: kv[1], default=("-", 0))
    standalone = r.get("standalone", {})
    rss = max((v["peak_rss_mb"] or 0 for v in standalone.values()), default=None)
    rows = [
        ("cold full build", f"{r['cold_build']['seconds']:.0f} s", f"<= {BUDGETS['cold_build_s']} s"),
        *(
            [
                (
                    f"examples in {p['jobs']} workers (wall) / one after the other (sum)",
                    f"{p['wall_seconds']:.0f} / {p['example_seconds']:.0f} s",
                    "",
                )
            ]
            if (p := r["cold_build"].get("parallel_examples"))
            else []
        ),
        ("warm rebuild, no change", f"{r['warm_rebuild']['seconds']:.1f} s", f"<= {BUDGETS['warm_rebuild_s']} s"),
        (f"rebuild after touching {r['touched_rebuild']['example']}", f"{r['touched_rebuild']['seconds']:.1f} s", ""),
        (f"slowest example ({slowest[0]})", f"{slowest[1]:.1f} s", f"<= {BUDGETS['example_s']} s"),
        ("peak RSS, whole cold build", f"{r['cold_build']['peak_rss_mb']} MB", f"<= {BUDGETS['peak_rss_mb']} MB"),
        ("peak RSS, largest single example", f"{rss} MB" if rss is not None else "not measured", f"<= {BUDGETS['peak_rss_mb']} MB"),
        ("site size", f"{r['site']['site_mb']} MB", ""),
        ("median page (HTML + its images)", f"{r['site']['median_page_mb']:.2f} MB", f"<= {BUDGETS['median_page_mb']} MB"),
        ("largest page", f"{r['site']['largest_page']['path']}: {r['site']['largest_page']['mb']} MB", ""),
    ]
    transfer = r.get("transfer")
    if transfer:
        rows.append(
            ("median page over the wire, desktop / 3x phone", f"{transfer['median_desktop_mb']:.2f} / {transfer['median_phone_mb']:.2f} MB", "")
        )
        worst = transfer["worst_ratio"]
        rows.append((f"largest phone / desktop ratio ({worst['page'] or 'home'})", f"{worst['ratio']:.2f}", f"<= {BUDGETS['phone_desktop_ratio']}"))
    for p in r.get("playground") or []:
        rows.append((f"playground steps/s ({p['speed']} epoch/frame)", f"{p['steps_per_s']:.0f} ({p['frames_per_s']:.0f} fps)", ">= 30"))
    lighthouse = r.get("lighthouse") or {}
    for category in ("performance", "accessibility"):
        if category in lighthouse:
            s = lighthouse[category]
            rows.append(
                (
                    f"Lighthouse {category}, min / median of {len(lighthouse['pages'])} pages",
                    f"{s['min']:.2f} / {s['median']:.2f} ({len(s['below_budget'])} below)",
                    f">= {s['budget']}",
                )
            )
    rounding = r.get("other_rounding")
    if rounding:
        verdict = "every claim held" if rounding["ok"] else "A CLAIM FAILED"
        rows.append((f"full build under {rounding['kernels']}", f"{verdict}, {rounding['seconds']:.0f} s", "all pass"))
    width = max(len(a) for a, _, _ in rows)
    print()
    print(f"{'measure':<{width}}  {'value':>24}  budget")
    for a, b, c in rows:
        print(f"{a:<{width}}  {b:>24}  {c}")
    print("largest images: " + ", ".join(f"{i['path']} ({i['kb']} KB)" for i in r["site"]["largest_images"]))


if __name__ == "__main__":
    raise SystemExit(main())
