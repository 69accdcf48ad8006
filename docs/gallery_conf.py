"""mkdocs-gallery's conf_script (it must live in docs/): the settings are in mlviz.site."""

from mlviz.site.gallery_conf import conf  # noqa: F401
