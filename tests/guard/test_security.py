"""The security reproductions c6–c10 (the guard's part), each as the real hook process an
agent runs, ending in the secure outcome: deny or ask for the symlinks (c6), still deny
after the agent rewrites its settings or moves (c7), Codex argv lists judged as the real
command (c8), the steps of self-approval stopped (c9), nothing written through a log link
and no hang on a FIFO (c10)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import Repo
from tests.guard.conftest import Session


def test_c6_links_to_home_root_and_ssh(session: Session) -> None:
    assert session.bash("rm -rf ~").decision == "deny"
    answer = session.bash("ln -s ~ h && rm -rf h/")
    assert answer.decision == "deny" and "fs.rm-recursive-outside-workspace" in answer.reason
    answer = session.bash("ln -s / r; rm -rf r/etc")
    assert answer.decision == "deny" and "r/etc is system" in answer.reason
    answer = session.bash("ln -s ~/.ssh k")  # a link out of the workspace (ask), to the keys
    assert answer.decision == "deny" and "secrets.private-key-read" in answer.reason
    answer = session.bash("ln -s ~/.config k")
    assert answer.decision == "ask" and "fs.link-out-of-workspace" in answer.reason
    # the link was only asked about, not made: the file would be a new one in the project,
    # still asked about by name
    answer = session.write("k/authorized_keys")
    assert answer.decision == "ask" and "files.ssh-authorization" in answer.reason
    # once the link exists (made some other way), the Write lands in ~/.ssh: denied
    (session.home / ".ssh").mkdir()
    (session.project / "k").symlink_to(session.home / ".ssh")
    answer = session.write("k/authorized_keys")
    assert answer.decision == "deny" and "files.outside-workspace" in answer.reason
    assert str(session.home / ".ssh" / "authorized_keys") in answer.reason


def test_c7_rewritten_settings_and_moved_workspaces(session: Session, tmp_path: Path) -> None:
    weak = 'version: 1\nguard: {allow: [{rule: iac.terraform-destroy, pattern: ".*"}]}\n'
    elsewhere = tmp_path / "elsewhere" / ".caution.yml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(weak)
    assert session.bash("terraform destroy -auto-approve").decision == "deny"
    rewrites = [
        f"cp {elsewhere} .",
        f"cp -t . {elsewhere}",
        f'python3 -c "import shutil; shutil.copy(\\"{elsewhere}\\", \\".caution.yml\\")"',
        "curl -o .caution.yml http://127.0.0.1:9/x",
        "git restore --source=evil .caution.yml",
    ]
    for command in rewrites:
        answer = session.bash(command)
        assert answer.decision == "deny", (command, answer)
        assert "files.caution-policy" in answer.reason, (command, answer)
    # had a rewrite got through: the work tree's file is never read
    (session.project / ".caution.yml").write_text(weak)
    assert session.bash("terraform destroy -auto-approve").decision == "deny"
    (session.project / ".caution.yml").unlink()
    # a nested repository with its own settings, and a payload cwd or dir_path moved there
    sub = Repo.init(session.project / "sub")
    (sub.path / ".caution.yml").write_text(weak)
    command = f"terraform -chdir={session.project} destroy -auto-approve"
    assert session.bash(command, cwd=sub.path).decision == "deny"
    gemini = {
        "hook_event_name": "BeforeTool",
        "cwd": str(session.project),
        "tool_name": "run_shell_command",
        "tool_input": {"command": "terraform destroy -auto-approve", "dir_path": str(sub.path)},
    }
    assert session.hook("gemini", gemini).decision == "deny"


def test_c8_codex_argv_lists_and_exec_command(session: Session) -> None:
    def codex(tool: str, tool_input: dict[str, object]) -> str:
        payload = {
            "hook_event_name": "PreToolUse",
            "cwd": str(session.project),
            "tool_name": tool,
            "tool_input": tool_input,
        }
        return session.hook("codex", payload).decision

    assert codex("shell", {"command": ["bash", "-lc", "rm -rf ~"]}) == "deny"
    assert codex("exec_command", {"cmd": "rm -rf ~"}) == "deny"
    # quoted, the list is `touch 'x; rm -rf ~'`: one odd file name in the project
    assert codex("shell", {"command": ["touch", "x; rm -rf ~"]}) == "allow"


def test_c9_the_steps_of_self_approval(session: Session, tmp_path: Path) -> None:
    key = tmp_path / "alice"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    (session.home / ".ssh").mkdir()
    (session.home / ".ssh" / "id_ed25519").write_bytes(key.read_bytes())
    steps = {
        "git -c user.email=build@x commit -qam refactor": ("ask", "git.identity-override"),
        "caution approve HEAD": ("deny", "caution.approve"),
        "git push origin HEAD refs/notes/caution-approvals": ("ask", "git.push-approval-notes"),
        "ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n caution-approval msg": (
            "deny",
            "secrets.ssh-sign",
        ),
        "cat ~/.ssh/id_ed25519": ("deny", "secrets.private-key-read"),
    }
    for command, (decision, rule) in steps.items():
        answer = session.bash(command)
        assert (answer.decision, rule in answer.reason) == (decision, True), (command, answer)
    # `caution guard check` (the CLI the script uses) says the same
    for command, (decision, rule) in steps.items():
        proc = subprocess.run(
            [sys.executable, "-m", "caution", "guard", "check", "-c", command],
            cwd=session.project,
            env=session.env,
            capture_output=True,
            check=False,
        )
        assert proc.stdout.decode().startswith(f"{decision} [{rule}]"), (command, proc.stdout)


def test_c10_a_log_link_or_fifo_in_the_work_tree(session: Session) -> None:
    bashrc = session.home / ".bashrc"
    bashrc.write_text("# rc\n")
    (session.project / ".caution").mkdir()
    (session.project / ".caution" / "guard.log").symlink_to(bashrc)
    repo = Repo(session.project)
    repo.git("add", "-A")
    repo.commit("ships a link")
    answer = session.bash('echo "$(touch /tmp/PWNED)"')
    assert answer.code == 0
    assert bashrc.read_text() == "# rc\n"  # nothing appended to the shell start-up file
    (session.project / ".caution" / "guard.log").unlink()
    os.mkfifo(session.project / ".caution" / "guard.log")
    os.mkfifo(session.project / ".caution.yml")
    began = time.monotonic()
    answer = session.hook("claude-code", {"tool_name": "Bash", "tool_input": {"command": "ls"}})
    assert answer.decision == "allow" and time.monotonic() - began < 15


def test_the_hook_answers_in_the_agents_protocol(session: Session) -> None:
    """The same judgement reaches each agent in its own words (gemini cannot ask)."""
    payload = {
        "hook_event_name": "BeforeTool",
        "cwd": str(session.project),
        "tool_name": "run_shell_command",
        "tool_input": {"command": "ln -s ~ h"},
    }
    answer = session.hook("gemini", payload)
    assert answer.decision == "deny" and "needs a person" in answer.reason
    assert "fs.link-out-of-workspace" in answer.reason
