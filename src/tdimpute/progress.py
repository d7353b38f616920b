"""What tdimpute tells the user while it works: log lines and progress.

Every module logs through `logging.getLogger(__name__)`, below the `tdimpute` logger that
`configure_logging` (the command line) sets to write bare message lines on stderr, warnings
prefixed `warning: `; the library warns through `warnings.warn`, which it routes there too.
Long steps report through `progress`: a rich progress bar when stderr is a terminal, plain
lines (the caller says which) otherwise, as Nextflow's task logs want.
Nested steps (a network trained within each reliability fold) share one live display.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator

LOGGER = "tdimpute"
log = logging.getLogger(__name__)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        return f"warning: {message}" if record.levelno >= logging.WARNING else message


class _StderrHandler(logging.StreamHandler):
    """Writes to the `sys.stderr` of the moment: a live progress bar redirects it above itself."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(quiet: bool = False) -> None:
    """Message lines on stderr: INFO and above, or only warnings with `quiet`."""
    root = logging.getLogger(LOGGER)
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(_Formatter())
    root.addHandler(handler)
    root.setLevel(logging.WARNING if quiet else logging.INFO)
    warnings.showwarning = _show_warning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A `warnings.warn` of the library as one `warning: ` line, without file and line number."""
    logging.getLogger(LOGGER).warning("%s", message)


class Progress:
    """One step's progress: `update(done, detail, line)` moves the bar at a terminal, and
    elsewhere logs `label: detail` when `line` is true."""

    def __init__(self, label: str, bar=None, task=None, shown: bool = True) -> None:
        self.label, self._bar, self._task, self._shown = label, bar, task, shown

    def update(self, done: float, detail: str = "", line: bool = True) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, detail=detail)
        elif line and self._shown:
            log.info("%s: %s", self.label, detail)


_live = {"bar": None, "tasks": 0}


@contextlib.contextmanager
def progress(label: str, total: float | None, done: float = 0, shown: bool = True) -> Iterator[Progress]:
    """A `Progress` for a step of `total` units (None: unknown), `done` of them already;
    one not `shown` (a step too short to follow) shows nothing."""
    if not (shown and sys.stderr.isatty() and logging.getLogger(LOGGER).isEnabledFor(logging.INFO)):
        yield Progress(label, shown=shown)
        return
    bar = _shared_bar()
    task = bar.add_task(label, total=total, completed=done, detail="")
    try:
        yield Progress(label, bar, task)
    finally:
        _release_bar(task)


def _shared_bar():
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import (
        Progress as Bar,
    )

    if _live["bar"] is None:
        _live["bar"] = Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TextColumn("<"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[detail]}"),
            console=Console(stderr=True),
        )
        _live["bar"].start()
    _live["tasks"] += 1
    return _live["bar"]


def _release_bar(task) -> None:
    """The last step leaves its bar on the screen; a step nested in another removes its own."""
    bar = _live["bar"]
    _live["tasks"] -= 1
    if _live["tasks"] > 0:
        bar.remove_task(task)
        return
    bar.refresh()
    bar.stop()
    _live["bar"] = None
