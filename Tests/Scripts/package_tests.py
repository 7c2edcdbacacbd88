#!/usr/bin/env python3
"""What a user without Swift gets from `make dist` and `make deb` (run by `make package-test`).

  package_tests.py --dist DIR --version V --arch A

DIR holds optimist-V-linux-A.tar.gz, the packages optimist*_V_A.deb and SHA256SUMS. As root,
under Tests/Scripts/pg-server.sh (OPTIMIST_TEST_PG: a throwaway PostgreSQL server):

 1. the checksums hold, and each package says what it holds and needs (the helpers hold libpq
    and need OpenSSL and the GSSAPI and LDAP libraries libpq loads on demand; optimist needs
    nothing);
 2. `apt-get install ./….deb` installs optimist alone (SQLite works, `serve` and a URL say
    which package is missing), then the two helpers;
 3. /usr/bin/optimist runs the seed flow in an empty folder with PATH=/usr/bin:/bin (no Swift
    there, nothing from this tree), on SQLite and on the postgresql:// URL, and serves an
    authenticated request with `optimist serve`; every binary says version V;
 4. `man optimist` renders, and bash-completion completes `optimist upd` to `update`;
 5. `apt-get purge` removes every file `dpkg -L` listed that was not there before;
 6. the archive, unpacked into a temporary PREFIX, runs the same flow, man page and completion
    from there (the packages being gone).

A missing prerequisite (root, the server's URL, bash-completion, man, curl) fails the test.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

PACKAGES = ["optimist", "optimist-pg", "optimist-serve"]
# The environment the installed binaries run in: no Swift (the toolchain is under /opt or
# elsewhere, never /usr/bin or /bin here: checked), nothing inherited from the build.
PATH = "/usr/bin:/bin"


def fail(message):
    print(f"package_tests: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(args, *, env=None, cwd=None, expect=0, stdin=None):
    """Runs args; fails unless it exits `expect` (None: any); returns the CompletedProcess."""
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, input=stdin,
                          timeout=120)
    if expect is not None and done.returncode != expect:
        fail(f"{' '.join(args)} exited {done.returncode}, not {expect}\n"
             f"stdout: {done.stdout}\nstderr: {done.stderr}")
    return done


class Flow:
    """The seed flow with one optimist binary, in a fresh folder with a clean environment."""

    def __init__(self, optimist, work, version):
        self.optimist = optimist
        self.work = work
        self.version = version
        self.env = {"PATH": PATH, "HOME": os.path.join(work, "home"), "LANG": "C.UTF-8"}
        os.makedirs(self.env["HOME"])

    def cli(self, *args, db, expect=0):
        done = run([self.optimist, *args, "--db", db], env=self.env, cwd=self.work, expect=expect)
        return json.loads(done.stdout) if expect == 0 else done

    def check_environment(self):
        """No Swift on PATH, no Swift library loaded, every binary at version V."""
        check(run(["sh", "-c", "command -v swift"], env=self.env, expect=None).returncode != 0,
              f"swift is on PATH={PATH}")
        folder = os.path.dirname(self.optimist)
        lines = set()
        for name in PACKAGES:
            binary = os.path.join(folder, name)
            libraries = run(["ldd", binary], env=self.env, expect=None).stdout
            check("swift" not in libraries.lower(), f"{binary} loads a Swift library:\n{libraries}")
            if name != "optimist":
                check("libstdc++" not in libraries, f"{binary} loads libstdc++:\n{libraries}")
            if name == "optimist-pg":
                check("libsqlite3" not in libraries, f"{binary} loads SQLite:\n{libraries}")
            line = run([binary, "--version"], env=self.env, cwd=self.work).stdout
            check(re.fullmatch(rf"optimist {re.escape(self.version)} \(commit [0-9a-f]{{40}}, "
                               r"SQLite \d+\.\d+\.\d+\)\n", line),
                  f"{binary} --version: {line!r} (expected version {self.version})")
            lines.add(line)
        check(len(lines) == 1, f"the binaries disagree on their version: {lines}")
        linked = run(["ldd", self.optimist], env=self.env, expect=None)
        check("not a dynamic executable" in linked.stdout + linked.stderr,
              f"{self.optimist} is not static: {linked.stdout}{linked.stderr}")

    def seed(self, db):
        """Create, read twice, update with the version read, refuse the stale one, replay a
        payment by its key: the README's first steps."""
        item = self.cli("create-item", "--name", "Coffee", db=db)
        first = self.cli("get", item["id"], db=db)["version"]
        again = self.cli("get", item["id"], db=db)["version"]
        check(first == again == item["version"], f"versions differ: {item}, {first}, {again}")
        updated = self.cli("update", item["id"], "--version", str(first),
                           "--set", "description=Filter coffee", db=db)
        check(updated["version"] != first, f"the version did not move: {updated}")
        stale = self.cli("update", item["id"], "--version", str(first),
                         "--set", "available_for_pickup=false", db=db, expect=3)
        check("VERSION_MISMATCH" in stale.stderr and stale.stdout == "", f"stale: {stale}")
        current = self.cli("get", item["id"], db=db)
        check(current["item_data"].get("description") == "Filter coffee", f"lost: {current}")
        pay = ["create-payment", "--key", "order-1", "--amount", "450", "--currency", "USD",
               "--source-id", "cnon:card-nonce-ok"]
        once, twice = self.cli(*pay, db=db), self.cli(*pay, db=db)
        check(once == twice, f"the key charged twice: {once} {twice}")
        doctor = self.cli("doctor", db=db)
        check(doctor["optimist"]["version"] == self.version, f"doctor: {doctor}")
        check(doctor["objects"]["payments"] == 1, f"doctor: {doctor}")
        return doctor

    def serve(self, db):
        """`optimist serve` on port 0: an authenticated request is answered, none is refused."""
        env = dict(self.env, OPTIMIST_TOKEN="package-test-secret")
        server = subprocess.Popen([self.optimist, "serve", "--listen", "127.0.0.1:0", "--db", db],
                                  env=env, cwd=self.work, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            ready = server.stdout.readline()
            check(ready, f"serve printed no ready line: {server.stderr.read() if server.poll() is not None else ''}")
            url = json.loads(ready)["url"]
            curl = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}"]
            answer = run(curl + ["-H", "Authorization: Bearer package-test-secret",
                                 url + "/v2/catalog/list"], env=self.env)
            body, status = answer.stdout.rsplit("\n", 1)
            check(status == "200", f"authenticated request: {status} {body}")
            names = [o["item_data"]["name"] for o in json.loads(body).get("objects", [])]
            check(names == ["Coffee"], f"serve does not see the CLI's item: {body}")
            refused = run(curl + [url + "/v2/catalog/list"], env=self.env).stdout
            check(refused.endswith("\n401"), f"no token: {refused}")
            # The release build links the Swift runtime statically: its tasks still run on
            # SwiftNIO's event loops (ConcurrencyHook), never on libdispatch's pool, whose
            # worker threads are named after their quality of service (…-qos).
            threads = []
            for task in os.listdir(f"/proc/{server.pid}/task"):
                with open(f"/proc/{server.pid}/task/{task}/comm") as comm:
                    threads.append(comm.read().strip())
            check(any(t.startswith("NIO-") for t in threads), f"no event loop threads: {threads}")
            check(not any("qos" in t for t in threads), f"libdispatch's pool runs tasks: {threads}")
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=30)
        check(code == 0, f"serve exited {code} on SIGTERM: {server.stderr.read()}")

    def all(self, postgres_url):
        self.check_environment()
        doctor = self.seed(os.path.join(self.work, "shop.db"))
        check(doctor["integrity_check"] == "ok", f"doctor: {doctor}")
        # optimist-pg, which links no SQLite, runs optimist beside it for a path.
        helper = os.path.join(os.path.dirname(self.optimist), "optimist-pg")
        done = run([helper, "doctor", "--db", "shop.db"], env=self.env, cwd=self.work)
        check(json.loads(done.stdout)["objects"]["payments"] == 1, f"optimist-pg doctor: {done.stdout}")
        self.serve(os.path.join(self.work, "shop.db"))
        # optimist execs optimist-pg beside it for the URL.
        doctor = self.seed(postgres_url)
        check(doctor["engine"] == "postgresql" and doctor["consistency_check"] == "ok",
              f"doctor on PostgreSQL: {doctor}")
        # optimist-serve holds libpq too (linked statically, as optimist-pg does).
        self.serve(postgres_url)
        # The libpq linked in: the one libpq-dev described when the helpers were built here.
        built = run(["pg_config", "--version"], env=self.env).stdout.split()[1]
        check(doctor.get("libpq_version") == built, f"doctor's libpq {doctor.get('libpq_version')}, not {built}")
        self.libpq_on_demand(helper, postgres_url)

    def libpq_on_demand(self, helper, postgres_url):
        """optimist-pg holds libpq (linked statically) and loads libpq's GSSAPI and LDAP
        libraries only when libpq calls them: not for a Unix socket, GSSAPI for GSSAPI
        encryption over TCP, LDAP for a service file's ldap:// line; each then does its work."""
        for binary in [helper, os.path.join(os.path.dirname(helper), "optimist-serve")]:
            libraries = run(["ldd", binary], env=self.env).stdout
            for name in ["libpq", "libgssapi", "libldap", "libkrb5", "libgnutls"]:
                check(name not in libraries, f"{binary} loads {name} at start:\n{libraries}")

        def loaded(url, expect, env=None):
            done = run([helper, "list", "--db", url], expect=expect,
                       env=dict(self.env, LD_DEBUG="files", **(env or {})), cwd=self.work)
            # What optimist-pg itself dlopens (not what those libraries load in turn).
            names = [name for name, by in re.findall(r"file=(\S+) \[0\];  dynamically loaded by (\S+)",
                                                      done.stderr) if by == helper]
            return names, done.stderr

        names, _ = loaded(postgres_url, 0)
        check(names == [], f"a Unix socket call loaded {names}")
        port = os.environ["OPTIMIST_TEST_PG_PORT"]
        names, stderr = loaded(f"postgresql://postgres@127.0.0.1:{port}/postgres?gssencmode=require", 75)
        check(len(names) == 1 and names[0].startswith("libgssapi"),
              f"GSSAPI encryption over TCP loaded {names}")
        check("GSSAPI encryption required but was impossible" in stderr,
              f"GSSAPI's answer is not libpq's: {stderr[-600:]}")
        # An LDAP server that cannot be reached: libpq goes on without the service's settings.
        services = os.path.join(self.work, "pg_service.conf")
        with open(services, "w") as f:
            f.write("[directory]\nldap://127.0.0.1:9/dc=example?uri?one?(cn=optimist)\n")
        names, stderr = loaded(postgres_url + "&service=directory", 0, {"PGSERVICEFILE": services})
        check(len(names) == 1 and names[0].startswith("libldap"), f"an ldap:// service loaded {names}")


