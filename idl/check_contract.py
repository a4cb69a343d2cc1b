#!/usr/bin/env python3
"""Check that idl/*.thrift describes exactly the wire contract of CodeChecker's
generated Python API package (codechecker_api + codechecker_api_shared).

The IDL is compiled with `thrift --gen py` into a temporary directory; both
that tree and the reference tree are then loaded (each in its own Python
subprocess, as they share package names) and reduced to a comparable
description:

  * enums: name -> value maps;
  * structs / exceptions / service *_args / *_result: kind, every field's id,
    name, fully spelled type (string vs binary, element types, referenced
    struct with its module) and default value, and required fields;
  * constants defined in constants.py;
  * services: their methods, whether each is oneway, and base services.

Enum typing of i32 fields and typedef names are not visible in Python specs
and are not compared (they do not change the wire format).

Extensions: a struct field with id 100 or more that only the IDL has is this
server's documented extension (e.g. TaskInfo.progress). It is listed but not a
difference: CodeChecker's clients skip fields they do not know, and its
servers never send them. Every other extra or missing item is a difference.

Usage:
  check_contract.py [--ref-api DIR --ref-shared DIR] [--thrift PATH]

Without --ref-*, the reference is the codechecker_api / codechecker_api_shared
packages importable by the running interpreter (which needs the `thrift`
Python library either way). Exits 0 when identical, 1 on any difference.
"""

import argparse
import importlib
import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_SKIP = {"__init__", "ttypes", "constants"}
PLAIN_VALUE = (bool, int, float, str, bytes, list, tuple, dict, set, frozenset)


# --------------------------------------------------------------------------
# Describing one tree (runs inside a subprocess with the tree on sys.path).
# --------------------------------------------------------------------------

def _short_module(name):
    name = re.sub(r"^codechecker_api\.", "", name)
    return re.sub(r"\.ttypes$", "", name)


def _type_text(ttype, spec):
    from thrift.Thrift import TType

    base = {
        TType.BOOL: "bool", TType.BYTE: "byte", TType.I16: "i16",
        TType.I32: "i32", TType.I64: "i64", TType.DOUBLE: "double",
    }
    if ttype in base:
        return base[ttype]
    if ttype == TType.STRING:
        return "binary" if spec == "BINARY" else "string"
    if ttype == TType.STRUCT:
        cls = spec[0]
        return "%s.%s" % (_short_module(cls.__module__), cls.__name__)
    if ttype == TType.LIST:
        return "list<%s>" % _type_text(spec[0], spec[1])
    if ttype == TType.SET:
        return "set<%s>" % _type_text(spec[0], spec[1])
    if ttype == TType.MAP:
        return "map<%s,%s>" % (_type_text(spec[0], spec[1]),
                               _type_text(spec[2], spec[3]))
    return "ttype#%d" % ttype


def _required_fields(cls):
    try:
        src = inspect.getsource(cls.validate)
    except (OSError, TypeError, AttributeError):
        return []
    return sorted(re.findall(r"Required field (\w+) is unset", src))


def _describe_struct(cls):
    from thrift.Thrift import TException

    spec = cls.thrift_spec or ()
    fields = {}
    for pos, entry in enumerate(spec):
        if entry is None:
            continue
        fid, ttype, name, targs, default = entry
        fields[str(fid)] = {
            "name": name,
            "type": _type_text(ttype, targs),
            "default": repr(default),
            "slot": pos if pos == fid or pos == 0 else "misplaced %d" % pos,
        }
    return {
        "kind": "exception" if issubclass(cls, TException) else "struct",
        "fields": fields,
        "required": _required_fields(cls),
    }


def _describe_module(pkg_name):
    out = {"enums": {}, "structs": {}, "constants": {}, "services": {}}
    ttypes = importlib.import_module(pkg_name + ".ttypes")
    for name, obj in vars(ttypes).items():
        if not inspect.isclass(obj) or obj.__module__ != ttypes.__name__:
            continue
        if hasattr(obj, "_VALUES_TO_NAMES"):
            out["enums"][name] = {
                "names": dict(obj._NAMES_TO_VALUES),
                "values": {str(k): v for k, v in obj._VALUES_TO_NAMES.items()},
            }
        elif hasattr(obj, "thrift_spec"):
            out["structs"][name] = _describe_struct(obj)
    consts = importlib.import_module(pkg_name + ".constants")
    for name, value in vars(consts).items():
        if name.startswith("_") or hasattr(ttypes, name):
            continue
        if isinstance(value, PLAIN_VALUE):
            out["constants"][name] = repr(value)
    pkg_dir = os.path.dirname(ttypes.__file__)
    for fname in sorted(os.listdir(pkg_dir)):
        base, ext = os.path.splitext(fname)
        if ext != ".py" or base in SERVICE_SKIP:
            continue
        mod = importlib.import_module(pkg_name + "." + base)
        iface = getattr(mod, "Iface", None)
        if iface is None:
            continue
        methods = {}
        for mname, _ in inspect.getmembers(iface, inspect.isfunction):
            if mname.startswith("_"):
                continue
            args = getattr(mod, mname + "_args", None)
            result = getattr(mod, mname + "_result", None)
            methods[mname] = {
                "oneway": result is None,
                "args": _describe_struct(args) if args else None,
                "result": _describe_struct(result) if result else None,
            }
        out["services"][base] = {
            "extends": sorted("%s.%s" % (_short_module(b.__module__), b.__name__)
                              for b in iface.__bases__ if b is not object),
            "methods": methods,
        }
    return out


