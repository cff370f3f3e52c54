//! The party registry (当事人信息库, 一人一档): search, register, read, reveal.
//!
//! A party is registered once per identity document; registering the same document again
//! answers with the file already kept. Document numbers of people and phones are masked; the
//! full values come only through an audited reveal.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::org::mask_phone;
use crate::domain::party::{ADULT_AGE, DocumentType, PartyInput, Sex, age_on, mask_document};
use crate::ops::parties::{register, reveal};
use crate::store::parties::Party;
use crate::web::body::JsonObject;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, Pager, page_number, page_size, render};

/// A party as shown to staff: personal numbers masked.
pub struct PartyView {
    pub p: Party,
    pub document_masked: String,
    pub phone_masked: String,
    pub kind_zh: &'static str,
    pub sex_zh: &'static str,
    /// 周岁 today, never the birth date (see `domain::party::age_on`).
    pub age: Option<u32>,
    /// Under 18 today (行政处罚法 Art. 30).
    pub minor: bool,
}

impl PartyView {
    fn new(p: Party, today: NaiveDate) -> PartyView {
        let age = p.birth_date.map(|born| age_on(born, today));
        PartyView {
            age,
            minor: age.is_some_and(|a| a < ADULT_AGE),
            document_masked: mask_document(p.document_type, &p.document_number),
            phone_masked: p.phone.as_deref().map(mask_phone).unwrap_or_default(),
            kind_zh: if p.organisation { "单位" } else { "自然人" },
            sex_zh: match p.sex {
                Some(Sex::Male) => "男",
                Some(Sex::Female) => "女",
                None => "",
            },
            p,
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Part of a name.
    #[serde(default)]
    pub name: String,
    /// A whole document number (ID number, passport, credit code).
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub size: String,
}

#[derive(Template)]
#[template(path = "parties_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<PartyView>,
    pager: Pager,
    query: SearchQuery,
    may_edit: bool,
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "parties", "当事人库", "Parties").await?;
    let (page, size) = (page_number(&query.page), page_size(&query.size));
    let (parties, total) = state.db.parties(&query.name, &query.number, page, size).await?;
    let q = serde_urlencoded::to_string([
        ("name", query.name.as_str()),
        ("number", query.number.as_str()),
        ("size", query.size.as_str()),
    ])
    .unwrap_or_default();
    render(&ListPage {
        chrome,
        rows: parties.into_iter().map(|p| PartyView::new(p, state.today())).collect(),
        pager: Pager::new(page, size, total, q),
        query,
        may_edit: principal.has(Action::PartyEdit),
    })
}

#[derive(Template)]
#[template(path = "party_form.html")]
struct FormPage {
    chrome: Chrome,
    input: PartyInput,
    errors: FieldErrors,
    conflict: Option<String>,
    document_types: Vec<(&'static str, &'static str)>,
}

impl FormPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn is_organisation(&self) -> bool {
        self.input.kind == "organisation"
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    kind: String,
}

