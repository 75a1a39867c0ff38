import pyarrow.fs as pafs
import pytest

from streamflow.fs.arrow import ArrowFileSystem
from streamflow.target import FileSystemTarget, targets_exist


@pytest.fixture
def fs():
    return ArrowFileSystem(pafs.LocalFileSystem())


def test_kinds_through_pyarrow(fs, tmp_path):
    (tmp_path / "f").write_text("")
    (tmp_path / "d").mkdir()
    paths = [str(tmp_path / n) for n in ("f", "d", "nope")] + [str(tmp_path / "no" / "x")]
    assert fs.kinds(paths) == ["file", "dir", None, None]


def test_targets_on_a_pyarrow_filesystem_write_atomically(fs, tmp_path):
    target = FileSystemTarget(str(tmp_path / "sub" / "out.txt.gz"), fs)
    with pytest.raises(KeyError), target.open("w") as f:
        f.write("lost")
        raise KeyError
    assert not target.exists() and list((tmp_path / "sub").iterdir()) == []
    with target.open("w") as f:
        f.write("kept\n")
    with target.open("r") as f:
        assert f.read() == "kept\n"
    with target.open("w") as f:
        f.write("replaced\n")
    with target.open("r") as f:
        assert f.read() == "replaced\n"
    assert targets_exist([target, FileSystemTarget(str(tmp_path / "x"), fs)]) == [True, False]


def test_rename_delete_listdir(fs, tmp_path):
    (tmp_path / "a").write_text("1")
    fs.rename(str(tmp_path / "a"), str(tmp_path / "b"))
    assert fs.listdir(str(tmp_path)) == [str(tmp_path / "b")]
    (tmp_path / "c").write_text("1")
    with pytest.raises(FileExistsError):
        fs.rename(str(tmp_path / "b"), str(tmp_path / "c"))
    fs.mkdir(str(tmp_path / "d" / "e"))
    with pytest.raises(IsADirectoryError):
        fs.delete(str(tmp_path / "d"))
    fs.delete(str(tmp_path / "d"), recursive=True)
    assert not fs.exists(str(tmp_path / "d"))
