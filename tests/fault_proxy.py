"""A fault-injecting HTTP proxy for the TAP tests (loopback only).

It sits in front of a real TAP service (the tests' GAVO DaCHS) and passes every request through,
rewriting the service's own URLs to its own, except the ones a fault rule picks. A rule picks the
submissions (``POST .../async``) whose query text contains ``match`` and spoils ``times`` of them
(``None``: all), one of these ways:

- ``http500`` / ``http503``: the submission is answered with that status;
- ``reset``: the connection is reset (TCP RST) instead of an answer;
- ``slow``: the answer comes ``delay_s`` late (past the client's time-out);
- ``error`` / ``aborted``: the job runs, but its phase reads ERROR / ABORTED;
- ``truncated``: the job's result VOTable is cut in half;
- ``overflow``: the job's result says ``QUERY_STATUS = OVERFLOW``.

``proxy.log`` lists what it did, for the tests' assertions.
"""

from __future__ import annotations

import http.client
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_plus, urlsplit

SUBMISSION_FAULTS = {"http500", "http503", "reset", "slow"}
JOB_FAULTS = {"error", "aborted", "truncated", "overflow"}


@dataclass
class Rule:
    kind: str
    match: str
    times: int | None
    delay_s: float = 0.0
    used: int = 0

    def take(self) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        self.used += 1
        return True


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.upstream_base = f"{parts.scheme}://{parts.netloc}"
        self.rules: list[Rule] = []
        self.jobs: dict[str, Rule] = {}  # job id -> the job fault it carries
        self.log: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        """The proxy's URL for a path of the upstream service (e.g. ``/tap``)."""
        return self.base + path

    def add(self, kind: str, match: str, times: int | None = 1, delay_s: float = 0.0) -> Rule:
        assert kind in SUBMISSION_FAULTS | JOB_FAULTS, kind
        rule = Rule(kind, match, times, delay_s)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()
            self.jobs.clear()
            self.log.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def pick(self, query: str) -> Rule | None:
        with self.lock:
            for rule in self.rules:
                if rule.match in query and rule.take():
                    return rule
        return None

    def record(self, kind: str, detail: str) -> None:
        with self.lock:
            self.log.append((kind, detail))


_PHASE = re.compile(rb"(<(?:\w+:)?phase>)\w+(</(?:\w+:)?phase>)")
_JOB_ID = re.compile(r"/async/([^/?#]+)")


def _handler(proxy: FaultProxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._relay()

        def do_POST(self) -> None:
            self._relay()

        def do_DELETE(self) -> None:
            self._relay()

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            job_match = _JOB_ID.search(self.path)
            job_id = job_match.group(1) if job_match else None
            is_submission = self.command == "POST" and re.search(r"/async/?$", self.path.split("?")[0]) is not None
            rule = None
            if is_submission:
                text = unquote_plus(body.decode("utf-8", "replace"))
                rule = proxy.pick(text)
                if rule and rule.kind in SUBMISSION_FAULTS:
                    proxy.record(rule.kind, rule.match)
                    if rule.kind == "reset":
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        self.connection.close()
                        self.close_connection = True
                        return
                    if rule.kind == "slow":
                        time.sleep(rule.delay_s)
                    else:
                        self._send(int(rule.kind[4:]), {"Content-Type": "text/plain"}, b"injected fault\n")
                        return
            status, headers, payload = self._forward(body)
            if is_submission and rule and rule.kind in JOB_FAULTS:
                new_id = _JOB_ID.search(headers.get("Location", ""))
                if new_id:
                    with proxy.lock:
                        proxy.jobs[new_id.group(1)] = rule
            job_rule = proxy.jobs.get(job_id) if job_id else None
            if job_rule is not None and self.command == "GET":
                payload = self._spoil(job_rule, payload)
            self._send(status, headers, payload)

        def _spoil(self, rule: Rule, payload: bytes) -> bytes:
            is_result = "/results/" in self.path
            if rule.kind in ("error", "aborted") and not is_result:
                phase = rule.kind.upper().encode()
                if self.path.rstrip("/").endswith("/phase"):
                    return phase
                proxy.record(rule.kind, rule.match)
                return _PHASE.sub(rb"\g<1>" + phase + rb"\g<2>", payload)
            if rule.kind == "truncated" and is_result:
                proxy.record(rule.kind, rule.match)
                return payload[: len(payload) // 2]
            if rule.kind == "overflow" and is_result:
                proxy.record(rule.kind, rule.match)
                return payload.replace(b'name="QUERY_STATUS" value="OK"', b'name="QUERY_STATUS" value="OVERFLOW"')
            return payload

        def _forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
            conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
            headers["Host"] = f"{proxy.upstream_host}:{proxy.upstream_port}"
            if body:
                headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body or None, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            conn.close()
            out = {k: v for k, v in response.getheaders() if k.lower() not in ("transfer-encoding", "content-length", "connection")}
            if "Location" in out:
                out["Location"] = out["Location"].replace(proxy.upstream_base, proxy.base)
            payload = payload.replace(proxy.upstream_base.encode(), proxy.base.encode())
            return response.status, out, payload

        def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
            self.close_connection = True

    return Handler
