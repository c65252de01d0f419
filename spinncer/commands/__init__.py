"""The `spinncer` subcommands, each declared beside its handler (:mod:`.registry`).

:data:`MODULES` lists the command modules in the order ``spinncer --help`` lists their
commands; a new module of commands is added there, a new command beside its handler.
"""
from . import analyse, exchange, scaffold, simulate, spinnaker, sweep, validate

#: The command modules, in the order of ``spinncer --help``.
MODULES = (scaffold, simulate, validate, analyse, spinnaker, sweep, exchange)
