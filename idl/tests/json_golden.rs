//! Golden vectors written by Python's `thrift` TJSONProtocol (0.13 and 0.25),
//! see `tests/golden/README.md`.
//!
//! * every vector decodes with the schema-less walker and re-encodes to the
//!   same bytes (or, for the few vectors Python spells differently on purpose,
//!   to bytes that decode to the same values);
//! * flat vectors with an `.expect` sidecar decode field by field with the
//!   typed `read_*` calls to the expected values;
//! * the CodeChecker messages go through the generated Rust client (its call
//!   must equal Python's call byte for byte, and it must decode Python's
//!   reply) and through the generated processor or the generated types'
//!   writers (the reply must equal Python's reply byte for byte).
#![allow(clippy::unwrap_used)] // a panic is how a test fails

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use codechecker_api::codechecker_api_shared::{DBStatus, ErrorCode, RequestFailed};
use codechecker_api::json::generic::{self, Value};
use codechecker_api::json::{JsonInputProtocol, JsonOutputProtocol};
use codechecker_api::products::{
    CodeCheckerProductServiceSyncClient, CodeCheckerProductServiceSyncHandler,
    CodeCheckerProductServiceSyncProcessor, Confidentiality, Product, ProductConfiguration,
    ProductSortMode, TCodeCheckerProductServiceSyncClient,
};
use codechecker_api::report_server::{
    CodeCheckerDBAccessSyncClient, DetectionStatus, Order, Pair, ReportData, ReportFilter,
    ReviewStatus, Severity, SortMode, SortType, TCodeCheckerDBAccessSyncClient,
};
use codechecker_api::tasks::{
    AdministratorTaskInfo, CodeCheckerServersideTaskServiceSyncClient,
    CodeCheckerServersideTaskServiceSyncHandler, CodeCheckerServersideTaskServiceSyncProcessor,
    TCodeCheckerServersideTaskServiceSyncClient, TaskFilter, TaskInfo,
};
use thrift::protocol::{
    TFieldIdentifier, TInputProtocol, TListIdentifier, TMessageIdentifier, TMessageType,
    TOutputProtocol, TSerializable, TStructIdentifier, TType,
};
use thrift::server::TProcessor;
use thrift::{ApplicationErrorKind, Error};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const SETS: [&str; 2] = ["thrift-0.25.0", "thrift-0.13.0"];

struct Vector {
    name: String,
    kind: String,
    canonical: bool,
    bytes: Vec<u8>,
    expect: Option<String>,
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn load_set(set: &str) -> Result<Vec<Vector>, Box<dyn std::error::Error>> {
    let dir = golden_dir().join(set);
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv"))?;
    let mut out = Vec::new();
    for line in manifest.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, kind, canonical] = cols.as_slice() else {
            return Err(format!("bad manifest line {line:?}").into());
        };
        let bytes = std::fs::read(dir.join(format!("{name}.json")))?;
        let expect = std::fs::read_to_string(dir.join(format!("{name}.expect"))).ok();
        out.push(Vector {
            name: name.to_string(),
            kind: kind.to_string(),
            canonical: *canonical == "yes",
            bytes,
            expect,
        });
    }
    Ok(out)
}

fn vector(set: &str, name: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    Ok(std::fs::read(
        golden_dir().join(set).join(format!("{name}.json")),
    )?)
}

fn encode(
    f: impl FnOnce(&mut dyn TOutputProtocol) -> thrift::Result<()>,
) -> thrift::Result<Vec<u8>> {
    let mut p = JsonOutputProtocol::new(Vec::new());
    f(&mut p)?;
    p.into_inner()
}

/// Equality that treats NaN as equal to NaN and tells 0.0 and -0.0 apart.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Value::Struct(x), Value::Struct(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((i, v), (j, w))| i == j && same(v, w))
        }
        (Value::List(t, x), Value::List(u, y)) | (Value::Set(t, x), Value::Set(u, y)) => {
            t == u && x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        (Value::Map(k, v, x), Value::Map(l, w, y)) => {
            k == l
                && v == w
                && x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((a1, b1), (a2, b2))| same(a1, a2) && same(b1, b2))
        }
        _ => a == b,
    }
}

enum Decoded {
    Message(generic::Message),
    Struct(Value),
}

