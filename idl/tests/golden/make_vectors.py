#!/usr/bin/env python3
"""Write golden Thrift JSON protocol vectors with the Python `thrift` library.

Usage (see README.md in this directory):

    python make_vectors.py [--ref-api DIR] [--ref-api-shared DIR] [--out DIR]

The output goes to `thrift-<version>/` next to this script unless --out is
given. Every vector is one file `<name>.json` holding exactly the bytes that
Python's TJSONProtocol wrote. `manifest.tsv` lists them:

    name <TAB> kind <TAB> canonical

kind is `message` (a whole envelope) or `struct` (a bare struct); canonical is
`yes` when the Rust encoder must reproduce the bytes exactly, `no` when Python
writes something the Rust encoder deliberately spells differently (raw
control characters, bare `inf`/`nan`).

Some struct vectors have a sidecar `<name>.expect` with one line per field:

    field_id <TAB> kind <TAB> value

kind is bool/i8/i16/i32/i64 (decimal value), dbl (IEEE-754 bits as 16 hex
digits), str (UTF-8 bytes as hex) or bin (bytes as hex). The Rust test reads
those fields with the typed read_* call and compares.

Calls and replies use sequence id 1, which is what the Rust generated client
uses for its first call, so the Rust client's output can be compared with the
Python client's byte for byte.
"""

