"""Part `versus`, only with --before-bin: `get` and `update` with an older optimist binary and
with this one, on the same database in the same run (each update on a customer of its own),
and the instructions of one `get` with each (the callgrind part's settings). When both have
`optimist-pg` beside them: `get`, `update --version` and `create-payment --key` with each
optimist-pg, called directly, on one throwaway PostgreSQL server (the part pg's settings),
taking turns. An older binary may refuse a database of a newer schema: then this part fails,
and says so."""

import json
import os
import shutil
import subprocess
import tempfile

import callgrind
import common
import sql


def measure(ctx):
    # Both run from copies in two folders of one length: the same binary runs measurably slower
    # from the build folder, where the linker just wrote it, than from a fresh copy.
    with tempfile.TemporaryDirectory(prefix="optimist-bench-versus-bin-") as folder:
        copies = []
        for side, binary in (("before", ctx.before["bin"]), ("after", ctx.binary)):
            os.mkdir(os.path.join(folder, side[0]))
            for name in ("optimist", "optimist-pg"):
                source = os.path.join(os.path.dirname(binary), name) if name != "optimist" else binary
                if os.access(source, os.X_OK):
                    shutil.copy2(source, os.path.join(folder, side[0], name))
            copies.append(os.path.join(folder, side[0], "optimist"))
        return measure_with(ctx, *copies)


def measure_with(ctx, before, after):
    dbs = ctx.databases()
    small, ids = dbs["SMALL"], dbs["ids"]
    common.say(f"before/after: get and update with {before}")
    got = ctx.blocks("versus-get", [[before, "get", ids["GET_SMALL"], "--db", small],
                                    [after, "get", ids["GET_SMALL"], "--db", small]])
    customers = [sql.id_at(small, ctx.size["small"] // 2 + k) for k in (8, 9)]
    first = sql.version_of(small, customers[0])
    updated = ctx.blocks("versus-update", [
        [binary, "update", customer, "--version", "{v}", "--set", "note=bench-{v}", "--db", small]
        for binary, customer in zip((before, after), customers)], "v", first)
    instructions = {}
    with callgrind.Place() as place:  # the callgrind part's settings
        for name, binary in (("before", before), ("after", after)):
            place.copy(dbs["pristine"], "small.db")
            place.copy(binary, "optimist")
            out = os.path.join(ctx.work, f"callgrind.versus-{name}.out")
            instructions[name] = place.run(["./optimist", "get", ids["GET_SMALL"], "--db", "./small.db"], out)
    out = {"label": ctx.before["label"], "binary": ctx.line([ctx.before["bin"]]),
           "get": {"before": got[0], "after": got[1]}, "update": {"before": updated[0], "after": updated[1]},
           "get_instructions": instructions}
    helpers = [os.path.join(os.path.dirname(b), "optimist-pg") for b in (before, after)]
    if all(os.access(h, os.X_OK) for h in helpers):
        out["postgresql"] = postgresql(ctx, helpers)
    return out


def postgresql(ctx, helpers):
    """get, update --version and create-payment --key with each optimist-pg (before, after), on
    one throwaway server, taking turns: {command: {"before": summary, "after": summary}}. Each
    keeps what it knows of the objects (its known states) as a user's calls would."""
    common.say("before/after: get, update and create-payment with each optimist-pg")
    with tempfile.TemporaryDirectory(prefix="optimist-bench-versus-") as temporary:
        os.chmod(temporary, 0o755)
        folder = os.path.join(temporary, "server")
        port = common.run(["bash", os.path.join(common.SCRIPTS, "pg-server.sh"), "start", folder, "durable"]).strip()
        url = f"postgresql://postgres@/postgres?host={folder}&port={port}"
        try:
            def create(helper):
                return json.loads(common.run([helper, "create-customer", "--given-name", "v", "--db", url]))["id"]
            customers = [create(h) for h in helpers]
            pay = ["--amount", "450", "--currency", "USD", "--source-id", "cnon:card-nonce-ok", "--db", url]
            got = ctx.blocks("versus-pg-get", [[h, "get", c, "--db", url] for h, c in zip(helpers, customers)])
            updated = ctx.blocks("versus-pg-update", [
                [h, "update", c, "--version", "{v}", "--set", "note=n{v}", "--db", url]
                for h, c in zip(helpers, customers)], "v", 0)
            paid = ctx.blocks("versus-pg-payment", [[h, "create-payment", "--key", f"{side}{{v}}", *pay]
                                                    for h, side in zip(helpers, "ba")], "v", 0)
        finally:
            subprocess.run(["bash", os.path.join(common.SCRIPTS, "pg-server.sh"), "stop", folder], check=False)
    ctx.commands = [c.replace(folder, "$PGDIR").replace(f"port={port}", "port=$PGPORT") for c in ctx.commands]
    return {name: {"before": pair[0], "after": pair[1]}
            for name, pair in (("get", got), ("update --version", updated), ("create-payment --key", paid))}
