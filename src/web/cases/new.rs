//! Opening a case: the lead (线索) form and the on-the-spot decision (当场处罚) form.

use super::*;

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    party: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    name: String,
    /// The matter the case is opened from (立案查处 on a matter's page).
    #[serde(default)]
    matter: String,
}

/// The form as posted: the lead, and the matter (with the version read) it is opened from, if
/// it is.
#[derive(Debug, Deserialize)]
pub struct CaseForm {
    #[serde(flatten)]
    input: OpenInput,
    #[serde(default)]
    matter_id: String,
    #[serde(default)]
    matter_version: String,
}

/// The matter a case is being opened from, as the form carries it.
struct MatterRef {
    id: String,
    number: String,
    version: i64,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    chrome: Chrome,
    input: OpenInput,
    errors: FieldErrors,
    refusal: Option<String>,
    party_name: String,
    matches: Vec<(String, String, &'static str)>,
    search: String,
    categories: Vec<Category>,
    items: Vec<Item>,
    units: Vec<(String, String)>,
    officers: Vec<(String, String)>,
    sources: Vec<(&'static str, &'static str)>,
    matter: Option<MatterRef>,
}

impl NewPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn simple(&self) -> bool {
        self.input.is_simple()
    }
    /// `&matter=ID` for the links that reload the form, so that the matter stays.
    fn matter_param(&self) -> String {
        self.matter.as_ref().map(|m| format!("&matter={}", m.id)).unwrap_or_default()
    }
}

// The form's own state (errors, refusal, search, matter) beside the request's.
#[allow(clippy::too_many_arguments)]
async fn new_form(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    input: OpenInput,
    errors: FieldErrors,
    refusal: Option<String>,
    search: String,
    matter: Option<MatterRef>,
) -> PageResult {
    let simple = input.is_simple();
    let chrome = Chrome::new(
        state,
        principal,
        headers,
        "cases",
        if simple { "当场处罚（简易程序）" } else { "登记线索" },
        if simple { "On-the-spot decision" } else { "Register a lead" },
    )
    .await?;
    let party = if input.party_id.is_empty() { None } else { state.db.party(&input.party_id).await? };
    let matches = if party.is_none() && !search.trim().is_empty() {
        state
            .db
            .parties(&search, "", 1, 20)
            .await?
            .0
            .into_iter()
            .map(|p| (p.id, p.name, if p.organisation { "单位" } else { "自然人" }))
            .collect()
    } else {
        Vec::new()
    };
    let all_units = state.db.units().await?;
    let units = all_units
        .iter()
        .filter(|u| {
            unit_in_scope(&principal.roles, principal.unit_id.as_deref(), Action::CaseOpen, &all_units, &u.id)
        })
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let status = if refusal.is_some() || !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(
        &NewPage {
            chrome,
            party_name: party.map(|p| p.name).unwrap_or_default(),
            matches,
            search,
            categories: state.db.case_categories().await?,
            items: state.db.enforcement_items().await?,
            units,
            officers: if simple { officer_options(state).await? } else { Vec::new() },
            sources: SOURCES.iter().map(|(c, n, _)| (*c, *n)).collect(),
            input,
            errors,
            refusal,
            matter,
        },
        status,
    )
}

pub async fn new_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<NewQuery>,
) -> PageResult {
    let today = civil_date(state.now()).to_string();
    let procedure = Procedure::parse(&query.procedure).unwrap_or(Procedure::General).code().to_owned();
    let (input, matter) = if query.matter.is_empty() {
        let input = OpenInput {
            unit_id: principal.unit_id.clone().unwrap_or_default(),
            source: "patrol".into(),
            clue_on: today.clone(),
            act_on: today,
            ..Default::default()
        };
        (input, None)
    } else {
        let actor = principal.actor(&info);
        let matter = state
            .db
            .matter(&actor.visibility(Action::MatterAct), &query.matter)
            .await?
            .ok_or(AppError::NotFound)?;
        let input = crate::ops::intake::case_input(&matter);
        (input, Some(MatterRef { id: matter.id, number: matter.number, version: matter.version }))
    };
    let input = OpenInput { procedure, party_id: query.party, ..input };
    new_form(&state, &principal, &headers, input, FieldErrors::default(), None, query.name, matter).await
}

pub async fn create_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<CaseForm>,
) -> PageResult {
    let actor = principal.actor(&info);
    let CaseForm { input, matter_id, matter_version } = form;
    let (opened, matter) = if matter_id.is_empty() {
        (open_case(&state, &actor, &input).await, None)
    } else {
        let version = matter_version.trim().parse::<i64>().map_err(|_| {
            AppError::Invalid(FieldErrors::single(
                "matter_version",
                "version_invalid",
                "事项版本号不正确，请刷新后重试",
            ))
        })?;
        let matter = state
            .db
            .matter(&actor.visibility(Action::MatterAct), &matter_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let opened =
            crate::ops::intake::open_case(&state, &actor, &matter_id, version, &input).await.map(|(_, o)| o);
        (opened, Some(MatterRef { id: matter.id, number: matter.number, version }))
    };
    match opened {
        Ok(opened) => Ok(Redirect::to(&format!("/cases/{}", opened.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            new_form(&state, &principal, &headers, input, errors, None, String::new(), matter).await
        }
        Err(AppError::Refused { message, .. }) => {
            new_form(
                &state,
                &principal,
                &headers,
                input,
                FieldErrors::default(),
                Some(message),
                String::new(),
                matter,
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}
