//! Cleanup plans and guideline rules through the Thrift API (the command
//! line has no cleanup plan commands): the same calls on both servers, the
//! replies compared after each step. Plan names start with `cleanup-test-`,
//! and no other test creates plans.

use serde_json::{json, Value};

use crate::fixture_or_skip;
use crate::support::python::{PyApi, Reply, Venv};

/// One server's endpoint and the ids the calls need.
struct Side {
    url: String,
    v2: i64,
    /// Our server (else CodeChecker's).
    ours: bool,
}

fn side(api: &mut PyApi, base: String, ours: bool) -> Side {
    let url = format!("{base}/Default/v6.74/CodeCheckerService");
    let runs = api
        .call(
            &url,
            "CodeCheckerService",
            "getRunData",
            json!([{"names": ["clang-v2"], "exactMatch": true}, null, null, null]),
        )
        .ok();
    let v2 = runs[0]["runId"].as_i64().expect("a run id");
    Side { url, v2, ours }
}

/// Both servers, in the order (ours, CodeChecker's).
struct Both {
    api: PyApi,
    ours: Side,
    theirs: Side,
}

impl Both {
    /// Calls `method` on both with the arguments `args` builds for a side.
    fn call(&mut self, method: &str, args: impl Fn(&Side) -> Value) -> (Reply, Reply) {
        let ours = self.api.call(
            &self.ours.url,
            "CodeCheckerService",
            method,
            args(&self.ours),
        );
        let theirs = self.api.call(
            &self.theirs.url,
            "CodeCheckerService",
            method,
            args(&self.theirs),
        );
        (ours, theirs)
    }

    /// Calls `method` on both and asserts equal replies.
    fn same(&mut self, method: &str, args: impl Fn(&Side) -> Value) -> Reply {
        let (ours, theirs) = self.call(method, args);
        assert_eq!(ours, theirs, "{method} (left ours, right CodeChecker's)");
        ours
    }

    /// `getCleanupPlans` with `filter` on both, normalised and compared.
    fn plans(&mut self, filter: impl Fn(&Side) -> Value) -> Value {
        let (ours, theirs) = self.call("getCleanupPlans", |s| json!([filter(s)]));
        let (ours, theirs) = (plans(ours.ok()), plans(theirs.ok()));
        assert_eq!(
            ours, theirs,
            "getCleanupPlans (left ours, right CodeChecker's)"
        );
        ours
    }

    /// Hashes of clang-v2's reports in the plans `names`, on both.
    fn hashes_in(&mut self, names: &[&str]) -> Vec<String> {
        let filter = json!({"cleanupPlanNames": names});
        let (ours, theirs) = self.call("getRunResults", |s| {
            json!([[s.v2], 500, 0, null, filter.clone(), null, false])
        });
        let (ours, theirs) = (hashes(&ours.ok()), hashes(&theirs.ok()));
        assert_eq!(ours, theirs, "getRunResults by cleanup plan {names:?}");
        self.same("getRunResultCount", |s| {
            json!([[s.v2], filter.clone(), null, false])
        });
        ours
    }
}

/// Sorted `bugHash`es of a list of reports.
fn hashes(reports: &Value) -> Vec<String> {
    let mut out: Vec<String> = reports
        .as_array()
        .expect("reports")
        .iter()
        .map(|r| r["bugHash"].as_str().expect("a hash").to_owned())
        .collect();
    out.sort();
    out
}

