#!/bin/sh
# caution guard launcher, written by `caution guard install`: commit it with the agents'
# hook settings. It finds caution on this machine and runs `caution guard hook ARGS`, so
# the settings hold no path into one person's environment. Tried in order:
#   $CAUTION_BIN (an executable), `caution` on PATH, `python3 -m caution` (when caution
#   imports), pipx and uv tool installs.
# Without caution it denies: exit 2 with a message, which every agent treats as a block.
# CAUTION_GUARD_WHICH=1 prints the command it would run instead of running it.

run() {
    if [ "${CAUTION_GUARD_WHICH:-}" = 1 ]; then
        printf '%s\n' "$*"
        exit 0
    fi
    exec "$@"
}

if [ -n "${CAUTION_BIN:-}" ] && [ -x "$CAUTION_BIN" ] && [ ! -d "$CAUTION_BIN" ]; then
    run "$CAUTION_BIN" guard hook "$@"
fi
if found=$(command -v caution 2>/dev/null) && [ -n "$found" ]; then
    run "$found" guard hook "$@"
fi
for python in python3 python; do
    if command -v "$python" >/dev/null 2>&1 &&
        "$python" -c 'import caution.guard.hook' </dev/null >/dev/null 2>&1; then
        run "$python" -m caution guard hook "$@"
    fi
done
for candidate in \
    "${PIPX_BIN_DIR:-$HOME/.local/bin}/caution" \
    "${PIPX_HOME:-$HOME/.local/share/pipx}/venvs/caution/bin/caution" \
    "$HOME/.local/pipx/venvs/caution/bin/caution" \
    "$HOME/Library/Application Support/pipx/venvs/caution/bin/caution" \
    "${UV_TOOL_BIN_DIR:-${XDG_BIN_HOME:-$HOME/.local/bin}}/caution" \
    "${UV_TOOL_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/uv/tools}/caution/bin/caution"; do
    if [ -x "$candidate" ] && [ ! -d "$candidate" ]; then
        run "$candidate" guard hook "$@"
    fi
done
echo "caution is not installed: pip install caution" >&2
exit 2
