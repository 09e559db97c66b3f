"""FastAPI application factory: /v1 API, OpenAPI at /openapi.json, dashboard at /."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from clearway.api import measurement, rules, shipments
from clearway.config import Settings, get_settings
from clearway.declarations.model import Shipment, ShipmentBatch
from clearway.http import problems
from clearway.http.guards import RefuseUnstorableText
from clearway.kit.database import make_engine


def _openapi_with_submission_schemas(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = problems.PROBLEM_SCHEMA
    for model in (Shipment, ShipmentBatch):
        doc = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(doc.pop("$defs", {}))
        components[model.__name__] = doc
    app.openapi_schema = schema
    return schema


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Clearway",
        version="0.1.0",
        description="Customs clearance and risk management for cross-border e-commerce",
        # Every route can answer these as RFC 9457 problem details; routers add their own (404, 409, ...).
        responses=problems.COMMON_PROBLEMS,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    problems.install(app)
    app.add_middleware(RefuseUnstorableText)
    app.include_router(shipments.router)
    from clearway.api import aeo, agencies, notifications, offices, preloading
    from clearway.api import clearance as clearance_api

    for clearance_router in (clearance_api, preloading, agencies, offices, aeo, notifications):
        app.include_router(clearance_router.router)
    app.include_router(measurement.router)
    app.include_router(rules.router)
    from clearway.web import dashboard
    from clearway.web import measurement as measurement_pages

    app.include_router(dashboard.router)
    from clearway.web import agency as agency_pages
    from clearway.web import officer as officer_pages

    app.include_router(officer_pages.router)
    app.include_router(agency_pages.router)
    from clearway.web import login

    login.install(app)
    app.include_router(login.router)
    app.include_router(measurement_pages.router)
    from clearway.api import revenue as revenue_api
    from clearway.web import revenue as revenue_pages

    app.include_router(revenue_api.router)
    app.include_router(revenue_pages.router)
    from clearway.api import risk_analytics
    from clearway.web import risk as risk_pages

    app.include_router(risk_analytics.router)
    app.include_router(risk_pages.router)
    from clearway.api import estimate as estimate_api
    from clearway.web import estimator as estimator_pages

    app.include_router(estimate_api.router)
    app.include_router(estimator_pages.router)
    app.openapi = lambda: _openapi_with_submission_schemas(app)  # type: ignore[method-assign]
    return app
