"""Part `events`: what the event feed costs and how fast it goes (SQLite, release binary).

- outbox: `get`, `update` and `create-payment` under callgrind, each binary on a fresh copy
  of the small database it seeded itself (so at its own schema): before = the release binary
  of BEFORE, main just before the event feed merged (built from `git archive` into
  .build/bench/, or BENCH_OUTBOX_BEFORE=PATH); after = this binary; and this binary on a store
  with one webhook subscription (whose tables every process then parses). The goal is after /
  before at most 1.10 for update and create-payment. As an explanation, the instructions of
  recording the change and appending its event (WriteTransaction.recordChange and
  appendEvents, inclusive of the SQL they run).
- latency: `optimist serve` delivering to a receiver on loopback: from an event's created_at
  (written just before COMMIT) to the POST's arrival, one event at a time, median and p99.
- throughput: 8 writer processes updating at once while `events --follow` runs: events
  appended per second, and whether the follower printed each exactly once.
"""

import http.server
import json
import os
import secrets
import shutil
import statistics
import subprocess
import threading
import time
from datetime import datetime

import callgrind
import common
import sql

OUTBOX = (r"12recordChange", r"12appendEvents")


def outbox_instructions(path):
    return sum(callgrind.inclusive(path, pattern) for pattern in OUTBOX)


# Main just before the event feed merged (c27d042^1): serve, the README and failover, no outbox.
BEFORE = "92b1c70"


def before_binary(ctx):
    """The release optimist of BEFORE, built once into .build/bench/ (or BENCH_OUTBOX_BEFORE)."""
    given = os.environ.get("BENCH_OUTBOX_BEFORE")
    if given:
        return os.path.abspath(given), given
    folder = os.path.join(os.path.dirname(ctx.work), f"before-{BEFORE}")
    binary = os.path.join(folder, "optimist")
    if not os.path.exists(binary):
        common.say(f"building the release optimist of {BEFORE} (the event feed's before) in {folder}")
        source = os.path.join(folder, "src")
        shutil.rmtree(source, ignore_errors=True)
        os.makedirs(source)
        archive = subprocess.run(["git", "-C", common.REPO, "archive", BEFORE], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", source], input=archive.stdout, check=True)
        # Without the version and commit `make` exports for this checkout: not the old binary's.
        env = {k: v for k, v in os.environ.items() if k not in ("OPTIMIST_VERSION", "OPTIMIST_COMMIT")}
        common.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "-Xswiftc", "-static-executable",
                    "--product", "optimist"], cwd=source, env=env)
        shutil.copy(os.path.join(source, ".build", "release", "optimist"), binary)
    return binary, f"commit {BEFORE}"


def calls_of(binary, work, name, subscribe=None):
    """callgrind's instructions of get, update and create-payment by `binary` on a small
    database it seeded itself (subscribe(db): before the measured calls), and the files."""
    seeded = os.path.join(work, f"{name}.db")
    sql.seed(binary, seeded, 1000)
    if subscribe:
        subscribe(seeded)
    out, files = {}, {}
    with callgrind.Place() as place:
        db = place.copy(seeded, "small.db")
        copy = place.copy(binary, "optimist")
        customer, warm, read = sql.id_at(db, 10), sql.id_at(db, 11), sql.id_at(db, 500)
        # One unmeasured write first: the copy's first write may bring its schema up to date.
        common.run([copy, "update", warm, "--version", "0", "--set", "note=warm", "--db", "./small.db"],
                   cwd=place.folder)
        calls = {
            "get": ["./optimist", "get", read, "--db", "./small.db"],
            "update": ["./optimist", "update", customer, "--version", "0", "--set", "note=probe", "--db",
                       "./small.db"],
            "payment": ["./optimist", "create-payment", "--key", "events-probe", "--amount", "450", "--currency",
                        "USD", "--source-id", "cnon:card-nonce-ok", "--customer-id", customer, "--db",
                        "./small.db"],
        }
        for call, argv in calls.items():
            files[call] = os.path.join(work, f"callgrind.events.{name}.{call}.out")
            out[call] = place.run(argv, files[call])
    return out, files


def subscriber(ctx, work):
    """A function giving a database one webhook subscription, made as a user makes it: through
    `optimist serve`'s CreateWebhookSubscription."""
    def subscribe(db):
        token = secrets.token_hex(16)
        server = subprocess.Popen([ctx.binary, "serve", "--listen", "127.0.0.1:0", "--db", db],
                                  env={**os.environ, "OPTIMIST_TOKEN": token}, stdout=subprocess.PIPE,
                                  stderr=open(os.path.join(work, "serve-subscribe.err"), "w"))
        try:
            url = json.loads(server.stdout.readline())["url"]
            common.run(["curl", "-sf", "-X", "POST", f"{url}/v2/webhooks/subscriptions",
                        "-H", f"Authorization: Bearer {token}",
                        "-d", json.dumps({"subscription": {"notification_url": "http://127.0.0.1:9/hook",
                                                           "event_types": ["customer.updated"]}})])
        finally:
            server.terminate()
            server.wait(timeout=60)
    return subscribe


