#!/usr/bin/env python3
"""Writes the server's built-in checker label table from CodeChecker's label files.

    generate.py [--labels DIR] [--out FILE] [--check]

Run it with the Python of a CodeChecker venv (`make labels` does): by default
it reads that installation's `share/codechecker/config/labels/analyzers/*.json`
and records the installed `codechecker` package version. The output,
`server/labels/checker_labels.json` next to this script, is embedded in the
server binary (`server/src/labels.rs`) and gives stored checkers their
severities when the server runs without `--checker-labels`.

The output is deterministic: analyzers sorted by file name, each analyzer's
checkers in the order of its file (the order matters: a checker without an
entry of its own takes the labels of the first listed checker name that is a
prefix of it), labels as in the file. A key listed twice in a file keeps its
first position and its last value, as CodeChecker's JSON loading does. The
layout is compact JSON with one checker per line, so that an update of
CodeChecker shows as a readable diff.

With --check nothing is written: exits 1 when FILE differs from what would be
written (`make labels-check`, part of `make test`).
"""

import argparse
import importlib.metadata
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "checker_labels.json")
DEFAULT_LABELS = os.path.join(sys.prefix, "share", "codechecker", "config",
                              "labels")


def fail(message):
    print(f"generate.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_analyzers(labels_dir):
    """[(analyzer, {checker: [label, ...]})] in file name order."""
    folder = os.path.join(labels_dir, "analyzers")
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except OSError as err:
        fail(f"cannot list {folder}: {err}")
    if not names:
        fail(f"no label files in {folder}")
    out = []
    seen = set()
    for name in names:
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        analyzer = data.get("analyzer")
        labels = data.get("labels")
        if not isinstance(analyzer, str) or not isinstance(labels, dict):
            fail(f"{path}: expected {{\"analyzer\": NAME, \"labels\": {{...}}}}")
        if analyzer in seen:
            fail(f"{path}: analyzer {analyzer} is listed by two files")
        seen.add(analyzer)
        for checker, values in labels.items():
            if not isinstance(values, list) or \
                    not all(isinstance(v, str) for v in values):
                fail(f"{path}: the labels of {checker} are not a string list")
        out.append((analyzer, labels))
    return out


def render(version, analyzers):
    """The table as text: compact JSON, one checker per line."""
    def dump(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    parts = ['{"codechecker":' + dump(version) + ',\n'
             '"generator":"server/labels/generate.py",\n'
             '"analyzers":[\n']
    for i, (analyzer, labels) in enumerate(analyzers):
        lines = [dump(checker) + ":" + dump(values)
                 for checker, values in labels.items()]
        parts.append('{"analyzer":' + dump(analyzer) + ',"labels":{\n'
                     + ",\n".join(lines) + "}}"
                     + (",\n" if i + 1 < len(analyzers) else "\n"))
    parts.append("]}\n")
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", default=DEFAULT_LABELS,
                    help="CodeChecker's label folder (default: this "
                         "Python's installation)")
    ap.add_argument("--version",
                    help="the CodeChecker version to record (default: the "
                         "installed codechecker package)")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="compare with --out instead of writing it")
    args = ap.parse_args()

    version = args.version
    if version is None:
        try:
            version = importlib.metadata.version("codechecker")
        except importlib.metadata.PackageNotFoundError:
            fail("no codechecker package in this Python; pass --version")
    text = render(version, read_analyzers(args.labels))
    # Round trip: what we wrote must be valid JSON.
    json.loads(text)

    if args.check:
        try:
            with open(args.out, encoding="utf-8") as f:
                current = f.read()
        except OSError as err:
            current = None
            print(f"labels-check: cannot read {args.out}: {err}",
                  file=sys.stderr)
        if current != text:
            print(f"labels-check: {args.out} is not what CodeChecker "
                  f"{version}'s label files give; run `make labels`",
                  file=sys.stderr)
            sys.exit(1)
        print(f"labels-check: built-in checker labels match CodeChecker "
              f"{version}")
        return
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {args.out} (CodeChecker {version}, {len(text)} bytes)")


if __name__ == "__main__":
    main()
