//! Issue 17, scope 6: Open311 GeoReport v2. The answers carry the spec's field lists in JSON
//! and XML, a posted request enters the loop like any matter, errors are the spec's lists with
//! the right status and store nothing, and no answer shows a reporter or a phone.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chengguan::store::AuditCtx;
use chrono::Duration;

use crate::support::{Response, TestApp};

async fn key(app: &TestApp, client: &str) -> String {
    chengguan::ops::open311::create_key(&app.db, &AuditCtx::cli("test"), app.clock_now(), client)
        .await
        .unwrap()
}

async fn post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Response {
    let body = serde_urlencoded::to_string(fields).unwrap();
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

fn keys(value: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut list: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
    list.sort();
    list
}

/// The fields GeoReport v2 lists for a service request.
const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

#[tokio::test]
async fn discovery_and_services_answer_the_specs_fields_in_json_and_xml() {
    let app = TestApp::new().await;
    let discovery = app.get("/open311/v2/discovery.json", None).await;
    assert_eq!(discovery.status, StatusCode::OK);
    let d = discovery.json();
    assert_eq!(keys(&d), sorted(&["changeset", "contact", "key_service", "endpoints"]));
    assert_eq!(keys(&d["endpoints"][0]), sorted(&["specification", "url", "changeset", "type", "formats"]));
    let services = app.get("/open311/v2/services.json", None).await.json();
    let list = services.as_array().unwrap();
    assert!(list.iter().any(|s| s["service_code"] == "SJ0401"));
    assert!(!list.iter().any(|s| s["service_code"] == "SJ0601"), "an internal class is not offered");
    for s in list {
        assert_eq!(
            keys(s),
            sorted(&["service_code", "service_name", "description", "metadata", "type", "keywords", "group"])
        );
    }
    let xml = app.get("/open311/v2/services.xml", None).await;
    assert!(
        xml.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><service_code>"),
        "{}",
        xml.body
    );
    let definition = app.get("/open311/v2/services/SJ0401.json", None).await.json();
    assert_eq!(definition, serde_json::json!({ "service_code": "SJ0401", "attributes": [] }));
    let unknown = app.get("/open311/v2/services/NOPE.xml", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("<errors><error><code>404</code>"), "{}", unknown.body);
}

#[tokio::test]
async fn a_posted_request_enters_the_loop_and_is_followed_without_personal_data() {
    let app = TestApp::new().await;
    let key = key(&app, "city-app").await;
    let posted = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", &key),
            ("service_code", "SJ0401"),
            ("lat", "31.7795"),
            ("long", "119.9461"),
            ("description", "路口有流动摊贩，我的电话13912345678"),
            ("first_name", "小明"),
            ("last_name", "王"),
            ("phone", "13912345678"),
            ("media_url", "https://img.example.cn/stall.jpg"),
        ],
    )
    .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let created = posted.json();
    assert_eq!(keys(&created[0]), sorted(&["service_request_id", "service_notice", "account_id"]));
    let id = created[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("SX2026-"));

    // The centre sees it in its queue, from Open311, the reporter masked.
    let centre = app.token("center01").await;
    let list = app.json(Method::GET, "/api/v1/matters", &centre, serde_json::Value::Null).await.json();
    assert_eq!(list["items"][0]["source"], "open311");
    let matter_id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let detail = app
        .json(Method::GET, &format!("/api/v1/matters/{matter_id}"), &centre, serde_json::Value::Null)
        .await;
    assert_eq!(detail.json()["reporters"][0]["name"], "王小明");
    assert_eq!(app.audit_count("matter.file").await, 1);

    // The app follows it: open, then closed with the centre's public note.
    let one = app.get(&format!("/open311/v2/requests/{id}.json"), None).await;
    let request = &one.json()[0];
    assert_eq!(keys(request), sorted(&REQUEST_FIELDS));
    assert_eq!(
        (request["status"].as_str(), request["status_notes"].as_str()),
        (Some("open"), Some("待受理"))
    );
    assert_eq!(request["media_url"], "https://img.example.cn/stall.jpg");
    assert!(!one.body.contains("13912345678") && !one.body.contains("王小明"), "{}", one.body);
    assert!(request["description"].as_str().unwrap().contains("***********"));
    let reject = serde_json::json!({ "version": 1, "action": "reject", "reason": "已由市场监管部门处理" });
    let done = app.json(Method::POST, &format!("/api/v1/matters/{matter_id}/steps"), &centre, reject).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let all = app.get("/open311/v2/requests.json?status=closed", None).await.json();
    assert_eq!(all[0]["service_request_id"], id.as_str());
    assert_eq!(all[0]["status_notes"], "已由市场监管部门处理");
    let xml = app.get(&format!("/open311/v2/requests/{id}.xml"), None).await;
    assert!(
        xml.body.contains(&format!(
            "<service_requests><request><service_request_id>{id}</service_request_id><status>closed</status>"
        )),
        "{}",
        xml.body
    );
    for field in REQUEST_FIELDS {
        assert!(xml.body.contains(&format!("<{field}")), "{field} in {}", xml.body);
    }
    assert!(!xml.body.contains("13912345678"));
    let open = app.get("/open311/v2/requests.json?status=open", None).await.json();
    assert_eq!(open, serde_json::json!([]));
}

