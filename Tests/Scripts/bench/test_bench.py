"""The benchmark's own tests: the renderer on a small results file (fixture.json, a trimmed
`--quick` run), and measure's merging of parts. No measuring: `make bench-test`, a second."""

import argparse
import copy
import importlib.util
import json
import os
import sys
import tempfile
import types
import unittest

import render

HERE = os.path.dirname(os.path.abspath(__file__))
SECTIONS = ["## Results", "## Why", "### Instructions by component", "### System calls of one `update`",
            "## Durability", "## PostgreSQL", "## `edit` against the hand-written loop",
            "## optimist serve (HTTP, SQLite)", "## Repeat it"]


def fixture():
    with open(os.path.join(HERE, "fixture.json")) as f:
        return json.load(f)


def section(markdown, title):
    """The text of a section, up to the next one of its level."""
    start = markdown.index(title)
    level = title.split(" ")[0] + " "
    end = markdown.find("\n" + level, start + len(title))
    return markdown[start:end if end >= 0 else len(markdown)]


def row(markdown, first_cell):
    return next(line for line in markdown.splitlines() if line.startswith(f"| {first_cell} |"))


class RenderTests(unittest.TestCase):
    def test_every_section_of_a_full_results_file(self):
        page = render.render(fixture())
        for title in SECTIONS:
            self.assertIn(title, page)
        self.assertNotIn("Not measured", page)
        self.assertNotIn("## Before and after", page)

    def test_rendering_is_pure(self):
        results = fixture()
        kept = copy.deepcopy(results)
        self.assertEqual(render.render(results), render.render(results))
        self.assertEqual(results, kept)

    def test_a_missing_part_says_how_to_measure_it_and_the_others_are_unchanged(self):
        full = render.render(fixture())
        results = fixture()
        del results["parts"]["pg"]
        page = render.render(results)
        self.assertIn("`make bench PARTS=pg`", section(page, "## PostgreSQL"))
        for title in ("## Durability", "## optimist serve (HTTP, SQLite)"):
            self.assertEqual(section(full, title), section(page, title))

    def test_only_callgrind_renders_the_instruction_rows(self):
        results = fixture()
        results["parts"] = {"callgrind": results["parts"]["callgrind"]}
        page = render.render(results)
        instructions = results["parts"]["callgrind"]["data"]["instructions"]["opt-get-SMALL"]
        self.assertIn(f"{instructions:,}", row(page, "instructions, `get` (callgrind)"))
        self.assertIn("`make bench PARTS=sqlite`", page)

    def test_the_verdict_follows_the_figures(self):
        results = fixture()
        get = results["parts"]["sqlite"]["data"]["get"]
        for side, ms in (("opt", 1.0), ("sql", 2.0), ("flr", 0.9)):
            get[side].update(median_ms=ms, block_medians_ms=[ms] * len(get[side]["block_medians_ms"]))
        self.assertTrue(row(render.render(results), "`get ID`").endswith("| yes |"))
        get["opt"].update(median_ms=3.0, block_medians_ms=[3.0] * len(get["opt"]["block_medians_ms"]))
        self.assertTrue(row(render.render(results), "`get ID`").endswith("| **no** |"))

    def test_the_event_feeds_goal_follows_its_figures(self):
        results = fixture()
        outbox = results["parts"]["events"]["data"]["outbox"]
        page = section(render.render(results), "## The event feed")
        self.assertIn("1.10 for `update` and `create-payment`: met.", page)
        self.assertTrue(row(page, "`update --version`").startswith("| `update --version` | 1,140,000 | 1,230,000 | 1.08 |"))
        outbox["after"]["payment"] = outbox["before"]["payment"] * 1.2
        page = section(render.render(results), "## The event feed")
        self.assertIn("**not met**", page)
        self.assertIn("| 1.20 |", row(page, "`create-payment`"))

    def test_before_and_after(self):
        results = fixture()
        before = render.figures(results)
        before["get instructions"] *= 2
        results["before"] = {"label": "an older commit", "figures": before}
        page = section(render.render(results), "## Before and after")
        self.assertIn("an older commit", page)
        self.assertTrue(row(page, "`get` instructions (callgrind)").endswith("| 0.50 |"))
        self.assertTrue(row(page, "`update` instructions").endswith("| 1.00 |"))

    def test_postgresql_with_optimist_pg_called_directly_and_instructions(self):
        # Results from before the same SQL's column: optimist-pg's, against psql's least SQL.
        results = fixture()
        d = results["parts"]["pg"]["data"]
        del d["scripts"]
        for op, ms in (("get", 5.0), ("update", 8.0), ("payment", 9.0)):
            del d[op]["same"]
            d[op]["direct"] = dict(d[op]["psql"], median_ms=ms)
            d[op]["psql"]["median_ms"] = 10.0
        d["instructions"] = {"optimist-pg": {"total": 9000, "loader": 6000, "before_exec": 0},
                             "psql": {"total": 10000, "loader": 7000, "before_exec": 0},
                             "optimist": {"total": 9500, "loader": 6000, "before_exec": 500}}
        page = section(render.render(results), "## PostgreSQL")
        self.assertTrue(row(page, "`get`").endswith("| 0.50 |"))
        self.assertTrue(row(page, "`create-payment --key`").endswith("| 0.90 |"))
        self.assertEqual(row(page, "`optimist-pg get`"), "| `optimist-pg get` | 9,000 | 6,000 | 3,000 | 0.90 |")
        self.assertIn("spends 500 before it execs", page)
        self.assertIn("| PostgreSQL `get`, optimist-pg / psql, least SQL |",
                      render.render(dict(results, before={"label": "x", "figures": render.figures(results)})))

    def test_postgresql_against_psql_with_the_same_sql_and_the_least(self):
        results = fixture()
        d = results["parts"]["pg"]["data"]
        for op, (opt, direct, same, least) in (("get", (9, 8, 10, 6)), ("update", (12, 11, 10, 9)),
                                               ("payment", (11, 10, 11, 8))):
            for key, ms in (("opt", opt), ("direct", direct), ("same", same), ("psql", least)):
                d[op][key]["median_ms"] = float(ms)
        page = section(render.render(results), "## PostgreSQL")
        self.assertIn("| one call | optimist | optimist-pg | psql, same SQL | psql, least SQL | optimist / psql, "
                      "same SQL | optimist-pg / psql, same SQL | optimist / psql, least SQL |", page)
        self.assertEqual(row(page, "`get`"), "| `get` | 9.00 ms | 8.00 ms | 10.00 ms | 6.00 ms | 0.90 | 0.80 | 1.50 |")
        self.assertTrue(row(page, "`update --version`").endswith("| 1.20 | 1.10 | 1.33 |"))
        self.assertTrue(row(page, "`create-payment --key`").endswith("| 1.00 | 0.91 | 1.38 |"))
        # What each column sends, from the scripts the part ran.
        self.assertIn("- `update --version` (9 statements): `SET lock_timeout = 10000; BEGIN ISOLATION LEVEL READ "
                      "COMMITTED; SELECT … FROM optimist_schema; SELECT … FROM customers … FOR UPDATE; WITH changed "
                      "AS (UPDATE customers …) SELECT …; WITH changed AS (INSERT INTO history …) SELECT …; SELECT "
                      "pg_advisory_xact_lock(…); WITH changed AS (INSERT INTO events …) SELECT …; COMMIT`", page)
        self.assertIn("- `get` (1 statement): `SELECT … FROM customers`", page)
        self.assertEqual(row(page, "`update --version`").count("|"), 9)
        self.assertIn("| command | optimist | psql, same SQL | psql, least SQL |", page)
        self.assertEqual(row(section(page, "Round trips"), "`create-payment --key`"),
                         "| `create-payment --key` | 2 | 1 | 1 |")
        after = render.render(dict(results, before={"label": "x", "figures": render.figures(results)}))
        self.assertIn("| PostgreSQL `update`, optimist / psql, same SQL | 1.20 | 1.20 | 1.00 |", after)

    def test_postgresql_of_older_results_without_the_same_sql(self):
        results = fixture()
        d = results["parts"]["pg"]["data"]
        for op in ("get", "update", "payment"):
            del d[op]["same"], d[op]["direct"]
        del d["scripts"], d["round_trips"]["same"]
        page = section(render.render(results), "## PostgreSQL")
        self.assertIn("| one call | optimist | psql | optimist / psql |", page)
        self.assertIn("| command | optimist | psql |", page)
        self.assertNotIn("psql, same SQL", page)

    def test_before_without_common_figures(self):
        results = fixture()
        results["before"] = {"label": "elsewhere", "figures": {"something else": 1}}
        self.assertIn("None of its figures", render.render(results))