def drop_store(url):
    """Removes what a flow left in the PostgreSQL database, so the next one starts empty."""
    psql = sorted(p for p in os.listdir("/usr/lib/postgresql"))[-1]
    run([f"/usr/lib/postgresql/{psql}/bin/psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
         "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"])


def man_renders(env):
    page = run(["man", "-P", "cat", "optimist"], env=dict(env, MANWIDTH="80")).stdout
    check("create-payment" in page and "OPTIMIST_DB" in page, f"man optimist: {page[:500]}")
    for helper in ["optimist-pg", "optimist-serve"]:
        page = run(["man", "-P", "cat", helper], env=dict(env, MANWIDTH="80")).stdout
        check("optimist(1)" in page, f"man {helper}: {page[:500]}")


def completes(env):
    """bash-completion, in a non-interactive bash, loads optimist's script on demand (as for
    a user's Tab) and completes `optimist upd`."""
    script = """
        source /usr/share/bash-completion/bash_completion || exit 90
        __load_completion optimist || exit 91
        spec=$(complete -p optimist) || exit 92
        function=$(printf '%s\\n' "$spec" | sed -n 's/.* -F \\([^ ]*\\) .*/\\1/p')
        COMP_WORDS=(optimist upd); COMP_CWORD=1; COMP_LINE='optimist upd'; COMP_POINT=12
        "$function" optimist upd optimist || exit 93
        printf '%s\\n' "${COMPREPLY[@]}"
    """
    done = run(["bash", "-c", script], env=env)
    offered = done.stdout.split()
    check("update" in offered and all(w.startswith("upd") for w in offered),
          f"optimist upd<Tab> offers {offered}")