def measure_outbox(ctx, work):
    before, label = before_binary(ctx)
    out = {"before_label": label}
    out["before"], _ = calls_of(before, work, "before")
    out["after"], files = calls_of(ctx.binary, work, "after")
    out["subscribed"], _ = calls_of(ctx.binary, work, "subscribed", subscriber(ctx, work))
    out["attributed"] = {call: outbox_instructions(files[call]) for call in ("update", "payment")}
    return out


class Receiver:
    def __init__(self):
        self.arrivals = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                arrived = time.time()
                event = json.loads(body)
                with receiver.lock:
                    receiver.arrivals[event["event_id"]] = (arrived, event["created_at"])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def seconds_of(rfc3339):
    return datetime.strptime(rfc3339.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def measure_latency(ctx, work, count):
    db = os.path.join(work, "latency.db")
    token = secrets.token_hex(16)
    receiver = Receiver()
    server = subprocess.Popen([ctx.binary, "serve", "--listen", "127.0.0.1:0", "--db", db],
                              env={**os.environ, "OPTIMIST_TOKEN": token},
                              stdout=subprocess.PIPE, stderr=open(os.path.join(work, "serve.err"), "w"))
    try:
        url = json.loads(server.stdout.readline())["url"]
        request = subprocess.run(
            ["curl", "-sf", "-X", "POST", f"{url}/v2/webhooks/subscriptions", "-H", f"Authorization: Bearer {token}",
             "-d", json.dumps({"subscription": {"notification_url": receiver.url,
                                                "event_types": ["customer.created"]}})],
            capture_output=True, text=True)
        if request.returncode != 0:
            raise SystemExit(f"bench: creating the subscription failed: {request.stderr}")
        latencies = []
        for n in range(count):
            created = json.loads(common.run([ctx.binary, "create-customer", "--given-name", f"L{n}", "--db", db]))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with receiver.lock:
                    found = [v for v in receiver.arrivals.values()]
                if len(found) > n:
                    break
                time.sleep(0.001)
            else:
                raise SystemExit(f"bench: event {n} of {created['id']} was not delivered in 30 s")
        with receiver.lock:
            for arrived, created_at in receiver.arrivals.values():
                latencies.append((arrived - seconds_of(created_at)) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=60)
        receiver.server.shutdown()
    latencies.sort()
    return {"events": len(latencies), "median_ms": statistics.median(latencies),
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def measure_throughput(ctx, work, writers, updates):
    db = os.path.join(work, "throughput.db")
    ids = [json.loads(common.run([ctx.binary, "create-customer", "--given-name", f"W{n}", "--db", db]))["id"]
           for n in range(writers)]
    start = json.loads(common.run([ctx.binary, "events", "--db", db]))["cursor"]
    follower = subprocess.Popen([ctx.binary, "events", "--follow", "--after", start, "--timeout", "600", "--db", db],
                                stdout=subprocess.PIPE, text=True)
    script = ('i=0; while [ $i -lt "$2" ]; do "$0" update "$1" --set note=$i --db "$3" >/dev/null || exit 1; '
              'i=$((i+1)); done')
    began = time.monotonic()
    procs = [subprocess.Popen(["sh", "-c", script, ctx.binary, cid, str(updates), db]) for cid in ids]
    codes = [p.wait() for p in procs]
    seconds = time.monotonic() - began
    if any(codes):
        raise SystemExit(f"bench: a writer failed: {codes}")
    total = writers * updates
    lines = []
    deadline = time.monotonic() + 60
    while len(lines) < total and time.monotonic() < deadline:
        line = follower.stdout.readline()
        if not line:
            break
        lines.append(json.loads(line)["event"]["event_id"])
    follower.kill()
    follower.wait()
    return {"writers": writers, "updates": total, "seconds": seconds, "events_per_second": total / seconds,
            "followed": len(lines), "followed_unique": len(set(lines))}


def measure(ctx):
    work = os.path.join(ctx.work, "events")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    common.say("the event feed: outbox instructions, delivery latency, throughput under 8 writers")
    quick = ctx.quick
    return {"outbox": measure_outbox(ctx, work),
            "latency": measure_latency(ctx, work, 20 if quick else 200),
            "throughput": measure_throughput(ctx, work, 8, 5 if quick else 50)}
