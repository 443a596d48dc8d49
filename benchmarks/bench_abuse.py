"""The hostile batch of issue 14 against a real `detector serve` (1 worker, loopback): how long it takes, how
big the answer is, how much memory the server needs, and whether /healthz and another client stay served.

    python benchmarks/bench_abuse.py                    # 50 texts of 20,000 chars of '🇰🇭 ' (3 MB), once
    python benchmarks/bench_abuse.py --requests 3       # three such batches at once, from one key
    python benchmarks/bench_abuse.py --items 10 --unit 'gaji 15jt '

While the attacker's batch runs, one thread asks GET /healthz every 50 ms (a fresh connection each time, as
a load balancer does) and a second client, with its own key, scores one ordinary post every 200 ms. The
server's resident memory is sampled from /proc every 50 ms. Prints numbers; asserts nothing. Targets
(issue 14): /healthz < 100 ms throughout, the batch answered within a stated bound, memory bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import HOST, REPO, free_port  # noqa: E402

ATTACKER = "bench-attacker-key-0123456789"
BYSTANDER = "bench-bystander-key-0123456789"
ORDINARY = ("Dibutuhkan admin CS di Kamboja, gaji 15 juta/bulan, tanpa pengalaman, tiket ditanggung. "
            "Minat japri.")


@contextmanager
def serve(log_dir: Path, extra_env: dict[str, str]) -> Iterator[tuple[int, int]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DETECTOR_") or k == "DETECTOR_MODELS_DIR"}
    env.update({
        "DETECTOR_ENVIRONMENT": "development",
        "DETECTOR_FEEDBACK_DB": str(log_dir / "feedback.db"),
        "DETECTOR_API_KEYS": f"{ATTACKER},{BYSTANDER}",
        "DETECTOR_ACCESS_LOG": "false",
        "DETECTOR_LOG_LEVEL": "warning",
    })
    env.update(extra_env)
    log_path = log_dir / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "detector.cli", "serve", "--host", HOST, "--port", str(port), "--workers", "1"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while not _ready(port):  # model_ready is logged at info level: poll /readyz instead
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server never became ready:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            yield port, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _ready(port: int) -> bool:
    try:
        status, _ = request(port, "GET", "/readyz", timeout=2)
        return status == 200
    except OSError:
        return False


def request(port: int, method: str, path: str, body: bytes | None = None, key: str | None = None,
            timeout: float = 300) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if key:
            headers["X-API-Key"] = key
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--chars", type=int, default=20_000, help="characters per text")
    ap.add_argument("--unit", default="🇰🇭 ", help="repeated to fill each text")
    ap.add_argument("--same", action="store_true",
                    help="identical texts (by default each starts with its index, so the score cache cannot help)")
    ap.add_argument("--requests", type=int, default=1, help="hostile batches sent at once (one key)")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra DETECTOR_* settings for the server")
    args = ap.parse_args()

    text = (args.unit * (args.chars // len(args.unit) + 1))[:args.chars]
    def body_of(r: int) -> bytes:  # each request's texts differ too (unless --same)
        texts = [text if args.same else f"{r}-{i} {text}"[:args.chars] for i in range(args.items)]
        return json.dumps({"items": [{"id": f"h{i}", "text": t} for i, t in enumerate(texts)]},
                          ensure_ascii=False).encode()

    bodies = [body_of(r) for r in range(args.requests)]
    ordinary = json.dumps({"text": ORDINARY}).encode()
    extra = dict(kv.split("=", 1) for kv in args.env)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"hostile batch: {args.items} x {args.chars} chars of {args.unit!r} = {len(bodies[0]) / 1e6:.1f} MB body, "
          f"{args.requests} at once; server settings {extra or 'default'}")

    with tempfile.TemporaryDirectory(prefix="bench-abuse-") as tmp, serve(Path(tmp), extra) as (port, pid):
        request(port, "POST", "/v1/score", ordinary, key=BYSTANDER)  # warm
        rss0 = rss_mb(pid)
        stop = threading.Event()
        health: list[float] = []
        health_bad: list[int] = []
        bystander: list[float] = []
        bystander_status: dict[int, int] = {}
        rss: list[float] = []

        def poll_health() -> None:
            while not stop.is_set():
                t = time.perf_counter()
                try:
                    status, _ = request(port, "GET", "/healthz", timeout=30)
                except OSError:
                    status = 599
                health.append(time.perf_counter() - t)
                if status != 200:
                    health_bad.append(status)
                stop.wait(0.05)

        def poll_bystander() -> None:
            while not stop.is_set():
                t = time.perf_counter()
                try:
                    status, _ = request(port, "POST", "/v1/score", ordinary, key=BYSTANDER, timeout=60)
                except OSError:
                    status = 599
                bystander.append(time.perf_counter() - t)
                bystander_status[status] = bystander_status.get(status, 0) + 1
                stop.wait(0.2)

        def sample_rss() -> None:
            while not stop.is_set():
                rss.append(rss_mb(pid))
                stop.wait(0.05)

        results: list[tuple[int, int, float, str]] = []

        def attack(body: bytes) -> None:
            t = time.perf_counter()
            try:
                status, out = request(port, "POST", "/v1/score/batch", body, key=ATTACKER)
            except OSError as exc:
                status, out = 599, str(exc).encode()
            code = ""
            if status != 200:
                try:
                    code = json.loads(out)["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    code = out[:80].decode(errors="replace")
            results.append((status, len(out), time.perf_counter() - t, code))

        watchers = [threading.Thread(target=f, daemon=True) for f in (poll_health, poll_bystander, sample_rss)]
        for w in watchers:
            w.start()
        time.sleep(2.0)  # the same probes on an idle server, for comparison (this machine may be busy)
        idle_health, idle_bystander = [x * 1000 for x in health], [x * 1000 for x in bystander]
        health.clear()
        bystander_status.clear()
        bystander.clear()
        t0 = time.perf_counter()
        attackers = [threading.Thread(target=attack, args=(b,)) for b in bodies]
        for a in attackers:
            a.start()
        for a in attackers:
            a.join()
        elapsed = time.perf_counter() - t0
        stop.set()
        for w in watchers:
            w.join()

    print(f"\n{'batch':<6} {'status':>6} {'seconds':>8} {'response MB':>12}  error")
    for i, (status, size, secs, code) in enumerate(results):
        print(f"{i:<6} {status:>6} {secs:>8.2f} {size / 1e6:>12.2f}  {code}")
    print(f"all batches answered after {elapsed:.2f} s")
    print(f"server RSS: {rss0:.0f} MB before, peak {max(rss, default=float('nan')):.0f} MB")
    print(f"idle server first: /healthz p50 {statistics.median(idle_health):.1f} ms, max {max(idle_health):.1f} ms; "
          f"other key's POST /v1/score p50 {statistics.median(idle_bystander):.1f} ms, "
          f"max {max(idle_bystander):.1f} ms")
    ms = [x * 1000 for x in health]
    print(f"/healthz: {len(ms)} probes, p50 {statistics.median(ms):.1f} ms, p99 {pct(ms, 99):.1f} ms, "
          f"max {max(ms):.1f} ms, non-200: {len(health_bad)}")
    bs = [x * 1000 for x in bystander]
    print(f"other key, POST /v1/score: {len(bs)} requests, p50 {statistics.median(bs):.1f} ms, "
          f"max {max(bs):.1f} ms, statuses {bystander_status}")


if __name__ == "__main__":
    main()