def test_packages(args, work):
    debs = [os.path.join(args.dist, f"{p}_{args.version}_{args.arch}.deb") for p in PACKAGES]
    for deb in debs:
        check(os.path.isfile(deb), f"missing {deb}: run make deb")
    depends = {p: run(["dpkg-deb", "-f", d, "Depends"]).stdout for p, d in zip(PACKAGES, debs)}
    check("libpq5" not in depends["optimist"], f"optimist depends on libpq5: {depends}")
    # The helpers hold libpq (libpq-dev's libpq.a: Built-Using), with OpenSSL as a shared
    # library, and load GSSAPI and LDAP when libpq calls them (Sources/CLibPQOnDemand).
    for helper, deb in zip(PACKAGES[1:], debs[1:]):
        check(not re.search(r"\blibpq5\b", depends[helper]), f"{helper} needs libpq5: {depends}")
        for needed in [r"libssl\d", r"libgssapi-krb5-\d", r"libldap-[\d.]+-\d"]:
            check(re.search(rf"\b{needed}\b", depends[helper]), f"{helper} lacks {needed}: {depends}")
        built_using = run(["dpkg-deb", "-f", deb, "Built-Using"]).stdout
        check(re.fullmatch(r"postgresql-\d+ \(= \S+\)\n", built_using),
              f"{helper}'s Built-Using: {built_using!r}")
    check("libssl" not in depends["optimist"], f"optimist depends on libssl: {depends}")
    # optimist-pg links no SQLite (it runs optimist for a path), and both helpers link the C++
    # library statically (the Makefile's HELPERS): fewer libraries to load at every start.
    check("libsqlite3" not in depends["optimist-pg"], f"optimist-pg depends on SQLite: {depends}")
    for helper in PACKAGES[1:]:
        check("libstdc++" not in depends[helper], f"{helper} depends on libstdc++: {depends}")
    contents = run(["dpkg-deb", "-c", debs[0]]).stdout
    for path in ["./usr/bin/optimist", "./usr/share/man/man1/optimist.1.gz",
                 "./usr/share/bash-completion/completions/optimist",
                 "./usr/share/zsh/site-functions/_optimist",
                 "./usr/share/fish/vendor_completions.d/optimist.fish",
                 "./usr/share/doc/optimist/copyright"]:
        check(re.search(rf" {re.escape(path)}$", contents, re.M), f"optimist lacks {path}")

    installed = run(["dpkg-query", "-W", "-f", "${Package} ${Status}\n"] + PACKAGES, expect=None)
    check("install ok installed" not in installed.stdout,
          f"already installed, purge first: {installed.stdout}")
    # Every path the packages will hold, known before they are installed: what existed then
    # (shared folders such as /usr/bin) may stay after the purge; nothing else may.
    listed = set()
    for deb in debs:
        for line in run(["dpkg-deb", "-c", deb]).stdout.splitlines():
            path = line.split(" ./", 1)[1].split(" -> ")[0].rstrip("/")
            if path:
                listed.add("/" + path)
    existed = {p for p in listed if os.path.lexists(p)}
    apt = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends"]
    try:
        # optimist alone: SQLite works; serve and a URL say which package is missing.
        run(install + debs[:1], env=apt)
        alone = Flow("/usr/bin/optimist", os.path.join(work, "alone"), args.version)
        alone.cli("create-customer", "--given-name", "Ada", db=os.path.join(alone.work, "a.db"))
        for missing, command in [("optimist-serve", ["serve", "--listen", "127.0.0.1:0"]),
                                 ("optimist-pg", ["list", "--db", args.postgres])]:
            done = run(["/usr/bin/optimist", *command], env=alone.env, expect=1)
            check(f"Install the Debian package {missing}" in done.stderr
                  and "postgres@" not in done.stderr, f"without {missing}: {done.stderr}")
        run(install + debs[1:], env=apt)
        owned = set()
        for package in PACKAGES:
            owned |= {p for p in run(["dpkg", "-L", package]).stdout.splitlines() if p != "/."}
        check(owned == listed, f"dpkg -L and the packages differ: {sorted(owned ^ listed)}")
        flow = Flow("/usr/bin/optimist", os.path.join(work, "deb"), args.version)
        flow.all(args.postgres)
        drop_store(args.postgres)
        man_renders(flow.env)
        completes(flow.env)
    finally:
        run(["apt-get", "purge", "-y", "-q"] + PACKAGES, env=apt)
    left = sorted(p for p in owned - existed if os.path.lexists(p))
    check(not left, f"apt-get purge left {left}")
    print(f"package_tests: packages ok ({len(owned)} paths installed and removed)")


