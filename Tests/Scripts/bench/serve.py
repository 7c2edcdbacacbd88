"""Part `serve`: optimist serve under wrk, on loopback: GET /v2/customers/{id} and a versioned
PUT /v2/customers/{id} (Tests/Scripts/wrk/versioned-put.lua) at 1, 8 and 64 connections,
against one CLI process per request as the baseline; and the GET at 8 connections again while
500 slow clients hold connections open (trickling their heads), against wrk alone."""

import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time

import common

CONNECTIONS = (1, 8, 64)
SLOW_CLIENTS = 500


class SlowClients:
    """`count` connections that each send one byte of a request head a second, reopened when
    the server closes them (after its --header-timeout): a slowloris on loopback."""

    def __init__(self, port, count):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = count + 256
        if soft != resource.RLIM_INFINITY and soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
        self.port, self.count = port, count
        self.head = b"GET /v2/customers HTTP/1.1\r\nHost: x\r\n"
        self.stop = threading.Event()
        self.reopened = 0
        self.sockets = [self.open() for _ in range(count)]
        self.thread = threading.Thread(target=self.trickle)
        self.thread.start()

    def open(self):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", self.port))
        return [s, 0]

    def trickle(self):
        while not self.stop.wait(1):
            for entry in self.sockets:
                s, sent = entry
                try:
                    s.send(self.head[sent % len(self.head):][:1])
                    entry[1] = sent + 1
                except OSError:
                    s.close()
                    entry[:] = self.open()
                    self.reopened += 1

    def close(self):
        self.stop.set()
        self.thread.join()
        for s, _ in self.sockets:
            s.close()


def parse_wrk(text):
    """Requests/s, the 50% and 99% latencies (wrk --latency) in ms, and the versioned PUT's
    outcomes when the script printed them."""
    def ms(value):
        number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    if "PANIC" in text or "error" in text.split("Running")[0]:
        raise SystemExit(f"bench: wrk failed: {text}")
    out = {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
           "p50_ms": ms(re.search(r"\s50%\s+(\S+)", text).group(1)),
           "p99_ms": ms(re.search(r"\s99%\s+(\S+)", text).group(1))}
    puts = re.search(r"versioned-put applied=(\d+) refused=(\d+) other=(\d+)", text)
    if puts:
        out.update(applied=int(puts.group(1)), refused=int(puts.group(2)), other=int(puts.group(3)))
    return out


