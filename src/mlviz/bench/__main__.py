"""``python -m mlviz.bench``: the benchmark (see :mod:`mlviz.bench.build`)."""

import sys

from .build import main

sys.exit(main())
