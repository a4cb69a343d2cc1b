//! A small fuzzing harness on stable Rust, shared by the test binaries of
//! several crates (each includes this file with `#[path]`).
//!
//! A target is a property over bytes: it must hold for every input (no panic,
//! no hang, a typed error or a correct answer). Inputs come from
//!
//! * the committed corpus `tests/fuzz/corpus/<target>/`: every file is
//!   replayed first, as is (a crash once found, saved there, stays a
//!   regression test);
//! * a structure-aware generator of the target (well-formed or nearly so);
//! * byte-level mutations (bit flips, inserted tokens of the format, cut,
//!   duplicated or deleted ranges, truncation) of both.
//!
//! Each target runs [`execs`] executions (10,000 unless `FUZZ_EXECS` says
//! otherwise), driven by a `proptest` runner, so a failure is shrunk to a
//! small input, which is written to a file named in the panic message.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

/// Executions per target when `FUZZ_EXECS` is not set.
pub const DEFAULT_EXECS: u32 = 10_000;

/// One execution taking longer than this counts as a hang. Far above what
/// any input of the generators costs, even in a debug build on a busy machine.
const HANG: Duration = Duration::from_secs(10);

/// The number of executions per target: `FUZZ_EXECS`, else [`DEFAULT_EXECS`].
pub fn execs() -> u32 {
    std::env::var("FUZZ_EXECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_EXECS)
}

/// The repository's root (the folder of `Cargo.lock`).
fn workspace_root() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !dir.join("Cargo.lock").exists() {
        assert!(
            dir.pop(),
            "no Cargo.lock above {}",
            env!("CARGO_MANIFEST_DIR")
        );
    }
    dir
}

/// The committed corpus of `target`, sorted by file name.
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = workspace_root().join("tests/fuzz/corpus").join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("corpus {}: {err}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|err| panic!("corpus file {}: {err}", path.display()));
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                bytes,
            )
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "corpus {} is empty", dir.display());
    files
}

/// One byte-level change.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Flip some bits of one byte.
    Flip(Index, u8),
    /// Insert a token of the format's dictionary.
    Token(Index, Index),
    /// Insert arbitrary bytes.
    Insert(Index, Vec<u8>),
    /// Delete up to this many bytes.
    Delete(Index, u8),
    /// Copy a range (start, length) to another place.
    Duplicate(Index, u8, Index),
    /// Cut the input here.
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 1..=255u8).prop_map(|(i, m)| Mutation::Flip(i, m)),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::Token(i, t)),
        1 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => (any::<Index>(), 1..=64u8).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<Index>(), 1..=128u8, any::<Index>())
            .prop_map(|(i, n, j)| Mutation::Duplicate(i, n, j)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// Applies `mutations` to `bytes`, with `dict` the tokens of the format.
pub fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation], dict: &[&[u8]]) -> Vec<u8> {
    for m in mutations {
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
        match m {
            Mutation::Flip(i, mask) => {
                if !bytes.is_empty() {
                    let i = i.index(bytes.len());
                    bytes[i] ^= mask;
                }
            }
            Mutation::Token(i, t) => {
                if !dict.is_empty() {
                    let token = dict[t.index(dict.len())];
                    let i = at(i, bytes.len());
                    bytes.splice(i..i, token.iter().copied());
                }
            }
            Mutation::Insert(i, b) => {
                let i = at(i, bytes.len());
                bytes.splice(i..i, b.iter().copied());
            }
            Mutation::Delete(i, n) => {
                if !bytes.is_empty() {
                    let i = i.index(bytes.len());
                    let end = (i + *n as usize).min(bytes.len());
                    bytes.drain(i..end);
                }
            }
            Mutation::Duplicate(i, n, j) => {
                if !bytes.is_empty() {
                    let i = i.index(bytes.len());
                    let end = (i + *n as usize).min(bytes.len());
                    let piece = bytes[i..end].to_vec();
                    let j = at(j, bytes.len());
                    bytes.splice(j..j, piece);
                }
            }
            Mutation::Truncate(i) => {
                let i = at(i, bytes.len());
                bytes.truncate(i);
            }
        }
    }
    bytes
}

