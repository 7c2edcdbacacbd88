#!/usr/bin/env python3
"""Power loss, simulated: no printed success may be lost when the power goes.

Run by `make stress` (and so by .ci/run). Writers run through `optimist-powerloss`, the CLI
over a test-only VFS (Tests/PowerLoss/CPowerLossVFS) that keeps a durable image of the
database folder: what the disk would hold, updated only when the disk would be (a file's
bytes when it is synced, its name when its folder is synced). At a random moment the power
is cut: the image is frozen (its lock taken), every writer is killed, and a new folder is
built from the image alone, half the time tearing unsynced sectors the way SQLite's own
crash tests do (each 512-byte unit written since the last sync either reached the disk or
not; a file that grew may keep its new size with garbage in the new space; see
<https://www.sqlite.org/atomiccommit.html>, "Hardware Assumptions"). Stock SQLite (Python's
sqlite3 module, then the shipped optimist) opens the result, which must:

- pass PRAGMA integrity_check;
- hold every update, create and delete whose success was printed before the cut, with the
  printed version (a newer one only if a later write committed), byte for byte;
- hold every printed payment: its key replays the printed stdout, stderr and exit code
  byte for byte, and payments and create-payment keys match one to one;
- hold every printed refund under its key, and no payment whose refunds do not add up to its
  refunded amount or exceed its total.

The next round starts from the rebuilt folder, as a machine does after a reboot, so every
printed success must survive every later cut too.

The negative controls run the same rounds with synchronous=OFF and with the rollback
journal's DELETE mode at synchronous=FULL (optimist's settings before the durability fix):
each must lose a printed write within its rounds, or the simulator has no teeth and the run
fails.
"""

import argparse
import fcntl
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

SECTOR = 512
FAILURES = []


def fail(message):
    FAILURES.append(message)
    print(f"  FAIL: {message}", flush=True)


class Ledger:
    """What optimist printed as done, and must therefore be on the disk."""

    def __init__(self):
        self.states = {}      # (id, version) -> printed JSON of that version
        self.latest = {}      # id -> highest printed version
        self.deleted = set()  # ids whose delete was printed
        self.delete_attempted = set()  # ids a delete was started for, printed or not
        self.payments = {}    # key -> (args, stdout, stderr, exit code)
        self.refunds = {}     # key -> (args, stdout) of printed refunds

    def state(self, out):
        obj = json.loads(out)
        key = (obj["id"], obj["version"])
        if key in self.states and self.states[key] != out:
            return f"version {obj['version']} of {obj['id']} was handed out twice"
        self.states[key] = out
        self.latest[obj["id"]] = max(self.latest.get(obj["id"], obj["version"]), obj["version"])
        return None