/// Plans without ids, a closing instant as whether there is one, hashes
/// sorted (CodeChecker lists them in no defined order).
fn plans(v: Value) -> Value {
    let list = v.as_array().expect("a plan list").iter().map(|p| {
        let mut p = p.clone();
        let o = p.as_object_mut().expect("a plan");
        o.remove("id");
        let closed = o.get("closedAt").is_some_and(|c| !c.is_null());
        o.insert("closedAt".into(), Value::Bool(closed));
        if let Some(Value::Array(h)) = o.get_mut("reportHashes") {
            h.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
        p
    });
    Value::Array(list.collect())
}

#[test]
fn cleanup_plans_alike() {
    let f = fixture_or_skip!();
    let mut api = PyApi::new(Venv::Current);
    let ours = side(&mut api, f.ours.url(), true);
    let theirs = side(&mut api, f.theirs.url(), false);
    let mut b = Both { api, ours, theirs };

    let all = b
        .call("getRunResults", |s| {
            json!([[s.v2], 500, 0, null, {}, null, false])
        })
        .0
        .ok();
    let h = hashes(&all);
    assert!(h.len() >= 4, "clang-v2 has reports: {h:?}");

    // Create two plans, then fail to create one with a taken name.
    let (a_ours, a_theirs) = b.call("addCleanupPlan", |_| {
        json!(["cleanup-test-a", "first plan", 1_893_456_000])
    });
    let id_a = (
        a_ours.ok().as_i64().expect("an id"),
        a_theirs.ok().as_i64().expect("an id"),
    );
    let (b_ours, b_theirs) = b.call("addCleanupPlan", |_| json!(["cleanup-test-b", null, 0]));
    let id_b = (
        b_ours.ok().as_i64().expect("an id"),
        b_theirs.ok().as_i64().expect("an id"),
    );
    let pick = |ids: (i64, i64), s: &Side| if s.ours { ids.0 } else { ids.1 };
    let a = move |s: &Side| pick(id_a, s);
    let bb = move |s: &Side| pick(id_b, s);
    b.same("addCleanupPlan", |_| {
        json!(["cleanup-test-a", "again", null])
    })
    .request_failed();
    let listed = b.plans(|_| Value::Null);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");

    // Rename and redate one; unknown ids fail alike.
    b.same("updateCleanupPlan", |s| {
        json!([a(s), "cleanup-test-a2", "renamed", 1_900_000_000])
    });
    for method in ["removeCleanupPlan", "closeCleanupPlan", "reopenCleanupPlan"] {
        b.same(method, |_| json!([987_654])).request_failed();
    }
    b.same("updateCleanupPlan", |_| json!([987_654, "x", null, null]))
        .request_failed();
    b.same("setCleanupPlan", |_| json!([987_654, [h[0].clone()]]))
        .request_failed();
    b.same("unsetCleanupPlan", |_| json!([987_654, [h[0].clone()]]))
        .request_failed();

    // Hashes into the plans; the report filter follows them.
    b.same("setCleanupPlan", |s| {
        json!([a(s), [h[0].clone(), h[1].clone(), h[0].clone()]])
    });
    b.same("setCleanupPlan", |s| json!([a(s), [h[1].clone()]]));
    b.same("setCleanupPlan", |s| {
        json!([bb(s), [h[2].clone(), "0123456789abcdef"]])
    });
    b.plans(|_| Value::Null);
    b.plans(|_| json!({"names": ["cleanup-test-a2"]}));
    b.plans(|s| json!({"ids": [bb(s)]}));
    assert_eq!(
        b.hashes_in(&["cleanup-test-a2"]),
        vec![h[0].clone(), h[1].clone()]
    );
    assert_eq!(b.hashes_in(&["cleanup-test-a2", "cleanup-test-b"]).len(), 3);
    assert!(b.hashes_in(&["cleanup-test-none"]).is_empty());

    // Close and reopen.
    b.same("closeCleanupPlan", |s| json!([a(s)]));
    let closed = b.plans(|_| json!({"isOpen": false}));
    assert_eq!(closed.as_array().map(Vec::len), Some(1), "{closed}");
    b.plans(|_| json!({"isOpen": true}));
    b.same("reopenCleanupPlan", |s| json!([a(s)]));
    let open = b.plans(|_| json!({"isOpen": true}));
    assert_eq!(open.as_array().map(Vec::len), Some(2), "{open}");

    // Unset, remove.
    b.same("unsetCleanupPlan", |s| {
        json!([a(s), [h[0].clone(), "not-in-the-plan"]])
    });
    b.plans(|_| Value::Null);
    assert_eq!(b.hashes_in(&["cleanup-test-a2"]), vec![h[1].clone()]);
    b.same("removeCleanupPlan", |s| json!([a(s)]));
    b.same("removeCleanupPlan", |s| json!([a(s)]))
        .request_failed();
    assert!(b.hashes_in(&["cleanup-test-a2"]).is_empty());
    b.same("removeCleanupPlan", |s| json!([bb(s)]));
    let left = b.plans(|_| Value::Null);
    assert_eq!(left, json!([]));
}

/// A `getGuidelineRules` answer with each rule's checkers sorted.
fn sorted_checkers(mut v: Value) -> Value {
    if let Some(map) = v.as_object_mut() {
        for rules in map.values_mut() {
            for rule in rules.as_array_mut().into_iter().flatten() {
                if let Some(Value::Array(c)) = rule.get_mut("checkers") {
                    c.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                }
            }
        }
    }
    v
}

#[test]
fn guideline_rules_alike() {
    let f = fixture_or_skip!();
    let mut api = PyApi::new(Venv::Current);
    let ours = side(&mut api, f.ours.url(), true);
    let theirs = side(&mut api, f.theirs.url(), false);
    let mut b = Both { api, ours, theirs };
    for names in [
        vec!["sei-cert-c"],
        vec!["sei-cert-cpp", "cwe-top-25-2024"],
        vec!["memory-safety", "owasp-top-10-2021", "no-such-guideline"],
        vec![],
    ] {
        let guidelines: Vec<Value> = names.iter().map(|n| json!({"guidelineName": n})).collect();
        let (ours, theirs) = b.call("getGuidelineRules", |_| json!([guidelines.clone()]));
        // CodeChecker lists a rule's checkers analyzer by analyzer in the
        // order its file system lists the label files; ours go by file name.
        let (o, t) = (
            sorted_checkers(ours.clone().ok()),
            sorted_checkers(theirs.ok()),
        );
        for name in &names {
            let (ro, rt) = (o[name].as_array(), t[name].as_array());
            assert_eq!(
                ro.map(Vec::len),
                rt.map(Vec::len),
                "number of rules of {name} (left ours, right CodeChecker's)"
            );
            for (ro, rt) in ro.into_iter().flatten().zip(rt.into_iter().flatten()) {
                assert_eq!(ro, rt, "a rule of {name} (left ours, right CodeChecker's)");
            }
        }
        assert_eq!(o, t, "getGuidelineRules {names:?}");
        let reply = ours;
        if names == ["sei-cert-c"] {
            let rules = reply.ok();
            let rules = rules["sei-cert-c"].as_array().expect("rules").clone();
            assert!(
                rules
                    .iter()
                    .any(|r| r["checkers"].as_array().is_some_and(|c| !c.is_empty())),
                "some sei-cert-c rule has checkers"
            );
        }
    }
}
