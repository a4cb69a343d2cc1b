// CodeChecker-compatible Thrift API, version 6.74.
// Unauthenticated server metadata.
//
// Conventions (wire contract checked by idl/check_contract.py):
// * every struct field is `optional`: an unset field is simply absent, as
//   with the Python client, and the Rust reader then yields None;
// * types are declared before use (the Rust generator boxes forward
//   references).

include "codechecker_api_shared.thrift"

namespace py codechecker_api.ServerInfo_v6

/** Server metadata endpoint (served under "ServerInfo"). */
service serverInfoService {
  /** Version string of the server package. */
  string getPackageVersion()
}
