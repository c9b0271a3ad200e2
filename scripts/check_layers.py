#!/usr/bin/env python3
"""Rejects any #include that crosses a layer STYLE.md does not allow.

Each file under src/ belongs to the module of its folder (the longest match in ALLOWED); a
quoted include names a module by its path. A module may include itself, its own row, and third
party headers (<...>). Exit status 1 lists every violation as file:line.
"""
import pathlib
import re
import sys

ALLOWED = {
    "common": set(),
    "model": {"common"},
    "config": {"common", "model"},
    "jobs": {"common", "model"},
    "policy": {"common", "model"},
    "lifecycle": {"common", "model"},
    "storage/blob": {"common", "model"},
    "storage/blob/fs": {"common", "model", "storage/blob"},
    "storage/meta": {"common", "model"},
    "storage/meta/sqlite": {"common", "model", "storage/meta"},
    "auth": {"common", "model", "storage/meta"},
    "events": {"common", "model", "jobs"},
    "scan": {"common", "model", "storage/blob", "jobs"},
    "registry": {"common", "model", "storage/blob", "storage/meta", "auth", "policy",
                 "lifecycle", "scan", "events", "jobs"},
    "gc": {"common", "model", "storage/blob", "storage/meta", "events", "jobs"},
    "replication": {"common", "model", "registry", "events", "jobs"},
    "http": {"common"},
    "oci": {"http", "registry", "auth", "model", "common"},
    "ecr": {"http", "registry", "auth", "model", "common", "policy", "lifecycle"},
    "server": None,  # the composition root may include everything
    "cli": {"server", "config", "common"},
}
# Drivers are reachable only from the composition root.
DRIVERS = {"storage/blob/fs", "storage/meta/sqlite"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(path: str) -> str | None:
    best = None
    for module in ALLOWED:
        if path == module or path.startswith(module + "/"):
            if best is None or len(module) > len(best):
                best = module
    return best


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent / "src"
    problems = []
    for file in sorted(root.rglob("*")):
        if file.suffix not in {".hpp", ".cpp", ".in"}:
            continue
        rel = file.relative_to(root).as_posix()
        owner = module_of(rel.rsplit("/", 1)[0])
        if owner is None:
            problems.append(f"src/{rel}: folder is not a module of STYLE.md")
            continue
        allowed = ALLOWED[owner]
        for lineno, line in enumerate(file.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = module_of(m.group(1).rsplit("/", 1)[0]) if "/" in m.group(1) else None
            if target is None or target == owner:
                continue
            if allowed is None:
                continue
            if target in DRIVERS or target not in allowed:
                problems.append(f"src/{rel}:{lineno}: {owner} may not include {m.group(1)}")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layering violation(s); see STYLE.md 'Who may include whom'")
        return 1
    print("layers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
