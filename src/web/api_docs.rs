//! The OpenAPI 3 document and its viewer (Swagger UI, vendored into the binary: nothing is
//! fetched from the internet at build or run time).

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_swagger_ui::SwaggerUi;

use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "chengguan API", description = "城管执法规范化管理平台 JSON API. Authenticate with `Authorization: Bearer <token>` (from `chengguan token create`) or the session cookie plus `X-CSRF-Token`. Errors are `{\"error\": code, \"message\": 中文说明}` with stable snake_case codes."),
    paths(
        crate::web::home::api_me,
        crate::web::calendar::api_workday,
        crate::web::calendar::api_add_workdays,
        crate::web::calendar::api_period_end,
        crate::web::calendar::api_years,
        crate::web::calendar::api_set_year,
        crate::web::home::api_units,
        crate::web::home::api_leadership,
        crate::web::home::api_create_unit,
        crate::web::home::api_add_member,
        crate::web::people::api_list,
        crate::web::people::api_create,
        crate::web::people::api_get,
        crate::web::people::api_update,
        crate::web::people::api_certificates,
        crate::web::people::api_add_certificate,
        crate::web::people::api_set_certificate_status,
        crate::web::people::api_set_legal_qualification,
        crate::web::people::api_reveal,
        crate::web::parties::api_list,
        crate::web::parties::api_create,
        crate::web::parties::api_get,
        crate::web::parties::api_update,
        crate::web::case_rules::api_put,
        crate::web::parties::api_reveal,
        crate::web::cases::api_list,
        crate::web::cases::api_create,
        crate::web::cases::api_get,
        crate::web::cases::api_step,
        crate::web::cases::api_deadlines,
        crate::web::cases::api_items,
        crate::web::items::api_get,
        crate::web::items::api_ranges,
        crate::web::items::api_create,
        crate::web::items::api_put,
        crate::web::cases::api_rules,
        crate::web::cases::documents::api_issue,
        crate::web::cases::documents::api_list,
        crate::web::cases::documents::api_pdf,
        crate::web::evidence::api_upload,
        crate::web::evidence::api_list,
        crate::web::evidence::api_get,
        crate::web::evidence::api_content,
        crate::web::evidence::api_export,
        crate::web::evidence::api_retention,
        crate::web::evidence::api_deletion,
        crate::web::evidence::api_deletions,
        crate::web::evidence::api_share,
        crate::web::evidence::api_revoke_share,
        crate::web::intake::api_list,
        crate::web::intake::api_file,
        crate::web::intake::api_detail,
        crate::web::intake::api_step,
        crate::web::intake::api_open_case,
        crate::web::joint::api_meetings,
        crate::web::joint::api_meeting,
        crate::web::joint::api_record,
        crate::web::joint::api_add_task,
        crate::web::joint::api_done,
        crate::web::joint::api_departments,
        crate::web::joint::api_save_department,
        crate::web::disclosure::api_register,
        crate::web::disclosure::api_entry,
        crate::web::disclosure::api_publish,
        crate::web::disclosure::api_withhold,
        crate::web::disclosure::api_ruling,
        crate::web::disclosure::api_withdraw,
        crate::web::disclosure::api_figures,
        crate::web::disclosure::api_publish_figures,
        crate::web::assessment::api_results,
        crate::web::assessment::api_scheme,
        crate::web::assessment::api_save_scheme,
        crate::web::assessment::api_add_indicator,
        crate::web::assessment::api_remove_indicator,
        crate::web::assessment::api_adopt,
        crate::web::assessment::api_entries,
        crate::web::assessment::api_record_entry,
        crate::web::assessment::api_publish,
        crate::web::assessment::api_correct,
        crate::web::counselling::api_counts,
        crate::web::counselling::api_mine,
        crate::web::counselling::api_record,
        crate::web::counselling::api_session,
        crate::web::counselling::api_stations,
        crate::web::counselling::api_add_station,
        crate::web::counselling::api_plan,
        crate::web::counselling::api_add_plan_item,
        crate::web::supervision::api_register,
        crate::web::supervision::api_add_supervisor,
        crate::web::supervision::api_save_supervisor,
        crate::web::supervision::api_progress,
        crate::web::supervision::api_set_target,
        crate::web::supervision::api_meetings,
        crate::web::supervision::api_record_meeting,
        crate::web::supervision::api_meeting,
        crate::web::supervision::api_opinions,
        crate::web::supervision::api_raise,
        crate::web::supervision::api_opinion,
        crate::web::supervision::api_assign,
        crate::web::supervision::api_answer,
        crate::web::supervision::api_review,
        crate::web::supervision::api_mine,
        crate::web::supervision::api_raise_own,
        crate::web::publicity::api_items,
        crate::web::publicity::api_record,
        crate::web::publicity::api_item,
        crate::web::publicity::api_add_pickup,
        crate::web::publicity::api_counts,
        crate::web::stars::api_ratings,
        crate::web::stars::api_mine,
        crate::web::stars::api_rules,
        crate::web::stars::api_save_rules,
        crate::web::stars::api_record_entry,
        crate::web::stars::api_leader_score,
        crate::web::stars::api_publish,
        crate::web::stars::api_appeals,
        crate::web::stars::api_appeal,
        crate::web::stars::api_answer,
        crate::web::top_ten::api_rounds,
        crate::web::top_ten::api_round,
        crate::web::top_ten::api_save_settings,
        crate::web::top_ten::api_candidates,
        crate::web::top_ten::api_nominate,
        crate::web::top_ten::api_score,
        crate::web::top_ten::api_step,
        crate::web::legal_help::api_year,
        crate::web::legal_help::api_sitting,
        crate::web::legal_help::api_consultation,
        crate::web::talks::api_list,
        crate::web::talks::api_get,
        crate::web::talks::api_open,
        crate::web::talks::api_interview,
        crate::web::talks::api_reinspection,
        crate::web::talks::api_case,
        crate::web::new_sites::api_list,
        crate::web::new_sites::api_create,
        crate::web::new_sites::api_get,
        crate::web::new_sites::api_add_shop,
        crate::web::new_sites::api_shop,
        crate::web::new_sites::api_notice,
        crate::web::new_sites::api_visit,
        crate::web::new_sites::api_outcome,
        crate::web::vending::api_list,
        crate::web::vending::api_create,
        crate::web::vending::api_get,
        crate::web::vending::api_update,
        crate::web::vending::api_admit,
        crate::web::vending::api_end_admission,
        crate::web::vending::api_inspect,
        crate::web::special_care::api_counts,
        crate::web::special_care::api_list,
        crate::web::special_care::api_entry,
        crate::web::special_care::api_open,
        crate::web::special_care::api_help,
        crate::web::special_care::api_close,
        crate::web::special_care::api_grants,
        crate::web::special_care::api_grant,
        crate::web::special_care::api_revoke,
        crate::web::intake::api_reveal,
        crate::web::intake::api_categories,
        crate::web::intake::api_save_category,
        crate::web::matter_indicators::api_indicators,
        crate::web::matter_indicators::api_behind,
        crate::web::fieldwork::api_patrols,
        crate::web::fieldwork::api_create_patrol,
        crate::web::fieldwork::api_patrol,
        crate::web::fieldwork::api_devices,
        crate::web::fieldwork::api_create_device,
        crate::web::fieldwork::api_compliance,
        crate::web::training::api_sessions,
        crate::web::training::api_create,
        crate::web::training::api_sign_in,
        crate::web::training_report::api_compliance,
        crate::web::training_report::api_close,
        crate::web::training_report::api_year,
        crate::web::training_plan::api_plan,
        crate::web::training_plan::api_add,
        crate::web::training_plan::api_withdraw,
        crate::web::training_report::api_rules,
        crate::web::training_report::api_set_rules,
        crate::web::fieldwork::api_rules,
        crate::web::fieldwork::api_set_rule,
        crate::web::accounts::api_list,
        crate::web::accounts::api_create,
        crate::web::accounts::api_disable,
        crate::web::accounts::api_enable,
        crate::web::accounts::api_reset,
        crate::web::accounts::api_pending,
        crate::web::accounts::api_grant,
        crate::web::accounts::api_decline,
        crate::web::security::api_get,
        crate::web::security::api_put,
        crate::web::audit::api_list,
        crate::web::audit::api_verify,
    ),
    modifiers(&BearerAuth, &StandardResponses, &OperationIds, &Links, &Open311Paths),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        // No route names the refusal codes in a type, so the list is added here.
        components.schemas.insert(
            "RefusalCode".to_owned(),
            <crate::domain::case::RefusalCode as utoipa::PartialSchema>::schema(),
        );
    }
}

