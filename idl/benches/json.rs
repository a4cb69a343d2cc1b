//! Throughput of the Thrift JSON protocol (see docs/benchmarks.md).
//!
//!     CARGO_TARGET_DIR=/work/target-json cargo bench -p codechecker-api --bench json
//!
//! Throughput is counted in encoded (wire) bytes for both directions.
#![allow(missing_docs)] // criterion's macros define undocumented public functions

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use codechecker_api::json::{JsonInputProtocol, JsonOutputProtocol};
use codechecker_api::report_server::{
    DetectionStatus, ReportData, ReviewData, ReviewStatus, Severity,
};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use thrift::protocol::{
    TFieldIdentifier, TInputProtocol, TListIdentifier, TMessageIdentifier, TMessageType,
    TOutputProtocol, TSerializable, TStructIdentifier, TType,
};

fn report(i: usize) -> ReportData {
    let mut annotations = BTreeMap::new();
    annotations.insert("testcase".to_string(), format!("TC-{}", i % 97));
    annotations.insert("timestamp".to_string(), "1700000000".to_string());
    ReportData {
        run_id: Some(3),
        checker_id: Some("core.NullDereference".into()),
        bug_hash: Some(format!(
            "{:032x}",
            (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        )),
        checked_file: Some(format!(
            "/home/user/project/src/module_{}/file_{}.cpp",
            i % 13,
            i
        )),
        checker_msg: Some(format!(
            "Dereference of null pointer (loaded from variable 'ptr_{i}') in \"handler\""
        )),
        report_id: Some(100_000 + i as i64),
        file_id: Some(500 + (i % 50) as i64),
        line: Some(10 + (i % 900) as i64),
        column: Some(5 + (i % 80) as i64),
        severity: Some(Severity::HIGH),
        review_data: Some(ReviewData {
            status: Some(ReviewStatus::UNREVIEWED),
            comment: None,
            author: None,
            date: None,
            is_in_source: Some(false),
        }),
        detection_status: Some(DetectionStatus::NEW),
        detected_at: Some("2024-05-06 07:08:09.123456".into()),
        fixed_at: None,
        bug_path_length: Some((i % 20) as i64),
        details: None,
        analyzer_name: Some("clangsa".into()),
        annotations: Some(annotations),
        blame_info: None,
    }
}

/// A getRunResults reply, written the way the generated processor writes it.
fn encode_reply(reports: &[ReportData]) -> thrift::Result<Vec<u8>> {
    let mut p = JsonOutputProtocol::new(Vec::with_capacity(1 << 20));
    p.write_message_begin(&TMessageIdentifier::new(
        "getRunResults",
        TMessageType::Reply,
        0,
    ))?;
    p.write_struct_begin(&TStructIdentifier::new("getRunResults_result"))?;
    p.write_field_begin(&TFieldIdentifier::new("success", TType::List, 0))?;
    p.write_list_begin(&TListIdentifier::new(TType::Struct, reports.len() as i32))?;
    for r in reports {
        r.write_to_out_protocol(&mut p)?;
    }
    p.write_list_end()?;
    p.write_field_end()?;
    p.write_field_stop()?;
    p.write_struct_end()?;
    p.write_message_end()?;
    p.flush()?;
    p.into_inner()
}

/// Decodes it the way the generated client does.
fn decode_reply(bytes: &[u8]) -> thrift::Result<Vec<ReportData>> {
    let mut p = JsonInputProtocol::new(bytes);
    p.read_message_begin()?;
    p.read_struct_begin()?;
    let mut out = Vec::new();
    loop {
        let f = p.read_field_begin()?;
        if f.field_type == TType::Stop {
            break;
        }
        let l = p.read_list_begin()?;
        out.reserve(l.size.clamp(0, 4096) as usize);
        for _ in 0..l.size {
            out.push(ReportData::read_from_in_protocol(&mut p)?);
        }
        p.read_list_end()?;
        p.read_field_end()?;
    }
    p.read_struct_end()?;
    p.read_message_end()?;
    Ok(out)
}

enum Big<'a> {
    Binary(&'a [u8]),
    Text(&'a str),
}

/// A call whose only argument is one big binary (or string) field.
fn encode_big(payload: &Big<'_>) -> thrift::Result<Vec<u8>> {
    let mut p = JsonOutputProtocol::new(Vec::with_capacity(70 << 20));
    p.write_message_begin(&TMessageIdentifier::new(
        "massStoreRun",
        TMessageType::Call,
        0,
    ))?;
    p.write_struct_begin(&TStructIdentifier::new("massStoreRun_args"))?;
    p.write_field_begin(&TFieldIdentifier::new("zipfile", TType::String, 4))?;
    match payload {
        Big::Binary(b) => p.write_bytes(b)?,
        Big::Text(s) => p.write_string(s)?,
    }
    p.write_field_end()?;
    p.write_field_stop()?;
    p.write_struct_end()?;
    p.write_message_end()?;
    p.flush()?;
    p.into_inner()
}

fn decode_big(bytes: &[u8], binary: bool) -> thrift::Result<usize> {
    let mut p = JsonInputProtocol::new(bytes);
    p.read_message_begin()?;
    p.read_struct_begin()?;
    p.read_field_begin()?;
    let n = if binary {
        p.read_bytes()?.len()
    } else {
        p.read_string()?.len()
    };
    p.read_field_end()?;
    p.read_field_begin()?;
    p.read_struct_end()?;
    p.read_message_end()?;
    Ok(n)
}

fn bench_reply(c: &mut Criterion) {
    let reports: Vec<ReportData> = (0..1000).map(report).collect();
    let Ok(bytes) = encode_reply(&reports) else {
        panic!("encoding the benchmark input failed");
    };
    let mut g = c.benchmark_group("json/getRunResults_1000_reports");
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("encode", |b| {
        b.iter(|| encode_reply(black_box(&reports)).map(|v| v.len()))
    });
    g.bench_function("decode", |b| {
        b.iter(|| decode_reply(black_box(&bytes)).map(|v| v.len()))
    });
    g.finish();
}

fn bench_big(c: &mut Criterion) {
    const SIZE: usize = 50 * 1024 * 1024;
    // Incompressible-looking bytes, like a zip file.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let payload: Vec<u8> = (0..SIZE)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let Ok(bytes) = encode_big(&Big::Binary(&payload)) else {
        panic!("encoding the benchmark input failed");
    };
    let mut g = c.benchmark_group("json/binary_50MB");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("encode", |b| {
        b.iter(|| encode_big(black_box(&Big::Binary(&payload))).map(|v| v.len()))
    });
    g.bench_function("decode", |b| b.iter(|| decode_big(black_box(&bytes), true)));
    g.finish();

    // CodeChecker's massStoreRun sends the zip base64-encoded in a *string*
    // field: 50 MB of base64 text.
    let text: String = {
        use base64::Engine as _;
        let mut t = base64::engine::general_purpose::STANDARD.encode(&payload);
        t.truncate(SIZE);
        t
    };
    let Ok(bytes) = encode_big(&Big::Text(&text)) else {
        panic!("encoding the benchmark input failed");
    };
    let mut g = c.benchmark_group("json/string_50MB");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("encode", |b| {
        b.iter(|| encode_big(black_box(&Big::Text(&text))).map(|v| v.len()))
    });
    g.bench_function("decode", |b| {
        b.iter(|| decode_big(black_box(&bytes), false))
    });
    g.finish();
}

criterion_group!(benches, bench_reply, bench_big);
criterion_main!(benches);
