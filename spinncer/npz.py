"""Opening user-given ``.npz`` archives: list keys without unpickling anything, and read
pickled entries only when the caller was allowed to, every failure as one InputError."""
import contextlib
from pathlib import Path

import numpy as np

from .errors import InputError


@contextlib.contextmanager
def open_npz(path, what, allow_pickle=False):
    """Yield the open archive; a missing, damaged or unexpected file raises InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, f"an existing {what} (.npz)", "no such file")
    try:
        with np.load(path, allow_pickle=allow_pickle) as data:
            yield data
    except InputError:
        raise
    except Exception as err:  # any failure to decode the bytes means a damaged file
        raise InputError(path, f"a readable {what} (.npz)",
                         f"an unreadable file ({type(err).__name__}: {err})") from None


def require_pickle_permission(path, allow_pickle, what, how_to_allow):
    """Refuse a file that holds pickled objects unless the user allowed it explicitly."""
    if not allow_pickle:
        raise InputError(path, f"permission to unpickle: {what} store pickled objects; allow it "
                         f"with {how_to_allow} only for a file you trust", "allow_pickle=False")


def npz_arrays(path, what):
    """Every array of the archive, read once: {key: array}."""
    with open_npz(path, what) as data:
        return {k: data[k] for k in data.files}


def npz_keys(path, what):
    with open_npz(path, what) as data:
        return set(data.files)


def json_plain(value):
    """A JSON-friendly copy of a value read from an archive: numpy arrays and scalars become
    lists and Python numbers (recursively through dicts, lists and tuples), other objects
    their ``str``."""
    if isinstance(value, dict):
        return {str(k): json_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
