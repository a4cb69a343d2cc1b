//! One Thrift call over an in-memory body: run a processor, or answer with an
//! exception when the call cannot be run.

use codechecker_api::json::{JsonInputProtocol, JsonOutputProtocol};
use thrift::protocol::{TInputProtocol, TMessageIdentifier, TMessageType, TOutputProtocol};
use thrift::server::TProcessor;
use thrift::{ApplicationError, ApplicationErrorKind};

/// Runs `processor` on the message in `body` and returns the reply message.
///
/// When the processor cannot produce a reply (the arguments do not decode, the
/// method is unknown, …) the reply is a `TApplicationException` that names the
/// problem, addressed to the call's name and sequence id when they could be read.
pub fn run(processor: &dyn TProcessor, body: &[u8]) -> Vec<u8> {
    // A server only takes calls; a reply or exception sent to it is refused
    // instead of being run as a call.
    if let Some(id) = envelope(body) {
        if !matches!(id.message_type, TMessageType::Call | TMessageType::OneWay) {
            return application_error(
                body,
                ApplicationErrorKind::InvalidMessageType,
                &format!(
                    "Invalid request: expected a call message, got a message of type {:?}.",
                    id.message_type
                ),
            );
        }
    }
    let mut input = JsonInputProtocol::new(body);
    let mut output = JsonOutputProtocol::new(Vec::with_capacity(256));
    match processor
        .process(&mut input, &mut output)
        .and_then(|()| output.into_inner())
    {
        Ok(reply) => reply,
        Err(err) => {
            let kind = match &err {
                thrift::Error::Protocol(_) => ApplicationErrorKind::ProtocolError,
                thrift::Error::Application(app) => app.kind,
                _ => ApplicationErrorKind::InternalError,
            };
            let message = match &err {
                thrift::Error::Application(app) => app.message.clone(),
                other => format!("Invalid request: {other}"),
            };
            tracing::debug!(%message, "Thrift call rejected");
            application_error(body, kind, &message)
        }
    }
}

/// The name and sequence id of the message in `body`, if its envelope reads.
pub fn envelope(body: &[u8]) -> Option<TMessageIdentifier> {
    JsonInputProtocol::new(body).read_message_begin().ok()
}

/// A `TApplicationException` reply of kind `INTERNAL_ERROR`, as CodeChecker's
/// server sends for requests it cannot route.
pub fn application_error_reply(body: &[u8], message: &str) -> Vec<u8> {
    application_error(body, ApplicationErrorKind::InternalError, message)
}

/// A `TApplicationException` reply of the given kind.
pub fn application_error(body: &[u8], kind: ApplicationErrorKind, message: &str) -> Vec<u8> {
    let (name, seq) = match envelope(body) {
        Some(id) => (id.name, id.sequence_number),
        None => (String::new(), 0),
    };
    let mut output = JsonOutputProtocol::new(Vec::with_capacity(128));
    let error = ApplicationError::new(kind, message);
    let written = output
        .write_message_begin(&TMessageIdentifier::new(name, TMessageType::Exception, seq))
        .and_then(|()| thrift::Error::write_application_error_to_out_protocol(&error, &mut output))
        .and_then(|()| output.write_message_end())
        .and_then(|()| output.into_inner());
    match written {
        Ok(reply) => reply,
        // Writing into a Vec cannot fail; keep a valid fallback regardless.
        Err(_) => br#"[1,"",3,0,{"1":{"str":"Internal error"},"2":{"i32":6}}]"#.to_vec(),
    }
}
