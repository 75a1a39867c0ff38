"""Command-line parsing for ``hadoop jar <streaming jar>``, with Hadoop 3's rules.

Generic options (``-D``, ``-conf``, ``-fs``, ``-jt``, ``-files``, ``-libjars``,
``-archives``) are parsed first and parsing stops at the first argument that is not one;
everything after goes to Hadoop Streaming's own parser, which does not know the generic
options. So ``-D`` after ``-input`` fails with "Unrecognized option: -D", as on a cluster.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

GENERIC_WITH_VALUE = ("-fs", "-jt", "-conf", "-libjars", "-files", "-archives", "-tokenCacheFile")

STREAMING_WITH_VALUE = [
    "input",
    "output",
    "mapper",
    "combiner",
    "reducer",
    "file",
    "dfs",
    "additionalconfspec",
    "inputformat",
    "outputformat",
    "partitioner",
    "numReduceTasks",
    "inputreader",
    "mapdebug",
    "reducedebug",
    "jobconf",
    "cmdenv",
    "cacheFile",
    "cacheArchive",
    "io",
]
STREAMING_FLAGS = ["lazyOutput", "background", "verbose", "info", "debug", "help"]


class OptionError(Exception):
    """Streaming rejected its command line; the message is what Hadoop logs."""


class JavaException(Exception):
    """An exception Hadoop lets escape from ``main``: the JVM prints it and exits 1."""

    def __init__(self, java_class: str, message: str) -> None:
        super().__init__(f"{java_class}: {message}")


# What java.net.URI refuses in a path or fragment (Hadoop parses -files/-archives as URIs).
_URI_ILLEGAL = re.compile(r'[\x00-\x20"<>\\^`{|}\[\]\x7f]|%(?![0-9a-fA-F]{2})')


class GenericOptions:
    """What Hadoop's GenericOptionsParser took off the front of the command line."""

    def __init__(self) -> None:
        self.conf: dict[str, str] = {}
        self.files: list[str] = []
        self.archives: list[str] = []
        self.libjars: list[str] = []


class StreamingOptions:
    """Hadoop Streaming's own options."""

    def __init__(self) -> None:
        self.inputs: list[str] = []
        self.output: str | None = None
        self.mapper: str | None = None
        self.combiner: str | None = None
        self.reducer: str | None = None
        self.files: list[str] = []
        self.inputformat: str | None = None
        self.outputformat: str | None = None
        self.partitioner: str | None = None
        self.num_reduce_tasks: int | None = None
        self.cmdenv: dict[str, str] = {}
        self.jobconf: dict[str, str] = {}
        self.flags: set[str] = set()


def _set_property(conf: dict[str, str], text: str) -> None:
    key, sep, value = text.partition("=")
    if sep:
        conf[key] = value


def read_conf_file(path: str) -> dict[str, str]:
    """Properties of a Hadoop XML configuration file (``-conf``)."""
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.parse(path).getroot()
    conf = {}
    for prop in root.iter("property"):
        name, value = prop.findtext("name"), prop.findtext("value")
        if name is not None:
            conf[name.strip()] = (value or "").strip()
    return conf


def parse_resource(entry: str) -> tuple[str, str | None]:
    """(path, link name or None) of one ``-files``/``-archives`` entry.

    Hadoop splits the option on commas and parses each entry with ``new URI(entry)``, so a
    space, a stray ``%`` and the like are errors, ``%xx`` escapes are decoded, and ``#``
    starts the name the task sees.
    """
    if not entry:
        raise JavaException("java.lang.IllegalArgumentException", "File name can't be empty string")
    bad = _URI_ILLEGAL.search(entry)
    if bad:
        where = "fragment" if "#" in entry[: bad.start()] else "path"
        problem = "Malformed escape pair" if bad.group() == "%" else f"Illegal character in {where}"
        raise JavaException(
            "java.lang.IllegalArgumentException",
            f"java.net.URISyntaxException: {problem} at index {bad.start()}: {entry}",
        )
    path, sep, name = entry.partition("#")
    if "#" in name:
        index = len(path) + 1 + name.index("#")
        raise JavaException(
            "java.lang.IllegalArgumentException",
            f"java.net.URISyntaxException: Illegal character in fragment at index {index}: {entry}",
        )
    return unquote(path), (unquote(name) if sep else None)


def parse_generic(args: list[str]) -> tuple[GenericOptions, list[str]]:
    """Take generic options off the front of ``args``; return them and the rest."""
    generic = GenericOptions()
    rest = list(args)
    while rest:
        arg = rest[0]
        if arg.startswith("-D") and len(arg) > 2:
            _set_property(generic.conf, arg[2:])
            rest.pop(0)
            continue
        if arg == "-D" or arg in GENERIC_WITH_VALUE:
            if len(rest) < 2:
                raise OptionError(f"Missing argument for option: {arg[1:]}")
            value = rest[1]
            del rest[:2]
            if arg == "-D":
                _set_property(generic.conf, value)
            elif arg == "-fs":
                generic.conf["fs.defaultFS"] = value
            elif arg == "-jt":
                generic.conf["mapreduce.framework.name"] = "local" if value == "local" else "yarn"
            elif arg == "-conf":
                generic.conf.update(read_conf_file(value))
            elif arg == "-files":
                generic.files.extend(value.split(","))
            elif arg == "-archives":
                generic.archives.extend(value.split(","))
            elif arg == "-libjars":
                generic.libjars.extend(value.split(","))
            continue
        break
    return generic, rest


