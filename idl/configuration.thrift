// CodeChecker-compatible Thrift API, version 6.74.
// Server-wide settings editable over the API (the notification banner).
//
// Conventions (wire contract checked by idl/check_contract.py):
// * every struct field is `optional`: an unset field is simply absent, as
//   with the Python client, and the Rust reader then yields None;
// * types are declared before use (the Rust generator boxes forward
//   references).

include "codechecker_api_shared.thrift"

namespace py codechecker_api.Configuration_v6

/** Server configuration endpoint (served under "Configuration"). */
service configurationService {
  /** Banner text shown to every user, base64 encoded. */
  string getNotificationBannerText()

  /** Sets the banner text (base64 encoded). */
  void setNotificationBannerText(1: string notification_b64)
      throws (1: codechecker_api_shared.RequestFailed requestError)
}
