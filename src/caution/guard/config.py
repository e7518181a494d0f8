"""The `guard:` section of the workspace's `.caution.yml`, validated like the rest of the
file (errors at file:line), cached by the file's size and modification time so the
resident guard reads it once."""

from __future__ import annotations

from pathlib import Path

from caution.globs import GlobError, compile_glob
from caution.guard.settings import GuardSettings
from caution.yaml_source import CONFIG_NAME, SourceError, read_yaml, validate_at

_CACHE: dict[str, tuple[tuple[int, int], GuardSettings]] = {}


def guard_settings(workspace: str) -> GuardSettings:
    """The workspace's guard settings; defaults without a .caution.yml. Raises SourceError."""
    path = Path(workspace) / CONFIG_NAME
    try:
        info = path.stat()
    except OSError:
        return GuardSettings()
    key = (info.st_mtime_ns, info.st_size)
    cached = _CACHE.get(str(path))
    if cached is not None and cached[0] == key:
        return cached[1]
    doc = read_yaml(path, CONFIG_NAME)
    section = doc.data.get("guard") if isinstance(doc.data, dict) else None
    if section is not None and not isinstance(section, dict):
        raise SourceError(CONFIG_NAME, doc.line_of(("guard",)), "guard must be a mapping")
    settings: GuardSettings = validate_at(doc, ("guard",), GuardSettings, section or {})
    for index, pattern in enumerate(settings.protected_paths):
        try:
            compile_glob(pattern)
        except GlobError as exc:
            raise doc.error(("guard", "protected_paths", index), str(exc)) from exc
    _CACHE[str(path)] = (key, settings)
    return settings