def test_archive(args, work):
    name = f"optimist-{args.version}-linux-{args.arch}"
    archive = os.path.join(args.dist, name + ".tar.gz")
    check(os.path.isfile(archive), f"missing {archive}: run make dist")
    members = run(["tar", "-tzf", archive]).stdout.split()
    for path in ["bin/optimist", "bin/optimist-pg", "bin/optimist-serve",
                 "share/bash-completion/completions/optimist", "share/zsh/site-functions/_optimist",
                 "share/fish/vendor_completions.d/optimist.fish", "share/man/man1/optimist.1",
                 "share/doc/optimist/README.md"]:
        check(f"{name}/{path}" in members, f"the archive lacks {name}/{path}: {members}")
    prefix = os.path.join(work, "prefix")
    os.makedirs(prefix)
    run(["tar", "-xzf", archive, "-C", prefix, "--strip-components=1"])
    for gone in ["/usr/bin/optimist", "/usr/bin/optimist-pg", "/usr/bin/optimist-serve"]:
        check(not os.path.lexists(gone), f"{gone} is still installed")
    flow = Flow(os.path.join(prefix, "bin", "optimist"), os.path.join(work, "archive"),
                args.version)
    flow.all(args.postgres)
    drop_store(args.postgres)
    # A PREFIX outside the usual places, as the README says: man reads $MANPATH, and
    # bash-completion finds the script through $XDG_DATA_DIRS.
    env = dict(flow.env, MANPATH=os.path.join(prefix, "share", "man"),
               XDG_DATA_DIRS=os.path.join(prefix, "share"))
    man_renders(env)
    completes(env)
    print("package_tests: archive ok")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--arch", required=True)
    args = parser.parse_args()
    args.dist = os.path.abspath(args.dist)
    args.postgres = os.environ.get("OPTIMIST_TEST_PG", "")
    check(args.postgres.startswith("postgresql://"),
          "OPTIMIST_TEST_PG is not set: run under Tests/Scripts/pg-server.sh run")
    check(os.geteuid() == 0, "needs root (apt-get install and purge)")
    for tool in ["curl", "man", "ldd", "dpkg-deb"]:
        check(shutil.which(tool, path=PATH), f"{tool} is missing under {PATH}")
    check(os.path.isfile("/usr/share/bash-completion/bash_completion"),
          "bash-completion is not installed")
    run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=args.dist)
    with tempfile.TemporaryDirectory(prefix="optimist-package-") as work:
        os.chmod(work, 0o755)
        test_packages(args, work)
        test_archive(args, work)


if __name__ == "__main__":
    main()
