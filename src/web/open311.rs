//! Open311 GeoReport v2 under `/open311/v2/`: the spec's paths and field names, each in JSON
//! and XML (`.json` / `.xml`), errors as the spec's list of `code`/`description` with the
//! matching HTTP status. The operations are `ops::open311`.

use axum::body::Bytes;
use axum::extract::{MatchedPath, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::ops::open311::{
    self as ops, MAX_RESULTS, Open311Error, PostedRequest, RequestsQuery, ServiceRequest, open311_errors,
};
use crate::web::guard::RequestInfo;

/// The changeset of this endpoint's behaviour (GeoReport v2 `discovery`): the day it last
/// changed.
const CHANGESET: &str = "2026-12-05T00:00:00+08:00";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// The file name a static route ends in (`requests.json`).
fn last_segment(path: &MatchedPath) -> &str {
    path.as_str().rsplit('/').next().unwrap_or_default()
}

/// Splits `name.json` / `name.xml`.
fn split(file: &str) -> Option<(&str, Format)> {
    if let Some(name) = file.strip_suffix(".json") {
        Some((name, Format::Json))
    } else {
        file.strip_suffix(".xml").map(|name| (name, Format::Xml))
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// `<name>value</name>`, or `<name/>` for nothing.
fn element(out: &mut String, name: &str, value: Option<&str>) {
    match value {
        Some(v) => out.push_str(&format!("<{name}>{}</{name}>", escape(v))),
        None => out.push_str(&format!("<{name}/>")),
    }
}

fn xml(status: StatusCode, body: String) -> Response {
    let text = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{body}");
    (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], text).into_response()
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], value.to_string()).into_response()
}

fn errors(format: Format, errors: Vec<Open311Error>) -> Response {
    let status = errors.iter().map(|e| e.status).max().unwrap_or(400);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    match format {
        Format::Json => json(
            status,
            serde_json::Value::Array(
                errors
                    .iter()
                    .map(|e| serde_json::json!({ "code": e.status, "description": e.description }))
                    .collect(),
            ),
        ),
        Format::Xml => {
            let mut out = String::from("<errors>");
            for e in &errors {
                out.push_str("<error>");
                element(&mut out, "code", Some(&e.status.to_string()));
                element(&mut out, "description", Some(&e.description));
                out.push_str("</error>");
            }
            out.push_str("</errors>");
            xml(status, out)
        }
    }
}

fn unknown_format() -> Response {
    errors(Format::Json, vec![Open311Error { status: 404, description: "格式为 .json 或 .xml".to_owned() }])
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}/open311/v2")
}

/// `GET /open311/v2/{discovery,services,requests}.{json,xml}`.
pub async fn root(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: MatchedPath,
    RawQuery(query): RawQuery,
) -> Response {
    match split(last_segment(&path)) {
        Some(("discovery", format)) => discovery(&headers, format),
        Some(("services", format)) => services(&state, format).await,
        Some(("requests", format)) => requests(&state, format, query.as_deref()).await,
        _ => unknown_format(),
    }
}

/// `discovery`: where the endpoint is, what it speaks, whom to ask for a key.
fn discovery(headers: &HeaderMap, format: Format) -> Response {
    let url = base_url(headers);
    let contact = "受理中心（12345 / 12319 热线）";
    let key_service = "API 密钥由本局系统管理员发放（chengguan open311 key create）";
    match format {
        Format::Json => json(
            StatusCode::OK,
            serde_json::json!({
                "changeset": CHANGESET, "contact": contact, "key_service": key_service,
                "endpoints": [{
                    "specification": "http://wiki.open311.org/GeoReport_v2", "url": url, "changeset": CHANGESET,
                    "type": "production", "formats": ["application/json", "text/xml"],
                }],
            }),
        ),
        Format::Xml => {
            let mut out = String::from("<discovery>");
            element(&mut out, "changeset", Some(CHANGESET));
            element(&mut out, "contact", Some(contact));
            element(&mut out, "key_service", Some(key_service));
            out.push_str("<endpoints><endpoint>");
            element(&mut out, "specification", Some("http://wiki.open311.org/GeoReport_v2"));
            element(&mut out, "url", Some(&url));
            element(&mut out, "changeset", Some(CHANGESET));
            element(&mut out, "type", Some("production"));
            out.push_str("<formats>");
            element(&mut out, "format", Some("application/json"));
            element(&mut out, "format", Some("text/xml"));
            out.push_str("</formats></endpoint></endpoints></discovery>");
            xml(StatusCode::OK, out)
        }
    }
}

/// `services`: the classes the public may report.
async fn services(state: &AppState, format: Format) -> Response {
    let classes = match ops::public_classes(state).await {
        Ok(classes) => classes,
        Err(e) => return errors(format, open311_errors(e)),
    };
    let description = |c: &crate::domain::intake::Category| {
        format!("{}（{}），一般{}内处置", c.name, c.kind.name_zh(), c.handle_normal.label_zh())
    };
    match format {
        Format::Json => json(
            StatusCode::OK,
            classes
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "service_code": c.code, "service_name": c.name, "description": description(c),
                        "metadata": false, "type": "realtime", "keywords": c.kind.name_zh(), "group": c.group,
                    })
                })
                .collect(),
        ),
        Format::Xml => {
            let mut out = String::from("<services>");
            for c in &classes {
                out.push_str("<service>");
                element(&mut out, "service_code", Some(&c.code));
                element(&mut out, "service_name", Some(&c.name));
                element(&mut out, "description", Some(&description(c)));
                element(&mut out, "metadata", Some("false"));
                element(&mut out, "type", Some("realtime"));
                element(&mut out, "keywords", Some(c.kind.name_zh()));
                element(&mut out, "group", Some(&c.group));
                out.push_str("</service>");
            }
            out.push_str("</services>");
            xml(StatusCode::OK, out)
        }
    }
}

