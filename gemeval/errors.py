"""The errors a user can fix, with one root.

Every error gemeval raises because of something the user gave it (an option value, a file,
a task, a run directory, a model that cannot be built) derives from :class:`GemevalError`.
The CLI prints those as one line, ``error: <message>``, and exits 2: the message names the
file or item and the fix, and a traceback would only hide it. Any other exception is a bug
in gemeval: it keeps its traceback, followed by a line saying how to report it.

The subclasses that stand for bad values are also ``ValueError`` (and a missing file is also
``FileNotFoundError``), so code that caught the built-in types before keeps working.
"""

from __future__ import annotations

EXIT_USER_ERROR = 2

REPORT_HINT = (
    "This is a bug in gemeval {version} (or in a plug-in it loaded), not a problem with your "
    "input: please report it with the command you ran and the traceback above."
)


class GemevalError(Exception):
    """An error the user can fix. Its message says what is wrong, where, and what to do."""


class UsageError(GemevalError, ValueError):
    """An option or argument value that gemeval does not take (``--scoring``, a cache mode,
    a model argument)."""


class InputError(GemevalError, ValueError):
    """A file, data item, task, rubric, policy or run directory that cannot be used as it is."""


class MissingFileError(GemevalError, FileNotFoundError):
    """A file or folder the user pointed at (or gemeval's own resources) is not there."""


def report_hint() -> str:
    """The line added under the traceback of an unexpected exception."""
    from gemeval import __version__

    return REPORT_HINT.format(version=__version__)
