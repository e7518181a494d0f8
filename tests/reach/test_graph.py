"""Catalog parsing, file claims, tiers and the reverse closure, on literal catalogs."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.reach.catalog import Catalog, parse_ref
from caution.reach.graph import DEFAULT_TIERS, claims, dependents, owners_of_files, tier_of

SHOP = """
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop, annotations: {caution.dev/tier: "0"}}
spec: {owner: team-core}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production, owner: checkout-team, system: shop,
       providesApis: [checkout-api], dependsOn: [component:shared-lib]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: checkout-api}
spec: {type: openapi, lifecycle: production, owner: checkout-team, definition: x}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: storefront, annotations: {caution.dev/tier: "1"}}
spec: {type: website, lifecycle: production, owner: web-team, consumesApis: [checkout-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: mobile}
spec: {type: app, lifecycle: experimental, owner: web-team, dependsOn: [component:storefront]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: shared-lib
  annotations: {caution.dev/paths: "libs/shared/**, tools/codegen/**"}
spec: {type: library, lifecycle: production, owner: team-core}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations: {backstage.io/source-location: "url:./payments-src/"}
spec: {type: service, lifecycle: production, owner: pay-team,
       dependencyOf: [component:checkout], subcomponentOf: shop-core}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: shop-core}
spec: {type: service, lifecycle: production, owner: team-core, dependsOn: [component:payments]}
"""


def shop() -> Catalog:
    catalog = Catalog()
    catalog.add_documents("services/checkout/catalog-info.yaml", yaml.safe_load_all(SHOP))
    catalog.check_refs()
    return catalog


def test_refs_take_backstage_defaults() -> None:
    assert parse_ref("checkout-team", "group", "default") == "group:default/checkout-team"
    assert parse_ref("Component:Other/Thing", None, "default") == "component:other/thing"
    assert parse_ref("shared-lib", None, "default") is None  # dependsOn needs a kind
    assert parse_ref("ns/name", "api", "x") == "api:ns/name"


def test_relations_and_tiers() -> None:
    catalog = shop()
    checkout = catalog.get("component:default/checkout")
    assert checkout is not None
    assert checkout.owner == "group:default/checkout-team"
    assert checkout.system == "system:default/shop"
    assert tier_of(checkout, catalog, DEFAULT_TIERS) == 0  # inherited from the system
    storefront = catalog.get("component:default/storefront")
    assert storefront is not None and tier_of(storefront, catalog, DEFAULT_TIERS) == 1
    mobile = catalog.get("component:default/mobile")
    assert mobile is not None and tier_of(mobile, catalog, DEFAULT_TIERS) == 3  # experimental


def test_longest_claim_wins() -> None:
    catalog = shop()
    found = owners_of_files(
        [
            "services/checkout/cart.py",
            "libs/shared/money.py",
            "services/checkout/payments-src/api.py",
            "README.md",
        ],
        claims(catalog),
    )
    assert found["component:default/shared-lib"] == ["libs/shared/money.py"]
    assert found["component:default/payments"] == ["services/checkout/payments-src/api.py"]
    # every component in the catalog file's folder claims it; the deeper source-location wins
    assert "services/checkout/cart.py" in found["component:default/checkout"]
    assert "README.md" not in {f for files in found.values() for f in files}


def test_dependents_by_distance_with_their_paths() -> None:
    catalog = shop()
    reached = {
        d.ref: d for d in dependents(["component:default/shared-lib"], catalog, DEFAULT_TIERS)
    }
    assert reached["component:default/checkout"].distance == 1
    assert reached["api:default/checkout-api"].distance == 2
    storefront = reached["component:default/storefront"]
    assert storefront.distance == 3
    assert storefront.via == (
        "component:default/shared-lib",
        "component:default/checkout",
        "api:default/checkout-api",
    )
    assert reached["component:default/mobile"].distance == 4


def test_dependency_of_and_subcomponent_of_reach_the_whole() -> None:
    catalog = shop()
    reached = {d.ref for d in dependents(["component:default/payments"], catalog, DEFAULT_TIERS)}
    assert {"component:default/checkout", "component:default/shop-core"} <= reached


def test_cycles_terminate() -> None:
    catalog = Catalog()
    docs = [
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": name},
            "spec": {"owner": "t", "dependsOn": [f"component:{other}"]},
        }
        for name, other in (("a", "b"), ("b", "c"), ("c", "a"))
    ]
    catalog.add_documents("c.yaml", docs)
    reached = dependents(["component:default/a"], catalog, DEFAULT_TIERS)
    assert sorted(d.ref for d in reached) == ["component:default/b", "component:default/c"]


def test_bad_catalogs_warn_with_file_and_entity() -> None:
    catalog = Catalog()
    text = """
apiVersion: backstage.io/v1alpha1
kind: Gadget
metadata: {name: thing}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: no-owner}
spec: {type: service, dependsOn: [nameless-kind], consumesApis: [missing-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: no-owner}
spec: {owner: x}
---
just a string
---
apiVersion: other/v1
kind: Component
"""
    catalog.add_documents("bad/catalog-info.yaml", yaml.safe_load_all(text))
    catalog.check_refs()
    messages = [str(w) for w in catalog.warnings]
    expected = [
        "bad/catalog-info.yaml: component:default/thing: unknown kind 'Gadget'",
        "bad/catalog-info.yaml: component:default/no-owner: spec.owner is missing",
        "bad/catalog-info.yaml: component:default/no-owner: bad ref 'nameless-kind' in spec.",
        "bad/catalog-info.yaml: component:default/no-owner: duplicate entity",
        "bad/catalog-info.yaml: document 4: not a mapping",
        "bad/catalog-info.yaml: document 5: apiVersion 'other/v1'",
        "bad/catalog-info.yaml: component:default/no-owner: consumesApi api:default/missing-api",
    ]
    for prefix in expected:
        assert any(
            m.startswith(prefix.replace("component:default/thing", "gadget:default/thing"))
            for m in messages
        ), (prefix, messages)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "apiVersion",
                    "kind",
                    "metadata",
                    "name",
                    "namespace",
                    "spec",
                    "owner",
                    "dependsOn",
                    "providesApis",
                    "consumesApis",
                    "annotations",
                    "system",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(json_values, max_size=4))
def test_any_documents_load_without_error(documents: list[object]) -> None:
    catalog = Catalog()
    wrapped = [
        {"apiVersion": "backstage.io/v1alpha1", "kind": "Component", **d}
        if isinstance(d, dict)
        else d
        for d in documents
    ]
    catalog.add_documents("x.yaml", wrapped)
    catalog.check_refs()
    claims(catalog)
    dependents(list(catalog.entities), catalog, DEFAULT_TIERS)
