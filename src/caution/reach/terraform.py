"""Terraform plans (`terraform show -json plan.out`): what a change creates, updates,
deletes or replaces, with stateful resource types flagged. Pure, given the JSON.

Actions per `resource_changes[].change.actions`: ["create"], ["update"],
["delete"], ["delete", "create"] or ["create", "delete"] (replace), ["no-op"],
["read"] (the last two are not changes).
"""

from __future__ import annotations

import fnmatch
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from caution.reach.model import IacChange, IacReach


class PlanError(ValueError):
    pass


@cache
def stateful_types() -> tuple[str, ...]:
    text = resources.files("caution.data").joinpath("stateful-resources.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return tuple(t for group in data["stateful"] for t in group["types"])


def is_stateful(resource_type: str) -> bool:
    return any(fnmatch.fnmatchcase(resource_type, pattern) for pattern in stateful_types())


def _action(actions: list[str]) -> str | None:
    kinds = set(actions)
    if kinds == {"delete", "create"}:
        return "replace"
    if len(actions) == 1 and actions[0] in ("create", "update", "delete"):
        return actions[0]
    return None


def parse_plan(data: Any) -> IacReach:
    if not isinstance(data, dict):
        raise PlanError("a Terraform JSON plan is an object")
    if "resource_changes" not in data and "format_version" not in data:
        raise PlanError("not a Terraform JSON plan (no format_version or resource_changes)")
    changes = data.get("resource_changes") or []
    if not isinstance(changes, list):
        raise PlanError("resource_changes is not a list")
    out = []
    for item in changes:
        if not isinstance(item, dict):
            continue
        change = item.get("change")
        actions = change.get("actions") if isinstance(change, dict) else None
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            continue
        action = _action(actions)
        if action is None:
            continue
        resource_type = str(item.get("type", ""))
        address = str(item.get("address", resource_type))
        out.append(IacChange(address, resource_type, action, is_stateful(resource_type)))
    return IacReach(tuple(out))
