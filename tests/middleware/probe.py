"""Run by test_package under Python 3.9, the oldest the package promises: the middleware end to end.

Standard library only, no site-packages: argv[1] is where to import maintctl_middleware from.
"""

import asyncio
import json
import sys
import threading
import wsgiref.util
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, sys.argv[1])

from maintctl_middleware import MaintenanceASGI, MaintenanceWSGI

BODY = json.dumps(
    {
        "status": "pass",
        "maintenanceMode": True,
        "trafficMode": "read-only",
        "message": "Back at 04:00 UTC.",
        "until": "2099-01-01T04:00:00Z",
        "systems": {"db": {"maintenanceMode": True, "trafficMode": "maintenance"}},
    }
).encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_address[1]}"


def wsgi_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["maintctl.maintenance"]["message"].encode()]


seen = {}


def wsgi(app, method, path):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path}
    wsgiref.util.setup_testing_defaults(environ)

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


with MaintenanceWSGI(wsgi_app, server=url, systems=["api"]) as app:
    assert app.refresh_now().state is not None
    status, headers, body = wsgi(app, "GET", "/x")
    assert status == "200 OK" and body == b"Back at 04:00 UTC.", (status, body)
    assert headers["Maintenance-Mode"] == "on"
    status, headers, body = wsgi(app, "POST", "/x")
    assert status.startswith("503") and int(headers["Retry-After"]) > 0, status
    status, headers, body = wsgi(app, "GET", "/health")
    assert json.loads(body)["maintctl"] == "known"


async def asgi_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def asgi(app, method, path):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    await app({"type": "http", "method": method, "path": path, "headers": []}, receive, send)
    return sent[0]["status"]


with MaintenanceASGI(asgi_app, server=url, systems=["db"]) as app:
    app.refresh_now()
    assert asyncio.run(asgi(app, "GET", "/x")) == 503  # db's traffic maintenance
server.shutdown()
print("ok", sys.version_info[:2])
