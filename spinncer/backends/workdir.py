"""Where a session's simulator writes its own files: one directory per run or mapping.

sPyNNaker writes its configuration, reports and provenance database into its work directory;
two runs sharing one would overwrite each other. :func:`scratch_directory` gives each its own,
under the job's temporary directory unless the caller keeps it elsewhere.
"""
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_directory(keep=None, parent=None, prefix="spinncer-"):
    """A directory for a simulator's own files (sPyNNaker's configuration and reports): `keep`
    when given (kept afterwards), else a new temporary directory `<prefix>*` under `parent`
    (default: the system's temporary directory, ``$TMPDIR``), removed on exit whatever
    happens."""
    if keep is not None:
        Path(keep).mkdir(parents=True, exist_ok=True)
        yield Path(keep)
        return
    if parent is not None:
        Path(parent).mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        _forget_report_directory()


def _forget_report_directory():
    """sPyNNaker registers an exit hook that writes an ``errored`` marker into its report
    directory unless a ``finished`` marker is there (``UtilsDataWriter.write_errored_file``);
    once that directory is removed the hook has nothing to mark and would fail at exit."""
    import atexit
    import sys
    module = sys.modules.get("spinn_utilities.data.utils_data_writer")
    if module is not None:
        atexit.unregister(module.UtilsDataWriter.write_errored_file)
