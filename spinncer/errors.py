"""The one exception type for bad user input.

Every check of user-supplied files, keys and values raises :class:`InputError`; the CLI turns it
into a single line on stderr and exit code 2.
"""


class InputError(ValueError):
    """Bad user input: names the file (or config key), what was expected and what was found."""

    def __init__(self, where, expected, found=None):
        self.where = str(where)
        self.expected = expected
        self.found = found
        message = f"{self.where}: expected {expected}"
        if found is not None:
            message += f", found {found}"
        super().__init__(message)
