//! Reference data from memory: each instance keeps the calendar, the case rules, the
//! responsibility list, the security policy and the units, and sees another instance's change
//! within a second (`store::reference`), its own at once.

use std::sync::Arc;

use chengguan::clock::{Clock, ManualClock};
use chengguan::domain::org::UnitKind;
use chengguan::store::reference::REFERENCE_CHECK_MILLISECONDS;
use chengguan::store::{AuditCtx, ConnectOptions, Db};

use crate::support::TestApp;

/// A second instance on the same database, with a clock of its own.
async fn second_instance(app: &TestApp) -> (Db, ManualClock) {
    let db = Db::connect(&ConnectOptions {
        url: app.url.clone(),
        max_connections: 2,
        sqlite_synchronous_full: false,
    })
    .await
    .expect("a second handle on the test database");
    let clock = ManualClock::new(app.clock.now());
    db.use_clock(Arc::new(clock.clone()));
    (db, clock)
}

fn names(units: &[chengguan::store::org::Unit]) -> Vec<String> {
    units.iter().map(|u| u.name.clone()).collect()
}

#[tokio::test]
async fn a_change_on_one_instance_is_seen_on_another_within_a_second_and_at_once_on_its_own() {
    let app = TestApp::new().await;
    let (other, other_clock) = second_instance(&app).await;
    let before = names(&other.units().await.unwrap());
    let brigade = app.db.units().await.unwrap().into_iter().find(|u| u.kind == UnitKind::Brigade).unwrap();

    // This instance adds a squad: it sees it on its next read, without waiting.
    let mut tx = app.db.begin(&AuditCtx::cli("test"), app.clock.now()).await.unwrap();
    tx.insert_unit(Some(&brigade.id), UnitKind::Squad, "缓存测试中队", "ZL-CACHE-1", 99).await.unwrap();
    tx.commit().await.unwrap();
    assert!(names(&app.db.units().await.unwrap()).contains(&"缓存测试中队".to_owned()));

    // The other instance answers from memory until its check is due: the read costs no query,
    // and the copy it holds is the one it read.
    assert_eq!(names(&other.units().await.unwrap()), before);
    other_clock.advance(chrono::Duration::milliseconds(REFERENCE_CHECK_MILLISECONDS - 1));
    assert_eq!(names(&other.units().await.unwrap()), before);
    // Within the second: the generation moved, the copy is read again.
    other_clock.advance(chrono::Duration::milliseconds(1));
    assert!(names(&other.units().await.unwrap()).contains(&"缓存测试中队".to_owned()));

    // A change written past the application (an administrator's SQL) moves the generation too:
    // the triggers, not the store's functions, keep it.
    let categories_before = other.case_categories().await.unwrap();
    app.raw("UPDATE case_categories SET name = '市容环卫（改）' WHERE code = 'city_appearance'").await;
    assert_eq!(other.case_categories().await.unwrap(), categories_before);
    other_clock.advance(chrono::Duration::milliseconds(REFERENCE_CHECK_MILLISECONDS));
    let renamed = other.case_categories().await.unwrap();
    assert!(renamed.iter().any(|c| c.name == "市容环卫（改）"), "{renamed:?}");
}

#[tokio::test]
async fn the_calendar_and_the_security_policy_follow_a_change_within_a_second() {
    let app = TestApp::new().await;
    let (other, other_clock) = second_instance(&app).await;
    let make_up_day = chrono::NaiveDate::from_ymd_opt(2026, 10, 10).unwrap();
    assert!(other.work_calendar().await.unwrap().is_workday(make_up_day).unwrap());
    assert_eq!(other.security_policy().await.unwrap().0.lockout_threshold, 5);
    app.raw("UPDATE calendar_days SET kind = 'rest' WHERE date = '2026-10-10'").await;
    // The 安全管理员 tightens the lockout on this instance; it applies here at once.
    let token = app.token("secadmin").await;
    let mut policy = app.get_bearer("/api/v1/security-policy", &token).await.json();
    policy["lockout_threshold"] = 3.into();
    let saved = app.json(axum::http::Method::PUT, "/api/v1/security-policy", &token, policy).await;
    assert_eq!(saved.status, axum::http::StatusCode::OK, "{}", saved.body);
    assert_eq!(app.db.security_policy().await.unwrap().0.lockout_threshold, 3);
    assert_eq!(other.security_policy().await.unwrap().0.lockout_threshold, 5, "read from memory");
    other_clock.advance(chrono::Duration::milliseconds(REFERENCE_CHECK_MILLISECONDS));
    assert!(!other.work_calendar().await.unwrap().is_workday(make_up_day).unwrap());
    assert_eq!(other.security_policy().await.unwrap().0.lockout_threshold, 3);
}