#[tokio::test]
async fn bad_posts_answer_the_specs_errors_and_store_nothing() {
    let app = TestApp::new().await;
    let key = key(&app, "city-app").await;
    let base = |overrides: &[(&'static str, &'static str)]| {
        let mut fields: Vec<(&str, String)> = vec![
            ("api_key", key.clone()),
            ("service_code", "SJ0401".to_owned()),
            ("address_string", "南大街".to_owned()),
            ("description", "路口有流动摊贩".to_owned()),
        ];
        for (k, v) in overrides {
            fields.retain(|(name, _)| name != k);
            fields.push((k, (*v).to_owned()));
        }
        fields
    };
    /// Fields to change, the status expected, the field the error names.
    type Case<'a> = (&'a [(&'a str, &'a str)], StatusCode, &'a str);
    let cases: [Case; 6] = [
        (&[("api_key", "wrong")], StatusCode::FORBIDDEN, "api_key"),
        (&[("service_code", "NOPE")], StatusCode::BAD_REQUEST, "service_code"),
        (&[("service_code", "SJ0601")], StatusCode::BAD_REQUEST, "service_code"),
        (&[("address_string", "")], StatusCode::BAD_REQUEST, "address_string"),
        (&[("lat", "39.9"), ("long", "116.4")], StatusCode::BAD_REQUEST, "lat"),
        (&[("media_url", "http://169.254.169.254/latest/meta-data")], StatusCode::BAD_REQUEST, "media_url"),
    ];
    for (overrides, status, field) in cases {
        let fields = base(overrides);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = post(&app, "/open311/v2/requests.json", &pairs).await;
        assert_eq!(refused.status, status, "{field}: {}", refused.body);
        let errors = refused.json();
        assert_eq!(keys(&errors[0]), sorted(&["code", "description"]));
        assert_eq!(errors[0]["code"], status.as_u16());
        assert!(errors[0]["description"].as_str().unwrap().starts_with(field), "{}", refused.body);
        // Each refusal is a new minute, so the address's limit is not what refuses.
        app.clock.set(app.clock_now() + Duration::minutes(1));
    }
    assert_eq!(app.audit_count("matter.file").await, 0, "nothing was stored");

    // Over the limit of one address in a minute: 429, in the spec's format.
    let fields = base(&[]);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let statuses: Vec<StatusCode> = {
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(post(&app, "/open311/v2/requests.xml", &pairs).await.status);
        }
        statuses
    };
    assert_eq!(statuses[..5], [StatusCode::CREATED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);

    // A revoked key no longer posts.
    app.clock.set(app.clock_now() + Duration::minutes(1));
    chengguan::ops::open311::revoke_key(&app.db, &AuditCtx::cli("test"), app.clock_now(), "city-app")
        .await
        .unwrap();
    let revoked = post(&app, "/open311/v2/requests.json", &pairs).await;
    assert_eq!(revoked.status, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count("open311.key.revoke").await, 1);

    // The window of a list is 90 days at most; a status is open or closed.
    let wide = app.get("/open311/v2/requests.json?start_date=2025-01-01T00:00:00%2B08:00&end_date=2026-03-01T00:00:00%2B08:00", None).await;
    assert_eq!(wide.status, StatusCode::BAD_REQUEST, "{}", wide.body);
    let bad = app.get("/open311/v2/requests.xml?status=pending", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("<errors><error><code>400</code><description>status"), "{}", bad.body);
    // Ids make the window moot, but a malformed parameter beside them is still refused.
    let beside_ids =
        app.get("/open311/v2/requests.json?service_request_id=SX2026-000001&status=pending", None).await;
    assert_eq!(beside_ids.status, StatusCode::BAD_REQUEST, "{}", beside_ids.body);
    for empty in ["start_date=", "end_date=", "status="] {
        let refused = app.get(&format!("/open311/v2/requests.json?{empty}"), None).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{empty} is present and not a value");
    }
    let missing = app.get("/open311/v2/requests/SX2026-999999.json", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn patrol_finds_are_not_public() {
    let app = TestApp::new().await;
    let officer = app.token("officer01").await;
    let body = serde_json::json!({
        "source": "patrol", "category": "SJ0401", "description": "巡查发现流动摊贩", "address": "南大街",
    });
    let filed = app.json(Method::POST, "/api/v1/matters", &officer, body).await;
    assert_eq!(filed.status, StatusCode::CREATED);
    let number = filed.json()["number"].as_str().unwrap().to_owned();
    let hidden = app.get(&format!("/open311/v2/requests/{number}.json"), None).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/open311/v2/requests.json", None).await.json(), serde_json::json!([]));
}

#[tokio::test]
async fn the_public_form_files_a_report_and_the_lookup_shows_only_its_state() {
    let app = TestApp::new().await;
    let form = app.get("/public/report", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("SJ0401") && !form.body.contains("SJ0601"), "public classes only");
    let fields = [
        ("category", "SJ0401"),
        ("description", "小区门口每天晚上有流动摊贩"),
        ("address", "勤业新村东门"),
        ("reporter_name", "陈女士"),
        ("reporter_phone", "13800001111"),
    ];
    let filed = post(&app, "/public/report", &fields).await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    assert!(filed.body.contains("SX2026-000001"), "the reporter gets the number");
    let lookup = app.get("/public/matters?number=SX2026-000001", None).await;
    assert_eq!(lookup.status, StatusCode::OK);
    assert!(lookup.body.contains("待受理") && lookup.body.contains("无照经营游商"));
    assert!(!lookup.body.contains("13800001111") && !lookup.body.contains("陈女士"));
    assert!(!lookup.body.contains("小区门口"), "the lookup shows the state, not the report's words");
    let missing = app.get("/public/matters?number=SX2026-999999", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad =
        post(&app, "/public/report", &[("category", "SJ0401"), ("description", "短"), ("address", "")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请描述问题") && bad.body.contains("请填写地址"), "{}", bad.body);
    // Two filed or refused in this minute already; three more, then the limit.
    let mut last = StatusCode::OK;
    for _ in 0..4 {
        last = post(&app, "/public/report", &fields).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// Crawls every public answer of the demo's year of matters: no reporter's name or number, no
/// run of digits long enough to be a phone or an identity number.
#[tokio::test]
async fn no_public_answer_of_the_demo_shows_personal_data() {
    let app = TestApp::new().await;
    let made = chengguan::demo::seed_matters(&app.state).await.unwrap();
    assert!(made > 500, "{made}");
    let list = app.get("/open311/v2/requests.json", None).await;
    let requests = list.json();
    let requests = requests.as_array().unwrap();
    assert!(requests.len() > 50, "{}", requests.len());
    let mut bodies = vec![list.body.clone(), app.get("/open311/v2/requests.xml", None).await.body];
    for r in requests.iter().take(60) {
        let id = r["service_request_id"].as_str().unwrap();
        bodies.push(app.get(&format!("/open311/v2/requests/{id}.xml"), None).await.body);
        bodies.push(app.get(&format!("/public/matters?number={id}"), None).await.body);
    }
    let mut secrets = Vec::new();
    for r in requests {
        let number = r["service_request_id"].as_str().unwrap();
        let centre = chengguan::store::org::Visibility::All;
        let matter = app.db.public_matter(number).await.unwrap().unwrap().matter;
        assert!(app.db.matter(&centre, &matter.id).await.unwrap().is_some());
        for reporter in app.db.matter_reporters(&matter.id).await.unwrap() {
            secrets.push(reporter.phone);
        }
    }
    assert!(!secrets.is_empty());
    for body in &bodies {
        for secret in &secrets {
            assert!(!body.contains(secret.as_str()), "{secret} in a public answer");
        }
        let longest_digits = body.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0);
        assert!(longest_digits < 7, "a long number in a public answer: {body:.300}");
    }
}
