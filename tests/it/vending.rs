//! 便民服务点 and 疏导点 (issue 18 scope 6): a point set up, vendors admitted within its
//! stalls and refused beyond them, an admission ended, an inspection recorded by the squad's
//! auxiliary, a stale correction refused, other squads kept out, and the portal showing the
//! free stalls and never a vendor.

use axum::http::{Method, StatusCode};

use crate::cases::new_party;
use crate::support::TestApp;

fn point(unit: &str, capacity: &str) -> serde_json::Value {
    serde_json::json!({
        "name": "南大街早市疏导点", "kind": "guided", "unit_id": unit, "address": "南大街与延陵路交叉口东侧",
        "longitude": "119.946973", "latitude": "31.772752", "hours": "06:00-09:00，17:00-21:30",
        "capacity": capacity, "goods": "果蔬、早点",
    })
}

#[tokio::test]
async fn vendors_are_admitted_within_the_stalls_and_the_portal_shows_what_is_free() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let unit = app.unit_id("南大街中队").await;
    let bad = app.json(Method::POST, "/api/v1/vending-points", &squad, serde_json::json!({
        "name": "x", "kind": "guided", "unit_id": unit, "address": "x", "longitude": "31.77", "latitude": "119.94",
        "hours": "21:00-06:00", "capacity": "0", "goods": "x",
    })).await;
    let body = bad.json();
    let fields: Vec<&str> =
        body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["longitude", "latitude", "hours", "capacity"], "{}", bad.body);
    let office = app.token("office01").await;
    let brigade = app.unit_id("钟楼城管行政执法大队").await;
    let r = app.json(Method::POST, "/api/v1/vending-points", &office, point(&brigade, "2")).await;
    assert_eq!(r.json()["fields"][0]["code"], "unit_not_squad", "a point is a squad's: {}", r.body);
    let created = app.json(Method::POST, "/api/v1/vending-points", &squad, point(&unit, "2")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let admit = |party: &str, stall: &str| serde_json::json!({"party_id": party, "stall": stall, "goods": "蔬菜", "admitted_on": "2026-03-02", "until": "2026-12-31"});
    let first = new_party(&app, &squad, "11010519491231002X").await;
    let second = new_party(&app, &squad, "110105198001010016").await;
    let third = new_party(&app, &squad, "110105199003070017").await;
    let path = format!("/api/v1/vending-points/{id}/admissions");
    let r = app.json(Method::POST, &path, &squad, admit(&first, "A-01")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let first_admission = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.json(Method::POST, &path, &squad, admit(&second, "A-01")).await.json()["error"],
        "stall_taken"
    );
    assert_eq!(
        app.json(Method::POST, &path, &squad, admit(&first, "A-02")).await.json()["error"],
        "already_admitted"
    );
    assert_eq!(
        app.json(Method::POST, &path, &squad, admit(&second, "A-02")).await.status,
        StatusCode::CREATED
    );
    let full = app.json(Method::POST, &path, &squad, admit(&third, "A-03")).await;
    assert_eq!(
        (full.status, full.json()["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("point_full"))
    );

    // Fewer stalls than are taken is refused; a stale version is a conflict.
    let mut smaller = point(&unit, "1");
    smaller["version"] = 1.into();
    let r = app.json(Method::PUT, &format!("/api/v1/vending-points/{id}"), &squad, smaller.clone()).await;
    assert_eq!(r.json()["fields"][0]["code"], "below_stalls_taken", "{}", r.body);
    smaller["capacity"] = "3".into();
    assert_eq!(
        app.json(Method::PUT, &format!("/api/v1/vending-points/{id}"), &squad, smaller.clone()).await.json()
            ["version"],
        2
    );
    assert_eq!(
        app.json(Method::PUT, &format!("/api/v1/vending-points/{id}"), &squad, smaller).await.status,
        StatusCode::CONFLICT
    );

    // An admission ends once; the stall is free from that day.
    let end = serde_json::json!({"ended_on": "2026-03-02", "reason": "x"});
    assert_eq!(
        app.json(Method::POST, &format!("/api/v1/vending-admissions/{first_admission}/end"), &squad, end)
            .await
            .json()["fields"][0]["field"],
        "ended_on",
        "an admission ends after it began"
    );
    let end = serde_json::json!({"ended_on": "2026-03-03", "reason": "主动退出"});
    let r = app
        .json(Method::POST, &format!("/api/v1/vending-admissions/{first_admission}/end"), &squad, end.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = app
        .json(Method::POST, &format!("/api/v1/vending-admissions/{first_admission}/end"), &squad, end)
        .await;
    assert_eq!(again.json()["error"], "admission_ended");
    assert!(
        app.try_raw(&format!("UPDATE vending_admissions SET stall = 'B-9' WHERE id = '{first_admission}'"))
            .await
            .is_err(),
        "an admission is never rewritten"
    );

    // The squad's auxiliary inspects; an officer of another squad sees nothing of it.
    let aux = app.token("aux01").await;
    let inspection = serde_json::json!({"inspected_on": "2026-03-02", "inspected_by": "协管员甲", "result": "problems", "findings": "两处摊位越线，已现场纠正"});
    let r = app
        .json(Method::POST, &format!("/api/v1/vending-points/{id}/inspections"), &aux, inspection.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        app.json(Method::POST, "/api/v1/vending-points", &aux, point(&unit, "2")).await.status,
        StatusCode::FORBIDDEN
    );
    let other = app.token("officer05").await;
    assert_eq!(
        app.get_bearer(&format!("/api/v1/vending-points/{id}"), &other).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.json(Method::POST, &format!("/api/v1/vending-points/{id}/inspections"), &other, inspection)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let view = app.get_bearer(&format!("/api/v1/vending-points/{id}"), &squad).await.json();
    assert_eq!((view["stalls_taken"].as_u64(), view["capacity"].as_u64()), (Some(2), Some(3)), "{view}");
    assert_eq!(view["hours"], "06:00-09:00,17:00-21:30");
    assert_eq!(view["inspections"][0]["result"], "problems");
    assert_eq!(app.audit_count("vending_admission.create").await, 2);

    // The portal: the point, its hours and free stalls; no vendor's name, no party id.
    let portal = app.get("/public/vending-points", None).await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(
        portal.body.contains("南大街早市疏导点")
            && portal.body.contains("1 / 3")
            && portal.body.contains("<svg")
    );
    let names = app.get_bearer(&format!("/api/v1/parties/{second}"), &squad).await.json();
    let name = names["name"].as_str().unwrap();
    assert!(!portal.body.contains(name) && !portal.body.contains(&second), "no vendor on the portal");
}

#[tokio::test]
async fn the_page_forms_set_up_a_point_and_redraw_with_errors_in_chinese() {
    let app = TestApp::new().await;
    let session = app.login("squadlead01").await;
    let unit = app.unit_id("南大街中队").await;
    let mut form = vec![
        ("name", "荷花池便民服务点"),
        ("kind", "convenience"),
        ("unit_id", unit.as_str()),
        ("address", "荷花池街道社区服务中心旁"),
        ("longitude", "119.93"),
        ("latitude", "31.79"),
        ("hours", "全天"),
        ("capacity", "12"),
        ("goods", "修车、配钥匙"),
        ("status", "open"),
        ("note", ""),
    ];
    let bad = app.post_form("/vending-points", Some(&session), &form).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("经营时段如"));
    form[6] = ("hours", "07:00-19:00");
    let created = app.post_form("/vending-points", Some(&session), &form).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page = app.get(created.location(), Some(&session)).await;
    assert!(page.body.contains("荷花池便民服务点") && page.body.contains("07:00-19:00"));
    let list = app.get("/vending-points", Some(&session)).await;
    assert!(list.body.contains("0 / 12"));
    let export = app.get("/vending-points/export", Some(&session)).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(app.audit_count("vending_point.export").await, 1);
}

#[tokio::test]
async fn the_demo_points_hold_vendors_inspections_and_a_suspension_and_the_portal_names_none_of_them() {
    let app = TestApp::new().await;
    assert_eq!(chengguan::demo::seed_vending(&app.state).await.unwrap(), 6);
    assert_eq!(chengguan::demo::seed_vending(&app.state).await.unwrap(), 0, "once");
    let office = app.token("office01").await;
    let points = app.get_bearer("/api/v1/vending-points", &office).await.json();
    let points = points.as_array().unwrap();
    assert!(points.iter().any(|p| p["status"] == "suspended"));
    assert!(points.iter().any(|p| p["stalls_taken"] == p["capacity"]), "one point is full");
    let portal = app.get("/public/vending-points", None).await;
    for point in points {
        let id = point["id"].as_str().unwrap();
        let view = app.get_bearer(&format!("/api/v1/vending-points/{id}"), &office).await.json();
        assert!(!view["inspections"].as_array().unwrap().is_empty());
        for admission in view["admissions"].as_array().unwrap() {
            let party = admission["party_id"].as_str().unwrap();
            let full = app.db.party(party).await.unwrap().unwrap();
            for secret in
                [&full.name, &full.document_number, &full.address].into_iter().filter(|s| !s.is_empty())
            {
                assert!(!portal.body.contains(secret.as_str()), "the portal shows no vendor: {secret}");
            }
        }
    }
}
