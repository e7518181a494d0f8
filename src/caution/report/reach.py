"""The reach of a change as JSON, text, Graphviz dot and a self-contained HTML page."""

from __future__ import annotations

import html
import json
from typing import Any

from rich.console import Console
from rich.text import Text

from caution.reach.model import Reach

TIER_COLOURS = {0: "#d7263d", 1: "#f46036", 2: "#f6ae2d", 3: "#8fb339"}
OTHER_TIER = "#9e9e9e"


def tier_colour(tier: int) -> str:
    return TIER_COLOURS.get(tier, OTHER_TIER)


def reach_to_json(reach: Reach) -> dict[str, Any]:
    iac = reach.iac
    return {
        "components": [
            {"ref": c.ref, "tier": c.tier, "owner": c.owner, "files": list(c.files)}
            for c in reach.components
        ],
        "dependents": [
            {
                "ref": d.ref,
                "tier": d.tier,
                "distance": d.distance,
                "via": list(d.via),
                "owner": d.owner,
            }
            for d in reach.dependents
        ],
        "max_tier": reach.max_tier,
        "owners": list(reach.owners),
        "code": {
            "changed_modules": list(reach.code.changed_modules),
            "importers": list(reach.code.importers),
        },
        "iac": None
        if iac is None
        else {
            "create": iac.count("create"),
            "update": iac.count("update"),
            "delete": iac.count("delete"),
            "replace": iac.count("replace"),
            "stateful_deletes": list(iac.stateful_deletes),
        },
        "unowned_files": list(reach.unowned_files),
        "warnings": list(reach.warnings),
    }


def render_reach(reach: Reach, console: Console) -> None:
    tier = "none" if reach.max_tier is None else str(reach.max_tier)
    head = Text("reach: ")
    head.append(
        f"{len(reach.components)} components touched, {len(reach.dependents)} dependents",
        style="bold",
    )
    head.append(f", most critical tier {tier}")
    console.print(head, highlight=False)
    for c in reach.components:
        line = Text("  touched  ")
        line.append(f"tier {c.tier} ", style=f"bold {tier_colour(c.tier)}")
        line.append(c.ref, style="bold")
        line.append(
            f"  owner {c.owner or '-'}  files {', '.join(c.files[:3])}"
            + (f" +{len(c.files) - 3}" if len(c.files) > 3 else "")
        )
        console.print(line, highlight=False)
    for d in reach.dependents:
        line = Text("  reached  ")
        line.append(f"tier {d.tier} ", style=f"bold {tier_colour(d.tier)}")
        line.append(d.ref)
        line.append(f"  distance {d.distance} via {' → '.join(d.via)}", style="dim")
        console.print(line, highlight=False)
    if reach.owners:
        console.print(f"  owners   {', '.join(reach.owners)}", highlight=False, markup=False)
    if reach.code.changed_modules:
        console.print(
            f"  code     {len(reach.code.changed_modules)} modules changed, "
            f"{len(reach.code.importers)} importers: "
            f"{', '.join(reach.code.importers[:5])}"
            + (" …" if len(reach.code.importers) > 5 else ""),
            highlight=False,
            markup=False,
        )
    if reach.iac is not None:
        iac = reach.iac
        console.print(
            f"  iac      create {iac.count('create')}, update {iac.count('update')}, "
            f"delete {iac.count('delete')}, replace {iac.count('replace')}"
            + (
                f"; stateful deletes: {', '.join(iac.stateful_deletes)}"
                if iac.stateful_deletes
                else ""
            ),
            style="bold red" if iac.stateful_deletes else "",
            highlight=False,
            markup=False,
        )
    if reach.unowned_files:
        console.print(
            f"  {len(reach.unowned_files)} changed files belong to no component",
            style="dim",
            highlight=False,
        )
    for warning in reach.warnings:
        console.print(f"  warning: {warning}", style="yellow", highlight=False, markup=False)


def _dot_id(ref: str) -> str:
    return json.dumps(ref)


