"""`caution init`: write a commented .caution.yml and the allowed-signers file it names."""

from __future__ import annotations

import json
import sys

import typer

from caution.cli.options import Format, state


def init(
    force: bool = typer.Option(False, "--force", help="Overwrite an existing .caution.yml."),
    output: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
) -> None:
    """Write a commented .caution.yml (repository name, roster, approval and block rules)
    and .caution/allowed_signers with your SSH key, for this repository."""
    from caution.policy.init import write_initial_config
    from caution.report.console import stdout_console

    written = write_initial_config(state.repository(), force=force)
    if output is Format.json:
        data = {
            "config": str(written.config),
            "signers": str(written.signers) if written.signers else None,
            "signer_key": written.signer_key,
            "repository": written.repository,
        }
        sys.stdout.write(json.dumps(data) + "\n")
        return
    lines = [f"wrote {written.config}"]
    if written.signers is not None:
        key = (
            "with your key" if written.signer_key else "with no key yet: add one line per approver"
        )
        lines.append(f"wrote {written.signers} ({key})")
    if written.repository is None:
        lines.append(
            "name the repository (repository: owner/name) before CI runs in shallow clones"
        )
    lines.append("edit the roster, commit both files, then run `caution check`")
    stdout_console().print("\n".join(lines), highlight=False, markup=False)
