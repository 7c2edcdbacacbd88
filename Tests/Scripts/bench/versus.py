"""Part `versus`, only with --before-bin: `get` and `update` with an older optimist binary and
with this one, on the same database in the same run (each update on a customer of its own),
and the instructions of one `get` with each (the callgrind part's settings). An older binary
may refuse a database of a newer schema: then this part fails, and says so."""

import os

import callgrind
import common
import sql


def measure(ctx):
    before = ctx.before["bin"]
    dbs = ctx.databases()
    small, ids = dbs["SMALL"], dbs["ids"]
    common.say(f"before/after: get and update with {before}")
    got = ctx.blocks("versus-get", [[before, "get", ids["GET_SMALL"], "--db", small],
                                    [ctx.binary, "get", ids["GET_SMALL"], "--db", small]])
    customers = [sql.id_at(small, ctx.size["small"] // 2 + k) for k in (8, 9)]
    first = sql.version_of(small, customers[0])
    updated = ctx.blocks("versus-update", [
        [binary, "update", customer, "--version", "{v}", "--set", "note=bench-{v}", "--db", small]
        for binary, customer in zip((before, ctx.binary), customers)], "v", first)
    instructions = {}
    with callgrind.Place() as place:  # the callgrind part's settings
        for name, binary in (("before", before), ("after", ctx.binary)):
            place.copy(dbs["pristine"], "small.db")
            place.copy(binary, "optimist")
            out = os.path.join(ctx.work, f"callgrind.versus-{name}.out")
            instructions[name] = place.run(["./optimist", "get", ids["GET_SMALL"], "--db", "./small.db"], out)
    return {"label": ctx.before["label"], "binary": ctx.line([before]),
            "get": {"before": got[0], "after": got[1]}, "update": {"before": updated[0], "after": updated[1]},
            "get_instructions": instructions}
