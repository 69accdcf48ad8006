"""Pieces of the documentation build: MkDocs hooks and mkdocs-gallery settings."""
