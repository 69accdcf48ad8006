"""The plain script: a page without say()/claim(), still a working lesson."""

from __future__ import annotations

import ast
import runpy

import pytest

from mlviz.build.plain import plain_script

from ..conftest import ROOT

PAGES = sorted(ROOT.glob("gallery/*/plot_*.py"))


def test_report_calls_and_their_import_go_everything_else_stays():
    code = (
        "# %%\n# ## A cell\nfrom mlviz.report import claim, say\nimport numpy as np\n\n"
        "x = np.arange(3)\nsay(\n    f'x has {len(x)} items'\n)\n"
        "claim(len(x) == 3, 'three items',\n      evidence=str(x))\nprint(x)  # the result\n"
    )
    assert plain_script(code) == "# %%\n# ## A cell\nimport numpy as np\n\nx = np.arange(3)\nprint(x)  # the result\n"


def test_a_block_left_empty_gets_pass_and_other_report_names_stay():
    code = "from mlviz.report import say, usd\nfor k in range(2):\n    say(usd(k))\nelse:\n    say('done')\n"
    assert plain_script(code) == "from mlviz.report import usd\nfor k in range(2):\n    pass\nelse:\n    pass\n"


def test_a_call_whose_value_is_used_is_not_a_statement_and_stays():
    code = "from mlviz.report import say\nresult = say('x')\n"
    assert "result = say('x')" in plain_script(code)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_pages_plain_script_compiles_without_say_or_claim(page):
    plain = plain_script(page.read_text())
    names = {n.id for n in ast.walk(ast.parse(plain)) if isinstance(n, ast.Name)}
    assert not names & {"say", "claim"}, page.name
    assert plain.count("\n") < page.read_text().count("\n")


@pytest.mark.slow
def test_the_plain_roc_page_runs(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    script = tmp_path / "plot_02_roc_curves_plain.py"
    script.write_text(plain_script((ROOT / "gallery/03_performance/plot_02_roc_curves.py").read_text()))
    monkeypatch.setenv("MLVIZ_QUICK", "1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(plt, "show", lambda *a, **k: plt.close("all"))
    namespace = runpy.run_path(str(script), run_name="__main__")
    assert "say" not in namespace and "claim" not in namespace
