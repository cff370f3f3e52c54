//! The holes a level-3 assessor looks for first, each tried as an attacker would: every test
//! here performs the attack and checks that it fails.

use axum::http::{Method, StatusCode};

use crate::support::TestApp;

/// Every kind of reader the demo has, administrators included.
const EVERY_ROLE: [&str; 11] = [
    "leader01",
    "office01",
    "squadlead01",
    "officer01",
    "aux01",
    "legal01",
    "center01",
    "supervisor01",
    "sysadmin",
    "secadmin",
    "auditadmin",
];

/// Whether a reader holding `shown` could rebuild the 居民身份证 number `full`: it is in the
/// text, or its birth date is, in any of the ways a page or an API writes a date, beside a mask
/// that hides exactly those eight digits.
fn rebuildable(shown: &str, full: &str) -> bool {
    let (y, m, d) = (&full[6..10], &full[10..12], &full[12..14]);
    let (mn, dn) = (m.trim_start_matches('0'), d.trim_start_matches('0'));
    let dates = [
        format!("{y}-{m}-{d}"),
        format!("{y}{m}{d}"),
        format!("{y}/{m}/{d}"),
        format!("{y}.{m}.{d}"),
        format!("{y}年{mn}月{dn}日"),
        format!("{y}年{m}月{d}日"),
    ];
    shown.contains(full) || dates.iter().any(|date| shown.contains(date.as_str()))
}

