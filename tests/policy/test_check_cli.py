"""`caution check` output formats, the default policy, and `caution init`."""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.globs import GlobError, compile_glob
from caution.policy.config import config_from_doc, load_config
from caution.policy.statement import StatementError, parse_note, parse_statement
from caution.yaml_source import SourceError, parse_yaml
from tests.conftest import Repo, cli


@pytest.fixture
def ai_branch(repo: Repo) -> Repo:
    repo.commit(
        "base",
        {
            "a.txt": "1\n",
            ".github/CODEOWNERS": "* @team\n",
            "services/x/catalog-info.yaml": "kind: Component\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(
        "agent work\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", {"a.txt": "1\n2\n"}
    )
    return repo


def test_default_policy_applies_and_says_so(
    ai_branch: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "-C", str(ai_branch.path), "check")
    assert code == 1
    assert "built-in default policy (no .caution.yml" in out
    code, out, _ = cli(capsys, "-C", str(ai_branch.path), "check", "-f", "json")
    data = json.loads(out)
    assert data["policy"] == {"source": "built-in default policy", "default": True}
    assert set(data) >= {"decision", "rules", "change"}
    assert data["change"]["provenance"] == {"level": "assisted", "tools": ["claude-code"]}
    assert data["change"]["range"] == "main..HEAD"
    for rule in data["rules"]:
        assert set(rule) >= {"name", "status", "reason", "approvals", "missing"}


def test_human_change_passes_the_default_policy(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("base", {"a.txt": "1\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("human work", {"a.txt": "2\n"})
    code, out, _ = cli(capsys, "-C", str(repo.path), "check", "-f", "json")
    assert code == 0
    assert json.loads(out)["decision"] == "pass"


def test_markdown_is_a_pr_comment(ai_branch: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "-C", str(ai_branch.path), "check", "-f", "markdown")
    assert code == 1
    assert out.startswith("### caution: ⏳ pending")
    assert "| rule | status | why | missing |" in out
    assert "| ai-changes-need-a-human-approval | ⏳ pending |" in out


def test_sarif_has_one_result_per_rule_that_did_not_pass(
    ai_branch: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    ai_branch.write(
        ".caution.yml",
        """version: 1
policy:
  approval:
    - name: needs-review
      requires: {count: 1}
    - name: docs-only
      if: {only_changed_files: {paths: ["docs/**"]}}
      requires: {count: 1}
  block:
    - name: no-ai
      if: {provenance: {level_in: [assisted]}}
""",
    )
    config = str(ai_branch.path / ".caution.yml")  # uncommitted: name it with --config
    code, out, _ = cli(
        capsys, "-C", str(ai_branch.path), "check", "-f", "sarif", "--config", config
    )
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "caution"
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"needs-review", "no-ai"}
    assert results["no-ai"]["level"] == "error"
    assert results["needs-review"]["level"] == "warning"
    location = results["no-ai"]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": ".caution.yml"}, "region": {"startLine": 10}}


def test_empty_range_is_an_input_error(ai_branch: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "-C", str(ai_branch.path), "check", "HEAD..HEAD")
    assert code == 2
    assert "has no commits" in err


def test_init_writes_a_valid_commented_config(
    ai_branch: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "-C", str(ai_branch.path), "init")
    assert code == 0 and "wrote" in out
    text = (ai_branch.path / ".caution.yml").read_text()
    assert "CODEOWNERS: .github/CODEOWNERS" in text
    assert "services/x/catalog-info.yaml" in text
    assert 'alice: {emails: ["alice@example.com"]' in text  # the sample author
    config = config_from_doc(parse_yaml(text, ".caution.yml"), None)
    assert [p.id for p in config.roster.people] == ["alice"]
    code, _, err = cli(capsys, "-C", str(ai_branch.path), "init")
    assert code == 2 and "use --force" in err
    code, _, _ = cli(capsys, "-C", str(ai_branch.path), "init", "--force")
    assert code == 0


def test_init_in_an_empty_repository(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = cli(capsys, "-C", str(repo.path), "init")
    assert code == 0
    assert (repo.path / ".caution" / "allowed_signers").is_file()  # written beside the policy
    assert not load_config(repo.path).is_default


def test_init_names_the_repository_and_starts_the_signers_file_with_your_key(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo.commit("start", {"a.txt": "1\n"})
    repo.git("remote", "add", "origin", "git@github.com:shop/monorepo.git")
    key = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    repo.git("config", "user.signingkey", str(key))
    repo.git("config", "user.email", "me@shop.example")
    code, out, _ = cli(capsys, "-C", str(repo.path), "init", "--format", "json")
    assert code == 0
    written = json.loads(out)
    assert written["repository"] == "shop/monorepo" and written["signer_key"] is True
    config = load_config(repo.path)
    assert config.repository == "shop/monorepo"
    signers = (repo.path / ".caution" / "allowed_signers").read_text()
    public = key.with_suffix(".pub").read_text().split()[1]
    assert f'me@shop.example namespaces="caution-approval" ssh-ed25519 {public}' in signers


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_yaml_text_loads_or_fails_with_a_located_error(text: str) -> None:
    try:
        config_from_doc(parse_yaml(text, ".caution.yml"), None)
    except SourceError as exc:
        assert str(exc).startswith(".caution.yml")


_YAML_PIECES = st.sampled_from(
    [
        "version: 1\n",
        "policy:\n",
        "  approval:\n",
        "    - name: r\n",
        "      if:\n",
        "        provenance: {level_in: [assisted]}\n",
        "        changed_files: {paths: ['**']}\n",
        "      requires: {count: 1}\n",
        "    - or:\n",
        "        - {name: x}\n",
        "  block:\n",
        "roster:\n",
        "  people:\n",
        "    a: {emails: [a@x]}\n",
        "      options: {allow_author: 1}\n",
        "        modified_lines: {total: '> x'}\n",
        "- 1\n",
        "  : :\n",
        "\t\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_YAML_PIECES, max_size=12))
def test_structured_configs_load_or_fail_with_a_located_error(pieces: list[str]) -> None:
    try:
        config_from_doc(parse_yaml("".join(pieces), ".caution.yml"), None)
    except SourceError as exc:
        assert str(exc).startswith(".caution.yml")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_glob_compiles_or_fails_cleanly(pattern: str) -> None:
    try:
        glob = compile_glob(pattern)
    except GlobError:
        return
    glob.matches("services/checkout/cart.py")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_note_text_parses_without_error(text: str) -> None:
    entries, unreadable = parse_note(text)
    assert unreadable >= 0
    for entry in entries:
        with contextlib.suppress(StatementError):
            parse_statement(entry.statement_text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_statement_text_parses_or_is_refused(text: str) -> None:
    try:
        statement = parse_statement(text)
    except StatementError:
        return
    assert statement.text() == text


def test_globs_see_newlines_and_leading_slashes() -> None:
    assert compile_glob(".github/workflows/**").matches(".github/workflows/a\nb.yml")
    assert compile_glob("services/*/x.py").matches("services/a\nb/x.py")
    assert compile_glob("/Jenkinsfile").matches("Jenkinsfile")
    assert not compile_glob("/Jenkinsfile").matches("sub/Jenkinsfile")
    assert compile_glob("Jenkinsfile").matches("sub/Jenkinsfile")


def test_init_quotes_what_authors_wrote(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("x", {"a": "1\n"}, author=("Mal\nlory", "m@x.example], roles: [senior]} #"))
    code, _, _ = cli(capsys, "-C", str(repo.path), "init")
    assert code == 0
    text = (repo.path / ".caution.yml").read_text()
    config = config_from_doc(parse_yaml(text, ".caution.yml"), None)
    (person,) = config.roster.people
    assert person.roles == () and person.emails == ("m@x.example], roles: [senior]} #",)


def test_markdown_and_text_do_not_pass_markup_or_control_codes_through() -> None:
    from caution.report.safe import markdown, plain

    assert plain("ok\x1b]0;pwned\x07\x1b[31mred") == "ok]0;pwned[31mred"
    rendered = markdown("[evil](https://x.example) <img src=x> | a")
    assert "<img" not in rendered and "](" not in rendered and "\\|" in rendered
