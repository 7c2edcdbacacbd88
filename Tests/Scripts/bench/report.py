"""What the renderer's sections share: the goals, how numbers are written, and the
summaries of rounds. Pure: no measuring, no files."""

import statistics

# The goals: one call no slower than the shell, and within 1.25 (get) or 1.15 (writes, where the
# disk's fsyncs dominate) of the floor; instructions, scale and memory bounds.
GOAL_GET_FLOOR = 1.25
GOAL_WRITE_FLOOR = 1.15
GOAL_RSS_MIB = 6
GOAL_GET_INSTRUCTIONS = 900000
GOAL_SCALE = 1.2
GOAL_EDIT = 2
GOAL_SERVE = 20
# Reads beside 500 slow clients, as a fraction of reads alone (issue 18).
GOAL_SLOW = 0.8


# ----------------------------------------------------------------------------- numbers
def f(x, decimals=2):
    return f"{x:.{decimals}f}"


def n(x):
    """1234567 -> 1,234,567."""
    return f"{int(round(x)):,}"


def mi(x):
    return f"{x / 1e6:.2f}"


def ratio(a, b, decimals=2):
    return f(a / b, decimals) if b else "–"


def goal_ratio(a, b):
    """a / b with a third decimal when two would show 1.00 for a != b, so that the ratio and
    the verdict next to it never seem to disagree."""
    r = ratio(a, b)
    return ratio(a, b, 3) if r == "1.00" and a != b else r


def verdict(ok):
    return "yes" if ok else "**no**"


def pct(a, b):
    return f"{100 * a / b:.0f}" if b else "–"


def block_range(a, b):
    """The lowest and highest ratio of a's block medians to b's: when it straddles a goal, the
    blocks disagree on which side of it the ratio is."""
    ratios = [x / y for x, y in zip(a["block_medians_ms"], b["block_medians_ms"])]
    return min(ratios), max(ratios)


def spread(s):
    return f"{s['p25_ms']:.1f}–{s['p75_ms']:.1f}"


def contention_summary(rounds):
    rates = [r["updates_per_second"] for r in rounds]
    return {
        "updates_per_second": statistics.median(rates),
        "rates": " / ".join(f"{x:.1f}" for x in rates),
        "lowest_rate": min(rates),
        "highest_rate": max(rates),
        "conflicts": statistics.median(r["conflicts"] for r in rounds),
        "conflicts_per_success": sum(r["conflicts"] for r in rounds) / max(1, sum(r["successes"] for r in rounds)),
        "longest_update_ms": max(r["longest_update_ms"] for r in rounds),
        "median_update_ms": statistics.median(r["median_update_ms"] for r in rounds),
        "median_get_ms": statistics.median(r["median_get_ms"] for r in rounds),
        "lost_updates": max(r["lost_updates"] for r in rounds),
        "versions_gained": sum(r["versions_gained"] for r in rounds),
        "counter_gained": sum(r["counter_gained"] for r in rounds),
        "successes": sum(r["successes"] for r in rounds),
    }


def idempotency_summary(rounds):
    """The median rate, and whether every round kept its promises (each key paid once; a
    replayed key paid once, every answer the first one)."""
    if "payments_per_second" in rounds[0]:
        rates = [r["payments_per_second"] for r in rounds]
        kept = all(r["payments_created"] == r["expected"] for r in rounds)
    else:
        rates = [r["replays_per_second"] for r in rounds]
        kept = all(r["payments_created"] == 1 and r["payments_for_key"] == 1 and r["all_answers_identical"]
                   for r in rounds)
    return {"rate": statistics.median(rates), "rates": " / ".join(f"{x:.1f}" for x in rates),
            "kept": "yes" if kept else "no"}


def part(results, name):
    return results.get("parts", {}).get(name)


def not_measured(name):
    return f"Not measured in this results file: `make bench PARTS={name}` measures it.\n"


def measured_apart(results, name, header_env):
    """A line saying when a part was measured, if not in the run the header describes."""
    env = part(results, name)["env"]
    if header_env and env["date"] == header_env["date"] and env["commit"] == header_env["commit"]:
        return ""
    quick = " with `--quick` sizes (a try, not a measurement to quote)" if env.get("quick") else ""
    return f"Measured apart: {env['date']}, commit {env['commit']}{quick}.\n\n"
