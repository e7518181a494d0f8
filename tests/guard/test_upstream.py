"""Where the guard's settings come from (issue item 11): the repository's `.caution.yml` as
committed upstream and the user's own file — never the work tree, the index, a local
branch, a nested repository the agent made, or a folder the agent moved to."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from caution.guard import Places, default_rules
from caution.guard import upstream as upstream_module
from caution.guard.config import guard_settings
from caution.guard.service import check_action
from caution.guard_settings import AllowRule, GuardSettings, tightened
from tests.conftest import Repo
from tests.guard.conftest import Session

DESTROY = "terraform destroy -auto-approve"
ALLOW_DESTROY = 'version: 1\nguard: {allow: [{rule: iac.terraform-destroy, pattern: ".*"}]}\n'
RULES = default_rules()
PLACES = Places(cwd="/home/user/project", workspace="/home/user/project", home="/home/user")


def clone_of(session: Session, tmp_path: Path, settings: str | None) -> Session:
    """A project cloned from an upstream whose default branch has `settings`."""
    seed = Repo.init(tmp_path / "seed")
    seed.commit("base", {".caution.yml": settings} if settings else {"README": "x\n"})
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed.path), str(origin)], check=True)
    project = session.home / "cloned"
    subprocess.run(["git", "clone", "-q", str(origin), str(project)], check=True)
    return Session(session.home, project.resolve(), session.env)


def test_the_upstream_default_branch_is_read_and_nothing_else(
    session: Session, tmp_path: Path
) -> None:
    cloned = clone_of(session, tmp_path, ALLOW_DESTROY)
    repo = Repo(cloned.project)
    assert cloned.bash(DESTROY).decision == "allow"  # the team's allow rule applies
    # the work tree, the index and a local commit cannot take it away or add to it
    repo.write(".caution.yml", "version: 1\n")
    assert cloned.bash(DESTROY).decision == "allow"
    repo.git("add", ".caution.yml")
    assert cloned.bash(DESTROY).decision == "allow"
    repo.commit("drop the allow rule locally")
    assert cloned.bash(DESTROY).decision == "allow"  # origin/HEAD is what counts


def test_a_local_commit_cannot_weaken_the_upstream_settings(
    session: Session, tmp_path: Path
) -> None:
    cloned = clone_of(session, tmp_path, None)
    repo = Repo(cloned.project)
    repo.commit("weaken", {".caution.yml": ALLOW_DESTROY})  # on local main, not pushed
    assert cloned.bash(DESTROY).decision == "deny"
    repo.git("checkout", "-q", "-b", "agent-work")
    assert cloned.bash(DESTROY).decision == "deny"


def test_without_a_remote_the_local_default_branch_as_committed(session: Session) -> None:
    repo = Repo(session.project)
    repo.commit("team settings", {".caution.yml": ALLOW_DESTROY})
    assert session.bash(DESTROY).decision == "allow"
    repo.git("checkout", "-q", "-b", "agent-work")
    repo.commit("agent settings", {".caution.yml": "version: 1\n"})
    assert session.bash(DESTROY).decision == "allow"  # main's, not the branch's
    repo.git("checkout", "-q", "main")
    repo.write(".caution.yml", "version: 1\n")  # uncommitted: never read
    assert session.bash(DESTROY).decision == "allow"


def test_a_replaced_commit_is_not_believed(session: Session) -> None:
    repo = Repo(session.project)
    team = repo.commit("team settings", {"README": "x\n"})
    repo.git("checkout", "-q", "-b", "evil")
    evil = repo.commit("evil", {".caution.yml": ALLOW_DESTROY})
    repo.git("checkout", "-q", "main")
    repo.git("replace", team, evil)  # `git show main:.caution.yml` now shows the evil one
    assert "terraform" in repo.git("show", "main:.caution.yml")
    assert session.bash(DESTROY).decision == "deny"


def test_a_nested_repository_adds_protection_only(session: Session) -> None:
    Repo(session.project).commit("base", {"README": "x\n"})
    sub = Repo.init(session.project / "sub")
    sub_settings = (
        "version: 1\nguard:\n  protected_paths: ['data/**']\n"
        "  allow: [{rule: iac.terraform-destroy, pattern: '.*'}]\n"
    )
    sub.commit("sub settings", {".caution.yml": sub_settings})
    assert session.bash(DESTROY, cwd=sub.path).decision == "deny"  # its allow rule: ignored
    payload = {
        "hook_event_name": "PreToolUse",
        "cwd": str(sub.path),
        "tool_name": "Write",
        "tool_input": {"file_path": "data/x.csv", "content": "1"},
    }
    answer = session.hook("claude-code", payload)
    assert answer.decision == "deny" and "files.protected-path" in answer.reason


def test_moving_out_of_the_start_workspace_escapes_nothing(
    session: Session, tmp_path: Path
) -> None:
    other = Repo.init(session.home / "other-project")
    other.commit("their settings", {".caution.yml": ALLOW_DESTROY})
    assert session.bash(DESTROY, cwd=other.path).decision == "deny"
    answer = session.bash("rm -rf build", cwd=other.path)  # the other project is outside
    assert answer.decision == "deny" and "is outside" in answer.reason
    gemini = {
        "hook_event_name": "BeforeTool",
        "cwd": str(session.project),
        "tool_name": "run_shell_command",
        "tool_input": {"command": "rm -rf build", "dir_path": str(other.path)},
    }
    assert session.hook("gemini", gemini).decision == "deny"


def test_cursor_hooks_started_elsewhere_use_the_workspace_root(
    session: Session, tmp_path: Path
) -> None:
    cloned = clone_of(session, tmp_path, ALLOW_DESTROY)
    payload = {
        "hook_event_name": "beforeShellExecution",
        "workspace_roots": [str(cloned.project)],
        "cwd": str(cloned.project),
        "command": DESTROY,
    }
    assert cloned.hook("cursor", payload, cwd=session.home).decision == "allow"


def test_the_users_own_file_adds_protections_and_the_users_allow_rules(
    session: Session, user_dirs: dict[str, Path]
) -> None:
    mine = user_dirs["config"] / "caution" / "guard.yml"
    mine.parent.mkdir(parents=True)
    mine.write_text(
        "protected_paths: ['secrets/**']\n"
        "mode: fail-open\n"
        "allow:\n  - {rule: iac.terraform-destroy, pattern: 'terraform destroy -target=.*'}\n"
    )
    answer = session.write("secrets/token.txt")
    assert answer.decision == "deny" and "files.protected-path" in answer.reason
    assert session.bash("terraform destroy -target=module.tmp -auto-approve").decision == "allow"
    assert session.bash(DESTROY).decision == "deny"
    mine.write_text("mode: sometimes\n")
    answer = session.bash("ls")
    assert answer.decision == "deny" and f"{mine}:1" in answer.reason


@pytest.mark.parametrize("shape", ["link", "fifo"])
def test_the_users_file_must_be_a_plain_file(
    session: Session, user_dirs: dict[str, Path], tmp_path: Path, shape: str
) -> None:
    mine = user_dirs["config"] / "caution" / "guard.yml"
    mine.parent.mkdir(parents=True)
    if shape == "link":
        (tmp_path / "elsewhere.yml").write_text("allow: []\n")
        mine.symlink_to(tmp_path / "elsewhere.yml")
    else:
        os.mkfifo(mine)
    answer = session.bash("ls", timeout=30)
    assert answer.decision == "deny" and "plain file" in answer.reason


def test_the_users_caution_folders_are_protected(
    session: Session, user_dirs: dict[str, Path]
) -> None:
    config = user_dirs["config"] / "caution" / "guard.yml"
    log = user_dirs["state"] / "caution" / "guard.log"
    for answer in (
        session.write(str(config)),
        session.bash(f"echo 'allow: []' > {config}"),
        session.bash(f"cp /tmp/x {config.parent}/"),
        session.bash(f"rm -f {log}"),
        session.bash(f"python3 -c \"open('{config}', 'w').write('x')\""),
        session.bash(f"ln -sf /tmp/x {config}"),
    ):
        assert answer.decision == "deny", answer
        assert "files.caution-user-files" in answer.reason or "files.caution-guard-key" in (
            answer.reason
        ), answer


@pytest.mark.parametrize(
    "command",
    [
        "tar -xf evil.tar .caution.yml",
        "tar xzf evil.tgz -C . .caution.yml",
        "unzip -o evil.zip .caution.yml",
        "git checkout evil -- .caution.yml",
        "git checkout evil .caution.yml",
        "git show evil:.caution.yml > .caution.yml",
        "sed -i 's/fail-closed/fail-open/' .caution.yml",
        "mv /tmp/weak.yml .caution.yml",
        "install -m 644 /tmp/weak.yml .caution.yml",
        "dd if=/tmp/weak.yml of=.caution.yml",
        "rsync /tmp/weak.yml .caution.yml",
        "wget -O .caution.yml http://127.0.0.1:9/x",
        "wget --output-document=.caution.yml http://127.0.0.1:9/x",
        "curl --output .caution.yml http://127.0.0.1:9/x",
        "ln -sf /tmp/weak.yml .caution.yml",
        "cat /tmp/weak.yml | tee .caution.yml",
        "python3 -c \"import pathlib; pathlib.Path('.caution.yml').write_text('x')\"",
        "node -e \"require('fs').writeFileSync('.caution.yml', 'x')\"",
        'perl -e \'open(F, ">.caution.yml"); print F "x"\'',
        "ruby -e \"File.write('.caution.yml', 'x')\"",
        "cp /tmp/elsewhere/.caution.yml sub/..",
        "mkfifo .caution.yml",
    ],
)
def test_other_ways_to_rewrite_the_settings_are_denied(command: str) -> None:
    verdict = check_action({"kind": "shell", "command": command}, PLACES, RULES)
    assert (verdict.decision, verdict.rule) == ("deny", "files.caution-policy"), command


@pytest.mark.parametrize(
    ("command", "decision", "rule"),
    [
        ("git update-ref refs/remotes/origin/main deadbeef", "ask", "git.move-settings-ref"),
        ("git update-ref refs/heads/main evil", "deny", "git.move-branch"),  # already stronger
        (
            "git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/evil",
            "ask",
            "git.move-settings-ref",
        ),
        ("git fetch /tmp/evil main:refs/remotes/origin/main", "ask", "git.fetch-into-remote-refs"),
        ("git push . evil:refs/remotes/origin/main", "ask", "git.fetch-into-remote-refs"),
        ("git remote set-url origin /tmp/evil.git", "ask", "git.change-remote"),
        ("git remote set-head origin evil", "ask", "git.change-remote"),
        ("git config remote.origin.url /tmp/evil", "ask", "git.change-remote-config"),
        ("git branch -f main evil", "deny", "git.move-branch"),
        ("git add .caution.yml", "deny", "files.caution-policy"),
        ("git update-index --add .CAUTION.yml", "deny", "files.caution-policy"),
        ("git fetch origin", "allow", None),
        ("git rm --cached .env", "allow", None),
    ],
)
def test_the_ref_the_settings_come_from_is_not_moved_silently(
    command: str, decision: str, rule: str | None
) -> None:
    verdict = check_action({"kind": "shell", "command": command}, PLACES, RULES)
    assert (verdict.decision, verdict.rule) == (decision, rule), command


def test_tightening_adds_and_never_removes() -> None:
    team = GuardSettings(
        namespaces=["prod"], allow=[AllowRule(rule="a", pattern="x")], mode="fail-open"
    )
    inner = GuardSettings(
        namespaces=["payments"], allow=[AllowRule(rule="b", pattern="y")], mode="fail-open"
    )
    merged = tightened(team, inner, allow=False)
    assert merged.namespaces == ["prod", "payments"]
    assert [a.rule for a in merged.allow] == ["a"]  # a nested repository allows nothing
    assert merged.mode == "fail-open"  # fail-open elsewhere changes nothing
    assert tightened(team, GuardSettings(mode="fail-closed"), allow=False).mode == "fail-closed"
    user = tightened(team, inner, allow=True)
    assert [a.rule for a in user.allow] == ["a", "b"]  # the user's own rules count
    assert tightened(team, GuardSettings(), allow=True) == team  # defaults add nothing


def test_a_resident_guard_sees_a_fetch_of_new_settings(session: Session, tmp_path: Path) -> None:
    """In one process (as the resident guard), the cache follows the upstream ref."""
    cloned = clone_of(session, tmp_path, None)
    home = str(session.home)
    assert guard_settings(str(cloned.project), home=home).allow == []
    seed = Repo(tmp_path / "seed")
    seed.commit("team allows", {".caution.yml": ALLOW_DESTROY})
    origin = str(tmp_path / "origin.git")
    subprocess.run(["git", "push", "-q", origin, "main"], cwd=seed.path, check=True)
    Repo(cloned.project).git("fetch", "-q")
    assert [a.rule for a in guard_settings(str(cloned.project), home=home).allow] == [
        "iac.terraform-destroy"
    ]


def test_settings_git_cannot_read_are_a_deny_with_the_reason(session: Session) -> None:
    broken = session.home / "broken"
    broken.mkdir()
    (broken / ".git").write_text("gitdir: /nonexistent/where\n")
    answer = session.bash("ls", cwd=broken)
    assert answer.decision == "deny" and "cannot read it as committed" in answer.reason
    shutil.rmtree(broken)


def test_the_candidates_are_read_in_one_git_call(session: Session) -> None:
    repo = Repo(session.project)
    repo.commit("team settings", {".caution.yml": ALLOW_DESTROY})
    found = upstream_module.committed(str(session.project), 5.0)
    assert (found.ref, found.display) == ("main", "main:.caution.yml")
    assert found.text is not None and b"terraform" in found.text
    assert found.commit == repo.git("rev-parse", "main")
