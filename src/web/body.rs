//! The JSON body extractor of every API route: [`JsonObject`].

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::domain::fields::FieldErrors;
use crate::web::error::ApiError;

/// A JSON request body that must be an object. Serde reads a struct from an array too (its
/// fields by position), so `[]` or `[true]` would pass for a body the document describes as an
/// object; this refuses anything but `{…}` before the fields are read, then reads them as
/// `axum::Json` does (the same 415 and 422 rejections, rewritten by `error::uniform_errors`).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonObject<T>(pub T);

impl<S, T> FromRequest<S> for JsonObject<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
        if !json {
            // Not declared as JSON: `Json` answers 415 and reads nothing.
            let Json(value) =
                Json::<T>::from_request(request, state).await.map_err(IntoResponse::into_response)?;
            return Ok(JsonObject(value));
        }
        let (parts, body) = request.into_parts();
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') {
            let errors = FieldErrors::single("body", "not_an_object", "请求内容应为 JSON 对象（{…}）");
            return Err(ApiError::from(errors).into_response());
        }
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        let Json(value) =
            Json::<T>::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        Ok(JsonObject(value))
    }
}
