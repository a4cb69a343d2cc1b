#!/usr/bin/env python3
"""Post-process the Rust code emitted by `thrift --gen rs` (compiler 0.17.0).

Usage: postprocess_rs.py RAW_DIR OUT_DIR

Reads every *.rs file in RAW_DIR, rewrites it and writes it to OUT_DIR. The
rewrites are described in idl/regen.sh; in short:

 1. Service arguments become optional. CodeChecker's Python client leaves
    None arguments out of the request, while the generator makes every
    argument required. For each `<Service><Method>Args` struct the fields
    become `Option<T>`, the reader no longer rejects missing ones, the writer
    skips `None`, and the handler trait and the client methods take
    `Option<T>` for every argument.
 2. Collection pre-allocation is capped: a list header can claim up to 2^31
    elements before any element is read, and `Vec::with_capacity` would
    reserve that memory up front.
 3. `Default` of structs and exceptions leaves every field `None` (the
    generator fills scalars and containers with `Some(zero/empty)`), so that a
    default value serialises to nothing, as an unset Python attribute does.

The script fails loudly when the generated code does not have the expected
shape, so a compiler upgrade cannot silently skip a rewrite.
"""

import os
import re
import sys

PREALLOC_CAP = 4096
EXPECT_MSG = '.expect("auto-generated code should have checked for presence of required fields")'
HEADER = ("// Post-processed by idl/postprocess_rs.py (run through idl/regen.sh); "
          "do not edit by hand.\n")


class Shape(Exception):
    """The generated code does not look as expected."""