fn decode_generic(v: &Vector, bytes: &[u8]) -> thrift::Result<Decoded> {
    let mut p = JsonInputProtocol::new(bytes);
    if v.kind == "message" {
        Ok(Decoded::Message(generic::read_message(&mut p)?))
    } else {
        let value = generic::read_value(&mut p, TType::Struct)?;
        p.expect_end()?;
        Ok(Decoded::Struct(value))
    }
}

fn encode_generic(d: &Decoded) -> thrift::Result<Vec<u8>> {
    encode(|p| match d {
        Decoded::Message(m) => generic::write_message(p, m),
        Decoded::Struct(v) => generic::write_value(p, v),
    })
}

#[test]
fn generic_walk_reencodes_python_bytes() -> TestResult {
    let mut checked = 0;
    for set in SETS {
        let vectors = load_set(set)?;
        assert!(vectors.len() >= 19, "{set}: too few vectors");
        for v in &vectors {
            let decoded = decode_generic(v, &v.bytes)
                .map_err(|e| format!("{set}/{}: decode failed: {e}", v.name))?;
            let again = encode_generic(&decoded)?;
            if v.canonical {
                assert_eq!(
                    String::from_utf8_lossy(&again),
                    String::from_utf8_lossy(&v.bytes),
                    "{set}/{}: re-encoding differs",
                    v.name
                );
            } else {
                assert_ne!(again, v.bytes, "{set}/{} is marked non-canonical", v.name);
                let redecoded = decode_generic(v, &again)?;
                let ok = match (&decoded, &redecoded) {
                    (Decoded::Message(a), Decoded::Message(b)) => {
                        a.ident == b.ident && same(&a.body, &b.body)
                    }
                    (Decoded::Struct(a), Decoded::Struct(b)) => same(a, b),
                    _ => false,
                };
                assert!(ok, "{set}/{}: values changed in a round trip", v.name);
            }
            checked += 1;
        }
    }
    assert!(checked >= 38);
    Ok(())
}

#[test]
fn python_013_and_025_write_identical_bytes() -> TestResult {
    let new = load_set(SETS[0])?;
    let old = load_set(SETS[1])?;
    assert_eq!(new.len(), old.len());
    for (a, b) in new.iter().zip(&old) {
        assert_eq!(a.name, b.name);
        assert_eq!(
            a.bytes, b.bytes,
            "{} differs between thrift versions",
            a.name
        );
    }
    Ok(())
}

fn unhex(s: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    if s.len() % 2 == 1 {
        return Err(format!("odd hex length in {s:?}").into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            let pair = s.get(i..i + 2).ok_or("bad hex")?;
            Ok(u8::from_str_radix(pair, 16)?)
        })
        .collect()
}

