"""Where data files come from, and what happens when one is bad or missing."""

from __future__ import annotations


import pytest

from mlviz.datasets import DataFetcher, DatasetHashError, DatasetNotFoundError, REGISTRY, URLS

from ..conftest import serve, sha256


def test_registry_has_a_url_and_sha256_for_every_file():
    assert set(REGISTRY) == set(URLS) == {
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "insurance.csv",
        "MBA.csv",
    }
    for name, value in REGISTRY.items():
        alg, _, digest = value.partition(":")
        assert alg == "sha256" and len(digest) == 64, name
        assert URLS[name].startswith("https://"), name


def test_copies_from_mirror_into_cache_and_verifies(fetcher, fixture_files, tmp_path):
    mirror, registry, _ = fixture_files
    path = fetcher.fetch("MBA.csv")
    assert path == tmp_path / "cache" / "MBA.csv"
    assert path.read_bytes() == (mirror / "MBA.csv").read_bytes()
    assert not list(path.parent.glob("*.part")), "no temporary file may be left behind"


def test_cache_is_used_without_the_mirror(fetcher, fixture_files, tmp_path):
    fetcher.fetch("insurance.csv")
    no_mirror = DataFetcher(fetcher.registry, fetcher.urls, cache=tmp_path / "cache", mirror=tmp_path / "nowhere", offline=True)
    assert no_mirror.fetch("insurance.csv").read_text().startswith("age,sex")


def test_corrupted_cache_file_names_file_hashes_and_fix(fetcher, fixture_files, tmp_path):
    path = fetcher.fetch("MBA.csv")
    path.write_text(path.read_text().replace("Admit", "Deny", 1))
    with pytest.raises(DatasetHashError) as info:
        fetcher.fetch("MBA.csv")
    message = str(info.value)
    assert "'MBA.csv'" in message and str(path) in message
    assert fetcher.expected_hash("MBA.csv") in message
    assert sha256(path) in message
    assert "Delete it" in message
    assert path.exists(), "a bad file is reported, not deleted"


def test_corrupted_mirror_file_is_reported_and_not_copied(fixture_files, tmp_path):
    mirror, registry, urls = fixture_files
    (mirror / "insurance.csv").write_text("age,sex\n1,2\n")
    f = DataFetcher(registry, urls, cache=tmp_path / "cache", mirror=mirror, offline=True)
    with pytest.raises(DatasetHashError, match="local mirror") as info:
        f.fetch("insurance.csv")
    assert sha256(mirror / "insurance.csv") in str(info.value)
    assert not (tmp_path / "cache" / "insurance.csv").exists()


def test_missing_everywhere_lists_where_it_looked(fixture_files, tmp_path):
    _, registry, urls = fixture_files
    f = DataFetcher(registry, urls, cache=tmp_path / "cache", mirror=tmp_path / "empty", offline=True)
    with pytest.raises(DatasetNotFoundError) as info:
        f.fetch("MBA.csv")
    message = str(info.value)
    assert str(tmp_path / "cache") in message
    assert str(tmp_path / "empty") in message
    assert "skipped because $MLVIZ_OFFLINE=1" in message
    assert "MLVIZ_DATA_MIRROR" in message and registry["MBA.csv"].split(":")[1] in message


def test_unset_mirror_and_failed_download_are_both_reported(fixture_files, tmp_path, monkeypatch):
    _, registry, urls = fixture_files
    monkeypatch.delenv("MLVIZ_DATA_MIRROR", raising=False)
    f = DataFetcher(registry, urls, cache=tmp_path / "cache", offline=False)
    with pytest.raises(DatasetNotFoundError) as info:
        f.fetch("MBA.csv")
    message = str(info.value)
    assert "$MLVIZ_DATA_MIRROR is not set" in message
    assert "download from http://127.0.0.1:9/MBA.csv: failed" in message


def test_environment_variables_choose_cache_and_mirror(fixture_files, tmp_path, monkeypatch):
    mirror, registry, urls = fixture_files
    monkeypatch.setenv("MLVIZ_DATA_DIR", str(tmp_path / "envcache"))
    monkeypatch.setenv("MLVIZ_DATA_MIRROR", str(mirror))
    monkeypatch.setenv("MLVIZ_OFFLINE", "1")
    path = DataFetcher(registry, urls).fetch("MBA.csv")
    assert path == tmp_path / "envcache" / "MBA.csv"


def test_unknown_file_name():
    with pytest.raises(KeyError, match="unknown data file 'iris.csv'"):
        DataFetcher().fetch("iris.csv")


@pytest.fixture
def local_server(fixture_files):
    """Serve the fixture mirror over HTTP on the loopback interface."""
    mirror, _, _ = fixture_files
    server, url = serve(mirror)
    yield url.rstrip("/")
    server.shutdown()
    server.server_close()


def test_downloads_when_no_mirror_and_checks_hash(fixture_files, local_server, tmp_path):
    _, registry, _ = fixture_files
    urls = {name: f"{local_server}/{name}" for name in registry}
    f = DataFetcher(registry, urls, cache=tmp_path / "cache", mirror=tmp_path / "none", offline=False)
    assert f.fetch("MBA.csv").read_text().startswith("application_id")

    wrong = dict(registry, **{"insurance.csv": "sha256:" + "0" * 64})
    f = DataFetcher(wrong, urls, cache=tmp_path / "cache2", mirror=tmp_path / "none", offline=False)
    with pytest.raises(DatasetHashError, match="does not have the registered SHA-256"):
        f.fetch("insurance.csv")
    assert not (tmp_path / "cache2" / "insurance.csv").exists()


def test_a_published_file_comes_from_the_gallery_site_when_its_source_fails(fixture_files, tmp_path, monkeypatch):
    """A wheel built for a site with an address knows it (mlviz._site); MNIST is published there."""
    import sys
    import types

    mirror, registry, urls = fixture_files  # urls: port 9, where nothing listens
    site = tmp_path / "site"
    (site / "downloads" / "data").mkdir(parents=True)
    for name in registry:
        (site / "downloads" / "data" / name).write_bytes((mirror / name).read_bytes())
    server, address = serve(site)
    try:
        monkeypatch.setitem(sys.modules, "mlviz._site", types.SimpleNamespace(SITE_URL=address))
        f = DataFetcher(registry, urls, cache=tmp_path / "cache", mirror=tmp_path / "none", offline=False)
        assert f.fetch("t10k-labels-idx1-ubyte.gz").read_bytes() == (mirror / "t10k-labels-idx1-ubyte.gz").read_bytes()
        # The CSV files' licenses do not allow the site to publish them: never looked for there.
        with pytest.raises(DatasetNotFoundError) as info:
            f.fetch("MBA.csv")
        assert "downloads/data" not in str(info.value) and "http://127.0.0.1:9/MBA.csv" in str(info.value)
    finally:
        server.shutdown()
        server.server_close()


def test_without_a_site_address_only_the_source_is_tried(fixture_files, tmp_path, monkeypatch):
    import sys
    import types

    _, registry, urls = fixture_files
    monkeypatch.setitem(sys.modules, "mlviz._site", types.SimpleNamespace(SITE_URL=""))
    f = DataFetcher(registry, urls, cache=tmp_path / "cache", mirror=tmp_path / "none", offline=False)
    with pytest.raises(DatasetNotFoundError) as info:
        f.fetch("t10k-labels-idx1-ubyte.gz")
    assert str(info.value).count("download from") == 1
