//! People and their enforcement certificates: list, filter, export, create, edit, reveal.
//!
//! Phones are masked everywhere except in the answer to an explicit, audited reveal by a role
//! that may see them. A person outside the reader's scope answers 404, like one that does not
//! exist.

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
use crate::domain::org::{
    CertificateInput, CertificateStanding, Employment, LegalQualificationInput, PersonInput,
    certificate_standing, mask_phone,
};
use crate::domain::time::{civil_date, display};
use crate::domain::training::{ABSENCE_KINDS, AbsenceInput, Service, ServiceInput};
use crate::ops::people as ops;
use crate::store::AuditEvent;
use crate::store::org::{Certificate, PeopleFilter, Person, PersonSummary, Unit};
use crate::web::body::JsonObject;
use crate::web::common::tree_order;
use crate::web::common::{CreatedDto, VersionDto, xlsx_response};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, Pager, page_number, page_size, render};

// ---------------------------------------------------------------------------------------------
// Shared operations: the HTML and JSON handlers below both call these.

pub use crate::ops::people::unit_visible;

async fn visible_person(
    state: &AppState,
    principal: &Principal,
    action: Action,
    id: &str,
) -> Result<Person, AppError> {
    state.db.person(&principal.visibility(action), id).await?.ok_or(AppError::NotFound)
}

fn filter_from(query: &ListQuery) -> PeopleFilter {
    PeopleFilter {
        name: query.name.clone(),
        unit_id: query.unit_id.clone(),
        employment: match query.employment.as_str() {
            "officer" | "auxiliary" => query.employment.clone(),
            _ => String::new(),
        },
        certificate: match query.certificate.as_str() {
            "valid" | "expiring" | "expired" | "missing" => query.certificate.clone(),
            _ => String::new(),
        },
        page: page_number(&query.page),
        page_size: page_size(&query.size),
    }
}

// ---------------------------------------------------------------------------------------------
// HTML.

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Part of a name.
    #[serde(default)]
    pub name: String,
    /// A unit id; people in it and below it.
    #[serde(default)]
    pub unit_id: String,
    /// `officer` or `auxiliary`.
    #[serde(default)]
    pub employment: String,
    /// `valid`, `expiring`, `expired` or `missing`.
    #[serde(default)]
    pub certificate: String,
    #[serde(default)]
    pub page: String,
    /// 10, 20, 30 or 50.
    #[serde(default)]
    pub size: String,
}

pub struct PersonRow {
    pub p: PersonSummary,
    pub phone_masked: String,
    pub standing: Option<CertificateStanding>,
}