#[test]
fn typed_reads_match_python_values() -> TestResult {
    let mut fields_checked = 0;
    for set in SETS {
        for v in load_set(set)? {
            let Some(expect) = &v.expect else { continue };
            let mut wanted: BTreeMap<i16, (String, String)> = BTreeMap::new();
            for line in expect.lines() {
                let cols: Vec<&str> = line.split('\t').collect();
                let [id, kind, value] = cols.as_slice() else {
                    return Err(format!("bad expect line {line:?}").into());
                };
                wanted.insert(id.parse()?, (kind.to_string(), value.to_string()));
            }
            let mut p = JsonInputProtocol::new(v.bytes.as_slice());
            p.read_struct_begin()?;
            let mut seen = 0;
            loop {
                let f = p.read_field_begin()?;
                if f.field_type == TType::Stop {
                    break;
                }
                let id = f.id.ok_or("field without id")?;
                let (kind, value) = wanted
                    .get(&id)
                    .ok_or_else(|| format!("{}: unexpected field {id}", v.name))?;
                let ctx = format!("{set}/{} field {id}", v.name);
                match kind.as_str() {
                    "bool" => {
                        assert_eq!(f.field_type, TType::Bool, "{ctx}");
                        assert_eq!(p.read_bool()?, value == "1", "{ctx}");
                    }
                    "i8" => {
                        assert_eq!(f.field_type, TType::I08, "{ctx}");
                        assert_eq!(p.read_i8()?, value.parse::<i8>()?, "{ctx}");
                    }
                    "i16" => {
                        assert_eq!(f.field_type, TType::I16, "{ctx}");
                        assert_eq!(p.read_i16()?, value.parse::<i16>()?, "{ctx}");
                    }
                    "i32" => {
                        assert_eq!(f.field_type, TType::I32, "{ctx}");
                        assert_eq!(p.read_i32()?, value.parse::<i32>()?, "{ctx}");
                    }
                    "i64" => {
                        assert_eq!(f.field_type, TType::I64, "{ctx}");
                        assert_eq!(p.read_i64()?, value.parse::<i64>()?, "{ctx}");
                    }
                    "dbl" => {
                        assert_eq!(f.field_type, TType::Double, "{ctx}");
                        let want = f64::from_bits(u64::from_str_radix(value, 16)?);
                        let got = p.read_double()?;
                        if want.is_nan() {
                            assert!(got.is_nan(), "{ctx}: {got} is not NaN");
                        } else {
                            assert_eq!(got.to_bits(), want.to_bits(), "{ctx}: {got} != {want}");
                        }
                    }
                    "str" => {
                        assert_eq!(f.field_type, TType::String, "{ctx}");
                        assert_eq!(p.read_string()?.into_bytes(), unhex(value)?, "{ctx}");
                    }
                    "bin" => {
                        assert_eq!(f.field_type, TType::String, "{ctx}");
                        assert_eq!(p.read_bytes()?, unhex(value)?, "{ctx}");
                    }
                    other => return Err(format!("unknown expect kind {other}").into()),
                }
                p.read_field_end()?;
                seen += 1;
                fields_checked += 1;
            }
            p.read_struct_end()?;
            p.expect_end()?;
            assert_eq!(seen, wanted.len(), "{set}/{}: field count", v.name);
        }
    }
    assert!(fields_checked > 100, "only {fields_checked} fields checked");
    Ok(())
}

// ---- generated code ------------------------------------------------------

/// A writer whose bytes stay reachable after the protocol that owns it has
/// been moved into a generated client.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type In = JsonInputProtocol<Vec<u8>>;
type Out = JsonOutputProtocol<Shared>;

