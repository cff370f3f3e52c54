//! The one error every operation answers: what went wrong, in words the caller can act on.
//! The web layer renders it as a page or as the JSON error model (`web::error`); the CLI prints
//! its message.

use crate::domain::fields::FieldErrors;
use crate::store::StoreError;

#[derive(Debug)]
pub enum Error {
    /// No valid session or token.
    Unauthenticated,
    /// The role may not do this.
    Forbidden,
    /// Does not exist, or exists outside what the reader may see: the two look the same.
    NotFound,
    /// Bad input; nothing was written.
    Invalid(FieldErrors),
    /// A stale version or a duplicate: nothing was written.
    Conflict {
        code: &'static str,
        message: String,
    },
    /// A rule refused the step.
    Refused {
        code: &'static str,
        message: String,
    },
    RateLimited,
    /// The request body is over the route's limit: nothing was stored.
    TooLarge,
    /// The evidence storage is out of space: nothing was stored; try again when space is freed.
    StorageFull,
    /// The database or another dependency is unreachable.
    Unavailable(String),
    Internal(anyhow::Error),
}

impl Error {
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Error::Refused { code, message: message.into() }
    }

    /// A refusal of the case engine (or another domain rule), with its legal basis in brackets.
    pub fn from_refusal(refusal: crate::domain::case::Refusal) -> Self {
        let message = if refusal.basis.is_empty() {
            refusal.message_zh
        } else {
            format!("{}（{}）", refusal.message_zh, refusal.basis)
        };
        Error::Refused { code: refusal.code, message }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated => "unauthenticated",
            Error::Forbidden => "forbidden",
            Error::NotFound => "not_found",
            Error::Invalid(errors) if errors.only_duplicates() => "duplicate",
            Error::Invalid(_) => "invalid_input",
            Error::Conflict { code, .. } | Error::Refused { code, .. } => code,
            Error::RateLimited => "rate_limited",
            Error::TooLarge => "payload_too_large",
            Error::StorageFull => "storage_full",
            Error::Unavailable(_) => "service_unavailable",
            Error::Internal(_) => "internal_error",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            Error::Unauthenticated => "登录状态已过期，请重新登录".to_owned(),
            Error::Forbidden => "您没有执行此操作的权限".to_owned(),
            Error::NotFound => "您访问的内容不存在".to_owned(),
            Error::Invalid(errors) => format!("提交的内容有误：{}", join_messages(errors)),
            Error::Conflict { message, .. } | Error::Refused { message, .. } => message.clone(),
            Error::RateLimited => "操作过于频繁，请稍后再试".to_owned(),
            Error::TooLarge => "文件超过了允许的大小，未保存".to_owned(),
            Error::StorageFull => "证据存储空间已满，文件未保存；请联系系统管理员释放空间后重试".to_owned(),
            Error::Unavailable(_) => "系统暂时无法连接数据库，请稍后再试".to_owned(),
            Error::Internal(_) => "系统内部错误，请联系系统管理员".to_owned(),
        }
    }

    pub fn message_en(&self) -> &'static str {
        match self {
            Error::Unauthenticated => "Your session has ended. Please log in again.",
            Error::Forbidden => "You are not allowed to do this.",
            Error::NotFound => "Not found.",
            Error::Invalid(_) => "Some fields are invalid.",
            Error::Conflict { .. } => "The record was changed by someone else. Reload and try again.",
            Error::Refused { .. } => "A rule refused this step.",
            Error::RateLimited => "Too many requests. Try again later.",
            Error::TooLarge => "The file is over the size limit; nothing was stored.",
            Error::StorageFull => {
                "The evidence storage is full; nothing was stored. Try again when space is freed."
            }
            Error::Unavailable(_) => "The database is unreachable. Try again shortly.",
            Error::Internal(_) => "Internal error. Contact the system administrator.",
        }
    }
}

fn join_messages(errors: &FieldErrors) -> String {
    errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；")
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Error::Unavailable(error.to_string())
            }
            _ => Error::Internal(error.into()),
        }
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict => Error::Conflict {
                code: "version_conflict",
                message: "该记录已被他人修改，请刷新后重试".to_owned(),
            },
            StoreError::Duplicate(field) => {
                Error::Invalid(FieldErrors::duplicate(field, "该值已存在，不能重复"))
            }
            StoreError::Db(e) => e.into(),
        }
    }
}

impl From<FieldErrors> for Error {
    fn from(errors: FieldErrors) -> Self {
        Error::Invalid(errors)
    }
}

impl From<anyhow::Error> for Error {
    fn from(error: anyhow::Error) -> Self {
        Error::Internal(error)
    }
}

/// A blob-store failure as the caller sees it: a full disk means free space and try again
/// (`StorageFull`); an unreachable store, try again later (`Unavailable`).
impl From<crate::blobs::BlobError> for Error {
    fn from(error: crate::blobs::BlobError) -> Self {
        match error {
            crate::blobs::BlobError::Full => Error::StorageFull,
            other => Error::Unavailable(other.to_string()),
        }
    }
}

/// Bytes the store would not take (an executable, an unknown type) are refused with the reason's
/// code; a failing store is a storage error.
impl From<crate::blobs::IngestError> for Error {
    fn from(error: crate::blobs::IngestError) -> Self {
        match error {
            crate::blobs::IngestError::Unaccepted(why) => Error::refused(why.code(), why.message_zh()),
            crate::blobs::IngestError::Blob(error) => error.into(),
        }
    }
}
