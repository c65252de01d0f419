"""What a workflow job shows on the console, beside its complete log.

Every rule sends its command's stdout and stderr to the job's log (``> {log} 2>&1``), so the
log keeps everything, third-party output included. The rules call the CLI as
``spinncer --console-fd 3 3>&2 <command> ...``: the shell copies Snakemake's stderr (the
console) onto file descriptor 3 before redirecting 1 and 2 to the log, and the CLI writes to
descriptor 3 only what someone watching the console needs:

- the one ``spinncer: error: ...`` line of bad input (also written to the log);
- progress of long steps, i.e. log records with ``extra=PROGRESS``, prefixed with the job's
  output so that lines of parallel jobs can be told apart;
- for an unexpected exception, one line pointing at the traceback in the log.

This keeps the log the full record without Snakemake having to parse it, and works the same
when the CLI is run by hand (no ``--console-fd``: the console is stderr itself, nothing is
written twice).
"""
import logging
import os
import sys
import warnings

PROGRESS = {"progress": True}  # `extra=` of a log record that also goes to the console


class Console:
    """The console stream of a job: descriptor `fd`, or None when the console is stderr."""

    def __init__(self, fd=None):
        self.stream = None
        if fd is not None and fd != sys.stderr.fileno():
            try:
                self.stream = os.fdopen(os.dup(fd), "w", buffering=1)
            except OSError:  # the descriptor is not open: the console is stderr only
                self.stream = None

    def line(self, text, log_too=True):
        """Write one line to the console (and to stderr, i.e. the log, when `log_too`)."""
        if log_too or self.stream is None:
            print(text, file=sys.stderr, flush=True)
        if self.stream is not None:
            print(text, file=self.stream, flush=True)

    def attach_progress(self, logger, label):
        """Also send `logger`'s progress records to the console, prefixed with `label`."""
        if self.stream is None:
            return
        handler = logging.StreamHandler(self.stream)
        handler.addFilter(lambda record: getattr(record, "progress", False))
        handler.setFormatter(logging.Formatter(f"spinncer: {label}: %(message)s"))
        logger.addHandler(handler)


def quiet_nest():
    """Keep NEST's start-up banner and the deprecation warnings PyNN 0.13 triggers in NEST 3.10
    (its SetStatus/GetStatus/set_verbosity calls) out of the logs; call before importing nest.
    Filtered by message and by the NEST module that issues them only: every other warning
    stays."""
    os.environ.setdefault("PYNEST_QUIET", "1")
    for message in (r"SetStatus\(\) is deprecated", r"GetStatus\(\) is deprecated",
                    r"Provided for backward compatibility only\. Set `nest\.verbosity"):
        warnings.filterwarnings("ignore", message=rf"\s*{message}", category=UserWarning,
                                module=r"nest\.lib\.hl_api_helper")