/// Runs one client call against a canned reply; returns the call's result
/// and the bytes the client sent.
fn with_client<C, T>(
    make: impl FnOnce(In, Out) -> C,
    reply: Vec<u8>,
    call: impl FnOnce(&mut C) -> T,
) -> (T, Vec<u8>) {
    let sent = Shared::default();
    let mut client = make(
        JsonInputProtocol::new(reply),
        JsonOutputProtocol::new(sent.clone()),
    );
    let result = call(&mut client);
    drop(client);
    let bytes = sent.0.borrow().clone();
    (result, bytes)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A reply message whose result struct has one field, written with the
/// generated types' own writers (what the generated processor does).
fn reply_with(
    method: &str,
    field_id: i16,
    field_type: TType,
    write: impl FnOnce(&mut dyn TOutputProtocol) -> thrift::Result<()>,
) -> thrift::Result<Vec<u8>> {
    encode(|p| {
        p.write_message_begin(&TMessageIdentifier::new(method, TMessageType::Reply, 1))?;
        p.write_struct_begin(&TStructIdentifier::new("result"))?;
        p.write_field_begin(&TFieldIdentifier::new("f", field_type, field_id))?;
        write(p)?;
        p.write_field_end()?;
        p.write_field_stop()?;
        p.write_struct_end()?;
        p.write_message_end()?;
        p.flush()
    })
}

/// getRunResults arguments as in make_vectors.py (cmpData omitted).
type RunResultsArgs = (
    Option<Vec<i64>>,
    Option<i64>,
    Option<i64>,
    Option<Vec<SortMode>>,
    Option<ReportFilter>,
    Option<bool>,
);

fn get_run_results_args() -> RunResultsArgs {
    let filter = ReportFilter {
        filepath: Some(vec!["*/a.c".into()]),
        checker_name: Some(vec!["core.*".into()]),
        severity: Some(vec![Severity::HIGH]),
        review_status: Some(vec![ReviewStatus::UNREVIEWED, ReviewStatus::CONFIRMED]),
        detection_status: Some(vec![DetectionStatus::NEW]),
        is_unique: Some(true),
        annotations: Some(vec![Pair {
            first: Some("testcase".into()),
            second: Some("TC-1".into()),
        }]),
        ..Default::default()
    };
    let sort = vec![SortMode {
        type_: Some(SortType::FILENAME),
        ord: Some(Order::ASC),
    }];
    (
        Some(vec![1, 2]),
        Some(25),
        Some(0),
        Some(sort),
        Some(filter),
        Some(true),
    )
}

#[test]
fn get_run_results_through_generated_client() -> TestResult {
    for set in SETS {
        let call = vector(set, "getRunResults_call")?;
        let reply = vector(set, "getRunResults_reply")?;
        let (run_ids, limit, offset, sort, filter, details) = get_run_results_args();
        let (reports, sent) = with_client(CodeCheckerDBAccessSyncClient::new, reply.clone(), |c| {
            c.get_run_results(run_ids, limit, offset, sort, filter, None, details)
        });
        assert_eq!(text(&sent), text(&call), "{set}: Rust client call differs");
        let reports: Vec<ReportData> = reports?;
        assert_eq!(reports.len(), 3);
        let first = reports.first().ok_or("no report")?;
        assert_eq!(first.checker_id.as_deref(), Some("core.NullDereference"));
        assert_eq!(first.severity, Some(Severity::HIGH));
        assert_eq!(
            first
                .review_data
                .as_ref()
                .and_then(|r| r.comment.as_deref()),
            Some("ünïcödé \u{1F41B}")
        );
        assert!(first.details.is_some());
        assert!(first.fixed_at.is_none());
        assert_eq!(
            first
                .annotations
                .as_ref()
                .and_then(|a| a.get("testcase"))
                .map(String::as_str),
            Some("TC-0")
        );

        // Server side: the same list written by the generated writers.
        let again = reply_with("getRunResults", 0, TType::List, |p| {
            p.write_list_begin(&TListIdentifier::new(TType::Struct, reports.len() as i32))?;
            for r in &reports {
                r.write_to_out_protocol(p)?;
            }
            p.write_list_end()
        })?;
        assert_eq!(
            text(&again),
            text(&reply),
            "{set}: reply re-encoding differs"
        );
    }
    Ok(())
}

#[test]
fn request_failed_and_application_exception_replies() -> TestResult {
    for set in SETS {
        // RequestFailed arrives as the user exception of the call.
        let reply = vector(set, "getRunResults_requestFailed")?;
        let (res, _) = with_client(CodeCheckerDBAccessSyncClient::new, reply.clone(), |c| {
            c.get_run_results(None, None, None, None, None, None, None)
        });
        let err = match res {
            Err(Error::User(e)) => e,
            other => return Err(format!("{set}: expected a user error, got {other:?}").into()),
        };
        let failed = err
            .downcast_ref::<RequestFailed>()
            .ok_or("not a RequestFailed")?;
        assert_eq!(failed.error_code, Some(ErrorCode::DATABASE));
        assert_eq!(failed.message.as_deref(), Some("Database error: \"x\""));
        assert_eq!(
            failed.extra_info.as_deref(),
            Some(&["line 1".to_string(), "line\t2".to_string()][..])
        );
        let again = reply_with("getRunResults", 1, TType::Struct, |p| {
            failed.write_to_out_protocol(p)
        })?;
        assert_eq!(
            text(&again),
            text(&reply),
            "{set}: RequestFailed reply differs"
        );

        // TApplicationException as an EXCEPTION message.
        let reply = vector(set, "getRunResults_appException")?;
        let (res, _) = with_client(CodeCheckerDBAccessSyncClient::new, reply.clone(), |c| {
            c.get_run_results(None, None, None, None, None, None, None)
        });
        let app = match res {
            Err(Error::Application(e)) => e,
            other => {
                return Err(format!("{set}: expected an application error, got {other:?}").into())
            }
        };
        assert_eq!(app.kind, ApplicationErrorKind::UnknownMethod);
        assert_eq!(app.message, "Unknown function getRunResults");
        let again = encode(|p| {
            p.write_message_begin(&TMessageIdentifier::new(
                "getRunResults",
                TMessageType::Exception,
                1,
            ))?;
            Error::write_application_error_to_out_protocol(&app, p)?;
            p.write_message_end()?;
            p.flush()
        })?;
        assert_eq!(text(&again), text(&reply), "{set}: exception reply differs");
    }
    Ok(())
}

#[test]
fn mass_store_run_with_omitted_arguments() -> TestResult {
    // The same deterministic "zip" as make_vectors.py, base64-encoded.
    use base64::Engine as _;
    let zip: Vec<u8> = (0..3000u32).map(|i| ((i * 7 + 3) % 256) as u8).collect();
    let zip_b64 = base64::engine::general_purpose::STANDARD.encode(zip);
    for set in SETS {
        let call = vector(set, "massStoreRun_call")?;
        let reply = vector(set, "massStoreRun_reply")?;
        let (res, sent) = with_client(CodeCheckerDBAccessSyncClient::new, reply.clone(), |c| {
            c.mass_store_run(
                Some("my run".into()),
                None,
                None,
                Some(zip_b64.clone()),
                Some(true),
                Some(vec!["/home/user/project".into()]),
                None,
            )
        });
        assert_eq!(text(&sent), text(&call), "{set}: massStoreRun call differs");
        assert_eq!(res?, 1234);
        let again = reply_with("massStoreRun", 0, TType::I64, |p| p.write_i64(1234))?;
        assert_eq!(text(&again), text(&reply));
    }
    Ok(())
}

/// A task-service handler that answers with canned values and records the
/// token it was asked about.
struct Tasks {
    info: Result<TaskInfo, RequestFailed>,
    asked: Rc<RefCell<Option<String>>>,
}

fn unused<T>() -> thrift::Result<T> {
    Err(Error::Application(thrift::ApplicationError::new(
        ApplicationErrorKind::UnknownMethod,
        "not used by this test",
    )))
}

impl CodeCheckerServersideTaskServiceSyncHandler for Tasks {
    fn handle_get_task_info(&self, token: Option<String>) -> thrift::Result<TaskInfo> {
        *self.asked.borrow_mut() = token;
        match &self.info {
            Ok(info) => Ok(info.clone()),
            Err(e) => Err(Error::User(Box::new(e.clone()))),
        }
    }
    fn handle_get_tasks(
        &self,
        _filters: Option<TaskFilter>,
    ) -> thrift::Result<Vec<AdministratorTaskInfo>> {
        unused()
    }
    fn handle_cancel_task(&self, _token: Option<String>) -> thrift::Result<bool> {
        unused()
    }
    fn handle_create_dummy_task(
        &self,
        _timeout: Option<i32>,
        _should_fail: Option<bool>,
    ) -> thrift::Result<String> {
        unused()
    }
}

#[test]
fn get_task_info_through_generated_client_and_processor() -> TestResult {
    for set in SETS {
        let call = vector(set, "getTaskInfo_call")?;
        let reply = vector(set, "getTaskInfo_reply")?;
        let (info, sent) = with_client(
            CodeCheckerServersideTaskServiceSyncClient::new,
            reply.clone(),
            |c| c.get_task_info(Some("tok-123".into())),
        );
        assert_eq!(text(&sent), text(&call), "{set}: getTaskInfo call differs");
        let info = info?;
        assert_eq!(info.task_kind.as_deref(), Some("StoreTask"));
        assert_eq!(info.cancel_flag_set, Some(false));

        // The processor decodes Python's call and must answer with Python's reply.
        let asked = Rc::new(RefCell::new(None));
        let handler = Tasks {
            info: Ok(info),
            asked: asked.clone(),
        };
        let processor = CodeCheckerServersideTaskServiceSyncProcessor::new(handler);
        let mut i = JsonInputProtocol::new(call.as_slice());
        let mut o = JsonOutputProtocol::new(Vec::new());
        processor.process(&mut i, &mut o)?;
        assert_eq!(
            text(&o.into_inner()?),
            text(&reply),
            "{set}: processor reply differs"
        );
        assert_eq!(asked.borrow().as_deref(), Some("tok-123"));

        // And the RequestFailed path.
        let failed_reply = vector(set, "getTaskInfo_requestFailed")?;
        let (res, _) = with_client(
            CodeCheckerServersideTaskServiceSyncClient::new,
            failed_reply.clone(),
            |c| c.get_task_info(Some("tok-123".into())),
        );
        let failed = match res {
            Err(Error::User(e)) => e
                .downcast::<RequestFailed>()
                .map_err(|_| "not RequestFailed")?,
            other => return Err(format!("expected RequestFailed, got {other:?}").into()),
        };
        assert_eq!(failed.error_code, Some(ErrorCode::UNAUTHORIZED));
        assert_eq!(failed.extra_info, Some(vec![]));
        let handler = Tasks {
            info: Err(*failed),
            asked: Rc::default(),
        };
        let processor = CodeCheckerServersideTaskServiceSyncProcessor::new(handler);
        let mut i = JsonInputProtocol::new(call.as_slice());
        let mut o = JsonOutputProtocol::new(Vec::new());
        processor.process(&mut i, &mut o)?;
        assert_eq!(
            text(&o.into_inner()?),
            text(&failed_reply),
            "{set}: error reply differs"
        );
    }
    Ok(())
}

type ProductQuery = (Option<String>, Option<String>, Option<i64>);

struct Products {
    products: Vec<Product>,
    asked: Rc<RefCell<Option<ProductQuery>>>,
}

impl CodeCheckerProductServiceSyncHandler for Products {
    fn handle_get_package_version(&self) -> thrift::Result<String> {
        unused()
    }
    fn handle_is_administrator_of_any_product(&self) -> thrift::Result<bool> {
        unused()
    }
    fn handle_get_products(
        &self,
        product_endpoint_filter: Option<String>,
        product_name_filter: Option<String>,
        limit: Option<i64>,
        _offset: Option<i64>,
        _sorting_mode: Option<ProductSortMode>,
    ) -> thrift::Result<Vec<Product>> {
        *self.asked.borrow_mut() = Some((product_endpoint_filter, product_name_filter, limit));
        Ok(self.products.clone())
    }
    fn handle_get_current_product(&self) -> thrift::Result<Product> {
        unused()
    }
    fn handle_get_product_count(
        &self,
        _a: Option<String>,
        _b: Option<String>,
    ) -> thrift::Result<i64> {
        unused()
    }
    fn handle_get_product_configuration(
        &self,
        _id: Option<i64>,
    ) -> thrift::Result<ProductConfiguration> {
        unused()
    }
    fn handle_add_product(&self, _p: Option<ProductConfiguration>) -> thrift::Result<bool> {
        unused()
    }
    fn handle_edit_product(
        &self,
        _id: Option<i64>,
        _c: Option<ProductConfiguration>,
    ) -> thrift::Result<bool> {
        unused()
    }
    fn handle_remove_product(&self, _id: Option<i64>) -> thrift::Result<bool> {
        unused()
    }
}

#[test]
fn get_products_through_generated_client_and_processor() -> TestResult {
    for set in SETS {
        let call = vector(set, "getProducts_call")?;
        let reply = vector(set, "getProducts_reply")?;
        let (products, sent) = with_client(
            CodeCheckerProductServiceSyncClient::new,
            reply.clone(),
            |c| c.get_products(None, Some("def*".into()), None, None, None),
        );
        assert_eq!(text(&sent), text(&call), "{set}: getProducts call differs");
        let products = products?;
        assert_eq!(products.len(), 2);
        let first = products.first().ok_or("no product")?;
        assert_eq!(first.confidentiality, Some(Confidentiality::CONFIDENTIAL));
        assert_eq!(first.database_status, Some(DBStatus::OK));
        assert_eq!(first.run_limit, None);
        assert_eq!(first.run_store_in_progress, Some(vec![]));

        let asked = Rc::new(RefCell::new(None));
        let handler = Products {
            products,
            asked: asked.clone(),
        };
        let processor = CodeCheckerProductServiceSyncProcessor::new(handler);
        let mut i = JsonInputProtocol::new(call.as_slice());
        let mut o = JsonOutputProtocol::new(Vec::new());
        processor.process(&mut i, &mut o)?;
        assert_eq!(
            text(&o.into_inner()?),
            text(&reply),
            "{set}: processor reply differs"
        );
        assert_eq!(
            *asked.borrow(),
            Some((None, Some("def*".to_string()), None))
        );
    }
    Ok(())
}
