//! 派驻中队目标考核 (issue 16 scope 1): every computed indicator against a month counted by hand,
//! the Art. 74 refusal, weights that must add up, publication that freezes and corrections
//! that carry a reason, scopes, the CLI's JSON, and the demo's year.

use std::process::Command;

use axum::http::{Method, StatusCode};

use crate::cases::new_party;
use crate::support::TestApp;

/// Runs SQL the application never runs itself: the fixture's clocks and steps, and the checks
/// that the database refuses to change what is frozen.
async fn exec(app: &TestApp, sql: &str) -> Result<(), String> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.db.pool() {
        chengguan::store::Pool::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        chengguan::store::Pool::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
    }
    .map_err(|e| e.to_string())
}

/// A scheme for 2026 with every metric counted below and one recorded indicator, adopted.
/// Answers the indicators' ids by name.
async fn adopt_scheme(app: &TestApp, office: &str) -> serde_json::Value {
    let r = app
        .json(Method::PUT, "/api/v1/assessment/schemes/2026", office, serde_json::json!({"total": "100"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (name, source, metric, rule, weight, per) in [
        ("办案按期率", "computed", "handling_on_time", "rate", "20", ""),
        ("法定期限超期", "computed", "deadlines_missed", "deduct", "10", "2"),
        ("重大案件法制审核率", "computed", "legal_review", "rate", "10", ""),
        ("全过程记录率", "computed", "recording", "rate", "10", ""),
        ("持证上岗率", "computed", "certificates", "rate", "10", ""),
        ("日常检查", "recorded", "", "deduct", "40", ""),
    ] {
        let body = serde_json::json!({
            "name": name, "source": source, "metric": metric, "rule": rule, "weight": weight, "per": per,
        });
        let r = app.json(Method::POST, "/api/v1/assessment/schemes/2026/indicators", office, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {}", r.body);
    }
    let scheme = app.get_bearer("/api/v1/assessment/schemes/2026", office).await.json();
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/schemes/2026/adopt",
            office,
            serde_json::json!({"version": scheme["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    app.get_bearer("/api/v1/assessment/schemes/2026", office).await.json()
}

fn indicator_id(scheme: &serde_json::Value, name: &str) -> String {
    scheme["indicators"].as_array().unwrap().iter().find(|i| i["name"] == name).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A new squad with three officers (two certificates valid on 31 January, one lapsed on the
/// 15th) and an auxiliary, who does not count. Answers the squad's id.
async fn fixture_squad(app: &TestApp, office: &str) -> String {
    let units = app.get_bearer("/api/v1/units", office).await.json();
    let brigade = units.as_array().unwrap().iter().find(|u| u["kind"] == "brigade").unwrap()["id"].clone();
    let unit =
        serde_json::json!({"parent_id": brigade, "kind": "squad", "name": "考核测试中队", "code": "ZL-KH-1"});
    let r = app.json(Method::POST, "/api/v1/units", office, unit).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let squad = r.json()["id"].as_str().unwrap().to_owned();
    for (n, employment, valid_to) in [
        (1, "officer", Some("2027-12-31")),
        (2, "officer", Some("2026-06-30")),
        (3, "officer", Some("2026-01-15")),
        (4, "auxiliary", None),
    ] {
        let person = serde_json::json!({"name": format!("考核{n}"), "gender": "male", "unit_id": squad, "employment": employment});
        let r = app.json(Method::POST, "/api/v1/people", office, person).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        if let Some(valid_to) = valid_to {
            let path = format!("/api/v1/people/{}/certificates", r.json()["id"].as_str().unwrap());
            let cert = serde_json::json!({"number": format!("KH-{n}"), "valid_from": "2025-01-01", "valid_to": valid_to});
            assert_eq!(app.json(Method::POST, &path, office, cert).await.status, StatusCode::CREATED);
        }
    }
    squad
}

#[tokio::test]
async fn every_computed_indicator_matches_a_month_counted_by_hand() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let leader = app.token("leader01").await;
    let squad = fixture_squad(&app, &office).await;
    let scheme = adopt_scheme(&app, &office).await;
    // Three cases, moved to the new squad; their clocks and steps in January are the fixture.
    let mut cases = Vec::new();
    for (n, id_number) in
        ["11010519491231002X", "110105198001010016", "110105199003070017"].iter().enumerate()
    {
        let party = new_party(&app, &leader, id_number).await;
        let body = serde_json::json!({
            "procedure": "general", "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-001",
            "title": format!("考核测试{n}"), "location": "延陵西路", "source": "patrol",
            "clue_on": "2026-03-02", "act_on": "2026-03-02",
        });
        let r = app.json(Method::POST, "/api/v1/cases", &leader, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        cases.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    let (a, b, c) = (&cases[0], &cases[1], &cases[2]);
    let clock = |case: &str,
                 kind: &str,
                 n: i64,
                 due: &str,
                 met: Option<&str>,
                 provisional: bool,
                 duty: bool| {
        let met = met.map_or("NULL".to_owned(), |m| format!("'{m}'"));
        format!(
            "INSERT INTO case_clocks (case_id, kind, n, unit_id, start_on, due_on, provisional, duty, met_on) \
             VALUES ('{case}', '{kind}', {n}, '{squad}', '2025-11-01', '{due}', {provisional}, {duty}, {met});"
        )
    };
    let event = |case: &str, seq: i64, at: &str, code: &str| {
        format!(
            "INSERT INTO case_events (case_id, seq, at, actor, code, summary, details) \
             VALUES ('{case}', {seq}, '{at}', 'fixture', '{code}', '', '{{}}');"
        )
    };
    let fixture = [
        // Handling terms: met in time (in), met late (in, by its due day), unmet past due (in),
        // met in January though due in February (in), met in January but due in December (out:
        // it failed in December), unmet and provisional (out).
        clock(a, "handling", 10, "2026-01-20", Some("2026-01-15"), false, true),
        clock(a, "handling", 11, "2026-01-10", Some("2026-01-12"), false, true),
        clock(b, "handling", 10, "2026-01-25", None, false, true),
        clock(b, "handling", 11, "2026-02-10", Some("2026-01-30"), false, true),
        clock(c, "handling", 10, "2025-12-20", Some("2026-01-05"), false, true),
        clock(c, "handling", 11, "2026-01-28", None, true, true),
        // Other terms of the bureau: one decision term missed; a party's payment term is not
        // the bureau's to meet.
        clock(c, "decision", 10, "2026-01-15", None, false, true),
        clock(c, "payment", 10, "2026-01-10", None, false, false),
        // Major cases decided in January: one reviewed first, one not; a minor case does not count.
        event(a, 100, "2026-01-05T02:00:00.000000Z", "review"),
        event(a, 101, "2026-01-06T02:00:00.000000Z", "decide"),
        event(b, 100, "2026-01-20T02:00:00.000000Z", "decide"),
        event(c, 100, "2026-01-08T02:00:00.000000Z", "decide"),
        // A hearing, which must be filmed, with no recording attached.
        event(c, 101, "2026-01-09T02:00:00.000000Z", "hold_hearing"),
        format!("UPDATE cases SET unit_id = '{squad}' WHERE id IN ('{a}', '{b}', '{c}');"),
        format!("UPDATE cases SET major = TRUE WHERE id IN ('{a}', '{b}');"),
    ];
    for sql in &fixture {
        exec(&app, sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let entry = serde_json::json!({
        "unit_id": squad, "indicator_id": indicator_id(&scheme, "日常检查"), "on": "2026-01-20", "points": "3",
        "note": "两名队员未规范着装", "basis": "钟城管督〔2026〕1号",
    });
    assert_eq!(
        app.json(Method::POST, "/api/v1/assessment/entries", &office, entry).await.status,
        StatusCode::CREATED
    );

    let results = app.get_bearer("/api/v1/assessment/results?period=2026-01", &office).await.json();
    assert_eq!(results["published"], false);
    let ours = results["results"].as_array().unwrap().iter().find(|r| r["unit_id"] == squad).unwrap();
    let line =
        |name: &str| ours["breakdown"].as_array().unwrap().iter().find(|l| l["indicator"] == name).unwrap();
    // By hand: handling 2 of 4 → 10; missed 3 (two handling, one decision) → 10 − 6 = 4;
    // reviewed 1 of 2 → 5; filmed 0 of 1 → 0; certificates 2 of 3 → 6.67; recorded 40 − 3 = 37.
    for (name, points, value) in [
        ("办案按期率", 10.0, "2/4"),
        ("法定期限超期", 4.0, "3 项，每项扣 2 分"),
        ("重大案件法制审核率", 5.0, "1/2"),
        ("全过程记录率", 0.0, "0/1"),
        ("持证上岗率", 6.67, "2/3"),
        ("日常检查", 37.0, "扣分 1 项"),
    ] {
        assert_eq!(line(name)["points"], points, "{name}: {}", line(name));
        assert_eq!(line(name)["value"], value, "{name}");
    }
    assert_eq!(line("办案按期率")["source"], "computed");
    assert_eq!(line("日常检查")["source"], "recorded");
    assert_eq!(ours["score"], 62.67);

    // The records behind a computed line are one click away, in the same condition.
    let session = app.login("office01").await;
    let id = indicator_id(&scheme, "法定期限超期");
    let page = app.get(&format!("/assessment/squads/{squad}?period=2026-01&line={id}"), Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("不符合").count(), 3, "three missed terms listed");
    assert!(page.body.contains("2026-01-15") && page.body.contains("decision"));
}

#[tokio::test]
async fn an_indicator_over_fines_is_refused_citing_article_74_and_weights_must_add_up() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    app.json(Method::PUT, "/api/v1/assessment/schemes/2026", &office, serde_json::json!({"total": "100"}))
        .await;
    let path = "/api/v1/assessment/schemes/2026/indicators";
    for (name, metric) in
        [("罚没款完成率", "handling_on_time"), ("办案数量", "fine_amount"), ("月度处罚数", "recording")]
    {
        let body = serde_json::json!({"name": name, "source": "computed", "metric": metric, "rule": "rate", "weight": "10"});
        let r = app.json(Method::POST, path, &office, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let fields = r.json()["fields"].as_array().unwrap().clone();
        assert!(fields.iter().any(|f| f["code"] == "penalty_linked_indicator"), "{name}: {}", r.body);
        assert!(r.body.contains("第七十四条"), "{}", r.body);
    }
    // The page form is refused by the same rule.
    let session = app.login("office01").await;
    let form = [
        ("name", "罚款任务完成情况"),
        ("source", "recorded"),
        ("metric", ""),
        ("rule", "deduct"),
        ("weight", "10"),
        ("per", ""),
        ("note", ""),
    ];
    let page = app.post_form("/assessment/schemes/2026/indicators", Some(&session), &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("第七十四条"));
    assert_eq!(
        app.get_bearer("/api/v1/assessment/schemes/2026", &office).await.json()["indicators"],
        serde_json::json!([])
    );

    for (name, weight) in [("办案按期率", "60"), ("日常检查", "35.5")] {
        let source = if name == "日常检查" {
            ("recorded", "", "deduct")
        } else {
            ("computed", "handling_on_time", "rate")
        };
        let body = serde_json::json!({"name": name, "source": source.0, "metric": source.1, "rule": source.2, "weight": weight});
        assert_eq!(app.json(Method::POST, path, &office, body).await.status, StatusCode::CREATED);
    }
    let version = app.get_bearer("/api/v1/assessment/schemes/2026", &office).await.json()["version"].clone();
    let adopt = app
        .json(
            Method::POST,
            "/api/v1/assessment/schemes/2026/adopt",
            &office,
            serde_json::json!({"version": version}),
        )
        .await;
    assert_eq!(adopt.json()["fields"][0]["code"], "weights_under_total", "{}", adopt.body);
    assert!(adopt.body.contains("少 4.5 分"), "the difference is named: {}", adopt.body);
    // Without an adopted scheme there are no results.
    let none = app.get_bearer("/api/v1/assessment/results?period=2026-01", &office).await;
    assert_eq!(none.json()["error"], "no_scheme", "{}", none.body);
    // Stale versions are conflicts.
    let stale = app
        .json(
            Method::POST,
            "/api/v1/assessment/schemes/2026/adopt",
            &office,
            serde_json::json!({"version": 1}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY, "weights first: {}", stale.body);
    let r = app
        .json(
            Method::PUT,
            "/api/v1/assessment/schemes/2026",
            &office,
            serde_json::json!({"total": "95.5", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = app
        .json(
            Method::PUT,
            "/api/v1/assessment/schemes/2026",
            &office,
            serde_json::json!({"total": "95.5", "version": version}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let version = r.json()["version"].clone();
    let adopt = app
        .json(
            Method::POST,
            "/api/v1/assessment/schemes/2026/adopt",
            &office,
            serde_json::json!({"version": version}),
        )
        .await;
    assert_eq!(adopt.status, StatusCode::NO_CONTENT, "{}", adopt.body);
    // Adopted: frozen in the operation and in the database.
    let more = serde_json::json!({"name": "新增", "source": "recorded", "rule": "award", "weight": "5"});
    assert_eq!(app.json(Method::POST, path, &office, more).await.json()["error"], "scheme_adopted");
    let frozen =
        exec(&app, "UPDATE assessment_schemes SET total_cp = 1 WHERE year = 2026").await.unwrap_err();
    assert!(frozen.contains("frozen"), "{frozen}");
    let frozen = exec(&app, "DELETE FROM assessment_indicators WHERE year = 2026").await.unwrap_err();
    assert!(frozen.contains("frozen"), "{frozen}");
}

#[tokio::test]
async fn publishing_freezes_a_month_and_a_correction_carries_its_reason() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let scheme = adopt_scheme(&app, &office).await;
    let recorded = indicator_id(&scheme, "日常检查");
    let unit = app.unit_id("南大街中队").await;
    let entry = |on: &str| serde_json::json!({"unit_id": unit, "indicator_id": recorded, "on": on, "points": "2", "note": "台账不全", "basis": "检查记录"});
    assert_eq!(
        app.json(Method::POST, "/api/v1/assessment/entries", &office, entry("2026-02-10")).await.status,
        StatusCode::CREATED
    );
    // The current month is not over: it cannot be published.
    let early = app
        .json(
            Method::POST,
            "/api/v1/assessment/publications",
            &office,
            serde_json::json!({"period": "2026-03"}),
        )
        .await;
    assert_eq!(early.json()["error"], "period_not_over", "{}", early.body);
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/publications",
            &office,
            serde_json::json!({"period": "2026-02"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let again = app
        .json(
            Method::POST,
            "/api/v1/assessment/publications",
            &office,
            serde_json::json!({"period": "2026-02"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let late = app.json(Method::POST, "/api/v1/assessment/entries", &office, entry("2026-02-20")).await;
    assert_eq!(late.json()["error"], "period_published", "{}", late.body);

    let published = app.get_bearer("/api/v1/assessment/results?period=2026-02", &office).await.json();
    assert_eq!(published["published"], true);
    let ours =
        published["results"].as_array().unwrap().iter().find(|r| r["unit_id"] == unit).unwrap().clone();
    let line =
        ours["breakdown"].as_array().unwrap().iter().find(|l| l["indicator_id"] == recorded).unwrap().clone();
    assert_eq!(line["points"], 38.0);
    let correction = |reason: &str| serde_json::json!({"period": "2026-02", "unit_id": unit, "indicator_id": recorded, "points": "40", "reason": reason});
    let bare = app.json(Method::POST, "/api/v1/assessment/corrections", &office, correction(" ")).await;
    assert_eq!(bare.json()["fields"][0]["field"], "reason", "{}", bare.body);
    let over = serde_json::json!({"period": "2026-02", "unit_id": unit, "indicator_id": recorded, "points": "41", "reason": "复核"});
    assert_eq!(
        app.json(Method::POST, "/api/v1/assessment/corrections", &office, over).await.json()["fields"][0]["field"],
        "points"
    );
    let r =
        app.json(Method::POST, "/api/v1/assessment/corrections", &office, correction("复核撤销扣分")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let after = app.get_bearer("/api/v1/assessment/results?period=2026-02", &office).await.json();
    let ours_after =
        after["results"].as_array().unwrap().iter().find(|r| r["unit_id"] == unit).unwrap().clone();
    let line = ours_after["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["indicator_id"] == recorded)
        .unwrap()
        .clone();
    assert_eq!(
        (line["points"].clone(), line["corrected_from"].clone()),
        (serde_json::json!(40.0), serde_json::json!(38.0))
    );
    assert_eq!(line["correction_reason"], "复核撤销扣分");
    let score = |r: &serde_json::Value| r["score"].as_f64().unwrap();
    assert!((score(&ours_after) - score(&ours) - 2.0).abs() < 1e-9);
    assert_eq!(app.audit_count("assessment.correct").await, 1);
    assert_eq!(app.audit_count("assessment.publish").await, 1);
    for sql in [
        "UPDATE assessment_publications SET results = '[]'",
        "DELETE FROM assessment_corrections",
        "DELETE FROM assessment_entries",
    ] {
        let refused = exec(&app, sql).await.unwrap_err();
        assert!(refused.contains("append-only"), "{sql}: {refused}");
    }
    // Every squad's breakdown adds up to its score, published or live.
    for period in ["2026-02", "2026-03", "2026"] {
        let view =
            app.get_bearer(&format!("/api/v1/assessment/results?period={period}"), &office).await.json();
        for r in view["results"].as_array().unwrap() {
            let sum: f64 =
                r["breakdown"].as_array().unwrap().iter().map(|l| l["points"].as_f64().unwrap()).sum();
            assert!((sum - score(r)).abs() < 0.005, "{period} {r}");
        }
    }
}

#[tokio::test]
async fn only_the_office_assesses_and_a_squad_sees_its_own_live_results() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let scheme = adopt_scheme(&app, &office).await;
    let unit = app.unit_id("南大街中队").await;
    let squad = app.token("squadlead01").await;
    let live = app.get_bearer("/api/v1/assessment/results?period=2026-02", &squad).await.json();
    let units: Vec<&str> =
        live["results"].as_array().unwrap().iter().map(|r| r["unit_id"].as_str().unwrap()).collect();
    assert_eq!(units, [unit.as_str()], "a squad leader sees the own squad's live result");
    let entry = serde_json::json!({
        "unit_id": unit, "indicator_id": indicator_id(&scheme, "日常检查"), "on": "2026-02-10", "points": "2",
        "note": "自评", "basis": "无",
    });
    assert_eq!(
        app.json(Method::POST, "/api/v1/assessment/entries", &squad, entry).await.status,
        StatusCode::FORBIDDEN
    );
    let supervisor = app.token("supervisor01").await;
    assert_eq!(app.get_bearer("/api/v1/assessment/results", &supervisor).await.status, StatusCode::FORBIDDEN);
    // Once published, the ranking is the bureau's notice: every squad is listed.
    app.json(
        Method::POST,
        "/api/v1/assessment/publications",
        &office,
        serde_json::json!({"period": "2026-02"}),
    )
    .await;
    let published = app.get_bearer("/api/v1/assessment/results?period=2026-02", &squad).await.json();
    assert!(published["results"].as_array().unwrap().len() > 1);
    // A bad period is a field error, not a crash.
    let bad = app.get_bearer("/api/v1/assessment/results?period=2026-13", &office).await;
    assert_eq!(bad.json()["fields"][0]["code"], "period_invalid");
}

#[tokio::test]
async fn the_demo_year_and_the_cli_print_every_squad_with_a_breakdown_that_adds_up() {
    let app = TestApp::new().await;
    chengguan::demo::seed_training(&app.db, app.clock_now()).await.unwrap();
    let entries = chengguan::demo::seed_assessment(&app.state).await.unwrap();
    assert!(entries > 50, "{entries}");
    assert_eq!(chengguan::demo::seed_assessment(&app.state).await.unwrap(), 0, "idempotent");
    let office = app.token("office01").await;
    // Every ended month of the demo is published, the current one is live, and one line was
    // corrected with its reason.
    let last = app.get_bearer("/api/v1/assessment/results?period=2026-02", &office).await.json();
    assert_eq!(last["published"], true, "{last}");
    assert_eq!(
        app.get_bearer("/api/v1/assessment/results?period=2026-03", &office).await.json()["published"],
        false
    );
    assert_eq!(app.audit_count("assessment.correct").await, 1);
    let scores: Vec<f64> =
        last["results"].as_array().unwrap().iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).any(|w| w[0] != w[1]), "the squads' results differ: {scores:?}");

    let output = Command::new(env!("CARGO_BIN_EXE_chengguan"))
        .arg("--data-dir")
        .arg(app.dir.path())
        .arg("--database-url")
        .arg(&app.url)
        .args(["assessment", "squads", "--period", "2026-02", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let squads = printed.as_array().unwrap();
    assert_eq!(squads.len(), last["results"].as_array().unwrap().len());
    for squad in squads {
        assert!(squad["unit_id"].is_string() && squad["unit"].is_string(), "{squad}");
        let score = squad["score"].as_f64().expect("a number");
        let breakdown = squad["breakdown"].as_array().unwrap();
        assert!(!breakdown.is_empty());
        let mut sum = 0.0;
        for line in breakdown {
            assert!(line["indicator"].is_string());
            assert!(["computed", "recorded"].contains(&line["source"].as_str().unwrap()), "{line}");
            sum += line["points"].as_f64().unwrap();
        }
        assert!((sum - score).abs() < 0.005, "{squad}");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_chengguan"))
        .arg("--data-dir")
        .arg(app.dir.path())
        .arg("--database-url")
        .arg(&app.url)
        .args(["assessment", "squads", "--period", "2026-13", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