def parse_streaming(args: list[str]) -> StreamingOptions:
    """Parse Streaming's options as its command-line parser does."""
    opts = StreamingOptions()
    leftovers: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg[1:] if arg.startswith("-") else None
        if name is None or arg == "-":
            leftovers.append(arg)
            i += 1
            continue
        if name in STREAMING_FLAGS:
            opts.flags.add(name)
            i += 1
            continue
        if name not in STREAMING_WITH_VALUE:
            raise OptionError(f"Unrecognized option: {arg}")
        if i + 1 >= len(args):
            raise OptionError(f"Missing argument for option: {name}")
        value = args[i + 1]
        i += 2
        _apply(opts, name, value)
    if leftovers:
        raise OptionError(
            f"Found {len(leftovers)} unexpected arguments on the command line "
            f"[{', '.join(leftovers)}]"
        )
    if "help" in opts.flags or "info" in opts.flags:
        return opts
    if not opts.inputs:
        raise OptionError("Required argument: -input <name>")
    if not opts.output:
        raise OptionError("Required argument: -output ")
    return opts


def _apply(opts: StreamingOptions, name: str, value: str) -> None:
    if name == "input":
        opts.inputs.extend(p for p in split_paths(value) if p)
    elif name in ("output", "mapper", "combiner", "reducer"):
        setattr(opts, name, value)
    elif name == "file":
        opts.files.append(value)
    elif name in ("inputformat", "outputformat", "partitioner"):
        setattr(opts, name, value)
    elif name == "numReduceTasks":
        try:
            opts.num_reduce_tasks = int(value)
        except ValueError:
            raise OptionError(f'For input string: "{value}"') from None
    elif name == "cmdenv":
        key, sep, env_value = value.partition("=")
        if not sep:
            raise OptionError(f"-cmdenv expects NAME=VALUE, got {value}")
        opts.cmdenv[key] = env_value
    elif name == "jobconf":
        _set_property(opts.jobconf, value)
    else:
        raise OptionError(f"the emulator does not support -{name}")


def split_paths(value: str) -> list[str]:
    """Split a comma-separated path list as FileInputFormat does: not inside ``{a,b}``."""
    paths, depth, start = [], 0, 0
    for i, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == "," and not depth:
            paths.append(value[start:i])
            start = i + 1
    paths.append(value[start:])
    return paths


def split_command(command: str) -> list[str]:
    """Split a task command the way Streaming does: on spaces, with '...' and "..." quoting
    and no escapes; a quote also ends the word before it. No shell is involved."""
    words: list[str] = []
    quote: str | None = None
    start = 0
    for i, char in enumerate(command + " "):
        at_end = i == len(command)
        boundary = False
        if not at_end and char in "'\"":
            if quote is None:
                quote, boundary = char, True
            elif quote == char:
                quote, boundary = None, True
        elif char == " " and quote is None:
            boundary = True
        if boundary or at_end:
            if i > start:
                words.append(command[start:i])
            start = i + 1
    return words


USAGE = """Usage: $HADOOP_HOME/bin/hadoop jar hadoop-streaming.jar [options]
Options:
  -input          <path> DFS input file(s) for the Map step.
  -output         <path> DFS output directory for the Reduce step.
  -mapper         <cmd|JavaClassName> Optional. Command to be run as mapper.
  -combiner       <cmd|JavaClassName> Optional. Command to be run as combiner.
  -reducer        <cmd|JavaClassName> Optional. Command to be run as reducer.
  -file           <file> Optional. File/dir to be shipped in the Job jar file.
                  Deprecated. Use generic option "-files" instead.
  -inputformat    <TextInputFormat(default)|SequenceFileAsTextInputFormat|JavaClassName>
  -outputformat   <TextOutputFormat(default)|JavaClassName>
  -partitioner    <JavaClassName>  Optional. The partitioner class.
  -numReduceTasks <num> Optional. Number of reduce tasks.
  -cmdenv         <n>=<v> Optional. Pass env.var to streaming commands.

Generic options supported are:
-conf <configuration file>        specify an application configuration file
-D <property=value>               define a value for a given property
-fs <file:///|hdfs://namenode:port> specify default filesystem URL to use
-jt <local|resourcemanager:port>  specify a ResourceManager
-files <file1,...>                specify a comma-separated list of files to be copied
-libjars <jar1,...>               specify a comma-separated list of jar files
-archives <archive1,...>          specify a comma-separated list of archives to be unarchived

The general command line syntax is:
command [genericOptions] [commandOptions]

For more details about these options:
Use $HADOOP_HOME/bin/hadoop jar hadoop-streaming.jar -info

Try -help for more information
"""
