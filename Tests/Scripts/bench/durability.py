"""Part `durability`: how a commit reaches the disk. The sqlite3 shell's update (the same SQL
as the `sqlite` part) on the small database, in SQLite's default DELETE mode at FULL
(optimist's settings before issue 13, which a power cut can undo), DELETE at EXTRA, and
TRUNCATE at FULL (optimist's choice), side by side on three customers of their own."""

import common
import sql

SETTINGS = [("DELETE", "FULL"), ("DELETE", "EXTRA"), ("TRUNCATE", "FULL")]


def measure(ctx):
    dbs = ctx.databases()
    small, customers = dbs["SMALL"], dbs["ids"]["DURABILITY"]
    common.say(f"durability: the shell's update in DELETE+FULL, DELETE+EXTRA, TRUNCATE+FULL, "
               f"{ctx.size['runs']} runs each")
    first = sql.version_of(small, customers[0])
    commands = [sql.shell(mode) + ["-json", small, sql.update_sql(customer, "{v}", "bench-{v}", synchronous)]
                for (mode, synchronous), customer in zip(SETTINGS, customers)]
    got = ctx.blocks("durability", commands, "v", first)
    for customer in customers:
        if sql.version_of(small, customer) != first + ctx.size["runs"]:
            raise SystemExit(f"bench: a durability run changed nothing ({customer})")
    return {"settings": [{"journal_mode": m, "synchronous": s, **figures}
                         for (m, s), figures in zip(SETTINGS, got)]}