impl PersonRow {
    fn new(p: PersonSummary, today: NaiveDate) -> PersonRow {
        let standing = match (p.certificate_status, p.certificate_valid_from, p.certificate_valid_to) {
            (Some(status), Some(from), Some(to)) => Some(certificate_standing(status, from, to, today)),
            _ => None,
        };
        PersonRow { phone_masked: p.phone.as_deref().map(mask_phone).unwrap_or_default(), standing, p }
    }
    pub fn standing_tag(&self) -> &'static str {
        self.standing
            .map_or(if self.p.employment == Employment::Officer { "danger" } else { "info" }, |s| s.tag())
    }
    pub fn standing_label(&self) -> String {
        match self.standing {
            Some(s) => s.label_zh(),
            None if self.p.employment == Employment::Officer => "无证".to_owned(),
            None => "—".to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "people_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<PersonRow>,
    pager: Pager,
    query: ListQuery,
    units: Vec<(Unit, usize)>,
    may_edit: bool,
    may_export: bool,
    export_query: String,
}

fn query_string(query: &ListQuery) -> String {
    serde_urlencoded::to_string([
        ("name", query.name.as_str()),
        ("unit_id", query.unit_id.as_str()),
        ("employment", query.employment.as_str()),
        ("certificate", query.certificate.as_str()),
        ("size", query.size.as_str()),
    ])
    .unwrap_or_default()
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let chrome =
        Chrome::new(&state, &principal, &headers, "people", "人员与执法证", "People and certificates")
            .await?;
    let today = civil_date(state.now());
    let filter = filter_from(&query);
    let page = state.db.people(&principal.visibility(Action::PersonView), &filter, today).await?;
    let visibility = principal.visibility(Action::PersonView);
    let all_units = state.db.units().await?;
    let units = tree_order(all_units.clone())
        .into_iter()
        .filter(|(u, _)| unit_visible(&all_units, &visibility, &u.id))
        .collect();
    let pager = Pager::new(filter.page, filter.page_size, page.total, query_string(&query));
    render(&ListPage {
        chrome,
        rows: page.rows.into_iter().map(|p| PersonRow::new(p, today)).collect(),
        pager,
        export_query: query_string(&query),
        query,
        units,
        may_edit: principal.has(Action::PersonEdit),
        may_export: principal.has(Action::PersonExport),
    })
}

/// The people list as a spreadsheet, following the current filter. Phones stay masked: a
/// spreadsheet leaves the system and cannot be audited afterwards.
pub async fn export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let today = civil_date(state.now());
    let mut filter = filter_from(&query);
    filter.page = 1;
    filter.page_size = 500;
    let visibility = principal.visibility(Action::PersonExport);
    let mut rows = Vec::new();
    loop {
        let page = state.db.people(&visibility, &filter, today).await?;
        let n = page.rows.len() as i64;
        rows.extend(page.rows.into_iter().map(|p| PersonRow::new(p, today)));
        if n < filter.page_size {
            break;
        }
        filter.page += 1;
    }
    let bytes = crate::web::people::xlsx(&rows).map_err(|e| AppError::Internal(e.into()))?;
    state
        .db
        .audit_only(
            &info.audit_ctx(Some(&principal), ""),
            state.now(),
            AuditEvent::new("person.export", "person", "*")
                .details(serde_json::json!({ "rows": rows.len(), "filter": query_string(&query) })),
        )
        .await?;
    Ok(xlsx_response(
        bytes,
        &format!("people_{}.xlsx", today.format("%Y%m%d")),
        &format!("人员台账_{}.xlsx", today.format("%Y%m%d")),
    ))
}

