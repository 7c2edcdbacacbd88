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
        results = fixture()
        d = results["parts"]["pg"]["data"]
        for op, ms in (("get", 5.0), ("update", 8.0), ("payment", 9.0)):
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
        self.assertIn("| PostgreSQL `get`, optimist-pg / psql |",
                      render.render(dict(results, before={"label": "x", "figures": render.figures(results)})))

    def test_before_without_common_figures(self):
        results = fixture()
        results["before"] = {"label": "elsewhere", "figures": {"something else": 1}}
        self.assertIn("None of its figures", render.render(results))


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
