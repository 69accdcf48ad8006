"""Inspectors: compute what a fitted model contains (arrays and tables, no drawing).

Import the module you need; none is imported here, so that the tabular ones
(:mod:`~mlviz.inspect.performance`, :mod:`~mlviz.inspect.comparison`,
:mod:`~mlviz.inspect.embedding`) never load torch:

* :mod:`~mlviz.inspect.performance` -- bootstrap intervals and paired differences;
* :mod:`~mlviz.inspect.comparison` -- two models compared on the same cross-validation
  folds (Nadeau and Bengio's corrected interval), and the rows each fold uses;
* :mod:`~mlviz.inspect.embedding` -- PCA, t-SNE and UMAP embeddings, neighbourhoods;
* :mod:`~mlviz.inspect.prototypes` -- MMD-critic prototypes and criticisms (page K4);
* :mod:`~mlviz.inspect.cnn` -- a CNN's layers, filters and feature maps;
* :mod:`~mlviz.inspect.featurevis` -- feature visualization (page I7);
* :mod:`~mlviz.inspect.gan` -- a GAN's mode coverage;
* :mod:`~mlviz.inspect.landscape` -- loss landscapes;
* :mod:`~mlviz.inspect.influence` -- TracIn influence of training examples (page K2);
* :mod:`~mlviz.inspect.concepts` -- TCAV: textures, concept vectors, scores and their
  test (page K3);
* :mod:`~mlviz.inspect.probes` -- linear probes of MiniLM's layers with control tasks
  (page K8).
"""