class Round:
    """One power-on period: writers run through the VFS until the cut."""

    def __init__(self, args, folder, image, durability, ledger, rng, objects):
        self.args, self.folder, self.image, self.ledger = args, folder, image, ledger
        self.db = os.path.join(folder, "shop.db")
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "OPTIMIST_POWERLOSS_DIR": image,
                    "OPTIMIST_POWERLOSS_DURABILITY": durability}
        self.rng, self.objects = rng, objects
        self.lock = threading.Lock()
        self.in_flight = set()
        self.cut = False
        self.printed = []     # (kind, args, stdout, stderr, code), in order of exit
        self.new_payments = []

    def spawn(self, args):
        """Runs one command through the VFS; None when the cut came first."""
        with self.lock:
            if self.cut:
                return None
        p = subprocess.Popen([self.args.powerloss, *args, "--db", self.db, "--timeout", "30"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env)
        with self.lock:
            self.in_flight.add(p)
            if self.cut:
                p.kill()
        out, err = p.communicate()
        with self.lock:
            self.in_flight.discard(p)
            # Only what exited by itself before the cut was printed to anyone.
            if self.cut or p.returncode < 0:
                return None
        return p.returncode, out.decode(), err.decode()

    def writer(self, seed):
        rng = random.Random(seed)
        n = 0
        while True:
            with self.lock:
                if self.cut:
                    return
            n += 1
            roll = rng.random()
            if not self.objects["customers"]:
                # First use: the database does not exist yet; every writer creates.
                roll = 0.5 if roll < 0.5 else 0.85
            if roll < 0.45:
                target = rng.choice(self.objects["customers"] + self.objects["items"])
                got = self.spawn(["get", target])
                if got is None:
                    return
                if got[0] != 0:
                    continue
                version = json.loads(got[1])["version"]
                field = "note" if target in self.objects["customers"] else "description"
                args = ["update", target, "--version", str(version), "--set", f"{field}=w{seed}-{n}"]
                self.record("state", args, self.spawn(args), allowed=(0, 3))
            elif roll < 0.8:
                key = f"p{self.rng_token(rng)}"
                args = ["create-payment", "--key", key, "--amount", str(rng.randint(1, 10**6)),
                        "--currency", "USD", "--source-id",
                        "cnon:card-nonce-declined" if rng.random() < 0.1 else "cnon:card-nonce-ok"]
                if rng.random() < 0.3 and self.objects["customers"]:
                    args += ["--customer-id", rng.choice(self.objects["customers"])]
                self.record("payment", args, self.spawn(args), allowed=(0, 6))
            elif roll < 0.86 and self.objects.get("paid"):
                # Refund part of a payment printed COMPLETED in an earlier round.
                target = rng.choice(self.objects["paid"])
                args = ["refund-payment", "--key", f"r{self.rng_token(rng)}", "--payment-id", target,
                        "--amount", str(rng.randint(1, 100_000)), "--currency", "USD"]
                self.record("refund", args, self.spawn(args), allowed=(0, 7))
            elif roll < 0.92:
                args = ["create-customer", "--given-name", f"new{seed}-{n}",
                        "--key", f"c{self.rng_token(rng)}"]
                self.record("state", args, self.spawn(args), allowed=(0,))
            else:
                with self.lock:
                    victims = list(self.objects["doomed"])
                if not victims:
                    continue
                target = rng.choice(victims)
                # A delete killed after its COMMIT may rightly have taken the object away.
                with self.lock:
                    self.ledger.delete_attempted.add(target)
                args = ["delete", target]
                self.record("delete", args, self.spawn(args), allowed=(0, 4))

    @staticmethod
    def rng_token(rng):
        return "%016x" % rng.getrandbits(64)

    def record(self, kind, args, result, allowed):
        if result is None:
            return
        code, out, err = result
        if code not in allowed:
            fail(f"{' '.join(args[:2])} exited {code}: {err.strip()[:300]}")
            return
        with self.lock:
            if self.cut:
                return
            self.printed.append((kind, args, out, err, code))
            if kind == "state" and code == 0 and args[0] == "create-customer":
                obj = json.loads(out)
                self.objects["doomed"].append(obj["id"])

    def run(self, cut_after):
        threads = [threading.Thread(target=self.writer, args=(self.rng.getrandbits(32),))
                   for _ in range(self.args.writers)]
        for t in threads:
            t.start()
        time.sleep(cut_after)
        # The cut: freeze the image (a process updating it finishes its rename first), then
        # kill every writer; those that still want the image wait on its lock and die there.
        lock = open(os.path.join(self.image, "lock"), "a+")
        fcntl.flock(lock, fcntl.LOCK_EX)
        with self.lock:
            self.cut = True
            for p in self.in_flight:
                p.kill()
        for t in threads:
            t.join()
        return lock


def rebuild(image, folder, target, rng, tear):
    """Builds `target` from the durable image of `folder`: (units torn, hot journal left)."""
    os.makedirs(target)
    torn = 0
    hot = False
    names = os.path.join(image, "names")
    for name in sorted(os.listdir(names)):
        if ".tmp" in name:
            continue
        generation = open(os.path.join(names, name)).read().strip()
        content = os.path.join(image, "content", f"{name}.{generation}")
        durable = open(content, "rb").read() if os.path.exists(content) else b""
        data = durable
        current_path = os.path.join(folder, name)
        gen_path = os.path.join(image, "gen", name)
        same_file = (os.path.exists(current_path) and os.path.exists(gen_path)
                     and open(gen_path).read().strip() == generation)
        if tear and same_file:
            current = open(current_path, "rb").read()
            size = rng.choice([len(durable), len(current)])
            out = bytearray()
            for offset in range(0, size, SECTOR):
                old = durable[offset:offset + SECTOR]
                new = current[offset:offset + SECTOR]
                want = min(SECTOR, size - offset)
                if old[:want] == new[:want] and len(old) >= want:
                    out += old[:want]
                    continue
                choice = rng.random()
                if len(new) >= want and (len(old) < want or choice < 0.5):
                    # The unsynced write reached the disk (or, past the durable end, the new
                    # space holds garbage instead of it, now and then).
                    if len(old) < want and choice > 0.85:
                        # Garbage only in the new space: a unit across the durable end keeps
                        # its synced start.
                        fill = os.urandom(want) if choice > 0.93 else bytes(want)
                        out += old + fill[len(old):]
                    else:
                        out += new[:want]
                    torn += 1
                elif len(old) >= want:
                    out += old[:want]
                else:
                    out += old + bytes(want - len(old))
            data = bytes(out)
        with open(os.path.join(target, name), "wb") as f:
            f.write(data)
        hot = hot or (name.endswith("-journal") and data[:1] not in (b"", b"\0"))
    return torn, hot


def check(args, folder, ledger, new_payments, replays):
    """Opens the rebuilt folder with stock SQLite; returns the list of lost writes."""
    db = os.path.join(folder, "shop.db")
    lost = []
    if not os.path.exists(db):
        printed = ledger.latest or ledger.payments
        return ["the database file itself is gone"] if printed else []
    printed = ledger.latest or ledger.payments
    con = sqlite3.connect(db)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master")}
        if "idempotency_keys" not in tables and integrity == "ok":
            # The first command's schema never reached the disk: fine if it printed nothing.
            con.close()
            return ["the schema is gone"] if printed else []
        stored_keys = {k: (out, err, code) for k, out, err, code in con.execute(
            "SELECT key, stdout, stderr, exit_code FROM idempotency_keys "
            "WHERE command = 'create-payment'")}
        orphans = con.execute(
            """SELECT count(*) FROM payments p LEFT JOIN idempotency_keys k
               ON k.command = 'create-payment' AND k.object_id = p.id WHERE k.key IS NULL"""
        ).fetchone()[0]
        refund_keys = {k: out for k, out in con.execute(
            "SELECT key, stdout FROM idempotency_keys WHERE command = 'refund-payment'")}
        overdrawn = con.execute(
            """SELECT count(*) FROM payments p WHERE p.refunded > p.amount + p.tip OR p.refunded <>
               (SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE r.payment_id = p.id)"""
        ).fetchone()[0]
        keyless = con.execute(
            """SELECT count(*) FROM idempotency_keys k LEFT JOIN payments p ON p.id = k.object_id
               WHERE k.command = 'create-payment' AND p.id IS NULL""").fetchone()[0]
    except sqlite3.DatabaseError as error:
        con.close()
        return [f"stock SQLite cannot read it: {error}"]
    con.close()
    if integrity != "ok":
        lost.append(f"integrity_check: {integrity}")
    if orphans or keyless:
        lost.append(f"{orphans} payments without their key row, {keyless} key rows without a payment")
    if overdrawn:
        lost.append(f"{overdrawn} payments whose refunds do not add up to refunded_money")
    for key, (refund_args, out) in ledger.refunds.items():
        if refund_keys.get(key) != out:
            lost.append(f"printed refund with key {key} is gone")
    for key, (payment_args, out, err, code) in ledger.payments.items():
        if stored_keys.get(key) != (out, err, code):
            lost.append(f"printed payment with key {key} is gone")
    # The shipped optimist reads every object back; what it prints must match the ledger.
    stored = {}
    for kind in ("CUSTOMER", "ITEM"):
        cursor = None
        while True:
            extra = ["--cursor", cursor] if cursor else []
            p = subprocess.run([args.optimist, "list", "--type", kind, "--limit", "1000",
                                "--db", db, *extra], capture_output=True, text=True)
            if p.returncode != 0:
                return lost + [f"optimist list exited {p.returncode}: {p.stderr.strip()}"]
            page = json.loads(p.stdout)
            for obj in page["objects"]:
                stored[obj["id"]] = obj
            cursor = page.get("cursor")
            if not cursor:
                break
    # A delete killed before the cut that left its object in place is over: a later loss of
    # that object is not excused.
    ledger.delete_attempted -= {oid for oid in ledger.delete_attempted if oid in stored}
    for oid in ledger.deleted:
        if oid in stored:
            lost.append(f"{oid} is back after its printed delete")
    for oid, version in ledger.latest.items():
        if oid in ledger.deleted:
            continue
        obj = stored.get(oid)
        if obj is None:
            if oid in ledger.delete_attempted:
                continue
            lost.append(f"{oid} (printed at version {version}) is gone")
        elif obj["version"] < version:
            lost.append(f"{oid} is at version {obj['version']}, below the printed {version}")
        elif obj["version"] == version:
            if obj != json.loads(ledger.states[(oid, version)]):
                lost.append(f"{oid} at version {version} differs from what was printed: {obj}")
    # A few of this round's payments replay through the shipped optimist, byte for byte.
    for payment_args, out, err, code in new_payments[:replays]:
        p = subprocess.run([args.optimist, *payment_args, "--db", db], capture_output=True,
                           text=True)
        if (p.returncode, p.stdout, p.stderr) != (code, out, err):
            lost.append(f"payment {payment_args[2]} replays as exit {p.returncode} "
                        f"{p.stdout.strip()[:80]} {p.stderr.strip()[:200]}")
    return lost


def snapshot(folder, image):
    """A new image of `folder` after a reboot: everything in it is on the disk."""
    for part in ("gen", "names", "content"):
        os.makedirs(os.path.join(image, part))
    for name in os.listdir(folder):
        shutil.copyfile(os.path.join(folder, name), os.path.join(image, "content", f"{name}.1"))
        for part in ("gen", "names"):
            with open(os.path.join(image, part, name), "w") as f:
                f.write("1\n")
    with open(os.path.join(image, "folder"), "w") as f:
        f.write(os.path.realpath(folder))


def seed(args, work):
    """A first database through the VFS, then a clean reboot: the image is all on disk."""
    folder, image = os.path.join(work, "boot0"), os.path.join(work, "image0")
    os.makedirs(folder)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OPTIMIST_POWERLOSS_DIR": image}
    objects = {"customers": [], "items": [], "doomed": []}
    ledger = Ledger()
    for i in range(4):
        for kind, argv in (("customers", ["create-customer", "--given-name", f"c{i}", "--note", "0"]),
                           ("items", ["create-item", "--name", f"item{i}"])):
            p = subprocess.run([args.powerloss, *argv, "--db", os.path.join(folder, "shop.db")],
                               capture_output=True, text=True, env=env)
            if p.returncode != 0:
                fail(f"seeding failed: {p.returncode} {p.stderr.strip()}")
                sys.exit(1)
            objects[kind].append(json.loads(p.stdout)["id"])
            ledger.state(p.stdout)
    return folder, objects, ledger


# What `doctor` must report for each setting, as (journal_mode, synchronous).
SETTINGS = {"durable": ("truncate", "full"), "off": ("truncate", "off"),
            "delete-full": ("delete", "full"), "truncate-normal": ("truncate", "normal")}


def check_settings(args, folder, image, durability):
    """The writers really run with `durability`, and the shipped optimist with its own."""
    db = os.path.join(folder, "shop.db")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OPTIMIST_POWERLOSS_DIR": image,
           "OPTIMIST_POWERLOSS_DURABILITY": durability}
    for binary, expected, environment in ((args.powerloss, SETTINGS[durability], env),
                                          (args.optimist, SETTINGS["durable"], None)):
        p = subprocess.run([binary, "doctor", "--db", db], capture_output=True, text=True,
                           env=environment)
        report = json.loads(p.stdout) if p.returncode == 0 else {}
        found = (report.get("journal_mode"), report.get("synchronous"))
        if found != expected:
            fail(f"{os.path.basename(binary)} runs with {found}, not {expected}: {p.stderr.strip()}")
            sys.exit(1)


