//! Product registry CRUD on both backends.

use crate::common;

use configdb::{Error, NewTask, ProductSpec, DEFAULT_REPORT_LIMIT};

#[test]
fn product_crud() {
    for t in common::backends(true) {
        let db = &t.db;
        assert!(db.list_products().unwrap().is_empty(), "{}", t.label);

        let mut spec = ProductSpec::new("alpha", "sqlite:///tmp/alpha.sqlite");
        spec.description = Some("first".into());
        spec.run_limit = Some(3);
        spec.confidentiality = Some("CONFIDENTIAL".into());
        let a = db.add_product(&spec).unwrap();
        assert_eq!(a.endpoint, "alpha");
        assert_eq!(a.display_name, "alpha");
        assert_eq!(a.description.as_deref(), Some("first"));
        assert_eq!(a.run_limit, Some(3));
        assert_eq!(a.report_limit, DEFAULT_REPORT_LIMIT);
        assert!(!a.review_status_change_disabled);
        assert_eq!(a.confidentiality.as_deref(), Some("CONFIDENTIAL"));
        assert_eq!(a.created_at, common::t0());
        assert_eq!(a.run_count, 0);
        assert_eq!(a.latest_store_at, None);

        let b = db
            .add_product(&ProductSpec::new("beta", "postgres://x/beta"))
            .unwrap();
        assert!(b.id > a.id);
        let all = db.list_products().unwrap();
        assert_eq!(
            all.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![a.id, b.id]
        );

        assert_eq!(db.get_product(a.id).unwrap().as_ref(), Some(&a));
        assert_eq!(
            db.get_product_by_endpoint("beta").unwrap().as_ref(),
            Some(&b)
        );
        assert_eq!(db.get_product(9999).unwrap(), None);
        assert_eq!(db.get_product_by_endpoint("BETA").unwrap(), None);

        assert!(matches!(
            db.add_product(&ProductSpec::new("alpha", "x")),
            Err(Error::DuplicateEndpoint(e)) if e == "alpha"
        ));
        assert!(matches!(
            db.add_product(&ProductSpec::new("", "x")),
            Err(Error::InvalidArgument(_))
        ));

        let mut edit = spec.clone();
        edit.endpoint = "alpha2".into();
        edit.display_name = "Alpha Two".into();
        edit.description = None;
        edit.run_limit = None;
        edit.report_limit = 10;
        edit.review_status_change_disabled = true;
        let a2 = db.update_product(a.id, &edit).unwrap();
        assert_eq!(a2.id, a.id);
        assert_eq!(a2.endpoint, "alpha2");
        assert_eq!(a2.display_name, "Alpha Two");
        assert_eq!(a2.description, None);
        assert_eq!(a2.run_limit, None);
        assert_eq!(a2.report_limit, 10);
        assert!(a2.review_status_change_disabled);
        assert_eq!(a2.created_at, a.created_at);

        let mut clash = edit.clone();
        clash.endpoint = "beta".into();
        assert!(matches!(
            db.update_product(a.id, &clash),
            Err(Error::DuplicateEndpoint(_))
        ));
        assert!(matches!(
            db.update_product(9999, &edit),
            Err(Error::NotFound { .. })
        ));

        let stored = common::t0() + chrono::Duration::seconds(5);
        db.update_product_stats(b.id, 7, Some(stored)).unwrap();
        let b2 = db.get_product(b.id).unwrap().unwrap();
        assert_eq!((b2.run_count, b2.latest_store_at), (7, Some(stored)));

        db.remove_product(a.id).unwrap();
        assert!(matches!(
            db.remove_product(a.id),
            Err(Error::NotFound { .. })
        ));
        assert_eq!(db.list_products().unwrap().len(), 1);
    }
}

#[test]
fn ensure_product_is_idempotent_under_races() {
    for t in common::backends(false) {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let db = t.reopen(2);
                std::thread::spawn(move || {
                    db.ensure_product("Default", "Default", "sqlite:///w/Default.sqlite")
                        .unwrap()
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let created = results.iter().filter(|(_, c)| *c).count();
        assert_eq!(created, 1, "{}: exactly one creator", t.label);
        assert!(results.iter().all(|(p, _)| p.id == results[0].0.id));
        let (again, created) = t.db.ensure_product("Default", "Other", "x").unwrap();
        assert!(!created);
        assert_eq!(again.display_name, "Default");
        assert_eq!(t.db.list_products().unwrap().len(), 1);
    }
}

#[test]
fn removing_a_product_removes_its_tasks() {
    for t in common::backends(false) {
        let p = t.db.add_product(&ProductSpec::new("p", "x")).unwrap();
        let mut task = NewTask::new("K", "s", "m");
        task.product_id = Some(p.id);
        let tok = t.db.create_task(&task).unwrap();
        let other = t.db.create_task(&NewTask::new("K", "s", "m")).unwrap();
        t.db.remove_product(p.id).unwrap();
        assert_eq!(t.db.get_task(&tok).unwrap(), None, "{}", t.label);
        assert!(t.db.get_task(&other).unwrap().is_some());

        task.product_id = Some(p.id);
        assert!(matches!(
            t.db.create_task(&task),
            Err(Error::NotFound {
                what: "product",
                ..
            })
        ));
    }
}