import argparse
import math
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def setup_path(ref_api, ref_api_shared):
    # The generated modules import each other as `codechecker_api...` and
    # `codechecker_api_shared...`; expose the reference directories under
    # those names through symlinks in a temporary directory.
    root = tempfile.mkdtemp(prefix="ccapi-")
    os.symlink(os.path.abspath(ref_api), os.path.join(root, "codechecker_api"))
    os.symlink(os.path.abspath(ref_api_shared),
               os.path.join(root, "codechecker_api_shared"))
    sys.path.insert(0, root)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref-api", default="/tmp/ccapi/ref_api")
    ap.add_argument("--ref-api-shared", default="/tmp/ccapi/ref_api_shared")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    setup_path(args.ref_api, args.ref_api_shared)

    import thrift
    from importlib.metadata import version as dist_version
    from thrift.Thrift import TType, TMessageType, TApplicationException
    from thrift.protocol.TJSONProtocol import TJSONProtocol
    from thrift.transport.TTransport import TMemoryBuffer

    from codechecker_api.codeCheckerDBAccess_v6 import ttypes as rt
    from codechecker_api.codeCheckerDBAccess_v6 import codeCheckerDBAccess as rs
    from codechecker_api.codeCheckerServersideTasks_v6 import ttypes as tt
    from codechecker_api.codeCheckerServersideTasks_v6 import \
        codeCheckerServersideTaskService as ts
    from codechecker_api.ProductManagement_v6 import ttypes as pt
    from codechecker_api.ProductManagement_v6 import \
        codeCheckerProductService as ps
    from codechecker_api_shared import ttypes as sh

    ver = dist_version("thrift")
    out = args.out or os.path.join(HERE, "thrift-" + ver)
    os.makedirs(out, exist_ok=True)
    manifest = []

    def proto():
        buf = TMemoryBuffer()
        return buf, TJSONProtocol(buf)

    def save(name, kind, data, canonical=True, expect=None):
        with open(os.path.join(out, name + ".json"), "wb") as f:
            f.write(data)
        manifest.append((name, kind, "yes" if canonical else "no"))
        if expect is not None:
            with open(os.path.join(out, name + ".expect"), "w") as f:
                for fid, kind_, value in expect:
                    f.write("%d\t%s\t%s\n" % (fid, kind_, value))

    # ---- flat structs of one primitive kind, written with protocol calls ----

    def flat(name, fields, canonical=True):
        """fields: list of (id, kind, value); kind as in the .expect files."""
        buf, p = proto()
        p.writeStructBegin("S")
        expect = []
        for fid, kind, value in fields:
            ttype = {"bool": TType.BOOL, "i8": TType.BYTE, "i16": TType.I16,
                     "i32": TType.I32, "i64": TType.I64, "dbl": TType.DOUBLE,
                     "str": TType.STRING, "bin": TType.STRING}[kind]
            p.writeFieldBegin("f%d" % fid, ttype, fid)
            if kind == "bool":
                p.writeBool(value)
                expect.append((fid, kind, "1" if value else "0"))
            elif kind == "i8":
                p.writeByte(value)
                expect.append((fid, kind, str(value)))
            elif kind == "i16":
                p.writeI16(value)
                expect.append((fid, kind, str(value)))
            elif kind == "i32":
                p.writeI32(value)
                expect.append((fid, kind, str(value)))
            elif kind == "i64":
                p.writeI64(value)
                expect.append((fid, kind, str(value)))
            elif kind == "dbl":
                p.writeDouble(value)
                bits = struct.unpack("<Q", struct.pack("<d", value))[0]
                expect.append((fid, kind, "%016x" % bits))
            elif kind == "str":
                p.writeString(value)
                expect.append((fid, kind, value.encode("utf-8").hex()))
            elif kind == "bin":
                p.writeBinary(value)
                expect.append((fid, kind, value.hex()))
            p.writeFieldEnd()
        p.writeFieldStop()
        p.writeStructEnd()
        save(name, "struct", buf.getvalue(), canonical, expect)

    flat("bools", [(1, "bool", True), (2, "bool", False)])
    flat("ints", [
        (1, "i8", 0), (2, "i8", -128), (3, "i8", 127),
        (4, "i16", -32768), (5, "i16", 32767), (6, "i16", -1),
        (7, "i32", -2**31), (8, "i32", 2**31 - 1), (9, "i32", 42),
        (10, "i64", -2**63), (11, "i64", 2**63 - 1), (12, "i64", 0),
        (13, "i64", 1234567890123), (-1, "i32", 7), (32767, "i16", 9),
    ])
    flat("doubles", [
        (1, "dbl", 0.0), (2, "dbl", -0.0), (3, "dbl", 1.0), (4, "dbl", 0.1),
        (5, "dbl", -2.5), (6, "dbl", 1e100), (7, "dbl", 1.5e-7),
        (8, "dbl", 5e-324), (9, "dbl", 1.7976931348623157e308),
        (10, "dbl", 2.2250738585072014e-308), (11, "dbl", math.pi),
        (12, "dbl", 1e16), (13, "dbl", 1e17), (14, "dbl", 123456.789),
        (15, "dbl", 0.0001), (16, "dbl", 0.00001), (17, "dbl", -1e-300),
        (18, "dbl", 9007199254740993.0), (19, "dbl", 1 / 3),
    ])
    # Python writes non-finite doubles as bare inf/-inf/nan (which it cannot
    # read back itself); the Rust decoder accepts them.
    flat("doubles_nonfinite", [
        (1, "dbl", float("inf")), (2, "dbl", float("-inf")),
        (3, "dbl", float("nan")),
    ], canonical=False)
    flat("strings", [
        (1, "str", ""), (2, "str", "plain ascii"),
        (3, "str", "quote\" backslash\\ slash/ tab\t nl\n cr\r bs\b ff\f"),
        (4, "str", "caf\u00e9 \u00fc\u00df \u4e2d\u6587 \u0939\u093f"),
        (5, "str", "astral \U0001F600 \U00010348 \U0010FFFF"),
        (6, "str", "\u2028\u2029\ufeff\ufffd"),
        (7, "str", "x" * 300),
    ])
    # Python writes other control characters raw; Rust escapes them as \u00XX.
    flat("strings_control", [
        (1, "str", "nul\x00 soh\x01 us\x1f del\x7f"),
    ], canonical=False)
    flat("binaries", [
        (1, "bin", b""), (2, "bin", b"\x00"), (3, "bin", b"ab"),
        (4, "bin", b"abc"), (5, "bin", b"abcd"), (6, "bin", b"abcde"),
        (7, "bin", bytes(range(256))), (8, "bin", b"\xff\xfe\xfd"),
    ])

    # ---- containers and nesting, written with protocol calls ----

    buf, p = proto()
    p.writeStructBegin("C")
    # list<i32>
    p.writeFieldBegin("l", TType.LIST, 1)
    p.writeListBegin(TType.I32, 3)
    for v in (1, -2, 3):
        p.writeI32(v)
    p.writeListEnd()
    p.writeFieldEnd()
    # set<string>
    p.writeFieldBegin("s", TType.SET, 2)
    p.writeSetBegin(TType.STRING, 2)
    p.writeString("a")
    p.writeString("b\"")
    p.writeSetEnd()
    p.writeFieldEnd()
    # map<string,i64>
    p.writeFieldBegin("m1", TType.MAP, 3)
    p.writeMapBegin(TType.STRING, TType.I64, 2)
    p.writeString("k1")
    p.writeI64(-1)
    p.writeString("k2")
    p.writeI64(2**40)
    p.writeMapEnd()
    p.writeFieldEnd()
    # map<i32,string>: integer keys are quoted
    p.writeFieldBegin("m2", TType.MAP, 4)
    p.writeMapBegin(TType.I32, TType.STRING, 2)
    p.writeI32(7)
    p.writeString("seven")
    p.writeI32(-8)
    p.writeString("minus eight")
    p.writeMapEnd()
    p.writeFieldEnd()
    # map<double,bool>: double keys are quoted too
    p.writeFieldBegin("m3", TType.MAP, 5)
    p.writeMapBegin(TType.DOUBLE, TType.BOOL, 2)
    p.writeDouble(0.5)
    p.writeBool(True)
    p.writeDouble(-3.0)
    p.writeBool(False)
    p.writeMapEnd()
    p.writeFieldEnd()
    # list<list<i16>> with an empty inner list
    p.writeFieldBegin("ll", TType.LIST, 6)
    p.writeListBegin(TType.LIST, 2)
    p.writeListBegin(TType.I16, 2)
    p.writeI16(1)
    p.writeI16(2)
    p.writeListEnd()
    p.writeListBegin(TType.I16, 0)
    p.writeListEnd()
    p.writeListEnd()
    p.writeFieldEnd()
    # map<string, list<struct>>
    p.writeFieldBegin("ms", TType.MAP, 7)
    p.writeMapBegin(TType.STRING, TType.LIST, 1)
    p.writeString("structs")
    p.writeListBegin(TType.STRUCT, 2)
    for i in range(2):
        p.writeStructBegin("E")
        p.writeFieldBegin("x", TType.I64, 1)
        p.writeI64(i)
        p.writeFieldEnd()
        p.writeFieldBegin("y", TType.STRING, 2)
        p.writeString("e%d" % i)
        p.writeFieldEnd()
        p.writeFieldStop()
        p.writeStructEnd()
    p.writeListEnd()
    p.writeMapEnd()
    p.writeFieldEnd()
    # empty map and set
    p.writeFieldBegin("em", TType.MAP, 8)
    p.writeMapBegin(TType.STRING, TType.STRING, 0)
    p.writeMapEnd()
    p.writeFieldEnd()
    p.writeFieldBegin("es", TType.SET, 9)
    p.writeSetBegin(TType.I64, 0)
    p.writeSetEnd()
    p.writeFieldEnd()
    # nested struct with an empty struct inside
    p.writeFieldBegin("n", TType.STRUCT, 10)
    p.writeStructBegin("N")
    p.writeFieldBegin("inner", TType.STRUCT, 1)
    p.writeStructBegin("M")
    p.writeFieldStop()
    p.writeStructEnd()
    p.writeFieldEnd()
    p.writeFieldBegin("b", TType.BYTE, 2)
    p.writeByte(-5)
    p.writeFieldEnd()
    p.writeFieldStop()
    p.writeStructEnd()
    p.writeFieldEnd()
    # list<binary>
    p.writeFieldBegin("lb", TType.LIST, 11)
    p.writeListBegin(TType.STRING, 2)
    p.writeBinary(b"\x00\x01\x02")
    p.writeBinary(b"hello")
    p.writeListEnd()
    p.writeFieldEnd()
    # map<bool,i8>
    p.writeFieldBegin("mb", TType.MAP, 12)
    p.writeMapBegin(TType.BOOL, TType.BYTE, 1)
    p.writeBool(True)
    p.writeByte(1)
    p.writeMapEnd()
    p.writeFieldEnd()
    p.writeFieldStop()
    p.writeStructEnd()
    save("containers", "struct", buf.getvalue())

    # ---- whole CodeChecker messages, written by the generated code ----

    def call(name, client_cls, method, *call_args):
        buf, p = proto()
        client = client_cls(p, p)
        client._seqid = 1
        getattr(client, "send_" + method)(*call_args)
        save(name, "message", buf.getvalue())

    def reply(name, method, result, mtype=TMessageType.REPLY):
        buf, p = proto()
        p.writeMessageBegin(method, mtype, 1)
        result.write(p)
        p.writeMessageEnd()
        save(name, "message", buf.getvalue())

    def report(i):
        details = rt.ReportDetails(
            pathEvents=[rt.BugPathEvent(startLine=10 + i, startCol=3, endLine=10 + i,
                                        endCol=9, msg="Assuming 'p' is null",
                                        fileId=5, filePath="/src/a.c")],
            executionPath=[rt.BugPathPos(startLine=1, startCol=1, endLine=2,
                                         endCol=4, fileId=5, filePath="/src/a.c")],
            extendedData=[rt.ExtendedReportData(
                type=rt.ExtendedReportDataType.NOTE, startLine=1, startCol=2,
                endLine=3, endCol=4, message="note", fileId=5,
                filePath="/src/a.c")],
            comments=[rt.CommentData(id=1, author="anon", message="ok\nthen",
                                     createdAt="2024-01-01 10:00:00",
                                     kind=rt.CommentKind.USER)])
        return rt.ReportData(
            runId=1, checkerId="core.NullDereference",
            bugHash="3cfa1a0eb6ef7c2ccd1fc10ba6f2e7e3",
            checkedFile="/src/dir/file_%d.c" % i,
            checkerMsg="Dereference of null pointer (loaded from variable 'p') \"%d\"" % i,
            reportId=100 + i, fileId=5, line=42 + i, column=7,
            severity=rt.Severity.HIGH,
            reviewData=rt.ReviewData(status=rt.ReviewStatus.CONFIRMED,
                                     comment="ünïcödé \U0001F41B", author="me",
                                     date="2024-02-03 04:05:06", isInSource=False),
            detectionStatus=rt.DetectionStatus.NEW,
            detectedAt="2024-01-01 00:00:00", fixedAt=None, bugPathLength=3,
            details=details if i == 0 else None,
            analyzerName="clangsa",
            annotations={"testcase": "TC-%d" % i, "timestamp": "1700000000"},
            blameInfo=None)

    report_filter = rt.ReportFilter(
        filepath=["*/a.c"], checkerName=["core.*"], severity=[rt.Severity.HIGH],
        reviewStatus=[rt.ReviewStatus.UNREVIEWED, rt.ReviewStatus.CONFIRMED],
        detectionStatus=[rt.DetectionStatus.NEW], isUnique=True,
        annotations=[rt.Pair(first="testcase", second="TC-1")])
    sort = [rt.SortMode(type=rt.SortType.FILENAME, ord=rt.Order.ASC)]

    call("getRunResults_call", rs.Client, "getRunResults",
         [1, 2], 25, 0, sort, report_filter, None, True)
    reply("getRunResults_reply", "getRunResults",
          rs.getRunResults_result(success=[report(0), report(1), report(2)]))
    reply("getRunResults_requestFailed", "getRunResults",
          rs.getRunResults_result(requestError=sh.RequestFailed(
              errorCode=sh.ErrorCode.DATABASE, message="Database error: \"x\"",
              extraInfo=["line 1", "line\t2"])))
    ex = TApplicationException(TApplicationException.UNKNOWN_METHOD,
                               "Unknown function getRunResults")
    reply("getRunResults_appException", "getRunResults", ex,
          TMessageType.EXCEPTION)

    zip_b64 = __import__("base64").b64encode(bytes((i * 7 + 3) % 256 for i in range(3000))).decode("ascii")
    call("massStoreRun_call", rs.Client, "massStoreRun",
         "my run", None, None, zip_b64, True, ["/home/user/project"], None)
    reply("massStoreRun_reply", "massStoreRun", rs.massStoreRun_result(success=1234))

    call("getTaskInfo_call", ts.Client, "getTaskInfo", "tok-123")
    reply("getTaskInfo_reply", "getTaskInfo", ts.getTaskInfo_result(
        success=tt.TaskInfo(token="tok-123", taskKind="StoreTask",
                            status=tt.TaskStatus.RUNNING, productId=1,
                            actorUsername="admin", summary="Storing run",
                            comments="", enqueuedAtEpoch=1700000000,
                            startedAtEpoch=1700000001, completedAtEpoch=0,
                            lastHeartbeatEpoch=1700000005, cancelFlagSet=False)))
    reply("getTaskInfo_requestFailed", "getTaskInfo", ts.getTaskInfo_result(
        requestError=sh.RequestFailed(errorCode=sh.ErrorCode.UNAUTHORIZED,
                                      message="no such task", extraInfo=[])))

    call("getProducts_call", ps.Client, "getProducts", None, "def*", None, None, None)
    reply("getProducts_reply", "getProducts", ps.getProducts_result(success=[
        pt.Product(id=1, endpoint="Default", displayedName_b64="RGVmYXVsdA==",
                   description_b64="", connected=True, accessible=True,
                   administrating=False, databaseStatus=sh.DBStatus.OK,
                   runCount=3, latestStoreToProduct="2024-05-06 07:08:09",
                   runLimit=None, admins=["admin"], runStoreInProgress=[],
                   confidentiality=pt.Confidentiality.CONFIDENTIAL,
                   reportLimit=500000),
        pt.Product(id=2, endpoint="other", displayedName_b64="T3RoZXI=",
                   connected=False, accessible=False, administrating=False,
                   databaseStatus=sh.DBStatus.FAILED_TO_CONNECT)]))

    with open(os.path.join(out, "manifest.tsv"), "w") as f:
        f.write("# generated by make_vectors.py with thrift %s (%s)\n"
                % (ver, os.path.dirname(thrift.__file__)))
        for row in manifest:
            f.write("\t".join(row) + "\n")
    print("wrote %d vectors to %s" % (len(manifest), out))


if __name__ == "__main__":
    main()
