"""Measuring the build and the site: ``make bench`` (``python -m mlviz.bench``), and Chromium on a local server."""