def describe(root):
    sys.path.insert(0, root)
    desc = {"codechecker_api_shared": _describe_module("codechecker_api_shared")}
    api_dir = os.path.join(root, "codechecker_api")
    for sub in sorted(os.listdir(api_dir)):
        if os.path.isfile(os.path.join(api_dir, sub, "ttypes.py")):
            desc[sub] = _describe_module("codechecker_api." + sub)
    return desc


# --------------------------------------------------------------------------
# Driver.
# --------------------------------------------------------------------------

def _dump(root):
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--dump", root],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("failed to load the Python tree at %s:\n%s" % (root, proc.stderr))
    return json.loads(proc.stdout)


def _link_root(tmp, api_dir, shared_dir):
    root = os.path.join(tmp, "ref")
    os.makedirs(root)
    os.symlink(os.path.abspath(api_dir), os.path.join(root, "codechecker_api"))
    os.symlink(os.path.abspath(shared_dir), os.path.join(root, "codechecker_api_shared"))
    return root


def _installed_package_dir(name):
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit("reference package %r is not importable; pass --ref-api/--ref-shared" % name)
    return list(spec.submodule_search_locations)[0]


def _compile_idl(thrift, idl_dir, out_dir):
    files = sorted(f for f in os.listdir(idl_dir) if f.endswith(".thrift"))
    if not files:
        sys.exit("no .thrift files in %s" % idl_dir)
    for f in files:
        proc = subprocess.run([thrift, "--gen", "py", "-I", idl_dir, "-out", out_dir,
                               os.path.join(idl_dir, f)])
        if proc.returncode != 0:
            sys.exit("thrift --gen py failed on %s" % f)


def _diff(path, ref, ours, out):
    if isinstance(ref, dict) and isinstance(ours, dict):
        for key in sorted(set(ref) | set(ours), key=str):
            sub = "%s/%s" % (path, key)
            if key not in ours:
                out.append("missing in IDL:   %s = %s" % (sub, json.dumps(ref[key])[:200]))
            elif key not in ref:
                out.append("extra in IDL:     %s = %s" % (sub, json.dumps(ours[key])[:200]))
            else:
                _diff(sub, ref[key], ours[key], out)
    elif ref != ours:
        out.append("different:        %s: reference %s, IDL %s"
                   % (path, json.dumps(ref), json.dumps(ours)))


EXTENSION_MIN_ID = 100
EXTENSION_PATH = re.compile(r"^/[^/]+/structs/[^/]+/fields/(\d+)$")


def _is_extension(line):
    """Whether a diff line is an extra struct field with an extension id."""
    if not line.startswith("extra in IDL:"):
        return False
    path = line.split(":", 1)[1].strip().split(" = ", 1)[0]
    match = EXTENSION_PATH.match(path)
    return bool(match) and int(match.group(1)) >= EXTENSION_MIN_ID


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref-api", help="reference codechecker_api package directory")
    ap.add_argument("--ref-shared", help="reference codechecker_api_shared package directory")
    ap.add_argument("--thrift", default="thrift", help="thrift compiler (default: thrift)")
    ap.add_argument("--idl", default=HERE, help="directory holding the .thrift files")
    ap.add_argument("--dump", metavar="ROOT", help=argparse.SUPPRESS)
    opts = ap.parse_args()

    if opts.dump:
        json.dump(describe(opts.dump), sys.stdout, indent=1, sort_keys=True)
        return 0

    if importlib.util.find_spec("thrift") is None:
        sys.exit("the `thrift` Python library is needed; run with e.g. the cc-interop venv python")

    with tempfile.TemporaryDirectory(prefix="cc-contract-") as tmp:
        api = opts.ref_api or _installed_package_dir("codechecker_api")
        shared = opts.ref_shared or _installed_package_dir("codechecker_api_shared")
        ref = _dump(_link_root(tmp, api, shared))
        gen = os.path.join(tmp, "gen")
        os.makedirs(gen)
        _compile_idl(opts.thrift, opts.idl, gen)
        ours = _dump(gen)

    found = []
    _diff("", ref, ours, found)
    extensions = [line for line in found if _is_extension(line)]
    diffs = [line for line in found if not _is_extension(line)]
    for line in extensions:
        print("extension (id >= %d): %s" % (EXTENSION_MIN_ID, line.split(":", 1)[1].strip()))
    for line in diffs:
        print(line)
    n_structs = sum(len(m["structs"]) for m in ref.values())
    n_methods = sum(len(s["methods"]) for m in ref.values() for s in m["services"].values())
    if diffs:
        print("%d difference(s) from the reference contract" % len(diffs))
        return 1
    print("IDL matches the reference contract (%d modules, %d structs, %d methods)"
          % (len(ref), n_structs, n_methods))
    return 0


if __name__ == "__main__":
    sys.exit(main())