def reach_to_dot(reach: Reach) -> str:
    lines = [
        "digraph reach {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for c in reach.components:
        label = json.dumps(c.ref + "\\n" + f"tier {c.tier} · touched")
        colour = json.dumps(tier_colour(c.tier))
        lines.append(f"  {_dot_id(c.ref)} [fillcolor={colour}, penwidth=3, label={label}];")
    for d in reach.dependents:
        label = json.dumps(d.ref + "\\n" + f"tier {d.tier}")
        colour = json.dumps(tier_colour(d.tier))
        lines.append(f"  {_dot_id(d.ref)} [fillcolor={colour}, label={label}];")
        lines.append(f"  {_dot_id(d.via[-1])} -> {_dot_id(d.ref)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layout(reach: Reach) -> tuple[dict[str, tuple[int, int]], int, int]:
    columns: dict[int, list[str]] = {0: [c.ref for c in reach.components]}
    for d in reach.dependents:
        columns.setdefault(d.distance, []).append(d.ref)
    width_step, height_step, box_w, box_h = 300, 70, 260, 48
    positions = {}
    for column, refs in columns.items():
        for row, ref in enumerate(refs):
            positions[ref] = (20 + column * width_step, 20 + row * height_step)
    width = 40 + (max(columns) + 1) * width_step if columns else 320
    height = 40 + max((len(r) for r in columns.values()), default=1) * height_step
    return positions, max(width, box_w + 40), max(height, box_h + 40)


def reach_to_html(reach: Reach, title: str) -> str:
    """One self-contained page: the graph as inline SVG, then the details."""
    positions, width, height = _layout(reach)
    touched = {c.ref for c in reach.components}
    tiers = {c.ref: c.tier for c in reach.components} | {d.ref: d.tier for d in reach.dependents}
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="reach graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for d in reach.dependents:
        x1, y1 = positions[d.via[-1]]
        x2, y2 = positions[d.ref]
        svg.append(
            f'<line class="edge" x1="{x1 + 260}" y1="{y1 + 24}" x2="{x2}" y2="{y2 + 24}" '
            'stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>'
        )
    for ref, (x, y) in positions.items():
        is_touched = ref in touched
        colour = tier_colour(tiers.get(ref, 99))
        label = html.escape(ref)
        svg.append(
            f'<g class="node{" touched" if is_touched else ""}" data-ref="{label}">'
            f'<rect x="{x}" y="{y}" width="260" height="48" rx="8" fill="{colour}" '
            f'stroke="{"#111" if is_touched else "#fff"}" stroke-width="{4 if is_touched else 1}"/>'
            f'<text x="{x + 10}" y="{y + 20}" font-size="12" fill="#111">{label}</text>'
            f'<text x="{x + 10}" y="{y + 38}" font-size="11" fill="#222">tier {tiers.get(ref, "?")}'
            f"{' · touched' if is_touched else ''}</text></g>"
        )
    svg.append("</svg>")
    rows = "".join(
        f"<tr><td>{html.escape(c.ref)}</td><td>{c.tier}</td><td>{html.escape(c.owner or '-')}</td>"
        f"<td>{html.escape(', '.join(c.files))}</td></tr>"
        for c in reach.components
    )
    dep_rows = "".join(
        f"<tr><td>{html.escape(d.ref)}</td><td>{d.tier}</td><td>{d.distance}</td>"
        f"<td>{html.escape(' → '.join(d.via))}</td></tr>"
        for d in reach.dependents
    )
    legend = "".join(
        f'<span class="tier" style="background:{colour}">tier {tier}</span>'
        for tier, colour in TIER_COLOURS.items()
    )
    max_tier = "none" if reach.max_tier is None else reach.max_tier
    owners = html.escape(", ".join(reach.owners) or "-")
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in reach.warnings)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #111; }}
h1 {{ font-size: 20px; }} table {{ border-collapse: collapse; margin: 8px 0 20px; }}
td, th {{ border: 1px solid #ddd; padding: 4px 8px; font-size: 13px; text-align: left; }}
.tier {{ display: inline-block; padding: 2px 8px; margin-right: 6px; border-radius: 4px; }}
.summary {{ font-size: 15px; margin-bottom: 12px; }} .graph {{ overflow: auto; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="summary" id="summary">{len(reach.components)} components touched ·
{len(reach.dependents)} dependents · most critical tier <b>{max_tier}</b> · owners {owners}</p>
<p>{legend} <span class="tier" style="border:3px solid #111">touched</span></p>
<div class="graph">{"".join(svg)}</div>
<h2>Touched components</h2><table>
<tr><th>component</th><th>tier</th><th>owner</th><th>files</th></tr>{rows}</table>
<h2>Dependents</h2><table>
<tr><th>component</th><th>tier</th><th>distance</th><th>via</th></tr>{dep_rows}</table>
{f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else ""}
</body></html>
"""
