"""Any ``pyarrow.fs`` filesystem behind streamflow's filesystem contract."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import BinaryIO, cast

import pyarrow.fs as pafs

from streamflow.fs.base import Kind, group_by_parent

_KINDS: dict[pafs.FileType, Kind] = {
    pafs.FileType.File: "file",
    pafs.FileType.Directory: "dir",
}


class ArrowFileSystem:
    """Adapts a ``pyarrow.fs.FileSystem`` (local, HDFS through libhdfs, S3, ...)."""

    def __init__(self, arrow_fs: pafs.FileSystem) -> None:
        self.arrow_fs = arrow_fs

    def kinds(self, paths: Sequence[str]) -> list[Kind]:
        result: list[Kind] = [None] * len(paths)
        for parent, indexes in group_by_parent(paths).items():
            selector = pafs.FileSelector(parent, allow_not_found=True)
            listing = {
                posixpath.basename(info.path): _KINDS.get(info.type)
                for info in self.arrow_fs.get_file_info(selector)
            }
            for i in indexes:
                result[i] = listing.get(posixpath.basename(paths[i].rstrip("/")))
        return result

    def exists(self, path: str) -> bool:
        return self.arrow_fs.get_file_info(path).type != pafs.FileType.NotFound

    def open_input(self, path: str) -> BinaryIO:
        # Raw bytes: targets do (de)compression, pyarrow would otherwise do it again.
        return cast(BinaryIO, self.arrow_fs.open_input_stream(path, compression=None))

    def open_output(self, path: str) -> BinaryIO:
        self.mkdir(posixpath.dirname(path) or ".")
        return cast(BinaryIO, self.arrow_fs.open_output_stream(path, compression=None))

    def rename(self, src: str, dst: str) -> None:
        if self.exists(dst):
            raise FileExistsError(f"cannot move {src} to {dst}: {dst} already exists")
        self.arrow_fs.move(src, dst)

    def delete(self, path: str, recursive: bool = False) -> None:
        info = self.arrow_fs.get_file_info(path)
        if info.type == pafs.FileType.Directory:
            if recursive:
                self.arrow_fs.delete_dir(path)
            else:
                raise IsADirectoryError(f"{path} is a directory; delete it with recursive=True")
        elif info.type != pafs.FileType.NotFound:
            self.arrow_fs.delete_file(path)

    def mkdir(self, path: str) -> None:
        self.arrow_fs.create_dir(path, recursive=True)

    def listdir(self, path: str) -> list[str]:
        infos = self.arrow_fs.get_file_info(pafs.FileSelector(path))
        return sorted(info.path for info in infos)
