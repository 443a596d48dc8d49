"""Load benchmark of the HTTP service against a real `detector serve` (uvicorn) on loopback.

    python benchmarks/bench_api.py                      # 1 and 2 workers, the full run (~2-3 min)
    python benchmarks/bench_api.py --quick              # fewer requests
    python benchmarks/bench_api.py --workers 2 --scoring batched,inline,threadpool
    python benchmarks/bench_api.py --model /tmp/m       # another models folder

For each worker count it starts the server on 127.0.0.1 (a free port; never any other address), waits for
/readyz, warms up, then measures with a small asyncio HTTP/1.1 keep-alive client (standard library; uvloop
when installed) so the client costs little CPU next to the server on the same machine:

* ``single, fixed rate``: POST /v1/score at a fixed rate (open loop: latency counted from the moment each
  request was due, so a stalled server cannot hide its queue);
* ``single, max``: POST /v1/score from C concurrent connections as fast as they are answered (closed loop);
  this run is 10,000 requests by default and reports its error count;
* ``batch32, max``: POST /v1/score/batch with 32 posts per request.

Posts are the labelled adverts in data/ (realistic lengths). If `wrk` is installed, ``--wrk`` adds a wrk
run of single posts for comparison; the benchmark never needs it. Prints numbers; asserts nothing.
Targets (2 cores): p99 <= 20 ms at 200 req/s with 1 worker; >= 800 single req/s with 2 workers; 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only


# ------------------------------------------------------------------------------------------ the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(workers: int, scoring: str, model: str | None, log_dir: Path) -> Iterator[int]:
    port = free_port()
    env = dict(os.environ)
    env.update({
        "DETECTOR_ENVIRONMENT": "development",
        "DETECTOR_FEEDBACK_DB": str(log_dir / "bench-feedback.db"),
        "DETECTOR_RATE_LIMIT_PER_MINUTE": "0",  # one client on one address: the limiter would be measured
        "DETECTOR_SCORE_CHARS_PER_MINUTE": "0",  # likewise its budget of characters
        "DETECTOR_SCORING": scoring,
        "DETECTOR_ACCESS_LOG": "true",  # as in production: one JSON line per request (to a file here)
    })
    if model:
        env["DETECTOR_MODEL_PATH"] = model
    log_path = log_dir / f"server-w{workers}-{scoring}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "detector.cli", "serve", "--host", HOST, "--port", str(port),
             "--workers", str(workers)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_ready(proc, port, log_path, workers)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def wait_ready(proc: subprocess.Popen[bytes], port: int, log_path: Path, workers: int) -> None:
    """Every worker logs `model_ready` once its model is loaded and verified; then /readyz must answer."""
    deadline = time.monotonic() + 120
    while True:
        log = log_path.read_text(errors="replace")
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}):\n{log[-3000:]}")
        if time.monotonic() > deadline or '"model_refused"' in log:
            raise SystemExit(f"the server never became ready:\n{log[-3000:]}")
        if log.count('"model_ready"') >= workers:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.2)


# ------------------------------------------------------------------------------------------ the client

class Conn:
    """One keep-alive HTTP/1.1 connection (responses always carry Content-Length here)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Conn:
        reader, writer = await asyncio.open_connection(HOST, port)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
                break
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self) -> None:
        self.writer.close()


def post(path: str, payload: object, port: int) -> bytes:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("ascii") + body


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0
    items_per_request: int = 1

    def add(self, status: int, latency: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status != 200:
            self.errors += 1
        self.latencies.append(latency)

    def pct(self, p: float) -> float:
        xs = sorted(self.latencies)
        if not xs:
            return float("nan")
        k = min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))
        return xs[k] * 1000

    def row(self) -> str:
        n = len(self.latencies)
        rps = n / self.elapsed if self.elapsed else 0.0
        per = f"{rps * self.items_per_request:8.0f}" if self.items_per_request > 1 else f"{'':>8}"
        return (f"{self.name:<34} {n:>7} {rps:>9.1f} {per} {self.pct(50):>8.2f} {self.pct(95):>8.2f} "
                f"{self.pct(99):>8.2f} {max(self.latencies) * 1000 if n else 0:>8.1f} {self.errors:>6}")


HEADER = (f"{'scenario':<34} {'reqs':>7} {'req/s':>9} {'posts/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'max ms':>8} {'errors':>6}")


