"""The command line's shape: `clearway --help` lists every group from a static table without importing
any, and the commands operators run often stay clear of the heavy libraries."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clearway.cli import COMMANDS, app, load
from clearway.migrations import upgrade

HEAVY = ("polars", "lightgbm", "numpy", "pandas", "fastapi", "alembic", "nats", "uvicorn")


def _modules_after(args: list[str]) -> set[str]:
    """The top-level modules (and clearway.cli groups) loaded by running `clearway ARGS` in a fresh
    process."""
    script = textwrap.dedent(
        f"""
        import sys
        from clearway.cli import app
        try:
            app({args!r})
        except SystemExit:
            pass
        print(" ".join(m for m in sys.modules if "." not in m or m.startswith("clearway.cli.")))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(done.stdout.strip().splitlines()[-1].split())


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_root_help_line_is_the_commands_own(name: str) -> None:
    command = load(name)
    assert command.help is not None
    first = inspect.cleandoc(command.help).split("\n\n")[0].replace("\n", " ").strip()
    assert COMMANDS[name].help == first


def test_help_lists_every_command_without_importing_one() -> None:
    done = CliRunner().invoke(app, ["--help"])
    assert done.exit_code == 0
    for name, entry in COMMANDS.items():
        assert f" {name} " in done.output and entry.help.split()[0] in done.output
    loaded = _modules_after(["--help"])
    assert not {m for m in loaded if m.startswith("clearway.cli.")}
    assert not loaded & {*HEAVY, "sqlalchemy", "pydantic_settings"}


def test_estimate_needs_no_database_library() -> None:
    args = ["estimate", "--destination", "DE", "--date", "2026-11-27", "--origin", "CN", "--value", "25"]
    loaded = _modules_after([*args, "--currency", "EUR", "--hs", "610910", "--shipping", "5"])
    assert "clearway.cli.revenue" in loaded
    assert not loaded & {*HEAVY, "sqlalchemy"}


def test_keys_create_on_an_upgraded_database_skips_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    upgrade(url)
    loaded = _modules_after(["keys", "create", "--role", "officer", "--db", url])
    assert "sqlalchemy" in loaded
    assert not loaded & set(HEAVY)


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", f"sqlite:///{tmp_path / 'keys.db'}"]
    created = runner.invoke(app, ["keys", "create", "--role", "officer", "--label", "night shift", *db])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    listed = runner.invoke(app, ["keys", "list", *db])
    assert "night shift" in listed.stdout and "officer" in listed.stdout
    prefix = listed.stdout.split("officer")[0].split("│")[-2].strip()
    assert prefix and prefix in key
    assert runner.invoke(app, ["keys", "revoke", prefix, *db]).exit_code == 0
    again = runner.invoke(app, ["keys", "revoke", prefix, *db])
    assert again.exit_code == 2 and f"no active key with prefix {prefix}" in again.stderr
    bad = runner.invoke(app, ["keys", "create", "--role", "janitor", *db])
    assert bad.exit_code == 2 and "error:" in bad.stderr


def test_the_simulator_default_is_the_simulators() -> None:
    from clearway.cli import revenue as revenue_cli
    from clearway.revenue import simulator

    spelt_out, declared = revenue_cli.DEFAULT_COST_PER_DECLARATION, simulator.DEFAULT_COST_PER_DECLARATION
    assert spelt_out == str(declared)