#[tokio::test]
async fn no_reader_can_rebuild_an_id_number_from_what_is_shown_without_a_reveal() {
    let app = TestApp::new().await;
    let officer = app.token("officer01").await;
    // Born 2010-07-15: a minor on the test day (2026-03-02), 15 years old.
    let number = "320404201007150013";
    let created = app
        .json(
            Method::POST,
            "/api/v1/parties",
            &officer,
            serde_json::json!({
                "kind": "person", "name": "吴小明", "document_type": "resident_id",
                "document_number": number, "phone": "13912345678", "address": "钟楼区南大街 2 号"
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let mut readers_with_access = 0;
    for username in EVERY_ROLE {
        let token = app.token(username).await;
        let mut shown = String::new();
        for path in [
            format!("/api/v1/parties/{id}"),
            "/api/v1/parties?name=%E5%90%B4%E5%B0%8F%E6%98%8E".to_owned(),
            format!("/api/v1/parties?number={number}"),
            format!("/parties/{id}"),
            "/parties?name=%E5%90%B4%E5%B0%8F%E6%98%8E".to_owned(),
        ] {
            let response = app.get_bearer(&path, &token).await;
            if response.status == StatusCode::OK {
                shown.push_str(&response.body);
            }
        }
        if shown.contains("320404********0013") {
            readers_with_access += 1;
        }
        assert!(!rebuildable(&shown, number), "{username} can rebuild the number from what is shown");
    }
    // The check above is about readers who see the file at all.
    assert!(readers_with_access >= 5, "only {readers_with_access} readers saw the masked number");

    // What staff need from the birth date is there: the age and the minor's mark (Art. 30).
    let leader = app.token("leader01").await;
    let dto = app.get_bearer(&format!("/api/v1/parties/{id}"), &leader).await.json();
    assert_eq!(dto["age"], 15);
    assert!(dto.get("birth_date").is_none());
    let page = app.get_bearer(&format!("/parties/{id}"), &leader).await;
    assert!(page.body.contains("15 周岁") && page.body.contains("未成年人"), "{}", page.body);

    // The audited reveal still gives the whole number and the date.
    let revealed = app
        .json(Method::POST, &format!("/api/v1/parties/{id}/reveal"), &officer, serde_json::json!({}))
        .await
        .json();
    assert_eq!(revealed["document_number"], number);
    assert_eq!(revealed["birth_date"], "2010-07-15");
}

#[test]
fn an_age_leaves_many_numbers_that_pass_the_check() {
    // With region, last four and the age shown, every birth date of that year of life is still
    // possible; count how many of them give a number whose check digit is the one shown.
    use chengguan::domain::party::{IdNumber, age_on};
    use chrono::NaiveDate;
    let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let shown_age = 15;
    let mut candidates = 0;
    let mut day = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
    while day < NaiveDate::from_ymd_opt(2012, 1, 1).unwrap() {
        let number = format!("320404{}0013", day.format("%Y%m%d"));
        if age_on(day, today) == shown_age && IdNumber::parse(&number).is_ok() {
            candidates += 1;
        }
        day = day.succ_opt().unwrap();
    }
    assert!(candidates >= 10, "only {candidates} numbers fit what is shown");
}

#[tokio::test]
async fn login_never_sends_the_browser_to_another_site() {
    let app = TestApp::new().await;
    for next in ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/\n/evil"]
    {
        let fields = [("username", "officer01"), ("password", crate::support::PASSWORD), ("next", next)];
        let response = app.submit_login(&fields, &[]).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{next:?}: {}", response.body);
        assert_eq!(response.location(), "/", "{next:?}");
    }
    let fields =
        [("username", "officer01"), ("password", crate::support::PASSWORD), ("next", "/cases?stage=filed")];
    let fine = app.submit_login(&fields, &[]).await;
    assert_eq!(fine.location(), "/cases?stage=filed");
}

#[tokio::test]
async fn the_api_map_is_for_signed_in_users_unless_published_and_hsts_is_sent() {
    let app = TestApp::new().await;
    let anonymous = app.get("/api/openapi.json", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.json()["error"], "unauthenticated");
    let token = app.token("officer01").await;
    assert_eq!(app.get_bearer("/api/openapi.json", &token).await.status, StatusCode::OK);
    let ui = app.get("/api/docs/", None).await;
    assert_eq!(ui.status, StatusCode::SEE_OTHER);
    assert!(ui.location().starts_with("/login"));
    let hsts = anonymous.headers.get("strict-transport-security").expect("HSTS on every response");
    assert_eq!(hsts, "max-age=31536000; includeSubDomains");

    let published = TestApp::with_config(|c| {
        c.api_docs_public = true;
        c.hsts_seconds = 0;
    })
    .await;
    let document = published.get("/api/openapi.json", None).await;
    assert_eq!(document.status, StatusCode::OK);
    assert_eq!(published.get("/api/docs/", None).await.status, StatusCode::OK);
    assert!(document.headers.get("strict-transport-security").is_none());
}

#[tokio::test]
async fn a_forwarded_for_header_names_the_client_only_from_the_right() {
    let app = TestApp::with_config(|c| {
        c.trust_forwarded_for = true;
        c.trusted_proxies = vec!["10.0.0.0/24".to_owned()];
    })
    .await;
    // The attacker writes an address of its choice on the left; our proxy 10.0.0.2 appends the
    // address it saw.
    let response = app
        .submit_login(
            &[("username", "nobody_here"), ("password", "x")],
            &[("x-forwarded-for", "127.0.0.1, 203.0.113.5, 10.0.0.2")],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.latest_audit("login.failure").await.content.source, "203.0.113.5");
}

#[tokio::test]
async fn a_login_form_posted_from_another_site_is_refused_and_recorded() {
    let app = TestApp::new().await;
    // A page elsewhere posts the form with the attacker's credentials: it has neither the
    // cookie (SameSite=Strict, HttpOnly) nor the token.
    let forged = app
        .post_form("/login", None, &[("username", "officer01"), ("password", crate::support::PASSWORD)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        forged
            .headers
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("__Host-cg_session="))
    );
    assert_eq!(app.audit_count("csrf.failed").await, 1);
    assert_eq!(app.audit_count("login.success").await, 0);
    // A token that is not the cookie's is refused as well.
    let page = app.get("/login", None).await;
    let cookie = crate::support::between(
        page.headers.get("set-cookie").unwrap().to_str().unwrap(),
        "__Host-cg_login=",
        ";",
    );
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("__Host-cg_login={cookie}"))
        .body(axum::body::Body::from(format!(
            "username=officer01&password={}&_csrf={}",
            crate::support::PASSWORD,
            "0".repeat(64)
        )))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count("csrf.failed").await, 2);

    // The second factor's form is held to its session's token too.
    let password_ok = app.post_login("auditadmin", crate::support::PASSWORD).await;
    let session =
        crate::support::Session { cookie: crate::support::cookie_from(&password_ok), csrf: String::new() };
    let code = app.totp_now("auditadmin");
    let without_token = app.post_form("/login/mfa", Some(&session), &[("code", &code)]).await;
    assert_eq!(without_token.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without_token.body.contains("页面已过期"));
    assert_eq!(app.audit_count("csrf.failed").await, 3);
}

#[tokio::test]
async fn a_password_change_or_reset_ends_every_api_token_of_the_account() {
    let app = TestApp::new().await;
    let token = app.token("officer01").await;
    assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::OK);
    let session = app.login("officer01").await;
    let changed = app
        .post_form(
            "/account/password",
            Some(&session),
            &[
                ("current", crate::support::PASSWORD),
                ("new", "Another#Pass2026x"),
                ("confirm", "Another#Pass2026x"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);

    // An administrator's reset does the same.
    let token = app.token("officer02").await;
    let admin = app.login("sysadmin").await;
    let account = app.db.account_by_username("officer02").await.unwrap().unwrap();
    let reset =
        app.post_form(&format!("/admin/accounts/{}/reset-password", account.id), Some(&admin), &[]).await;
    assert!(reset.status.is_success(), "{}", reset.body);
    assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn guessing_the_current_password_on_the_change_form_locks_the_account() {
    let app = TestApp::new().await;
    let session = app.login("officer01").await;
    for attempt in 1..=5 {
        let response = app
            .post_form(
                "/account/password",
                Some(&session),
                &[
                    ("current", "Wrong-guess-2026"),
                    ("new", "Another#Pass2026x"),
                    ("confirm", "Another#Pass2026x"),
                ],
            )
            .await;
        if attempt < 5 {
            assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {attempt}");
        } else {
            // The fifth locks the account and ends the session.
            assert_eq!(response.status, StatusCode::SEE_OTHER);
        }
    }
    assert_eq!(app.audit_count("account.locked").await, 1);
    assert_eq!(app.get("/api/v1/me", Some(&session)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.post_login("officer01", crate::support::PASSWORD).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_minimum_password_length_cannot_be_set_below_twelve() {
    let app = TestApp::new().await;
    let secadmin = app.token("secadmin").await;
    let mut policy = app.get_bearer("/api/v1/security-policy", &secadmin).await.json();
    policy["password_min_length"] = 11.into();
    let response = app.json(Method::PUT, "/api/v1/security-policy", &secadmin, policy).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    assert_eq!(response.json()["fields"][0]["field"], "password_min_length");
}

#[tokio::test]
async fn an_endless_text_field_in_an_upload_is_refused_after_a_few_kilobytes() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let app = TestApp::new().await;
    let token = app.token("officer01").await;
    // 8 GiB of "description", produced lazily: the test counts how much of it the server
    // pulled before answering. What was never pulled was never in memory.
    const EIGHT_GIB: u64 = 8 << 30;
    const CHUNK: usize = 64 * 1024;
    let pulled = Arc::new(AtomicU64::new(0));
    let counter = pulled.clone();
    let head = "--B\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n".to_owned();
    let chunks = (0..EIGHT_GIB / CHUNK as u64).map(move |_| {
        counter.fetch_add(CHUNK as u64, Ordering::Relaxed);
        Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'a'; CHUNK]))
    });
    let body = futures_util::stream::iter(
        std::iter::once(Ok::<_, std::io::Error>(bytes::Bytes::from(head))).chain(chunks),
    );
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/evidence")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "multipart/form-data; boundary=B")
        .body(axum::body::Body::from_stream(body))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    assert_eq!(
        response.json()["fields"][0]["field"],
        "description",
        "{} after {} bytes",
        response.body,
        pulled.load(Ordering::Relaxed)
    );
    assert_eq!(response.json()["fields"][0]["code"], "too_long");
    let read = pulled.load(Ordering::Relaxed);
    assert!(read < 1 << 20, "the server read {read} bytes of the field before refusing");

    // So is a form of a thousand little fields.
    let mut many = String::new();
    for i in 0..1000 {
        many.push_str(&format!("--B\r\nContent-Disposition: form-data; name=\"x{i}\"\r\n\r\nv\r\n"));
    }
    many.push_str("--B--\r\n");
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/evidence")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "multipart/form-data; boundary=B")
        .body(axum::body::Body::from(many))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    assert_eq!(response.json()["fields"][0]["code"], "too_many_fields");
}

/// Creates an account as the 系统管理员 over the API and returns the answer.
async fn request_account(
    app: &TestApp,
    sysadmin: &str,
    username: &str,
    role: &str,
) -> crate::support::Response {
    app.json(
        Method::POST,
        "/api/v1/accounts",
        sysadmin,
        serde_json::json!({"username": username, "display_name": "新账号", "roles": [role]}),
    )
    .await
}

#[tokio::test]
async fn the_system_administrator_grants_no_role_and_never_sees_a_secret() {
    let app = TestApp::new().await;
    let sysadmin = app.token("sysadmin").await;
    let office = app.token("office01").await;
    let secadmin = app.token("secadmin").await;
    let auditadmin = app.token("auditadmin").await;
    for (username, role, grantor, others) in [
        ("new_audit", "auditadmin", &secadmin, vec![&office, &auditadmin, &sysadmin]),
        ("new_sysadmin", "sysadmin", &secadmin, vec![&office, &auditadmin, &sysadmin]),
        ("new_sec", "secadmin", &auditadmin, vec![&office, &secadmin, &sysadmin]),
        ("new_leader", "leader", &office, vec![&secadmin, &auditadmin, &sysadmin]),
    ] {
        let asked = request_account(&app, &sysadmin, username, role).await;
        assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
        // No password, no second factor for the one who asked: nothing to log in with.
        assert!(
            asked.json().get("one_time_password").is_none() && !asked.body.contains("otpauth"),
            "{}",
            asked.body
        );
        let id = asked.json()["id"].as_str().unwrap().to_owned();
        let account = app.db.account_by_username(username).await.unwrap().unwrap();
        assert_eq!(account.grant_pending, "create");
        // Anyone but the grantor is refused, the 系统管理员 first of all.
        for other in others {
            let refused = app
                .json(
                    Method::POST,
                    &format!("/api/v1/account-grants/{id}/grant"),
                    other,
                    serde_json::json!({}),
                )
                .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role}: {}", refused.body);
        }
        let granted = app
            .json(Method::POST, &format!("/api/v1/account-grants/{id}/grant"), grantor, serde_json::json!({}))
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{role}: {}", granted.body);
        let password = granted.json()["one_time_password"].as_str().unwrap().to_owned();
        assert_eq!(granted.json()["totp_uri"].is_string(), role != "leader");
        // Granted once only.
        let again = app
            .json(Method::POST, &format!("/api/v1/account-grants/{id}/grant"), grantor, serde_json::json!({}))
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(app.post_login(username, &password).await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(app.audit_count("account.grant").await, 4);

    // A reset by the 系统管理员 ends the holder's sessions and tokens and tells it no password.
    let leader_token = app.token("leader01").await;
    let leader = app.db.account_by_username("leader01").await.unwrap().unwrap();
    let reset = app
        .json(
            Method::POST,
            &format!("/api/v1/accounts/{}/reset-password", leader.id),
            &sysadmin,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(reset.json()["awaiting"], "office");
    assert!(!reset.body.contains("password\""));
    assert_eq!(app.get_bearer("/api/v1/me", &leader_token).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.post_login("leader01", crate::support::PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    let pending = app.get_bearer("/api/v1/account-grants", &office).await.json();
    assert!(pending.as_array().unwrap().iter().any(|a| a["username"] == "leader01"));
    let declined = app
        .json(
            Method::POST,
            &format!("/api/v1/account-grants/{}/decline", leader.id),
            &office,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(declined.status, StatusCode::NO_CONTENT);
    assert!(app.db.account_by_username("leader01").await.unwrap().unwrap().disabled);
}

#[tokio::test]
async fn cutting_the_audit_tail_and_rewriting_the_head_is_named_by_the_signed_checkpoint() {
    use chengguan::domain::audit::ChainFault;
    use chengguan::store::audit::Verification;
    let app = TestApp::new().await;
    let (blobs, keys) = (&app.state.blobs, app.state.keys.as_ref());
    let auditor = app.token("auditadmin").await;
    // Some work, then the instance's checkpoint job runs.
    app.post_login("officer01", crate::support::PASSWORD).await;
    app.post_login("officer02", crate::support::PASSWORD).await;
    let (head, _) = app.db.audit_head().await.unwrap();
    let written =
        chengguan::anchor::write_checkpoint(&app.db, blobs, keys, app.clock_now(), None).await.unwrap();
    assert_eq!(written, Some(head));
    // Nothing new to vouch for: no second checkpoint.
    assert_eq!(
        chengguan::anchor::write_checkpoint(&app.db, blobs, keys, app.clock_now(), written).await.unwrap(),
        None
    );
    let (intact, compared) = chengguan::anchor::verify(&app.db, blobs, keys).await.unwrap();
    assert!(matches!(intact, Verification::Intact { .. }) && compared == 1);

    // The attack: someone with database access disables the triggers, deletes the last two
    // records (the two logins) and sets the head to the record before them.
    app.drop_audit_triggers().await;
    if app.is_postgres() {
        app.raw("DROP TRIGGER audit_head_forward ON audit_head").await;
    } else {
        app.raw("DROP TRIGGER audit_head_forward").await;
    }
    let kept = head - 2;
    let kept_hash = app.db.audit_record_hash(kept).await.unwrap().unwrap();
    app.raw(&format!("DELETE FROM audit_log WHERE seq > {kept}")).await;
    app.raw(&format!("UPDATE audit_head SET seq = {kept}, hash = '{kept_hash}' WHERE id = 1")).await;
    // The chain alone is fooled ...
    assert!(matches!(app.db.verify_audit().await.unwrap(), Verification::Intact { .. }));
    // ... the checkpoint outside the database is not.
    let (broken, _) = chengguan::anchor::verify(&app.db, blobs, keys).await.unwrap();
    let Verification::Broken { fault, .. } = broken else { panic!("the cut went unseen") };
    assert!(matches!(fault, ChainFault::CheckpointDiverged { seq, .. } if seq == head), "{fault}");
    let answer = app.json(Method::POST, "/api/v1/audit/verify", &auditor, serde_json::json!({})).await.json();
    assert_eq!(answer["intact"], false);
    assert_eq!(answer["fault"], "checkpoint_diverged");
    assert_eq!(answer["seq"], head);

    // A checkpoint written by someone without the key is named as forged.
    let forged = serde_json::json!({
        "seq": head + 100, "hash": "00", "at": "2026-03-02T02:00:00.000000Z", "key_id": "k1", "mac": "00"
    });
    blobs
        .put_note(
            &format!(
                "{}/{:012}-20260302T020000000000Z.json",
                chengguan::anchor::CHECKPOINT_PREFIX,
                head + 100
            ),
            bytes::Bytes::from(forged.to_string()),
        )
        .await
        .unwrap();
    let (broken, _) = chengguan::anchor::verify(&app.db, blobs, keys).await.unwrap();
    let Verification::Broken { fault, .. } = broken else { panic!("the forgery went unseen") };
    assert_eq!(fault, ChainFault::CheckpointForged { seq: head + 100 });
}

#[tokio::test]
async fn one_code_submitted_twice_at_once_signs_in_only_once() {
    let app = TestApp::new().await;
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let password_ok = app.post_login("auditadmin", crate::support::PASSWORD).await;
        let mut session = crate::support::Session {
            cookie: crate::support::cookie_from(&password_ok),
            csrf: String::new(),
        };
        let page = app.get("/login/mfa", Some(&session)).await;
        session.csrf = crate::support::between(&page.body, "name=\"_csrf\" value=\"", "\"");
        sessions.push(session);
    }
    let code = app.totp_now("auditadmin");
    let fields = [("code", code.as_str())];
    let (a, b) = tokio::join!(
        app.post_form("/login/mfa", Some(&sessions[0]), &fields),
        app.post_form("/login/mfa", Some(&sessions[1]), &fields),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::UNAUTHORIZED], "{} / {}", a.body, b.body);
    assert_eq!(app.audit_count("login.success").await, 1);
}

#[tokio::test]
async fn demo_codes_are_shown_only_while_the_data_is_the_demos() {
    let app = TestApp::new().await;
    let mut config = crate::support::test_config(app.dir.path());
    config.reconsideration_body = String::new();
    let demo_state =
        chengguan::app::state(app.db.clone(), std::sync::Arc::new(app.clock.clone()), config, true)
            .expect("demo state");
    let demo = chengguan::web::router(demo_state);
    let login_page = || async {
        let response = tower::ServiceExt::oneshot(
            demo.clone(),
            axum::http::Request::builder().uri("/login").body(axum::body::Body::empty()).unwrap(),
        )
        .await
        .unwrap();
        let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    assert!(login_page().await.contains("演示账号（仅演示模式显示）"));
    // The bureau adds a real account: the door no longer shows the administrators' codes.
    let sysadmin = app.token("sysadmin").await;
    let asked = request_account(&app, &sysadmin, "zhang.wei", "officer").await;
    assert_eq!(asked.status, StatusCode::CREATED);
    let page = login_page().await;
    assert!(!page.contains("演示账号（仅演示模式显示）"));
    assert!(!page.contains(&app.totp_now("sysadmin")));
    assert!(!chengguan::demo::holds_only_demo_data(&app.db).await.unwrap());
}

/// One text value read behind the application's back.
async fn raw_text(app: &TestApp, sql: &str) -> String {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.db.pool() {
        chengguan::store::Pool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        chengguan::store::Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

#[tokio::test]
async fn second_factor_secrets_are_sealed_in_the_database_and_open_only_in_their_own_row() {
    let app = TestApp::new().await;
    let secret = chengguan::demo::demo_totp_secret("auditadmin");
    let stored = raw_text(&app, "SELECT totp_secret FROM accounts WHERE username = 'auditadmin'").await;
    assert!(stored.starts_with("sm4gcm:"), "{stored}");
    assert!(!stored.to_lowercase().contains(&hex::encode(&secret)));
    // A database copied without the key file holds no secret in clear.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM accounts WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'sm4gcm:%'"
        )
        .await,
        0
    );
    // The second factor still works.
    app.login("auditadmin").await;

    // Someone with database access copies secadmin's sealed secret onto auditadmin's row:
    // it does not open there, so no code of secadmin's authenticator gets in.
    let other = raw_text(&app, "SELECT totp_secret FROM accounts WHERE username = 'secadmin'").await;
    app.raw(&format!("UPDATE accounts SET totp_secret = '{other}' WHERE username = 'auditadmin'")).await;
    app.clock.advance(chrono::Duration::seconds(31));
    let password_ok = app.post_login("auditadmin", crate::support::PASSWORD).await;
    let mut session =
        crate::support::Session { cookie: crate::support::cookie_from(&password_ok), csrf: String::new() };
    let page = app.get("/login/mfa", Some(&session)).await;
    session.csrf = crate::support::between(&page.body, "name=\"_csrf\" value=\"", "\"");
    let code = app.totp_now("secadmin");
    let refused = app.post_form("/login/mfa", Some(&session), &[("code", &code)]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    // A secret written in clear by an older version is sealed at the next start, audited.
    app.raw(&format!(
        "UPDATE accounts SET totp_secret = '{}' WHERE username = 'auditadmin'",
        hex::encode(&secret)
    ))
    .await;
    assert_eq!(chengguan::app::seal_legacy_totp_secrets(&app.state).await.unwrap(), 1);
    let resealed = raw_text(&app, "SELECT totp_secret FROM accounts WHERE username = 'auditadmin'").await;
    assert!(resealed.starts_with("sm4gcm:"));
    assert_eq!(app.audit_count("account.totp_sealed").await, 1);
    app.clock.advance(chrono::Duration::seconds(31));
    app.login("auditadmin").await;
}

#[tokio::test]
async fn every_user_may_enrol_a_second_factor_and_the_policy_can_require_it() {
    use chengguan::domain::security::{totp_code, totp_step};
    let app = TestApp::new().await;
    let secadmin = app.token("secadmin").await;
    let mut policy = app.get_bearer("/api/v1/security-policy", &secadmin).await.json();
    assert_eq!(policy["mfa_for_all"], 0);
    policy["mfa_for_all"] = 1.into();
    let saved = app.json(Method::PUT, "/api/v1/security-policy", &secadmin, policy).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    // Signed in with the password alone, an officer is held at enrolment.
    let response = app.post_login("officer01", crate::support::PASSWORD).await;
    let mut session =
        crate::support::Session { cookie: crate::support::cookie_from(&response), csrf: String::new() };
    assert_eq!(app.get("/cases", Some(&session)).await.location(), "/account/mfa");
    let api = app.get("/api/v1/cases", Some(&session)).await;
    assert_eq!(api.json()["error"], "mfa_enrolment_required");
    let page = app.get("/account/mfa", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    session.csrf = crate::support::between(&page.body, "name=\"_csrf\" value=\"", "\"");
    let pending = crate::support::between(&page.body, "name=\"pending\" value=\"", "\"");
    let account = app.db.account_by_username("officer01").await.unwrap().unwrap();
    let secret = app
        .state
        .keys
        .open(chengguan::keys::Purpose::TotpSecret, &pending, &format!("enrol:{}", account.id))
        .unwrap();
    let code = |at| format!("{:06}", totp_code(&secret, totp_step(at)));

    // A wrong code, or another account's offered secret, enrols nothing.
    let wrong =
        app.post_form("/account/mfa", Some(&session), &[("pending", &pending), ("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let other = app.db.account_by_username("officer02").await.unwrap().unwrap();
    let foreign =
        app.state.keys.seal(chengguan::keys::Purpose::TotpSecret, &secret, &format!("enrol:{}", other.id));
    let moved = app
        .post_form("/account/mfa", Some(&session), &[("pending", &foreign), ("code", &code(app.clock_now()))])
        .await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY);

    let enrolled = app
        .post_form("/account/mfa", Some(&session), &[("pending", &pending), ("code", &code(app.clock_now()))])
        .await;
    assert_eq!(enrolled.status, StatusCode::SEE_OTHER, "{}", enrolled.body);
    assert_eq!(app.get("/cases", Some(&session)).await.status, StatusCode::OK);
    assert_eq!(app.audit_count("account.mfa_enrolled").await, 3, "two refusals and the enrolment");
    let stored = raw_text(&app, "SELECT totp_secret FROM accounts WHERE username = 'officer01'").await;
    assert!(stored.starts_with("sm4gcm:"));

    // From now on the officer's password alone reaches only the second-factor page.
    app.clock.advance(chrono::Duration::seconds(31));
    let again = app.post_login("officer01", crate::support::PASSWORD).await;
    assert_eq!(again.location(), "/login/mfa");
    let mut second =
        crate::support::Session { cookie: crate::support::cookie_from(&again), csrf: String::new() };
    assert_eq!(app.get("/api/v1/me", Some(&second)).await.status, StatusCode::UNAUTHORIZED);
    let page = app.get("/login/mfa", Some(&second)).await;
    second.csrf = crate::support::between(&page.body, "name=\"_csrf\" value=\"", "\"");
    let done = app.post_form("/login/mfa", Some(&second), &[("code", &code(app.clock_now()))]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(app.get("/api/v1/me", Some(&second)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn on_postgresql_the_server_role_cannot_disable_or_drop_the_append_only_triggers() {
    let Ok(base) = std::env::var("TEST_DATABASE_URL") else { return };
    if base.is_empty() {
        return;
    }
    // The operator's set-up: an owner role that migrates, an application role the server
    // uses (README, "Running for a city").
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let (owner, app_role, name) =
        (format!("cg_t_o{suffix}"), format!("cg_t_a{suffix}"), format!("cg_t_{suffix}"));
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    for sql in [
        format!("CREATE ROLE {owner} LOGIN"),
        format!("CREATE ROLE {app_role} LOGIN"),
        format!(
            "CREATE DATABASE {name} OWNER {owner} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
        ),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&admin).await.unwrap();
    }
    let (prefix, _) = base.rsplit_once('/').unwrap();
    let host = prefix.rsplit_once('@').map_or(prefix, |(_, host)| host).trim_start_matches("postgres://");
    let dir = tempfile::tempdir().unwrap();
    let config = chengguan::config::Config {
        database_url: format!("postgres://{app_role}@{host}/{name}"),
        migration_database_url: format!("postgres://{owner}@{host}/{name}"),
        ..crate::support::test_config(dir.path())
    };
    let clock: chengguan::clock::SharedClock =
        std::sync::Arc::new(chengguan::clock::ManualClock::new(crate::support::start_time()));
    let db = chengguan::app::open_db(&config, &clock)
        .await
        .expect("migrated as the owner, opened as the application");
    // The application works as usual with its rows.
    let keys = chengguan::keys::Keyring::load_or_create(&config.key_path()).unwrap();
    chengguan::demo::seed(&db, config.hash_cost(), crate::support::start_time(), &keys)
        .await
        .expect("seeded as the application role");
    assert!(matches!(db.verify_audit().await.unwrap(), chengguan::store::audit::Verification::Intact { .. }));
    // What an attacker holding the application's credentials would try first: each refused.
    let chengguan::store::Pool::Postgres(pool) = db.pool() else { panic!("PostgreSQL") };
    for attack in [
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_no_update ON audit_log",
        "DELETE FROM audit_log WHERE seq = 1",
        "UPDATE audit_log SET actor = 'x' WHERE seq = 1",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_head DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_head_forward ON audit_head",
        "DELETE FROM evidence_custody",
        "UPDATE documents SET number = 'x'",
        "ALTER TABLE case_events DISABLE TRIGGER ALL",
    ] {
        let refused = sqlx::raw_sql(attack).execute(pool).await;
        assert!(refused.is_err(), "{attack} was allowed to the application role");
    }
    db.close().await;
    for sql in
        [format!("DROP DATABASE {name}"), format!("DROP ROLE {app_role}"), format!("DROP ROLE {owner}")]
    {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&admin).await;
    }
}