/// One execution's input.
#[derive(Debug, Clone)]
pub struct Input {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Whether `bytes` came from the structure-aware generator unchanged,
    /// so that the property may expect them accepted.
    pub well_formed: bool,
    /// A free parameter of the execution (e.g. a size), any `u16`; corpus
    /// files are replayed with 1.
    pub param: usize,
}

/// The inputs of a target: a committed seed or a generated input, then up to
/// four mutations (none in about one case of five, so that well-formed
/// inputs are checked too), or now and then plain random bytes.
pub fn inputs(
    target: &str,
    generated: BoxedStrategy<Vec<u8>>,
    dict: &'static [&'static [u8]],
) -> BoxedStrategy<Input> {
    let seeds: Vec<Vec<u8>> = corpus(target).into_iter().map(|(_, b)| b).collect();
    let base = prop_oneof![
        1 => prop::sample::select(seeds).prop_map(|b| (b, false)),
        2 => generated.prop_map(|b| (b, true)),
    ];
    let bytes = prop_oneof![
        12 => (base, prop::collection::vec(mutation(), 0..5)).prop_map(move |((bytes, generated), ms)| {
            let well_formed = generated && ms.is_empty();
            (mutate(bytes, &ms, dict), well_formed)
        }),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(|b| (b, false)),
    ];
    (bytes, any::<u16>())
        .prop_map(|((bytes, well_formed), param)| Input {
            bytes,
            well_formed,
            param: usize::from(param),
        })
        .boxed()
}

/// Runs `property` on every corpus file of `target`, then on [`execs`]
/// inputs drawn from `input`; panics with the smallest failing input found
/// (also written to a file) if the property fails, panics or hangs.
pub fn fuzz(
    target: &str,
    input: BoxedStrategy<Input>,
    property: impl Fn(&Input) -> Result<(), String>,
) {
    let check = |input: &Input| -> Result<(), String> {
        let started = Instant::now();
        property(input)?;
        let took = started.elapsed();
        if took > HANG {
            return Err(format!("one execution took {took:?}"));
        }
        Ok(())
    };
    for (name, bytes) in corpus(target) {
        let replay = Input {
            bytes,
            well_formed: false,
            param: 1,
        };
        if let Err(why) = check(&replay) {
            panic!("fuzz target {target}: corpus file {name} fails: {why}");
        }
    }
    let wanted = execs();
    let count = AtomicU64::new(0);
    let mut runner = TestRunner::new(Config {
        cases: wanted,
        failure_persistence: None,
        ..Config::default()
    });
    let started = Instant::now();
    let result = runner.run(&input, |input| {
        count.fetch_add(1, Ordering::Relaxed);
        check(&input).map_err(TestCaseError::fail)
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, input)) => {
            let bytes = &input.bytes;
            let dir = std::env::temp_dir().join("codechecker-fuzz").join(target);
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("crash-{}", std::process::id()));
            let saved = std::fs::write(&file, bytes).is_ok();
            panic!(
                "fuzz target {target}: {why}\ninput (well formed: {}, parameter {}, {} bytes): {:?}\n{}",
                input.well_formed,
                input.param,
                bytes.len(),
                String::from_utf8_lossy(bytes),
                if saved {
                    format!(
                        "saved as {}: add it to tests/fuzz/corpus/{target}/ as a regression case",
                        file.display()
                    )
                } else {
                    String::new()
                }
            );
        }
        Err(TestError::Abort(why)) => panic!("fuzz target {target}: aborted: {why}"),
    }
    let done = count.load(Ordering::Relaxed);
    assert!(
        done >= u64::from(wanted),
        "fuzz target {target}: {done} executions, fewer than {wanted}"
    );
    eprintln!(
        "fuzz target {target}: {done} executions in {:.1?}",
        started.elapsed()
    );
}
