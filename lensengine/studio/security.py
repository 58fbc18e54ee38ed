"""Who may use the studio: requests from this machine's own page only.

- The server listens on 127.0.0.1 (see ``server``), so other machines cannot connect at all.
- Every request must carry the random token printed at start (``?token=``, the ``X-Studio-Token`` header, or the
  cookie the page gets when opened with the token), compared in constant time.
- The Host header must name 127.0.0.1 or localhost at the studio's port: a DNS-rebinding page cannot pass.
- An Origin header, when present, must be the studio's own, and a browser's ``Sec-Fetch-Site`` must say
  ``same-origin`` (or ``none``: an address typed by the user); a page on another port of this machine is
  ``same-site``, and is refused too. So another web page cannot drive or even embed the studio (403).
"""

from __future__ import annotations

import secrets
from collections import deque
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse

TOKEN_HEADER = "x-studio-token"
COOKIE = "lensengine_studio"


def new_token() -> str:
    """A random URL-safe token (32 bytes of entropy), as Jupyter prints in its URL."""
    return secrets.token_urlsafe(32)


def allowed_hosts(port: int) -> set[str]:
    return {f"127.0.0.1:{port}", f"localhost:{port}"}


def allowed_origins(port: int) -> set[str]:
    return {f"http://{host}" for host in allowed_hosts(port)}


def _query_token(scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else None


def _cookie_token(headers: Headers) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    try:
        cookie = SimpleCookie(raw)
    except Exception:
        return None
    morsel = cookie.get(COOKIE)
    return morsel.value if morsel else None


class StudioGuard:
    """ASGI middleware: 403 for a wrong Host, a foreign Origin, a cross-site fetch or a missing/wrong token.

    A page opened with a valid ``?token=`` also gets the token as an HttpOnly, SameSite=Strict cookie, so its
    images, styles and scripts load without the token in every address.
    """

    def __init__(self, app, token: str, port: int) -> None:
        self.app, self.token, self.port = app, token, port
        self.refused: deque[tuple[str, str]] = deque(maxlen=50)  # (path, reason) of recent refusals

    def refusal(self, scope) -> str | None:
        """Why this request is refused, or None when it may pass."""
        headers = Headers(scope=scope)
        if headers.get("host", "") not in allowed_hosts(self.port):
            return "host not allowed"
        origin = headers.get("origin")
        if origin is not None and origin not in allowed_origins(self.port):
            return "origin not allowed"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "request from another site"  # e.g. an <img> on another port of this machine (same-site)
        for given in (_query_token(scope), headers.get(TOKEN_HEADER), _cookie_token(headers)):
            if given and secrets.compare_digest(given.encode(), self.token.encode()):
                return None
        return "token missing or wrong: open the address lensengine studio printed"

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        reason = self.refusal(scope)
        if reason is not None:
            self.refused.append((scope.get("path", ""), reason))
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await PlainTextResponse(f"403 forbidden: {reason}\n", status_code=403)(scope, receive, send)
            return
        query = _query_token(scope)
        if query is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