def split_params(text):
    """Split a Rust parameter list on top-level commas."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def optionalize_signature(line, receiver):
    """`fn f(&self, a: T, b: U) -> R` -> `fn f(&self, a: Option<T>, b: Option<U>) -> R`."""
    m = re.match(r"^(\s*fn \w+\()" + re.escape(receiver) + r"(.*?)(\) -> .*)$", line)
    if not m:
        raise Shape("unexpected signature: " + line)
    head, params, tail = m.groups()
    params = params.lstrip(", ")
    if not params:
        return line
    new = []
    for p in split_params(params):
        name, ty = p.split(":", 1)
        new.append("%s: Option<%s>" % (name.strip(), ty.strip()))
    return "%s%s, %s%s" % (head, receiver, ", ".join(new), tail)


def block_end(lines, start):
    """Index of the `}` closing the top-level item that starts at `start`."""
    for i in range(start + 1, len(lines)):
        if lines[i] == "}":
            return i
    raise Shape("unterminated item at line %d" % (start + 1))


def rewrite_args_writer(body):
    """Wrap each field write of an args writer in `if let Some(..)`."""
    out, i, wrapped = [], 0, 0
    while i < len(body):
        line = body[i]
        if line.startswith("    o_prot.write_field_begin("):
            j = i
            while body[j] != "    o_prot.write_field_end()?;":
                j += 1
                if j >= len(body):
                    raise Shape("field write without write_field_end")
            block = body[i:j + 1]
            names = set(re.findall(r"self\.(\w+)", "\n".join(block)))
            if len(names) != 1:
                raise Shape("cannot tell the field of: %r" % block)
            name = names.pop()
            out.append("    if let Some(ref fld_var) = self.%s {" % name)
            for b in block:
                b = b.replace("&self.%s" % name, "fld_var")
                b = b.replace("self.%s." % name, "fld_var.")
                b = re.sub(r"self\.%s\b" % name, "*fld_var", b)
                out.append("  " + b)
            out.append("    }")
            wrapped += 1
            i = j + 1
        else:
            out.append(line)
            i += 1
    return out, wrapped


def process(text, fname):
    lines = text.split("\n")
    stats = {"args": 0, "handler": 0, "client": 0, "default": 0, "cap": 0}
    args_structs = set(re.findall(r"^struct (\w+Args) \{$", text, re.M))
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m_struct = re.match(r"^struct (\w+Args) \{$", line)
        m_impl = re.match(r"^impl (\w+Args) \{$", line)
        m_default = re.match(r"^impl Default for \w+ \{$", line)
        m_handler = re.match(r"^pub trait \w+SyncHandler \{$", line)
        m_client = re.match(r"^pub trait T\w+SyncClient \{$", line) or re.match(
            r"^impl <C: TThriftClient \+ T\w+SyncClientMarker> T\w+SyncClient for C \{$", line)
        if m_struct:
            end = block_end(lines, i)
            out.append(line)
            for f in lines[i + 1:end]:
                fm = re.match(r"^  (\w+): (.+),$", f)
                if not fm:
                    raise Shape("unexpected args field: " + f)
                out.append("  %s: Option<%s>," % fm.groups())
            out.append("}")
            stats["args"] += 1
            i = end + 1
            continue
        if m_impl and m_impl.group(1) in args_structs:
            end = block_end(lines, i)
            body = [b for b in lines[i + 1:end]
                    if not b.strip().startswith("verify_required_field_exists(")]
            body = [b.replace(EXPECT_MSG, "") for b in body]
            w = next(k for k, b in enumerate(body) if "fn write_to_out_protocol" in b)
            writer, _ = rewrite_args_writer(body[w:])
            out.append(line)
            out.extend(body[:w] + writer)
            out.append("}")
            i = end + 1
            continue
        if m_default:
            end = block_end(lines, i)
            out.append(line)
            for f in lines[i + 1:end]:
                fm = re.match(r"^(      \w+): Some\(.*\),$", f)
                if fm:
                    f = fm.group(1) + ": None,"
                    stats["default"] += 1
                out.append(f)
            out.append("}")
            i = end + 1
            continue
        if m_handler or m_client:
            end = block_end(lines, i)
            out.append(line)
            for f in lines[i + 1:end]:
                if m_handler and f.startswith("  fn handle_"):
                    f = optionalize_signature(f, "&self")
                    stats["handler"] += 1
                elif m_client and f.startswith("  fn "):
                    f = optionalize_signature(f, "&mut self")
                    stats["client"] += 1
                out.append(f)
            out.append("}")
            i = end + 1
            continue
        out.append(line)
        i += 1

    text = "\n".join(out)
    text, n = re.subn(r"Vec::with_capacity\((\w+)\.size as usize\)",
                      r"Vec::with_capacity(\1.size.clamp(0, %d) as usize)" % PREALLOC_CAP, text)
    stats["cap"] = n

    # Consistency checks: nothing the rewrites target may be left behind.
    if re.search(r"with_capacity\((?!\w+\.size\.clamp)", text):
        raise Shape("%s: uncapped with_capacity left" % fname)
    if re.search(r"^\s*verify_required_field_exists\(", text, re.M):
        raise Shape("%s: required-field check left" % fname)
    if EXPECT_MSG in text:
        raise Shape("%s: expect on a required field left" % fname)
    if args_structs and not (stats["handler"] and stats["client"]
                             and stats["client"] == 2 * stats["handler"] == 2 * len(args_structs)):
        raise Shape("%s: service rewrite incomplete: %r" % (fname, stats))
    first_nl = text.index("\n", text.index("\n") + 1) + 1
    return text[:first_nl] + HEADER + text[first_nl:], stats


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    raw, dst = sys.argv[1:]
    os.makedirs(dst, exist_ok=True)
    for fname in sorted(os.listdir(raw)):
        if not fname.endswith(".rs"):
            continue
        with open(os.path.join(raw, fname), encoding="utf-8") as f:
            text = f.read()
        try:
            new, _ = process(text, fname)
        except Shape as e:
            sys.exit("postprocess_rs.py: %s: %s" % (fname, e))
        with open(os.path.join(dst, fname), "w", encoding="utf-8", newline="\n") as f:
            f.write(new)


if __name__ == "__main__":
    main()
