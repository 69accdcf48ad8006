import subprocess
import sys

import pytest

from mlviz.config import cache_dir, is_quick


@pytest.mark.parametrize(("value", "quick"), [("1", True), ("true", True), ("ON", True), ("0", False), ("", False), ("no", False)])
def test_quick_mode_values(monkeypatch, value, quick):
    monkeypatch.setenv("MLVIZ_QUICK", value)
    assert is_quick() is quick


@pytest.mark.parametrize(("value", "expected"), [("1", "True"), ("0", "False")])
def test_quick_flag_is_read_at_import(monkeypatch, value, expected):
    """Pages write ``n = 400 if QUICK else 1500``: the flag follows the environment."""
    monkeypatch.setenv("MLVIZ_QUICK", value)
    out = subprocess.run(
        [sys.executable, "-c", "from mlviz.config import QUICK; print(QUICK)"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == expected


def test_quick_mode_typo_is_an_error(monkeypatch):
    monkeypatch.setenv("MLVIZ_QUICK", "ture")
    with pytest.raises(ValueError, match="MLVIZ_QUICK='ture' is not understood"):
        is_quick()


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    assert cache_dir("models") == tmp_path / "models" and (tmp_path / "models").is_dir()


def test_quick_flag_follows_the_environment_in_one_process(monkeypatch):
    """Imported again after the environment changed, QUICK agrees with is_quick()."""
    monkeypatch.setenv("MLVIZ_QUICK", "1")
    from mlviz.config import QUICK as quick_on

    monkeypatch.setenv("MLVIZ_QUICK", "0")
    from mlviz.config import QUICK as quick_off

    assert (quick_on, quick_off) == (True, False)


def test_written_atomically_replaces_the_entry_only_when_the_block_succeeds(tmp_path):
    import stat

    from mlviz.config import written_atomically

    entry = tmp_path / "entry.npz"
    entry.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="half way"):
        with written_atomically(entry) as file:
            file.write(b"new, but")
            raise RuntimeError("half way")
    assert entry.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entry.npz"]  # no temp left
    with written_atomically(entry) as file:
        file.write(b"new")
    assert entry.read_bytes() == b"new"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o644  # shared, not mkstemp's 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entry.npz"]
