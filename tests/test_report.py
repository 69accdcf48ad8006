import pytest

from mlviz.report import ClaimError, Finding, claim, render_findings, say


def test_finding_renders_html_and_text():
    out = Finding("**92.1%** of digits\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    html = out._repr_html_()
    assert "<strong>92.1%</strong>" in html and "<table>" in html and 'class="mlviz-finding"' in html
    assert repr(out).startswith("**92.1%**") and out._repr_markdown_() == out.text


def test_plain_script_prints(monkeypatch, capsys):
    monkeypatch.delenv("MLVIZ_GALLERY_BUILD", raising=False)
    say("hello")
    assert capsys.readouterr().out == "hello\n"


def test_findings_survive_the_build_output_between_other_prints(monkeypatch, capsys):
    """In the build, say() works anywhere in a cell: the hook finds each finding in the output."""
    monkeypatch.setenv("MLVIZ_GALLERY_BUILD", "1")
    print("accuracy: 0.93")
    say("The score **rises** ([see](#x)) <b>")
    print("done")
    parts = render_findings(capsys.readouterr().out)
    assert parts[0] == "accuracy: 0.93" and parts[2] == "done"
    assert isinstance(parts[1], Finding) and parts[1].text == "The score **rises** ([see](#x)) <b>"


def test_output_without_findings_is_one_piece():
    assert render_findings("a\nb\n") == ["a\nb"]
    assert render_findings("") == []


def test_finding_requires_text():
    with pytest.raises(TypeError, match="got int"):
        Finding(3)


def test_claim_passes_silently_and_fails_loudly():
    claim(0.96 > 0.9, "two components keep most of the variance")
    with pytest.raises(ClaimError, match=r"The page says 'the loss rises', but this run does not bear it out \(0.14 -> 0.13\)"):
        claim(False, "the loss rises", evidence="0.14 -> 0.13")


def test_claim_needs_the_statement():
    with pytest.raises(TypeError, match="statement must be the sentence"):
        claim(True, "")
