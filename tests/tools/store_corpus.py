#!/usr/bin/env python3
"""Writes a synthetic `CodeChecker analyze` output folder for store tests.

    store_corpus.py --out DIR --src SRC [--files N] [--reports R] [--seed S]
                    [--version base|evolved] [--comments] [--compact]

The folder holds one plist per (source file, analyzer) in the format the
Clang tools write, and a version 2 `metadata.json`. The C sources go to SRC
(shared by every version generated with the same --files/--reports/--seed, so
a later version can be stored into the same run). Report identities (bug
hashes) are derived from the seed, the file and a slot number, so the same
slot is the same report in every version:

* base:    slots 0 .. R-1 of every file;
* evolved: every fourth slot is gone (resolved), R/4 new slots appear (new),
  the checker `deadcode.DeadStores` is listed as disabled (its reports turn
  off) and `unix.Malloc` is not listed at all (its reports turn unavailable).

With --comments, a `// codechecker_*` review comment sits above some report
lines (suppress, false positive, intentional, confirmed, and a misspelled
one); with --review-yaml a `review_status.yaml` sets review statuses by
report hash, by checker and by file path. Prints a one-line JSON summary
with the expected counts.
"""

import argparse
import hashlib
import json
import os
import sys

CLANGSA = ["core.NullDereference", "core.DivideZero", "deadcode.DeadStores",
           "unix.Malloc", "core.CallAndMessage"]
TIDY = ["bugprone-use-after-move", "readability-else-after-return",
        "misc-unused-parameters", "clang-diagnostic-unused-variable"]
DISABLED_LATER = "deadcode.DeadStores"
UNLISTED_LATER = "unix.Malloc"
COMMENTS = ["codechecker_suppress", "codechecker_false_positive",
            "codechecker_intentional", "codechecker_confirmed",
            "codechecker_falsepositive"]
LINES_PER_SLOT = 6
HEADER_LINES = 40


def checker_of(file_no, slot):
    """(analyzer, checker) of a report slot."""
    if (file_no + slot) % 3 == 2:
        return "clang-tidy", TIDY[(file_no * 7 + slot) % len(TIDY)]
    return "clangsa", CLANGSA[(file_no * 5 + slot) % len(CLANGSA)]


def bug_hash(seed, file_no, slot, checker):
    text = f"{seed}/{file_no}/{slot}/{checker}"
    return hashlib.md5(text.encode()).hexdigest()


def report_line(slot):
    """Line of the report of `slot` (1-based); the comment goes right above."""
    return 10 + slot * LINES_PER_SLOT + 4


def comment_of(file_no, slot):
    """The review comment above a slot's line, if any (about one in five)."""
    if (file_no * 3 + slot) % 5 != 1:
        return None
    return COMMENTS[(file_no + slot) % len(COMMENTS)]


