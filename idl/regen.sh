#!/usr/bin/env bash
# Regenerate the Rust bindings in idl/src/gen/ from idl/*.thrift.
#
#   idl/regen.sh           regenerate in place (what `make idl` runs)
#   idl/regen.sh --check   regenerate into a temporary directory and diff it
#                          against the committed files; exit 1 on difference
#
# Needs the Apache Thrift compiler 0.17.0 (`thrift`, or $THRIFT) and python3.
# The generated code is never edited by hand: `thrift --gen rs` output goes
# through idl/postprocess_rs.py, which applies these documented rewrites:
#
#  1. Optional service arguments. The 0.17 rs generator treats every method
#     argument as required (the `*Args` reader calls
#     verify_required_field_exists), but CodeChecker's Python client omits
#     arguments that are None (massStoreRun without `tag`, getRunResults
#     without `cmpData`, ...), so such calls would be rejected. After the
#     rewrite every argument is `Option<T>`: in the `<Service><Method>Args`
#     structs, in the server-side `<Service>SyncHandler::handle_*` methods
#     and in the `T<Service>SyncClient` methods. A missing argument reaches
#     the handler as `None`, exactly as Python's handler would see it, and
#     the client leaves `None` arguments off the wire.
#  2. Bounded pre-allocation. A list header may claim ~2^31 elements; the
#     generated `Vec::with_capacity(list_ident.size as usize)` is capped at
#     4096 elements (the vector still grows as real elements arrive).
#     Maps and sets are BTree collections with no pre-allocation.
#  3. `Default` leaves every struct field `None`. The generator's Default
#     fills scalars and containers with `Some(0 / "" / empty)`, which would
#     be serialised; CodeChecker's Python objects default to None (omitted).
#
# Fixed in the IDL rather than here:
#  * Every struct field is declared `optional`: with default requiredness the
#    rs reader turns an absent scalar or container into `Some(0)` /
#    `Some(empty)` instead of `None` (invisible to the Python contract).
#  * Structs are declared before use: the rs generator boxes forward
#    references (`Option<Vec<Box<CommentData>>>`), which is awkward to use.
#
# Lint allowances for the generated code live on the module declarations in
# idl/src/lib.rs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
thrift="${THRIFT:-thrift}"
want_version="0.17.0"

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

version="$("$thrift" --version | awk '{print $3}')"
if [ "$version" != "$want_version" ]; then
  echo "regen.sh: need thrift $want_version, found '$version' ($thrift)" >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/raw" "$tmp/gen"

for idl in "$here"/*.thrift; do
  "$thrift" --gen rs -I "$here" -out "$tmp/raw" "$idl"
done
python3 "$here/postprocess_rs.py" "$tmp/raw" "$tmp/gen"

if [ "$check" = 1 ]; then
  if diff -ru "$here/src/gen" "$tmp/gen"; then
    echo "idl/src/gen is up to date"
  else
    echo "idl/src/gen differs from the IDL; run idl/regen.sh" >&2
    exit 1
  fi
else
  rm -rf "$here/src/gen"
  cp -r "$tmp/gen" "$here/src/gen"
  echo "regenerated $here/src/gen"
fi
