"""Reading history: commits, ranges, trailers, notes and blame, through the git executable."""

from caution.git.errors import GitError
from caution.git.log import read_commits, revision_args
from caution.git.model import Commit, FileChange, Person
from caution.git.notes import read_notes
from caution.git.repo import default_range, find_root, require_commits
from caution.git.trailers import Trailer, Trailers, parse_trailers

__all__ = [
    "Commit",
    "FileChange",
    "GitError",
    "Person",
    "Trailer",
    "Trailers",
    "default_range",
    "find_root",
    "parse_trailers",
    "read_commits",
    "read_notes",
    "require_commits",
    "revision_args",
]
