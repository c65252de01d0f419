"""How a subcommand is declared beside its handler, and how the parser is built from them.

A handler is a function of the parsed arguments; :func:`command` attaches its name, help and
arguments to it::

    @command("analyse-activity", "worst-case activity, ISI CV and PSTH",
             arg("run"),
             config_arg("--psth-bin", "analysis.psth_bin", default=5.0),
             arg("-o", "--output", required=True))
    def analyse_activity(args):
        ...

Each argument is a callable that adds itself to the subcommand's parser: :func:`arg` passes
through to ``add_argument``; :func:`config_arg` takes type, bounds and help from the config
schema (for every argument that sets a config key). :func:`add_commands` adds the commands of
the given modules, in the order they are defined there.
"""
import inspect
from dataclasses import dataclass
from typing import Callable

from .. import params as P


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, one-line help, argument declarations and handler."""

    name: str
    help: str
    arguments: tuple
    handler: Callable


def command(name, help, *arguments):
    """Declare the decorated handler as subcommand `name`; `arguments` are :func:`arg`,
    :func:`config_arg` or sequences of them (:func:`protocol_args`)."""
    flat = []
    for argument in arguments:
        flat += argument if isinstance(argument, (list, tuple)) else [argument]

    def declare(handler):
        handler.command = Command(name, help, tuple(flat), handler)
        return handler
    return declare


def arg(*flags, **options):
    """An argument as ``parser.add_argument(*flags, **options)`` adds it."""
    return lambda parser: parser.add_argument(*flags, **options)


def config_arg(flag, key, help=None, **options):
    """An argument that sets config key `key`: type, bounds and help from the config schema
    (`help` only for an argument derived from the key, as --simtime from the windows)."""
    def add(parser):
        from ..config import arg_help, arg_type
        parser.add_argument(flag, type=arg_type(key), help=help or arg_help(key), **options)
    return add


def protocol_args(analysis=True):
    """The protocol windows, and for an analysis whether they shift by each population's
    mossy-fibre latency."""
    windows = config_arg("--stim-times", "stimulus.stim_times", nargs=3,
                         default=list(P.DEFAULT_STIM_TIMES), metavar=("BEFORE", "STIM", "AFTER"))
    if not analysis:
        return [windows]
    return [windows, arg("--no-consider-delays", action="store_true",
                         help="do not shift windows by each population's mossy-fibre latency")]


def scratch_args():
    """Where sPyNNaker's own files go: a temporary directory per run or mapping, or one kept."""
    return [arg("--scratch", help="directory for sPyNNaker's temporary files, removed "
                "afterwards (default: $TMPDIR)"),
            arg("--keep-workdir", help="keep sPyNNaker's configuration and reports here")]


def commands_of(module):
    """The commands declared in `module`, in the order of their definitions."""
    return [value.command for value in vars(module).values()
            if inspect.isfunction(value) and isinstance(getattr(value, "command", None), Command)
            and value.__module__ == module.__name__]


def add_commands(subparsers, modules):
    """Add every command of `modules` (in order) to `subparsers`; each parser's ``func`` default
    is its handler."""
    for module in modules:
        for cmd in commands_of(module):
            parser = subparsers.add_parser(cmd.name, help=cmd.help)
            for argument in cmd.arguments:
                argument(parser)
            parser.set_defaults(func=cmd.handler)
