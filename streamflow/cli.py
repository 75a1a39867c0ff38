"""The ``streamflow`` command: parse arguments, load the config once, call the API.

``streamflow run MODULE:TASK [--param VALUE ...]`` and ``streamflow graph MODULE:TASK ...``
turn every parameter of the task into an option. A command that always runs one task (a
pipeline such as ``top-artists``) is one entry in ``TASK_COMMANDS``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from streamflow.config import LOG_LEVELS, RUNNERS, load_config
from streamflow.errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    StreamflowError,
    TaskDefinitionError,
    UsageError,
)

if TYPE_CHECKING:
    from streamflow.config import Config
    from streamflow.console import Console


@dataclass(frozen=True)
class TaskCommand:
    """A command running one fixed task class, e.g. ``streamflow top-artists``.

    ``task`` and ``after`` are import paths (``module:name``), imported only when the command
    runs or shows its help; ``after(root_task, console)`` runs when the run succeeded.
    """

    task: str
    help: str
    after: str = ""


# Commands that run one fixed task: name -> TaskCommand. Adding a pipeline command is one line.
TASK_COMMANDS: dict[str, TaskCommand] = {
    "top-artists": TaskCommand(
        "jobs.top_artists:ArtistToplistToDatabase",
        "The reference pipeline: stream logs -> streams per artist (MapReduce) -> top 10 -> "
        "database table top10.\n\nThe days are generated (deterministic per date) unless "
        "--streams-path names them. Prints the top 10 and where each output went.",
        after="jobs.top_artists:report",
    ),
}

CONFIG_OPTIONS = ("config", "log_level", "log_file", "runner", "data_dir", "db_url")
RUN_OPTIONS = ("workers", "lock", "lock_pid_dir", "local_scheduler", "dry_run")


def _config_options() -> list[click.Option]:
    return [
        click.Option(
            ["--config", "config"],
            metavar="FILE",
            help="Config file (default: $STREAMFLOW_CONFIG, else conf/streamflow.toml).",
        ),
        click.Option(
            ["--log-level", "log_level"],
            type=click.Choice(LOG_LEVELS, case_sensitive=False),
            help="How much to log [default: INFO].",
        ),
        click.Option(["--log-file", "log_file"], metavar="FILE", help="Also log to this file."),
        click.Option(
            ["--runner", "runner"],
            type=click.Choice(RUNNERS),
            help="Where MapReduce jobs run [default: inline].",
        ),
        click.Option(
            ["--data-dir", "data_dir"],
            metavar="DIR",
            help="Where pipelines keep their outputs [default: data].",
        ),
        click.Option(
            ["--db-url", "db_url"],
            metavar="URL",
            help="Database for loads, e.g. postgresql://user@host/db (default: SQLite file).",
        ),
    ]


def _run_options() -> list[click.Option]:
    return [
        click.Option(
            ["--workers", "workers"],
            type=click.IntRange(min=1),
            metavar="N",
            help="Tasks run side by side, in processes [default: 1].",
        ),
        click.Option(
            ["--lock/--no-lock", "lock"],
            default=None,
            help="Refuse to start while the same command runs [default: lock].",
        ),
        click.Option(
            ["--lock-pid-dir", "lock_pid_dir"],
            metavar="DIR",
            help="Where lock files live [default: a per-user temp dir].",
        ),
        click.Option(
            ["--local-scheduler", "local_scheduler"],
            is_flag=True,
            help="Schedule in this process (the default; accepted for Luigi habits).",
        ),
        click.Option(
            ["--dry-run", "dry_run"], is_flag=True, help="Print what would run; run nothing."
        ),
    ]


def _param_option(name: str, param: Any) -> click.Option:
    from streamflow.parameter import BoolParameter

    flag = name.replace("_", "-")
    text = param.description or ""
    if isinstance(param, BoolParameter):
        default = "yes" if param.default else "no"
        return click.Option(
            [f"--{flag}/--no-{flag}", name], default=None, help=f"{text} [default: {default}]"
        )
    if param.has_default:
        try:
            shown = param.serialize(param.default)
        except Exception:
            shown = str(param.default)
        text = f"{text} [default: {shown}]" if shown != "" else text
    return click.Option(
        [f"--{flag}", name], metavar=param.metavar, required=not param.has_default, help=text
    )


def import_task_class(spec: str) -> type:
    """Import ``module:Task`` (or ``module.Task``); the current directory is importable."""
    from streamflow.task import Task

    module_name, sep, class_name = spec.partition(":")
    if not sep:
        module_name, _, class_name = spec.rpartition(".")
    if not module_name or not class_name:
        raise UsageError(
            f"{spec!r} does not name a task", hint="write MODULE:TASK, e.g. my_tasks:CountLines"
        )
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # a console script's path does not include it
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if (
            error.name
            and module_name.startswith(error.name)
            and (module_name == error.name or module_name[len(error.name)] == ".")
        ):
            raise UsageError(
                f"cannot import module {module_name!r}: {error}",
                hint="run from the project directory, or add it to PYTHONPATH",
            ) from None
        raise _broken_module(module_name, error) from None
    except Exception as error:  # the module exists but running it failed: show where
        raise _broken_module(module_name, error) from None
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Task)):
        found = "not found" if cls is None else f"a {type(cls).__name__}, not a Task class"
        raise UsageError(f"{class_name!r} in module {module_name!r}: {found}")
    return cls


def _broken_module(module_name: str, error: BaseException) -> UsageError:
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    # Keep the frames of the user's module; importlib's own frames say nothing useful.
    user = [line for line in lines if "<frozen importlib" not in line and __file__ not in line]
    return UsageError(
        f"importing module {module_name!r} failed with {type(error).__name__}: {error}\n"
        + "".join(user).rstrip(),
        hint=f"fix the error in {module_name!r} (or a module it imports), then run again",
    )


def _task_options(task_cls: type) -> list[click.Option]:
    options = []
    reserved = {"help", *CONFIG_OPTIONS, *RUN_OPTIONS}  # --help too: it must show the help
    for name, param in task_cls.get_params():  # type: ignore[attr-defined]
        if name in reserved:
            raise TaskDefinitionError(
                f"{task_cls.__name__} has a parameter named {name!r}, which is also a "
                "streamflow option",
                hint="rename the parameter",
            )
        options.append(_param_option(name, param))
    return options


def _task_values(task_cls: type, values: dict[str, Any]) -> dict[str, Any]:
    names = {name for name, _ in task_cls.get_params()}  # type: ignore[attr-defined]
    return {k: v for k, v in values.items() if k in names and v is not None}


def _make_command(
    name: str, task_cls: type, action: Callable[..., int], help_text: str, with_run: bool
) -> click.Command:
    options = _task_options(task_cls)
    options += _run_options() if with_run else []
    options += _config_options()

    def callback(**values: Any) -> None:
        task_values = _task_values(task_cls, values)
        options = {k: v for k, v in values.items() if k in CONFIG_OPTIONS or k in RUN_OPTIONS}
        code = action(task_cls, task_values, options)
        sys.stdout.flush()
        raise click.exceptions.Exit(code)

    return click.Command(name, params=options, callback=callback, help=help_text)


class _TaskGroup(click.Group):
    """``run`` and ``graph``: the sub-command name is ``MODULE:TASK``, its options the task's."""

    def __init__(self, action: Callable[..., int], with_run: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.action = action
        self.with_run = with_run

    def list_commands(self, ctx: click.Context) -> list[str]:
        return []

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        try:
            task_cls = import_task_class(cmd_name)
            doc = (task_cls.__doc__ or "").strip()
            what = "Run" if self.with_run else "Show the dependency tree of"
            help_text = f"{what} {task_cls.__name__}." + (f"\n\n{doc}" if doc else "")
            return _make_command(cmd_name, task_cls, self.action, help_text, self.with_run)
        except StreamflowError as error:
            raise click.UsageError(str(error), ctx) from None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click would say "No such command"; a task that cannot be imported says why instead.
        cmd = self.get_command(ctx, args[0])
        return args[0], cmd, args[1:]


class _Main(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *sorted(TASK_COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = TASK_COMMANDS.get(cmd_name)
        if spec is None:
            return super().get_command(ctx, cmd_name)
        try:
            task_cls = import_task_class(spec.task)
        except StreamflowError as error:
            raise click.UsageError(str(error), ctx) from None
        after = spec.after

        def action(task_cls: type, task_values: dict[str, Any], options: dict[str, Any]) -> int:
            return _do_run(task_cls, task_values, options, after=after)

        command = _make_command(cmd_name, task_cls, action, spec.help, with_run=True)
        command.short_help = spec.help.split("\n")[0]
        return command


@click.group(
    name="streamflow",
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
def cli() -> None:
    """Run MapReduce jobs and the task pipelines around them.

    \b
    Exit codes:
      0  every root task is complete (including "nothing to do")
      1  a task failed, or an external input is missing
      2  bad command line, parameter value or configuration
      3  another run of the same command holds the lock
    """


def _load(options: dict[str, Any]) -> Config:
    overrides = {
        "core.workers": options.get("workers"),
        "core.lock": options.get("lock"),
        "core.lock_pid_dir": options.get("lock_pid_dir"),
        "core.log_level": (options.get("log_level") or "").upper() or None,
        "core.log_file": options.get("log_file"),
        "core.data_dir": options.get("data_dir"),
        "mr.runner": options.get("runner"),
        "db.url": options.get("db_url"),
    }
    return load_config(path=options.get("config"), overrides=overrides)


def _guarded(body: Callable[[Config, Console], int], options: dict[str, Any]) -> int:
    """Load the config and a console, then ``body(config, console)``; errors become exit codes."""
    from streamflow.console import Console

    try:
        config = _load(options)
        console = Console(level=config.core.log_level, log_file=config.core.log_file)
    except StreamflowError as error:
        click.echo(f"streamflow: error: {error}", err=True)
        return error.exit_code
    try:
        return body(config, console)
    except StreamflowError as error:
        console.error(str(error))
        return error.exit_code
    except KeyboardInterrupt as interrupt:
        how = f" by {interrupt}" if str(interrupt) else ""
        console.error(f"interrupted{how}: running tasks were stopped, and wrote no outputs")
        return EXIT_FAILED
    finally:
        console.close()


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM (kill, timeout, a cron daemon stopping) like Ctrl-C: stop and clean up."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _do_run(
    task_cls: type, task_values: dict[str, Any], options: dict[str, Any], after: str = ""
) -> int:
    from streamflow import lock, worker
    from streamflow.graph import build_graph
    from streamflow.load.url import redact_url

    def body(config: Config, console: Console) -> int:
        root = task_cls(**task_values)
        if options.get("dry_run"):
            return _print_plan(build_graph([root], config), console)
        held = lock.acquire(config.core.lock_pid_dir, [root.task_id]) if config.core.lock else None
        console.info(
            f"running {root!r} with {config.core.workers} worker(s), runner "
            f"{config.mr.runner}, config {config.source or '(defaults)'}"
        )
        console.debug(f"database: {redact_url(config.db.url) or '(embedded SQLite)'}")
        try:
            with _sigterm_interrupts():
                summary = worker.run([root], config, console)
        finally:
            if held is not None:
                held.release()
        console.print(summary.text())
        if summary.exit_code == 0 and after:
            _import_attr(after)(root, console)
        return summary.exit_code

    return _guarded(body, options)


def _do_graph(task_cls: type, task_values: dict[str, Any], options: dict[str, Any]) -> int:
    from streamflow import graph as graphs

    def body(config: Config, console: Console) -> int:
        root = task_cls(**task_values)
        built = graphs.build_graph([root], config)
        console.tree(graphs.tree(built))
        counts = {state: len(built.ids_in_state(state)) for state in graphs.STATES}
        console.print(", ".join(f"{n} {state}" for state, n in counts.items()))
        return 0

    return _guarded(body, options)


def _print_plan(built: Any, console: Console) -> int:
    from streamflow.graph import COMPLETE, MISSING, TO_RUN

    to_run = built.ids_in_state(TO_RUN)
    missing = built.ids_in_state(MISSING)
    complete = len(built.ids_in_state(COMPLETE))
    if not to_run and not missing:
        console.print(f"Nothing to do: all {complete} task(s) are complete.")
        return 0
    console.print(f"Would run {len(to_run)} task(s), in this order ({complete} complete):")
    for task_id in to_run:
        console.print(f"  {built.name(task_id)}")
    for task_id in missing:
        message = built.nodes[task_id].missing_message()
        console.print(f"The run would fail: {message}")
    return 0


def _import_attr(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


cli.add_command(
    _TaskGroup(
        _do_run,
        with_run=True,
        name="run",
        help="Run MODULE:TASK and whatever it needs that is not complete yet.\n\n"
        "Every task parameter is an option: streamflow run MODULE:TASK --help lists them.",
        subcommand_metavar="MODULE:TASK [OPTIONS]",
        no_args_is_help=True,
    )
)
cli.add_command(
    _TaskGroup(
        _do_graph,
        with_run=False,
        name="graph",
        help="Print the dependency tree of MODULE:TASK with each task's state; runs nothing.",
        subcommand_metavar="MODULE:TASK [OPTIONS]",
        no_args_is_help=True,
    )
)


def main(argv: list[str] | None = None) -> None:
    """The console script: exit with 0, 1 (a task failed), 2 (usage) or 3 (lock held)."""
    try:
        cli.main(args=argv, prog_name="streamflow")
    except StreamflowError as error:  # raised outside a command, e.g. while building options
        click.echo(f"streamflow: error: {error}", err=True)
        sys.exit(error.exit_code if error.exit_code else EXIT_USAGE)


if __name__ == "__main__":  # python -m streamflow.cli, where the console script is not installed
    main()
