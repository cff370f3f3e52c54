//! Issuing official documents (执法文书) of a case (`ops::documents` does the work) and
//! downloading them, whole or as a masked copy.

use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::case::documents::{DocKind, masked_copy};
use crate::domain::org::mask_phone;
use crate::domain::party::mask_document;
use crate::domain::time::civil_date;
use crate::ops::documents::{issue, template};
use crate::store::documents::DocumentInfo;
use crate::web::body::JsonObject;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};

#[derive(Debug, Default, Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    subject: String,
}

fn parse_kind(raw: &str) -> Result<DocKind, AppError> {
    DocKind::parse(raw).ok_or_else(|| {
        AppError::Invalid(crate::domain::fields::FieldErrors::single(
            "kind",
            "document_kind_unknown",
            "未知的文书种类",
        ))
    })
}

pub async fn issue_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<IssueForm>,
) -> PageResult {
    let result = match parse_kind(&form.kind) {
        Ok(kind) => issue(&state, &principal.actor(&info), &id, kind, &form.subject).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?done=1#documents")).into_response()),
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            super::detail_with_error(&state, &principal, &headers, &id, message).await
        }
        Err(error) => Err(error.into()),
    }
}

/// Serves a document's PDF, if the reader may see its case. Each download is audited. The
/// issued PDF carries the party's full identity number and phone, so it goes only to readers
/// who may reveal them, and the download is recorded as a reveal; any other reader (the
/// office, the acceptance center) gets a copy typeset anew from the same data with both
/// masked, marked `X-Copy: masked`.
async fn pdf(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    id: &str,
) -> Result<Response, AppError> {
    let (doc, bytes, _) = state.db.document(id).await?.ok_or(AppError::NotFound)?;
    let record = state
        .db
        .case(&principal.visibility(Action::CaseView), &doc.case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reveals = principal.has(Action::PartyReveal);
    let mut tx = state.db.begin(&info.audit_ctx(Some(principal), ""), state.now()).await?;
    tx.audit(
        crate::store::AuditEvent::new("document.download", "document", id)
            .details(serde_json::json!({"number": doc.number, "sha256": doc.sha256, "masked": !reveals})),
    )
    .await?;
    if reveals {
        tx.audit(
            crate::store::AuditEvent::new("party.reveal", "party", &record.party_id)
                .details(serde_json::json!({"via": "document", "document": id})),
        )
        .await?;
    }
    tx.commit().await?;
    let (bytes, copy) = if reveals {
        (bytes, None)
    } else {
        let party = state.db.party(&record.party_id).await?.ok_or(AppError::NotFound)?;
        let data = state.db.document_data(id).await?.ok_or(AppError::NotFound)?;
        let number_masked = mask_document(party.document_type, &party.document_number);
        let phone = party.phone.clone().unwrap_or_default();
        let phone_masked = mask_phone(&phone);
        let data = masked_copy(&data, &[(&party.document_number, &number_masked), (&phone, &phone_masked)]);
        let source_text = template(doc.kind);
        let rendered = crate::ops::documents::typeset(
            state,
            source_text,
            data,
            civil_date(doc.issued_at),
            "a masked copy",
        )
        .await?;
        (rendered.pdf, Some("masked"))
    };
    // The digest of the bytes served; a masked copy also names the issued document's.
    let served = if copy.is_some() { crate::store::documents::digest(&bytes) } else { doc.sha256.clone() };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    // The file name is ASCII (the id); the title travels in the PDF itself.
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{}.pdf\"", doc.id)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::HeaderName::from_static("x-content-sha256"),
        HeaderValue::from_str(&served).unwrap_or(HeaderValue::from_static("")),
    );
    if let Some(copy) = copy {
        headers.insert(header::HeaderName::from_static("x-copy"), HeaderValue::from_static(copy));
        if let Ok(value) = HeaderValue::from_str(&doc.sha256) {
            headers.insert(header::HeaderName::from_static("x-issued-sha256"), value);
        }
    }
    Ok(response)
}

pub async fn pdf_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    Ok(pdf(&state, &principal, &info, &id).await?)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct IssueBody {
    /// filing_approval, inspection_record, interview_record, correction_notice,
    /// legal_review_opinion, discussion_minutes, advance_notice, statement_record, hearing_notice,
    /// penalty_decision, no_penalty_decision, spot_decision, service_receipt, seizure_decision,
    /// urge_notice, substitute_decision, enforcement_decision or closing_report.
    #[schema(value_type = crate::domain::case::documents::DocKind)]
    pub kind: String,
    /// For inspection_record, interview_record, correction_notice, seizure_decision and
    /// urge_notice: the item (`act-0`, `correction-1`, `seizure-0`, `demolition`, `substitute`);
    /// omitted, the latest.
    #[serde(default)]
    pub subject: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedDto {
    pub id: String,
    pub number: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", tag = "documents", params(("id" = String, Path)), request_body = IssueBody,
    responses((status = 201, body = IssuedDto), (status = 422, body = crate::web::error::ErrorBody, description = "a statutory item is missing or the document is not due")))]
pub async fn api_issue(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<IssueBody>,
) -> ApiResult<(StatusCode, Json<IssuedDto>)> {
    let kind = parse_kind(&body.kind)?;
    let (doc_id, number) = issue(&state, &principal.actor(&info), &id, kind, &body.subject).await?;
    Ok((StatusCode::CREATED, Json(IssuedDto { id: doc_id, number })))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentDto {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub number: String,
    pub sha256: String,
    pub issued_by: String,
    pub issued_at: String,
    /// The item a per-subject document is about; empty otherwise.
    pub subject: String,
}

impl From<DocumentInfo> for DocumentDto {
    fn from(d: DocumentInfo) -> Self {
        DocumentDto {
            kind: d.kind.code().to_owned(),
            name: d.kind.name_zh().to_owned(),
            issued_at: d.issued_at.to_rfc3339(),
            id: d.id,
            number: d.number,
            sha256: d.sha256,
            issued_by: d.issued_by,
            subject: d.subject,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/documents", tag = "documents", params(("id" = String, Path)),
    responses((status = 200, body = Vec<DocumentDto>), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DocumentDto>>> {
    state.db.case(&principal.visibility(Action::CaseView), &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(state.db.case_documents(&id).await?.into_iter().map(DocumentDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/pdf", tag = "documents", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", description = "the issued PDF; `X-Content-SHA256` carries its digest"), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_pdf(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    pdf(&state, &principal, &info, &id).await.map_err(Into::into)
}
