"""Atomic file output: write beside the target, rename into place only on success."""
import contextlib
import fcntl
import os
import tempfile
from pathlib import Path


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; move it onto `path` when the block succeeds.

    On any exception (or a kill before the rename) the target is left untouched and the
    temporary file is removed, so a reader never sees a half-written output.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.part{path.suffix}"):
        stale.unlink(missing_ok=True)  # left by a writer that was killed before its rename
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + path.suffix,
                               dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get the usual permissions
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def file_lock(path):
    """Hold an exclusive lock on `path` (created if missing) for the block: one process at a
    time builds a shared cached artefact (a compiled project or library)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cache_dir(variable, name):
    """Where a kind of compiled artefact is cached: $`variable` if set, else
    ``$XDG_CACHE_HOME/spinncer/<name>`` (``~/.cache`` when unset)."""
    env = os.environ.get(variable)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "spinncer" / name


#: The one number format of every CSV table spinncer writes: floats with 6 significant
#: digits (``%.6g``: 0.000123457, 1.5e+06, 12.25), integers and text as they are.
CSV_FLOAT_FORMAT = "%.6g"


def write_csv(table, path):
    """Write a table (pandas DataFrame, or a list of dict rows) atomically as CSV without the
    index, floats in :data:`CSV_FLOAT_FORMAT`."""
    import pandas as pd
    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format=CSV_FLOAT_FORMAT)
