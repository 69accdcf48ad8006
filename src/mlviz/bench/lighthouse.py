"""Lighthouse scores of every page of a built site (mobile preset, offline).

Lighthouse comes from the npm registry and drives Debian's Chromium; it is installed on
first use into ``.cache/lighthouse`` (Lighthouse 12: it runs on Node.js 18 and newer).
Each page gets its performance and accessibility scores and the timings behind the
first (first and largest contentful paint, total blocking time), from the median of
three runs (``--runs``). The site is served with its text gzip-compressed, as GitHub
Pages or any static host serves it.

``make bench`` runs it on the benchmark's build; on an existing site::

    python -m mlviz.bench.lighthouse [--site site] [--pages gallery/ chooser/] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from .browser import CHROMIUM, serve

__all__ = ["BUDGETS", "LIGHTHOUSE_VERSION", "audit_site", "ensure_lighthouse", "site_pages"]

LIGHTHOUSE_VERSION = "12.8.2"
#: Minimum scores per page (issue "A site for every reader").
BUDGETS = {"performance": 0.9, "accessibility": 0.98}
_ROOT = Path(__file__).resolve().parents[3]
_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --no-first-run --disable-sync"
)
_METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")


def ensure_lighthouse(folder: Path | None = None) -> Path:
    """Return the ``lighthouse`` command, installing it with npm when missing.

    Raises
    ------
    RuntimeError
        If npm is not available or the install fails (the message says why).
    """
    folder = Path(folder or _ROOT / ".cache" / "lighthouse")
    command = folder / "node_modules" / ".bin" / "lighthouse"
    if command.exists():
        return command
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js 18 or newer to measure Lighthouse scores")
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), f"lighthouse@{LIGHTHOUSE_VERSION}"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not command.exists():
        raise RuntimeError(f"npm could not install lighthouse@{LIGHTHOUSE_VERSION}:\n{result.stderr[-2000:]}")
    return command


def site_pages(site: Path) -> list[str]:
    """Every page of the site, as paths relative to its root (``""`` is the home page)."""
    pages = []
    for html in sorted(Path(site).rglob("index.html")):
        relative = html.parent.relative_to(site).as_posix()
        if relative.startswith(("assets", "search")) or relative == "404":
            continue
        pages.append("" if relative == "." else relative + "/")
    return pages


def _run_once(lighthouse: Path, url: str, out: Path) -> dict:
    run = subprocess.run(
        [
            str(lighthouse),
            url,
            "--quiet",
            f"--chrome-flags={_FLAGS}",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={out}",
        ],
        capture_output=True,
        text=True,
        env={"CHROME_PATH": CHROMIUM, "PATH": "/usr/bin:/bin:/usr/local/bin"},
        timeout=300,
        check=False,
    )
    if run.returncode != 0 or not out.exists():
        return {"error": run.stderr.strip()[-300:]}
    report = json.loads(out.read_text())
    entry = {name: cat["score"] for name, cat in report["categories"].items()}
    entry.update({m: report["audits"][m]["numericValue"] for m in _METRICS})
    return entry


def median_run(entries: list[dict]) -> dict:
    """The run whose performance score is the median of ``entries`` (errors left out).

    Lighthouse's simulated throttling scales the CPU time it observes, so a score moves
    by up to 0.2 between runs on a busy 2-core machine; Lighthouse's documentation
    recommends the median of several runs. The median run is kept whole (its timings
    belong to its score), with every run's performance score beside it.
    """
    good = [e for e in entries if "error" not in e]
    if not good:
        return entries[-1]
    ranked = sorted(good, key=lambda e: e["performance"] if e["performance"] is not None else -1.0)
    chosen = dict(ranked[(len(ranked) - 1) // 2])
    chosen["performance_runs"] = [e["performance"] for e in good]
    return chosen


def audit_site(
    site: Path, pages: list[str] | None = None, *, lighthouse: Path | None = None, runs: int = 3
) -> dict:
    """Run Lighthouse (mobile preset) ``runs`` times on each page; return the median runs.

    The site is served as a static host serves it (text gzip-compressed).
    """
    if not isinstance(runs, int) or runs < 1:
        raise ValueError(f"runs must be a positive integer; got {runs!r}")
    lighthouse = lighthouse or ensure_lighthouse()
    pages = site_pages(site) if pages is None else pages
    server, url = serve(site, compress=True)  # as the published site is served
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="mlviz-lighthouse-") as tmp:
            for page in pages:
                entry = median_run([_run_once(lighthouse, url + page, Path(tmp) / "report.json") for _ in range(runs)])
                results[page or "."] = entry
                if "error" in entry:
                    print(f"  {page or 'home'}: error {entry['error'][-120:]}")
                    continue
                runs_note = f" (runs: {', '.join(f'{v:.2f}' for v in entry['performance_runs'])})" if runs > 1 else ""
                print(f"  {page or 'home'}: " + ", ".join(f"{k} {entry[k]:.2f}" for k in BUDGETS) + runs_note)
    finally:
        server.shutdown()
        server.server_close()
    return summarize(results)


def summarize(results: dict) -> dict:
    """Per-category minimum and median, and the pages below each budget."""
    summary = {"pages": results}
    for category, budget in BUDGETS.items():
        scores = {p: r[category] for p, r in results.items() if r.get(category) is not None}
        summary[category] = {
            "min": min(scores.values(), default=None),
            "median": statistics.median(scores.values()) if scores else None,
            "below_budget": sorted(p for p, s in scores.items() if s < budget),
            "budget": budget,
        }
    summary["errors"] = sorted(p for p, r in results.items() if "error" in r)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=_ROOT / "site")
    parser.add_argument("--pages", nargs="*", help="paths relative to the site root (default: every page)")
    parser.add_argument("--out", type=Path, help="write the full results as JSON here")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median counts (default 3)")
    args = parser.parse_args(argv)
    summary = audit_site(args.site, args.pages, runs=args.runs)
    for category in BUDGETS:
        s = summary[category]
        print(
            f"{category}: min {s['min']}, median {s['median']}, budget >= {s['budget']}, "
            f"{len(s['below_budget'])} pages below: {', '.join(s['below_budget'][:10])}"
        )
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
