// CodeChecker-compatible Thrift API, version 6.74.
// Types shared by every service: error reporting, permissions, database health.
//
// Conventions (wire contract checked by idl/check_contract.py):
// * every struct field is `optional`: an unset field is simply absent, as
//   with the Python client, and the Rust reader then yields None;
// * types are declared before use (the Rust generator boxes forward
//   references).

namespace py codechecker_api_shared

/** Three-valued filter switch: either value, only false, only true. */
enum Ternary {
  BOTH = 0,
  OFF = 1,
  ON = 2,
}

/** Category of a failed request (carried by RequestFailed). */
enum ErrorCode {
  GENERAL = 2,
  DATABASE = 0,
  IOERROR = 1,
  AUTH_DENIED = 3,
  UNAUTHORIZED = 4,
  API_MISMATCH = 5,
}

/** Grantable rights; 1-15 are server-wide, 16+ apply to one product. */
enum Permission {
  SUPERUSER = 1,
  PERMISSION_VIEW = 2,
  PRODUCT_ADMIN = 16,
  PRODUCT_ACCESS = 17,
  PRODUCT_STORE = 18,
  PRODUCT_VIEW = 19,
}

/** Health of a product database as seen by the server. */
enum DBStatus {
  OK = 0,
  MISSING = 1,
  FAILED_TO_CONNECT = 2,
  SCHEMA_MISMATCH_OK = 3,
  SCHEMA_MISMATCH_NO = 4,
  SCHEMA_MISSING = 5,
  SCHEMA_INIT_ERROR = 6,
  SCHEMA_UPGRADE_FAILED = 7,
}

/** The error every service method may raise. */
exception RequestFailed {
  1: optional ErrorCode    errorCode,
  2: optional string       message,
  3: optional list<string> extraInfo,
}
