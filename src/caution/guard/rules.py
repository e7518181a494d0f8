"""Guard rules as data: `caution/data/guard/*.toml`, one pack per file.

A rule matches one simple command (after wrappers such as sudo, env, timeout are
peeled off) when every condition it states holds:

- `program`: the command's name (its basename) is one of these
- `subcommand`: these words appear, in order and together, among the first
  positional arguments (`a|b` offers alternatives); `subcommand_any`: one of
  several such runs, each written as one string (`"state rm|mv"`, `"force-unlock"`)
- `flags_any` / `flags_all` / `flags_none`: options present (`-f` also matches
  inside `-rf`; `--force` also matches `--force=true`)
- `args_regex`: some argument matches (search, case-insensitive)
- `text_regex`: the whole command line matches (search, case-insensitive)
- `stdin_regex`: text fed to it (heredoc, here-string, `echo … |`) matches
- `path_classes`: some positional argument is a path of one of these classes
  (root, home, system, device, outside, workspace-root)
- `redirect_classes`: output is redirected to a path of one of these classes
- `assigns_any`: the command sets one of these environment variables (`NAME=v cmd`,
  `env NAME=v cmd`, `export NAME=v`); `*` at the end of a name matches any suffix

A file rule (`[[file_rule]]`) judges a path a file action or a command writes (or, with
`access = ["read", ...]`, reads). It matches, without regard to case, when:

- `globs`: the path relative to the workspace matches one of them (`except_globs`
  take paths back out), or
- `home_globs`: the path relative to the home directory matches one, or
- `caution_dirs`: the path lies in the user's own caution folders (configuration,
  state), with `globs` matched relative to that folder when given, or
- `private_key`: the file on disk starts like a private key (PEM or OpenSSH), or
- `outside_workspace`: the path is outside the workspace.

`users` names programs that use such a file without showing its content (`ssh -i KEY`):
a read by them is not judged by the rule.

Each rule has an id, a description, a decision (`deny` or `ask`) and examples
the test suite runs: `deny` examples must get the rule's decision, `allow`
examples must not be matched by it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

DECISIONS = ("deny", "ask")
CLASSES = (
    "root",
    "home",
    "system",
    "device",
    "outside",
    "workspace-root",
    "inside",
    "temp",
    "unknown",
)


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    decision: str
    pack: str
    program: tuple[str, ...] = ()
    subcommand: tuple[tuple[str, ...], ...] = ()
    subcommand_any: tuple[tuple[tuple[str, ...], ...], ...] = ()
    flags_any: tuple[str, ...] = ()
    flags_all: tuple[str, ...] = ()
    flags_none: tuple[str, ...] = ()
    args_regex: re.Pattern[str] | None = None
    text_regex: re.Pattern[str] | None = None
    stdin_regex: re.Pattern[str] | None = None
    path_classes: tuple[str, ...] = ()
    redirect_classes: tuple[str, ...] = ()
    assigns_any: tuple[str, ...] = ()
    builtin: str = ""
    examples_deny: tuple[str, ...] = ()
    examples_allow: tuple[str, ...] = ()
    source: str = ""


ACCESS = ("write", "read")


@dataclass(frozen=True)
class FileRule:
    id: str
    description: str
    decision: str
    globs: tuple[str, ...]
    except_globs: tuple[str, ...] = ()
    outside_workspace: bool = False
    access: tuple[str, ...] = ("write",)
    home_globs: tuple[str, ...] = ()
    caution_dirs: bool = False
    private_key: bool = False
    users: tuple[str, ...] = ()
    examples_deny: tuple[str, ...] = ()
    examples_allow: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    file_rules: tuple[FileRule, ...]
    by_program: dict[str, tuple[Rule, ...]] = field(default_factory=dict)

    def for_program(self, name: str) -> tuple[Rule, ...]:
        return self.by_program.get(name, ()) + self.by_program.get("*", ())

    @cached_property
    def assign_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.assigns_any and not r.builtin)

    @cached_property
    def read_rules(self) -> tuple[FileRule, ...]:
        return tuple(r for r in self.file_rules if "read" in r.access)

    @cached_property
    def write_rules(self) -> tuple[FileRule, ...]:
        return tuple(r for r in self.file_rules if "write" in r.access)

    def builtin(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.builtin == name:
                return rule
        raise RuleError(f"no rule for the built-in check {name!r}")


def _regex(rule_id: str, value: Any) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(str(value), re.IGNORECASE | re.DOTALL)
    except re.error as exc:
        raise RuleError(f"rule {rule_id}: bad regex {value!r}: {exc}") from exc


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


_RULE_KEYS = frozenset(
    [
        "id",
        "description",
        "decision",
        "program",
        "subcommand",
        "subcommand_any",
        "flags_any",
        "flags_all",
        "flags_none",
        "args_regex",
        "text_regex",
        "stdin_regex",
        "path_classes",
        "redirect_classes",
        "assigns_any",
        "builtin",
        "examples_deny",
        "examples_allow",
        "source",
    ]
)
_FILE_RULE_KEYS = frozenset(
    [
        "id",
        "description",
        "decision",
        "globs",
        "except_globs",
        "outside_workspace",
        "access",
        "home_globs",
        "caution_dirs",
        "private_key",
        "users",
        "examples_deny",
        "examples_allow",
        "source",
    ]
)


def _known_keys(pack: str, entry: dict[str, Any], known: frozenset[str]) -> None:
    """A misspelt condition (`args_regx`) would silently widen a rule to every run of its
    program; refuse it instead."""
    unknown = sorted(set(entry) - known)
    if unknown:
        raise RuleError(f"{pack}: rule {entry.get('id', '?')}: unknown key(s) {', '.join(unknown)}")


def _rule(pack: str, entry: dict[str, Any]) -> Rule:
    _known_keys(pack, entry, _RULE_KEYS)
    rule_id = str(entry.get("id", ""))
    if not rule_id or not entry.get("description"):
        raise RuleError(f"{pack}: every rule needs an id and a description ({rule_id or '?'})")
    decision = entry.get("decision")
    if decision not in DECISIONS:
        raise RuleError(f"rule {rule_id}: decision must be deny or ask")
    for key in ("path_classes", "redirect_classes"):
        for value in _tuple(entry.get(key)):
            if value not in CLASSES:
                raise RuleError(f"rule {rule_id}: unknown path class {value!r}")
    return Rule(
        id=rule_id,
        description=str(entry["description"]),
        decision=decision,
        pack=pack,
        program=_tuple(entry.get("program")),
        subcommand=tuple(tuple(alt.split("|")) for alt in _tuple(entry.get("subcommand"))),
        subcommand_any=tuple(
            tuple(tuple(token.split("|")) for token in run.split())
            for run in _tuple(entry.get("subcommand_any"))
        ),
        flags_any=_tuple(entry.get("flags_any")),
        flags_all=_tuple(entry.get("flags_all")),
        flags_none=_tuple(entry.get("flags_none")),
        args_regex=_regex(rule_id, entry.get("args_regex")),
        text_regex=_regex(rule_id, entry.get("text_regex")),
        stdin_regex=_regex(rule_id, entry.get("stdin_regex")),
        path_classes=_tuple(entry.get("path_classes")),
        redirect_classes=_tuple(entry.get("redirect_classes")),
        assigns_any=_tuple(entry.get("assigns_any")),
        builtin=str(entry.get("builtin", "")),
        examples_deny=_tuple(entry.get("examples_deny")),
        examples_allow=_tuple(entry.get("examples_allow")),
        source=str(entry.get("source", "")),
    )


def _file_rule(pack: str, entry: dict[str, Any]) -> FileRule:
    _known_keys(pack, entry, _FILE_RULE_KEYS)
    rule_id = str(entry.get("id", ""))
    decision = entry.get("decision")
    if not rule_id or decision not in DECISIONS:
        raise RuleError(f"{pack}: file rule {rule_id or '?'} needs an id and a decision")
    access = _tuple(entry.get("access", "write"))
    if not access or any(a not in ACCESS for a in access):
        raise RuleError(f"file rule {rule_id}: access must be write and/or read")
    return FileRule(
        id=rule_id,
        description=str(entry.get("description", "")),
        decision=decision,
        globs=_tuple(entry.get("globs")),
        except_globs=_tuple(entry.get("except_globs")),
        outside_workspace=bool(entry.get("outside_workspace", False)),
        access=access,
        home_globs=_tuple(entry.get("home_globs")),
        caution_dirs=bool(entry.get("caution_dirs", False)),
        private_key=bool(entry.get("private_key", False)),
        users=_tuple(entry.get("users")),
        examples_deny=_tuple(entry.get("examples_deny")),
        examples_allow=_tuple(entry.get("examples_allow")),
        source=str(entry.get("source", "")),
    )


def parse_packs(packs: dict[str, dict[str, Any]]) -> RuleSet:
    rules: list[Rule] = []
    file_rules: list[FileRule] = []
    for name, data in sorted(packs.items()):
        rules.extend(_rule(name, entry) for entry in data.get("rule", []))
        file_rules.extend(_file_rule(name, entry) for entry in data.get("file_rule", []))
    ids = [r.id for r in rules] + [r.id for r in file_rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuleError(f"duplicate rule ids: {', '.join(duplicates)}")
    by_program: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.builtin or (rule.assigns_any and not rule.program):
            continue
        for program in rule.program or ("*",):
            by_program.setdefault(program, []).append(rule)
    return RuleSet(tuple(rules), tuple(file_rules), {k: tuple(v) for k, v in by_program.items()})


@cache
def default_rules() -> RuleSet:
    folder = resources.files("caution.data").joinpath("guard")
    packs = {}
    for item in folder.iterdir():
        if item.name.endswith(".toml") and item.name != "agent_tools.toml":
            packs[item.name.removesuffix(".toml")] = tomllib.loads(item.read_text("utf-8"))
    return parse_packs(packs)