pub fn xlsx(rows: &[PersonRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("人员台账")?;
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let headers = [
        "序号",
        "姓名",
        "性别",
        "单位",
        "职务",
        "用工类别",
        "手机（脱敏）",
        "执法证号",
        "有效期至",
        "证件状态",
    ];
    let widths = [6.0, 10.0, 6.0, 22.0, 14.0, 10.0, 14.0, 16.0, 12.0, 12.0];
    for (col, (title, width)) in headers.iter().zip(widths).enumerate() {
        sheet.write_with_format(0, col as u16, *title, &bold)?;
        sheet.set_column_width(col as u16, width)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        sheet.write(r, 0, (i + 1) as u32)?;
        sheet.write(r, 1, &row.p.name)?;
        sheet.write(r, 2, row.p.gender.name_zh())?;
        sheet.write(r, 3, &row.p.unit_name)?;
        sheet.write(r, 4, &row.p.position)?;
        sheet.write(r, 5, row.p.employment.name_zh())?;
        sheet.write(r, 6, &row.phone_masked)?;
        sheet.write(r, 7, row.p.certificate_number.as_deref().unwrap_or(""))?;
        sheet.write(r, 8, row.p.certificate_valid_to.map(|d| d.to_string()).unwrap_or_default())?;
        sheet.write(r, 9, row.standing_label())?;
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` for a new person.
    id: Option<String>,
    version: i64,
    input: PersonInput,
    errors: FieldErrors,
    units: Vec<(Unit, usize)>,
    conflict: bool,
}

impl FormPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

/// What the person form shows besides the frame: the record being edited (if any), the
/// input, and what was wrong with it.
struct Editing {
    id: Option<String>,
    version: i64,
    input: PersonInput,
    errors: FieldErrors,
    conflict: bool,
}

async fn form_page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    editing: Editing,
) -> PageResult {
    let Editing { id, version, input, errors, conflict } = editing;
    let (zh, en) =
        if id.is_some() { ("修改人员", "Edit person") } else { ("新增人员", "Add person") };
    let chrome = Chrome::new(state, principal, headers, "people", zh, en).await?;
    let all_units = state.db.units().await?;
    let visibility = principal.visibility(Action::PersonEdit);
    let units = tree_order(all_units.clone())
        .into_iter()
        .filter(|(u, _)| unit_visible(&all_units, &visibility, &u.id))
        .collect();
    let status = crate::web::pages::form_status(conflict, &errors);
    let mut response = render(&FormPage { chrome, id, version, input, errors, units, conflict })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn new_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    let input = PersonInput {
        unit_id: principal.unit_id.clone().unwrap_or_default(),
        employment: "officer".into(),
        gender: "male".into(),
        ..Default::default()
    };
    form_page(
        &state,
        &principal,
        &headers,
        Editing { id: None, version: 0, input, errors: FieldErrors::default(), conflict: false },
    )
    .await
}

pub async fn create_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<PersonInput>,
) -> PageResult {
    match crate::ops::people::create(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/people/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            form_page(
                &state,
                &principal,
                &headers,
                Editing { id: None, version: 0, input, errors, conflict: false },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "person_detail.html")]
struct DetailPage {
    chrome: Chrome,
    row: PersonRow,
    person: Person,
    certificates: Vec<(Certificate, CertificateStanding)>,
    may_edit: bool,
    may_reveal: bool,
    saved: bool,
    cert_input: CertificateInput,
    cert_errors: FieldErrors,
    /// 法制审核资格 as recorded (certificate number, first review), and whether it qualifies.
    legal: (String, Option<NaiveDate>),
    legal_qualified: bool,
    legal_input: LegalQualificationInput,
    legal_errors: FieldErrors,
    created_at: String,
    updated_at: String,
    /// The day 岗前培训 was completed; `None`: the case engine will not count the person among
    /// the officers of any step (`onboarding_incomplete`).
    onboarded_on: Option<NaiveDate>,
    /// Service dates and long absences (training compliance exempts the months they touch).
    service: Service,
    service_input: ServiceInput,
    service_errors: FieldErrors,
    absence_input: AbsenceInput,
    absence_errors: FieldErrors,
    absence_kinds: &'static [&'static str],
}

impl DetailPage {
    fn service_error(&self, field: &str) -> &str {
        self.service_errors.get(field).unwrap_or("")
    }
    fn absence_error(&self, field: &str) -> &str {
        self.absence_errors.get(field).unwrap_or("")
    }
    fn joined_on(&self) -> String {
        if self.service_errors.is_empty() {
            self.service.joined_on.map(|d| d.to_string()).unwrap_or_default()
        } else {
            self.service_input.joined_on.clone()
        }
    }
    fn left_on(&self) -> String {
        if self.service_errors.is_empty() {
            self.service.left_on.map(|d| d.to_string()).unwrap_or_default()
        } else {
            self.service_input.left_on.clone()
        }
    }
    fn cert_error(&self, field: &str) -> &str {
        self.cert_errors.get(field).unwrap_or("")
    }
    fn legal_error(&self, field: &str) -> &str {
        self.legal_errors.get(field).unwrap_or("")
    }
    fn legal_since(&self) -> String {
        self.legal.1.map(|d| d.to_string()).unwrap_or_default()
    }
}

/// The forms of a person's page as last submitted, with their errors (empty on a plain view).
#[derive(Default)]
struct DetailForms {
    cert_input: CertificateInput,
    cert_errors: FieldErrors,
    legal_input: LegalQualificationInput,
    legal_errors: FieldErrors,
    service_input: ServiceInput,
    service_errors: FieldErrors,
    absence_input: AbsenceInput,
    absence_errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    saved: String,
}

async fn detail(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    id: &str,
    saved: bool,
    forms: DetailForms,
) -> PageResult {
    let person = visible_person(state, principal, Action::PersonView, id).await?;
    let legal = state.db.legal_qualification(id).await?.unwrap_or_default();
    let onboarded_on = state.db.person_facts(&[id.to_owned()]).await?.get(id).and_then(|f| f.onboarded_on);
    let chrome = Chrome::new(state, principal, headers, "people", "人员详情", "Person").await?;
    let today = civil_date(state.now());
    let certificates = state
        .db
        .certificates(id)
        .await?
        .into_iter()
        .map(|c| {
            let standing = certificate_standing(c.status, c.valid_from, c.valid_to, today);
            (c, standing)
        })
        .collect();
    let edit_scope = principal.visibility(Action::PersonEdit);
    let units = state.db.units().await?;
    let may_edit = unit_visible(&units, &edit_scope, &person.summary.unit_id);
    let may_reveal =
        unit_visible(&units, &principal.visibility(Action::PersonReveal), &person.summary.unit_id);
    let service = state.db.person_service(id).await?.unwrap_or_default();
    let invalid = !forms.cert_errors.is_empty()
        || !forms.legal_errors.is_empty()
        || !forms.service_errors.is_empty()
        || !forms.absence_errors.is_empty();
    let status = if invalid { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = render(&DetailPage {
        chrome,
        row: PersonRow::new(person.summary.clone(), today),
        created_at: display(person.created_at),
        updated_at: display(person.updated_at),
        person,
        certificates,
        may_edit,
        may_reveal,
        saved,
        cert_input: forms.cert_input,
        cert_errors: forms.cert_errors,
        legal_qualified: crate::domain::org::qualified_for_legal_review(&legal.0, legal.1),
        legal,
        legal_input: forms.legal_input,
        legal_errors: forms.legal_errors,
        onboarded_on,
        service,
        service_input: forms.service_input,
        service_errors: forms.service_errors,
        absence_input: forms.absence_input,
        absence_errors: forms.absence_errors,
        absence_kinds: &ABSENCE_KINDS,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn detail_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> PageResult {
    detail(&state, &principal, &headers, &id, query.saved == "1", DetailForms::default()).await
}

pub async fn edit_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let person = visible_person(&state, &principal, Action::PersonEdit, &id).await?;
    let p = &person.summary;
    let input = PersonInput {
        name: p.name.clone(),
        gender: p.gender.code().into(),
        unit_id: p.unit_id.clone(),
        position: p.position.clone(),
        // Left empty: the number stays masked here; an empty field keeps it on update.
        phone: String::new(),
        employment: p.employment.code().into(),
        agency_leader: if p.agency_leader { "on".into() } else { String::new() },
    };
    form_page(
        &state,
        &principal,
        &headers,
        Editing {
            id: Some(id),
            version: person.version,
            input,
            errors: FieldErrors::default(),
            conflict: false,
        },
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct UpdateForm {
    #[serde(flatten)]
    input: PersonInput,
    #[serde(default)]
    version: String,
}

pub async fn update_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<UpdateForm>,
) -> PageResult {
    let version = crate::web::common::form_version(&form.version);
    match crate::ops::people::update(&state, &principal.actor(&info), &id, version, &form.input).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            form_page(
                &state,
                &principal,
                &headers,
                Editing { id: Some(id), version, input: form.input, errors, conflict: false },
            )
            .await
        }
        Err(AppError::Conflict { .. }) => {
            let current = visible_person(&state, &principal, Action::PersonEdit, &id).await?;
            form_page(
                &state,
                &principal,
                &headers,
                Editing {
                    id: Some(id),
                    version: current.version,
                    input: form.input,
                    errors: FieldErrors::default(),
                    conflict: true,
                },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn add_certificate_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(input): Form<CertificateInput>,
) -> PageResult {
    match ops::add_certificate(&state, &principal.actor(&info), &id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = DetailForms { cert_input: input, cert_errors: errors, ..Default::default() };
            detail(&state, &principal, &headers, &id, false, forms).await
        }
        Err(AppError::Refused { code, message }) => {
            detail(
                &state,
                &principal,
                &headers,
                &id,
                false,
                DetailForms {
                    cert_input: input,
                    cert_errors: FieldErrors::single("number", code, message),
                    ..Default::default()
                },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

/// The 法制审核资格 form of a person's page.
#[derive(Debug, Default, Deserialize)]
pub struct LegalQualificationForm {
    #[serde(flatten)]
    input: LegalQualificationInput,
    /// As read; a missing or mangled one is a stale version (409), never a new record.
    #[serde(default)]
    version: String,
}

pub async fn legal_qualification_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<LegalQualificationForm>,
) -> PageResult {
    let (input, version) = (form.input, crate::web::common::form_version(&form.version));
    match ops::set_legal_qualification(&state, &principal.actor(&info), &id, version, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = DetailForms { legal_input: input, legal_errors: errors, ..Default::default() };
            detail(&state, &principal, &headers, &id, false, forms).await
        }
        Err(error) => Err(error.into()),
    }
}

/// The service dates form of a person's page.
pub async fn service_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(input): Form<ServiceInput>,
) -> PageResult {
    match crate::ops::training::set_service(&state, &principal.actor(&info), &id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?saved=1#service")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = DetailForms { service_input: input, service_errors: errors, ..Default::default() };
            detail(&state, &principal, &headers, &id, false, forms).await
        }
        Err(error) => Err(error.into()),
    }
}

/// The long-absence form of a person's page.
pub async fn absence_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(input): Form<AbsenceInput>,
) -> PageResult {
    match crate::ops::training::record_absence(&state, &principal.actor(&info), &id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?saved=1#service")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = DetailForms { absence_input: input, absence_errors: errors, ..Default::default() };
            detail(&state, &principal, &headers, &id, false, forms).await
        }
        Err(error) => Err(error.into()),
    }
}

/// A person's 法制审核资格 to record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LegalQualificationBody {
    /// The 法律职业资格证书 number; empty when the person holds none.
    #[serde(default)]
    #[schema(pattern = r"^[A-Za-z0-9-]{0,40}$")]
    pub certificate: String,
    /// The day the person first did legal review: from 2021-07-15 on, a review needs the
    /// certificate (行政处罚法 Art. 58 ¶2).
    #[schema(value_type = String, format = Date)]
    pub since: String,
    /// The person's version as read.
    pub version: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LegalQualificationDto {
    pub version: i64,
    /// Whether the person may now do legal review.
    pub qualified: bool,
}

#[utoipa::path(put, path = "/api/v1/people/{id}/legal-qualification", tag = "people", params(("id" = String, Path)),
    request_body = LegalQualificationBody, responses((status = 200, body = LegalQualificationDto)))]
pub async fn api_set_legal_qualification(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<LegalQualificationBody>,
) -> ApiResult<Json<LegalQualificationDto>> {
    let input = LegalQualificationInput { certificate: body.certificate, since: body.since };
    let (version, qualified) =
        ops::set_legal_qualification(&state, &principal.actor(&info), &id, body.version, &input).await?;
    Ok(Json(LegalQualificationDto { version, qualified }))
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    version: String,
}

pub async fn certificate_status_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path((id, certificate_id)): Path<(String, String)>,
    Form(form): Form<StatusForm>,
) -> PageResult {
    let version = crate::web::common::form_version(&form.version);
    match ops::set_certificate_status(
        &state,
        &principal.actor(&info),
        &id,
        &certificate_id,
        &form.status,
        version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            detail(
                &state,
                &principal,
                &headers,
                &id,
                false,
                DetailForms { cert_errors: errors, ..Default::default() },
            )
            .await
        }
        Err(AppError::Conflict { code, message }) => {
            let errors = FieldErrors::single("status", code, message);
            detail(
                &state,
                &principal,
                &headers,
                &id,
                false,
                DetailForms { cert_errors: errors, ..Default::default() },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

/// The htmx fragment that replaces the masked phone with the full number.
pub async fn reveal_phone_fragment(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let phone = ops::reveal_phone(&state, &principal.actor(&info), &id).await?;
    let l = Lang::from_headers(&headers);
    let text = phone.unwrap_or_else(|| l.t("未登记", "none").to_owned());
    // The number is digits only (validated on entry), so it needs no escaping beyond this.
    let text: String = text.chars().filter(|c| c.is_ascii_digit() || !c.is_ascii()).collect();
    Ok(Html(format!("<span class=\"revealed\">{text}</span>")).into_response())
}

// ---------------------------------------------------------------------------------------------
// JSON API.

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificateDto {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub issuer: String,
    /// `YYYY-MM-DD`
    pub valid_from: String,
    /// `YYYY-MM-DD`
    pub valid_to: String,
    /// Recorded status: `valid`, `suspended` or `revoked`.
    pub status: String,
    /// Standing today: `valid`, `expiring_soon`, `not_yet_valid`, `expired`, `suspended`, `revoked`.
    pub standing: String,
    /// Whether the holder may take an enforcement act today (行政处罚法 Art. 42).
    pub may_act: bool,
    /// Send it back with a status change.
    pub version: i64,
}

impl CertificateDto {
    fn new(c: Certificate, today: NaiveDate) -> Self {
        let standing = certificate_standing(c.status, c.valid_from, c.valid_to, today);
        CertificateDto {
            id: c.id,
            number: c.number,
            kind: c.kind,
            issuer: c.issuer,
            valid_from: c.valid_from.to_string(),
            valid_to: c.valid_to.to_string(),
            status: c.status.code().to_owned(),
            standing: standing.code().to_owned(),
            may_act: standing.may_act(),
            version: c.version,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonDto {
    pub id: String,
    pub name: String,
    /// `male` or `female`.
    pub gender: String,
    pub unit_id: String,
    pub unit_name: String,
    pub position: String,
    /// Masked (`138****5678`); the full number only through `POST /api/v1/people/{id}/reveal`.
    pub phone_masked: Option<String>,
    /// `officer` (执法人员) or `auxiliary` (协管员).
    pub employment: String,
    /// One of the bureau's 负责人: may attend a 集体讨论 (行政处罚法 Art. 57 ¶2).
    pub agency_leader: bool,
    pub active: bool,
    /// The certificate with the latest expiry date, if any.
    pub certificate_number: Option<String>,
    pub certificate_valid_to: Option<String>,
    pub certificate_standing: Option<String>,
    /// Present on single-person reads; send it back with an update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

impl PersonDto {
    fn new(p: PersonSummary, version: Option<i64>, today: NaiveDate) -> Self {
        let row = PersonRow::new(p, today);
        let p = row.p;
        PersonDto {
            certificate_standing: row.standing.map(|s| s.code().to_owned()),
            phone_masked: p.phone.as_deref().map(mask_phone),
            id: p.id,
            name: p.name,
            gender: p.gender.code().to_owned(),
            unit_id: p.unit_id,
            unit_name: p.unit_name,
            position: p.position,
            employment: p.employment.code().to_owned(),
            agency_leader: p.agency_leader,
            active: p.active,
            certificate_number: p.certificate_number,
            certificate_valid_to: p.certificate_valid_to.map(|d| d.to_string()),
            version,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeoplePageDto {
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub items: Vec<PersonDto>,
}

#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(ListQuery),
    responses((status = 200, body = PeoplePageDto), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<PeoplePageDto>> {
    let today = civil_date(state.now());
    let filter = filter_from(&query);
    let page = state.db.people(&principal.visibility(Action::PersonView), &filter, today).await?;
    Ok(Json(PeoplePageDto {
        total: page.total,
        page: filter.page,
        page_size: filter.page_size,
        items: page.rows.into_iter().map(|p| PersonDto::new(p, None, today)).collect(),
    }))
}

/// A person to create, or the new state of one (in [`PersonUpdateBody`]).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PersonBody {
    #[schema(min_length = 1, max_length = 30, pattern = r"\S")]
    pub name: String,
    #[schema(value_type = crate::domain::org::Gender)]
    pub gender: String,
    #[schema(min_length = 1)]
    pub unit_id: String,
    #[serde(default)]
    #[schema(max_length = 30)]
    pub position: String,
    /// 11-digit mainland mobile number. On update, empty keeps the number on file.
    #[serde(default)]
    #[schema(pattern = r"^\s*(1[3-9][0-9]{9})?\s*$")]
    pub phone: String,
    #[schema(value_type = crate::domain::org::Employment)]
    pub employment: String,
    /// One of the bureau's 负责人 (not an auxiliary): may attend a 集体讨论.
    #[serde(default)]
    pub agency_leader: bool,
}

/// A person's new state, with the version last read (a stale one answers 409).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PersonUpdateBody {
    pub version: i64,
    #[serde(flatten)]
    pub person: PersonBody,
}

impl PersonBody {
    fn input(&self) -> PersonInput {
        PersonInput {
            name: self.name.clone(),
            gender: self.gender.clone(),
            unit_id: self.unit_id.clone(),
            position: self.position.clone(),
            phone: self.phone.clone(),
            employment: self.employment.clone(),
            agency_leader: if self.agency_leader { "true".into() } else { String::new() },
        }
    }
}

#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonBody,
    responses((status = 201, body = CreatedDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<PersonBody>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let id = crate::ops::people::create(&state, &principal.actor(&info), &body.input()).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PersonDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_get(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonDto>> {
    let person = visible_person(&state, &principal, Action::PersonView, &id).await?;
    Ok(Json(PersonDto::new(person.summary, Some(person.version), civil_date(state.now()))))
}

#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)), request_body = PersonUpdateBody,
    responses((status = 200, body = VersionDto), (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<PersonUpdateBody>,
) -> ApiResult<Json<VersionDto>> {
    let version =
        crate::ops::people::update(&state, &principal.actor(&info), &id, body.version, &body.person.input())
            .await?;
    Ok(Json(VersionDto { version }))
}

#[utoipa::path(get, path = "/api/v1/people/{id}/certificates", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = Vec<CertificateDto>), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_certificates(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<CertificateDto>>> {
    visible_person(&state, &principal, Action::PersonView, &id).await?;
    let today = civil_date(state.now());
    Ok(Json(state.db.certificates(&id).await?.into_iter().map(|c| CertificateDto::new(c, today)).collect()))
}

/// A certificate to register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CertificateBody {
    #[schema(pattern = r"^[A-Za-z0-9-]{1,32}$")]
    pub number: String,
    /// Defaults to 行政执法证.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub issuer: String,
    #[schema(value_type = String, format = Date)]
    pub valid_from: String,
    /// Not before `valid_from`.
    #[schema(value_type = String, format = Date)]
    pub valid_to: String,
    /// `valid` when left out.
    #[serde(default)]
    #[schema(value_type = Option<crate::domain::org::CertificateStatus>)]
    pub status: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/people/{id}/certificates", tag = "people", params(("id" = String, Path)), request_body = CertificateBody,
    responses((status = 201, body = CreatedDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_certificate(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<CertificateBody>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let input = CertificateInput {
        number: body.number,
        kind: body.kind,
        issuer: body.issuer,
        valid_from: body.valid_from,
        valid_to: body.valid_to,
        // Left out means valid; given, it must be one of the statuses (an empty one is not).
        status: match body.status {
            None => String::new(),
            Some(status) if crate::domain::org::CertificateStatus::parse(status.trim()).is_some() => status,
            Some(_) => return Err(FieldErrors::single("status", "invalid", "请选择证件状态").into()),
        },
    };
    let id = ops::add_certificate(&state, &principal.actor(&info), &id, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A certificate's new status.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CertificateStatusBody {
    /// `valid`, `suspended` (暂扣) or `revoked` (吊销).
    #[schema(value_type = crate::domain::org::CertificateStatus)]
    pub status: String,
    /// The certificate's version as read.
    pub version: i64,
}

#[utoipa::path(put, path = "/api/v1/people/{id}/certificates/{certificate_id}", tag = "people",
    params(("id" = String, Path), ("certificate_id" = String, Path)), request_body = CertificateStatusBody,
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)))]
pub async fn api_set_certificate_status(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path((id, certificate_id)): Path<(String, String)>,
    JsonObject(body): JsonObject<CertificateStatusBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::set_certificate_status(
        &state,
        &principal.actor(&info),
        &id,
        &certificate_id,
        &body.status,
        body.version,
    )
    .await?;
    Ok(Json(VersionDto { version }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevealDto {
    pub phone: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/people/{id}/reveal", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = RevealDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_reveal(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<RevealDto>> {
    Ok(Json(RevealDto { phone: ops::reveal_phone(&state, &principal.actor(&info), &id).await? }))
}
