"""Widgets that run in the reader's browser: the drawing pad and the network export it reads."""
