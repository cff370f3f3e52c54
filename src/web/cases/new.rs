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
}

impl NewPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn simple(&self) -> bool {
        self.input.is_simple()
    }
}

async fn new_form(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    input: OpenInput,
    errors: FieldErrors,
    refusal: Option<String>,
    search: String,
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
        },
        status,
    )
}

pub async fn new_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<NewQuery>,
) -> PageResult {
    let today = civil_date(state.now()).to_string();
    let input = OpenInput {
        procedure: Procedure::parse(&query.procedure).unwrap_or(Procedure::General).code().into(),
        party_id: query.party,
        unit_id: principal.unit_id.clone().unwrap_or_default(),
        source: "patrol".into(),
        clue_on: today.clone(),
        act_on: today,
        ..Default::default()
    };
    new_form(&state, &principal, &headers, input, FieldErrors::default(), None, query.name).await
}

pub async fn create_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<OpenInput>,
) -> PageResult {
    match open_case(&state, &principal.actor(&info), &input).await {
        Ok(opened) => Ok(Redirect::to(&format!("/cases/{}", opened.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            new_form(&state, &principal, &headers, input, errors, None, String::new()).await
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
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}
