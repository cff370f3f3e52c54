//! One error type for every handler, rendered as an HTML page or as JSON with a stable code.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub use crate::ops::Error as AppError;

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            // A value that must be unique and is taken conflicts with what is stored; nothing
            // in the request itself is malformed.
            AppError::Invalid(errors) if errors.only_duplicates() => StatusCode::CONFLICT,
            AppError::Invalid(_) | AppError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Logs server-side failures once, here at the boundary. Client errors are not logged:
    /// they are the client's to fix, and the audited ones are already in the audit log.
    fn log(&self) {
        match self {
            AppError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
            }
            AppError::Unavailable(error) => {
                tracing::warn!(error = %error, "dependency unavailable");
            }
            AppError::StorageFull => tracing::error!("evidence storage full"),
            _ => {}
        }
    }
}

/// The JSON body of every API error.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code, e.g. `version_conflict`.
    pub error: String,
    /// A message in Chinese for people.
    pub message: String,
    /// Field-level errors, for `invalid_input`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorBody>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        error.log();
        let fields = match &error {
            AppError::Invalid(errors) => errors
                .iter()
                .map(|e| FieldErrorBody {
                    field: e.field.to_owned(),
                    code: e.code.to_owned(),
                    message: e.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let body = ErrorBody { error: error.code().to_owned(), message: error.message_zh(), fields };
        (error.status(), Json(body)).into_response()
    }
}

/// An [`AppError`] answered as a friendly HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let error = self.0;
        error.log();
        let status = error.status();
        let page = crate::web::pages::ErrorPage {
            status: status.as_u16(),
            message_zh: error.message_zh(),
            message_en: error.message_en(),
            code: error.code(),
        };
        (status, Html(page.render_or_plain())).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T = Response> = Result<T, PageError>;

/// The largest error body read to rewrite it (a framework rejection is a line or two).
const REJECTION_BODY_LIMIT: usize = 64 * 1024;

/// What the framework's own rejections answer, by status: a stable code, a Chinese message
/// and an English one. Handlers answer through [`ApiError`] or [`PageError`]; this covers what
/// happens before a handler runs (a body, query string or path that does not parse, a body
/// over its limit, an unsupported media type, a method the route does not take).
fn rejection_words(status: StatusCode) -> (&'static str, &'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad_request", "请求格式不正确", "The request is malformed."),
        401 => ("unauthenticated", "登录状态已过期，请重新登录", "Your session has ended."),
        403 => ("forbidden", "您没有执行此操作的权限", "You are not allowed to do this."),
        404 => ("not_found", "您访问的内容不存在", "Not found."),
        405 => ("method_not_allowed", "该地址不支持此请求方法", "Method not allowed."),
        408 => ("request_timeout", "请求超时，请重试", "The request timed out."),
        409 => ("conflict", "记录已被他人修改，请刷新后重试", "Conflict."),
        411 => ("length_required", "请求须说明内容长度", "Length required."),
        413 => ("payload_too_large", "提交的内容超过了允许的大小，未保存", "The request body is too large."),
        415 => (
            "unsupported_media_type",
            "请求内容的类型不受支持（JSON 接口请使用 application/json）",
            "Unsupported media type.",
        ),
        422 => ("invalid_input", "提交的内容有误", "Some fields are invalid."),
        429 => ("rate_limited", "操作过于频繁，请稍后再试", "Too many requests."),
        503 => ("service_unavailable", "系统暂时无法提供服务，请稍后再试", "Service unavailable."),
        _ if status.is_server_error() => {
            ("internal_error", "系统内部错误，请联系系统管理员", "Internal error.")
        }
        _ => ("bad_request", "请求无法处理", "The request cannot be handled."),
    }
}

/// The field a framework rejection names, if it names one: serde's path before the message
/// (`version: invalid type …`) or a `missing field `name``.
fn rejection_field(text: &str) -> Option<(String, &'static str)> {
    if let Some(start) = text.find("missing field `") {
        let rest = &text[start + "missing field `".len()..];
        return rest.split('`').next().map(|name| (name.to_owned(), "required"));
    }
    let detail = text.split_once(": ").map(|(_, rest)| rest)?;
    let (path, _) = detail.split_once(": ")?;
    let plain = !path.is_empty()
        && path.len() <= 64
        && path.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'));
    plain.then(|| (path.to_owned(), "invalid_value"))
}

/// Rewrites every error the framework answered in its own words into the error model: JSON
/// (`error`, `message`, `fields`) under `/api/`, the error page elsewhere. Responses that
/// already are (a handler's `ApiError` or `PageError`) pass unchanged.
pub async fn uniform_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    let api = crate::web::is_api_path(path);
    let path_is_open311 = path.starts_with("/open311/");
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // Open311 answers in its own error format (a list of code/description), JSON or XML.
    if path_is_open311
        && (content_type.starts_with("application/json") || content_type.starts_with("text/xml"))
    {
        return response;
    }
    let already = if api {
        content_type.starts_with("application/json")
    } else {
        content_type.starts_with("text/html")
    };
    if already {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, REJECTION_BODY_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let (code, message_zh, message_en) = rejection_words(status);
    let field = (status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST)
        .then(|| rejection_field(&text))
        .flatten();
    let message = match &field {
        Some((name, "required")) => format!("{message_zh}：缺少“{name}”"),
        Some((name, _)) => format!("{message_zh}：“{name}”的取值不正确"),
        None => message_zh.to_owned(),
    };
    let mut rewritten = if api {
        let fields = field
            .map(|(name, code)| {
                vec![FieldErrorBody { field: name, code: code.to_owned(), message: message.clone() }]
            })
            .unwrap_or_default();
        (status, Json(ErrorBody { error: code.to_owned(), message, fields })).into_response()
    } else {
        let page =
            crate::web::pages::ErrorPage { status: status.as_u16(), message_zh: message, message_en, code };
        (status, Html(page.render_or_plain())).into_response()
    };
    // Keep what the framework said beyond the body (`Allow` on a 405, for one).
    for (name, value) in parts.headers.iter() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}
