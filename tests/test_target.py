import bz2
import gzip
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from streamflow import LocalTarget
from streamflow.fs import local as local_fs
from streamflow.target import targets_exist


def leftovers(directory):
    return sorted(os.listdir(directory))


def test_write_appears_only_when_the_block_exits(tmp_path):
    target = LocalTarget(tmp_path / "out.tsv")
    with target.open("w") as f:
        f.write("a\tb\n")
        assert not target.exists()
        assert leftovers(tmp_path) != ["out.tsv"]
    assert target.exists()
    assert (tmp_path / "out.tsv").read_text() == "a\tb\n"
    assert leftovers(tmp_path) == ["out.tsv"]


def test_exception_mid_write_leaves_no_file(tmp_path):
    target = LocalTarget(tmp_path / "out.tsv")
    with pytest.raises(RuntimeError), target.open("w") as f:
        f.write("half")
        raise RuntimeError("boom")
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_exception_mid_write_keeps_the_previous_version(tmp_path):
    (tmp_path / "out.tsv").write_text("old\n")
    with pytest.raises(RuntimeError), LocalTarget(tmp_path / "out.tsv").open("w") as f:
        f.write("new")
        raise RuntimeError("boom")
    assert (tmp_path / "out.tsv").read_text() == "old\n"


def test_sigkill_mid_write_leaves_nothing_at_the_final_path(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        from streamflow import LocalTarget
        with LocalTarget({str(tmp_path / "out.tsv")!r}).open("w") as f:
            f.write("x" * 100000)
            f.flush()
            print("writing", flush=True)
            sys.stdin.read()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline() == "writing\n"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / "out.tsv").exists()
    assert all(name.startswith(".out.tsv.tmp-") for name in leftovers(tmp_path))


@pytest.mark.parametrize("suffix, opener", [(".gz", gzip.open), (".bz2", bz2.open)])
def test_compressed_paths_are_compressed(tmp_path, suffix, opener):
    target = LocalTarget(tmp_path / f"out.tsv{suffix}")
    with target.open("w") as f:
        f.write("é\tb\n" * 1000)
    with opener(tmp_path / f"out.tsv{suffix}", "rt", encoding="utf-8") as f:
        assert f.read() == "é\tb\n" * 1000
    with target.open("r") as f:
        assert list(f)[:2] == ["é\tb\n", "é\tb\n"]


def test_binary_modes(tmp_path):
    target = LocalTarget(tmp_path / "b.bin")
    with target.open("wb") as f:
        f.write(b"\x00\xff")
    with target.open("rb") as f:
        assert f.read() == b"\x00\xff"


def test_close_without_with_commits(tmp_path):
    f = LocalTarget(tmp_path / "x").open("w")
    f.write("1")
    f.close()
    assert (tmp_path / "x").read_text() == "1"


def test_directory_exists_only_with_success_marker(tmp_path):
    out = tmp_path / "counts"
    out.mkdir()
    (out / "part-00000").write_text("a\t1\n")
    target = LocalTarget(out)
    assert not target.exists()
    (out / "_SUCCESS").write_text("")
    assert target.exists()


def test_temporary_path_renames_a_whole_directory_into_place(tmp_path):
    target = LocalTarget(tmp_path / "counts")
    with target.temporary_path() as temp:
        os.makedirs(temp)
        for name in ("part-00000", "_SUCCESS"):
            open(os.path.join(temp, name), "w").close()
        assert not target.exists()
    assert target.exists() and leftovers(tmp_path) == ["counts"]


def test_temporary_path_is_removed_on_failure(tmp_path):
    target = LocalTarget(tmp_path / "counts")
    with pytest.raises(ValueError), target.temporary_path() as temp:
        os.makedirs(temp)
        raise ValueError
    assert leftovers(tmp_path) == []


def test_targets_exist_lists_each_directory_once(tmp_path, monkeypatch):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        for i in range(50):
            if i % 2 == 0:
                (tmp_path / d / f"{i}.tsv").write_text("")
    done = tmp_path / "a" / "job"
    done.mkdir()
    (done / "_SUCCESS").write_text("")
    (tmp_path / "a" / "unfinished").mkdir()

    listed = []
    real_scandir = os.scandir

    def counting_scandir(path):
        listed.append(path)
        return real_scandir(path)

    monkeypatch.setattr(local_fs.os, "scandir", counting_scandir)
    targets = [LocalTarget(tmp_path / d / f"{i}.tsv") for d in ("a", "b") for i in range(50)]
    targets += [LocalTarget(done), LocalTarget(tmp_path / "a" / "unfinished")]
    targets.append(LocalTarget(tmp_path / "missing-dir" / "x"))
    result = targets_exist(targets)
    assert result == [i % 2 == 0 for _ in "ab" for i in range(50)] + [True, False, False]
    # The two crowded directories are listed once each; lone paths are stat'ed instead.
    assert sorted(listed) == [str(tmp_path / "a"), str(tmp_path / "b")]


def test_one_path_in_a_crowded_directory_is_not_a_listing(tmp_path, monkeypatch):
    for i in range(100):
        (tmp_path / f"{i}.tsv").write_text("")
    listed = []
    real_scandir = os.scandir
    monkeypatch.setattr(
        local_fs.os, "scandir", lambda path: listed.append(path) or real_scandir(path)
    )
    assert LocalTarget(tmp_path / "7.tsv").exists()
    assert not LocalTarget(tmp_path / "700.tsv").exists()
    assert listed == []
