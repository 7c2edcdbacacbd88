#!/usr/bin/env python3
"""Failover on PostgreSQL: a primary dies mid-load, its standby is promoted, nothing is lost.

Run by `make stress` after stress_pg.py. Two runs, each on two fresh clusters on this machine
(a primary started by pg-server.sh, durable, and a hot standby made from it with
`pg_basebackup -R`, streaming over the primary's Unix socket), both run as the postgres user:

1. synchronous  `synchronous_standby_names` names the standby, `synchronous_commit=on`: a
                COMMIT returns only once the standby has flushed it. Writers reach the store
                with a two-host URL (`host=primary,standby&target_session_attrs=read-write`)
                and run keyed and unkeyed updates, keyed creates, payments and refunds. The
                primary is SIGKILLed mid-load (every process of it); a moment later the standby
                is promoted (`pg_ctl promote`). Between the two every command must exit 75
                (retry later), never 1; writers retry, keyed writes with the same key. Then, on
                the new primary: every acknowledged write is there, byte for byte as printed
                (the current object, or its version in the history); every acknowledged
                payment and refund replays byte for byte; no key has two payments and no
                payment a key of its own twice; refunds add up to each payment's refunded
                amount and never exceed it; each customer's history holds exactly its versions
                0…N-1; doctor's consistency_check is ok and it names the standby's host as the
                primary now.
2. control      the same with asynchronous replication (no synchronous_standby_names) and the
                standby's WAL receiver stopped (SIGSTOP) before the kill, while the writers go
                on: the checks of run 1 must find an acknowledged write lost. If they find
                none, the test has no teeth, and fails.

Any broken promise (or a control that loses nothing) ends with exit 1. Bounded: about half a
minute per run. (An event feed, where a store has one, is not checked here.)
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import stress
import stress_pg

HERE = os.path.dirname(os.path.abspath(__file__))


def bindir():
    return os.path.dirname(stress_pg.psql())


def as_postgres(args, **kwargs):
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], **kwargs)


class Standby(stress_pg.Server):
    """A hot standby of `primary` in `folder`, made with pg_basebackup -R (its
    primary_conninfo names it `standby1`, the name synchronous_standby_names uses)."""

    def __init__(self, folder, primary):
        self.folder = folder
        self.netns = None
        os.makedirs(folder)
        shutil.chown(folder, "postgres")
        self.port = str(free_port())
        connection = (f"host={primary.folder} port={primary.port} user=postgres "
                      "application_name=standby1")
        p = as_postgres([os.path.join(bindir(), "pg_basebackup"), "-d", connection, "-D",
                         os.path.join(folder, "data"), "-R", "-X", "stream", "-c", "fast"],
                        capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"pg_basebackup: {p.stderr.strip()}")
        # The primary's settings are on its command line, not in the copied files: the
        # standby takes the same ones (hot standby needs max_connections at least the
        # primary's), on its own port and socket folder.
        with open(os.path.join(primary.folder, "settings")) as f:
            settings = f.read().strip()
        settings = settings.replace(f"-c port={primary.port}", f"-c port={self.port}")
        settings = settings.replace(f"-c unix_socket_directories={primary.folder}",
                                    f"-c unix_socket_directories={folder}")
        settings += " -c hot_standby=on"
        with open(os.path.join(folder, "settings"), "w") as f:
            f.write(settings)
        self.admin = f"postgresql://postgres@/postgres?host={folder}&port={self.port}"
        self.resume()

    def promote(self):
        as_postgres([os.path.join(bindir(), "pg_ctl"), "-D", os.path.join(self.folder, "data"),
                     "-w", "-t", "60", "promote"], check=True, capture_output=True)

    def walreceiver(self):
        for pid in self.processes():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if b"walreceiver" in f.read():
                        return pid
            except OSError:
                pass
        return None


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(what, check, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


class Load:
    """Writers on one store, each a thread starting optimist processes, and what they were
    told: every acknowledged write, with what it printed."""

    def __init__(self, url, seed, writers):
        self.url = url
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.updates = []        # (id, version, stdout)
        self.keyed = []          # (args, exit, stdout, stderr): replays byte for byte
        self.payments = []       # (payment id, total)
        self.unexpected = []     # (args, exit, stderr)
        self.temporary = 0       # exits 75
        self.ambiguous = 0       # unkeyed updates left unresolved by an exit 75
        self.customers = [self.created("create-customer", "--key", f"seed-c{i}",
                                       "--given-name", f"c{i}") for i in range(3)]
        self.items = [self.created("create-item", "--key", f"seed-i{i}", "--name", f"i{i}")
                      for i in range(2)]
        self.threads = [threading.Thread(target=self.writer, args=(seed * 100 + i,), daemon=True)
                        for i in range(writers)]

    def created(self, *args):
        code, out, err = self.resolve(list(args), (0,))
        if code != 0:
            raise RuntimeError(f"{args[0]} exited {code}: {err}")
        return json.loads(out)["id"]

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join()

    def resolve(self, args, allowed):
        """Runs a command until it exits with something other than 75 (the same arguments,
        so the same key), at most 90 seconds; records it. Returns its last outcome."""
        deadline = time.time() + 90
        while True:
            code, out, err = stress.run(self.url, *args, timeout="5")
            if code != 75:
                break
            with self.lock:
                self.temporary += 1
            if time.time() > deadline:
                break
            time.sleep(0.05)
        if code not in allowed:
            with self.lock:
                self.unexpected.append((args, code, err.strip()[:300]))
        elif code == 0 and "--key" in args:
            with self.lock:
                self.keyed.append((args, code, out, err))
        return code, out, err

    def writer(self, seed):
        rng = random.Random(seed)
        n = 0
        while not self.stop.is_set():
            n += 1
            roll = rng.random()
            if roll < 0.45:
                self.update(rng, f"u{seed}-{n}", keyed=rng.random() < 0.5)
            elif roll < 0.6:
                self.resolve(["create-customer", "--key", f"c{seed}-{n}", "--given-name",
                              f"w{seed}-{n}"], (0,))
            elif roll < 0.85:
                amount = rng.randint(100, 999)
                code, out, _ = self.resolve(
                    ["create-payment", "--key", f"p{seed}-{n}", "--amount", str(amount),
                     "--currency", "USD", "--source-id", "cnon:card-nonce-ok"], (0,))
                if code == 0:
                    with self.lock:
                        self.payments.append((json.loads(out)["id"], amount))
            else:
                with self.lock:
                    paid = list(self.payments)
                if not paid:
                    continue
                payment, total = rng.choice(paid)
                # Up to half the total each time: the third refund of a payment may exceed it
                # (exit 7, REFUND_AMOUNT_INVALID), and must then be refused.
                self.resolve(["refund-payment", "--key", f"r{seed}-{n}", "--payment-id", payment,
                              "--amount", str(rng.randint(1, total // 2)), "--currency", "USD"],
                             (0, 7))

    def update(self, rng, marker, keyed):
        target = rng.choice(self.customers + self.items)
        code, out, err = self.resolve(["get", target], (0,))
        if code != 0:
            return
        field = "note" if target in self.customers else "description"
        args = ["update", target, "--version", str(json.loads(out)["version"]), "--set",
                f"{field}={marker}"]
        if keyed:
            code, out, _ = self.resolve(args + ["--key", marker], (0, 3))
        else:
            code, out, err = stress.run(self.url, *args, timeout="5")
            if code == 75:
                # Lost before or after COMMIT: unknown, and not acknowledged (README).
                with self.lock:
                    self.temporary += 1
                    self.ambiguous += 1
                return
            if code not in (0, 3):
                with self.lock:
                    self.unexpected.append((args, code, err.strip()[:300]))
        if code == 0:
            with self.lock:
                self.updates.append((target, json.loads(out)["version"], out))


def lost_writes(load, server, url):
    """What the new primary lacks of what the load was told: a list of messages."""
    lost = []
    history = {(r[0], int(r[1])): r[2]
               for r in server.sql("SELECT id, version, object FROM history", url)}
    current = {}
    for target in {u[0] for u in load.updates}:
        code, out, _ = stress.run(url, "get", target)
        current[target] = (json.loads(out)["version"], out.strip()) if code == 0 else (None, None)
    for target, version, out in load.updates:
        now, printed = current[target]
        if now == version:
            if printed != out.strip():
                lost.append(f"update of {target} to {version}: printed {out.strip()}, "
                            f"stored {printed}")
        elif history.get((target, version)) != out.strip():
            lost.append(f"update of {target} to version {version} is neither current "
                        f"(at {now}) nor in the history")
    for args, code, out, err in load.keyed:
        again = stress.run(url, *args)
        if again != (code, out, err):
            lost.append(f"{args[0]} {args[2]} acknowledged, then answered {again[0]} "
                        f"{(again[1] or again[2]).strip()[:160]}")
    return lost


def check_store(server, url):
    """The promises that hold even when writes are lost: one payment per key, refunds
    within their payment, history exactly the versions."""
    before = len(stress.FAILURES)
    stress.check_rows(url, server.rows)
    code, out, err = stress.run(url, "doctor")
    report = json.loads(out) if code == 0 else {}
    if report.get("consistency_check") != "ok":
        stress.fail(f"doctor on the new primary: exit {code} {out} {err}")
    return before == len(stress.FAILURES), report


def failover_run(workdir, name, synchronous, seconds, writers):
    print(f"failover ({name}): primary and hot standby, "
          f"{'synchronous' if synchronous else 'asynchronous, WAL receiver stopped'}, "
          f"{writers} writers on a two-host URL", flush=True)
    folder = os.path.join(workdir, name)
    os.makedirs(folder)
    os.chmod(folder, 0o755)
    primary = stress_pg.Server(os.path.join(folder, "primary"))
    standby = None
    try:
        schema = "s_" + uuid.uuid4().hex[:12]
        primary.sql(f"CREATE SCHEMA {schema}")
        standby = Standby(os.path.join(folder, "standby"), primary)
        wait_for("the standby to stream", lambda: primary.sql(
            "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")[0][0] == "1")
        if synchronous:
            primary.sql("ALTER SYSTEM SET synchronous_standby_names = 'standby1'")
            primary.sql("SELECT pg_reload_conf()")
            wait_for("the standby to be synchronous", lambda: primary.sql(
                "SELECT sync_state FROM pg_stat_replication")[0][0] == "sync")
        url = (f"postgresql://postgres@/postgres?host={primary.folder},{standby.folder}"
               f"&port={primary.port},{standby.port}&target_session_attrs=read-write"
               f"&options=-csearch_path%3D{schema}")
        direct = f"{standby.admin}&options=-csearch_path%3D{schema}"
        load = Load(url, 1 if synchronous else 2, writers)
        load.start()
        rng = random.Random(7)
        time.sleep(seconds * rng.uniform(0.4, 0.6))
        if not synchronous:
            receiver = standby.walreceiver()
            if receiver is None:
                raise RuntimeError("no WAL receiver in the standby")
            os.kill(receiver, signal.SIGSTOP)
            # The standby falls behind by more than the socket's buffers can hold (which it
            # would still read after the kill), then the writers go on a while.
            primary.sql("CREATE TABLE filler AS SELECT g, repeat('x', 200) AS pad "
                        "FROM generate_series(1, 100000) g")
            time.sleep(seconds * 0.25)
        acknowledged_before = len(load.updates) + len(load.keyed)
        primary.kill()
        killed = time.time()
        if not synchronous:
            os.kill(receiver, signal.SIGCONT)
        # Long enough that every writer meets the dead primary and the read-only standby.
        time.sleep(2.0)
        temporary_at_promotion = load.temporary
        standby.promote()
        promoted = time.time()
        time.sleep(seconds * 0.3)
        load.finish()
        print(f"  {acknowledged_before} writes acknowledged before the kill, "
              f"{len(load.updates) + len(load.keyed)} in all ({len(load.updates)} updates, "
              f"{len(load.payments)} payments); {temporary_at_promotion} exits 75 by the "
              f"promotion {promoted - killed:.1f}s after the kill, {load.temporary} in all; "
              f"{load.ambiguous} unkeyed updates left unknown", flush=True)
        lost = lost_writes(load, standby, direct)
        if synchronous:
            for args, code, err in load.unexpected:
                stress.fail(f"{' '.join(args[:2])} exited {code} during the failover: {err}")
            if temporary_at_promotion == 0:
                stress.fail("no command met the failover (no exit 75 before the promotion)")
            for message in lost:
                stress.fail(f"acknowledged write lost: {message}")
            ok, report = check_store(standby, direct)
            if report.get("primary") is not True or report.get("host") != standby.folder:
                stress.fail(f"doctor after the promotion: {report}")
            if not lost and ok and not load.unexpected:
                print(f"  nothing acknowledged lost, no payment twice, refunds within their "
                      f"payments, history matches ({len(load.keyed)} keyed answers replayed)",
                      flush=True)
        else:
            # The control: exits other than 0/3/7/75 can be a lost write showing itself too
            # (a refund of a payment the new primary never had: NOT_FOUND), so only the
            # losses are asserted.
            if not lost:
                stress.fail("the control lost nothing: with asynchronous replication and the "
                            "WAL receiver stopped, acknowledged writes must be lost, or this "
                            "test cannot tell")
            else:
                print(f"  the control lost {len(lost)} acknowledged writes, as it must "
                      f"(first: {lost[0][:160]})", flush=True)
    finally:
        for server in (standby, primary):
            if server:
                server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="the optimist binary (optimist-pg beside it)")
    parser.add_argument("--seconds", type=float, default=12, help="load of each run, about")
    parser.add_argument("--writers", type=int, default=6)
    args = parser.parse_args()
    stress.BIN = os.path.abspath(args.bin)
    with tempfile.TemporaryDirectory(prefix="optimist-failover-") as workdir:
        os.chmod(workdir, 0o755)
        failover_run(workdir, "synchronous", True, args.seconds, args.writers)
        failover_run(workdir, "control", False, args.seconds, args.writers)
    if stress.FAILURES:
        print(f"failover (PostgreSQL): {len(stress.FAILURES)} failures", flush=True)
        sys.exit(1)
    print("failover (PostgreSQL): every check passed", flush=True)


if __name__ == "__main__":
    main()
