"""The project's one scaffold representation and its readers/writers.

A :class:`Scaffold` is plain data: cell positions per population and, per connection type (short
names of :mod:`spinncer.params`), arrays of population-local pre and post indices.
"""
from .model import Connectivity, Scaffold, permute_scaffold
from .io import read_scaffold, write_scaffold

__all__ = ["Connectivity", "Scaffold", "permute_scaffold", "read_scaffold", "write_scaffold"]
