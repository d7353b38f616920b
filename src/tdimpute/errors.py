"""The one exception type that the command line turns into a single error line."""


class TdimputeError(Exception):
    """Bad input or an impossible request, explained in one line for the user."""

    exit_code = 1
