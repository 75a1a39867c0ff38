import pytest

from streamflow.fs.local import LOCAL


def test_kinds_tells_files_directories_and_missing(tmp_path):
    (tmp_path / "f").write_text("")
    (tmp_path / "d").mkdir()
    paths = [str(tmp_path / n) for n in ("f", "d", "nope")] + [f"file://{tmp_path}/f"]
    assert LOCAL.kinds(paths) == ["file", "dir", None, "file"]


def test_rename_refuses_to_overwrite(tmp_path):
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    with pytest.raises(FileExistsError, match="already exists"):
        LOCAL.rename(str(tmp_path / "a"), str(tmp_path / "b"))
    assert (tmp_path / "b").read_text() == "b"


def test_delete_directory_needs_recursive(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x").write_text("")
    with pytest.raises(IsADirectoryError):
        LOCAL.delete(str(tmp_path / "d"))
    LOCAL.delete(str(tmp_path / "d"), recursive=True)
    assert not (tmp_path / "d").exists()
    LOCAL.delete(str(tmp_path / "never-there"))


def test_open_output_creates_parents_and_listdir_is_sorted(tmp_path):
    for name in ("b", "a"):
        with LOCAL.open_output(str(tmp_path / "deep" / "er" / name)) as f:
            f.write(b"1")
    assert LOCAL.listdir(str(tmp_path / "deep" / "er")) == [
        str(tmp_path / "deep" / "er" / n) for n in ("a", "b")
    ]


def test_kinds_of_relative_names_look_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.tsv").write_text("")
    assert LOCAL.kinds(["here.tsv", "missing.tsv", "./here.tsv"]) == ["file", None, "file"]
