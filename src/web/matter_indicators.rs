//! The loop's monthly indicators and the 721 ratio (issue 17, scopes 3 and 5): per squad and
//! class, each figure a link to the matters behind it, the 721 shares beside the plan's 7:2:1,
//! and the same as a workbook (导出Excel) and as JSON. The counts are `ops::intake::indicators`.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::fields::FieldErrors;
use crate::domain::intake::Matter;
use crate::domain::intake::indicators::{Counts, Indicator, Rate};
use crate::domain::intake::resolution::Resolution;
use crate::domain::time::display;
use crate::domain::training::Month;
use crate::ops::intake::{self as ops, IndicatorsView};
use crate::store::AuditEvent;
use crate::web::common::month_of;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::Caller;
use crate::web::pages::{Chrome, Lang, render_status};

/// `?month=YYYY-MM` (empty: this month).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct IndicatorQuery {
    /// `YYYY-MM`; empty: this month.
    #[param(pattern = r"^(20[0-9]{2}-(0[1-9]|1[0-2]))?$")]
    pub month: String,
}

/// One row of the indicators: a unit's or a class's counts and rates.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorRowDto {
    /// A unit id ('-': the centre's own matters), a class code or a 处置人's person id.
    pub key: String,
    pub name: String,
    /// The squad, on a 处置人's row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    /// Every count, by indicator code.
    pub counts: std::collections::BTreeMap<String, i64>,
    /// Every rate in per cent, by rate code (absent when its denominator is zero).
    pub rates: std::collections::BTreeMap<String, f64>,
    /// The 721 shares in per cent: service, management, enforcement.
    pub shares_721: Option<[f64; 3]>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorsDto {
    pub month: String,
    pub units: Vec<IndicatorRowDto>,
    pub categories: Vec<IndicatorRowDto>,
    /// Per 处置人 and squad: the handling rounds they reported (a matter counts for who
    /// reported its last round).
    pub people: Vec<IndicatorRowDto>,
    pub total: IndicatorRowDto,
}

fn row_dto(key: &str, name: &str, counts: &Counts) -> IndicatorRowDto {
    IndicatorRowDto {
        key: key.to_owned(),
        name: name.to_owned(),
        unit_id: None,
        counts: Indicator::ALL.iter().map(|i| (i.code().to_owned(), counts.get(*i))).collect(),
        rates: Rate::ALL.iter().filter_map(|r| counts.rate(*r).map(|v| (r.code().to_owned(), v))).collect(),
        shares_721: counts.shares_721(),
    }
}

fn dto(view: &IndicatorsView) -> IndicatorsDto {
    IndicatorsDto {
        month: view.month.to_string(),
        units: view.units.iter().map(|(k, n, c)| row_dto(k, n, c)).collect(),
        categories: view.categories.iter().map(|(k, n, c)| row_dto(k, n, c)).collect(),
        people: view
            .people
            .iter()
            .map(|p| IndicatorRowDto {
                unit_id: Some(p.unit_id.clone()),
                ..row_dto(&p.person_id, &p.name, &p.counts)
            })
            .collect(),
        total: row_dto("", "合计", &view.total),
    }
}

