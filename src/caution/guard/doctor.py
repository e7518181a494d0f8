"""`caution guard doctor`: for each agent and scope, is the guard's hook installed, does its
command resolve, does it answer the way the agent needs (a harmless probe allowed, a
destructive one denied), and how fast, cold (no resident guard) and warm.

The command is run as written in the agent's settings, through `/bin/sh -c`, in the folder
the agent would run it in and with the variables the agent sets (see hook_config.py), so
what passes here is what the agent will get on this machine.
"""

from __future__ import annotations

import os
import shlex
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from caution.guard.hook_config import (
    LAUNCHER,
    InstallError,
    agent,
    agent_environment,
    agents,
    installed,
    problems,
)
from caution.guard.hook_process import HookRun, run_hook
from caution.guard.install import read_settings, target
from caution.guard.probes import PROBES, probe_payload, read_answer

WARM_RUNS = 3
WARM_TRIES = 15
SCOPES = ("project", "user")


@dataclass(frozen=True)
class Probe:
    expected: str
    decision: str
    well_formed: bool
    exit: int
    ms: float
    detail: str

    @property
    def ok(self) -> bool:
        return self.well_formed and self.decision == self.expected


@dataclass
class HookHealth:
    agent: str
    scope: str
    file: Path
    installed: bool = False
    error: str | None = None  # the settings file cannot be read
    command: str | None = None
    resolves: bool | None = None
    runs: str | None = None  # what the command resolves to, or why it does not
    probes: dict[str, Probe] = field(default_factory=dict)
    cold_ms: float | None = None  # the hook judging in its own process
    warm_ms: float | None = None  # the hook asking the resident guard
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def answers(self) -> bool | None:
        if not self.probes:
            return None
        return all(p.ok for p in self.probes.values())

    @property
    def healthy(self) -> bool | None:
        """None when not installed: nothing to be healthy."""
        if self.error:
            return False
        if not self.installed:
            return None
        return bool(self.resolves and self.answers and not self.problems)


@dataclass(frozen=True)
class Diagnosis:
    hooks: list[HookHealth]

    @property
    def installed(self) -> list[HookHealth]:
        return [h for h in self.hooks if h.installed or h.error]

    @property
    def healthy(self) -> bool:
        """Every installed hook healthy, and at least one installed: a guard installed
        nowhere protects nothing."""
        found = self.installed
        return bool(found) and all(h.healthy for h in found)


def _timeout(name: str) -> float:
    spec = agent(name)
    seconds = spec.timeout / 1000 if spec.timeout_unit == "ms" else spec.timeout
    return float(min(max(seconds, 1.0), 30.0))


def _resolve_direct(command: str, env: dict[str, str]) -> tuple[bool, str]:
    try:
        words = shlex.split(command)
    except ValueError as exc:
        return False, f"the command does not parse: {exc}"
    while words and "=" in words[0] and not words[0].startswith(("/", ".")):
        words = words[1:]  # VAR=value prefixes
    if not words:
        return False, "an empty command"
    program = words[0]
    if "/" in program:
        found = program if os.access(program, os.X_OK) and Path(program).is_file() else None
    else:
        found = shutil.which(program, path=env.get("PATH"))
    if found is None:
        return False, f"{program}: not found (the shell would exit 127)"
    return True, found


def _probe(
    health: HookHealth, command: str, cwd: Path, workspace: Path, env: dict[str, str]
) -> None:
    timeout = _timeout(health.agent)

    def _run(payload: bytes, environment: dict[str, str]) -> HookRun:
        return run_hook(command, payload, cwd, environment, timeout)

    cold = {**env, "CAUTION_GUARD_NO_DAEMON": "1"}
    samples: list[float] = []
    for expected, action in PROBES.items():
        payload = probe_payload(health.agent, action, str(cwd), str(workspace))
        run = _run(payload, cold)
        answer = read_answer(health.agent, run.code, run.stdout, run.stderr)
        health.probes[expected] = Probe(
            expected, answer.decision, answer.well_formed, run.code, run.ms, answer.detail
        )
        samples.append(run.ms)
    health.cold_ms = statistics.median(samples)
    if env.get("CAUTION_GUARD_NO_DAEMON"):
        return  # no resident guard here: every call is a cold one
    allow = probe_payload(health.agent, PROBES["allow"], str(cwd), str(workspace))
    _run(allow, env)  # starts the resident guard, if it may run here
    warm: list[float] = []
    for _ in range(WARM_TRIES):  # until it answers: the last calls are the warm ones
        time.sleep(0.1)
        warm.append(_run(allow, env).ms)
        if len(warm) >= WARM_RUNS and max(warm[-WARM_RUNS:]) < health.cold_ms / 2:
            break
    health.warm_ms = statistics.median(warm[-WARM_RUNS:])


def _check(health: HookHealth, workspace: Path, cwd: Path) -> None:
    spec = agent(health.agent)
    try:
        settings = read_settings(health.file)
    except InstallError as exc:
        health.error = str(exc)
        return
    found = installed(health.agent, settings)
    if not found:
        return
    health.installed = True
    command = health.command = found[0].command
    health.problems = problems(health.agent, health.scope, found)
    if len({f.command for f in found}) > 1:
        health.problems.append("the guard's entries run different commands")
    if health.scope == "project":
        health.notes.append(spec.trust)
    env = {**os.environ, **agent_environment(health.agent, str(workspace))}
    entry_cwd = found[0].entry.get("cwd")
    run_in = workspace / entry_cwd if isinstance(entry_cwd, str) else cwd
    if LAUNCHER in command or "guard-hook" in command:
        run = run_hook(command, b"", run_in, {**env, "CAUTION_GUARD_WHICH": "1"}, 10.0)
        text = (run.stdout if run.code == 0 else run.stderr).strip()
        health.resolves = run.code == 0 and bool(text)
        health.runs = text.splitlines()[-1] if text else f"exit {run.code}"
    else:
        health.resolves, health.runs = _resolve_direct(command, env)
    if health.resolves:
        _probe(health, command, run_in, workspace, env)


def diagnose(workspace: Path, cwd: Path, home: Path, names: list[str] | None = None) -> Diagnosis:
    """Each agent's hook in both scopes. InstallError for an agent caution does not know."""
    for name in names or ():
        agent(name)
    hooks: list[HookHealth] = []
    for name in names or list(agents()):
        for scope in SCOPES:
            where = target(name, scope, workspace, home)
            health = HookHealth(name, scope, where.path)
            _check(health, workspace, cwd)
            hooks.append(health)
    return Diagnosis(hooks)