/// Open311 GeoReport v2 (`web::open311`), in the document beside the API: the JSON form of each
/// path (every path also answers as `.xml` with the spec's element names). They need no token,
/// a post takes the client's `api_key`, and errors are the spec's list of `code`/`description`
/// rather than the API's error model, so they are added after the modifiers that add the
/// standard responses and operation ids.
struct Open311Paths;

impl utoipa::Modify for Open311Paths {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let errors = serde_json::json!({
            "description": "GeoReport v2 errors: `[{\"code\": 400, \"description\": \"service_code: …\"}]`",
            "content": { "application/json": { "schema": { "type": "array", "items": {
                "type": "object", "required": ["code", "description"],
                "properties": { "code": { "type": "integer" }, "description": { "type": "string" } } } } } }
        });
        let list = |description: &str| {
            serde_json::json!({ "description": description, "content": { "application/json": { "schema": {
                "type": "array", "items": { "type": "object" } } } } })
        };
        let request_fields = serde_json::json!({ "type": "object", "required": ["service_request_id", "status", "service_code", "requested_datetime"],
            "properties": {
                "service_request_id": { "type": "string" }, "status": { "type": "string", "enum": ["open", "closed"] },
                "status_notes": { "type": "string" }, "service_name": { "type": "string" }, "service_code": { "type": "string" },
                "description": { "type": "string" }, "agency_responsible": { "type": "string" },
                "service_notice": { "type": ["string", "null"] }, "requested_datetime": { "type": "string" },
                "updated_datetime": { "type": "string" }, "expected_datetime": { "type": ["string", "null"] },
                "address": { "type": "string" }, "address_id": { "type": ["string", "null"] }, "zipcode": { "type": ["string", "null"] },
                "lat": { "type": ["number", "null"] }, "long": { "type": ["number", "null"] }, "media_url": { "type": ["string", "null"] } } });
        let requests = serde_json::json!({ "description": "Service requests (`.xml`: `<service_requests><request>…`)",
            "content": { "application/json": { "schema": { "type": "array", "items": request_fields } } } });
        let string_param = |name: &str, place: &str, description: &str| {
            serde_json::json!({ "name": name, "in": place, "required": place == "path", "description": description,
                "schema": { "type": "string" } })
        };
        let paths = [
            (
                "/open311/v2/discovery.json",
                serde_json::json!({ "get": {
                "tags": ["open311"], "security": [],
                "summary": "GeoReport v2 discovery: where the endpoint is, its formats, whom to ask for a key",
                "responses": { "200": { "description": "Discovery", "content": { "application/json": { "schema": { "type": "object" } } } } } } }),
            ),
            (
                "/open311/v2/services.json",
                serde_json::json!({ "get": {
                "tags": ["open311"], "security": [],
                "summary": "The classes the public may report (service_code, service_name, description, metadata, type, keywords, group)",
                "responses": { "200": list("Services"), "500": errors.clone() } } }),
            ),
            (
                "/open311/v2/services/{service_code}.json",
                serde_json::json!({ "get": {
                "tags": ["open311"], "security": [],
                "summary": "A class's definition (no attributes beyond the report)",
                "parameters": [string_param("service_code", "path", "A public class's code, e.g. SJ0401")],
                "responses": { "200": { "description": "Definition", "content": { "application/json": { "schema": { "type": "object" } } } },
                               "404": errors.clone() } } }),
            ),
            (
                "/open311/v2/requests.json",
                serde_json::json!({
                "get": {
                    "tags": ["open311"], "security": [],
                    "summary": "Service requests the public reported: the last 90 days by default, a window of 90 days at most, 1,000 at most",
                    "parameters": [
                        string_param("service_request_id", "query", "Comma-separated ids (the window then does not apply)"),
                        string_param("service_code", "query", "A class's code"),
                        serde_json::json!({ "name": "start_date", "in": "query", "required": false, "description": "W3C date-time",
                            "schema": { "type": "string", "format": "date-time" } }),
                        serde_json::json!({ "name": "end_date", "in": "query", "required": false, "description": "W3C date-time; at most 90 days after start_date",
                            "schema": { "type": "string", "format": "date-time" } }),
                        serde_json::json!({ "name": "status", "in": "query", "required": false,
                            "schema": { "type": "string", "enum": ["open", "closed"] } })],
                    "responses": { "200": requests.clone(), "400": errors.clone() } },
                "post": {
                    "tags": ["open311"], "security": [],
                    "summary": "Report a problem with the client's api_key; it enters the loop as a matter",
                    "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": {
                        "type": "object", "required": ["api_key", "service_code"],
                        "properties": {
                            "api_key": { "type": "string" }, "service_code": { "type": "string" },
                            "lat": { "type": "string" }, "long": { "type": "string" }, "address_string": { "type": "string" },
                            "description": { "type": "string", "maxLength": 4000 }, "media_url": { "type": "string" },
                            "first_name": { "type": "string" }, "last_name": { "type": "string" }, "phone": { "type": "string" } } } } } },
                    "responses": {
                        "201": { "description": "Filed: `[{service_request_id, service_notice, account_id}]`",
                                 "content": { "application/json": { "schema": { "type": "array", "items": { "type": "object" } } } } },
                        "400": errors.clone(), "403": errors.clone(), "429": errors.clone() } } }),
            ),
            (
                "/open311/v2/requests/{service_request_id}.json",
                serde_json::json!({ "get": {
                "tags": ["open311"], "security": [],
                "summary": "One service request, as a list of one",
                "parameters": [string_param("service_request_id", "path", "The matter's number, e.g. SX2026-000123")],
                "responses": { "200": requests, "404": errors } } }),
            ),
        ];
        for (path, item) in paths {
            match serde_json::from_value::<utoipa::openapi::path::PathItem>(item) {
                Ok(mut item) => {
                    for (method, operation) in [("get", &mut item.get), ("post", &mut item.post)] {
                        if let Some(operation) = operation.as_mut() {
                            operation.operation_id = Some(operation_id(method, path));
                        }
                    }
                    openapi.paths.paths.insert(path.to_owned(), item);
                }
                // A mistake in the literal above; the api_contract test fails on the missing path.
                Err(error) => {
                    tracing::error!(%error, path, "an Open311 path of the API document does not parse");
                }
            }
        }
    }
}

