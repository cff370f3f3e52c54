//! The JSON body extractor of every API route: [`JsonObject`].

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::domain::fields::FieldErrors;
use crate::web::error::{ApiError, AppError};

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
        let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            // Not JSON: `Json` answers with what and where, as for any route.
            let request = Request::from_parts(parts, axum::body::Body::from(bytes));
            let Json(value) =
                Json::<T>::from_request(request, state).await.map_err(IntoResponse::into_response)?;
            return Ok(JsonObject(value));
        };
        whole_numbers_as_integers(&mut value);
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(value) => Ok(JsonObject(value)),
            // The words `axum::Json` uses, so that `error::uniform_errors` names the field.
            Err(error) => Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Failed to deserialize the JSON body into the target type: {}: {}",
                    error.path(),
                    error.inner()
                ),
            )
                .into_response()),
        }
    }
}

/// JSON has one number type: `268.0` is the integer 268 to JSON Schema (and to a client
/// written in JavaScript), but serde refuses it for an `i64`. A number with no fraction within
/// ±2^53 (where a double holds every integer exactly) becomes an integer; any other number
/// stays as it was sent, so that one beyond an `i64` is refused, never rounded to its bound.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() <= MAX_EXACT_INTEGER
            {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// Reads an urlencoded form whose `list` field is repeated (a group of checkboxes), which a
/// struct cannot hold: the struct from the other fields, and the repeated values in order.
pub fn form_with_list<T: DeserializeOwned>(body: &[u8], list: &str) -> Result<(T, Vec<String>), FieldErrors> {
    let unreadable = || FieldErrors::single("form", "form_invalid", "表单无法读取，请刷新页面后重试");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| unreadable())?;
    let (listed, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == list);
    let rest = serde_urlencoded::to_string(&rest).map_err(|_| unreadable())?;
    let form = serde_urlencoded::from_str(&rest).map_err(|_| unreadable())?;
    Ok((form, listed.into_iter().map(|(_, v)| v).collect()))
}

/// An upload body that broke off: too large, or cut.
pub fn multipart_error(error: axum::extract::multipart::MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge
    } else {
        AppError::refused("upload_interrupted", format!("上传未完成：{}", error.body_text()))
    }
}

/// The longest text part of an upload form: a description of a few hundred characters is
/// plenty; 3 bytes a character in UTF-8.
pub const MAX_TEXT_PART_BYTES: usize = 8 * 1024;
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_within_two_to_the_53_become_integers() {
        let mut value: serde_json::Value =
            serde_json::from_str(r#"{"a": 268.0, "b": -3922977370645358.0, "c": 1.5, "d": [2.0]}"#).unwrap();
        whole_numbers_as_integers(&mut value);
        assert_eq!(value["a"].as_i64(), Some(268));
        assert_eq!(value["b"].as_i64(), Some(-3_922_977_370_645_358), "{value}");
        assert_eq!(value["c"].as_f64(), Some(1.5));
        assert_eq!(value["d"][0].as_i64(), Some(2));
    }
}