#[utoipa::path(get, path = "/api/v1/matter-indicators", tag = "intake", params(IndicatorQuery),
    responses((status = 200, body = IndicatorsDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_indicators(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<IndicatorQuery>,
) -> ApiResult<Json<IndicatorsDto>> {
    let month = month_of(&state, &query.month)?;
    Ok(Json(dto(&ops::indicators(&state, &principal.actor(&info), month).await?)))
}

#[derive(Template)]
#[template(path = "matter_indicators.html")]
struct IndicatorsPage {
    chrome: Chrome,
    view: IndicatorsView,
    month: String,
    previous: String,
    next: String,
    shown: [Indicator; 6],
    rates: &'static [Rate],
    /// What a 处置人's row shows: the handling side of the loop only.
    person_shown: [Indicator; 5],
    person_rates: [Rate; 4],
}

impl IndicatorsPage {
    fn count(&self, counts: &Counts, indicator: &Indicator) -> i64 {
        counts.get(*indicator)
    }

    fn rate(&self, counts: &Counts, rate: &Rate) -> String {
        counts.rate(*rate).map_or_else(|| "—".to_owned(), |v| format!("{v:.1}%"))
    }

    /// Each share: its name, per cent, the aim, the indicator's code and where its bar starts.
    fn shares(&self, counts: &Counts) -> Vec<(&'static str, f64, u32, &'static str, f64)> {
        let Some(shares) = counts.shares_721() else { return Vec::new() };
        let mut start = 0.0;
        Resolution::ALL
            .iter()
            .zip(shares)
            .zip([Indicator::Service, Indicator::Management, Indicator::Enforcement])
            .map(|((r, share), indicator)| {
                let at = start;
                start += share;
                (r.name_zh(), share, r.aim_percent(), indicator.code(), at)
            })
            .collect()
    }

    fn ratio(&self, counts: &Counts) -> String {
        counts.shares_721().map_or_else(
            || "—".to_owned(),
            |[s, m, e]| format!("{:.0} : {:.0} : {:.0}", s / 10.0, m / 10.0, e / 10.0),
        )
    }
}

pub async fn page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<IndicatorQuery>,
) -> PageResult {
    let month = month_of(&state, &query.month)?;
    let chrome =
        Chrome::new(&state, &principal, &headers, "matter_indicators", "事项指标与721", "Matter indicators")
            .await?;
    let view = ops::indicators(&state, &principal.actor(&info), month).await?;
    let page = IndicatorsPage {
        chrome,
        month: month.to_string(),
        previous: month.previous().to_string(),
        next: month.next().to_string(),
        view,
        shown: [
            Indicator::Accepted,
            Indicator::Dispatched,
            Indicator::Handled,
            Indicator::Closed,
            Indicator::Reworked,
            Indicator::Extended,
        ],
        rates: Rate::ALL,
        person_shown: [
            Indicator::Handled,
            Indicator::HandledOnTime,
            Indicator::Closed,
            Indicator::Reworked,
            Indicator::Extended,
        ],
        person_rates: [Rate::OnTimeHandling, Rate::Rework, Rate::Extension, Rate::Satisfaction],
    };
    render_status(&page, StatusCode::OK)
}

/// `导出Excel`: the month's indicators per unit and per class, every count and rate.
pub async fn xlsx(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<IndicatorQuery>,
) -> PageResult {
    let month = month_of(&state, &query.month)?;
    let actor = principal.actor(&info);
    let view = ops::indicators(&state, &actor, month).await?;
    let bytes = workbook(&view).map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("matter.indicators.export", "matter_indicators", month.to_string())
                .details(serde_json::json!({ "units": view.units.len() })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("matter_indicators_{month}.xlsx"),
        &format!("事项指标_{month}.xlsx"),
    ))
}

fn workbook(view: &IndicatorsView) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let people: Vec<(String, String, Counts)> = view
        .people
        .iter()
        .map(|p| (p.person_id.clone(), format!("{}（{}）", p.name, p.unit_name), p.counts.clone()))
        .collect();
    for (title, rows) in [("按单位", &view.units), ("按类别", &view.categories), ("按处置人", &people)]
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name(title)?;
        sheet.write_with_format(
            0,
            0,
            format!("{} 事项办理指标（{title}）", view.month),
            &Format::new().set_bold(),
        )?;
        let mut col = 0u16;
        sheet.write_with_format(1, col, "单位/类别/处置人", &bold)?;
        sheet.set_column_width(0, 24.0)?;
        for i in Indicator::ALL {
            col += 1;
            sheet.write_with_format(1, col, i.name_zh(), &bold)?;
        }
        for r in Rate::ALL {
            col += 1;
            sheet.write_with_format(1, col, r.name_zh(), &bold)?;
        }
        let total = ("".to_owned(), "合计".to_owned(), view.total.clone());
        let all: Vec<&(String, String, Counts)> =
            rows.iter().chain((title == "按单位").then_some(&total)).collect();
        for (r, (_, name, counts)) in all.iter().enumerate() {
            let row = (r + 2) as u32;
            sheet.write(row, 0, name.as_str())?;
            let mut col = 0u16;
            for i in Indicator::ALL {
                col += 1;
                sheet.write(row, col, counts.get(*i) as f64)?;
            }
            for rate in Rate::ALL {
                col += 1;
                match counts.rate(*rate) {
                    Some(v) => sheet.write(row, col, (v * 10.0).round() / 10.0)?,
                    None => sheet.write(row, col, "—")?,
                };
            }
        }
        sheet.set_freeze_panes(2, 1)?;
    }
    workbook.save_to_buffer()
}

