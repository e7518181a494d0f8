"""Benchmark: the agent guard on labelled shell commands from other guards and NL2Bash.

Targets (issue #4): on dcg_corpus.jsonl, >= 98 % of `deny` cases not allowed and <= 2 % of
`allow` cases denied; on nl2bash_readonly.jsonl, <= 0.5 % denied and <= 3 % asked. The
corpora are read in place from ../shared/data/guard/ (or --data DIR). The agent works in
/home/user/project, its home is /home/user.

Latency (issue #4): the median wall time of one `caution guard hook --agent claude-code`
process is <= 2x that of `python -c pass`, measured here in the same run, alternating,
with the resident guard process warm (it is started on demand by the first hook call).

    python bench/guard.py [--data DIR] [--show-misses] [--rounds 40]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from caution.guard import Places, check_shell, default_rules

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "guard"
PLACES = Places(cwd="/home/user/project", workspace="/home/user/project", home="/home/user")


def run(path: Path) -> list[tuple[dict[str, str], str, str | None, float]]:
    rules = default_rules()
    out = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        start = time.perf_counter()
        verdict = check_shell(case["command"], PLACES, rules)
        out.append((case, verdict.decision, verdict.rule, time.perf_counter() - start))
    return out


def latency(rounds: int) -> None:
    payload = json.dumps(
        {
            "session_id": "bench",
            "cwd": str(Path.cwd()),
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": "git status --short"},
        }
    ).encode()
    hook = [sys.executable, "-m", "caution", "guard", "hook", "--agent", "claude-code"]
    script = Path(sys.executable).with_name("caution")
    if script.exists():
        hook = [str(script), "guard", "hook", "--agent", "claude-code"]
    with tempfile.TemporaryDirectory() as runtime:
        env = {  # the key and the log in the run's own state folder, not the user's
            **os.environ,
            "CAUTION_GUARD_RUNTIME_DIR": runtime,
            "XDG_STATE_HOME": str(Path(runtime) / "state"),
        }

        def timed(command: list[str], data: bytes = b"") -> float:
            start = time.perf_counter()
            subprocess.run(command, input=data, capture_output=True, env=env, check=False)
            return time.perf_counter() - start

        cold = timed(hook, payload)  # judges in process and starts the resident guard
        time.sleep(1.0)
        for _ in range(3):
            timed(hook, payload)
        bare, guarded = [], []
        for _ in range(rounds):
            bare.append(timed([sys.executable, "-c", "pass"]))
            guarded.append(timed(hook, payload))
        stop_resident_guard(runtime)  # otherwise it leaves after 30 idle minutes
    base, median = statistics.median(bare), statistics.median(guarded)
    ratio = median / base
    print(
        f"\nlatency over {rounds} alternating rounds: python -c pass {base * 1e3:.1f} ms, "
        f"caution guard hook --agent claude-code {median * 1e3:.1f} ms (first call, no resident "
        f"guard: {cold * 1e3:.0f} ms)"
    )
    print(f"  ratio {ratio:.2f}x (target <= 2x) {'OK' if ratio <= 2 else 'MISS'}")


def stop_resident_guard(runtime: str) -> None:
    """Stop the resident guard this run started (its socket is under `runtime`), by id."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"caution.guard.daemon" in argv and any(runtime.encode() in a for a in argv):
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGTERM)


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "   n/a"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    for name in ("dcg_corpus.jsonl", "nl2bash_readonly.jsonl"):
        results = run(args.data / name)
        median = statistics.median(r[3] for r in results) * 1e3
        print(f"\n{name}: {len(results)} commands, median {median:.2f} ms per command (in process)")
        for expected in ("deny", "allow"):
            rows = [r for r in results if r[0]["expected"] == expected]
            if not rows:
                continue
            counts = Counter(r[1] for r in rows)
            n = len(rows)
            line = (
                f"  expected {expected:5}: {n:4}  allowed {pct(counts['allow'], n)}  "
                f"asked {pct(counts['ask'], n)}  denied {pct(counts['deny'], n)}"
            )
            if expected == "deny":
                ok = (len(rows) - counts["allow"]) / len(rows) >= 0.98
                caught = pct(n - counts["allow"], n)
                line += f"   not allowed {caught} (target >= 98 %) {'OK' if ok else 'MISS'}"
            elif name.startswith("dcg"):
                ok = counts["deny"] / len(rows) <= 0.02
                line += f"   (target denied <= 2 %) {'OK' if ok else 'MISS'}"
            else:
                ok = counts["deny"] / len(rows) <= 0.005 and counts["ask"] / len(rows) <= 0.03
                line += f"   (targets denied <= 0.5 %, asked <= 3 %) {'OK' if ok else 'MISS'}"
            print(line)
            if args.show_misses:
                for case, decision, rule, _ in rows:
                    wrong = (expected == "deny" and decision == "allow") or (
                        expected == "allow" and decision != "allow"
                    )
                    if wrong:
                        print(f"    {decision:5} {rule or '-':40} {case['command'][:110]!r}")
    latency(args.rounds)


if __name__ == "__main__":
    main()
