//! 管理重心前移 (issue 18 scope 5): a new estate and its shops, the 提前告知书 served with its
//! trade's requirements and typeset, follow-up visits due a month on, the outcome in its order
//! (a case of the operator's only), stale versions refused, other squads kept out.

use axum::http::{Method, StatusCode};
use chrono::Duration;

use crate::cases::new_party;
use crate::support::TestApp;

#[tokio::test]
async fn a_shop_is_notified_visited_and_settled_and_the_notice_lists_its_trades_requirements() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let unit = app.unit_id("南大街中队").await;
    let site = serde_json::json!({
        "kind": "estate", "name": "金鹰华府", "unit_id": unit, "location": "延陵西路 88 号", "opens_on": "2026-05-01",
    });
    let r = app.json(Method::POST, "/api/v1/new-sites", &squad, site).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let site_id = r.json()["id"].as_str().unwrap().to_owned();
    let operator = new_party(&app, &squad, "11010519491231002X").await;
    let shop = serde_json::json!({"label": "1 幢 101", "name": "老街面馆", "trade": "catering", "party_id": operator});
    let r = app.json(Method::POST, &format!("/api/v1/new-sites/{site_id}/shops"), &squad, shop.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let twice = app.json(Method::POST, &format!("/api/v1/new-sites/{site_id}/shops"), &squad, shop).await;
    assert_eq!(twice.json()["fields"][0]["field"], "label", "one shop per front: {}", twice.body);

    let shop_path = format!("/api/v1/site-shops/{id}");
    let visit = serde_json::json!({"version": 1, "on": "2026-03-02", "by": "张三", "finding": "尚在装修"});
    let r = app.json(Method::POST, &format!("{shop_path}/visits"), &squad, visit).await;
    assert_eq!(r.json()["error"], "notice_first", "{}", r.body);
    let notice = serde_json::json!({"version": 1, "on": "2026-03-02", "by": "张三、李四", "note": ""});
    let r = app.json(Method::POST, &format!("{shop_path}/notice"), &squad, notice.clone()).await;
    assert_eq!(r.json()["version"], 2, "{}", r.body);
    assert_eq!(
        app.json(Method::POST, &format!("{shop_path}/notice"), &squad, notice).await.status,
        StatusCode::CONFLICT
    );
    let shop = app.get_bearer(&shop_path, &squad).await.json();
    assert_eq!(shop["state"]["due"], "2026-04-01", "a visit is due a month after the notice");
    let listed: Vec<&str> =
        shop["events"][0]["requirements"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(listed.contains(&"food_licence") && listed.contains(&"fumes"), "{listed:?}");

    // Complied needs a visit that saw the shop.
    let complied = serde_json::json!({"version": 2, "on": "2026-03-02", "outcome": "complied"});
    assert_eq!(
        app.json(Method::POST, &format!("{shop_path}/outcome"), &squad, complied).await.json()["error"],
        "visit_first"
    );
    app.clock.set(app.clock_now() + Duration::days(31));
    let squad = app.token("squadlead01").await;
    let site = app.get_bearer(&format!("/api/v1/new-sites/{site_id}"), &squad).await.json();
    assert_eq!(site["counts"]["overdue"], 1, "{site}");
    let visit = serde_json::json!({"version": 2, "on": "2026-04-02", "by": "张三", "finding": "已办营业执照，油烟净化器未装"});
    assert_eq!(
        app.json(Method::POST, &format!("{shop_path}/visits"), &squad, visit).await.json()["version"],
        3
    );

    // A case must be the operator's.
    let case = |party: &str| {
        serde_json::json!({
            "procedure": "general", "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-001",
            "title": "擅自占用城市道路经营", "location": "延陵西路 88 号", "source": "patrol",
            "clue_on": "2026-04-02", "act_on": "2026-04-02",
        })
    };
    let stranger = new_party(&app, &squad, "110105198001010016").await;
    let theirs = app.json(Method::POST, "/api/v1/cases", &squad, case(&stranger)).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cased = |case_id: &str| serde_json::json!({"version": 3, "on": "2026-04-02", "outcome": "cased", "case_id": case_id});
    let r = app.json(Method::POST, &format!("{shop_path}/outcome"), &squad, cased(&theirs)).await;
    assert_eq!(r.json()["fields"][0]["code"], "case_not_of_party", "{}", r.body);
    let ours = app.json(Method::POST, "/api/v1/cases", &squad, case(&operator)).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.json(Method::POST, &format!("{shop_path}/outcome"), &squad, cased(&ours)).await;
    assert_eq!(r.json()["version"], 4, "{}", r.body);
    let more = serde_json::json!({"version": 4, "on": "2026-04-02", "by": "张三", "finding": "x"});
    assert_eq!(
        app.json(Method::POST, &format!("{shop_path}/visits"), &squad, more).await.json()["error"],
        "shop_settled"
    );
    let site = app.get_bearer(&format!("/api/v1/new-sites/{site_id}"), &squad).await.json();
    assert_eq!((site["counts"]["cased"].as_u64(), site["counts"]["overdue"].as_u64()), (Some(1), Some(0)));
    assert_eq!(app.audit_count("site_shop.outcome").await, 1);
    assert!(
        app.try_raw(&format!("DELETE FROM shop_events WHERE shop_id = '{id}'")).await.is_err(),
        "append-only"
    );

    // Other squads see none of it; the centre reads it; an auxiliary records nothing.
    let other = app.token("officer05").await;
    assert_eq!(app.get_bearer(&shop_path, &other).await.status, StatusCode::NOT_FOUND);
    let centre = app.token("center01").await;
    assert_eq!(app.get_bearer(&shop_path, &centre).await.status, StatusCode::OK);
    let aux = app.token("aux01").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/new-sites/{site_id}/shops"),
            &aux,
            serde_json::json!({"label": "2", "trade": "retail"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The notice is a PDF, and the pages show the shop and its requirements.
    let session = app.login("squadlead01").await;
    let pdf = app.get(&format!("/new-sites/shops/{id}/notice.pdf"), Some(&session)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    let page = app.get(&format!("/new-sites/shops/{id}"), Some(&session)).await;
    assert!(
        page.body.contains("食品经营许可证")
            && page.body.contains("第八十一条")
            && page.body.contains("违法经营，已立案查处")
    );
    let list = app.get("/new-sites", Some(&session)).await;
    assert!(list.body.contains("金鹰华府"));
    assert_eq!(app.get("/new-sites/export", Some(&session)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_shop_that_never_opened_is_settled_from_the_page_after_its_notice() {
    let app = TestApp::new().await;
    let session = app.login("squadlead01").await;
    let unit = app.unit_id("南大街中队").await;
    let bad = app
        .post_form(
            "/new-sites",
            Some(&session),
            &[
                ("kind", "lane"),
                ("name", ""),
                ("unit_id", &unit),
                ("location", "x"),
                ("opens_on", "2026-06-01"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请选择新建道路或新建小区"));
    let created = app
        .post_form(
            "/new-sites",
            Some(&session),
            &[
                ("kind", "road"),
                ("name", "龙城大道西延段"),
                ("unit_id", &unit),
                ("location", "西林路至邹区"),
                ("opens_on", "2026-06-01"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let site = created.location().to_owned();
    let shop = app
        .post_form(
            &format!("{site}/shops"),
            Some(&session),
            &[("label", "龙城大道 12 号"), ("name", ""), ("trade", "vehicles"), ("party_id", "")],
        )
        .await;
    assert_eq!(shop.status, StatusCode::SEE_OTHER, "{}", shop.body);
    let path = shop.location().to_owned();
    let served = app
        .post_form(
            &format!("{path}/notice"),
            Some(&session),
            &[("version", "1"), ("on", "2026-03-02"), ("by", "王五"), ("note", "")],
        )
        .await;
    assert_eq!(served.status, StatusCode::SEE_OTHER, "{}", served.body);
    let cased = app
        .post_form(
            &format!("{path}/outcome"),
            Some(&session),
            &[("version", "2"), ("on", "2026-03-02"), ("outcome", "cased"), ("case_id", ""), ("note", "")],
        )
        .await;
    assert_eq!(cased.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(cased.body.contains("立案查处的，请选择所立案件"));
    let closed = app
        .post_form(
            &format!("{path}/outcome"),
            Some(&session),
            &[
                ("version", "2"),
                ("on", "2026-03-02"),
                ("outcome", "not_opened"),
                ("case_id", ""),
                ("note", "铺面转让"),
            ],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let page = app.get(&path, Some(&session)).await;
    assert!(page.body.contains("未开业或已歇业") && page.body.contains("不得占用道路"), "{}", page.body);
}

#[tokio::test]
async fn the_demo_sites_hold_shops_in_every_state_with_a_visit_overdue() {
    let app = TestApp::new().await;
    assert!(chengguan::demo::seed_cases(&app.state).await.unwrap() > 10);
    assert_eq!(chengguan::demo::seed_new_sites(&app.state).await.unwrap(), 15);
    assert_eq!(chengguan::demo::seed_new_sites(&app.state).await.unwrap(), 0, "once");
    let office = app.token("office01").await;
    let sites = app.get_bearer("/api/v1/new-sites", &office).await.json();
    let total =
        |key: &str| sites.as_array().unwrap().iter().map(|s| s["counts"][key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(total("shops"), 15);
    for key in ["notified", "visited", "complied", "cased", "not_opened", "overdue"] {
        assert!(total(key) > 0, "the demo has a shop {key}");
    }
    assert!(total("notified") < 15, "the newest estate's shops are not served yet");
}
