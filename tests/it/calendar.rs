//! The working-day calendar through the store, the API and the command line.

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Duration, NaiveDate};

use crate::support::TestApp;

#[tokio::test]
async fn every_day_from_2017_to_2026_agrees_with_an_independent_source() {
    let app = TestApp::new().await;
    let calendar = app.db.work_calendar().await.unwrap();
    let mut day = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap();
    let mut checked = 0;
    // The oracle's data ends on 2026-12-25; the last six days are ordinary weekdays and weekends.
    let oracle_end = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
    while day <= oracle_end {
        let ymd = chinese_holiday::Ymd::new(day.year() as u16, day.month() as u8, day.day() as u8);
        let expected = chinese_holiday::chinese_holiday(ymd).is_workday();
        assert_eq!(calendar.is_workday(day), Ok(expected), "{day}");
        day += Duration::days(1);
        checked += 1;
    }
    assert_eq!(checked, 3646);
    assert_eq!(calendar.is_workday(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()), Ok(true));
    let years: Vec<i32> = calendar.years().collect();
    assert_eq!(years, (2017..=2026).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_api_answers_working_day_questions_and_refuses_unknown_years() {
    let app = TestApp::new().await;
    let token = app.token("officer01").await;
    let rest = app.get_bearer("/api/v1/calendar/workday?date=2026-02-16", &token).await.json();
    assert_eq!(rest["kind"], "rest");
    let period = app.get_bearer("/api/v1/calendar/add-workdays?date=2026-02-13&n=5", &token).await.json();
    assert_eq!(period["end"], "2026-02-27");
    let calendar_days =
        app.get_bearer("/api/v1/calendar/period-end?date=2026-09-16&n=15", &token).await.json();
    assert_eq!(calendar_days["end"], "2026-10-08");
    let unknown = app.get_bearer("/api/v1/calendar/workday?date=2027-03-01", &token).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["error"], "calendar_year_not_covered");
    let bad = app.get_bearer("/api/v1/calendar/add-workdays?date=2026-02-30&n=0", &token).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["fields"][0]["field"], "date");
}

#[tokio::test]
async fn the_system_administrator_enters_the_next_years_arrangement() {
    let app = TestApp::new().await;
    let admin = app.token("sysadmin").await;
    let officer = app.token("officer01").await;
    let body = serde_json::json!({
        "notice": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "days": [
            { "date": "2027-01-01", "kind": "rest", "festival": "元旦" },
            { "date": "2027-02-20", "kind": "work", "festival": "春节" }
        ]
    });
    let refused = app.json(Method::PUT, "/api/v1/calendar/years/2027", &officer, body.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let saved = app.json(Method::PUT, "/api/v1/calendar/years/2027", &admin, body.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.json()["version"], 1);
    assert_eq!(app.audit_count("calendar.set_year").await, 1);
    let saturday = app.get_bearer("/api/v1/calendar/workday?date=2027-02-20", &officer).await.json();
    assert_eq!(saturday["kind"], "workday");
    // Replacing with a stale version is refused and changes nothing.
    let mut stale = body.clone();
    stale["version"] = 7.into();
    stale["days"] = serde_json::json!([]);
    assert_eq!(
        app.json(Method::PUT, "/api/v1/calendar/years/2027", &admin, stale).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.get_bearer("/api/v1/calendar/workday?date=2027-02-20", &officer).await.json()["kind"],
        "workday"
    );
    // A day outside the year is a field error.
    let wrong = serde_json::json!({ "notice": "x", "days": [{ "date": "2028-01-01", "kind": "rest", "festival": "元旦" }], "version": 1 });
    assert_eq!(
        app.json(Method::PUT, "/api/v1/calendar/years/2027", &admin, wrong).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn staff_compute_periods_and_the_system_administrator_enters_a_year_on_the_page() {
    let app = TestApp::new().await;
    let officer = app.login("officer01").await;
    let page = app.get("/calendar?date=2026-02-13&n=5&mode=workdays", Some(&officer)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2026年2月27日"), "{}", page.body);
    let unknown = app.get("/calendar?date=2027-02-13&n=5&mode=workdays", Some(&officer)).await;
    assert!(unknown.body.contains("尚未录入 2027 年的节假日安排"));
    assert!(!page.body.contains("录入或更正一年的安排"), "an officer sees no entry form");

    let admin = app.login("sysadmin").await;
    let bad = app
        .post_form(
            "/calendar/years",
            Some(&admin),
            &[("year", "2027"), ("notice", "通知"), ("days", "2027-01-01 放 元旦")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("第 1 行应为"));
    let saved = app
        .post_form(
            "/calendar/years",
            Some(&admin),
            &[
                ("year", "2027"),
                ("notice", "国务院办公厅关于2027年部分节假日安排的通知（测试）"),
                ("days", "2027-01-01 休 元旦\n2027-02-20 班 春节\n"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let year = app.get("/calendar?year=2027", Some(&officer)).await;
    assert!(year.body.contains("2027-02-20"));
    assert_eq!(app.audit_count("calendar.set_year").await, 1);
}
