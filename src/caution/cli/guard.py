"""`caution guard`: judge agent actions (check, eval) and speak agents' hook protocols."""

from __future__ import annotations

import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TextIO

import typer

from caution.cli.errors import CautionError
from caution.cli.options import Format

guard_app = typer.Typer(
    help="Stop coding agents from destroying environments, data, history and secrets.",
    no_args_is_help=True,
)


@guard_app.command("hook")
def hook(
    agent: str = typer.Option(
        ..., "--agent", help="claude-code, codex, cursor, gemini or copilot."
    ),
) -> int:
    """What an agent's hook runs before each action: reads the agent's payload on stdin
    and answers in that agent's protocol (allow, ask or deny, with the rule and reason).

    `caution guard hook` is served before the rest of the CLI loads (it runs on every
    agent action); this entry is the same code, for --help and `python -m caution`."""
    from caution.guard.hook import main

    return main(["--agent", agent])


@guard_app.command("check")
def check(
    words: list[str] | None = typer.Argument(None, metavar="[-- COMMAND...]"),
    command: str | None = typer.Option(None, "--command", "-c", help="A shell command string."),
    write: str | None = typer.Option(None, "--write", help="A file the agent wants to write."),
    cwd: Path = typer.Option(Path(), "--cwd", help="The agent's working directory."),
    output: Format = typer.Option(Format.text, "--format", "-f"),
) -> int:
    """Judge one action: allow, ask or deny, with the rule and the reason.

    Exit 0 when it is allowed, 1 when it is not (ask or deny), 2 on bad input."""
    from caution.guard.judge import action_of, judge_one

    try:
        action = action_of(command, write, words)
    except ValueError as exc:
        raise CautionError(str(exc)) from exc
    verdict = judge_one(action, cwd.resolve())
    if output is Format.json:
        sys.stdout.write(
            json.dumps(
                {
                    **action,
                    "decision": verdict.decision,
                    "rule": verdict.rule,
                    "reason": verdict.reason,
                }
            )
            + "\n"
        )
    else:
        rule = f" [{verdict.rule}]" if verdict.rule else ""
        sys.stdout.write(f"{verdict.decision}{rule}: {verdict.reason}\n")
    return 0 if verdict.decision == "allow" else 1


@guard_app.command("eval")
def evaluate(
    file: Path = typer.Argument(
        ...,
        help='JSON lines: {"kind": "shell", "command": …} or '
        '{"kind": "write"|"edit", "path": …, "content": …}.',
    ),
    cwd: Path = typer.Option(Path(), "--cwd", help="The agents' working directory."),
) -> None:
    """Judge a batch of actions; each output line is the input object plus `decision`,
    `rule` and `reason`. A line that is not a JSON object comes back as `ask`."""
    from caution.guard.judge import judge_lines
    from caution.user_file import read_user_file

    try:
        if str(file) == "-":
            handle: TextIO = sys.stdin
        else:  # a regular file of bounded size: not /dev/zero, not a FIFO nobody writes to
            text = read_user_file(file).decode("utf-8", "replace")
            handle = io.StringIO(text)
    except OSError as exc:
        raise CautionError(f"{file}: cannot read: {exc.strerror or exc}") from exc
    with handle:
        for out in judge_lines(handle, cwd.resolve(), str(file)):
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")


class Scope(StrEnum):
    project = "project"
    user = "user"


def _this_caution() -> str | None:
    """The `caution` executable running now, when it is one (a user-scope install tells
    the launcher about it first: a virtual environment need not be on the agent's PATH)."""
    executable = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    return str(executable) if executable and executable.name == "caution" else None


@guard_app.command("install")
def install(
    agent: str = typer.Option(
        ..., "--agent", help="claude-code, codex, cursor, gemini or copilot."
    ),
    scope: Scope = typer.Option(
        Scope.project, "--scope", help="project (this repository) or user."
    ),
    uninstall: bool = typer.Option(False, "--uninstall", help="Remove only what install added."),
    cwd: Path = typer.Option(Path(), "--cwd", help="A folder inside the project."),
    output: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """Add the guard's hook to an agent's settings, keeping everything already there.

    Project scope writes the agent's settings and the launcher .caution/bin/guard-hook;
    commit both. The launcher finds caution on each machine and denies when it is
    missing."""
    from caution.guard import places_for
    from caution.guard.install import InstallError, install_guard, uninstall_guard
    from caution.report.guard import outcome_to_json, render_outcome

    places = places_for(cwd)
    workspace, home = Path(places.workspace), Path(places.home)
    try:
        if uninstall:
            outcome = uninstall_guard(agent, scope.value, workspace, home)
        else:
            outcome = install_guard(agent, scope.value, workspace, home, _this_caution())
    except InstallError as exc:
        raise CautionError(str(exc)) from exc
    if output is Format.json:
        sys.stdout.write(json.dumps(outcome_to_json(outcome)) + "\n")
    else:
        render_outcome(outcome, sys.stdout)


@guard_app.command("doctor")
def doctor(
    agent: list[str] | None = typer.Option(
        None, "--agent", metavar="NAME", help="Only this agent (repeatable); all five by default."
    ),
    cwd: Path = typer.Option(Path(), "--cwd", help="A folder inside the project."),
    output: Format = typer.Option(Format.text, "--format", "-f"),
) -> int:
    """Per agent and scope: is the guard's hook installed, does its command resolve, does
    it answer (a harmless probe allowed, a destructive one denied), how fast cold and warm.

    Exit 0 when every installed hook is healthy, 1 otherwise (or when none is installed)."""
    from caution.guard import places_for
    from caution.guard.doctor import diagnose
    from caution.guard.hook_config import InstallError
    from caution.report.guard import diagnosis_to_json, render_diagnosis

    places = places_for(cwd)
    try:
        diagnosis = diagnose(Path(places.workspace), Path(places.cwd), Path(places.home), agent)
    except InstallError as exc:
        raise CautionError(str(exc)) from exc
    if output is Format.json:
        sys.stdout.write(json.dumps(diagnosis_to_json(diagnosis)) + "\n")
    else:
        render_diagnosis(diagnosis, sys.stdout)
    return 0 if diagnosis.healthy else 1
