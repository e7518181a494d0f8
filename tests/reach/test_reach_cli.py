"""`caution reach` on the demo shop: JSON, text, dot, and the HTML page in headless Chromium."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from caution.demo import build_shop
from caution.demo.shop import Shop
from tests.browser import CHROMIUM, chromium_page
from tests.conftest import Repo, cli


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return build_shop(tmp_path_factory.mktemp("reach") / "demo")


def test_reach_json(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys, "-C", str(shop.repo), "reach", "main..feature/coupons", "-f", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["components"] == [
        {
            "ref": "component:default/checkout",
            "tier": 0,
            "owner": "group:default/checkout-team",
            "files": ["services/checkout/cart.py", "services/checkout/coupons.py"],
        }
    ]
    assert [(d["ref"], d["tier"], d["distance"], d["via"]) for d in data["dependents"]] == [
        ("api:default/checkout-api", 1, 1, ["component:default/checkout"]),
        (
            "component:default/storefront",
            1,
            2,
            ["component:default/checkout", "api:default/checkout-api"],
        ),
    ]
    assert data["max_tier"] == 0
    assert data["owners"] == ["group:default/checkout-team", "@shop/checkout"]
    assert data["code"] == {
        "changed_modules": ["checkout.cart", "checkout.coupons"],
        "importers": ["storefront.views"],
    }
    assert data["iac"] is None
    assert data["warnings"] == []


def test_shared_library_reaches_everything_that_depends_on_it(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    from caution.reach import ReachSettings, reach_of_files

    found = reach_of_files(shop.repo, ["libs/shared/money.py"], ReachSettings())
    reached = {d.ref: d.distance for d in found.dependents}
    assert reached["component:default/checkout"] == 1
    assert reached["component:default/payments"] == 1
    assert reached["component:default/storefront"] == 3
    assert set(found.code.importers) == {"checkout.cart", "payments.capture", "storefront.views"}
    assert found.owners == ("group:default/shop-platform", "@shop/platform")


def test_reach_with_a_terraform_plan(
    shop: Shop, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "format_version": "1.2",
                "resource_changes": [
                    {
                        "address": "aws_db_instance.orders",
                        "type": "aws_db_instance",
                        "change": {"actions": ["delete", "create"]},
                    }
                ],
            }
        )
    )
    code, out, _ = cli(
        capsys,
        "-C",
        str(shop.repo),
        "reach",
        "main..feature/coupons",
        "--plan",
        str(plan),
        "-f",
        "json",
    )
    assert code == 0
    assert json.loads(out)["iac"] == {
        "create": 0,
        "update": 0,
        "delete": 0,
        "replace": 1,
        "stateful_deletes": ["aws_db_instance.orders"],
    }
    plan.write_text("{not json")
    code, _, err = cli(capsys, "-C", str(shop.repo), "reach", "--plan", str(plan))
    assert code == 2 and "not JSON" in err


def test_reach_dot(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "-C", str(shop.repo), "reach", "main..feature/coupons", "-f", "dot")
    assert code == 0
    assert out.startswith("digraph reach {")
    assert '"component:default/checkout" -> "api:default/checkout-api";' in out


def test_check_shows_reach_and_reach_predicates(
    shop: Shop, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = cli(capsys, "-C", str(shop.repo), "check", "main..feature/coupons", "-f", "json")
    assert json.loads(out)["change"]["reach"]["max_tier"] == 0
    policy = tmp_path / "policy.yml"
    policy.write_text("""version: 1
policy:
  approval:
    - name: tier-0-needs-two
      if: {reach: {max_tier: "<= 0", components_in: [checkout], dependents: ">= 2",
                   owners_in: ["@shop/checkout"]}}
      requires: {count: 2}
    - name: stateful
      if: {reach: {stateful_deletes: "> 0"}}
      requires: {count: 5}
    - name: stateful-when-planned
      if: {reach: {stateful_deletes: "> 0"}}
      on_unknown: skip
      requires: {count: 5}
    - name: rest
