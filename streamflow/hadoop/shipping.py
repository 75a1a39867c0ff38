"""What a job ships to its tasks: a zip of its code, its files, archives and directories.

Task nodes need nothing installed but Python: the streamflow package and the job's module
travel in a zip put on the tasks' PYTHONPATH. Everything goes through ``-files`` and
``-archives`` as URI entries (``path#name``) that Hadoop links into each task's directory.
"""

from __future__ import annotations

import importlib.util
import marshal
import os
import tarfile
import zipfile
from pathlib import Path
from urllib.parse import quote

import streamflow
from streamflow.errors import MissingInput
from streamflow.mr.runners.base import JobSpec, split_name

__all__ = ["CODE_ZIP", "job_resources", "resource_uri", "write_code_zip"]

CODE_ZIP = "streamflow-job.zip"


def resource_uri(path: str, name: str) -> str:
    """One ``-files``/``-archives`` entry: Hadoop splits the list on commas and parses each
    entry as a URI whose fragment names the link, so path and name are percent-encoded."""
    return f"{quote(os.path.abspath(path))}#{quote(name, safe='')}"


def job_resources(spec: JobSpec, scratch_dir: str) -> tuple[list[str], list[str]]:
    """(``-files`` entries, ``-archives`` entries) for every step of the job: the code zip,
    FILES and file arguments, ARCHIVES, and DIRS packed as .tgz (made in ``scratch_dir``)."""
    code_zip = write_code_zip(os.path.join(scratch_dir, CODE_ZIP), spec)
    files = [resource_uri(code_zip, CODE_ZIP)]
    files += [resource_uri(*_existing(entry)) for entry in spec.files]
    archives = [
        resource_uri(*_packed_dir(entry, os.path.join(scratch_dir, f"dir-{index}.tgz")))
        for index, entry in enumerate(spec.dirs)
    ]
    archives += [resource_uri(*_existing(entry)) for entry in spec.archives]
    return files, archives


def write_code_zip(path: str, spec: JobSpec) -> str:
    """Write a zip of the streamflow package and the job's module (with its package's other
    modules) to ``path``, for the tasks' PYTHONPATH; each module with its bytecode."""
    package_dir = Path(streamflow.__file__).parent
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in sorted(package_dir.rglob("*.py")):
            _add_module(archive, source, str(source.relative_to(package_dir.parent)))
        module = spec.job_name.split(":")[0]
        if module.startswith("streamflow."):
            return path
        root = Path(spec.python_path)
        job_file = Path(spec.job_file)
        parts = module.split(".")
        sources = {job_file}
        if len(parts) > 1:
            sources.update(job_file.parent.glob("*.py"))
            for depth in range(1, len(parts)):
                init = root.joinpath(*parts[:depth], "__init__.py")
                if init.exists():
                    sources.add(init)
        for source in sorted(sources):
            _add_module(archive, source, str(source.relative_to(root)))
    return path


def _add_module(archive: zipfile.ZipFile, source: Path, name: str) -> None:
    """Add a module's source and, next to it, its bytecode: an unchecked hash-based .pyc
    (PEP 552) that zipimport uses as is, so each task skips compiling (a third of its start
    time). A task on another Python version finds a foreign magic number and compiles the
    source instead."""
    text = source.read_bytes()
    archive.writestr(name, text)
    code = compile(text, name, "exec", dont_inherit=True)
    flags = (0b01).to_bytes(4, "little")  # hash-based, source not checked
    header = importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(text)
    archive.writestr(name + "c", header + marshal.dumps(code))


def _existing(entry: str) -> tuple[str, str]:
    """(local path, link name) of a FILES/ARCHIVES entry, which must exist here."""
    path, name = split_name(entry)
    if not os.path.exists(path):
        raise MissingInput(
            f"file {path} to ship with the job does not exist",
            hint="check FILES/ARCHIVES and the file arguments of the job",
        )
    return path, name


def _packed_dir(entry: str, archive: str) -> tuple[str, str]:
    """(archive path, link name): a DIRS entry packed into the .tgz ``archive``."""
    path, name = split_name(entry)
    if not os.path.isdir(path):
        raise MissingInput(f"directory {path} to ship with the job does not exist")
    with tarfile.open(archive, "w:gz") as tar:
        for child in sorted(os.listdir(path)):
            tar.add(os.path.join(path, child), arcname=child)
    return archive, name
