"""mkdocs-gallery's conf_script (it must live in docs/): the settings are in mlviz.build."""

from mlviz.build.gallery_conf import conf  # noqa: F401
