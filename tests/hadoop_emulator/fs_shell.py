"""``hadoop fs``: the file commands streamflow uses, with Hadoop's output, messages and exits.

Each command processes all its path arguments; a failing argument prints
``<cmd>: `<path>': <reason>`` on stderr and makes the command exit 1 at the end, as
Hadoop's FsShell does. Unknown commands and options exit 255 (Hadoop's -1).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from tests.hadoop_emulator.cluster import Cluster, HadoopError, Location

USAGE = "Usage: hadoop fs [generic options]"


class PathError(Exception):
    """One argument failed; the command goes on with the next."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"`{path}': {reason}")


NO_SUCH = "No such file or directory"


class Shell:
    """Runs one ``hadoop fs`` command and remembers whether any argument failed."""

    def __init__(self, cluster: Cluster, name: str) -> None:
        self.cluster = cluster
        self.name = name
        self.failed = False

    def error(self, message: str) -> None:
        sys.stderr.write(f"{self.name}: {message}\n")
        self.failed = True

    def each(self, args: list[str], action: Callable[[str, Location], None]) -> None:
        """Expand each argument (globs too) and apply ``action``, reporting failures."""
        for arg in args:
            try:
                matches = self.cluster.expand(arg)
                if not matches or not os.path.lexists(matches[0][1].local):
                    raise PathError(arg, NO_SUCH)
                for display, location in matches:
                    action(display, location)
            except PathError as exc:
                self.error(str(exc))
            except HadoopError as exc:
                self.error(str(exc))


def split_flags(args: list[str], allowed: str, name: str) -> tuple[set[str], list[str]]:
    """Leading single-letter flags (``-r``, ``-f``, ``-skipTrash``) and the rest."""
    flags: set[str] = set()
    rest = list(args)
    while rest and rest[0].startswith("-") and rest[0] != "-":
        flag = rest.pop(0)[1:]
        if flag not in allowed.split(","):
            raise UsageProblem(f"-{name}: Illegal option -{flag}")
        flags.add(flag)
    return flags, rest


class UsageProblem(Exception):
    """Bad options: Hadoop prints the message and usage and exits -1 (255)."""


# -- listing and stat ---------------------------------------------------------------------


def _mode_string(st: os.stat_result) -> str:
    kind = "d" if stat.S_ISDIR(st.st_mode) else "-"
    bits = ""
    for who in (6, 3, 0):
        value = (st.st_mode >> who) & 7
        bits += ("r" if value & 4 else "-") + ("w" if value & 2 else "-")
        bits += "x" if value & 1 else "-"
    if kind == "-":
        bits = bits.replace("x", "-")  # HDFS files carry no execute bit
    return kind + bits


def _mtime(st: os.stat_result, fmt: str) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(st.st_mtime).strftime(fmt)


def _ls_rows(cluster: Cluster, entries: list[tuple[str, Path]]) -> list[str]:
    rows = []
    for display, local in entries:
        st = os.stat(local)
        is_dir = stat.S_ISDIR(st.st_mode)
        rows.append(
            (
                _mode_string(st),
                "-" if is_dir else "1",
                cluster.user,
                "supergroup",
                str(0 if is_dir else st.st_size),
                _mtime(st, "%Y-%m-%d %H:%M"),
                display,
            )
        )
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return [
        f"{r[0]}   {r[1]:>{widths[1]}} {r[2]:<{widths[2]}} {r[3]:<{widths[3]}} "
        f"{r[4]:>{widths[4]}} {r[5]} {r[6]}"
        for r in rows
    ]


def _children(display: str, local: Path) -> list[tuple[str, Path]]:
    base = display if display.endswith("/") else display + "/"
    return [(base + name, local / name) for name in sorted(os.listdir(local))]


def cmd_ls(shell: Shell, args: list[str]) -> None:
    flags, paths = split_flags(args, "d,R,C,h", "ls")
    out = sys.stdout

    def show(display: str, location: Location) -> None:
        local = location.local
        if local.is_dir() and "d" not in flags:
            entries = _children(display, local)
            if "R" in flags:
                entries = _walk(display, local)
            elif entries:
                out.write(f"Found {len(entries)} items\n")
        else:
            entries = [(display, local)]
        if "C" in flags:
            out.writelines(f"{d}\n" for d, _ in entries)
        else:
            out.writelines(f"{row}\n" for row in _ls_rows(shell.cluster, entries))

    shell.each(paths or ["."], show)


def _walk(display: str, local: Path) -> list[tuple[str, Path]]:
    entries = []
    for child_display, child in _children(display, local):
        entries.append((child_display, child))
        if child.is_dir():
            entries.extend(_walk(child_display, child))
    return entries


def cmd_stat(shell: Shell, args: list[str]) -> None:
    fmt = "%y"
    if len(args) > 1 and "%" in args[0]:
        fmt, args = args[0], args[1:]
    if not args:
        raise UsageProblem("-stat: Not enough arguments: expected 1 but got 0")

    def show(display: str, location: Location) -> None:
        import datetime

        st = os.stat(location.local)
        is_dir = stat.S_ISDIR(st.st_mode)
        values = {
            "b": str(0 if is_dir else st.st_size),
            "F": "directory" if is_dir else "regular file",
            "g": "supergroup",
            "n": location.local.name or "/",
            "o": "0" if is_dir else "134217728",
            "r": "0" if is_dir else "1",
            "u": shell.cluster.user,
            "y": datetime.datetime.fromtimestamp(st.st_mtime, datetime.UTC).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
            "Y": str(int(st.st_mtime * 1000)),
            "a": oct(st.st_mode & 0o777)[2:],
            "A": _mode_string(st)[1:],
        }
        text, i = "", 0
        while i < len(fmt):
            if fmt[i] == "%" and i + 1 < len(fmt) and fmt[i + 1] in values:
                text += values[fmt[i + 1]]
                i += 2
            else:
                text += fmt[i]
                i += 1
        sys.stdout.write(text + "\n")

    shell.each(args, show)


def cmd_test(shell: Shell, args: list[str]) -> int:
    if len(args) != 2 or not args[0].startswith("-"):
        raise UsageProblem("-test: Not enough arguments: expected 1 but got 0")
    flag, path = args[0][1:], args[1]
    if flag not in ("d", "e", "f", "s", "z", "r", "w"):
        raise UsageProblem(f"-test: Illegal option -{flag}")
    local = shell.cluster.resolve(path).local
    if not os.path.lexists(local):
        return 1
    checks = {
        "e": True,
        "d": local.is_dir(),
        "f": local.is_file(),
        "s": local.is_file() and local.stat().st_size > 0,
        "z": local.is_dir() or local.stat().st_size == 0,
        "r": True,
        "w": True,
    }
    return 0 if checks[flag] else 1


def cmd_du(shell: Shell, args: list[str]) -> None:
    flags, paths = split_flags(args, "s,h,v,x", "du")

    def size(local: Path) -> int:
        if local.is_file():
            return local.stat().st_size
        return sum(size(child) for child in local.iterdir())

    def show(display: str, location: Location) -> None:
        local = location.local
        entries = [(display, local)]
        if local.is_dir() and "s" not in flags:
            entries = _children(display, local)
        for child_display, child in entries:
            n = size(child)
            sys.stdout.write(f"{n}  {n}  {child_display}\n")

    shell.each(paths or ["."], show)


# -- reading --------------------------------------------------------------------------------


def _read_file(display: str, local: Path, decompress: bool) -> bytes:
    if local.is_dir():
        raise PathError(display, "Is a directory")
    data = local.read_bytes()
    if decompress and data[:2] == b"\x1f\x8b":
        import gzip

        data = gzip.decompress(data)
    return data


def cmd_cat(shell: Shell, args: list[str], decompress: bool = False) -> None:
    def show(display: str, location: Location) -> None:
        sys.stdout.buffer.write(_read_file(display, location.local, decompress))
        sys.stdout.buffer.flush()

    shell.each(args, show)


def cmd_get(shell: Shell, args: list[str]) -> None:
    flags, paths = split_flags(args, "f,p,ignoreCrc,crc", "get")
    if len(paths) < 1:
        raise UsageProblem("-get: Not enough arguments: expected 1 but got 0")
    if len(paths) == 1:
        paths.append(".")
    *sources, dest = paths
    dest_path = Path(dest)

    def fetch(display: str, location: Location) -> None:
        target = dest_path / location.local.name if dest_path.is_dir() else dest_path
        if target.exists() and "f" not in flags:
            raise PathError(str(target), "File exists")
        if location.local.is_dir():
            shutil.copytree(location.local, target, dirs_exist_ok="f" in flags)
        else:
            shutil.copyfile(location.local, target)

    shell.each(sources, fetch)


# -- writing --------------------------------------------------------------------------------


def cmd_put(shell: Shell, args: list[str], name: str = "put") -> None:
    flags, paths = split_flags(args, "f,p,l,d", name)
    if len(paths) < 2:
        raise UsageProblem(f"-{name}: Not enough arguments: expected 2 but got {len(paths)}")
    *sources, dest = paths
    try:
        dest_loc = shell.cluster.resolve(dest)
    except HadoopError as exc:
        shell.error(str(exc))
        return
    dest_is_dir = dest_loc.local.is_dir()
    if len(sources) > 1 and not dest_is_dir:
        reason = "Is not a directory" if dest_loc.local.exists() else NO_SUCH
        shell.error(str(PathError(dest, reason)))
        return
    if not dest_is_dir and not dest_loc.local.parent.is_dir():
        shell.error(str(PathError(dest, NO_SUCH)))
        return
    for source in sources:
        if dest_is_dir:
            name_in = "stdin" if source == "-" else Path(source).name
            target, shown = dest_loc.local / name_in, dest.rstrip("/") + "/" + name_in
        else:
            target, shown = dest_loc.local, dest
        try:
            if source != "-" and not os.path.exists(source):
                raise PathError(source, NO_SUCH)
            if os.path.lexists(target) and "f" not in flags:
                raise PathError(shown, "File exists")
            _copy_in(source, target)
        except PathError as exc:
            shell.error(str(exc))


def _copy_in(source: str, target: Path) -> None:
    """Copy through ``<name>._COPYING_`` and rename, as Hadoop does, so readers never see
    half a file."""
    if source != "-" and os.path.isdir(source):
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)
        return
    temp = target.with_name(target.name + "._COPYING_")
    with open(temp, "wb") as out:
        if source == "-":
            shutil.copyfileobj(sys.stdin.buffer, out)
        else:
            with open(source, "rb") as src:
                shutil.copyfileobj(src, out)
    if target.is_dir():
        shutil.rmtree(target)
    os.replace(temp, target)


def cmd_mkdir(shell: Shell, args: list[str]) -> None:
    flags, paths = split_flags(args, "p", "mkdir")
    for path in paths:
        try:
            local = shell.cluster.resolve(path).local
            if local.exists() and not local.is_dir():
                raise PathError(path, "Is not a directory")
            if "p" in flags:
                for parent in reversed([local, *local.parents]):
                    if parent.exists() and not parent.is_dir():
                        raise PathError(path, "Is not a directory")
                local.mkdir(parents=True, exist_ok=True)
            elif local.exists():
                raise PathError(path, "File exists")
            elif not local.parent.is_dir():
                raise PathError(path, NO_SUCH)
            else:
                local.mkdir()
        except (PathError, HadoopError) as exc:
            shell.error(str(exc))


def cmd_touchz(shell: Shell, args: list[str]) -> None:
    for path in args:
        try:
            local = shell.cluster.resolve(path).local
            if local.is_dir():
                raise PathError(path, "Is a directory")
            if local.exists() and local.stat().st_size:
                raise PathError(path, "Not a zero-length file")
            if not local.parent.is_dir():
                raise PathError(path, NO_SUCH)
            local.touch()
        except (PathError, HadoopError) as exc:
            shell.error(str(exc))


def cmd_mv(shell: Shell, args: list[str]) -> None:
    if len(args) < 2:
        raise UsageProblem(f"-mv: Not enough arguments: expected 2 but got {len(args)}")
    *sources, dest = args
    try:
        dest_local = shell.cluster.resolve(dest).local
    except HadoopError as exc:
        shell.error(str(exc))
        return
    if len(sources) > 1 and not dest_local.is_dir():
        shell.error(str(PathError(dest, "Is not a directory")))
        return

    def move(display: str, location: Location) -> None:
        target, shown = dest_local, dest
        if dest_local.is_dir():
            target = dest_local / location.local.name
            shown = dest.rstrip("/") + "/" + location.local.name
        if os.path.lexists(target):
            raise PathError(shown, "File exists")
        if not target.parent.is_dir():
            raise PathError(dest, NO_SUCH)
        if location.local in target.parents or location.local == target:
            raise PathError(display, "Invalid argument")
        os.rename(location.local, target)

    shell.each(sources, move)


def cmd_rm(shell: Shell, args: list[str]) -> None:
    flags, paths = split_flags(args, "f,r,R,skipTrash,safely", "rm")
    recursive = bool(flags & {"r", "R"})
    if not paths:
        raise UsageProblem("-rm: Not enough arguments: expected 1 but got 0")
    for arg in paths:
        try:
            matches = shell.cluster.expand(arg)
            if not matches or not os.path.lexists(matches[0][1].local):
                if "f" in flags:
                    continue
                raise PathError(arg, NO_SUCH)
            for display, location in matches:
                if location.local.is_dir() and not location.local.is_symlink():
                    if not recursive:
                        raise PathError(display, "Is a directory")
                    shutil.rmtree(location.local)
                else:
                    location.local.unlink()
                sys.stdout.write(f"Deleted {display}\n")
        except (PathError, HadoopError) as exc:
            shell.error(str(exc))


COMMANDS: dict[str, Callable[[Shell, list[str]], int | None]] = {
    "ls": cmd_ls,
    "stat": cmd_stat,
    "test": cmd_test,
    "du": cmd_du,
    "cat": cmd_cat,
    "text": lambda shell, args: cmd_cat(shell, args, decompress=True),
    "get": cmd_get,
    "copyToLocal": cmd_get,
    "put": cmd_put,
    "copyFromLocal": lambda shell, args: cmd_put(shell, args, "copyFromLocal"),
    "mkdir": cmd_mkdir,
    "touchz": cmd_touchz,
    "mv": cmd_mv,
    "rm": cmd_rm,
}


def main(cluster: Cluster, args: list[str]) -> int:
    """Run ``hadoop fs ARGS`` (generic options already applied) and return the exit code."""
    if not args:
        sys.stderr.write(f"{USAGE}\n")
        return 255
    command = args[0]
    name = command[1:] if command.startswith("-") else command
    if not command.startswith("-") or name not in COMMANDS:
        sys.stderr.write(f"{command}: Unknown command\n{USAGE}\n")
        return 255
    shell = Shell(cluster, name)
    try:
        code = COMMANDS[name](shell, args[1:])
    except UsageProblem as exc:
        sys.stderr.write(f"{exc}\n{USAGE} -{name} ...\n")
        return 255
    sys.stdout.flush()
    if code is not None:
        return code
    return 1 if shell.failed else 0
