"""The documentation build: MkDocs hooks, mkdocs-gallery settings, page metadata, the published wheel."""