/// The statuses every route can answer besides its own: no credentials (401), a role that may
/// not (403), the database away (503); 404 where the path names an object; 400 and 422 where a
/// query or body is parsed; 413 and 415 where a body is read; 409 where a version is checked.
/// All carry the error model (`crate::web::error::uniform_errors` makes the framework's own
/// rejections answer it too).
struct StandardResponses;

impl utoipa::Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::content::Content;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{Ref, RefOr, ResponseBuilder};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody"))))
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            for (method, operation) in [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
            ] {
                let Some(operation) = operation.as_mut() else { continue };
                let located = |place: ParameterIn| {
                    operation
                        .parameters
                        .iter()
                        .flatten()
                        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
                };
                let (has_path, has_query) = (located(ParameterIn::Path), located(ParameterIn::Query));
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                let mut add = |code: &str, description: &str| {
                    responses.entry(code.to_owned()).or_insert_with(|| error(description));
                };
                add("401", "`unauthenticated`: no valid bearer token or session");
                add(
                    "403",
                    "`forbidden` (the caller's roles do not allow it), or `csrf_failed` for a cookie session",
                );
                add("503", "`service_unavailable`: the database cannot be reached; try again");
                if has_path {
                    add("404", "`not_found`: no such object, or not one the caller may see");
                }
                if has_query || has_body {
                    add("400", "`bad_request`: the query string or body does not parse");
                    add("422", "`invalid_input` with `fields`, or a rule's refusal with its code");
                }
                if has_body {
                    add("413", "`payload_too_large`: the body is over the route's limit");
                    add("415", "`unsupported_media_type`: send `application/json`");
                }
                if method == "put" {
                    add("409", "`version_conflict`: changed since the version read; or `duplicate`");
                } else if has_body {
                    add("409", "`duplicate`: a value that must be unique (a code, a number) is taken");
                }
            }
        }
    }
}

