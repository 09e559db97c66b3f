"""Command line: the same services as the API, for operators and scripts.

The root app lists every command from the table below without importing it: each group lives in its own
module of this package (`cli/<feature>.py`), imported only when that command runs (or its own `--help` is
asked for), so that `clearway --help` or `clearway keys create` do not wait for Polars, LightGBM, FastAPI
or NATS. The shared preamble (`--db`, engines, consoles, errors) is `cli/_common.py`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    # Typer vendors Click; its command and context types live here.
    from typer._click import core as click
    from typer._click.formatting import HelpFormatter
    from typer._click.shell_completion import CompletionItem


class Entry(NamedTuple):
    module: str  # under clearway.cli
    attribute: str  # a Typer app (a group) or a function (a command of its own)
    help: str  # the line `clearway --help` shows; tests/architecture/test_cli.py checks it is the command's


# In the order `clearway --help` lists them.
COMMANDS: dict[str, Entry] = {
    "generate": Entry(
        "intake",
        "generate",
        "Synthetic e-commerce traffic with planted fraud; ground truth in <out>.labels.jsonl.",
    ),
    "ingest": Entry(
        "intake", "ingest", "Run a bulk file through the pipeline; rejected records go next to the input."
    ),
    "serve": Entry("serve", "serve", "API and dashboard."),
    "demo": Entry(
        "serve", "demo", "A day of traffic through the pipeline, arrivals and controls, then the dashboard."
    ),
    "trs": Entry(
        "measurement",
        "trs",
        "Time Release Study: intervals between milestones, arrival to release, from the event record.",
    ),
    "stats": Entry(
        "measurement",
        "stats",
        "E-commerce statistics: shipments, items, declared value and revenue by dimension.",
    ),
    "db": Entry("db", "db_app", "Database schema."),
    "export": Entry("measurement", "export_app", "Exports for analysis and benchmarking."),
    "accounts": Entry(
        "revenue", "accounts_app", "Intermediary accounts: open, pay, adjust, monthly statements."
    ),
    "aeo": Entry("clearance", "aeo_app", "AEO registry, mutual recognition, exchange files."),
    "agencies": Entry(
        "clearance", "agencies_app", "Other government agencies (Single Window) and subscriptions."
    ),
    "estimate": Entry(
        "revenue",
        "estimate",
        "Estimate duty, taxes and fees for one parcel; prints the explanation, then one JSON object.",
    ),
    "audit": Entry("security", "audit_app", "The trail: verify that no stored event was altered."),
    "keys": Entry("security", "keys_app", "API keys: create, list, revoke; data keys for personal data."),
    "model": Entry("model", "model_app", "Risk models: train, evaluate, list and activate versions."),
    "notify": Entry("clearance", "notify_app", "Notifications: webhooks and the NATS JetStream stream."),
    "offices": Entry("clearance", "offices_app", "Customs office master data (UN/LOCODE + suffix)."),
    "privacy": Entry("security", "privacy_app", "Personal data: retention purge and the audit log."),
    "registrations": Entry("revenue", "registrations_app", "Vendor registration numbers (IOSS and others)."),
    "risk": Entry("risk", "risk_app", "Risk analytics: selection for control, drift, case files."),
    "rules": Entry("rules", "rules_app", "Analyst risk rules: list, add, update, disable, backtest."),
    "simulate": Entry("revenue", "simulate_app", "Policy simulations over stored traffic."),
    "watchlist": Entry("rules", "watchlist_app", "Watch lists: import, export, list."),
}

_LISTING = "clearway.cli.listing"  # set in ctx.meta while the root lists its commands


def load(name: str) -> click.Command:
    """The real command `name`, importing its module."""
    entry = COMMANDS[name]
    target = getattr(importlib.import_module(f"clearway.cli.{entry.module}"), entry.attribute)
    if isinstance(target, typer.Typer):  # a group, even with one command (`simulate de-minimis`)
        command: click.Command = typer.main.get_group(target)
    else:  # a plain function: a command of its own (shell completion is the root's, not each command's)
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """Lists the commands of `COMMANDS` with their static help; imports one only to run it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if ctx.meta.get(_LISTING) and cmd_name not in self.commands:
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name].help)
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load(cmd_name)
        return self.commands[cmd_name]

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a domain error it leaves unhandled is still a known error (`error: ...` on
        standard error, exit status 2), never a traceback. Nothing is imported unless one is raised."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            from clearway.kit.errors import ClearwayError

            if not isinstance(exc, ClearwayError):
                raise
            from clearway.cli._common import fail

            fail(str(exc))

    def format_help(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        ctx.meta[_LISTING] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            ctx.meta.pop(_LISTING, None)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        ctx.meta[_LISTING] = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            ctx.meta.pop(_LISTING, None)


app = typer.Typer(
    help="Clearway: customs clearance and risk management for cross-border e-commerce.",
    no_args_is_help=True,
    cls=LazyGroup,
)


@app.callback()
def _root() -> None:
    # A callback makes the app a group even though it registers no command of its own.
    pass
