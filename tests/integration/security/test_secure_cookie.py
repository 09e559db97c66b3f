"""Behind a TLS proxy the session cookie is marked Secure (issue "Trustworthy", defect 9): the login
reads the scheme the proxy reports, which uvicorn's proxy headers give the app only from trusted
proxies (CLEARWAY_FORWARDED_ALLOW_IPS)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from clearway.config import Settings
from clearway.kit.database import make_engine
from clearway.security import keys
from clearway.server import create_app


def _login(db_url: str, trusted: str, forwarded: str) -> str:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        key = keys.create_key(conn, "officer").key
    engine.dispose()
    inner: Any = create_app(Settings(database_url=db_url))
    app: Any = ProxyHeadersMiddleware(inner, trusted_hosts=trusted)
    with TestClient(app, follow_redirects=False) as client:
        answer = client.post("/login", data={"key": key}, headers={"X-Forwarded-Proto": forwarded})
    assert answer.status_code == 303
    return str(answer.headers["set-cookie"])


def test_a_trusted_tls_proxy_makes_the_cookie_secure(db_url: str) -> None:
    assert "Secure" in _login(db_url, "*", "https")


def test_an_untrusted_forwarded_header_is_ignored(db_url: str) -> None:
    assert "Secure" not in _login(db_url, "10.9.9.9", "https")
