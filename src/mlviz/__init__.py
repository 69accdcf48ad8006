"""mlviz: the helper package behind the machine-learning visualization gallery.

Sub-packages, by concern:

* :mod:`mlviz.datasets` -- verified data files and the preparation pages share;
* :mod:`mlviz.plotting` -- drawing helpers (``ax=None``, return the Axes or a Display);
* :mod:`mlviz.report` -- numbers formatted into the page's prose;
* :mod:`mlviz.site` -- MkDocs hooks (offline plotly, build mode);
* :mod:`mlviz.config` -- quick mode, seeds, cache folders.
"""

__version__ = "0.1.0"
