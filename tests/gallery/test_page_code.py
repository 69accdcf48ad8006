"""What a reader copies from a page: code that fits the code column and sets its own look."""

from __future__ import annotations

import pytest
from mkdocs_gallery.py_source_parser import split_code_and_text_blocks

from ..conftest import EXAMPLES, ROOT

#: The width of the site's code column, in characters (also ruff's line-length).
CODE_COLUMN = 88
#: A page teaches one technique in at most this many lines (prose, code and docstring).
PAGE_LINES = 350


def _code_blocks(example):
    return [(content, line) for kind, content, line in split_code_and_text_blocks(str(example))[1] if kind == "code"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_page_is_a_lesson_not_a_wall(example):
    lines = example.read_text().count("\n")
    assert lines <= PAGE_LINES, (
        f"{example.relative_to(ROOT)} has {lines} lines; a page teaches one technique in "
        f"at most {PAGE_LINES}: move reusable code into mlviz, or split the page"
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_code_lines_fit_the_code_column(example):
    long = [
        f"line {start + i}: {len(text)} characters"
        for content, start in _code_blocks(example)
        for i, text in enumerate(content.splitlines())
        if len(text) > CODE_COLUMN
    ]
    assert not long, f"{example.relative_to(ROOT)}: " + "; ".join(long)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_page_that_draws_with_matplotlib_applies_the_gallery_style_right_after_importing_it(example):
    code = "\n".join(content for content, _ in _code_blocks(example))
    if "import matplotlib.pyplot as plt" not in code:
        pytest.skip("no matplotlib figure on this page")
    after_import = code.split("import matplotlib.pyplot as plt", 1)[1]
    # Only imports may come between the pyplot import and the style line.
    before_style = after_import.split('plt.style.use("mlviz.gallery")', 1)[0]
    assert 'plt.style.use("mlviz.gallery")' in after_import, f"{example.name} never applies the gallery style"
    assert all(
        not line.strip() or line.startswith(("import ", "from ")) for line in before_style.splitlines()
    ), f"{example.name}: code runs before the gallery style is applied"


def test_no_page_uses_the_removed_build_helpers():
    for example in EXAMPLES:
        text = example.read_text()
        assert "pick(" not in text and "import md" not in text, example.name


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_no_page_sets_thread_counts(example):
    """Threads are the build's and the tests' business (mlviz._torch.build_threads): a
    page that pins torch to one thread slows a reader's many-core machine for good. (A
    scoped ``threadpool_limits`` block, which times methods on equal terms, ends with
    its block.)"""
    code = "\n".join(content for content, _ in _code_blocks(example))
    for plumbing in ("set_num_threads", "set_num_interop_threads", "OMP_NUM_THREADS"):
        assert plumbing not in code, f"{example.name} sets threads ({plumbing})"