""")
    code, out, _ = cli(
        capsys,
        "-C",
        str(shop.repo),
        "check",
        "main..feature/coupons",
        "--config",
        str(policy),
        "-f",
        "json",
    )
    assert code == 1
    rules = {r["name"]: r for r in json.loads(out)["rules"]}
    assert rules["tier-0-needs-two"]["status"] == "pending"
    assert "reaches tier 0" in rules["tier-0-needs-two"]["reason"]
    # without a plan the deletes are unknown: the rule applies, unless it opts out
    assert rules["stateful"]["status"] == "pending"
    assert "no Terraform plan" in rules["stateful"]["unknown"]
    assert rules["stateful-when-planned"]["status"] == "skipped"
    assert "no Terraform plan" in rules["stateful-when-planned"]["unknown"]
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "format_version": "1.2",
                "resource_changes": [
                    {
                        "address": "aws_db_instance.orders",
                        "type": "aws_db_instance",
                        "change": {"actions": ["delete"]},
                    }
                ],
            }
        )
    )
    code, out, _ = cli(
        capsys,
        "-C",
        str(shop.repo),
        "check",
        "main..feature/coupons",
        "--config",
        str(policy),
        "--plan",
        str(plan),
        "-f",
        "json",
    )
    rules = {r["name"]: r for r in json.loads(out)["rules"]}
    assert rules["stateful"]["status"] == "pending"  # with the plan, the rule holds
    assert rules["stateful"]["unknown"] is None
    assert rules["stateful-when-planned"]["status"] == "pending"


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed (CI installs it)",
)
def test_reach_html_in_headless_chromium(
    shop: Shop, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = cli(capsys, "-C", str(shop.repo), "reach", "main..feature/coupons", "-f", "html")
    assert code == 0
    page_file = tmp_path / "reach.html"
    page_file.write_text(out, encoding="utf-8")
    with chromium_page() as page:
        page.goto(page_file.as_uri())
        assert page.locator("g.node").count() == 3
        assert (
            page.locator("g.node.touched").get_attribute("data-ref") == "component:default/checkout"
        )
        assert page.locator("line.edge").count() == 2
        assert "most critical tier 0" in page.locator("#summary").inner_text()
        box = page.locator("svg").bounding_box()
        assert box is not None and box["width"] > 500
        shot = tmp_path / "reach.png"
        page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000


def test_broken_catalog_files_warn_and_reach_goes_on(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit(
        "base",
        {
            "svc/catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
            "metadata: {name: svc}\nspec: {owner: team, lifecycle: experimental}\n",
            "broken/catalog-info.yaml": "kind: [unclosed\n",
            ".caution.yml": (
                "version: 1\nreach: {lifecycle_tiers: {experimental: 2}, default_tier: 4}\n"
            ),
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("change", {"svc/a.py": "x = 1\n"})
    code, out, err = cli(capsys, "-C", str(repo.path), "reach", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["components"][0]["tier"] == 2  # reach.lifecycle_tiers from .caution.yml
    assert any(
        w.startswith("broken/catalog-info.yaml: line ") and "YAML syntax error" in w
        for w in data["warnings"]
    )
    assert any("svc: ownedBy group:default/team: no such entity" in w for w in data["warnings"])


CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: pay
  annotations: {{caution.dev/tier: "{tier}"}}
spec: {{type: service, lifecycle: production, owner: pay-team}}
"""


def test_a_change_cannot_lower_its_own_tier(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo.commit(
        "start",
        {
            "services/pay/catalog-info.yaml": CATALOG.format(tier=0),
            "services/pay/app.py": "x = 1\n",
            ".github/CODEOWNERS": "/services/pay/ @pay-team\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(
        "relabel and change",
        {
            "services/pay/catalog-info.yaml": CATALOG.format(tier=3),
            "services/pay/app.py": "x = 2\n",
            ".github/CODEOWNERS": "/services/pay/ @someone-else\n",
        },
    )
    policy = tmp_path / "policy.yml"
    policy.write_text(
        "version: 1\npolicy:\n  approval:\n    - name: tier-0\n"
        '      if: {reach: {max_tier: "<= 0"}}\n      requires: {count: 1}\n'
    )
    code, out, _ = cli(
        capsys,
        "-C",
        str(repo.path),
        "check",
        "main..feature",
        "--config",
        str(policy),
        "-f",
        "json",
    )
    data = json.loads(out)
    assert data["change"]["reach"]["max_tier"] == 0  # main's catalog, not the branch's
    assert "@pay-team" in data["change"]["reach"]["owners"]
    assert {r["name"]: r["status"] for r in data["rules"]}["tier-0"] == "pending"
    assert code == 1


def test_check_builds_the_import_graph_of_the_changes_head_not_the_work_tree(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The gate decides on what was committed: an importer that exists only in the work
    tree does not count; one deleted there but committed does."""
    repo.commit(
        "base",
        {
            ".caution.yml": "version: 1\npolicy:\n  approval:\n    - name: any\n",
            "app/__init__.py": "",
            "app/core.py": "X = 1\n",
            "app/api.py": "from app import core\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("change core", {"app/core.py": "X = 2\n", "app/jobs.py": "import app.core\n"})
    repo.write("app/cli.py", "from app.core import X\n")  # not committed
    (repo.path / "app" / "api.py").unlink()  # deleted, not committed

    def code() -> dict[str, list[str]]:
        found, out, err = cli(capsys, "-C", str(repo.path), "check", "main..feature", "-f", "json")
        assert found == 0, err
        return dict(json.loads(out)["change"]["reach"]["code"])

    expected = {"changed_modules": ["app.core", "app.jobs"], "importers": ["app.api"]}
    assert code() == expected
    assert code() == expected  # again, from the cache of that tree
    _, out, _ = cli(capsys, "-C", str(repo.path), "reach", "main..feature", "-f", "json")
    assert json.loads(out)["code"]["importers"] == ["app.cli"]  # `reach` reads the work tree
