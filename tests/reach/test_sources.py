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
    assert "'/etc/passwd' is absolute" in text
    assert "'../outside.yaml' leaves the repository" in text
    assert "anchors and aliases" in text
    assert "larger than" in text
    assert "a link or a path outside" in text
    assert not catalog.entities or all(e.name != "b" for e in catalog.entities.values())


LOCATION = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l}\nspec: SPEC\n"


@pytest.mark.parametrize(
    ("spec", "warning"),
    [
        ('{targets: ["a\\0b.yaml"]}', "'a\\x00b.yaml' contains a NUL byte; not read"),
        ('{target: "x/\\0"}', "contains a NUL byte"),
        ('{targets: ["a\\nHEAD:secret.yaml"]}', "contains a control character"),
        ("{targets: [/etc/passwd]}", "'/etc/passwd' is absolute"),
        ("{targets: ['C:/x.yaml']}", "is absolute"),
        ("{targets: [sub/../../x.yaml]}", "'sub/../../x.yaml' leaves the repository"),
        ("{targets: ['..\\\\x.yaml']}", "contains a backslash"),
        ("{targets: [[nested]]}", "['nested'] is not a path"),
        ("{targets: [12]}", "12 is not a path"),
        ("{targets: a.yaml}", "spec.targets must be a list"),
    ],
)
def test_location_targets_are_checked_before_anything_reads_them(
    tmp_path: Path, spec: str, warning: str
) -> None:
    """A NUL in a target was a ValueError traceback from the reader (`embedded null byte`)."""
    (tmp_path / "catalog-info.yaml").write_text(LOCATION.replace("SPEC", spec))
    catalog = load_catalog(tmp_path, ["catalog-info.yaml"])
    text = "\n".join(str(w) for w in catalog.warnings)
    assert warning in text


def test_location_targets_that_are_no_regular_file_are_skipped(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "catalog-info.yaml").write_text(
        LOCATION.replace("SPEC", "{targets: [fifo.yaml, dir.yaml]}")
    )
    catalog = load_catalog(tmp_path, ["catalog-info.yaml"])
    text = "\n".join(str(w) for w in catalog.warnings)
    assert "fifo.yaml: cannot read: a FIFO" in text and "dir.yaml: cannot read: a directory" in text


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        ("kind: " + "[" * 5000 + "]" * 5000, "line 1: nested deeper than 50 levels; file skipped"),
        ("kind: Component\nkind: Location\n", "line 2: duplicate key 'kind'; file skipped"),
        (
            "metadata: {name: " + "9" * 5000 + "}",
            "line 1: an integer longer than 100 characters is not a number; file skipped",
        ),
        ("when: 2026-02-31\n", "bad value: day is out of range for month; file skipped"),
    ],
    ids=["deep", "duplicate", "long int", "bad date"],
)
def test_malformed_catalog_files_are_skipped_with_one_warning(
    tmp_path: Path, content: str, warning: str
) -> None:
    (tmp_path / "catalog-info.yaml").write_text(content)
    catalog = load_catalog(tmp_path, ["catalog-info.yaml"])
    assert [str(w) for w in catalog.warnings] == [f"catalog-info.yaml: {warning}"]
    assert not catalog.entities


COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: pay
  annotations: {annotations}
spec: {{type: service, lifecycle: production, owner: team}}
"""


@pytest.mark.parametrize(
    ("annotations", "warning"),
    [
        ('{backstage.io/source-location: "dir:../../../etc"}', "leaves the repository"),
        ('{backstage.io/source-location: "dir:./a\\0b"}', "contains a NUL byte"),
        ('{backstage.io/source-location: "dir:/etc"}', "is absolute"),
        ('{caution.dev/paths: "src/**, ../other/**"}', "'../other/**' leaves the repository"),
        ('{caution.dev/paths: "src/\\0/**"}', "contains a NUL byte"),
        ('{caution.dev/tier: "-1"}', "'-1' is not a tier"),
        ('{caution.dev/tier: "' + "9" * 5000 + '"}', "is not a tier"),
        ('{caution.dev/tier: "1e9"}', "is not a tier"),
    ],
)
def test_paths_and_tiers_in_annotations_are_checked(
    tmp_path: Path, annotations: str, warning: str
) -> None:
    from caution.reach.graph import claims

    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "catalog-info.yaml").write_text(COMPONENT.format(annotations=annotations))
    catalog = load_catalog(tmp_path, ["svc/catalog-info.yaml"])
    entity = next(iter(catalog.entities.values()))
    claims(catalog, [])
    assert tier_of(entity, catalog, DEFAULT_TIERS) in (
        1,
        3,
    )  # the lifecycle's, not the annotation's
    assert any(warning in str(w) for w in catalog.warnings), catalog.warnings
