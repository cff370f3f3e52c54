//! The deadline job: one instance runs it (a lease), each overdue duty clock is warned once.

use axum::http::Method;
use chrono::Duration;

use crate::cases::new_party;
use crate::support::TestApp;

#[tokio::test]
async fn one_instance_raises_each_overdue_warning_once() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let open = serde_json::json!({
        "procedure": "general", "party_id": party, "category": "city_appearance",
        "title": "张贴小广告", "source": "patrol", "clue_on": "2026-03-02", "act_on": "2026-03-02",
    });
    assert_eq!(
        app.json(Method::POST, "/api/v1/cases", &squad, open).await.status,
        axum::http::StatusCode::CREATED
    );
    let state = app.state.clone();

    // Nothing is overdue yet: the lead check runs to 17 March.
    assert_eq!(chengguan::app::deadline_job_tick(&state, "a").await.unwrap(), Some(0));
    // A second instance does not get the lease while the first holds it.
    assert_eq!(chengguan::app::deadline_job_tick(&state, "b").await.unwrap(), None);

    app.clock.set(app.clock_now() + Duration::days(20));
    // The first instance's lease ran out long ago: the second takes over and raises the warning.
    assert_eq!(chengguan::app::deadline_job_tick(&state, "b").await.unwrap(), Some(1));
    assert_eq!(chengguan::app::deadline_job_tick(&state, "a").await.unwrap(), None);
    // Again: nothing new to raise, and nothing audited for an empty run.
    assert_eq!(chengguan::app::deadline_job_tick(&state, "b").await.unwrap(), Some(0));
    assert_eq!(app.db.alert_count().await.unwrap(), 1);
    assert_eq!(app.audit_count("alert.raise").await, 1);
}
