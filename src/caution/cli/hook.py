"""`caution hook pre-receive|pre-push|install`: caution as a git hook."""

from __future__ import annotations

import sys

import typer

from caution.cli.errors import CautionError
from caution.cli.options import state

hook_app = typer.Typer(
    help="caution as a git hook: pre-receive on a server (a gate), pre-push in a clone (a report).",
    no_args_is_help=True,
)


def _say(message: str) -> None:
    print(f"caution: {message}", file=sys.stderr)


def _stdin_text() -> str:
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CautionError("the hook's input is not UTF-8 text") from None


@hook_app.command("pre-receive")
def pre_receive() -> int:
    """In a server's bare repository: read git's `<old> <new> <ref>` lines and refuse the
    push when an update of a protected branch does not pass (the reasons on stderr).

    Protected: git config caution.protect (globs, one value each), else the branch HEAD
    names, main and master. Bootstrap (a branch without .caution.yml): a change the
    built-in policy does not pass needs a tip commit signed by a key in the file that git
    config caution.bootstrapSigners names. Exit 0 accepts, anything else refuses.
    """
    from caution.policy.push import PushInputError, parse_pre_receive
    from caution.policy.receive import judge_push, server_settings
    from caution.report.check import render_check
    from caution.report.console import stderr_console

    repo = state.repository()
    try:
        updates = parse_pre_receive(_stdin_text())
        settings = server_settings(repo)
    except PushInputError as exc:
        raise CautionError(f"pre-receive: {exc}") from exc
    verdicts = judge_push(repo, updates, settings, report=_say)
    console = stderr_console(soft_wrap=True)
    for verdict in verdicts:
        update = verdict.update
        span = f"{update.old[:10]}..{update.new[:10]}"
        word = "accepted" if verdict.accepted else "REFUSED"
        _say(f"{update.ref} {span}: {word}: {verdict.why}")
        if verdict.result is not None and not verdict.accepted:
            render_check(verdict.result, console)
            head = verdict.result.change.head
            _say(
                f"to land it, a roster person approves it (caution approve {head[:12]} "
                f"--target origin/{update.branch}) and shares the approval (caution approvals "
                "sync, or push refs/notes/caution-approvals with the branch), then push again"
            )
    return 0 if all(v.accepted for v in verdicts) else 1


@hook_app.command("pre-push")
def pre_push(
    remote: str = typer.Argument("origin", help="The remote's name (git passes it)."),
    url: str = typer.Argument("", help="The remote's URL (git passes it; unused)."),
) -> int:
    """In a clone: print the check of each branch being pushed. A report, never a gate:
    the exit status is always 0."""
    from caution.policy.push import PushInputError, parse_pre_push

    try:
        pushed = parse_pre_push(_stdin_text())
        if not any(p.branch and not p.deletes for p in pushed):
            return 0  # tags, deletions, nothing: no check, and none of its imports
        from caution.policy.prepush import check_pushed

        repo = state.repository()
        reports = check_pushed(repo, remote, pushed)
    except (CautionError, PushInputError, OSError) as exc:
        _say(f"pre-push (report only): {exc}")
        return 0
    except Exception as exc:  # a report must never stop the push
        if state.debug:
            raise
        _say(f"pre-push (report only): could not check ({type(exc).__name__}: {exc})")
        return 0
    from caution.report.check import render_check
    from caution.report.console import stderr_console

    console = stderr_console(soft_wrap=True)
    for item in reports:
        branch = item.pushed.branch
        if item.result is None:
            _say(f"pre-push (report only): {branch}: not checked: {item.problem}")
            continue
        decision = item.result.decision
        _say(
            f"pre-push (report only): {branch} against {item.target}: "
            f"{decision.decision.upper()} — {decision.summary}"
        )
        if decision.decision != "pass":
            render_check(item.result, console)
    return 0


@hook_app.command("install")
def install(
    pre_receive_hook: bool = typer.Option(
        False, "--pre-receive", help="Install the server gate (in a bare repository)."
    ),
    pre_push_hook: bool = typer.Option(
        False, "--pre-push", help="Install the report-only pre-push hook (in a clone)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace a hook caution did not write."),
) -> None:
    """Write the hook where git looks for it (core.hooksPath honoured); it runs this
    caution installation."""
    from caution.policy.git_hooks import HookInstallError, install_hook

    names = [n for n, on in (("pre-receive", pre_receive_hook), ("pre-push", pre_push_hook)) if on]
    if not names:
        raise CautionError("which hook? give --pre-receive (a server) or --pre-push (a clone)")
    repo = state.repository()
    for name in names:
        try:
            path = install_hook(repo, name, force=force)
        except HookInstallError as exc:
            raise CautionError(str(exc)) from exc
        typer.echo(f"installed {name}: {path}")