def measure(ctx):
    binary, seconds = ctx.binary, ctx.size["serve_seconds"]
    customers, cli_calls = ctx.size["serve_customers"], ctx.size["serve_cli_calls"]
    work = os.path.join(ctx.work, "serve")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    db = os.path.join(work, "serve.db")
    token = secrets.token_hex(24)
    env = {**os.environ, "OPTIMIST_TOKEN": token}
    common.say(f"optimist serve under wrk: {seconds} s per row, {customers} customers")
    ids = [json.loads(common.run([binary, "create-customer", "--given-name", f"Bench {n}", "--db", db]))["id"]
           for n in range(1, customers + 1)]
    first = ids[0]
    server = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--db", db], env=env,
                              stdout=open(os.path.join(work, "serve.out"), "w"),
                              stderr=open(os.path.join(work, "serve.err"), "w"))
    out = {"seconds": seconds, "customers": customers, "cli_calls": cli_calls, "get": {}, "put": {}}
    try:
        for _ in range(100):
            if os.path.getsize(os.path.join(work, "serve.out")):
                break
            time.sleep(0.1)
        url = json.loads(common.read(os.path.join(work, "serve.out")))["url"]

        def wrk(name, connections, *args, extra_env=None):
            threads = 1 if connections < 2 else 2
            argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                    "-H", "Authorization: Bearer $OPTIMIST_TOKEN", *args]
            if connections == CONNECTIONS[0]:
                ctx.remember(argv)
                ctx.commands[-1] = (ctx.commands[-1].replace(url, "$URL")
                                    .replace("'Authorization: Bearer $OPTIMIST_TOKEN'",
                                             '"Authorization: Bearer $OPTIMIST_TOKEN"'))
            argv[6] = f"Authorization: Bearer {token}"
            text = common.run(argv, env={**env, "BENCH_THREADS": str(threads), **(extra_env or {})})
            with open(os.path.join(work, f"wrk.{name}.{connections}.txt"), "w") as f:
                f.write(text)
            return parse_wrk(text)

        for c in CONNECTIONS:
            out["get"][str(c)] = wrk("get", c, f"{url}/v2/customers/{first}")
        # The same reads at 8 connections, alone and then beside slow clients, one after the other.
        out["get_alone"] = wrk("get-alone", 8, f"{url}/v2/customers/{first}")
        slow = SlowClients(int(url.rsplit(":", 1)[1]), SLOW_CLIENTS)
        try:
            time.sleep(2)
            out["get_slow"] = wrk("get-slow", 8, f"{url}/v2/customers/{first}")
        finally:
            slow.close()
        out["slow_clients"], out["slow_reopened"] = SLOW_CLIENTS, slow.reopened
        versions = os.path.join(work, "versions")

        def put(name, c, at):
            # Every customer's version now, so that each run starts from what a client would have read.
            listed = json.loads(common.run([binary, "list", "--all", "--type", "CUSTOMER", "--db", db]))
            with open(versions, "w") as f:
                f.writelines(f"{o['id']} {o['version']}\n" for o in listed["objects"])
            row = wrk(name, c, "-s", os.path.join(common.SCRIPTS, "wrk", "versioned-put.lua"), at,
                      extra_env={"BENCH_IDS": versions})
            if "applied" not in row:
                raise SystemExit("bench: no PUT outcomes from wrk")
            return row

        for c in CONNECTIONS:
            out["put"][str(c)] = put("put", c, url)
        if ctx.before:
            # The same PUTs against the older binary's server, on the same store, taking turns
            # with this one's (both listening at once), so that the disk's mood weighs on both.
            before = subprocess.Popen([ctx.before["bin"], "serve", "--listen", "127.0.0.1:0", "--db", db],
                                      env=env, stdout=open(os.path.join(work, "before.out"), "w"),
                                      stderr=open(os.path.join(work, "before.err"), "w"))
            try:
                for _ in range(100):
                    if os.path.getsize(os.path.join(work, "before.out")):
                        break
                    time.sleep(0.1)
                before_url = json.loads(common.read(os.path.join(work, "before.out")))["url"]
                out["put_versus"] = {"label": ctx.before["label"], "before": {}, "after": {}}
                for c in CONNECTIONS[1:]:
                    out["put_versus"]["before"][str(c)] = put("put-before", c, before_url)
                    out["put_versus"]["after"][str(c)] = put("put-after", c, url)
            finally:
                before.send_signal(signal.SIGTERM)
                before.wait(timeout=60)
        server.send_signal(signal.SIGTERM)
        out["server_exit"] = server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    # The baseline: one CLI process per request, one caller (and 8 at once, for reads).
    def timed(body):
        started = time.monotonic()
        body()
        return time.monotonic() - started

    def gets():
        for _ in range(cli_calls):
            subprocess.run([binary, "get", first, "--db", db], stdout=subprocess.DEVNULL, check=True)

    def parallel_gets():
        subprocess.run(f"seq {cli_calls} | xargs -P 8 -I{{}} {binary} get {first} --db {db} >/dev/null",
                       shell=True, check=True)

    version = json.loads(common.run([binary, "get", first, "--db", db]))["version"]

    def updates():
        for n in range(1, cli_calls + 1):
            subprocess.run([binary, "update", first, "--version", str(version + n - 1), "--set", f"note=cli {n}",
                            "--db", db], stdout=subprocess.DEVNULL, check=True)

    out["cli"] = {"get_1": cli_calls / timed(gets), "get_8": cli_calls / timed(parallel_gets),
                  "update_1": cli_calls / timed(updates)}
    return out
