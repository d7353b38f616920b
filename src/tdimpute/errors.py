"""The library's error type: a `ValueError` that the command line turns into one line."""


class TdimputeError(ValueError):
    """Bad input or an impossible request, explained in one line for the user."""
