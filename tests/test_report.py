import pytest

from mlviz.report import Markdown, md


def test_markdown_renders_html_and_text(monkeypatch, capsys):
    monkeypatch.setenv("MLVIZ_GALLERY_BUILD", "1")
    out = md("**92.1%** of digits\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    html = out._repr_html_()
    assert "<strong>92.1%</strong>" in html and "<table>" in html and 'class="mlviz-finding"' in html
    assert repr(out).startswith("**92.1%**")
    assert capsys.readouterr().out == "", "nothing printed during the gallery build"


def test_plain_script_prints(monkeypatch, capsys):
    monkeypatch.delenv("MLVIZ_GALLERY_BUILD", raising=False)
    md("hello")
    assert capsys.readouterr().out == "hello\n"


def test_markdown_requires_text():
    with pytest.raises(TypeError, match="got int"):
        Markdown(3)
