"""Build a Python import graph with grimp in a process of its own.

The sources are another repository's: packages named like the standard library (`os`,
`json`) or like caution's own dependencies would shadow them in caution's process, and
grimp asserts on some of them. Here they can only break this short-lived process, whose
failure the caller reads as "code reach unknown".

    python -I -m caution.reach.grimp_worker FOLDER... -- PACKAGE...

prints {"graph": {module: [imported, ...]}, "skipped": [package, ...]} on stdout.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    split = argv.index("--")
    folders, packages = argv[:split], argv[split + 1 :]
    shadowing = set(sys.stdlib_module_names) | set(sys.modules)
    skipped = sorted(p for p in packages if p in shadowing)
    wanted = sorted(p for p in packages if p not in shadowing)
    graph: dict[str, list[str]] = {}
    if wanted:
        import grimp

        sys.path[:0] = folders
        built = grimp.build_graph(*wanted, include_external_packages=False, cache_dir=None)
        graph = {m: sorted(built.find_modules_directly_imported_by(m)) for m in built.modules}
    sys.stdout.write(json.dumps({"graph": graph, "skipped": skipped}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
