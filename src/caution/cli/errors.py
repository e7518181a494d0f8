"""Which exceptions are the user's input going wrong (exit 2, one line) rather than a bug."""

from __future__ import annotations

from caution.git.errors import GitError
from caution.policy.approvals import RepositoryNameError
from caution.policy.check import CheckError
from caution.policy.init import ConfigExistsError
from caution.policy.ssh import SshError
from caution.policy.statement import StatementError
from caution.provenance.markers import MarkerError
from caution.reach.service import ReachError
from caution.risk.store import TrainingStoreError
from caution.rollout.samples import SampleError
from caution.yaml_source import SourceError


class CautionError(Exception):
    """A problem with what the user asked for: bad option, bad path, bad config."""


USER_ERRORS: tuple[type[BaseException], ...] = (
    CautionError,
    CheckError,
    ConfigExistsError,
    GitError,
    MarkerError,
    OSError,
    RepositoryNameError,
    SampleError,
    ReachError,
    SourceError,
    SshError,
    StatementError,
    TrainingStoreError,
)
