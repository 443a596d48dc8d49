"""service/deploy/nginx.conf in front of a real `detector serve` in production mode: TLS, the redirect, the
Host allow-list, X-Forwarded-For overwritten (a client cannot pick its address), the service's JSON errors
reaching the client. Skipped, with the reason, when nginx or openssl is not installed (.ci/run installs
nginx; `apt-get install nginx`)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from svc_helpers import ADMIN_KEY, CLIENT_KEY, REPO, RISKY

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
NAME = "mod.example.test"
CONFIG = REPO / "service" / "deploy" / "nginx.conf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                           if os.access(p, os.X_OK)), None)
    if found is None:
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (needed for a self-signed test certificate)")
    return found


def site_config(upstream: int, http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """The repository's config with this test's ports, name and certificate: only the CHANGE lines."""
    text = CONFIG.read_text()
    for old, new in [("127.0.0.1:8000", f"127.0.0.1:{upstream}"), ("listen 80;", f"listen {HOST}:{http_port};"),
                     ("listen 443 ssl", f"listen {HOST}:{https_port} ssl"), ("mod.example.org", NAME),
                     (f"/etc/letsencrypt/live/{NAME}/fullchain.pem", str(cert)),
                     (f"/etc/letsencrypt/live/{NAME}/privkey.pem", str(key))]:
        assert old in text, f"{old!r} is no longer in {CONFIG}; update this test"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[dict[str, Any]]:
    nginx = _nginx()
    tmp = tmp_path_factory.mktemp("proxy")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={NAME}",
                    "-addext", f"subjectAltName=DNS:{NAME}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    upstream, http_port, https_port = _free_port(), _free_port(), _free_port()
    (tmp / "site.conf").write_text(site_config(upstream, http_port, https_port, cert, key))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read this folder
    (tmp / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n"
        f"  fastcgi_temp_path {tmp}/fcgi;\n  uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;\n"
        f"  include {tmp}/site.conf;\n}}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DETECTOR_") or k == "DETECTOR_MODELS_DIR"}
    env.update({
        "DETECTOR_ENVIRONMENT": "production", "DETECTOR_MODEL_PATH": str(models_dir),
        "DETECTOR_FEEDBACK_DB": str(tmp / "feedback.db"), "DETECTOR_API_KEYS": CLIENT_KEY,
        "DETECTOR_ADMIN_KEYS": ADMIN_KEY, "DETECTOR_ALLOWED_HOSTS": NAME, "DETECTOR_FORWARDED_ALLOW_IPS": HOST,
        "DETECTOR_MAX_BODY_BYTES": str(64 * 1024),
    })
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        service = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", "--host", HOST, "--port",
                                    str(upstream), "--workers", "1"], cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        proxy_proc = subprocess.Popen([nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 90
            while not _ready(upstream):
                assert service.poll() is None, log_path.read_text(errors="replace")[-3000:]
                assert proxy_proc.poll() is None, proxy_proc.stderr.read().decode() if proxy_proc.stderr else ""
                assert time.monotonic() < deadline, log_path.read_text(errors="replace")[-3000:]
                time.sleep(0.2)
            ctx = ssl.create_default_context(cafile=str(cert))
            yield {"https": https_port, "http": http_port, "upstream": upstream, "ctx": ctx, "log": log_path}
        finally:
            for proc in (proxy_proc, service):
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)


def _ready(port: int) -> bool:
    """/readyz straight from the service (health checks answer whatever the Host)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _request(proxy: dict[str, Any], method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
             raw: bytes | None = None, key: str | None = CLIENT_KEY) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPSConnection(HOST, proxy["https"], context=proxy["ctx"], timeout=30)
    # TLS names the site (SNI, certificate check); the Host header is what the service checks
    conn.sock = proxy["ctx"].wrap_socket(socket.create_connection((HOST, proxy["https"]), timeout=30),
                                          server_hostname=NAME)
    try:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        h = {"Host": NAME, **({"X-API-Key": key} if key else {}), **(headers or {})}
        if data is not None:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_scoring_through_the_tls_proxy(proxy: dict[str, Any]) -> None:
    status, headers, body = _request(proxy, "POST", "/v1/score", {"text": RISKY})
    assert status == 200 and json.loads(body)["risk_level"] == "tinggi"
    assert headers["strict-transport-security"].startswith("max-age=") and headers["x-request-id"]
    assert _request(proxy, "GET", "/readyz")[0] == 200


def test_plain_http_is_redirected_to_https(proxy: dict[str, Any]) -> None:
    conn = http.client.HTTPConnection(HOST, proxy["http"], timeout=10)
    conn.request("GET", "/v1/model", headers={"Host": NAME})
    r = conn.getresponse()
    assert r.status == 301 and r.getheader("location", "").startswith(f"https://{NAME}/")
    conn.close()


def test_the_service_answers_only_its_own_name_behind_the_proxy(proxy: dict[str, Any]) -> None:
    status, _, body = _request(proxy, "GET", "/v1/model", headers={"Host": "evil.example.com"})
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_host"


def test_a_client_cannot_choose_the_address_the_service_sees(proxy: dict[str, Any]) -> None:
    marker = "spoof-check-0001"
    status, _, _ = _request(proxy, "GET", "/v1/model", headers={"X-Forwarded-For": "203.0.113.99",
                                                                 "X-Request-ID": marker})
    assert status == 200
    time.sleep(0.3)
    lines = [json.loads(x) for x in proxy["log"].read_text().splitlines() if x.startswith("{")]
    [line] = [x for x in lines if x.get("request_id") == marker]
    assert line["client"] == HOST  # nginx's $remote_addr, not the client's header


def test_the_services_json_errors_reach_the_client(proxy: dict[str, Any]) -> None:
    status, headers, body = _request(proxy, "POST", "/v1/score", raw=b'{"text": "' + b"a" * 100_000 + b'"}')
    assert status == 413 and headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["limit"] == "max_body_bytes"
    status, _, body = _request(proxy, "POST", "/v1/feedback", {"model_version": "0.1.0", "text": RISKY,
                                                               "predicted_label": "high", "correct_label": "high",
                                                               "reason": "confirmed"}, key=None)
    assert status == 401 and json.loads(body)["error"]["code"] == "missing_api_key"