/// `?month=&indicator=&unit=`: the matters behind one figure.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct BehindQuery {
    /// `YYYY-MM`; empty: this month.
    #[serde(default)]
    #[param(pattern = r"^(20[0-9]{2}-(0[1-9]|1[0-2]))?$")]
    pub month: String,
    /// An indicator code (`closed`, `reworked`, `service`, …).
    #[param(
        pattern = "^(accepted|dispatched|handled|handled_on_time|closed|closed_on_time|reworked|extended|visited|satisfied|referred|referral_on_time|service|management|enforcement)$"
    )]
    pub indicator: String,
    /// A unit id, `-` for the centre's own matters; empty: all in view.
    #[serde(default)]
    pub unit: String,
    /// A 处置人's person id; empty: everyone.
    #[serde(default)]
    #[param(max_length = 64)]
    pub person: String,
}

/// A 处置人's id as the query gives it: at most 64 characters, as the document says.
fn person_of(raw: &str) -> Result<&str, AppError> {
    if raw.chars().count() > 64 {
        return Err(AppError::Invalid(FieldErrors::single("person", "invalid_value", "处置人编号过长")));
    }
    Ok(raw)
}

/// The query parsed and the matters behind its figure, for the page and the API alike.
async fn behind(
    state: &AppState,
    actor: &crate::ops::Actor,
    query: &BehindQuery,
) -> Result<(Month, Indicator, Vec<Matter>), AppError> {
    let month = month_of(state, &query.month)?;
    let indicator = indicator_of(&query.indicator)?;
    let person = person_of(&query.person)?;
    let matters = ops::matters_behind(state, actor, month, indicator, &query.unit, person, 1).await?;
    Ok((month, indicator, matters))
}

fn indicator_of(raw: &str) -> Result<Indicator, AppError> {
    Indicator::ALL.iter().copied().find(|i| i.code() == raw).ok_or_else(|| {
        AppError::Invalid(FieldErrors::single("indicator", "invalid_value", "指标的取值不正确"))
    })
}

/// A matter behind a figure, as the API lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BehindDto {
    pub id: String,
    pub number: String,
    pub title: String,
    pub status: String,
    pub resolution: Option<String>,
    pub reported_at: String,
}

#[utoipa::path(get, path = "/api/v1/matter-indicators/matters", tag = "intake", params(BehindQuery),
    responses((status = 200, body = Vec<BehindDto>), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_behind(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<BehindQuery>,
) -> ApiResult<Json<Vec<BehindDto>>> {
    let (_, _, matters) = behind(&state, &principal.actor(&info), &query).await?;
    Ok(Json(
        matters
            .iter()
            .map(|m| BehindDto {
                id: m.id.clone(),
                number: m.number.clone(),
                title: m.title.clone(),
                status: m.status.code().to_owned(),
                resolution: m.resolution.map(|r| r.code().to_owned()),
                reported_at: m.reported_at.to_rfc3339(),
            })
            .collect(),
    ))
}

#[derive(Template)]
#[template(path = "matter_behind.html")]
struct BehindPage {
    chrome: Chrome,
    month: Month,
    indicator: Indicator,
    matters: Vec<Matter>,
}

impl BehindPage {
    fn time(&self, m: &Matter) -> String {
        display(m.reported_at)[..16].to_owned()
    }
}

pub async fn behind_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<BehindQuery>,
) -> PageResult {
    let (month, indicator, matters) = behind(&state, &principal.actor(&info), &query).await?;
    let chrome = Chrome::new(
        &state,
        &principal,
        &headers,
        "matter_indicators",
        indicator.name_zh(),
        "Matters behind a figure",
    )
    .await?;
    Ok(render_status(&BehindPage { chrome, month, indicator, matters }, StatusCode::OK)?.into_response())
}
