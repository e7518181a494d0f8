"""caution: change safety for the era of AI-written code.

The public library surface re-exports the capabilities' typed names so that
`from caution import read_commits, classify_range` works without reaching into
modules whose layout may change.
"""

from caution.git import Commit, FileChange, GitError, Person, Trailers, read_commits
from caution.provenance import CommitProvenance, Level, RangeProvenance, provenance_of_range

__all__ = [
    "Commit",
    "CommitProvenance",
    "FileChange",
    "GitError",
    "Level",
    "Person",
    "RangeProvenance",
    "Trailers",
    "provenance_of_range",
    "read_commits",
]

__version__ = "0.1.0"
