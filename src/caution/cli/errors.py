"""Which exceptions are the user's input going wrong (exit 2, one line) rather than a bug."""

from __future__ import annotations

from caution.git.errors import GitError
from caution.provenance.markers import MarkerError


class CautionError(Exception):
    """A problem with what the user asked for: bad option, bad path, bad config."""


USER_ERRORS: tuple[type[BaseException], ...] = (CautionError, GitError, MarkerError, OSError)
