//! Issue 17 scope 4 (joint work): the 联席会议 recorded with the tasks agreed, tracked to done,
//! overdue ones on the 工作台; the partner departments and the catalogue edited over versions
//! on their page. On both backends; the clock starts on Monday 2 March 2026.

use axum::http::{Method, StatusCode};
use chrono::Duration;

use crate::support::TestApp;

fn meeting() -> serde_json::Value {
    serde_json::json!({
        "held_on": "2026-03-02", "topic": "夜市周边占道经营联合整治", "place": "区城管局三楼会议室",
        "departments": "市场监督管理局、公安分局", "attendees": "城管局 张某 市场监管局 李某",
        "minutes": "一、夜市周边实行错时管控；二、共同设置疏导点。",
        "tasks": [
            { "task": "设置便民疏导点", "owner": "市场监督管理局", "due_on": "2026-03-06" },
            { "task": "夜间联合巡查", "owner": "公安分局", "due_on": "2026-03-31" },
        ],
    })
}

#[tokio::test]
async fn a_joint_meeting_is_recorded_with_its_tasks_and_each_is_tracked_to_done() {
    let app = TestApp::new().await;
    let centre = app.token("center01").await;
    let officer = app.token("officer01").await;

    // Only the centre, the office and the leaders record; a bad record stores nothing.
    let denied = app.json(Method::POST, "/api/v1/joint-meetings", &officer, meeting()).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let mut bad = meeting();
    bad["held_on"] = serde_json::json!("2026-03-03");
    bad["tasks"][1]["due_on"] = serde_json::json!("2026-03-01");
    bad["minutes"] = serde_json::json!(" ");
    let bad = app.json(Method::POST, "/api/v1/joint-meetings", &centre, bad).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM joint_meetings").await, 0);
    let mut late_task = meeting();
    late_task["tasks"][1]["due_on"] = serde_json::json!("2026-03-01");
    let refused = app.json(Method::POST, "/api/v1/joint-meetings", &centre, late_task).await;
    assert_eq!(refused.json()["fields"][0]["field"], "due_on", "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM joint_meetings").await, 0, "no task, no meeting");

    let recorded = app.json(Method::POST, "/api/v1/joint-meetings", &centre, meeting()).await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    let id = recorded.json()["id"].as_str().unwrap().to_owned();
    let seen = app.get_bearer(&format!("/api/v1/joint-meetings/{id}"), &officer).await.json();
    assert_eq!(seen["departments"], serde_json::json!(["市场监督管理局", "公安分局"]));
    let states: Vec<&str> =
        seen["tasks"].as_array().unwrap().iter().map(|t| t["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["open", "open"]);

    // A week later the first task is overdue, and the centre's 工作台 says so.
    app.clock.set(app.clock_now() + Duration::days(7));
    let session = app.login("center01").await;
    let bench = app.get("/", Some(&session)).await;
    assert!(bench.body.contains("议定事项逾期：设置便民疏导点"), "the 工作台 warns");
    let year = app.get_bearer("/api/v1/joint-meetings?year=2026", &centre).await.json();
    let task = year[0]["tasks"][0].clone();
    assert_eq!(task["state"], "overdue");

    // Reported done: a stale version, a day in the future or before the meeting are refused.
    let path = format!("/api/v1/joint-tasks/{}/done", task["id"].as_str().unwrap());
    let done = |version: i64, on: &str| serde_json::json!({ "version": version, "done_on": on, "outcome": "已设置两处" });
    assert_eq!(
        app.json(Method::POST, &path, &centre, done(9, "2026-03-08")).await.status,
        StatusCode::CONFLICT
    );
    let future = app.json(Method::POST, &path, &centre, done(1, "2026-03-10")).await;
    assert_eq!(future.json()["fields"][0]["field"], "done_on");
    let ok = app.json(Method::POST, &path, &centre, done(1, "2026-03-08")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let again = app.json(Method::POST, &path, &centre, done(2, "2026-03-08")).await;
    assert_eq!(again.json()["error"], "task_done");
    let after = app.get_bearer(&format!("/api/v1/joint-meetings/{id}"), &centre).await.json();
    assert_eq!(after["tasks"][0]["state"], "done_late");
    let bench = app.get("/", Some(&session)).await;
    assert!(!bench.body.contains("议定事项逾期"), "done: no more warning");
    assert_eq!(app.audit_count("joint_meeting.record").await, 1);
    assert_eq!(app.audit_count("joint_task.add").await, 2);
    assert_eq!(app.audit_count("joint_task.done").await, 1);
    assert!(app.try_raw("DELETE FROM joint_meetings").await.is_err(), "the record is never deleted");

    // The pages: the year's list, the meeting with a task added through its form.
    let list = app.get("/matters/meetings?year=2026", Some(&session)).await;
    assert!(list.body.contains("夜市周边占道经营联合整治"));
    let added = app
        .post_form(
            &format!("/matters/meetings/{id}/tasks"),
            Some(&session),
            &[("task", "联合宣传"), ("owner", "区城管局"), ("due_on", "2026-03-20")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = app.get(&format!("/matters/meetings/{id}"), Some(&session)).await;
    assert!(page.body.contains("联合宣传") && page.body.contains("逾期完成"));
    let form = [
        ("held_on", "2026-03-09"),
        ("topic", "渣土运输联合执法"),
        ("departments", "住房和城乡建设局"),
        ("departments", "公安分局"),
        ("minutes", "议定联合检查工地出入口"),
        ("task_1", "检查工地出入口"),
        ("owner_1", "住房和城乡建设局"),
        ("due_on_1", "2026-03-20"),
    ];
    let posted = app.post_form("/matters/meetings", Some(&session), &form).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let second = app.get(posted.location(), Some(&session)).await;
    assert!(second.body.contains("住房和城乡建设局、公安分局"), "the ticked departments");
}

#[tokio::test]
async fn the_office_edits_the_partner_departments_and_the_catalogue_over_versions() {
    let app = TestApp::new().await;
    let centre = app.token("center01").await;
    let officer = app.token("officer01").await;
    let new = serde_json::json!({ "version": 0, "id": "water", "name": "水务局" });
    assert_eq!(
        app.json(Method::POST, "/api/v1/partner-departments", &officer, new.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let added = app.json(Method::POST, "/api/v1/partner-departments", &centre, new.clone()).await;
    assert_eq!(added.json()["version"], 1, "{}", added.body);
    let twice = app.json(Method::POST, "/api/v1/partner-departments", &centre, new).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "the code is taken");
    let withdraw = serde_json::json!({ "version": 1, "id": "water", "name": "水务局", "active": false });
    let withdrawn = app.json(Method::POST, "/api/v1/partner-departments", &centre, withdraw.clone()).await;
    assert_eq!(withdrawn.json()["version"], 2);
    let stale = app.json(Method::POST, "/api/v1/partner-departments", &centre, withdraw).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "a stale version");
    let huge = serde_json::json!({ "version": i64::MAX, "id": "water", "name": "水务局" });
    let huge = app.json(Method::POST, "/api/v1/partner-departments", &centre, huge).await;
    assert_eq!(huge.status, StatusCode::CONFLICT, "the largest version is a stale one, not a crash");
    let listed = app.get_bearer("/api/v1/partner-departments", &officer).await.json();
    let water = listed.as_array().unwrap().iter().find(|d| d["id"] == "water").unwrap().clone();
    assert_eq!(water["active"], false);
    assert_eq!(app.audit_count("partner_department.save").await, 2);

    // The page edits a class: a checkbox left unticked withdraws it; a bad limit names its field.
    let session = app.login("center01").await;
    let page = app.get("/matters/catalogue", Some(&session)).await;
    assert!(page.body.contains("SJ0401") && page.body.contains("市场监督管理局"));
    let classes = app.get_bearer("/api/v1/matter-categories", &centre).await.json();
    let class = classes.as_array().unwrap().iter().find(|c| c["code"] == "SJ0401").unwrap().clone();
    let version = class["version"].to_string();
    let edit = |normal: &'static str| {
        vec![
            ("version", version.clone()),
            ("code", "SJ0401".to_owned()),
            ("kind", "event".to_owned()),
            ("name", "无照经营游商".to_owned()),
            ("group", class["group"].as_str().unwrap().to_owned()),
            ("handle_normal", normal.to_owned()),
            ("handle_urgent", "h:1".to_owned()),
            ("public", "on".to_owned()),
        ]
    };
    let fields = edit("wh:99x");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bad = app.post_form("/matters/catalogue/classes", Some(&session), &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = edit("wh:6");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app.post_form("/matters/catalogue/classes", Some(&session), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let classes = app.get_bearer("/api/v1/matter-categories", &centre).await.json();
    let class = classes.as_array().unwrap().iter().find(|c| c["code"] == "SJ0401").unwrap().clone();
    assert_eq!((class["handle_normal"].as_str(), class["active"].as_bool()), (Some("wh:6"), Some(false)));
}
