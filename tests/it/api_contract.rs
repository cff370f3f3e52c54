//! The API contract: every rejection, whoever makes it — the framework's extractors and body
//! limits as well as the handlers — answers the error model (`error`, `message`, `fields`).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::support::TestApp;

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> crate::support::Response {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

fn assert_error_model(
    response: &crate::support::Response,
    status: StatusCode,
    code: &str,
) -> serde_json::Value {
    assert_eq!(response.status, status, "{}", response.body);
    assert!(
        response.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"),
        "{:?}",
        response.headers
    );
    let json = response.json();
    assert_eq!(json["error"], code, "{json}");
    assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
    json
}

#[tokio::test]
async fn every_framework_rejection_answers_the_json_error_model() {
    let app = TestApp::new().await;
    let token = app.token("officer01").await;
    let json = "application/json";

    // A field of the wrong type: the field is named.
    let wrong =
        send(&app, Method::POST, "/api/v1/parties", &token, json, br#"{"kind": 5, "name": "x"}"#.to_vec())
            .await;
    let body = assert_error_model(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["fields"][0]["field"], "kind");
    assert_eq!(body["fields"][0]["code"], "invalid_value");
    // A required field missing.
    let missing =
        send(&app, Method::POST, "/api/v1/parties", &token, json, br#"{"kind": "person"}"#.to_vec()).await;
    let body = assert_error_model(&missing, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["fields"][0]["code"], "required");
    // Not JSON at all.
    let broken = send(&app, Method::POST, "/api/v1/parties", &token, json, b"{".to_vec()).await;
    assert_error_model(&broken, StatusCode::BAD_REQUEST, "bad_request");
    // JSON expected, something else sent.
    let text = send(&app, Method::POST, "/api/v1/parties", &token, "text/plain", b"hello".to_vec()).await;
    assert_error_model(&text, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    // A body over the 2 MiB limit of an ordinary route.
    let large = send(&app, Method::POST, "/api/v1/parties", &token, json, vec![b' '; 3 << 20]).await;
    assert_error_model(&large, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // A query string without a required parameter.
    let query = app.get_bearer("/api/v1/calendar/workday", &token).await;
    let body = assert_error_model(&query, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(body["fields"][0]["field"], "date");
    // No credentials, and a path no route has.
    let anonymous = app.get("/api/v1/cases", None).await;
    assert_error_model(&anonymous, StatusCode::UNAUTHORIZED, "unauthenticated");
    let nowhere = app.get_bearer("/api/v1/no-such-thing", &token).await;
    assert_error_model(&nowhere, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_page_rejected_by_the_framework_answers_the_error_page() {
    let app = TestApp::new().await;
    let session = app.login("officer01").await;
    // A form route sent JSON: the framework refuses the content type; the browser gets a page.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/parties")
        .header(header::COOKIE, &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(response.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(response.body.contains("请求内容的类型不受支持"), "{}", response.body);
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_refused_before_its_fields_are_read() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    // Serde reads a struct from an array by position: `[]` and `[true]` would have set the rule.
    for body in ["[]", "[true]", " [false] ", "true", "\"enabled\""] {
        let response = send(
            &app,
            Method::PUT,
            "/api/v1/recording-rules/inspection",
            &token,
            "application/json",
            body.as_bytes().to_vec(),
        )
        .await;
        let json = assert_error_model(&response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(json["fields"][0]["code"], "not_an_object", "{body}: {json}");
    }
    let rules = app.get_bearer("/api/v1/recording-rules", &token).await.json();
    let before = rules.as_array().unwrap().iter().find(|r| r["code"] == "inspection").unwrap().clone();
    let object = send(
        &app,
        Method::PUT,
        "/api/v1/recording-rules/inspection",
        &token,
        "application/json",
        format!(r#"{{"enabled": {}}}"#, !before["enabled"].as_bool().unwrap()).into_bytes(),
    )
    .await;
    assert_eq!(object.status, StatusCode::NO_CONTENT, "{}", object.body);
}

#[tokio::test]
async fn dates_and_counts_in_a_query_are_typed_and_checked_before_the_handler_runs() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    for query in ["date=", "date=2026-02-30", "date=tomorrow"] {
        let response = app.get_bearer(&format!("/api/v1/calendar/workday?{query}"), &token).await;
        let json = assert_error_model(&response, StatusCode::BAD_REQUEST, "bad_request");
        assert_eq!(json["fields"][0]["field"], "date", "{query}: {json}");
    }
    let negative = app.get_bearer("/api/v1/calendar/add-workdays?date=2026-03-02&n=-1", &token).await;
    assert_error_model(&negative, StatusCode::BAD_REQUEST, "bad_request");
    let long = app.get_bearer("/api/v1/calendar/add-workdays?date=2026-03-02&n=3661", &token).await;
    assert_error_model(&long, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let fine = app.get_bearer("/api/v1/calendar/add-workdays?date=2026-09-30&n=3", &token).await;
    // 8 and 9 October, then the make-up working Saturday of the 2026 National Day arrangement.
    assert_eq!(fine.json()["end"], "2026-10-10", "{}", fine.body);
}

#[tokio::test]
async fn the_document_names_each_operation_once_and_every_link_leads_somewhere() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let document = app.get_bearer("/api/openapi.json", &token).await.json();
    let paths = document["paths"].as_object().unwrap();
    let mut ids = std::collections::HashMap::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap().to_owned();
            assert_eq!(id, chengguan::web::api_docs::operation_id(method, path));
            let params: Vec<String> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect();
            assert!(ids.insert(id.clone(), params).is_none(), "{id} names two operations");
        }
    }
    let mut links = 0;
    for item in paths.values() {
        for operation in item.as_object().unwrap().values() {
            for response in operation["responses"].as_object().unwrap().values() {
                for (name, link) in response["links"].as_object().into_iter().flatten() {
                    links += 1;
                    let target = link["operationId"].as_str().unwrap();
                    let params =
                        ids.get(target).unwrap_or_else(|| panic!("link {name} leads to no {target}"));
                    let mut given: Vec<&str> =
                        link["parameters"].as_object().unwrap().keys().map(String::as_str).collect();
                    given.sort_unstable();
                    let mut wanted: Vec<&str> = params.iter().map(String::as_str).collect();
                    wanted.sort_unstable();
                    assert_eq!(given, wanted, "link {name} to {target}");
                }
            }
        }
    }
    assert_eq!(links, chengguan::web::api_docs::LINK_COUNT, "a link in the table found no response");
}

#[tokio::test]
async fn the_enumerations_the_document_lists_are_the_ones_the_parsers_accept() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let document = app.get_bearer("/api/openapi.json", &token).await.json();
    let schemas = &document["components"]["schemas"];
    let listed = |name: &str| -> Vec<String> {
        let mut values: Vec<String> = schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is not an enumeration: {}", schemas[name]))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        values.sort();
        values
    };
    let sorted = |mut values: Vec<String>| {
        values.sort();
        values
    };
    use chengguan::domain::org::{CertificateStatus, Employment, Gender, GroupRole, UnitKind};
    use chengguan::domain::party::DocumentType;
    let devices = chengguan::domain::fieldwork::DEVICE_KINDS.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(listed("DeviceKind"), sorted(devices));
    let below =
        UnitKind::ALL.iter().filter(|k| **k != UnitKind::Bureau).map(|k| k.code().to_owned()).collect();
    assert_eq!(listed("SubUnitKind"), sorted(below));
    // Every value listed is one its parser takes, and the lists are whole.
    type Parser = fn(&str) -> bool;
    let parsers: [(&str, Parser, usize); 4] = [
        ("Gender", |v| Gender::parse(v).is_some(), 2),
        ("Employment", |v| Employment::parse(v).is_some(), 2),
        ("GroupRole", |v| GroupRole::parse(v).is_some(), 3),
        ("CertificateStatus", |v| CertificateStatus::parse(v).is_some(), 3),
    ];
    for (name, parses, variants) in parsers {
        let values = listed(name);
        assert_eq!(values.len(), variants, "{name}: {values:?}");
        assert!(values.iter().all(|v| parses(v)), "{name}: {values:?}");
    }
    assert_eq!(listed("PartyKind"), ["organisation", "person"]);
    let kinds =
        chengguan::domain::case::documents::DocKind::ALL.iter().map(|k| k.code().to_owned()).collect();
    assert_eq!(listed("DocKind"), sorted(kinds));
    let evidence =
        chengguan::domain::evidence::EvidenceKind::ALL.iter().map(|k| k.code().to_owned()).collect();
    assert_eq!(listed("EvidenceKind"), sorted(evidence));
    let refusals = chengguan::domain::case::RefusalCode::ALL.iter().map(|c| c.code().to_owned()).collect();
    assert_eq!(listed("RefusalCode"), sorted(refusals));
    let actions: Vec<String> = schemas["StepBody"]["properties"]["action"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let kinds: Vec<&str> = chengguan::domain::case::CommandKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(actions, kinds);
    let documents = [DocumentType::CreditCode].into_iter().chain(DocumentType::PERSON);
    assert_eq!(listed("DocumentType"), sorted(documents.map(|d| d.code().to_owned()).collect()));
}

#[tokio::test]
async fn a_whole_number_written_with_a_point_is_an_integer_and_one_out_of_range_is_refused() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let units = app.get_bearer("/api/v1/units", &token).await.json();
    let brigade = units.as_array().unwrap().iter().find(|u| u["kind"] == "brigade").unwrap()["id"].clone();
    let unit = |code: &str, order: &str| {
        format!(
            r#"{{"parent_id": {brigade}, "kind": "squad", "name": "测试中队", "code": "{code}", "sort_order": {order}}}"#
        )
    };
    let json = "application/json";
    let point =
        send(&app, Method::POST, "/api/v1/units", &token, json, unit("ZL-T-1", "7.0").into_bytes()).await;
    assert_eq!(point.status, StatusCode::CREATED, "{}", point.body);
    for order in ["-9223372036854775809", "9223372036854775808", "1e300", "7.5"] {
        let refused =
            send(&app, Method::POST, "/api/v1/units", &token, json, unit("ZL-T-2", order).into_bytes()).await;
        let body = assert_error_model(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["fields"][0]["field"], "sort_order", "{order}: {body}");
    }
}

/// Found by the fuzzer: a certificate body with an empty `status` was stored as valid. Left out
/// it means valid; given, it must be a status.
#[tokio::test]
async fn an_empty_certificate_status_is_refused_and_a_missing_one_means_valid() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let unit = app.unit_id("法制科").await;
    let person = app
        .json(Method::POST, "/api/v1/people", &office,
            serde_json::json!({"name": "证件测试", "gender": "male", "unit_id": unit, "employment": "officer"}))
        .await
        .json();
    let path = format!("/api/v1/people/{}/certificates", person["id"].as_str().unwrap());
    let body = |number: &str, status: Option<&str>| {
        let mut body =
            serde_json::json!({"number": number, "valid_from": "2026-01-01", "valid_to": "2030-12-31"});
        if let Some(status) = status {
            body["status"] = serde_json::json!(status);
        }
        body
    };
    let empty = app.json(Method::POST, &path, &office, body("ZJ-0001", Some(""))).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    assert_eq!(empty.json()["fields"][0]["field"], "status");
    let missing = app.json(Method::POST, &path, &office, body("ZJ-0002", None)).await;
    assert_eq!(missing.status, StatusCode::CREATED, "{}", missing.body);
}

#[tokio::test]
async fn open311_is_in_the_document_with_its_own_error_format() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let document = app.get_bearer("/api/openapi.json", &token).await.json();
    for (path, method) in [
        ("/open311/v2/discovery.json", "get"),
        ("/open311/v2/services.json", "get"),
        ("/open311/v2/services/{service_code}.json", "get"),
        ("/open311/v2/requests.json", "get"),
        ("/open311/v2/requests.json", "post"),
        ("/open311/v2/requests/{service_request_id}.json", "get"),
    ] {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is missing");
        assert_eq!(operation["security"], serde_json::json!([]), "{path} needs no token");
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.starts_with('4') {
                let schema = &response["content"]["application/json"]["schema"];
                assert_eq!(schema["type"], "array", "{path} {status} answers GeoReport's error list");
            }
        }
    }
}

#[tokio::test]
async fn a_known_path_asked_with_another_method_is_405_with_the_methods_it_serves() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let wrong = send(&app, Method::DELETE, "/api/v1/matters", &token, "application/json", Vec::new()).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.headers.get("allow").unwrap(), "GET, POST");
    assert_eq!(wrong.json()["error"], "method_not_allowed");
    let public = send(&app, Method::PUT, "/open311/v2/requests.json", "", "text/plain", Vec::new()).await;
    assert_eq!(public.status, StatusCode::METHOD_NOT_ALLOWED);
    let unknown =
        send(&app, Method::DELETE, "/api/v1/no-such-thing", &token, "application/json", Vec::new()).await;
    assert_ne!(unknown.status, StatusCode::METHOD_NOT_ALLOWED);
}
