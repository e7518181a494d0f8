"""Which exceptions are the user's input going wrong (exit 2, one line) rather than a bug."""

from __future__ import annotations


class CautionError(Exception):
    """A problem with what the user asked for: bad option, bad path, bad config."""


def is_user_error(exc: BaseException) -> bool:
    """Whether `exc` is the user's input going wrong (exit 2, one line) rather than a bug.

    The capabilities' error classes are imported here, when an error has happened, not at
    start-up: importing them all would load numpy, grimp and pydantic for `caution blame`."""
    from caution.git.errors import GitError
    from caution.policy.approvals import RepositoryNameError
    from caution.policy.check import CheckError
    from caution.policy.ci import CiError
    from caution.policy.freezes import DeployError
    from caution.policy.init import ConfigExistsError
    from caution.policy.ssh import SshError
    from caution.policy.statement import StatementError
    from caution.policy.sync import SyncError
    from caution.provenance.markers import MarkerError
    from caution.reach.service import ReachError
    from caution.risk.store import TrainingStoreError
    from caution.rollout.canary_run import RunConfigError
    from caution.rollout.samples import SampleError
    from caution.rollout.source import QueryError
    from caution.yaml_source import SourceError

    return isinstance(
        exc,
        (
            CautionError,
            CheckError,
            CiError,
            DeployError,
            ConfigExistsError,
            GitError,
            MarkerError,
            OSError,
            QueryError,
            RepositoryNameError,
            ReachError,
            RunConfigError,
            SampleError,
            SourceError,
            SshError,
            StatementError,
            SyncError,
            TrainingStoreError,
        ),
    )
