#!/usr/bin/env python3
"""Reliability on PostgreSQL, with real optimist processes against a throwaway server.

Run by `make stress` after stress.py (SQLite). The server is durable (fsync, synchronous_commit
and full_page_writes on). Each phase is bounded in time; any broken promise ends with exit 1.

1. crash        as on SQLite: writers SIGKILLed at random moments; every printed success
                visible, every printed payment replays byte for byte, payments and keys one to
                one, no version handed out twice, every batch kept wholly or not at all,
                doctor's consistency_check ok.
2. contention   16 processes, every command; only the exits the workload allows.
3. busy         a lock held by psql past --timeout: exit 75, store unchanged.
4. server crash every server process SIGKILLed at once mid-load, several times, restarted
                (crash recovery); every acknowledged write (printed update and its version,
                printed payment, printed batch) survived, byte for byte, and every batch is
                there wholly or not at all. Writers may see exit 75 meanwhile.
5. two hosts    two network namespaces joined by a veth pair; the server listens in one, and
                optimist processes in both reach it over TCP with a password, racing on one
                customer (get, update --version, retry on 3) and one idempotency key: no
                update lost, one payment, every racer printed the same bytes.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import stress

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "pg-server.sh")


def psql():
    versions = sorted(int(v) for v in os.listdir("/usr/lib/postgresql") if v.isdigit())
    return f"/usr/lib/postgresql/{versions[-1]}/bin/psql"


def alive(pid):
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Server:
    """A server started by pg-server.sh in `folder` (listening on `listen`, if given)."""

    def __init__(self, folder, listen=None, netns=None):
        self.folder = folder
        self.netns = netns
        env = dict(os.environ, PG_LISTEN=listen) if listen else None
        self.port = subprocess.run(self.prefix() + ["bash", SERVER, "start", folder, "durable"],
                                   check=True, capture_output=True, text=True, env=env).stdout.strip()
        self.admin = f"postgresql://postgres@/postgres?host={folder}&port={self.port}"

    def prefix(self):
        return ["ip", "netns", "exec", self.netns] if self.netns else []

    def sql(self, query, url=None):
        p = subprocess.run([psql(), "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                            "-d", url or self.admin, "-c", query], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"psql: {p.stderr.strip()}")
        return [line.split("\t") for line in p.stdout.splitlines()]

    def store(self):
        """A new schema and the URL of the store in it."""
        name = "s_" + uuid.uuid4().hex[:12]
        self.sql(f"CREATE SCHEMA {name}")
        return f"{self.admin}&options=-csearch_path%3D{name}"

    def rows(self, url, query):
        return [[int(v) if v.lstrip("-").isdigit() else v for v in row] for row in self.sql(query, url)]

    def postmaster(self):
        with open(os.path.join(self.folder, "data", "postmaster.pid")) as f:
            return int(f.readline())

    def processes(self):
        """Every live process of this server: the postmaster's children are process groups
        of their own (they call setsid()), so they are found by their working folder, the
        data folder, which every server process has."""
        data = os.path.realpath(os.path.join(self.folder, "data"))
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.readlink(f"/proc/{entry}/cwd") == data and alive(int(entry)):
                        found.append(int(entry))
                except OSError:
                    pass
        return found

    def kill(self):
        """SIGKILL to every server process (the postmaster first, so that it starts no new
        backend meanwhile), as a machine that loses power or an OOM killer would; repeated
        until none is left."""
        try:
            os.kill(self.postmaster(), signal.SIGKILL)
        except ProcessLookupError:
            pass
        while True:
            victims = self.processes()
            if not victims:
                break
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
        # Every server process is gone, but its pid may already belong to another process
        # (thousands start here), and the server would then take its lock files for a live
        # postmaster's: remove them, as an administrator would after checking.
        os.remove(os.path.join(self.folder, "data", "postmaster.pid"))
        for name in os.listdir(self.folder):
            if name.startswith(".s.PGSQL.") and name.endswith(".lock"):
                os.remove(os.path.join(self.folder, name))

    def resume(self):
        subprocess.run(self.prefix() + ["bash", SERVER, "resume", self.folder], check=True)

    def stop(self):
        subprocess.run(self.prefix() + ["bash", SERVER, "stop", self.folder], check=False)


def pg_lock(server):
    def lock(url):
        holder = subprocess.Popen([psql(), "-X", "-q", "-At", "-d", url], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        holder.stdin.write("BEGIN;\nLOCK TABLE customers, items, payments, idempotency_keys, "
                           "catalog_clock IN EXCLUSIVE MODE;\nSELECT 'locked';\n")
        holder.stdin.flush()
        holder.stdout.readline()
        return holder, "ROLLBACK;\n\\q\n"
    return lock


def pg_fingerprint(server):
    def fingerprint(url):
        return repr([server.sql(f"SELECT * FROM {t} ORDER BY 1", url)
                     for t in ("customers", "items", "payments", "idempotency_keys", "catalog_clock")])
    return fingerprint


# ---------------------------------------------------------------------- server crash

def server_crash_phase(server, crashes, seconds):
    print(f"server crash: {crashes} SIGKILLs of every server process mid-load, at most {seconds}s",
          flush=True)
    db = server.store()
    run = stress.run
    customers = [json.loads(run(db, "create-customer", "--given-name", f"c{i}")[1])["id"] for i in range(3)]
    items = [json.loads(run(db, "create-item", "--name", f"i{i}")[1])["id"] for i in range(2)]
    lock = threading.Lock()
    successes, payments, batches, outages = [], [], [], [0]
    stop = threading.Event()

    def writer(seed):
        rng = random.Random(seed)
        n = 0
        while not stop.is_set():
            n += 1
            roll = rng.random()
            if roll < 0.15:
                marker, size = f"sb{seed}-{n}", rng.randint(2, 40)
                args, stdin = ["batch", "--key", marker], stress.batch_input(marker, size)
                p = subprocess.run([stress.BIN, *args, "--db", db, "--timeout", "5"], input=stdin,
                                   capture_output=True, text=True)
                if p.returncode in (0, 75):
                    with lock:
                        batches.append((marker, size, args, stdin, p.stdout if p.returncode == 0 else None))
                        outages[0] += p.returncode == 75
                else:
                    stress.fail(f"batch exited {p.returncode}: {p.stderr.strip()[:200]}")
            elif roll < 0.55:
                target = rng.choice(customers + items)
                code, out, err = run(db, "get", target, timeout="5")
                if code != 0:
                    if code != 75:
                        stress.fail(f"get exited {code}: {err.strip()[:200]}")
                    else:
                        with lock:
                            outages[0] += 1
                        time.sleep(0.05)
                    continue
                field = "note" if target in customers else "description"
                code, out, err = run(db, "update", target, "--version", str(json.loads(out)["version"]),
                                     "--set", f"{field}=w{seed}-{n}", timeout="5")
                if code == 0:
                    with lock:
                        successes.append((target, json.loads(out)["version"], out))
                elif code == 75:
                    with lock:
                        outages[0] += 1
                elif code != 3:
                    stress.fail(f"update exited {code}: {err.strip()[:200]}")
            else:
                args = ["create-payment", "--key", f"sk{seed}-{n}", "--amount", str(rng.randint(1, 999)),
                        "--currency", "USD", "--source-id", "cnon:card-nonce-ok"]
                code, out, err = run(db, *args, timeout="5")
                if code == 0:
                    with lock:
                        payments.append((args, out, err))
                elif code == 75:
                    with lock:
                        outages[0] += 1
                else:
                    stress.fail(f"create-payment exited {code}: {err.strip()[:200]}")

    threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(6)]
    for t in threads:
        t.start()
    rng = random.Random(11)
    deadline = time.time() + seconds
    done = 0
    try:
        while done < crashes and time.time() < deadline:
            time.sleep(rng.uniform(0.5, 2.0))
            server.kill()
            time.sleep(rng.uniform(0.1, 0.5))
            server.resume()
            done += 1
        time.sleep(1)
    finally:
        stop.set()
        for t in threads:
            t.join()
    print(f"  {done} server crashes, {len(successes)} updates, {len(payments)} payments and "
          f"{sum(1 for b in batches if b[4])} batches acknowledged, {outages[0]} refusals with exit 75 "
          "while it was down", flush=True)
    if done < min(crashes, 2):
        stress.fail(f"only {done} server crashes happened in {seconds}s")
    latest = {}
    for target, version, out in successes:
        if (target, version) in latest:
            stress.fail(f"version {version} of {target} acknowledged twice")
        latest[(target, version)] = out
    for target in customers + items:
        code, out, _ = run(db, "get", target)
        printed = [v for (t, v) in latest if t == target]
        if code != 0:
            stress.fail(f"get {target} after the crashes exited {code}")
        elif printed and json.loads(out)["version"] < max(printed):
            stress.fail(f"{target} lost an acknowledged update: at {json.loads(out)['version']}, "
                        f"printed {max(printed)}")
    for args, out, err in payments:
        code, again, again_err = run(db, *args)
        if (code, again, again_err) != (0, out, err):
            stress.fail(f"acknowledged payment {args[2]} did not replay byte for byte (exit {code}): "
                        f"printed {out!r} {err!r}, replayed {again!r} {again_err!r}")
    for batch in batches:
        stress.check_batch(db, server.rows, *batch)
    code, out, err = run(db, "doctor")
    if code != 0 or json.loads(out)["consistency_check"] != "ok":
        stress.fail(f"doctor after the server crashes: exit {code} {out} {err}")
    if stress.FAILURES:
        kept = os.path.join(tempfile.gettempdir(), "optimist-stress-pg-server.log")
        subprocess.run(["cp", os.path.join(server.folder, "server.log"), kept], check=False)
        print(f"  the server's log is kept in {kept}", flush=True)
    stress.check_rows(db, server.rows)
    print(f"  checked {len(latest)} versions, {len(payments)} replays and {len(batches)} batches "
          "after recovery", flush=True)


# ------------------------------------------------------------------------ two hosts

def sh(*args):
    subprocess.run(args, check=True)


def two_hosts_phase(workdir, racers_per_host):
    print(f"two hosts: network namespaces, {racers_per_host} optimist processes on each, one "
          "server over TCP", flush=True)
    tag = uuid.uuid4().hex[:6]
    hosts = [f"optimist-a-{tag}", f"optimist-b-{tag}"]
    links = [f"veth-oa{tag[:4]}", f"veth-ob{tag[:4]}"]
    addresses = ["10.213.77.1", "10.213.77.2"]
    server = None
    try:
        for host in hosts:
            sh("ip", "netns", "add", host)
            sh("ip", "-n", host, "link", "set", "lo", "up")
        sh("ip", "link", "add", links[0], "type", "veth", "peer", "name", links[1])
        for host, link, address in zip(hosts, links, addresses):
            sh("ip", "link", "set", link, "netns", host)
            sh("ip", "-n", host, "addr", "add", f"{address}/24", "dev", link)
            sh("ip", "-n", host, "link", "set", link, "up")
        folder = os.path.join(workdir, "two-hosts")
        server = Server(folder, listen=addresses[0], netns=hosts[0])
        password = uuid.uuid4().hex
        server.sql(f"CREATE ROLE racer LOGIN PASSWORD '{password}'")
        server.sql("CREATE DATABASE shop OWNER racer")
        url = f"postgresql://racer:{password}@{addresses[0]}:{server.port}/shop?sslmode=disable"

        def on(host, *args):
            p = subprocess.run(["ip", "netns", "exec", host, stress.BIN, *args, "--db", url,
                                "--timeout", "30"], capture_output=True, text=True)
            return p.returncode, p.stdout, p.stderr

        code, out, err = on(hosts[1], "create-customer", "--given-name", "shared", "--note", "0")
        if code != 0:
            stress.fail(f"create-customer from the second host exited {code}: {err.strip()}")
            return
        customer = json.loads(out)["id"]
        increments, answers = [0], []
        lock = threading.Lock()
        payment = ["create-payment", "--key", "one-key", "--amount", "700", "--currency", "USD",
                   "--source-id", "cnon:card-nonce-ok", "--customer-id", customer]

        def racer(host, seed):
            code, out, err = on(host, *payment)
            with lock:
                answers.append((code, out, err))
            for _ in range(5):
                while True:
                    code, out, err = on(host, "get", customer)
                    if code != 0:
                        stress.fail(f"get on {host} exited {code}: {err.strip()[:200]}")
                        return
                    current = json.loads(out)
                    code, out, err = on(host, "update", customer, "--version", str(current["version"]),
                                        "--set", f"note={int(current['note']) + 1}")
                    if code == 0:
                        with lock:
                            increments[0] += 1
                        break
                    if code != 3:
                        stress.fail(f"update on {host} exited {code}: {err.strip()[:200]}")
                        return

        threads = [threading.Thread(target=racer, args=(host, i)) for host in hosts
                   for i in range(racers_per_host)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        code, out, _ = on(hosts[0], "get", customer)
        note = int(json.loads(out)["note"]) if code == 0 else -1
        if note != increments[0]:
            stress.fail(f"{increments[0]} increments acknowledged, the note says {note}: updates lost")
        if len({a for a in answers}) != 1 or answers[0][0] != 0:
            stress.fail(f"the racers with one key printed {len(set(answers))} different answers")
        code, out, _ = on(hosts[1], "list", "--type", "PAYMENT")
        paid = json.loads(out)["objects"] if code == 0 else []
        if len(paid) != 1:
            stress.fail(f"{len(paid)} payments for one idempotency key")
        code, out, _ = on(hosts[1], "doctor")
        if code != 0 or json.loads(out)["consistency_check"] != "ok" or password in out:
            stress.fail(f"doctor from the second host: exit {code} {out}")
        print(f"  {len(threads)} racers on 2 hosts: {increments[0]} increments, none lost; "
              f"{len(answers)} same-key payments, one payment, one answer", flush=True)
    finally:
        if server:
            server.stop()
        for host in hosts:
            subprocess.run(["ip", "netns", "del", host], check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="the optimist binary (optimist-pg beside it)")
    parser.add_argument("--kills", type=int, default=150)
    parser.add_argument("--seconds", type=int, default=45, help="bound of each timed phase")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--server-crashes", type=int, default=4)
    parser.add_argument("--racers", type=int, default=6, help="optimist processes on each host")
    args = parser.parse_args()
    stress.BIN = os.path.abspath(args.bin)
    with tempfile.TemporaryDirectory(prefix="optimist-stress-pg-") as workdir:
        os.chmod(workdir, 0o755)
        server = Server(os.path.join(workdir, "server"))
        try:
            stress.crash_phase(server.store(), args.kills, args.seconds, rows=server.rows,
                               check="consistency_check")
            stress.contention_phase(server.store(), args.workers, min(args.seconds, 30))
            stress.busy_phase(server.store(), lock=pg_lock(server), fingerprint=pg_fingerprint(server))
            server_crash_phase(server, args.server_crashes, args.seconds)
        finally:
            server.stop()
        two_hosts_phase(workdir, args.racers)
    if stress.FAILURES:
        print(f"stress (PostgreSQL): {len(stress.FAILURES)} failures", flush=True)
        sys.exit(1)
    print("stress (PostgreSQL): every check passed", flush=True)


if __name__ == "__main__":
    main()
