"""`clearway serve` (the API and dashboard) and `clearway demo` (a day of traffic, then the dashboard)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from clearway.cli._common import DbOption, console, settings


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """API and dashboard."""
    import uvicorn

    from clearway.cli.security import security_banner
    from clearway.migrations import upgrade
    from clearway.runtime import prepare_for_batches
    from clearway.server import create_app

    current = settings(db)
    upgrade(current.database_url)
    prepare_for_batches()
    console().print(f"Clearway on http://{host}:{port}  (API docs at /docs)")
    security_banner(current)
    # Behind a TLS proxy, its X-Forwarded-Proto makes the session cookie Secure: trusted only from the
    # proxies named in CLEARWAY_FORWARDED_ALLOW_IPS (uvicorn's proxy headers).
    uvicorn.run(
        create_app(current),
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=current.forwarded_allow_ips,
    )


def demo(
    shipments: Annotated[int, typer.Option("--shipments", min=1)] = 5000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard afterwards")
    ] = True,
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """A day of traffic through the pipeline, arrivals and controls, then the dashboard."""
    from clearway.demo import run_demo

    current = settings(db)
    folder = Path("demo-data")
    folder.mkdir(exist_ok=True)
    result = run_demo(current, shipments, seed, folder, console())
    typer.echo(json.dumps(result))  # one line, never wrapped to the terminal: scripts read it
    if serve_after:
        from clearway.cli.security import demo_key

        demo_key(current)
        serve(db=current.database_url, port=port)
