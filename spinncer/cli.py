"""`spinncer` command line: one subcommand per workflow rule.

Argument parsing, logging and exit codes only; the work is done by the library. Each subcommand
is declared beside its handler in :mod:`spinncer.commands`. Bad user input
(:class:`spinncer.errors.InputError`, or an argument out of range) ends with one
``spinncer: error:`` line on stderr (and on ``--console-fd``, see :mod:`spinncer.console`) and
exit code 2.
"""
import argparse
import logging
import sys

from .commands import MODULES
from .commands.registry import add_commands
from .errors import InputError

log = logging.getLogger("spinncer")


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Argument errors become the one error line (main prints it), not usage + message."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def make_parser():
    parser = _Parser(prog="spinncer", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    parser.add_argument("--console-fd", type=int, metavar="FD",
                        help="also write the error line and progress to this file descriptor "
                        "(the workflow's console; its rules log everything else)")
    add_commands(parser.add_subparsers(dest="command", required=True, parser_class=_Parser),
                 MODULES)
    return parser


def main(argv=None):
    from .console import Console
    first = _Parser(add_help=False)
    first.add_argument("--console-fd", type=int)
    try:
        console = Console(first.parse_known_args(argv)[0].console_fd)
    except _UsageError:
        console = Console()  # reported by the full parser below
    try:
        args = make_parser().parse_args(argv)
    except _UsageError as err:
        console.line(f"spinncer: error: {err}")
        return 2
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    console.attach_progress(log, getattr(args, "output", None) or getattr(args, "outdir", None)
                            or args.command)
    try:
        args.func(args)
    except InputError as err:
        console.line(f"spinncer: error: {err}")
        return 2
    except Exception as err:  # the traceback goes to the log; the console gets one line
        console.line(f"spinncer: {args.command} failed: {type(err).__name__}: {err} "
                     "(traceback in the log)", log_too=False)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
