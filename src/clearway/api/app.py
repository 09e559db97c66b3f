"""FastAPI application factory: /v1 API, OpenAPI at /openapi.json, dashboard at /."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from clearway.api import measurement, problems, shipments
from clearway.config import Settings
from clearway.declarations.model import Shipment, ShipmentBatch
from clearway.storage.database import make_engine


def _openapi_with_submission_schemas(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Shipment, ShipmentBatch):
        doc = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(doc.pop("$defs", {}))
        components[model.__name__] = doc
    app.openapi_schema = schema
    return schema


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="Clearway",
        version="0.1.0",
        description="Customs clearance and risk management for cross-border e-commerce",
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    problems.install(app)
    app.include_router(shipments.router)
    app.include_router(measurement.router)
    from clearway.web import dashboard
    from clearway.web import measurement as measurement_pages

    app.include_router(dashboard.router)
    app.include_router(measurement_pages.router)
    app.openapi = lambda: _openapi_with_submission_schemas(app)  # type: ignore[method-assign]
    return app
