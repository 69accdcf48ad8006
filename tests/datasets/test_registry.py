import re

from mlviz.datasets._registry import REGISTRY, SOURCES, URLS


def test_every_file_has_a_hash_an_address_and_a_source():
    assert set(REGISTRY) == set(URLS) == set(SOURCES)
    assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", value) for value in REGISTRY.values())


def test_repository_addresses_are_pinned_to_a_commit():
    """A branch name can move; a commit cannot (the SHA-256 would then fail every download)."""
    for name, url in URLS.items():
        assert url.startswith("https://"), name
        if "githubusercontent.com" in url:
            assert re.fullmatch(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/" + re.escape(name), url), url
