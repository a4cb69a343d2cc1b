#!/usr/bin/env python3
"""Calls a CodeChecker server through the real `codechecker_api` Python client.

Run with the Python of a CodeChecker venv (its `codechecker_api` and `thrift`
packages are the client under test). Reads one JSON request per line on
stdin and writes one JSON answer per line on stdout, so a test can keep one
driver process for many calls:

    request: {"url": "http://127.0.0.1:8001/v6.74/Tasks",
              "service": "Tasks", "method": "getTasks",
              "args": [{"statuses": [3], "usernames": []}],
              "headers": {"Authorization": "Bearer ..."}}   (headers optional)
    answer:  {"ok": <result>}
           | {"request_failed": {"errorCode": 2, "message": "...", "extraInfo": null}}
           | {"application_error": {"type": 6, "message": "..."}}
           | {"error": {"type": "TTransportException", "message": "...", "traceback": "..."}}

Arguments are positional; JSON objects become the Thrift structs the
method's argument specification names, `null` leaves an argument unset (the
client then omits it from the message). Results come back as JSON: structs
as objects keyed by their Thrift field names (unset fields as null), enums
as integers, binary as base64 text.

With `--version` prints the package versions of the venv and exits.
"""

import base64
import importlib
import json
import sys
import traceback

from thrift.protocol import TJSONProtocol
from thrift.Thrift import TApplicationException, TType
from thrift.transport import THttpClient

# Service name in the URL -> module of the generated client.
SERVICES = {
    "Authentication": "codechecker_api.Authentication_v6.codeCheckerAuthentication",
    "Configuration": "codechecker_api.Configuration_v6.configurationService",
    "Products": "codechecker_api.ProductManagement_v6.codeCheckerProductService",
    "ServerInfo": "codechecker_api.ServerInfo_v6.serverInfoService",
    "CodeCheckerService": "codechecker_api.codeCheckerDBAccess_v6.codeCheckerDBAccess",
    "Tasks": "codechecker_api.codeCheckerServersideTasks_v6.codeCheckerServersideTaskService",
}


def to_thrift(value, ttype, spec):
    """Builds the Python value of Thrift type `ttype` (with its `spec`) from JSON."""
    if value is None:
        return None
    if ttype == TType.STRUCT:
        cls = spec[0]
        obj = cls()
        by_name = {f[2]: f for f in cls.thrift_spec if f is not None}
        for name, field_value in value.items():
            if name not in by_name:
                raise ValueError("%s has no field %r" % (cls.__name__, name))
            field = by_name[name]
            setattr(obj, name, to_thrift(field_value, field[1], field[3]))
        return obj
    if ttype in (TType.LIST, TType.SET):
        elem_type, elem_spec = spec[0], spec[1]
        items = [to_thrift(v, elem_type, elem_spec) for v in value]
        return set(items) if ttype == TType.SET else items
    if ttype == TType.MAP:
        ktype, kspec, vtype, vspec = spec[0], spec[1], spec[2], spec[3]
        return {to_thrift(k, ktype, kspec): to_thrift(v, vtype, vspec)
                for k, v in value.items()}
    if ttype == TType.STRING and spec == "BINARY":
        return base64.b64decode(value)
    return value


def to_json(value):
    """The JSON form of a value the generated client returned."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(to_json(k)): to_json(v) for k, v in value.items()}
    spec = getattr(type(value), "thrift_spec", None)
    if spec is not None:
        return {f[2]: to_json(getattr(value, f[2], None))
                for f in spec if f is not None}
    return repr(value)


class Driver:
    """One generated client per (URL, service), reused between requests."""

    def __init__(self):
        self.clients = {}

    def client(self, url, service):
        key = (url, service)
        if key not in self.clients:
            module = importlib.import_module(SERVICES[service])
            transport = THttpClient.THttpClient(url)
            protocol = TJSONProtocol.TJSONProtocol(transport)
            self.clients[key] = (module, module.Client(protocol), transport)
        return self.clients[key]

    def call(self, request):
        module, client, transport = self.client(request["url"], request["service"])
        method = request["method"]
        args_cls = getattr(module, method + "_args")
        specs = [f for f in args_cls.thrift_spec if f is not None]
        raw = request.get("args", [])
        if len(raw) > len(specs):
            raise ValueError("%s takes %d arguments" % (method, len(specs)))
        args = [to_thrift(v, f[1], f[3]) for v, f in zip(raw, specs)]
        args += [None] * (len(specs) - len(args))
        # Optional HTTP headers of this call (e.g. a session as Authorization).
        transport.setCustomHeaders(request.get("headers") or {})
        transport.open()
        try:
            return getattr(client, method)(*args)
        finally:
            transport.close()


def answer(driver, request):
    shared = importlib.import_module("codechecker_api_shared.ttypes")
    try:
        return {"ok": to_json(driver.call(request))}
    except shared.RequestFailed as err:
        return {"request_failed": {"errorCode": err.errorCode,
                                   "message": err.message,
                                   "extraInfo": to_json(err.extraInfo)}}
    except TApplicationException as err:
        return {"application_error": {"type": err.type, "message": err.message}}
    except Exception as err:  # everything else is a finding for the test
        return {"error": {"type": type(err).__name__, "message": str(err),
                          "traceback": traceback.format_exc()}}


def main():
    if "--version" in sys.argv[1:]:
        import thrift
        print(json.dumps({"thrift": getattr(thrift, "__version__", "?"),
                          "python": sys.version.split()[0]}))
        return 0
    driver = Driver()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
            reply = answer(driver, request)
        except Exception as err:
            reply = {"error": {"type": type(err).__name__, "message": str(err),
                               "traceback": traceback.format_exc()}}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
