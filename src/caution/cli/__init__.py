"""The `caution` command line: parse input, call a capability, render. No decisions here."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from caution.cli import approve as approve_cmd
from caution.cli import blame as blame_cmd
from caution.cli import check as check_cmd
from caution.cli import demo as demo_cmd
from caution.cli import init as init_cmd
from caution.cli import provenance as provenance_cmd
from caution.cli import reach as reach_cmd
from caution.cli.canary import canary_app
from caution.cli.ci import ci_app
from caution.cli.deploy import deploy_app
from caution.cli.errors import is_user_error
from caution.cli.guard import guard_app
from caution.cli.hook import hook_app
from caution.cli.options import state
from caution.cli.risk import risk_app
from caution.cli.slo import slo_app

app = typer.Typer(
    name="caution",
    help=(
        "Change safety for AI-written code: which changes AI made and how autonomously, "
        "what they can reach, and who must approve them."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from caution import __version__

        typer.echo(f"caution {__version__}")
        raise typer.Exit(0)


@app.callback()
def _global(
    repo: str = typer.Option(
        ".", "--repo", "-C", help="Run as if started in this directory (the repository)."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print caution's version."
    ),
) -> None:
    state.repo = repo
    state.debug = debug


app.command("check")(check_cmd.check)
app.command("approve")(approve_cmd.approve)
app.add_typer(approve_cmd.approvals_app, name="approvals")
app.command("provenance")(provenance_cmd.provenance)
app.command("reach")(reach_cmd.reach)
app.command("blame")(blame_cmd.blame)
app.command("init")(init_cmd.init)
app.add_typer(guard_app, name="guard")
app.add_typer(hook_app, name="hook")
app.add_typer(ci_app, name="ci")
app.add_typer(risk_app, name="risk")
app.add_typer(canary_app, name="canary")
app.add_typer(slo_app, name="slo")
app.add_typer(deploy_app, name="deploy")
app.command("demo")(demo_cmd.demo)


@app.command("version")
def version() -> None:
    """Print caution's version."""
    from caution import __version__

    typer.echo(__version__)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI: exit 0 pass, 1 did not pass, 2 usage/input/config error."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        result = app(args=args, prog_name="caution", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        if _is_usage_error(exc):
            # one line, like every other input error; `--help` has the rest
            message = exc.format_message()  # type: ignore[attr-defined]
            print(f"caution: {_one_line(message)} (see --help)", file=sys.stderr)
            sys.exit(2)
        if is_user_error(exc):
            print(f"caution: {_one_line(str(exc))}", file=sys.stderr)
            sys.exit(2)
        raise
    sys.exit(result if isinstance(result, int) else 0)


def _one_line(message: str) -> str:
    """An error is one line on stderr, whatever a file name or a parser put in it: line
    breaks become spaces, other control characters (a NUL) their escapes."""
    line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def _is_usage_error(exc: Exception) -> bool:
    """Click's usage errors (vendored inside newer Typer releases) know how to show themselves."""
    return callable(getattr(exc, "format_message", None)) and isinstance(
        getattr(exc, "exit_code", None), int
    )
