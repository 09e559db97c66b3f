"""Start-up cost of the installed `clearway` entry point: `--help`, an estimate, and `keys create`.

    uv run python bench/cli_startup.py [--runs 7] [--entry .venv/bin/clearway] [--bytecode-cache]

Each command runs --runs times (after one unmeasured run that warms the file cache) as a child process;
its CPU time is the user + system delta of `resource.getrusage(RUSAGE_CHILDREN)` around the run, its wall
time the clock around it. `keys create` runs on a SQLite file upgraded beforehand, as an operator's
database is. Prints the median CPU and wall time per command against its target (CPU: `--help` under
0.5 s, the others under 1 s); the last line is one JSON object with the numbers. CPU time is what the
targets are about: wall time on a shared machine also counts waiting for a core.

Python compiles every module it imports unless a bytecode cache is there to read; with
PYTHONDONTWRITEBYTECODE=1 (as on the CI machine) nothing is cached and each start pays for compiling
SQLAlchemy, Typer and Pydantic again. --bytecode-cache measures the usual case instead: a cache in a
temporary folder (PYTHONPYCACHEPREFIX, so nothing is written next to the sources), filled by the
warm-up run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--runs", type=int, default=7)
ARGS.add_argument("--bytecode-cache", action="store_true", help="let the children cache bytecode (see above)")
ARGS.add_argument(
    "--entry",
    type=Path,
    default=Path(sys.executable).parent / "clearway",
    help="the entry point to time (default: the one next to this Python, i.e. .venv/bin/clearway)",
)

# The README's first estimate: a 25 EUR T-shirt from China to Germany with 5 EUR shipping.
ESTIMATE = "estimate --destination DE --date 2026-11-27 --origin CN --value 25 --currency EUR --hs 610910"
TARGETS = {"help": 0.5, "estimate": 1.0, "keys create": 1.0}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], runs: int, env: dict[str, str]) -> dict[str, float]:
    def run() -> None:
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    run()  # warm-up (and fills a bytecode cache)
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(runs):
        before, start = _children_cpu(), time.perf_counter()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - before)
    return {
        "cpu_s": round(statistics.median(cpu), 3),
        "wall_s": round(statistics.median(wall), 3),
        "cpu_min_s": round(min(cpu), 3),
    }


def main() -> None:
    options = ARGS.parse_args()
    entry = str(options.entry)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as folder:
        if options.bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        url = f"sqlite:///{Path(folder) / 'clearway.db'}"
        subprocess.run([entry, "db", "upgrade", "--db", url], check=True, env=env, stdout=subprocess.DEVNULL)
        commands = {
            "help": [entry, "--help"],
            "estimate": [entry, *ESTIMATE.split(), "--shipping", "5"],
            "keys create": [entry, "keys", "create", "--role", "officer", "--db", url],
        }
        results = {name: measure(command, options.runs, env) for name, command in commands.items()}
    print(f"{'command':<12} {'cpu (median)':>12} {'wall (median)':>14} {'target cpu':>11}")
    for name, numbers in results.items():
        numbers["target_cpu_s"] = TARGETS[name]
        verdict = "ok" if numbers["cpu_s"] < TARGETS[name] else "OVER"
        print(
            f"{name:<12} {numbers['cpu_s']:>11.3f}s {numbers['wall_s']:>13.3f}s {TARGETS[name]:>10.1f}s "
            f"{verdict}"
        )
    summary = {
        "benchmark": "cli_startup",
        "entry": entry,
        "runs": options.runs,
        "bytecode_cache": options.bytecode_cache or env.get("PYTHONDONTWRITEBYTECODE") is None,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "commands": results,
        "within_targets": all(r["cpu_s"] < TARGETS[name] for name, r in results.items()),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