class CaptureTests(unittest.TestCase):
    """The statements of a session read back from PostgreSQL's log (pgcapture), and made a
    template with per-call values (postgres)."""

    LOG = "\n".join([
        "2026-12-05 03:49:31.848 UTC [4117] LOG:  received SIGHUP, reloading configuration files",
        "@@bench@@psql@@4200@@ LOG:  statement: SHOW log_statement",
        "@@bench@@optimist-bench-capture@@4201@@ LOG:  execute <unnamed>: BEGIN ISOLATION LEVEL READ COMMITTED",
        "@@bench@@optimist-bench-capture@@4201@@ LOG:  execute <unnamed>: UPDATE customers SET note = $1,",
        "\t  version = $2 WHERE id = $10 AND version = $11 AND x = $3 AND y = $4 AND z = $5",
        "\t  AND a = $6 AND b = $7 AND c = $8 AND d = $9",
        "@@bench@@optimist-bench-capture@@4201@@ DETAIL:  parameters: $1 = 'it''s, $2 = ''x''",
        "\tsecond line', $2 = '1', $3 = NULL, $4 = '', $5 = '5', $6 = '6', $7 = '7', $8 = '8', $9 = '9', "
        "$10 = 'ID', $11 = '0'",
        "@@bench@@psql@@4200@@ LOG:  statement: SELECT 1",
        "@@bench@@optimist-bench-capture@@4201@@ LOG:  execute <unnamed>: COMMIT",
        "@@bench@@optimist-bench-capture@@4201@@ LOG:  could not send data to client: Broken pipe",
        "@@bench@@optimist-bench-capture@@4201@@ FATAL:  connection to client lost",
        ""])

    def test_the_sessions_statements_with_their_parameters(self):
        import pgcapture
        statements = pgcapture.parse_log(self.LOG)
        self.assertEqual([sql.split()[0] for sql, _ in statements], ["BEGIN", "UPDATE", "COMMIT"])
        sql, parameters = statements[1]
        self.assertEqual(parameters, ["it's, $2 = 'x'\nsecond line", "1", None, "", "5", "6", "7", "8", "9", "ID", "0"])
        self.assertEqual(pgcapture.inline(sql, parameters),
                         "UPDATE customers SET note = 'it''s, $2 = ''x''\nsecond line',\n  version = '1' WHERE "
                         "id = 'ID' AND version = '0' AND x = NULL AND y = '' AND z = '5'\n  AND a = '6' AND "
                         "b = '7' AND c = '8' AND d = '9'")
        self.assertEqual(pgcapture.script([("SELECT $1", ["a"]), ("COMMIT", [])]), "SELECT 'a'; COMMIT")

    def test_what_does_not_add_up_fails(self):
        import pgcapture
        with self.assertRaises(SystemExit):
            pgcapture.parse_log(self.LOG.replace("LOG:  statement: SELECT 1",
                                                 "LOG:  x").replace("@@4201@@ LOG:  execute <unnamed>: COMMIT",
                                                                    "@@4201@@ ERROR:  deadlock detected"))
        with self.assertRaises(SystemExit):
            pgcapture.parse_parameters("$1 = 'a', $3 = 'b'")
        with self.assertRaises(SystemExit):
            pgcapture.inline("SELECT $1", ["a", "b"])
        with self.assertRaises(SystemExit):
            pgcapture.inline("SELECT $2", ["a"])

    def test_per_call_values_and_what_a_capture_must_hold(self):
        import common
        import postgres
        statements = postgres.per_call(
            ["UPDATE customers SET version = '424243', updated_at = '1796442424242' WHERE id = 'CUSTOMER1' AND "
             "version = '424242'", "INSERT INTO events VALUES ('{\"event_id\":\"c48ff49f-a92e-4ead-bd65-3fad11a3ab70\"}')"],
            [("424242", "{v}"), ("424243", "{v+1}"), ("CUSTOMER1", "CUSTOMER2"),
             ("c48ff49f-a92e-4ead-bd65-3fad11a3ab70", "c48ff49f-a92e-4ead-bd65-{v}")])
        self.assertEqual(common.expand("; ".join(statements), "v", 7),
                         "UPDATE customers SET version = '8', updated_at = '1796442424242' WHERE id = 'CUSTOMER2' AND "
                         "version = '7'; INSERT INTO events VALUES ('{\"event_id\":\"c48ff49f-a92e-4ead-bd65-7\"}')")
        with self.assertRaises(SystemExit):
            postgres.per_call(["SELECT 1"], [("capture-key", "q{v}")])
        postgres.expect("get", ["SET lock_timeout = 1", "BEGIN READ ONLY", "SELECT v FROM optimist_schema",
                                "SELECT id FROM customers WHERE id = 'x'", "COMMIT"])
        with self.assertRaises(SystemExit):
            postgres.expect("update", ["BEGIN ISOLATION LEVEL READ COMMITTED", "SELECT v FROM optimist_schema",
                                       "SELECT id FROM customers WHERE id = 'x' FOR UPDATE", "COMMIT"])


class MeasureTests(unittest.TestCase):
    def main_module(self):
        spec = importlib.util.spec_from_file_location("bench_main", os.path.join(HERE, "__main__.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def test_measuring_one_part_keeps_the_others(self):
        main = self.main_module()
        main.PARTS = {"first": types.SimpleNamespace(measure=lambda ctx: {"value": 1}),
                      "second": types.SimpleNamespace(measure=lambda ctx: {"value": 2})}
        with tempfile.TemporaryDirectory() as folder:
            out = os.path.join(folder, "results.json")

            def measure(*only):
                main.measure(argparse.Namespace(only=list(only), out=out, baseline=None, work=None,
                                                bin=sys.executable, quick=True, before_bin=None,
                                                before_label=None, size=["runs=4"]))
                with open(out) as f:
                    return json.load(f)

            measure("second")
            results = measure("first")
            self.assertEqual(list(results["parts"]), ["first", "second"])
            self.assertEqual(results["parts"]["second"]["data"], {"value": 2})
            self.assertTrue(results["parts"]["first"]["env"]["quick"])
            self.assertEqual(results["parts"]["first"]["env"]["sizes"]["runs"], 4)


if __name__ == "__main__":
    unittest.main()
