import pytest

from mlviz.config import cache_dir, is_quick, pick


@pytest.mark.parametrize(("value", "quick"), [("1", True), ("true", True), ("ON", True), ("0", False), ("", False), ("no", False)])
def test_quick_mode_values(monkeypatch, value, quick):
    monkeypatch.setenv("MLVIZ_QUICK", value)
    assert is_quick() is quick
    assert pick(full=10, quick=1) == (1 if quick else 10)


def test_quick_mode_typo_is_an_error(monkeypatch):
    monkeypatch.setenv("MLVIZ_QUICK", "ture")
    with pytest.raises(ValueError, match="MLVIZ_QUICK='ture' is not understood"):
        is_quick()


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    assert cache_dir("models") == tmp_path / "models" and (tmp_path / "models").is_dir()
