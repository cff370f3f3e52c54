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