async def closed_loop(port: int, requests: Sequence[bytes], concurrency: int, name: str,
                      items_per_request: int = 1) -> Result:
    res = Result(name, items_per_request=items_per_request)
    conns = [await Conn.open(port) for _ in range(concurrency)]
    it = iter(requests)

    async def run(conn: Conn) -> None:
        for raw in it:
            t = time.perf_counter()
            try:
                status, _ = await conn.request(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                status = 599
                conn.close()
                conn = await Conn.open(port)
            res.add(status, time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(run(c) for c in conns))
    res.elapsed = time.perf_counter() - t0
    for c in conns:
        c.close()
    return res


async def open_loop(port: int, requests: Sequence[bytes], rate: float, name: str, pool_size: int = 64) -> Result:
    """Requests are due every 1/rate s; latency is measured from when each was due (no coordinated omission)."""
    res = Result(name)
    pool: asyncio.Queue[Conn] = asyncio.Queue()
    for _ in range(pool_size):
        pool.put_nowait(await Conn.open(port))
    t0 = time.perf_counter() + 0.05  # perf_counter: uvloop's loop.time() has millisecond resolution

    async def one(i: int, raw: bytes) -> None:
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        conn = await pool.get()
        try:
            status, _ = await conn.request(raw)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status = 599
            conn.close()
            conn = await Conn.open(port)
        res.add(status, time.perf_counter() - due)
        pool.put_nowait(conn)

    start = time.perf_counter()
    await asyncio.gather(*(one(i, raw) for i, raw in enumerate(requests)))
    res.elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait().close()
    return res


# ------------------------------------------------------------------------------------------ the runs

def load_texts() -> list[str]:
    texts: list[str] = []
    for name in ("sample_posts.jsonl", "seed_adverts.jsonl", "written_adverts.jsonl"):
        p = REPO / "data" / name
        if p.is_file():
            for line in p.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    t = json.loads(line).get("text")
                    if isinstance(t, str) and t.strip() and len(t) <= 2000:
                        texts.append(t)
    if not texts:
        texts = ["LOKER ADMIN CS di Kamboja, gaji 15jt/bulan, tanpa pengalaman, tiket & visa ditanggung, "
                 "berangkat minggu depan. Minat japri ya kak"]
    return texts


def run_wrk(port: int, text: str, seconds: int, connections: int) -> str | None:
    wrk = shutil.which("wrk")
    if not wrk:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                 f"wrk.body = {json.dumps(json.dumps({'text': text}))}\n")
        script = fh.name
    try:
        out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script,
                              f"http://{HOST}:{port}/v1/score"], capture_output=True, text=True, timeout=seconds + 30)
        return out.stdout
    finally:
        os.unlink(script)


async def bench_one(port: int, workers: int, scoring: str, args: argparse.Namespace, texts: list[str]) -> list[Result]:
    rnd = random.Random(args.seed)
    singles = [post("/v1/score", {"text": rnd.choice(texts)}, port) for _ in range(max(args.requests, 2000))]
    batches = [post("/v1/score/batch", {"items": [{"id": str(j), "text": rnd.choice(texts)} for j in range(32)]},
                    port) for _ in range(args.batches)]
    tag = f"w={workers} {scoring}"
    # warm-up: every worker scores, JIT-free but caches and allocators settle
    await closed_loop(port, singles[:300], 8, "warmup")
    await closed_loop(port, batches[:4], 2, "warmup", 32)

    out = []
    rates = args.rate if workers == 1 else args.rate2
    for rate in rates:
        n = int(rate * args.seconds)
        out.append(await open_loop(port, singles[:n], rate, f"{tag} single @{rate:g}/s"))
    out.append(await closed_loop(port, singles[:args.requests], args.concurrency,
                                 f"{tag} single max c={args.concurrency}"))
    out.append(await closed_loop(port, batches, args.batch_concurrency,
                                 f"{tag} batch32 max c={args.batch_concurrency}", items_per_request=32))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    ap.add_argument("--scoring", default="batched", help="comma-separated: batched, inline, threadpool")
    ap.add_argument("--model", default=None, help="models folder (default: the shipped one)")
    ap.add_argument("--requests", type=int, default=10_000, help="single posts in the max-throughput run")
    ap.add_argument("--batches", type=int, default=200, help="batch requests (32 posts each)")
    ap.add_argument("--rate", type=lambda s: [float(x) for x in s.split(",")], default=[200.0],
                    help="fixed rates (req/s) for 1 worker (default 200)")
    ap.add_argument("--rate2", type=lambda s: [float(x) for x in s.split(",")], default=[200.0, 400.0],
                    help="fixed rates (req/s) for 2 workers (default 200,400)")
    ap.add_argument("--seconds", type=float, default=10.0, help="length of each fixed-rate run")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--batch-concurrency", type=int, default=4)
    ap.add_argument("--quick", action="store_true", help="2,000 singles, 60 batches, 5 s fixed-rate runs")
    ap.add_argument("--wrk", action="store_true", help="also run wrk (if installed) for single posts")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.quick:
        args.requests, args.batches, args.seconds = 2000, 60, 5.0
    try:
        import uvloop

        uvloop.install()
        loop_name = "uvloop"
    except ImportError:
        loop_name = "asyncio"

    texts = load_texts()
    lengths = sorted(len(t) for t in texts)
    print(f"# {len(texts)} posts, length median {lengths[len(lengths) // 2]} chars (max {lengths[-1]}); "
          f"{os.cpu_count()} CPUs; client on {loop_name}; Python {sys.version.split()[0]}")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        for scoring in args.scoring.split(","):
            for workers in (int(w) for w in args.workers.split(",")):
                with serve(workers, scoring, args.model, Path(tmp)) as port:
                    rs = asyncio.run(bench_one(port, workers, scoring, args, texts))
                    print(HEADER if not results else "", end="\n" if not results else "")
                    for r in rs:
                        print(r.row(), flush=True)
                        if set(r.statuses) - {200}:
                            print(f"{'':<34} statuses: {r.statuses}")
                    results.extend(rs)
                    if args.wrk:
                        out = run_wrk(port, texts[0], 10, args.concurrency)
                        print(out if out is not None else "# wrk is not installed; skipped")
    total = sum(len(r.latencies) for r in results)
    print(f"# total {total} measured requests, {sum(r.errors for r in results)} errors")


if __name__ == "__main__":
    main()
