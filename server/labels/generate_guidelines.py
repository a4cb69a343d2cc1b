#!/usr/bin/env python3
"""Writes the server's built-in coding guideline table from CodeChecker's
guideline files.

    generate_guidelines.py [--guidelines DIR] [--out FILE] [--check]

Run it with the Python of a CodeChecker venv (it needs PyYAML, which
CodeChecker installs): by default it reads that installation's
`share/codechecker/config/guidelines/*.yaml`. The output,
`server/labels/guidelines.json` next to this script, is embedded in the
server binary (`server/src/guidelines.rs`) and answers `getGuidelineRules`.

The output is deterministic: guidelines sorted by name, each guideline's
rules in the order of its file, one rule per line. A file that is not a
well-formed guideline is skipped with a warning, as CodeChecker does; of two
files naming the same guideline the later one (by file name) wins.

The CWE guidelines are MITRE's (see `guidelines.mitre.license`, copied from
CodeChecker's guideline folder next to the output).

With --check nothing is written: exits 1 when FILE differs from what would be
written.
"""

import argparse
import importlib.metadata
import json
import os
import shutil
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "guidelines.json")
DEFAULT_DIR = os.path.join(sys.prefix, "share", "codechecker", "config",
                           "guidelines")


def well_formed(data):
    """Whether `data` has the shape CodeChecker accepts."""
    if not isinstance(data, dict):
        return False
    if not isinstance(data.get("guideline"), str) or \
            not isinstance(data.get("guideline_title"), str):
        return False
    rules = data.get("rules")
    return isinstance(rules, list) and all(
        isinstance(r, dict) and isinstance(r.get("rule_id"), str)
        for r in rules)


def read_guidelines(folder):
    """{guideline: (title, [rule, ...])}."""
    out = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".license"):
            continue
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        if not well_formed(data):
            print(f"generate_guidelines.py: skipping {path}: not a guideline",
                  file=sys.stderr)
            continue
        # A rule id listed twice keeps its first place and its last fields.
        rules = {}
        for rule in data["rules"]:
            fields = {k: ("" if v is None else str(v))
                      for k, v in rule.items() if k != "rule_id"}
            rules[rule["rule_id"]] = fields
        out[data["guideline"]] = (data["guideline_title"], rules)
    return out


def render(version, guidelines):
    def dump(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    parts = ['{"codechecker":' + dump(version) + ',\n'
             '"generator":"server/labels/generate_guidelines.py",\n'
             '"guidelines":[\n']
    names = sorted(guidelines)
    for i, name in enumerate(names):
        title, rules = guidelines[name]
        lines = [dump(dict({"rule_id": rid}, **fields))
                 for rid, fields in rules.items()]
        parts.append('{"guideline":' + dump(name) + ',"title":' + dump(title)
                     + ',"rules":[\n' + ",\n".join(lines) + "]}"
                     + (",\n" if i + 1 < len(names) else "\n"))
    parts.append("]}\n")
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guidelines", default=DEFAULT_DIR)
    ap.add_argument("--version")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    version = args.version or importlib.metadata.version("codechecker")
    text = render(version, read_guidelines(args.guidelines))
    json.loads(text)
    if args.check:
        try:
            with open(args.out, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            print(f"guidelines-check: {args.out} is not what CodeChecker "
                  f"{version}'s guideline files give", file=sys.stderr)
            sys.exit(1)
        return
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    licence = os.path.join(args.guidelines, "mitre.license")
    if os.path.exists(licence):
        shutil.copyfile(licence, os.path.join(os.path.dirname(args.out),
                                              "guidelines.mitre.license"))
    print(f"wrote {args.out} (CodeChecker {version}, {len(text)} bytes)")


if __name__ == "__main__":
    main()
