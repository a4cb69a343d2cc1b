//! Permission checks as handlers make them: one call that answers with the
//! `RequestFailed` CodeChecker's clients expect when the caller lacks a right.

use codechecker_api::codechecker_api_shared::{ErrorCode, RequestFailed};
use codechecker_api::json::JsonOutputProtocol;
use thrift::protocol::{
    TFieldIdentifier, TMessageIdentifier, TMessageType, TOutputProtocol, TSerializable,
    TStructIdentifier, TType,
};

use super::errors::{database, request_failed};
use crate::auth::{Caller, Permission};

/// The message of a refused call.
pub const NOT_AUTHORIZED: &str = "You are not authorized to execute this action.";

/// Succeeds when `caller` holds any of `permissions` (on `product`).
pub fn require(
    caller: &Caller,
    permissions: &[Permission],
    product: Option<i64>,
) -> thrift::Result<()> {
    if caller.has_any(permissions, product).map_err(database)? {
        Ok(())
    } else {
        Err(unauthorized(permissions))
    }
}

/// Succeeds when `caller` is a superuser.
pub fn require_superuser(caller: &Caller) -> thrift::Result<()> {
    require(caller, &[Permission::Superuser], None)
}

/// Succeeds when `caller` is logged in (personal access tokens, for one, are
/// a logged-in user's).
pub fn require_login(caller: &Caller) -> thrift::Result<()> {
    if caller.is_logged_in() {
        Ok(())
    } else {
        Err(request_failed(
            ErrorCode::UNAUTHORIZED,
            "This needs a logged-in user: the server must run with authentication on \
             and you must log in ('CodeChecker cmd login').",
        ))
    }
}

/// The `UNAUTHORIZED` error naming what would have been enough.
pub fn unauthorized(permissions: &[Permission]) -> thrift::Error {
    request_failed(ErrorCode::UNAUTHORIZED, refusal(permissions))
}

fn refusal(permissions: &[Permission]) -> String {
    let names: Vec<&str> = permissions.iter().map(|p| p.name()).collect();
    format!("{NOT_AUTHORIZED} (It needs {}.)", names.join(" or "))
}

/// The reply to the call in `body` raising `RequestFailed(UNAUTHORIZED)`:
/// every method of CodeChecker's services declares that exception as its
/// result's field 1, so the reply is the same for all of them.
pub fn unauthorized_reply(call: &TMessageIdentifier, permissions: &[Permission]) -> Vec<u8> {
    let error = RequestFailed::new(
        ErrorCode::UNAUTHORIZED,
        refusal(permissions),
        None::<Vec<String>>,
    );
    let mut out = JsonOutputProtocol::new(Vec::with_capacity(256));
    let written = out
        .write_message_begin(&TMessageIdentifier::new(
            call.name.clone(),
            TMessageType::Reply,
            call.sequence_number,
        ))
        .and_then(|()| out.write_struct_begin(&TStructIdentifier::new("result")))
        .and_then(|()| {
            out.write_field_begin(&TFieldIdentifier::new("requestError", TType::Struct, 1))
        })
        .and_then(|()| error.write_to_out_protocol(&mut out))
        .and_then(|()| out.write_field_end())
        .and_then(|()| out.write_field_stop())
        .and_then(|()| out.write_struct_end())
        .and_then(|()| out.write_message_end())
        .and_then(|()| out.into_inner());
    written.unwrap_or_else(|_| crate::thrift_call::application_error_reply(b"", NOT_AUTHORIZED))
}

/// The refusal of a `CodeCheckerService` call to `product` that the caller
/// lacks the rights for (see [`crate::auth::report_rights`]); `None` lets it run.
pub fn check_report_call(
    caller: &Caller,
    product: &configdb::Product,
    body: &[u8],
) -> Option<Vec<u8>> {
    if !caller.auth_enabled() {
        return None;
    }
    // A message whose envelope does not read is the processor's to refuse.
    let call = crate::thrift_call::envelope(body)?;
    let needed = crate::auth::report_rights::required(&call.name);
    match caller.has_any(needed, Some(product.id)) {
        Ok(true) => None,
        Ok(false) => Some(unauthorized_reply(&call, needed)),
        Err(err) => Some(crate::thrift_call::application_error_reply(
            body,
            &format!("Cannot check permissions: the configuration database failed ({err})."),
        )),
    }
}
