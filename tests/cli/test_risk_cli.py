"""`caution risk train` and `caution risk score` on a real repository, and risk in
`caution check`."""

from __future__ import annotations

import json

import pytest

from caution.cache import write_cache
from caution.risk.features import FEATURES
from tests.conftest import Repo, cli


@pytest.fixture
def history(repo: Repo) -> Repo:
    """Twelve changes on main, one of them a bug that a later fix blames, then a branch."""
    repo.commit("start", {"core/app.py": "".join(f"x{i} = {i}\n" for i in range(20))})
    repo.commit("add totals", {"core/total.py": "def total(a):\n    return sum(a) + 1\n"})
    for i in range(8):
        repo.commit(f"docs {i}", {f"docs/page{i}.md": f"page {i}\n"})
    repo.commit("fix total off by one", {"core/total.py": "def total(a):\n    return sum(a)\n"})
    repo.commit("more docs", {"docs/more.md": "more\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("big change", {"core/new.py": "".join(f"y{i} = {i}\n" for i in range(400))})
    return repo


PENDING_RISK = """version: 1
policy:
  approval:
    - name: risky-needs-review
      if: {risk: {percentile: ">= 0"}}
      requires: {count: 1}
"""


def test_train_then_score_json(history: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    where = str(history.path)
    code, _, err = cli(capsys, "-C", where, "risk", "score", "main..feature")
    assert code == 2 and "caution risk train" in err
    code, out, _ = cli(capsys, "-C", where, "risk", "train", "--maturity-days", "0")
    assert code == 0
    assert "trained on 13 labelled changes, 1 defect-introducing" in out
    assert "lines-added" in out  # too little history: the documented fallback
    assert not [line for line in history.git("status", "--porcelain").splitlines() if line]
    code, out, _ = cli(capsys, "-C", where, "risk", "score", "main..feature", "-f", "json")
    assert code == 0
    data = json.loads(out)
    (only,) = data["commits"]
    assert only["sha"] == history.git("rev-parse", "feature")
    assert set(only["features"]) == set(FEATURES)
    assert only["features"]["la"] == 400 and only["features"]["nf"] == 1
    assert 0 <= only["probability"] <= 1
    # 400 lines added, the most of the 13 changes it learnt from (itself among them: mid-rank)
    assert only["percentile"] == round(100 * 12.5 / 13)
    assert data["max_probability"] == only["probability"]
    assert only["top_factors"], "a score without reasons"
    assert only["top_factors"][0]["feature"] == "la"  # the fallback ranks by lines added
    for factor in only["top_factors"]:
        assert set(factor) == {"feature", "value", "effect"} and factor["effect"] in ("+", "-")
    code, out, _ = cli(capsys, "-C", where, "risk", "score", "main..feature")
    assert code == 0 and only["sha"][:10] in out


def test_check_shows_risk_and_the_predicate_uses_it(
    history: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    where = str(history.path)
    config = history.path.parent / "policy.yml"
    config.write_text(PENDING_RISK)
    args = ("-C", where, "check", "main..feature", "--config", str(config))
    _, out, _ = cli(capsys, *args, "-f", "json")
    data = json.loads(out)
    assert data["change"]["risk"] is None
    (rule,) = [r for r in data["rules"] if r["name"] == "risky-needs-review"]
    # unknown is not safe: before training the rule applies, and says why
    assert rule["status"] == "pending" and "risk is unknown" in rule["unknown"]
    cli(capsys, "-C", where, "risk", "train", "--maturity-days", "0")
    _, out, _ = cli(capsys, *args, "-f", "json")
    data = json.loads(out)
    assert data["change"]["risk"]["commits"][0]["features"]["la"] == 400
    (rule,) = [r for r in data["rules"] if r["name"] == "risky-needs-review"]
    assert rule["status"] == "pending" and "risk percentile" in rule["reason"]
    _, out, _ = cli(capsys, *args)
    assert "risk: max probability" in out


def test_train_refuses_when_nothing_is_labelled(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("a.py", "a = 1\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "today")  # dated now: too young to label
    code, _, err = cli(capsys, "-C", str(repo.path), "risk", "train")
    assert code == 2 and "younger than 90 days" in err and len(err.strip().splitlines()) == 1


def test_a_corrupt_training_set_is_one_line(
    history: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    write_cache(history.path, "risk-training.json", b"{oops")  # signed, yet broken
    code, _, err = cli(capsys, "-C", str(history.path), "risk", "score")
    assert code == 2 and "risk-training.json" in err and "Traceback" not in err


def test_a_training_set_in_the_change_is_never_read(
    history: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change that commits `.caution/cache/risk-training.json` cannot set its own risk."""
    cli(capsys, "-C", str(history.path), "risk", "train", "--maturity-days", "0")
    history.git("checkout", "-q", "feature")
    planted = {"version": 1, "head": "x", "features": [], "rows": [], "labels": [], "times": []}
    history.commit("plant", {".caution/cache/risk-training.json": json.dumps(planted)})
    code, out, _ = cli(
        capsys, "-C", str(history.path), "risk", "score", "main..feature", "-f", "json"
    )
    assert code == 0 and json.loads(out)["commits"]


def test_risk_settings_come_from_the_policy_file(
    history: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    where = str(history.path)
    history.write(".caution.yml", 'version: 1\nrisk: {fix_pattern: "(?i)oops", maturity_days: 0}\n')
    code, out, _ = cli(capsys, "-C", where, "risk", "train")
    assert code == 0 and ", 0 defect-introducing" in out  # "fix total…" is no fix here
    history.write(".caution.yml", 'version: 1\nrisk:\n  fix_pattern: "(unclosed"\n')
    code, _, err = cli(capsys, "-C", where, "risk", "train")
    assert code == 2 and ".caution.yml:3" in err and "regular expression" in err
    history.write(".caution.yml", "version: 1\nrisk: {maturity_days: -1}\n")
    code, _, err = cli(capsys, "-C", where, "risk", "score")
    assert code == 2 and ".caution.yml:2" in err


def test_scores_say_when_the_fix_pattern_changed_since_training(
    history: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    where = str(history.path)
    history.write(".caution.yml", 'version: 1\nrisk: {fix_pattern: "(?i)oops", maturity_days: 0}\n')
    assert cli(capsys, "-C", where, "risk", "train")[0] == 0
    code, out, _ = cli(capsys, "-C", where, "risk", "score", "HEAD~2..HEAD", "-f", "json")
    assert code == 0 and "another risk.fix_pattern" not in out
    history.write(".caution.yml", 'version: 1\nrisk: {fix_pattern: "(?i)fix", maturity_days: 0}\n')
    code, out, _ = cli(capsys, "-C", where, "risk", "score", "HEAD~2..HEAD", "-f", "json")
    assert code == 0 and "trained with another risk.fix_pattern" in json.loads(out)["note"]
