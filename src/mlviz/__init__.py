"""mlviz: the helper package behind the machine-learning visualization gallery.

Install it with the line every page of the gallery shows, then run any page on its own.
Sub-packages, by concern:

* :mod:`mlviz.datasets` -- verified data files and the preparation pages share;
* :mod:`mlviz.models` -- the shared networks, trained once and cached;
* :mod:`mlviz.text` -- the pretrained text transformer (MiniLM) and its embeddings;
* :mod:`mlviz.inspect` -- what a fitted model holds: trees, CNN layers, embeddings, loss
  landscapes, GAN mode coverage, performance tables;
* :mod:`mlviz.attribution` -- class activation maps, gradients, the hook recorder;
* :mod:`mlviz.explain` -- SHAP and LIME with the gallery's models;
* :mod:`mlviz.attention` -- transformer attention: capture, rollout, head patterns, plots;
* :mod:`mlviz.plotting` -- drawing helpers (``ax=None``, return the Axes or a Display)
  and the gallery's style (``plt.style.use("mlviz.gallery")``);
* :mod:`mlviz.report` -- findings computed by a page (:func:`~mlviz.report.say`) and
  checks of its prose (:func:`~mlviz.report.claim`);
* :mod:`mlviz.config` -- quick mode, seeds, cache folders;
* :mod:`mlviz.widgets` -- widgets that run in the reader's browser (drawing pad);
* :mod:`mlviz.build`, :mod:`mlviz.bench` -- the documentation build and its benchmark
  (in the project's sources only: the wheel the site publishes leaves them out).

The core install needs only the scientific stack; torch, shap, lime, umap-learn, the text
model and the ImageNet network come as extras (``mlviz[torch]``, ``mlviz[shap]``, ...),
and every page's install line names the ones it needs.
"""

__version__ = "0.1.0"
