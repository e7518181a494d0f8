"""What a push asks for, read from git's hook input. Pure.

`pre-receive` reads one `<old> <new> <ref>` line per updated ref; `pre-push` reads
`<local ref> <local sha> <remote ref> <remote sha>`. An all-zero id means "no such
object": the ref is created (old) or deleted (new). Both parsers refuse anything else
whole (a hook must not judge half of a push it cannot read).

Which branches a server protects is its own setting (git config `caution.protect`,
globs such as `release/*`; by default the branch HEAD names, `main` and `master`): a
pushed policy cannot unprotect the branch it lands on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from caution.globs import GlobError, compile_glob
from caution.policy.statement import NOTES_REF

_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
DEFAULT_PROTECTED = ("main", "master")
MAX_LINES = 100_000


class PushInputError(ValueError):
    """The hook's input is not what git writes."""


class Kind(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"


def is_zero(object_id: str) -> bool:
    return set(object_id) == {"0"}


@dataclass(frozen=True)
class RefUpdate:
    """One line of pre-receive input."""

    old: str
    new: str
    ref: str

    @property
    def kind(self) -> Kind:
        if is_zero(self.old):
            return Kind.create
        if is_zero(self.new):
            return Kind.delete
        return Kind.update

    @property
    def branch(self) -> str | None:
        """`main` for `refs/heads/main`; None for a ref that is not a branch."""
        return self.ref.removeprefix("refs/heads/") if self.ref.startswith("refs/heads/") else None


def _ref_name(ref: str, line_no: int) -> str:
    if not ref.startswith("refs/") or any(ord(c) < 0x20 or c == "\x7f" for c in ref):
        raise PushInputError(f"line {line_no}: {ref!r} is not a ref name")
    return ref


def _object_id(value: str, line_no: int) -> str:
    if not _ID.fullmatch(value):
        raise PushInputError(f"line {line_no}: {value[:80]!r} is not an object id")
    return value


def _lines(text: str) -> list[tuple[int, list[str]]]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) > MAX_LINES:
        raise PushInputError(f"more than {MAX_LINES} lines")
    return [(n, line.split(" ")) for n, line in enumerate(lines, 1)]


def parse_pre_receive(text: str) -> list[RefUpdate]:
    """The ref updates of a push, in git's order."""
    updates = []
    for line_no, fields in _lines(text):
        if len(fields) != 3:
            raise PushInputError(f"line {line_no}: expected '<old> <new> <ref>'")
        old, new, ref = fields
        update = RefUpdate(
            _object_id(old, line_no), _object_id(new, line_no), _ref_name(ref, line_no)
        )
        if len(update.old) != len(update.new):
            raise PushInputError(f"line {line_no}: object ids of two lengths")
        if is_zero(update.old) and is_zero(update.new):
            raise PushInputError(f"line {line_no}: neither side names an object")
        updates.append(update)
    return updates


@dataclass(frozen=True)
class PushedRef:
    """One line of pre-push input."""

    local_ref: str
    local: str
    remote_ref: str
    remote: str

    @property
    def deletes(self) -> bool:
        return is_zero(self.local)

    @property
    def branch(self) -> str | None:
        ref = self.remote_ref
        return ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None


def parse_pre_push(text: str) -> list[PushedRef]:
    """What `git push` is about to send, in git's order."""
    pushed = []
    for line_no, fields in _lines(text):
        if len(fields) != 4:
            raise PushInputError(
                f"line {line_no}: expected '<local ref> <local sha> <remote ref> <remote sha>'"
            )
        local_ref, local, remote_ref, remote = fields
        if not local_ref or any(ord(c) < 0x20 for c in local_ref):
            raise PushInputError(f"line {line_no}: {local_ref!r} is not a ref")
        pushed.append(
            PushedRef(
                local_ref,
                _object_id(local, line_no),
                _ref_name(remote_ref, line_no),
                _object_id(remote, line_no),
            )
        )
    return pushed


def protected_patterns(configured: Sequence[str], head: str | None) -> tuple[str, ...]:
    """The branch globs a server protects: its configuration, else HEAD's branch, main
    and master. Raises PushInputError for a glob that does not compile."""
    patterns = tuple(configured) or tuple(
        dict.fromkeys([*([head] if head else []), *DEFAULT_PROTECTED])
    )
    for pattern in patterns:
        try:
            compile_glob("/" + pattern.lstrip("/"))
        except GlobError as exc:
            raise PushInputError(f"caution.protect: {exc}") from exc
    return patterns


def is_protected(branch: str, patterns: Iterable[str]) -> bool:
    """Whether `branch` matches one of the globs (`*` stays within one path segment).
    Without regard to case: on a case-insensitive file system `refs/heads/MAIN` is the
    file of `refs/heads/main`, and a push must not reach a protected branch by respelling
    it."""
    return any(
        compile_glob("/" + p.lstrip("/"), ignore_case=True).matches(branch) for p in patterns
    )


# git's order for finding a ref by a short name (gitrevisions(7), refs.c ref_rev_parse_rules)
_LOOKUP = ("refs/", "refs/tags/", "refs/heads/", "refs/remotes/")


def names_of(ref: str) -> list[str]:
    """Every short name under which git's lookup could find `ref`: `refs/tags/main` is
    found as `main`, `refs/origin/main` as `origin/main`, `refs/remotes/origin/HEAD` as
    `origin`."""
    names = [ref.removeprefix(prefix) for prefix in _LOOKUP if ref.startswith(prefix)]
    if ref.startswith("refs/remotes/") and ref.endswith("/HEAD"):
        names.append(ref.removeprefix("refs/remotes/").removesuffix("/HEAD"))
    return [n for n in names if n]


def shadowed_branch(ref: str, patterns: Iterable[str]) -> str | None:
    """The protected branch `ref` could stand in for wherever a name is resolved — by its
    own name (`refs/tags/main`) or a remote's (`refs/tags/origin/main`, `refs/origin/main`,
    `refs/heads/upstream/main`) — else None. The branch itself is no shadow of itself."""
    own = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
    for name in names_of(ref):
        for candidate in (name, name.partition("/")[2]):
            if candidate and candidate != own and is_protected(candidate, patterns):
                return candidate
    return None


@dataclass(frozen=True)
class PrePushTarget:
    """What a branch being pushed is judged against: `base` (a revision) and the branch
    name approvals use."""

    base: str
    name: str
    direct: bool  # the push goes straight into the target branch


def pre_push_target(
    pushed: PushedRef, remote: str, default_branch: str, have_remote_tip: bool
) -> PrePushTarget | None:
    """A push into the remote's default branch is judged as the server would judge it,
    from the remote's tip (when this clone has that commit); a push of any other
    branch is judged against the remote's default branch, as its pull request will be.
    None for a deletion or a ref that is not a branch."""
    branch = pushed.branch
    if pushed.deletes or branch is None:
        return None
    tracking = f"refs/remotes/{remote}/{default_branch}"
    if branch == default_branch:
        if not is_zero(pushed.remote) and have_remote_tip:
            return PrePushTarget(pushed.remote, branch, True)
        return PrePushTarget(tracking, branch, True)
    return PrePushTarget(tracking, default_branch, False)


__all__ = [
    "DEFAULT_PROTECTED",
    "NOTES_REF",
    "Kind",
    "PrePushTarget",
    "PushInputError",
    "PushedRef",
    "RefUpdate",
    "is_protected",
    "is_zero",
    "names_of",
    "parse_pre_push",
    "parse_pre_receive",
    "pre_push_target",
    "protected_patterns",
    "shadowed_branch",
]
