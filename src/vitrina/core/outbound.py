"""HTTP clients for outbound calls (signed webhooks), sharing one TLS context.

Building httpx's default TLS context loads the whole CA bundle, about 0.1 s of CPU; every
client paid it at start-up. The context is built once per process instead, with the same
settings httpx uses by default (certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR).
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def client(*, timeout_s: float) -> httpx.AsyncClient:
    """A client that verifies certificates and never follows redirects."""
    return httpx.AsyncClient(timeout=timeout_s, follow_redirects=False, verify=tls_context())