/// Every operation's id, from its method and path (`get_cases_id_documents`): unique by
/// construction, as OpenAPI requires, where the handlers' function names repeat across modules
/// (`api_get`, `api_list`).
struct OperationIds;

/// The operation id [`OperationIds`] gives `method` on `path`.
pub fn operation_id(method: &str, path: &str) -> String {
    let words = path
        .trim_start_matches("/api/v1/")
        .trim_start_matches('/')
        .split('/')
        .map(|segment| segment.replace(['{', '}'], "").replace(['-', '.'], "_"))
        .collect::<Vec<_>>()
        .join("_");
    format!("{method}_{words}")
}

impl utoipa::Modify for OperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
            ] {
                if let Some(operation) = operation.as_mut() {
                    operation.operation_id = Some(operation_id(method, path));
                }
            }
        }
    }
}

/// Where one response's id feeds another request: a client (or a stateful fuzzer) follows
/// these from what it created or listed to what it can do next. Each row: the answering
/// operation and status, the link's name, the operation it leads to, and its parameters as
/// runtime expressions.
/// (method, path, status, link name, target method, target path, [(parameter, expression)]).
type LinkRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const LINKS: &[LinkRow] = &[
    ("post", "/api/v1/cases", "201", "case", "get", "/api/v1/cases/{id}", &[("id", "$response.body#/id")]),
    (
        "post",
        "/api/v1/cases",
        "201",
        "step",
        "post",
        "/api/v1/cases/{id}/steps",
        &[("id", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/cases",
        "201",
        "documents",
        "get",
        "/api/v1/cases/{id}/documents",
        &[("id", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/cases/{id}/documents",
        "201",
        "pdf",
        "get",
        "/api/v1/documents/{id}/pdf",
        &[("id", "$response.body#/id")],
    ),
    (
        "get",
        "/api/v1/cases/{id}/documents",
        "200",
        "pdf",
        "get",
        "/api/v1/documents/{id}/pdf",
        &[("id", "$response.body#/0/id")],
    ),
    (
        "get",
        "/api/v1/responsibility-items",
        "200",
        "ranges",
        "get",
        "/api/v1/responsibility-items/{code}/ranges",
        &[("code", "$response.body#/0/code")],
    ),
    (
        "post",
        "/api/v1/responsibility-items",
        "201",
        "item",
        "get",
        "/api/v1/responsibility-items/{code}",
        &[("code", "$response.body#/code")],
    ),
    (
        "post",
        "/api/v1/parties",
        "201",
        "party",
        "get",
        "/api/v1/parties/{id}",
        &[("id", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/parties",
        "201",
        "reveal",
        "post",
        "/api/v1/parties/{id}/reveal",
        &[("id", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/people",
        "201",
        "person",
        "get",
        "/api/v1/people/{id}",
        &[("id", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/people",
        "201",
        "certificates",
        "get",
        "/api/v1/people/{id}/certificates",
        &[("id", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/people/{id}/certificates",
        "201",
        "status",
        "put",
        "/api/v1/people/{id}/certificates/{certificate_id}",
        &[("id", "$request.path.id"), ("certificate_id", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/evidence",
        "201",
        "item",
        "get",
        "/api/v1/evidence/{id}",
        &[("id", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/evidence",
        "201",
        "content",
        "get",
        "/api/v1/evidence/{id}/content",
        &[("id", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/patrols",
        "201",
        "patrol",
        "get",
        "/api/v1/patrols/{id}",
        &[("id", "$response.body#/id")],
    ),
    (
        "get",
        "/api/v1/account-grants",
        "200",
        "grant",
        "post",
        "/api/v1/account-grants/{id}/grant",
        &[("id", "$response.body#/0/id")],
    ),
    (
        "get",
        "/api/v1/account-grants",
        "200",
        "decline",
        "post",
        "/api/v1/account-grants/{id}/decline",
        &[("id", "$response.body#/0/id")],
    ),
];

/// How many links [`LINKS`] adds (a test checks each found its response).
pub const LINK_COUNT: usize = LINKS.len();

struct Links;

impl utoipa::Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::link::LinkBuilder;
        for (method, path, status, name, target_method, target_path, parameters) in LINKS {
            let Some(item) = openapi.paths.paths.get_mut(*path) else { continue };
            let operation = match *method {
                "get" => item.get.as_mut(),
                "post" => item.post.as_mut(),
                "put" => item.put.as_mut(),
                _ => None,
            };
            let Some(RefOr::T(response)) = operation.and_then(|o| o.responses.responses.get_mut(*status))
            else {
                continue;
            };
            let mut link = LinkBuilder::new().operation_id(operation_id(target_method, target_path));
            for (parameter, expression) in *parameters {
                link = link.parameter(*parameter, *expression);
            }
            response.links.insert((*name).to_owned(), RefOr::T(link.build()));
        }
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The routes `swagger()` adds, as the guard's table names them.
pub const SWAGGER_PATHS: [&str; 3] = ["/api/docs", "/api/docs/", "/api/docs/{*rest}"];

pub fn swagger() -> axum::Router<AppState> {
    SwaggerUi::new("/api/docs").config(utoipa_swagger_ui::Config::from("/api/openapi.json")).into()
}