def write_if_changed(path, text):
    """Writes `text` unless the file already holds it: a source newer than
    its plists makes `CodeChecker store` refuse them."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_sources(src, files, slots_max, seed, comments):
    """Writes the header and one C file per file number; returns their paths."""
    os.makedirs(src, exist_ok=True)
    header = os.path.join(src, "include", "common.h")
    os.makedirs(os.path.dirname(header), exist_ok=True)
    lines = ["/* shared helpers */"] + \
        [f"static inline int helper_{i}(int v) {{ return v + {i}; }}"
         for i in range(1, HEADER_LINES)]
    write_if_changed(header, "\n".join(lines) + "\n")
    paths = []
    for file_no in range(files):
        path = os.path.join(src, f"mod{file_no % 7}", f"unit_{file_no:05d}.c")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        out = ['#include "common.h"'] + [f"/* unit {file_no} seed {seed} */"] * 8
        for slot in range(slots_max):
            analyzer, checker = checker_of(file_no, slot)
            first = len(out) + 1
            assert first == 10 + slot * LINES_PER_SLOT, (first, slot)
            out.append(f"int f_{file_no}_{slot}(int a, int b) {{")
            out.append("    int x = helper_1(a);")
            out.append("    int y = b;")
            mark = comment_of(file_no, slot) if comments else None
            if mark:
                out.append(f"    // {mark} [{checker}] reviewed in slot {slot}")
            else:
                out.append("    y = y + 1;")
            out.append("    return x / y;")
            out.append("}")
        write_if_changed(path, "\n".join(out) + "\n")
        paths.append(path)
    return header, paths


def plist_value(v, ind, compact):
    sep = "" if compact else "\n"
    pad = "" if compact else "\t" * ind
    if isinstance(v, bool):
        return f"{pad}<{'true' if v else 'false'}/>{sep}"
    if isinstance(v, int):
        return f"{pad}<integer>{v}</integer>{sep}"
    if isinstance(v, str):
        text = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"{pad}<string>{text}</string>{sep}"
    if isinstance(v, list):
        inner = "".join(plist_value(x, ind + 1, compact) for x in v)
        return f"{pad}<array>{sep}{inner}{pad}</array>{sep}"
    if isinstance(v, dict):
        inner = ""
        for k, x in v.items():
            kpad = "" if compact else "\t" * (ind + 1)
            inner += f"{kpad}<key>{k}</key>{sep}" + plist_value(x, ind + 1, compact)
        return f"{pad}<dict>{sep}{inner}{pad}</dict>{sep}"
    raise TypeError(type(v))


def loc(line, col, file_index):
    return {"line": line, "col": col, "file": file_index}


def diagnostic(seed, file_no, slot, analyzer, checker):
    line = report_line(slot)
    first = 10 + slot * LINES_PER_SLOT
    path = []
    if slot % 3 == 0:
        # A step into the shared header.
        path.append({"kind": "event", "location": loc(2, 1, 1),
                     "ranges": [[loc(2, 1, 1), loc(2, 40, 1)]], "depth": 1,
                     "message": "Calling 'helper_1'",
                     "extended_message": "Calling 'helper_1'"})
    path.append({"kind": "control", "edges": [
        {"start": [loc(first + 1, 5, 0), loc(first + 1, 7, 0)],
         "end": [loc(first + 2, 5, 0), loc(first + 2, 7, 0)]}]})
    path.append({"kind": "event", "location": loc(first + 2, 5, 0),
                 "ranges": [[loc(first + 2, 5, 0), loc(first + 2, 9, 0)]],
                 "depth": 0, "message": f"'y' initialized in slot {slot}",
                 "extended_message": f"'y' initialized in slot {slot}"})
    path.append({"kind": "event", "location": loc(line, 12, 0),
                 "ranges": [[loc(line, 12, 0), loc(line, 16, 0)]], "depth": 0,
                 "message": f"{checker} finding {slot}",
                 "extended_message": f"{checker} finding {slot}"})
    diag = {
        "category": "Logic error",
        "check_name": checker,
        "description": f"{checker} finding {slot} in unit {file_no}",
        "issue_hash_content_of_line_in_context":
            bug_hash(seed, file_no, slot, checker),
        "issue_context_kind": "function",
        "issue_context": f"f_{file_no}_{slot}",
        "location": loc(line, 12, 0),
        "path": path,
        "type": checker,
    }
    if analyzer == "clang-tidy" and slot % 4 == 2:
        diag["notes"] = [{"location": loc(line, 5, 0),
                          "message": "fix-it: use a checked division"}]
    if analyzer == "clangsa" and slot % 4 == 3:
        diag["macro_expansions"] = [{"location": loc(first + 1, 13, 0),
                                     "name": "HELPER",
                                     "expansion": "helper_1(a)"}]
    return diag


def write_plist(path, files, diags, analyzer, compact):
    doc = {"diagnostics": diags, "files": files,
           "metadata": {"analyzer": {"name": analyzer},
                        "generated_by": {"name": "clang", "version": "18.1.0"}}}
    body = plist_value(doc, 0, compact)
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
                '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
                '<plist version="1.0">\n' + body + "</plist>\n")


def slots_of(version, reports):
    if version == "base":
        return list(range(reports))
    kept = [s for s in range(reports) if s % 4 != 3]
    return kept + list(range(reports, reports + max(1, reports // 4)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--reports", type=int, default=8,
                    help="report slots per file in the base version")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--version", choices=["base", "evolved"], default="base")
    ap.add_argument("--comments", action="store_true")
    ap.add_argument("--review-yaml", action="store_true")
    ap.add_argument("--compact", action="store_true")
    args = ap.parse_args()

    out = os.path.abspath(args.out)
    src = os.path.abspath(args.src)
    slots_max = args.reports + max(1, args.reports // 4)
    header, sources = write_sources(src, args.files, slots_max, args.seed,
                                    args.comments)
    os.makedirs(out, exist_ok=True)
    slots = slots_of(args.version, args.reports)
    evolved = args.version == "evolved"
    counts = {"reports": 0, "clangsa": 0, "clang-tidy": 0}
    result_files = {}
    for file_no, source in enumerate(sources):
        per_analyzer = {"clangsa": [], "clang-tidy": []}
        for slot in slots:
            analyzer, checker = checker_of(file_no, slot)
            if evolved and checker in (DISABLED_LATER, UNLISTED_LATER):
                continue
            per_analyzer[analyzer].append(
                diagnostic(args.seed, file_no, slot, analyzer, checker))
        for analyzer, diags in per_analyzer.items():
            name = f"unit_{file_no:05d}.c_{analyzer}_{args.seed}.plist"
            path = os.path.join(out, name)
            write_plist(path, [source, header], diags, analyzer, args.compact)
            result_files[path] = source
            counts["reports"] += len(diags)
            counts[analyzer] += len(diags)

    def listed(names, analyzer_name):
        flags = {}
        for c in names:
            if evolved and c == UNLISTED_LATER:
                continue
            flags[c] = not (evolved and c == DISABLED_LATER)
        return {"checkers": flags, "analyzer_statistics": {
            "failed": 0, "failed_sources": [],
            "successful": len(sources), "successful_sources": sources,
            "version": f"{analyzer_name} 18.1.0"}}

    metadata = {"version": 2, "tools": [{
        "name": "codechecker", "version": "6.29.1",
        "command": ["CodeChecker", "analyze", "compile_commands.json",
                    "-o", out],
        "working_directory": src, "output_path": out,
        "action_num": len(sources), "skipped": 0,
        "timestamps": {"begin": 1700000000.25, "end": 1700000042.75},
        "result_source_files": result_files,
        "analyzers": {"clangsa": listed(CLANGSA, "clangsa"),
                      "clang-tidy": listed(TIDY, "clang-tidy")}}]}
    with open(os.path.join(out, "metadata.json"), "w", encoding="utf-8") as f:
        json.dump(metadata, f)
    if args.review_yaml:
        first_checker = checker_of(0, 0)[1]
        yaml = (
            "$version: 1\n"
            "rules:\n"
            "  - filters:\n"
            f"      report_hash: {bug_hash(args.seed, 0, 0, first_checker)}\n"
            "    actions:\n"
            "      review_status: confirmed\n"
            "      reason: checked by hand\n"
            "  - filters:\n"
            "      filepath: '*/mod2/*'\n"
            "      checker_name: core.DivideZero\n"
            "    actions:\n"
            "      review_status: intentional\n"
            "      reason: division is on purpose here\n"
            "  - filters:\n"
            "      checker_name: misc-unused-parameters\n"
            "    actions:\n"
            "      review_status: false_positive\n")
        with open(os.path.join(out, "review_status.yaml"), "w",
                  encoding="utf-8") as f:
            f.write(yaml)
    counts.update({"files": len(sources), "version": args.version,
                   "out": out, "src": src})
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