def phase(args, work, name, durability, rounds, seconds, want_loss, first_use=False):
    print(f"{name}: up to {rounds} power cuts, at most {seconds}s, durability={durability}"
          + (", each on a database that does not exist yet" if first_use else ""), flush=True)
    work = os.path.join(work, name)
    os.makedirs(work)
    rng = random.Random(args.seed + hash(name) % 1000)
    if first_use:
        folder, objects, ledger = None, None, None
    else:
        folder, objects, ledger = seed(args, work)
        check_settings(args, folder, os.path.join(work, "image0"), durability)
    deadline = time.time() + seconds
    cuts = torn_total = hot_total = printed_total = 0
    first_loss = None
    while cuts < rounds and time.time() < deadline:
        image = os.path.join(work, f"image{cuts + 1}")
        if first_use:
            # A first command ever: no database, no journal, a new image.
            folder = os.path.join(work, f"new{cuts + 1}")
            os.makedirs(folder)
            objects = {"customers": [], "items": [], "doomed": []}
            ledger = Ledger()
        else:
            snapshot(folder, image)
        run = Round(args, folder, image, durability, ledger, rng, objects)
        lock = run.run(rng.uniform(0.005, 0.15) if first_use else rng.uniform(0.02, 0.3))
        cuts += 1
        target = os.path.join(work, f"boot{cuts}")
        torn, hot = rebuild(image, folder, target, rng, tear=rng.random() < 0.5)
        torn_total += torn
        hot_total += hot
        lock.close()
        # Only now is a printed success something the ledger holds to.
        new_payments = []
        for kind, argv, out, err, code in run.printed:
            if kind == "state":
                if code == 0:
                    problem = ledger.state(out)
                    if problem:
                        fail(problem)
            elif kind == "delete":
                if code == 0:
                    ledger.deleted.add(argv[1])
                    if argv[1] in objects["doomed"]:
                        objects["doomed"].remove(argv[1])
            elif kind == "refund":
                if code == 0:
                    ledger.refunds[argv[2]] = (argv, out)
            else:
                ledger.payments[argv[2]] = (argv, out, err, code)
                new_payments.append((argv, out, err, code))
                if code == 0 and json.loads(out)["status"] == "COMPLETED":
                    objects.setdefault("paid", []).append(json.loads(out)["id"])
        printed_total += len(run.printed)
        lost = check(args, target, ledger, new_payments, args.replays)
        shutil.rmtree(folder)
        if os.path.exists(image):
            shutil.rmtree(image)
        folder = target
        if lost:
            first_loss = first_loss or (cuts, lost)
            if want_loss:
                break
            for line in lost[:5]:
                fail(f"cut {cuts}: {line}")
            # The ledger no longer matches the disk: later rounds would only repeat this.
            break
    if not want_loss and first_loss is None and not first_use:
        # After the last cut, every printed payment replays through the shipped optimist.
        db = os.path.join(folder, "shop.db")
        for payment_args, out, err, code in ledger.payments.values():
            p = subprocess.run([args.optimist, *payment_args, "--db", db], capture_output=True,
                               text=True)
            if (p.returncode, p.stdout, p.stderr) != (code, out, err):
                fail(f"payment {payment_args[2]} replays as exit {p.returncode} after the last cut")
        print(f"  all {len(ledger.payments)} printed payments replayed byte for byte", flush=True)
    print(f"  {cuts} cuts, {printed_total} printed successes, {torn_total} torn units, "
          f"{hot_total} hot journals rolled back"
          + ("" if first_use else f", {len(ledger.payments)} payments and "
             f"{len(ledger.refunds)} refunds held"), flush=True)
    if want_loss:
        if first_loss is None:
            fail(f"{name}: {cuts} cuts with durability={durability} lost nothing: "
                 "the simulator has no teeth")
        else:
            print(f"  as expected, cut {first_loss[0]} lost printed writes: {first_loss[1][0]}",
                  flush=True)
    elif first_loss is None:
        if cuts < min(rounds, 100):
            fail(f"{name}: only {cuts} cuts happened")
        print(f"  nothing printed was lost", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--powerloss", required=True, help="the optimist-powerloss binary")
    parser.add_argument("--optimist", required=True, help="the shipped optimist binary")
    parser.add_argument("--cuts", type=int, default=300, help="power cuts of the durable phase")
    parser.add_argument("--first-use-cuts", type=int, default=60,
                        help="power cuts while the first commands create a new database")
    parser.add_argument("--control-cuts", type=int, default=100,
                        help="power cuts each negative control may take to lose a write")
    parser.add_argument("--seconds", type=int, default=150, help="bound of the durable phase")
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--replays", type=int, default=4, help="payments replayed per cut")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    args.powerloss = os.path.abspath(args.powerloss)
    args.optimist = os.path.abspath(args.optimist)
    with tempfile.TemporaryDirectory(prefix="optimist-powerloss-") as work:
        phase(args, work, "durable", "durable", args.cuts, args.seconds, want_loss=False)
        phase(args, work, "first-use", "durable", args.first_use_cuts, 60, want_loss=False,
              first_use=True)
        phase(args, work, "control-off", "off", args.control_cuts, 60, want_loss=True)
        phase(args, work, "control-delete-full", "delete-full", args.control_cuts, 60,
              want_loss=True)
        phase(args, work, "control-truncate-normal", "truncate-normal", args.control_cuts, 60,
              want_loss=True)
    if FAILURES:
        print(f"powerloss: {len(FAILURES)} failures", flush=True)
        sys.exit(1)
    print("powerloss: every check passed", flush=True)


if __name__ == "__main__":
    main()
