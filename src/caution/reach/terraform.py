"""Terraform plans (`terraform show -json plan.out`): what a change creates, updates,
deletes or replaces, with stateful resource types flagged. Pure, given the JSON.

Actions per `resource_changes[].change.actions`: ["create"], ["update"],
["delete"], ["delete", "create"] or ["create", "delete"] (replace), ["no-op"],
["read"], ["forget"] (not changes to the object), ["create", "forget"] (a create).
Anything else is an error: a plan read half-way could hide the delete that matters.
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


# Every `change.actions` list Terraform writes (internal/command/jsonplan, actionString),
# and what it does to the object: None for what changes nothing. `forget` drops an object
# from the state and leaves it standing; create-then-forget makes a new one beside it.
ACTIONS: dict[tuple[str, ...], str | None] = {
    ("no-op",): None,
    ("read",): None,
    ("create",): "create",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("forget",): None,
    ("create", "forget"): "create",
}


def _action(actions: object, where: str) -> str | None:
    """What `actions` does; PlanError for anything but one of Terraform's lists: a string
    (`"actions": "delete"`) or an unknown action must not read as "no change"."""
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise PlanError(f"{where}.change.actions must be a list of action names, not {actions!r}")
    key = tuple(actions)
    if key not in ACTIONS:
        known = " | ".join(str(list(k)) for k in ACTIONS)
        raise PlanError(f"{where}.change.actions {actions!r} is not one of Terraform's: {known}")
    return ACTIONS[key]


def parse_plan(data: Any) -> IacReach:
    """What the plan creates, updates, deletes or replaces. A resource change this cannot
    read is an error naming it, never skipped: a skipped entry may be the database delete."""
    if not isinstance(data, dict):
        raise PlanError("a Terraform JSON plan is an object")
    if "resource_changes" not in data and "format_version" not in data:
        raise PlanError("not a Terraform JSON plan (no format_version or resource_changes)")
    changes = data.get("resource_changes") or []
    if not isinstance(changes, list):
        raise PlanError("resource_changes is not a list")
    out = []
    for index, item in enumerate(changes):
        where = f"resource_changes[{index}]"
        if not isinstance(item, dict):
            raise PlanError(f"{where} is not an object")
        address, resource_type = item.get("address"), item.get("type")
        if not isinstance(address, str) or not isinstance(resource_type, str):
            raise PlanError(f"{where} needs an address and a type (text)")
        where = f"{where} ({address})"
        change = item.get("change")
        if not isinstance(change, dict):
            raise PlanError(f"{where}.change is not an object")
        action = _action(change.get("actions"), where)
        if action is None:
            continue
        out.append(IacChange(address, resource_type, action, is_stateful(resource_type)))
    return IacReach(tuple(out))
