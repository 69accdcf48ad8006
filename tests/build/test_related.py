"""Related pages: computed from the pages' words and code, the closest first."""

from __future__ import annotations

import pytest

from mlviz.build.related import gallery_sources, related_markdown, related_pages

from ..conftest import ROOT

PAGES = {
    "gallery/a/plot_1_cam.md": "Grad-CAM of a CNN: GradCAM weights the feature maps by their gradients.",
    "gallery/b/plot_2_cam_photos.md": "grad_cam on photos: the gradients weight each feature map of the CNN.",
    "gallery/c/plot_3_tree.md": "A decision tree: every split is a threshold on one feature of the table.",
    "gallery/d/plot_4_forest.md": "A random forest of decision trees; each tree splits on thresholds.",
}


def test_a_page_is_closest_to_the_page_on_the_same_technique():
    related = related_pages(PAGES, k=2)
    assert related["gallery/a/plot_1_cam.md"][0][0] == "gallery/b/plot_2_cam_photos.md"
    assert related["gallery/c/plot_3_tree.md"][0][0] == "gallery/d/plot_4_forest.md"
    for key, others in related.items():
        assert key not in [o for o, _ in others] and len(others) == 2
        similarities = [s for _, s in others]
        assert similarities == sorted(similarities, reverse=True) and all(0 <= s <= 1 + 1e-12 for s in similarities)


def test_the_order_of_the_sources_does_not_matter():
    assert related_pages(dict(reversed(list(PAGES.items())))) == related_pages(PAGES)


def test_wrong_k_is_refused_and_one_page_has_no_neighbours():
    with pytest.raises(ValueError, match="k must be a positive whole number; got 0"):
        related_pages(PAGES, k=0)
    assert related_pages({"gallery/a/plot_1.md": "alone"}) == {"gallery/a/plot_1.md": []}


def test_the_section_links_relative_to_the_page():
    titles = {"gallery/b/plot_2_cam_photos.md": "Grad-CAM on photos", "gallery/a/plot_0.md": "Zero"}
    text = related_markdown(
        "gallery/a/plot_1_cam.md", [("gallery/b/plot_2_cam_photos.md", 0.5), ("gallery/a/plot_0.md", 0.2)], titles
    )
    assert text.splitlines() == [
        "## Related pages",
        "",
        "* [Grad-CAM on photos](../b/plot_2_cam_photos.md)",
        "* [Zero](plot_0.md)",
    ]
    assert related_markdown("gallery/a/plot_1.md", [], titles) == ""


def test_grad_cam_on_mnist_leads_to_grad_cam_on_photos():
    """The issue's example: a reader who finished Grad-CAM on MNIST finds it on photos."""
    related = related_pages(gallery_sources(ROOT / "gallery"))
    assert "gallery/09_imagenet/plot_01_grad_cam_photos.md" in [
        uri for uri, _ in related["gallery/06_cnn_internals/plot_03_grad_cam.md"]
    ]
