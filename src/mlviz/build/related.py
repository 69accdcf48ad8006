"""Related pages: at the end of each page, the pages closest to it in words and code.

sphinx-gallery 0.17 added such a recommender; this one works the same way. Each page's
script (its prose and its code) becomes a TF-IDF vector of words and identifiers
(``GradCAM``, ``grad_cam`` and ``Grad-CAM`` all give ``grad`` and ``cam``), and a page's
related pages are the ones with the highest cosine similarity to it. Words that every
page uses (``plt``, ``claim``, ``figure``) weigh almost nothing, so what is left is the
technique, the data and the model. Computed from the sources at build time: nothing is
hand-written and nothing is fetched.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from pathlib import Path

__all__ = ["related_markdown", "related_pages"]

#: How many related pages each page lists.
N_RELATED = 3

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _words(text: str) -> str:
    """Split identifiers into words: ``GradCAMPlusPlus`` and ``grad_cam`` share ``grad``."""
    text = _CAMEL.sub(" ", text)
    return re.sub(r"[^A-Za-z0-9]+", " ", text).lower()


def related_pages(sources: Mapping[str, str], *, k: int = N_RELATED) -> dict[str, list[tuple[str, float]]]:
    """The ``k`` pages most similar to each page, with their cosine similarity.

    Parameters
    ----------
    sources : mapping of str to str
        Page key (e.g. its path) -> the text of its script.
    k : int, default 3
        Related pages per page (fewer when there are fewer other pages).

    Returns
    -------
    dict
        Page key -> list of ``(other key, similarity)``, most similar first; ties are
        broken by the keys' order, so the result does not depend on the mapping's order.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive whole number; got {k!r}")
    keys = sorted(sources)
    if len(keys) < 2:
        return {key: [] for key in keys}
    vectorizer = TfidfVectorizer(
        preprocessor=_words,
        token_pattern=r"(?u)\b[a-z][a-z0-9]{2,}\b",  # words of three characters or more
        stop_words="english",
        sublinear_tf=True,
        ngram_range=(1, 2),
        min_df=2,  # a word on one page only says nothing about its neighbours
    )
    vectors = vectorizer.fit_transform([sources[key] for key in keys])
    similarity = (vectors @ vectors.T).toarray()  # rows are unit vectors: cosines
    result = {}
    for i, key in enumerate(keys):
        order = sorted((j for j in range(len(keys)) if j != i), key=lambda j: (-similarity[i, j], j))
        result[key] = [(keys[j], float(similarity[i, j])) for j in order[:k]]
    return result


def related_markdown(page_uri: str, related: list[tuple[str, float]], titles: Mapping[str, str]) -> str:
    """The "Related pages" section of the page at ``page_uri`` (a path under docs/).

    ``related`` holds ``(uri, similarity)`` pairs from :func:`related_pages`, with page
    URIs as keys; ``titles`` gives each page's title. Links are relative, so that MkDocs
    checks them.
    """
    if not related:
        return ""
    here = posixpath.dirname(page_uri)
    lines = ["## Related pages", ""]
    for uri, _ in related:
        lines.append(f"* [{titles[uri]}]({posixpath.relpath(uri, here)})")
    return "\n".join(lines) + "\n"


def gallery_sources(gallery: Path) -> dict[str, str]:
    """Every page's script under ``gallery``, keyed by the URI of its generated page."""
    return {
        f"gallery/{path.parent.name}/{path.stem}.md": path.read_text(encoding="utf-8")
        for path in sorted(gallery.glob("*/plot_*.py"))
    }
