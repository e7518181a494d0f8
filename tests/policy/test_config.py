"""Malformed configurations fail closed: exit 2 and `file:line: problem`."""

from __future__ import annotations

import pytest

from caution.cli import main
from caution.policy.config import load_config
from tests.conftest import Repo

GOOD = """version: 1
roster:
  allowed_signers: .caution/allowed_signers
  people:
    alice: {emails: [alice@shop.example], roles: [senior]}
policy:
  approval:
    - name: ai
      if:
        provenance: {level_in: [assisted]}
      requires: {count: 1, roles: [senior]}
    - name: rest
"""


@pytest.fixture
def configured(repo: Repo) -> Repo:
    repo.write(".caution/allowed_signers", "")
    repo.commit("base", {"a.txt": "1\n"})
    return repo


def check_error(repo: Repo, text: str, capsys: pytest.CaptureFixture[str]) -> str:
    repo.commit("policy", {".caution.yml": text})  # the policy is read as committed
    repo.git("checkout", "-q", "-b", "change")
    repo.commit("a change", {"b.txt": "2\n"})
    with pytest.raises(SystemExit) as exit_info:
        main(["-C", str(repo.path), "check", "main..change"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    return err.strip()


def test_good_config_loads(configured: Repo) -> None:
    configured.commit("policy", {".caution.yml": GOOD})
    config = load_config(configured.path, rev="HEAD")
    assert not config.is_default
    assert [p.id for p in config.roster.people] == ["alice"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("    - name: rest\n", "    - name: rest\n      colour: blue\n"),
            "caution: .caution.yml:13: unknown key 'colour' in a rule",
        ),
        (
            GOOD.replace("count: 1,", "count: many,"),
            "caution: .caution.yml:11: policy.approval.requires.count: Input should be",
        ),
        (
            GOOD.replace(
                "provenance: {level_in: [assisted]}", 'changed_files: {paths: ["src/**b"]}'
            ),
            "caution: .caution.yml:10: policy.approval.if.changed_files.paths",
        ),
        (
            GOOD.replace("    - name: rest\n", "    - name: rest\n   bad: [\n"),
            "caution: .caution.yml:13: YAML syntax error",
        ),
        (
            GOOD.replace("provenance: {level_in: [assisted]}", "provenance: {level_in: [ai]}"),
            "caution: .caution.yml:10: policy.approval.if.provenance.level_in: unknown level 'ai'",
        ),
        (
            GOOD.replace("provenance:", "provenence:"),
            "caution: .caution.yml:10: unknown predicate 'provenence'",
        ),
        (GOOD.replace("version: 1", "version: 2"), "caution: .caution.yml:1: version must be 1"),
        (GOOD + "extra: 1\n", "caution: .caution.yml:13: unknown key 'extra'"),
        (
            GOOD.replace(
                "allowed_signers: .caution/allowed_signers", "allowed_signers: .caution/missing"
            ),
            "caution: .caution.yml:3: allowed_signers file .caution/missing not found",
        ),
        (
            GOOD.replace("    - name: rest\n", "    - name: ai\n"),
            "caution: .caution.yml:12: rule name 'ai' is used twice",
        ),
        (
            GOOD.replace("roles: [senior]}\n", "roles: [senior]}\n    bob: {roles: [x]}\n", 1),
            "caution: .caution.yml:6: roster.people.bob.emails: missing 'emails'",
        ),
        ("", "caution: .caution.yml: the file is empty"),
        ("- just\n- a list\n", "caution: .caution.yml:1: the configuration must be a mapping"),
    ],
    ids=[
        "unknown key",
        "wrong type",
        "bad glob",
        "yaml syntax",
        "bad level",
        "unknown predicate",
        "version",
        "unknown top-level key",
        "missing signers file",
        "duplicate rule",
        "missing field",
        "empty",
        "not a mapping",
    ],
)
def test_malformed_config(
    configured: Repo, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    assert check_error(configured, text, capsys).startswith(expected)


def test_not_utf8(configured: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    configured.commit("policy", {".caution.yml": b"version: 1\n# caf\xe9\n"})
    configured.git("checkout", "-q", "-b", "change")
    configured.commit("a change", {"b.txt": "2\n"})
    with pytest.raises(SystemExit) as exit_info:
        main(["-C", str(configured.path), "check", "main..change"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("caution: .caution.yml:2: not UTF-8 text (as committed at ")


def test_explicit_missing_config(configured: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    configured.git("checkout", "-q", "-b", "change")
    configured.commit("a change", {"b.txt": "2\n"})
    with pytest.raises(SystemExit) as exit_info:
        main(["-C", str(configured.path), "check", "main..change", "--config", "nope.yml"])
    assert exit_info.value.code == 2
    assert "nope.yml: cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\na: &x [*x]\n", "anchors and aliases"),
        (
            "version: 1\nl0: &a [1,2,3,4,5,6,7,8,9,10]\nl1: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n",
            "anchors and aliases",
        ),
        ("version: !!int x\n", ".caution.yml:1: bad value"),
        ("version: 1\nwhen: !!timestamp x\n", ".caution.yml:2: bad value"),
        ("version: true\n", "version must be 1"),
        (
            "version: 1\npolicy:\n  approval:\n    - {name: r, requires: []}\n",
            "requires must be a mapping",
        ),
        ("version: 1\nroster: {allowed_signers: /etc/passwd}\n", "is absolute"),
        ("version: 1\nroster: {allowed_signers: ../../etc/passwd}\n", "is not a file inside"),
        (
            "version: 1\npolicy:\n  approval:\n    - {and: [], or: []}\n",
            "a group holds only 'and', not 'or'",
        ),
        (
            "version: 1\npolicy:\n  block:\n    - {name: b, if: {}}\n",
            "needs an 'if'",
        ),
    ],
    ids=[
        "recursive alias",
        "alias bomb",
        "bad int tag",
        "bad timestamp tag",
        "bool version",
        "requires list",
        "absolute signers",
        "escaping signers",
        "and with or",
        "empty block condition",
    ],
)
def test_hostile_configs_fail_closed(
    configured: Repo, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    assert expected in check_error(configured, text, capsys)


def test_check_refuses_a_guard_section_the_guard_would_refuse(
    configured: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The guard fails closed on a bad `guard:` section; the gate must not pass it either."""
    err = check_error(configured, GOOD + "guard: {mode: sometimes}\n", capsys)
    assert err.startswith("caution: .caution.yml:13: guard.mode:")


def _rule_if(condition: str) -> str:
    return f"version: 1\npolicy:\n  approval:\n    - name: r\n      if: {condition}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_rule_if("{risk: {percentile: '> -5'}}"), ":5: policy.approval.if.risk.percentile:"),
        (_rule_if("{risk: {percentile: '>= 101'}}"), "out of range (this is from 0 to 100)"),
        (_rule_if("{risk: {probability: '> 1.5'}}"), "out of range (this is from 0 to 1)"),
        (_rule_if("{risk: {probability: .nan}}"), "is not a finite number"),
        (_rule_if("{provenance: {ai_fraction: '> 2'}}"), "out of range (this is from 0 to 1)"),
        (_rule_if("{reach: {dependents: '> -1'}}"), "a count, not negative"),
        (_rule_if("{modified_lines: {total: .inf}}"), "is not a finite number"),
        (_rule_if("{modified_lines: {total: '> 1" + "0" * 400 + "'}}"), "not a finite number"),
        (GOOD.replace("count: 1,", "count: -1,"), ":11: policy.approval.requires.count:"),
        (GOOD.replace("count: 1,", "count: 99999999,"), "less than or equal to 1000"),
        (GOOD + "reach: {default_tier: -1}\n", "reach.default_tier: Input should be greater"),
        (GOOD + "reach:\n  lifecycle_tiers: {prod: 1000}\n", ":14: reach.lifecycle_tiers.prod:"),
        (GOOD + "risk: {maturity_days: .inf}\n", "risk.maturity_days: Input should be a finite"),
        (GOOD + "risk: {maturity_days: 1e9}\n", "less than or equal to 36500"),
        (GOOD + "deploy:\n  budget: {slos: s.yml, window_days: .nan}\n", "window_days"),
        (GOOD + "x: " + "[" * 5000 + "]" * 5000 + "\n", ".caution.yml:13: nested deeper than 50"),
        (GOOD + "version: 1\n", ".caution.yml:13: duplicate key 'version'"),
        (GOOD + "n: " + "9" * 5000 + "\n", ".caution.yml:13: an integer longer than 100"),
    ],
)
def test_absurd_numbers_and_malformed_yaml_fail_closed_at_their_line(
    configured: Repo, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    """A negative percentile always held, an infinite maturity labelled nothing, 5,000
    nested brackets were a RecursionError traceback: each is one line, exit 2."""
    assert expected in check_error(configured, text, capsys)
