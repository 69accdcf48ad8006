"""Formulas: LaTeX from arithmatex becomes MathML at build time."""

from __future__ import annotations

import re

import pytest

from mlviz.build.math import FormulaError, typeset


def test_inline_and_display_formulas_become_mathml_with_their_latex_as_alttext():
    html = (
        '<p>The kernel is <span class="arithmatex">\\(\\sqrt{\\exp(-d^2 / 0.25^2)}\\)</span>.</p>\n'
        '<div class="arithmatex">\\[\\phi_i = \\sum_{S} \\frac{|S|!}{M!}\\]</div>'
    )
    out = typeset(html)
    assert "arithmatex" not in out and "\\(" not in out
    inline, block = re.findall(r"<math [^>]*>", out)
    assert 'display="inline"' in inline and 'alttext="\\sqrt{\\exp(-d^2 / 0.25^2)}"' in inline
    assert 'display="block"' in block and out.count('<div class="mlviz-math" tabindex="0" role="group" aria-label="formula">') == 1
    assert "<msqrt>" in out and "<mfrac>" in out and "<msub>" in out


def test_html_entities_in_the_latex_are_decoded_first():
    out = typeset('<span class="arithmatex">\\(a &lt; b\\)</span>')
    assert "<mo>&#x0003C;</mo>" in out or "<mo>&lt;</mo>" in out


def test_text_without_formulas_is_unchanged():
    html = "<p>Costs $3 and $4.</p>"
    assert typeset(html) == html


@pytest.mark.parametrize(
    "latex, why",
    [("x^", "MissingSuperScriptOrSubscriptError"), ("\\left( x", "ExtraLeftOrMissingRightError"), ("\\sqr{x}", "unknown command \\\\sqr")],
)
def test_a_formula_that_cannot_be_typeset_names_the_page_and_the_formula(latex, why):
    with pytest.raises(FormulaError, match=r"gallery/x.md: cannot typeset the formula .*" + why):
        typeset(f'<span class="arithmatex">\\({latex}\\)</span>', "gallery/x.md")
