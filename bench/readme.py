"""`python -m bench.readme` (what `make bench-readme` runs): the README's table of the last
runs, written from .bench/results-<scale>.json between the README's two markers. Every case
at each scale, p50 per layer, typed/JSONB and RLS on/off, and every target with its verdict:
the figures come from the runs alone, and the prose around the markers says what they mean."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench import report
from bench.report import ratios

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- bench figures: written by `make bench-readme` from .bench/results-*.json -->"
END = "<!-- end of bench figures -->"
LAYERS = ("asyncpg", "repository", "api")
VERDICTS = {True: "met", False: "**missed**", None: "reported"}


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def case_table(results: dict[str, Any]) -> list[str]:
    """One row per timed case at concurrency 1: its plan check, p50 per layer, typed/JSONB
    (> 1: typed is faster) and RLS on/off at the asyncpg layer."""
    p50 = {
        (t["query"], t["layer"]): t["p50_ms"] for t in results["timing"] if t["concurrency"] == 1
    }
    rls = {
        r["query"]: r["rls_over_no_rls"] for r in ratios(results["timing"]) if r["concurrency"] == 1
    }
    jsonb = {r["query"]: r["jsonb_over_typed"] for r in results["jsonb"]}
    checks = {p["query"]: p["status"] for p in results["plans"] if p["layout"] == "typed"}
    lines = [
        "| case | plan check | asyncpg | repository | API | typed/JSONB | RLS on/off |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for query in dict.fromkeys(t["query"] for t in results["timing"]):
        cells = [_ms(p50.get((query, layer))) for layer in LAYERS]
        lines.append(
            f"| `{query.removeprefix('search_')}` | {checks.get(query, '-')} | "
            + " | ".join(cells)
            + f" | {_ratio(jsonb.get(query))} | {_ratio(rls.get(query))} |"
        )
    return lines


def target_table(results: dict[str, Any]) -> list[str]:
    lines = ["| target | measured | goal | verdict |", "|---|---|---|---|"]
    for t in results["targets"]:
        measured = str(t["measured"]).replace("|", "/")
        lines.append(f"| {t['target']} | {measured} | {t['goal']} | {VERDICTS[t['met']]} |")
    return lines


def block(runs: list[dict[str, Any]]) -> str:
    """The generated part of the README, the largest scale first."""
    parts = [BEGIN, ""]
    for results in sorted(runs, key=lambda r: -r["meta"]["scale"]):
        meta = results["meta"]
        commit = meta.get("commit") or "not recorded"
        parts += [
            f"**{meta['scale']:,} videos** (run {meta['when']}, commit {commit}, "
            f"{meta['seconds']:.0f} s; p50 ms at concurrency 1):",
            "",
            *case_table(results),
            "",
            f"Targets at {meta['scale']:,} videos:",
            "",
            *target_table(results),
            "",
            f"Searches of one or two conditions under six orders at {meta['scale']:,} videos "
            "(bench/sweep.py, through the repository, ms):",
            "",
            *report.sweep_lines(results.get("sweep")),
            "",
        ]
    return "\n".join([*parts, END])


def rewrite(readme: str, generated: str) -> str:
    """The README with the text between its markers replaced by `generated`."""
    if readme.count(BEGIN) != 1 or readme.count(END) != 1:
        raise ValueError(f"the README needs each marker once: {BEGIN!r} and {END!r}")
    head, rest = readme.split(BEGIN)
    _, tail = rest.split(END)
    return head + generated + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme", description=__doc__)
    parser.add_argument("--results", type=Path, default=ROOT / ".bench")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args(argv)
    files = sorted(args.results.glob("results-*.json"))
    if not files:
        print(f"no results-*.json in {args.results}: run `make bench` first", file=sys.stderr)
        return 1
    runs = [json.loads(path.read_text()) for path in files]
    args.readme.write_text(rewrite(args.readme.read_text(), block(runs)))
    print(f"{args.readme}: figures of {', '.join(p.name for p in files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
