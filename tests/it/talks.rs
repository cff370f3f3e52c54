//! 三步走约谈 (issue 18 scope 8): the steps in their order through failed re-inspections to a
//! case of the same party, an overdue re-inspection listed first, stale versions refused, the
//! squad's talks kept from other squads, and the page that says why 先罚后返 is not offered.

use axum::http::{Method, StatusCode};
use chrono::Duration;

use crate::cases::new_party;
use crate::support::TestApp;

#[tokio::test]
async fn a_talk_goes_from_reminder_to_interview_to_a_case_of_the_same_party() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let unit = app.unit_id("南大街中队").await;
    let open = serde_json::json!({
        "party_id": party, "unit_id": unit, "subject": "店外经营占用人行道",
        "held_on": "2026-03-02", "held_by": "张三、李四", "agreed": "讲解市容规定，当事人承诺三日内收回店外货架",
        "reinspect_by": "2026-03-09",
    });
    let created = app.json(Method::POST, "/api/v1/talks", &squad, open.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let mut bad = open.clone();
    bad["reinspect_by"] = "2026-04-02".into();
    let refused = app.json(Method::POST, "/api/v1/talks", &squad, bad).await;
    assert_eq!(refused.json()["fields"][0]["field"], "reinspect_by", "at most 30 days to correct");

    // Step two before the re-inspection is refused; the re-inspection's day passes unrecorded.
    let early = serde_json::json!({"version": 1, "held_on": "2026-03-02", "held_by": "张三", "agreed": "约谈", "reinspect_by": "2026-03-05"});
    let r = app.json(Method::POST, &format!("/api/v1/talks/{id}/interview"), &squad, early).await;
    assert_eq!(r.json()["error"], "reinspection_first", "{}", r.body);
    app.clock.set(app.clock_now() + Duration::days(8));
    let squad = app.token("squadlead01").await;
    let open_list = app.get_bearer("/api/v1/talks?open=1", &squad).await.json();
    assert_eq!(open_list[0]["id"], id.as_str());
    assert_eq!(
        (open_list[0]["state"]["state"].as_str(), open_list[0]["state"]["due"].as_str()),
        (Some("awaiting"), Some("2026-03-09"))
    );

    let not_corrected =
        serde_json::json!({"version": 1, "on": "2026-03-10", "complied": "no", "note": "货架仍在人行道"});
    let r = app
        .json(Method::POST, &format!("/api/v1/talks/{id}/reinspection"), &squad, not_corrected.clone())
        .await;
    assert_eq!(r.json()["version"], 2, "{}", r.body);
    let stale =
        app.json(Method::POST, &format!("/api/v1/talks/{id}/reinspection"), &squad, not_corrected).await;
    assert_eq!(stale.json()["error"], "version_conflict", "{}", stale.body);
    let interview = serde_json::json!({"version": 2, "held_on": "2026-03-10", "held_by": "张三、李四", "agreed": "约谈告诫，责令于3月20日前改正", "reinspect_by": "2026-03-20"});
    let r = app.json(Method::POST, &format!("/api/v1/talks/{id}/interview"), &squad, interview.clone()).await;
    assert_eq!(r.json()["version"], 3, "{}", r.body);
    let r = app.json(Method::POST, &format!("/api/v1/talks/{id}/interview"), &squad, interview).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale version changes nothing: {}", r.body);
    app.clock.set(app.clock_now() + Duration::days(10));
    let squad = app.token("squadlead01").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/talks/{id}/reinspection"),
            &squad,
            serde_json::json!({"version": 3, "on": "2026-03-20", "complied": "no"}),
        )
        .await;
    assert_eq!(r.json()["version"], 4, "{}", r.body);

    // Step three links a case of the same party, never another party's.
    let case = |party: &str| {
        serde_json::json!({
            "procedure": "general", "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-001",
            "title": "擅自占用城市道路设摊经营", "location": "南大街88号", "source": "patrol",
            "clue_on": "2026-03-20", "act_on": "2026-03-20",
        })
    };
    let other_party = new_party(&app, &squad, "110105198001010016").await;
    let theirs = app.json(Method::POST, "/api/v1/cases", &squad, case(&other_party)).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/talks/{id}/case"),
            &squad,
            serde_json::json!({"version": 4, "case_id": theirs}),
        )
        .await;
    assert_eq!(r.json()["fields"][0]["code"], "case_not_of_party", "{}", r.body);
    let ours = app.json(Method::POST, "/api/v1/cases", &squad, case(&party)).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/talks/{id}/case"),
            &squad,
            serde_json::json!({"version": 4, "case_id": ours}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let talk = app.get_bearer(&format!("/api/v1/talks/{id}"), &squad).await.json();
    assert_eq!(
        (talk["state"]["state"].as_str(), talk["case_id"].as_str()),
        (Some("cased"), Some(ours.as_str()))
    );
    assert_eq!(talk["events"].as_array().unwrap().len(), 5);
    assert_eq!(app.audit_count("talk.case").await, 1);
    assert!(
        app.try_raw(&format!("DELETE FROM talk_events WHERE talk_id = '{id}'")).await.is_err(),
        "append-only"
    );

    // Another squad's officer sees none of it; an auxiliary records none.
    let other = app.token("officer05").await;
    assert_eq!(app.get_bearer(&format!("/api/v1/talks/{id}"), &other).await.status, StatusCode::NOT_FOUND);
    let aux = app.token("aux01").await;
    assert_eq!(app.json(Method::POST, "/api/v1/talks", &aux, open).await.status, StatusCode::FORBIDDEN);

    // The page shows the steps and why there is no 先罚后返.
    let session = app.login("squadlead01").await;
    let page = app.get(&format!("/talks/{id}"), Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("第二步 约谈告诫")
            && page.body.contains("先罚后返")
            && page.body.contains("第七十四条")
    );
    let party_page = app.get(&format!("/parties/{party}"), Some(&session)).await;
    assert!(party_page.body.contains(&format!("/talks?party={party}")));
}

#[tokio::test]
async fn a_corrected_act_ends_the_talk_from_the_page_forms() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let unit = app.unit_id("南大街中队").await;
    let session = app.login("squadlead01").await;
    let form = [
        ("party_id", party.as_str()),
        ("unit_id", unit.as_str()),
        ("subject", "门前堆放杂物"),
        ("held_on", "2026-03-02"),
        ("held_by", "张三"),
        ("agreed", "当日清理"),
        ("reinspect_by", "2026-03-03"),
    ];
    let created = app.post_form("/talks", Some(&session), &form).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().to_owned();
    let bad = app
        .post_form(
            &format!("{path}/reinspection"),
            Some(&session),
            &[("version", "1"), ("on", "2026-03-02"), ("complied", "maybe"), ("note", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请选择复查结果"));
    let done = app
        .post_form(
            &format!("{path}/reinspection"),
            Some(&session),
            &[("version", "1"), ("on", "2026-03-02"), ("complied", "yes"), ("note", "已清理")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = app.get(&path, Some(&session)).await;
    assert!(page.body.contains("已改正（2026-03-02 复查），未立案"), "{}", page.body);
}
