#!/usr/bin/env python3
"""Compares what two CodeChecker servers return for the same runs.

    compare_runs.py --codechecker BIN URL_A URL_B RUN [RUN ...]

For each server (product URLs) it runs, with the given `CodeChecker`
client, `cmd runs -o json` and `cmd results RUN --details -o json` with every
detection and review status, drops what legitimately differs between two
servers (ids, storage and detection times; a time's presence is kept), and
compares the rest. Prints a JSON summary on the last line; exits 0 when
equal, 1 when different, 2 when a command failed.
"""

import argparse
import json
import os
import subprocess
import sys

REVIEW = ["unreviewed", "confirmed", "false_positive", "intentional"]
DETECTION = ["new", "reopened", "unresolved", "resolved", "off", "unavailable"]
# Fields of a run that identify a storage rather than its content.
RUN_DROP = {"runId", "runDate"}
# Fields of a report that are ids or instants.
REPORT_IDS = {"reportId", "runId", "fileId"}
REPORT_TIMES = {"detectedAt", "fixedAt"}


class CommandFailed(Exception):
    pass


def run_json(cmd):
    env = dict(os.environ, COLUMNS="400")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                          check=False)
    if proc.returncode != 0:
        raise CommandFailed(f"{' '.join(cmd)} exited {proc.returncode}:\n"
                            f"{proc.stdout}\n{proc.stderr}")
    try:
        return json.loads(proc.stdout)
    except ValueError as err:
        raise CommandFailed(f"{' '.join(cmd)} printed no JSON ({err}):\n"
                            f"{proc.stdout}\n{proc.stderr}") from err


def time_mark(value):
    """A time's presence, not its value ('None' is how CodeChecker writes
    an unset time in some places)."""
    return "<time>" if value not in (None, "", "None") else value


def normalise_report(r):
    out = {}
    for key, value in r.items():
        if key in REPORT_IDS:
            continue
        if key in REPORT_TIMES:
            out[key] = time_mark(value)
        elif key == "reviewData" and isinstance(value, dict):
            out[key] = dict(value, date=time_mark(value.get("date")))
        elif key == "details" and isinstance(value, dict):
            out[key] = normalise_details(value)
        else:
            out[key] = value
    return out


def normalise_details(d):
    out = dict(d)
    for key in ("pathEvents", "executionPath", "extendedData"):
        if isinstance(d.get(key), list):
            out[key] = [{k: v for k, v in item.items() if k != "fileId"}
                        for item in d[key]]
    if isinstance(d.get("comments"), list):
        out["comments"] = [{k: v for k, v in c.items()
                            if k not in ("id", "createdAt")}
                           for c in d["comments"]]
    return out


def fetch(cc, url, runs):
    listed = run_json([cc, "cmd", "runs", "--url", url, "-o", "json"])
    run_data = {}
    for entry in listed:
        for name, data in entry.items():
            if name in runs:
                run_data[name] = {k: v for k, v in data.items()
                                  if k not in RUN_DROP}
    results = {}
    for run in runs:
        reports = run_json([cc, "cmd", "results", run, "--url", url,
                            "--details", "-o", "json",
                            "--review-status", *REVIEW,
                            "--detection-status", *DETECTION])
        norm = [normalise_report(r) for r in reports]
        norm.sort(key=lambda r: json.dumps(r, sort_keys=True))
        results[run] = norm
    return run_data, results


def key_of(r):
    return (r.get("bugHash"), r.get("checkedFile"), r.get("line"),
            r.get("column"), r.get("checkerId"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codechecker", required=True)
    ap.add_argument("url_a")
    ap.add_argument("url_b")
    ap.add_argument("runs", nargs="+")
    args = ap.parse_args()
    try:
        runs_a, results_a = fetch(args.codechecker, args.url_a, args.runs)
        runs_b, results_b = fetch(args.codechecker, args.url_b, args.runs)
    except CommandFailed as err:
        print(err, file=sys.stderr)
        print(json.dumps({"equal": False, "error": "fetch failed"}))
        return 2
    problems = []
    for run in args.runs:
        a, b = runs_a.get(run), runs_b.get(run)
        if a != b:
            problems.append({"run": run, "run_data": {"a": a, "b": b}})
        ra, rb = results_a[run], results_b[run]
        if ra == rb:
            continue
        by_key_a = {}
        for r in ra:
            by_key_a.setdefault(key_of(r), []).append(r)
        by_key_b = {}
        for r in rb:
            by_key_b.setdefault(key_of(r), []).append(r)
        for key in sorted(set(by_key_a) | set(by_key_b), key=str):
            xa, xb = by_key_a.get(key, []), by_key_b.get(key, [])
            if xa != xb:
                problems.append({"run": run, "report": list(key),
                                 "a": xa, "b": xb})
    counts = {run: [len(results_a[run]), len(results_b[run])]
              for run in args.runs}
    for p in problems[:10]:
        print(json.dumps(p, sort_keys=True, indent=1), file=sys.stderr)
    print(json.dumps({"equal": not problems, "differences": len(problems),
                      "reports": counts}))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
