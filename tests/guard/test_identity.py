"""An agent must not sign in its human's name (issue item 7): `caution approve` and
`ssh-keygen -Y sign` are denied, private keys are not read (by name in ~/.ssh, or by their
content anywhere outside the workspace, which finds the key git's user.signingkey names),
and overriding who authored or committed, or sharing approval notes, is asked about."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from caution.guard import Places, default_rules
from caution.guard.service import check_action, places_for
from tests.guard.conftest import Session

RULES = default_rules()
PLACES = Places(cwd="/home/user/project", workspace="/home/user/project", home="/home/user")


@pytest.mark.parametrize(
    ("command", "decision", "rule"),
    [
        ("caution approve HEAD", "deny", "caution.approve"),
        ("caution -C . approve --key ~/.ssh/id_ed25519 HEAD", "deny", "caution.approve"),
        ("uv run caution approve HEAD", "deny", "caution.approve"),
        ("python3 -m caution approve HEAD", "deny", "caution.approve-module"),
        ("sh -c 'caution approve HEAD'", "deny", "caution.approve"),
        (
            "ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n caution-approval msg",
            "deny",
            "secrets.ssh-sign",
        ),
        ("git -c user.email=build@x commit -qam refactor", "ask", "git.identity-override"),
        ("git -c user.name=Alice commit -m x", "ask", "git.identity-override"),
        ("git -c user.signingkey=/k commit -S -m x", "ask", "git.identity-override"),
        ("git commit --author='Alice <alice@x>' -m x", "ask", "git.author-override"),
        ("GIT_AUTHOR_EMAIL=alice@x git commit -m x", "ask", "git.identity-variables"),
        ("env GIT_COMMITTER_EMAIL=alice@x git commit -m x", "ask", "git.identity-variables"),
        ("export GIT_COMMITTER_NAME=Alice && git commit -m x", "ask", "git.identity-variables"),
        (
            "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.email GIT_CONFIG_VALUE_0=a@x git commit -m x",
            "ask",
            "git.identity-variables",
        ),
        ("git config user.email alice@x", "ask", "git.identity-config"),
        ("git push origin refs/notes/caution-approvals", "ask", "git.push-approval-notes"),
        ("git push origin 'refs/notes/*'", "ask", "git.push-approval-notes"),
        ("git notes --ref=caution-approvals add -F sig HEAD", "ask", "git.write-approval-notes"),
        ("gpg --detach-sign -u alice file", "ask", "secrets.gpg-sign"),
        ("caution check main..HEAD", "allow", None),
        ("caution approvals HEAD", "allow", None),
        ("git commit -m 'user.email=x is documented'", "allow", None),
        ("git config --get user.email", "allow", None),
        ("git push origin feature", "allow", None),
        (
            "git fetch origin refs/notes/caution-approvals:refs/notes/caution-approvals",
            "allow",
            None,
        ),
    ],
)
def test_signing_and_identity(command: str, decision: str, rule: str | None) -> None:
    verdict = check_action({"kind": "shell", "command": command}, PLACES, RULES)
    assert (verdict.decision, verdict.rule) == (decision, rule), command


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Places, Path]:
    """A home with an SSH key in ~/.ssh and a signing key elsewhere (as git config names
    it), both real keys made by ssh-keygen, and a project."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / "keys").mkdir()
    (home / "project" / ".git").mkdir(parents=True)
    for target in (home / ".ssh" / "id_ed25519", home / "keys" / "signing"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(target)], check=True
        )
    return places_for(home / "project", str(home)), home


@pytest.mark.parametrize(
    ("command", "decision"),
    [
        ("cat ~/.ssh/id_ed25519", "deny"),
        ("base64 < ~/.ssh/id_ed25519", "deny"),
        ("cp ~/.ssh/id_ed25519 /tmp/k", "deny"),
        ("tar -czf /tmp/k.tgz ~/.ssh/id_ed25519", "deny"),
        ("cat ~/keys/signing", "deny"),  # no telling name: its content says it is a key
        ("xxd ~/keys/signing", "deny"),
        ("ln ~/keys/signing here", "deny"),
        ("python3 -c \"print(open('KEYS/signing').read())\"", "deny"),
        ("dd if=~/keys/signing of=/tmp/x", "deny"),
        ("cp -r ~/.ssh /tmp/x", "deny"),  # the folder that holds the keys
        ("grep -r . ~/.ssh", "deny"),
        ("tar czf /tmp/home.tgz ~", "ask"),  # the whole home, keys included
        ("cat ~/.ssh/id_ed25519.pub", "allow"),
        ("find ~/.ssh -name '*.pub'", "allow"),
        ("cat ~/keys/signing.pub", "allow"),
        ("ssh -i ~/.ssh/id_ed25519 build.example true", "allow"),  # uses it, shows nothing
        ("ssh-add ~/keys/signing", "allow"),
        ("chmod 600 ~/.ssh/id_ed25519", "allow"),
        ("ls -la ~/.ssh", "allow"),
    ],
)
def test_private_keys_are_not_read(keys: tuple[Places, Path], command: str, decision: str) -> None:
    places, home = keys
    command = command.replace("KEYS", str(home / "keys"))
    verdict = check_action({"kind": "shell", "command": command}, places, RULES)
    assert verdict.decision == decision, (command, verdict)
    if decision == "deny" and "ln " not in command:  # (ln: the link is asked about too)
        assert verdict.rule == "secrets.private-key-read", verdict


def test_a_key_in_the_workspace_is_the_projects_business(keys: tuple[Places, Path]) -> None:
    places, home = keys
    fixture = Path(places.workspace) / "tests" / "server.key"
    fixture.parent.mkdir()
    fixture.write_bytes((home / "keys" / "signing").read_bytes())
    verdict = check_action({"kind": "shell", "command": "cat tests/server.key"}, places, RULES)
    assert verdict.decision == "allow"


def test_read_tools_cannot_read_keys(session: Session, tmp_path: Path) -> None:
    (session.home / ".ssh").mkdir()
    key = session.home / ".ssh" / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    answer = session.tool("Read", {"file_path": str(key)})
    assert answer.decision == "deny" and "secrets.private-key-read" in answer.reason
    assert session.tool("Read", {"file_path": f"{key}.pub"}).decision == "allow"
    cursor = {
        "hook_event_name": "beforeReadFile",
        "workspace_roots": [str(session.project)],
        "file_path": str(key),
        "content": "…",
    }
    assert session.hook("cursor", cursor).decision == "deny"
    codex = {
        "cwd": str(session.project),
        "tool_name": "read_file",
        "tool_input": {"path": str(key)},
    }
    assert session.hook("codex", codex).decision == "deny"