async fn form(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    input: PartyInput,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult {
    let chrome = Chrome::new(state, principal, headers, "parties", "当事人建档", "Register a party").await?;
    let status = crate::web::pages::form_status(conflict.is_some(), &errors);
    let document_types = DocumentType::PERSON.iter().map(|d| (d.code(), d.name_zh())).collect();
    let mut response = render(&FormPage { chrome, input, errors, conflict, document_types })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn new_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<NewQuery>,
) -> PageResult {
    let kind = if query.kind == "organisation" { "organisation" } else { "person" };
    let input = PartyInput { kind: kind.into(), document_type: "resident_id".into(), ..Default::default() };
    form(&state, &principal, &headers, input, FieldErrors::default(), None).await
}

pub async fn create_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<PartyInput>,
) -> PageResult {
    match register(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/parties/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => form(&state, &principal, &headers, input, errors, None).await,
        Err(AppError::Conflict { message, .. }) => {
            form(&state, &principal, &headers, input, FieldErrors::default(), Some(message)).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "party_detail.html")]
struct DetailPage {
    chrome: Chrome,
    party: PartyView,
    document_type_zh: &'static str,
    may_reveal: bool,
    may_edit: bool,
    /// `1` after registering, `2` after a correction.
    saved: String,
    created_at: String,
    /// The party's cases the reader may open (一人一档), newest first.
    cases: Vec<crate::store::cases::CaseRecord>,
    /// Across the whole bureau, whatever the reader may open: cases, and those ending in a
    /// penalty (行政处罚法 Art. 33 ¶1: 初次违法).
    total_cases: usize,
    penalised: usize,
    may_open_case: bool,
    /// May keep the special-care archive (the link never says whether the party is in it).
    may_care: bool,
    may_talk: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    saved: String,
}

pub async fn detail_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> PageResult {
    let party = state.db.party(&id).await?.ok_or(AppError::NotFound)?;
    let chrome = Chrome::new(&state, &principal, &headers, "parties", "当事人档案", "Party file").await?;
    let all = state.db.party_cases(&id).await?;
    let penalised = all
        .iter()
        .filter(|c| {
            c.case.decision.as_ref().is_some_and(|d| d.outcome == crate::domain::case::Outcome::Penalty)
        })
        .count();
    let filter = crate::store::cases::CaseFilter {
        party_id: id.clone(),
        page: 1,
        page_size: 200,
        ..Default::default()
    };
    let cases = if principal.has(Action::CaseView) {
        state.db.cases(&principal.visibility(Action::CaseView), &filter).await?.0
    } else {
        Vec::new()
    };
    render(&DetailPage {
        total_cases: all.len(),
        may_open_case: principal.has(Action::CaseOpen),
        may_care: principal.has(Action::SpecialCare),
        may_talk: principal.has(Action::TalkView),
        penalised,
        cases,
        chrome,
        document_type_zh: party.document_type.name_zh(),
        created_at: crate::domain::time::display(party.created_at),
        party: PartyView::new(party, state.today()),
        may_reveal: principal.has(Action::PartyReveal),
        may_edit: principal.has(Action::PartyEdit),
        saved: query.saved,
    })
}

/// The htmx fragment that shows the full document number and phone in place.
pub async fn reveal_fragment(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    let party = reveal(&state, &principal.actor(&info), &id).await?;
    // Both values were validated on entry (alphanumerics and digits), so they need no escaping.
    let safe = |text: &str| text.chars().filter(char::is_ascii_alphanumeric).collect::<String>();
    Ok(Html(format!(
        "<span class=\"revealed\">{}</span>{}{}",
        safe(&party.document_number),
        party
            .phone
            .as_deref()
            .map(|p| format!(" · <span class=\"revealed\">{}</span>", safe(p)))
            .unwrap_or_default(),
        party.birth_date.map(|d| format!(" · 出生 <span class=\"revealed\">{d}</span>")).unwrap_or_default()
    ))
    .into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyDto {
    pub id: String,
    /// `person` or `organisation`.
    pub kind: String,
    pub name: String,
    pub document_type: String,
    /// Masked for people (`110105********002X`); a credit code in full.
    pub document_number_masked: String,
    /// Completed years today, from the ID number. The birth date itself comes only with a
    /// reveal: the mask hides exactly its eight digits.
    pub age: Option<u32>,
    /// `male` or `female`, from the ID number.
    pub sex: Option<String>,
    pub legal_representative: String,
    pub phone_masked: Option<String>,
    pub address: String,
    pub version: i64,
}

impl PartyDto {
    fn new(p: Party, today: NaiveDate) -> Self {
        PartyDto {
            kind: if p.organisation { "organisation" } else { "person" }.to_owned(),
            document_number_masked: mask_document(p.document_type, &p.document_number),
            document_type: p.document_type.code().to_owned(),
            age: p.birth_date.map(|born| age_on(born, today)),
            sex: p.sex.map(|s| if s == Sex::Male { "male" } else { "female" }.to_owned()),
            phone_masked: p.phone.as_deref().map(mask_phone),
            id: p.id,
            name: p.name,
            legal_representative: p.legal_representative,
            address: p.address,
            version: p.version,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartiesPageDto {
    pub total: i64,
    pub items: Vec<PartyDto>,
}

#[utoipa::path(get, path = "/api/v1/parties", tag = "parties", params(SearchQuery), responses((status = 200, body = PartiesPageDto)))]
pub async fn api_list(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Json<PartiesPageDto>> {
    let (parties, total) = state
        .db
        .parties(&query.name, &query.number, page_number(&query.page), page_size(&query.size))
        .await?;
    Ok(Json(PartiesPageDto {
        total,
        items: parties.into_iter().map(|p| PartyDto::new(p, state.today())).collect(),
    }))
}

/// A party to register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PartyBody {
    #[schema(value_type = crate::web::schema::PartyKind)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// For people: `resident_id`, `passport`, `hk_macao_permit`, `taiwan_permit` or
    /// `foreign_permanent_resident`. Organisations always use their credit code.
    #[serde(default)]
    #[schema(value_type = crate::domain::party::DocumentType)]
    pub document_type: String,
    /// A 居民身份证 number must pass its GB 11643 check digit and a credit code its GB 32100
    /// check character; other documents are 5–30 letters or digits.
    #[schema(pattern = r"^[A-Za-z0-9]{5,30}$")]
    pub document_number: String,
    /// 法定代表人 (负责人), required for organisations.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub legal_representative: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*(1[3-9][0-9]{9})?\s*$")]
    pub phone: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub address: String,
}

#[utoipa::path(post, path = "/api/v1/parties", tag = "parties", request_body = PartyBody,
    responses((status = 201, body = crate::web::common::CreatedDto), (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<PartyBody>,
) -> ApiResult<(StatusCode, Json<crate::web::common::CreatedDto>)> {
    let input = PartyInput {
        kind: body.kind,
        name: body.name,
        document_type: body.document_type,
        document_number: body.document_number,
        legal_representative: body.legal_representative,
        phone: body.phone,
        address: body.address,
    };
    let id = register(&state, &principal.actor(&info), &input).await?;
    Ok((StatusCode::CREATED, Json(crate::web::common::CreatedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/parties/{id}", tag = "parties", params(("id" = String, Path)),
    responses((status = 200, body = PartyDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<PartyDto>> {
    Ok(Json(PartyDto::new(state.db.party(&id).await?.ok_or(AppError::NotFound)?, state.today())))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyRevealDto {
    pub document_number: String,
    pub phone: Option<String>,
    /// From a 居民身份证 number.
    pub birth_date: Option<chrono::NaiveDate>,
}

#[utoipa::path(post, path = "/api/v1/parties/{id}/reveal", tag = "parties", params(("id" = String, Path)),
    responses((status = 200, body = PartyRevealDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_reveal(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<PartyRevealDto>> {
    let party = reveal(&state, &principal.actor(&info), &id).await?;
    Ok(Json(PartyRevealDto {
        document_number: party.document_number,
        phone: party.phone,
        birth_date: party.birth_date,
    }))
}

/// The fields a party's file may be corrected in; the identity document never changes (a wrong
/// number means a different person: register that one).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PartyEditBody {
    /// The version read; a file changed since is refused with `version_conflict`.
    #[serde(default)]
    pub version: i64,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub legal_representative: String,
    /// A new mobile number; empty keeps the one on file (it is shown masked, never sent back).
    #[serde(default)]
    #[schema(pattern = r"^\s*(1[3-9][0-9]{9})?\s*$")]
    pub phone: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub address: String,
}

impl PartyEditBody {
    /// The form as the file stands; the phone is never sent back (only shown masked).
    fn of(party: &Party) -> PartyEditBody {
        PartyEditBody {
            version: party.version,
            name: party.name.clone(),
            legal_representative: party.legal_representative.clone(),
            phone: String::new(),
            address: party.address.clone(),
        }
    }
}

impl PartyEditBody {
    fn correction(&self) -> crate::ops::parties::Correction {
        crate::ops::parties::Correction {
            name: self.name.clone(),
            legal_representative: self.legal_representative.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "party_edit.html")]
struct EditPage {
    chrome: Chrome,
    party: PartyView,
    body: PartyEditBody,
    errors: FieldErrors,
    conflict: Option<String>,
}

impl EditPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn edit_form(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    party: Party,
    body: PartyEditBody,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult {
    let chrome =
        Chrome::new(state, principal, headers, "parties", "更正当事人档案", "Correct a party's file").await?;
    let status = crate::web::pages::form_status(conflict.is_some(), &errors);
    let mut response =
        render(&EditPage { chrome, party: PartyView::new(party, state.today()), body, errors, conflict })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn edit_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let party = state.db.party(&id).await?.ok_or(AppError::NotFound)?;
    let body = PartyEditBody::of(&party);
    edit_form(&state, &principal, &headers, party, body, FieldErrors::default(), None).await
}

pub async fn update_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(body): Form<PartyEditBody>,
) -> PageResult {
    match crate::ops::parties::correct(&state, &principal.actor(&info), &id, body.version, &body.correction())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/parties/{id}?saved=2")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let party = state.db.party(&id).await?.ok_or(AppError::NotFound)?;
            edit_form(&state, &principal, &headers, party, body, errors, None).await
        }
        Err(AppError::Conflict { message, .. }) => {
            // Show the file as it now stands, so the user sees what changed.
            let party = state.db.party(&id).await?.ok_or(AppError::NotFound)?;
            let current = PartyEditBody::of(&party);
            edit_form(&state, &principal, &headers, party, current, FieldErrors::default(), Some(message))
                .await
        }
        Err(error) => Err(error.into()),
    }
}

#[utoipa::path(put, path = "/api/v1/parties/{id}", tag = "parties", params(("id" = String, Path)), request_body = PartyEditBody,
    responses((status = 200, body = PartyDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody, description = "`version_conflict`: changed since read"),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<PartyEditBody>,
) -> ApiResult<Json<PartyDto>> {
    crate::ops::parties::correct(&state, &principal.actor(&info), &id, body.version, &body.correction())
        .await?;
    Ok(Json(PartyDto::new(state.db.party(&id).await?.ok_or(AppError::NotFound)?, state.today())))
}