/// `GET /open311/v2/services/{service_code}.{json,xml}`: a class's definition. The bureau's
/// classes ask for no attributes beyond the report itself.
pub async fn service_definition(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((code, format)) = split(&file) else { return unknown_format() };
    let classes = match ops::public_classes(&state).await {
        Ok(classes) => classes,
        Err(e) => return errors(format, open311_errors(e)),
    };
    if !classes.iter().any(|c| c.code == code) {
        return errors(
            format,
            vec![Open311Error { status: 404, description: format!("service_code: {code} 不存在") }],
        );
    }
    match format {
        Format::Json => json(StatusCode::OK, serde_json::json!({ "service_code": code, "attributes": [] })),
        Format::Xml => {
            let mut out = String::from("<service_definition>");
            element(&mut out, "service_code", Some(code));
            out.push_str("<attributes/></service_definition>");
            xml(StatusCode::OK, out)
        }
    }
}

fn requests_body(format: Format, list: &[ServiceRequest]) -> Response {
    match format {
        Format::Json => json(StatusCode::OK, serde_json::to_value(list).expect("requests serialise")),
        Format::Xml => {
            let mut out = String::from("<service_requests>");
            for r in list {
                let number = |v: Option<f64>| v.map(|v| v.to_string());
                out.push_str("<request>");
                element(&mut out, "service_request_id", Some(&r.service_request_id));
                element(&mut out, "status", Some(r.status));
                element(&mut out, "status_notes", Some(&r.status_notes));
                element(&mut out, "service_name", Some(&r.service_name));
                element(&mut out, "service_code", Some(&r.service_code));
                element(&mut out, "description", Some(&r.description));
                element(&mut out, "agency_responsible", Some(&r.agency_responsible));
                element(&mut out, "service_notice", r.service_notice.as_deref());
                element(&mut out, "requested_datetime", Some(&r.requested_datetime));
                element(&mut out, "updated_datetime", Some(&r.updated_datetime));
                element(&mut out, "expected_datetime", r.expected_datetime.as_deref());
                element(&mut out, "address", Some(&r.address));
                element(&mut out, "address_id", r.address_id.as_deref());
                element(&mut out, "zipcode", r.zipcode.as_deref());
                element(&mut out, "lat", number(r.lat).as_deref());
                element(&mut out, "long", number(r.long).as_deref());
                element(&mut out, "media_url", r.media_url.as_deref());
                out.push_str("</request>");
            }
            out.push_str("</service_requests>");
            xml(StatusCode::OK, out)
        }
    }
}

/// `requests`: the last 90 days by default, at most 1,000.
async fn requests(state: &AppState, format: Format, query: Option<&str>) -> Response {
    let query: RequestsQuery = match serde_urlencoded::from_str(query.unwrap_or("")) {
        Ok(query) => query,
        Err(_) => {
            return errors(
                format,
                vec![Open311Error { status: 400, description: "查询参数格式不正确".to_owned() }],
            );
        }
    };
    match ops::requests(state, &query).await {
        Ok(list) => requests_body(format, &list[..list.len().min(MAX_RESULTS as usize)]),
        Err(e) => errors(format, e),
    }
}

/// `GET /open311/v2/requests/{service_request_id}.{json,xml}`: a list of one, as the spec says.
pub async fn request(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((id, format)) = split(&file) else { return unknown_format() };
    match ops::request(&state, id).await {
        Ok(found) => requests_body(format, std::slice::from_ref(&found)),
        Err(e) => errors(format, e),
    }
}

/// `POST /open311/v2/requests.{json,xml}` (form-encoded, with `api_key`): files a matter.
pub async fn post(
    State(state): State<AppState>,
    axum::Extension(info): axum::Extension<RequestInfo>,
    path: MatchedPath,
    body: Bytes,
) -> Response {
    let Some(("requests", format)) = split(last_segment(&path)) else { return unknown_format() };
    let posted: PostedRequest = match serde_urlencoded::from_bytes(&body) {
        Ok(posted) => posted,
        Err(_) => {
            return errors(
                format,
                vec![Open311Error {
                    status: 400,
                    description: "请以 application/x-www-form-urlencoded 提交".to_owned(),
                }],
            );
        }
    };
    let address = info.source.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    match ops::post_request(&state, address, &info.request_id, &posted).await {
        Ok(done) => match format {
            Format::Json => json(
                StatusCode::CREATED,
                serde_json::json!([{ "service_request_id": done.service_request_id, "service_notice": done.service_notice, "account_id": null }]),
            ),
            Format::Xml => {
                let mut out = String::from("<service_requests><request>");
                element(&mut out, "service_request_id", Some(&done.service_request_id));
                element(&mut out, "service_notice", Some(&done.service_notice));
                element(&mut out, "account_id", None);
                out.push_str("</request></service_requests>");
                xml(StatusCode::CREATED, out)
            }
        },
        Err(e) => errors(format, open311_errors(e)),
    }
}
