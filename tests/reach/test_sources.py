"""Reach sources against outside test data: Backstage's own example catalog
(backstage/backstage packages/catalog-model/examples, Apache-2.0) and the
CODEOWNERS pattern vectors of hmarr/codeowners (testdata/patterns.json, MIT).
See tests/data/SOURCES.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.reach.backstage import load_catalog
from caution.reach.codeowners import parse_codeowners, pattern_regex
from caution.reach.graph import DEFAULT_TIERS, dependents, tier_of

DATA = Path(__file__).parent.parent / "data"
EXAMPLES = DATA / "backstage-examples"
VECTORS = json.loads((DATA / "codeowners" / "patterns.json").read_text())


@pytest.mark.parametrize("case", VECTORS, ids=[c["name"] for c in VECTORS])
def test_codeowners_pattern_vectors(case: dict[str, object]) -> None:
    regex = pattern_regex(str(case["pattern"]))
    for path, expected in case["paths"].items():  # type: ignore[attr-defined]
        assert (regex.fullmatch(path) is not None) is expected, (case["pattern"], path)


def test_codeowners_last_match_wins_and_ownerless_lines() -> None:
    owners = parse_codeowners(
        "# comment\n* @org/all\n/docs/ @org/docs docs@example.com\n/docs/generated/\n"
        "*.go @org/go # trailing comment\n!negated @x\n[ab].py @y\n",
        ".github/CODEOWNERS",
    )
    assert owners.owners_of("src/main.py") == ("@org/all",)
    assert owners.owners_of("docs/guide.md") == ("@org/docs", "docs@example.com")
    assert owners.owners_of("docs/generated/api.md") == ()  # a later line with no owners
    assert owners.owners_of("cmd/main.go") == ("@org/go",)
    assert [w.split(": ", 2)[-1] for w in owners.warnings] == [
        "negation (!) is not supported in CODEOWNERS",
        "character ranges [ ] are not supported in CODEOWNERS",
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_codeowners_text_parses(text: str) -> None:
    owners = parse_codeowners(text, "CODEOWNERS")
    owners.owners_of("a/b/c.py")


def test_backstage_example_catalog() -> None:
    # as Backstage's own app-config reads them: through the Location entities
    catalog = load_catalog(EXAMPLES, ["all.yaml", "acme-corp.yaml"])
    storage = catalog.get("component:default/wayback-archive-storage")
    assert storage is not None
    assert storage.owner == "group:default/team-a"
    artist = catalog.get("component:default/artist-lookup")
    assert artist is not None and artist.system == "system:default/artist-engagement-portal"
    assert tier_of(artist, catalog, DEFAULT_TIERS) == 3  # experimental
    www = catalog.get("component:default/www-artist")
    assert www is not None and tier_of(www, catalog, DEFAULT_TIERS) == 1  # production
    assert catalog.get("group:default/team-a") is not None
    assert catalog.get("user:default/breanna.davison") is not None

    reached = {d.ref: d for d in dependents([storage.ref], catalog, DEFAULT_TIERS)}
    assert reached["component:default/wayback-archive"].distance == 1
    assert reached["api:default/wayback-archive"].distance == 2
    search = reached["component:default/wayback-search"]
    assert search.distance == 3
    assert search.via == (
        "component:default/wayback-archive-storage",
        "component:default/wayback-archive",
        "api:default/wayback-archive",
    )


def test_every_example_file_at_once_warns_and_goes_on() -> None:
    files = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.yaml"))
    catalog = load_catalog(EXAMPLES, files)
    assert len(catalog.entities) > 50
    # the set holds old copies of files that moved: duplicates warn, naming file and entity
    duplicates = [w for w in catalog.warnings if "duplicate entity" in w.problem]
    assert duplicates and all(w.file and w.entity for w in duplicates)


def test_hostile_catalogs_are_skipped_with_a_warning(tmp_path: Path) -> None:
    from caution.reach.backstage import MAX_CATALOG_BYTES, load_catalog

    root = tmp_path / "repo"
    root.mkdir()
    (root / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l}\n"
        "spec: {targets: [/etc/passwd, ../outside.yaml, bomb.yaml, big.yaml, link.yaml]}\n"
    )
    (root / "bomb.yaml").write_text(
        "kind: Component\nmetadata: {name: b, annotations: &a {x: y}}\nspec: {o: *a}\n"
    )
    (root / "big.yaml").write_text("#" * (MAX_CATALOG_BYTES + 1))
    (root / "link.yaml").symlink_to("/dev/zero")
    catalog = load_catalog(root, ["catalog-info.yaml"])
    text = "\n".join(str(w) for w in catalog.warnings)
    assert "/etc/passwd is outside the repository" in text
    assert "../outside.yaml is outside the repository" in text
    assert "anchors and aliases" in text
    assert "larger than" in text
    assert "a link or a path outside" in text
    assert not catalog.entities or all(e.name != "b" for e in catalog.entities.values())
