//! Evidence: streaming upload with digests checked against independently computed ones, type
//! checks by content, write-once storage, custody records for every event, integrity checks on
//! download, export packages anyone can verify, retention and deletion. Runs on the local folder
//! by default and on an S3 server (Garage) with `TEST_S3_ENDPOINT`.

use std::io::{Read, Write};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Duration;
use sha2::Digest;

use crate::support::{TestApp, on_s3};

pub(crate) const BOUNDARY: &str = "cg-test-boundary-7d1e";

/// A photo-like file: JPEG magic, then random bytes, so no two tests share an object.
pub(crate) fn jpeg(len: usize) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1];
    bytes.extend((0..len.saturating_sub(16)).map(|_| rand::random::<u8>()));
    bytes
}

fn mp4(len: usize) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 0x20];
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0");
    bytes.extend((0..len.saturating_sub(16)).map(|_| rand::random::<u8>()));
    bytes
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

pub(crate) fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        write!(body, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
            .unwrap();
    }
    if let Some((name, bytes)) = file {
        write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{BOUNDARY}--\r\n").unwrap();
    body
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
    name: &str,
    bytes: &[u8],
) -> crate::support::Response {
    let body = multipart(fields, Some((name, bytes)));
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/evidence")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

pub(crate) async fn get_bytes(
    app: &TestApp,
    path: &str,
    token: &str,
    range: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::builder().uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(range) = range {
        request = request.header(header::RANGE, range);
    }
    app.send_bytes(request.body(Body::empty()).unwrap()).await
}

async fn custody_events(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let item = app.get_bearer(&format!("/api/v1/evidence/{id}"), token).await.json();
    item["custody"].as_array().unwrap().iter().map(|r| r["event"].as_str().unwrap().to_owned()).collect()
}

/// The file of a stored object in the local folder (tests that tamper need local storage).
pub(crate) fn object_file(app: &TestApp, sha256: &str) -> std::path::PathBuf {
    app.state.blobs.local_root().expect("local store").join(format!(
        "sha256/{}/{}/{sha256}",
        &sha256[0..2],
        &sha256[2..4]
    ))
}

#[tokio::test]
async fn an_upload_is_fingerprinted_on_arrival_and_the_same_bytes_are_stored_once() {
    let app = TestApp::new().await;
    let officer = app.token("squadlead01").await;
    let bytes = jpeg(300_000);
    let expected = sha256_hex(&bytes);
    let response = upload(
        &app,
        &officer,
        &[
            ("description", "占道经营现场照片"),
            ("location", "南大街88号"),
            ("device_no", "DSJ-0031"),
            ("device_time", "2026-03-02T08:40"),
            ("sha256", &expected),
        ],
        "IMG_0001.jpg",
        &bytes,
    )
    .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let item = response.json();
    assert_eq!(item["sha256"], expected.as_str());
    assert_eq!(item["sm3"], hex::encode(sm3::Sm3::digest(&bytes)).as_str());
    assert_eq!(item["size"], bytes.len());
    assert_eq!(item["media_type"], "jpeg");
    assert_eq!(item["kind"], "physical");
    assert_eq!(item["clock_skew"], false);
    assert_eq!(item["deduplicated"], false);
    let id = item["id"].as_str().unwrap().to_owned();

    // The same bytes again: a second item, one object.
    let again = upload(&app, &officer, &[("kind", "electronic")], "copy.jpg", &bytes).await.json();
    assert_eq!(again["deduplicated"], true);
    assert_eq!(again["sha256"], expected.as_str());
    assert_ne!(again["id"], id.as_str());
    let stored =
        app.state.blobs.list_with_times().await.unwrap().into_iter().filter(|(k, _)| *k == expected).count();
    assert_eq!(stored, 1);
    assert_eq!(app.state.blobs.staging_files().unwrap(), 0);

    // Downloaded bytes are the uploaded bytes; the download is on the item's record.
    let (status, headers, body) =
        get_bytes(&app, &format!("/api/v1/evidence/{id}/content"), &officer, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, bytes);
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    assert_eq!(headers[header::CONTENT_TYPE], "application/octet-stream");
    assert_eq!(headers["x-content-sha256"], expected.as_str());
    let events = custody_events(&app, &officer, &id).await;
    assert_eq!(events, ["collected", "uploaded", "downloaded", "viewed"]);
    assert!(app.audit_count("evidence.upload").await >= 2);
    assert!(app.audit_count("evidence.download").await >= 1);

    // Local files are read-only once written.
    if !on_s3() {
        assert!(std::fs::metadata(object_file(&app, &expected)).unwrap().permissions().readonly());
    }
}

#[tokio::test]
async fn renamed_programs_unknown_types_and_wrong_digests_are_refused_and_leave_nothing() {
    let app = TestApp::new().await;
    let officer = app.token("squadlead01").await;
    let mut program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    program.extend(std::iter::repeat_n(0u8, 4096));
    let refused = upload(&app, &officer, &[], "photo.jpg", &program).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["error"], "executable_refused");
    let page = upload(&app, &officer, &[], "photo.jpg", b"<html><script>alert(1)</script></html>").await;
    assert_eq!(page.json()["error"], "unsupported_type");

    let bytes = jpeg(10_000);
    let wrong = "0".repeat(64);
    let mismatch = upload(&app, &officer, &[("sha256", &wrong)], "a.jpg", &bytes).await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mismatch.json()["error"], "digest_mismatch");
    let bad_fields =
        upload(&app, &officer, &[("kind", "rumour"), ("device_time", "yesterday")], "a.jpg", &bytes).await;
    assert_eq!(bad_fields.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad_fields.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["kind", "device_time"]);

    // Nothing was recorded or kept, but the refused digest is on the audit record.
    assert_eq!(app.get_bearer("/api/v1/evidence", &officer).await.json().as_array().unwrap().len(), 0);
    assert_eq!(app.state.blobs.list_with_times().await.unwrap().len(), 0);
    assert_eq!(app.state.blobs.staging_files().unwrap(), 0);
    let filter = chengguan::store::audit::AuditFilter {
        action: "evidence.upload".into(),
        page: 1,
        page_size: 10,
        ..Default::default()
    };
    let (records, _) = app.db.audit_records(&filter).await.unwrap();
    assert!(
        records
            .iter()
            .any(|r| r.content.result == "failure" && r.content.details.contains("digest_mismatch"))
    );
}

#[tokio::test]
async fn an_oversize_upload_is_refused_before_its_body_is_read() {
    let app = TestApp::with_config(|c| c.evidence_max_bytes = 64 * 1024).await;
    let officer = app.token("squadlead01").await;
    // The body never ends: only a decision from Content-Length can answer.
    let first =
        futures_util::stream::once(async { Ok::<_, std::io::Error>(bytes::Bytes::from(vec![0xff; 1024])) });
    let stream = first.chain(futures_util::stream::pending());
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/evidence")
        .header(header::AUTHORIZATION, format!("Bearer {officer}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header(header::CONTENT_LENGTH, 50 * 1024 * 1024)
        .body(Body::from_stream(stream))
        .unwrap();
    let response = tokio::time::timeout(std::time::Duration::from_secs(10), app.send(request))
        .await
        .expect("answered without reading the body");
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A chunked body without a length is cut off as soon as it passes the limit.
    let big = jpeg(200 * 1024);
    let body = multipart(&[], Some(("big.jpg", &big)));
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> =
        body.chunks(8192).map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/evidence")
        .header(header::AUTHORIZATION, format!("Bearer {officer}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.state.blobs.staging_files().unwrap(), 0);
    // Other routes keep the ordinary limit.
    let json = app
        .json(Method::POST, "/api/v1/cases", &officer, serde_json::json!({"title": "x".repeat(3 << 20)}))
        .await;
    assert_eq!(json.status, StatusCode::PAYLOAD_TOO_LARGE);
}

use futures_util::StreamExt;

#[tokio::test]
async fn a_hundred_interrupted_uploads_leave_no_staging_file_object_or_record() {
    let app = TestApp::new().await;
    let officer = app.token("squadlead01").await;
    for _ in 0..100 {
        let bytes = jpeg(100_000);
        let body = multipart(&[("description", "中断")], Some(("cut.jpg", &bytes)));
        let half = bytes::Bytes::copy_from_slice(&body[..body.len() / 2]);
        let stream = futures_util::stream::iter(vec![
            Ok(half),
            Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "client went away")),
        ]);
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/evidence")
            .header(header::AUTHORIZATION, format!("Bearer {officer}"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from_stream(stream))
            .unwrap();
        let response = app.send(request).await;
        assert!(response.status.is_client_error(), "{} {}", response.status, response.body);
    }
    assert_eq!(app.state.blobs.staging_files().unwrap(), 0);
    assert_eq!(app.state.blobs.list_with_times().await.unwrap().len(), 0);
    assert_eq!(app.get_bearer("/api/v1/evidence", &officer).await.json().as_array().unwrap().len(), 0);
    let swept = chengguan::evidence::sweep(&app.db, &app.state.blobs, app.clock_now()).await.unwrap();
    assert_eq!(swept, chengguan::evidence::SweepReport::default());
}

#[tokio::test]
async fn a_flipped_byte_is_named_by_verify_and_the_altered_file_is_never_served() {
    if on_s3() {
        return; // Tampering needs the files at hand; the local store shows the same code path.
    }
    let app = TestApp::new().await;
    let officer = app.token("squadlead01").await;
    let bytes = jpeg(50_000);
    let good = upload(&app, &officer, &[], "good.jpg", &jpeg(20_000)).await.json();
    let item = upload(&app, &officer, &[], "victim.jpg", &bytes).await.json();
    let id = item["id"].as_str().unwrap().to_owned();
    let (checked, faults) = chengguan::evidence::verify_store(&app.db, &app.state.blobs, None).await.unwrap();
    assert_eq!((checked, faults.len()), (2, 0));

    let path = object_file(&app, item["sha256"].as_str().unwrap());
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&path, permissions).unwrap();
    let mut stored = std::fs::read(&path).unwrap();
    stored[30_000] ^= 0x01;
    std::fs::write(&path, &stored).unwrap();

    let (_, faults) = chengguan::evidence::verify_store(&app.db, &app.state.blobs, None).await.unwrap();
    assert_eq!(faults.len(), 1);
    assert_eq!(faults[0].id, id);
    assert_eq!(faults[0].problem, "altered");
    let (status, _, body) = get_bytes(&app, &format!("/api/v1/evidence/{id}/content"), &officer, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("evidence_altered"));
    assert!(custody_events(&app, &officer, &id).await.contains(&"verify_failed".to_owned()));
    let export =
        app.json(Method::POST, "/api/v1/evidence/export", &officer, serde_json::json!({"ids": [id]})).await;
    assert_eq!(export.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(export.json()["error"], "evidence_altered");

    // The command line names it too, and exits 1; a missing object is named as missing.
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chengguan"))
            .arg("--data-dir")
            .arg(app.dir.path())
            .arg("--database-url")
            .arg(&app.url)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["evidence", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("altered {id}")), "{text}");
    assert!(text.contains("1 of 2"), "{text}");
    let good_id = good["id"].as_str().unwrap();
    let out = run(&["evidence", "verify", "--id", good_id]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 1 evidence items verified"));
    std::fs::remove_file(&path).unwrap();
    let out = run(&["evidence", "verify"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("missing {id}")));

    // The nightly scrub reads a thirtieth of the store each night: within thirty nights it
    // meets the broken item exactly once and puts the failure on the item's record.
    let mut found = 0;
    for _ in 0..30 {
        let (_, faults) =
            chengguan::evidence::scrub(&app.db, &app.state.blobs, app.clock_now()).await.unwrap();
        found += faults.iter().filter(|f| f.id == id).count();
        app.clock.advance(Duration::days(1));
    }
    assert_eq!(found, 1);
    let records = app.db.custody_records(&id).await.unwrap();
    assert!(records.iter().any(|r| r.actor == "scrub" && r.details["problem"] == "missing"));
    // The job runs it at 02:00 Beijing time, once a night across all instances.
    assert!(
        chengguan::app::evidence_job_tick(&app.state, "a").await.unwrap().is_none(),
        "09:00 is not the hour"
    );
    app.clock.advance(Duration::hours(17));
    assert!(chengguan::app::evidence_job_tick(&app.state, "a").await.unwrap().is_some());
    assert!(
        chengguan::app::evidence_job_tick(&app.state, "b").await.unwrap().is_none(),
        "already run tonight"
    );
}

/// Rewrites a package, changing it with `edit` (path, bytes) → new entries.
fn rewrite(
    package: &[u8],
    edit: impl Fn(&str, Vec<u8>) -> Option<(String, Vec<u8>)>,
    extra: Option<(&str, &[u8])>,
) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(package)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if let Some((name, bytes)) = edit(&name, bytes) {
            out.start_file(name, options).unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    if let Some((name, bytes)) = extra {
        out.start_file(name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test]
async fn an_export_package_verifies_and_every_change_to_it_is_named() {
    let app = TestApp::new().await;
    let officer = app.token("squadlead01").await;
    let photo = jpeg(40_000);
    let video = mp4(120_000);
    let a = upload(&app, &officer, &[("description", "照片")], "a.jpg", &photo).await.json();
    let b = upload(&app, &officer, &[("description", "执法记录仪视频")], "b.mp4", &video).await.json();
    let ids = [a["id"].as_str().unwrap().to_owned(), b["id"].as_str().unwrap().to_owned()];
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/evidence/export")
        .header(header::AUTHORIZATION, format!("Bearer {officer}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::json!({"ids": ids, "purpose": "应法院要求提交"}).to_string()))
        .unwrap();
    let (status, headers, package) = app.send_bytes(request).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&package));
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    let manifest_sha = headers["x-manifest-sha256"].to_str().unwrap().to_owned();

    let keys = Some(app.state.keys.as_ref());
    let (checked, problems) =
        chengguan::evidence::verify_package_reader(std::io::Cursor::new(&package), keys);
    assert_eq!(problems, vec![]);
    assert_eq!(checked, 5, "two originals, two custody files, the README");
    // The originals in the package are the uploaded bytes, and the manifest is the one recorded.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&package)).unwrap();
    let mut manifest = Vec::new();
    archive.by_name("manifest.json").unwrap().read_to_end(&mut manifest).unwrap();
    assert_eq!(sha256_hex(&manifest), manifest_sha);
    let mut original = Vec::new();
    archive.by_name(&format!("originals/{}.mp4", ids[1])).unwrap().read_to_end(&mut original).unwrap();
    assert_eq!(original, video);
    let mut sums = String::new();
    archive.by_name("manifest.sha256").unwrap().read_to_string(&mut sums).unwrap();
    assert!(sums.contains(&format!("{}  originals/{}.jpg", sha256_hex(&photo), ids[0])));
    let events = custody_events(&app, &officer, &ids[0]).await;
    assert!(events.contains(&"exported".to_owned()));

    let photo_path = format!("originals/{}.jpg", ids[0]);
    let changed = rewrite(
        &package,
        |name, mut bytes| {
            if name == photo_path {
                bytes[100] ^= 0x80;
            }
            Some((name.to_owned(), bytes))
        },
        None,
    );
    let (_, problems) = chengguan::evidence::verify_package_reader(std::io::Cursor::new(&changed), None);
    assert_eq!(problems, vec![chengguan::evidence::PackageProblem::Changed(photo_path.clone())]);
    let added = rewrite(
        &package,
        |name, bytes| Some((name.to_owned(), bytes)),
        Some(("originals/extra.jpg", b"\xff\xd8\xff")),
    );
    let (_, problems) = chengguan::evidence::verify_package_reader(std::io::Cursor::new(&added), None);
    assert_eq!(problems, vec![chengguan::evidence::PackageProblem::Added("originals/extra.jpg".to_owned())]);
    let removed =
        rewrite(&package, |name, bytes| (name != photo_path).then(|| (name.to_owned(), bytes)), None);
    let (_, problems) = chengguan::evidence::verify_package_reader(std::io::Cursor::new(&removed), None);
    assert_eq!(problems, vec![chengguan::evidence::PackageProblem::Removed(photo_path.clone())]);

    // A file changed together with its manifest line and its line in manifest.sha256 passes
    // every digest; only the bureau's signature over the manifest shows it.
    let forged_photo = {
        let mut bytes = photo.clone();
        bytes[100] ^= 0x80;
        bytes
    };
    let (forged_sha, forged_sm3) = chengguan::blobs::digests_of(&forged_photo);
    let forged = rewrite(
        &package,
        |name, bytes| {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let (old_sha, old_sm3) = chengguan::blobs::digests_of(&photo);
            match name {
                n if n == photo_path => Some((name.to_owned(), forged_photo.clone())),
                "manifest.json" | "manifest.sha256" => Some((
                    name.to_owned(),
                    text.replace(&old_sha, &forged_sha).replace(&old_sm3, &forged_sm3).into_bytes(),
                )),
                _ => Some((name.to_owned(), bytes)),
            }
        },
        None,
    );
    let (_, problems) = chengguan::evidence::verify_package_reader(std::io::Cursor::new(&forged), None);
    assert_eq!(problems, vec![], "the digests alone cannot tell");
    let (_, problems) = chengguan::evidence::verify_package_reader(std::io::Cursor::new(&forged), keys);
    assert_eq!(problems, vec![chengguan::evidence::PackageProblem::SignatureInvalid]);
    let unsigned =
        rewrite(&package, |name, bytes| (name != "manifest.sig").then(|| (name.to_owned(), bytes)), None);
    let (_, problems) = chengguan::evidence::verify_package_reader(std::io::Cursor::new(&unsigned), keys);
    assert_eq!(problems, vec![chengguan::evidence::PackageProblem::Unsigned]);

    // The command line, as a court clerk would run it: no database, no configuration.
    let dir = tempfile::tempdir().unwrap();
    let intact_file = dir.path().join("intact.zip");
    let changed_file = dir.path().join("changed.zip");
    std::fs::write(&intact_file, &package).unwrap();
    std::fs::write(&changed_file, &changed).unwrap();
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chengguan"))
            .args(["evidence", "verify-package"])
            .arg(file)
            .env("CHENGGUAN_DATA_DIR", dir.path().join("no-such-dir"))
            .output()
            .unwrap()
    };
    let out = run(&intact_file);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&changed_file);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("changed: {photo_path}")));
    assert!(!dir.path().join("no-such-dir").exists(), "verify-package touched no data directory");
    // The bureau, holding its key file, sees the forgery.
    let forged_file = dir.path().join("forged.zip");
    std::fs::write(&forged_file, &forged).unwrap();
    let key = app.state.config.key_path();
    let with_key = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chengguan"))
            .args(["evidence", "verify-package"])
            .arg(file)
            .arg("--key-file")
            .arg(&key)
            .env("CHENGGUAN_DATA_DIR", dir.path().join("no-such-dir"))
            .output()
            .unwrap()
    };
    assert_eq!(run(&forged_file).status.code(), Some(0), "without the key only the digests are checked");
    let out = with_key(&forged_file);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("signature"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = with_key(&intact_file);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature verifies"));
}

#[tokio::test]
async fn recordings_play_with_range_requests_and_each_play_is_recorded() {
    let app = TestApp::new().await;
    let officer = app.token("squadlead01").await;
    let video = mp4(100_000);
    let item = upload(&app, &officer, &[], "rec.mp4", &video).await.json();
    let id = item["id"].as_str().unwrap();
    let path = format!("/evidence/{id}/stream");
    let (status, headers, body) = get_bytes(&app, &path, &officer, Some("bytes=0-9")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, &video[..10]);
    assert_eq!(headers[header::CONTENT_RANGE], format!("bytes 0-9/{}", video.len()).as_str());
    assert_eq!(headers[header::CONTENT_TYPE], "video/mp4");
    let (status, _, body) = get_bytes(&app, &path, &officer, Some("bytes=50000-")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, &video[50_000..]);
    let (status, _, _) = get_bytes(&app, &path, &officer, Some("bytes=200000-")).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    let (status, _, body) = get_bytes(&app, &path, &officer, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.len(), video.len());
    // One play: the seeks and the whole read that follow within the same caller's play are
    // not plays of their own.
    let events = custody_events(&app, &officer, id).await;
    assert_eq!(events.iter().filter(|e| *e == "streamed").count(), 1);
    // A player that starts past byte 0 is a play all the same: recorded, and verified first.
    let leader = app.token("leader01").await;
    let (status, _, _) = get_bytes(&app, &path, &leader, Some("bytes=1-")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    let events = custody_events(&app, &officer, id).await;
    assert_eq!(events.iter().filter(|e| *e == "streamed").count(), 2);
    if !crate::support::on_s3() {
        let file = object_file(&app, item["sha256"].as_str().unwrap());
        let mut bytes = std::fs::read(&file).unwrap();
        bytes[60_000] ^= 1;
        let mut permissions = std::fs::metadata(&file).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&file, permissions).unwrap();
        std::fs::write(&file, &bytes).unwrap();
        let other = app.token("leader02").await;
        let (status, _, body) = get_bytes(&app, &path, &other, Some("bytes=1-")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(String::from_utf8_lossy(&body).contains("evidence_altered"));
        let events = custody_events(&app, &officer, id).await;
        assert!(events.contains(&"verify_failed".to_owned()), "{events:?}");
    }

    // A PDF is never shown inline: no stream route for it, only the attachment download.
    let pdf = upload(&app, &officer, &[], "scan.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n").await.json();
    let (status, _, _) =
        get_bytes(&app, &format!("/evidence/{}/stream", pdf["id"].as_str().unwrap()), &officer, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn evidence_is_seen_by_its_unit_and_exported_only_by_those_allowed() {
    let app = TestApp::new().await;
    let aux = app.token("aux01").await;
    let squad = app.token("squadlead01").await;
    let other_squad = app.token("squadlead02").await;
    let item = upload(&app, &aux, &[("description", "巡查照片")], "p.jpg", &jpeg(5_000)).await;
    assert_eq!(item.status, StatusCode::CREATED, "{}", item.body);
    let id = item.json()["id"].as_str().unwrap().to_owned();
    // The auxiliary sees the item but cannot take the original out.
    assert_eq!(app.get_bearer(&format!("/api/v1/evidence/{id}"), &aux).await.status, StatusCode::OK);
    assert_eq!(
        app.get_bearer(&format!("/api/v1/evidence/{id}/content"), &aux).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_bearer(&format!("/api/v1/evidence/{id}/content"), &squad).await.status,
        StatusCode::OK
    );
    // Another squad does not see it at all.
    assert_eq!(
        app.get_bearer(&format!("/api/v1/evidence/{id}"), &other_squad).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app.get_bearer("/api/v1/evidence", &other_squad).await.json().as_array().unwrap().is_empty());
    // Shared with their squad, they see it; revoked, they no longer do.
    let theirs = app.unit_id("荷花池中队").await;
    let share = serde_json::json!({"unit_id": theirs, "reason": "同一路段联合整治"});
    let shared =
        app.json(Method::POST, &format!("/api/v1/evidence/{id}/shares"), &squad, share.clone()).await;
    assert_eq!(shared.status, StatusCode::NO_CONTENT, "{}", shared.body);
    let twice = app.json(Method::POST, &format!("/api/v1/evidence/{id}/shares"), &squad, share).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    assert_eq!(twice.json()["fields"][0]["code"], "duplicate");
    let seen = app.get_bearer(&format!("/api/v1/evidence/{id}"), &other_squad).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json()["shares"][0]["unit_name"], "荷花池中队");
    let revoke = format!("/api/v1/evidence/{id}/shares/{theirs}/revoke");
    assert_eq!(
        app.json(Method::POST, &revoke, &squad, serde_json::json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.json(Method::POST, &revoke, &squad, serde_json::json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_bearer(&format!("/api/v1/evidence/{id}"), &other_squad).await.status,
        StatusCode::NOT_FOUND
    );
    let events = custody_events(&app, &squad, &id).await;
    assert!(
        events.contains(&"shared".to_owned()) && events.contains(&"share_revoked".to_owned()),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_unit_an_item_is_shared_with_may_view_it_but_not_manage_it() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let other_squad = app.token("squadlead02").await;
    let item = upload(&app, &squad, &[("description", "占道经营现场")], "p.jpg", &jpeg(4_000)).await.json();
    let id = item["id"].as_str().unwrap().to_owned();
    let theirs = app.unit_id("荷花池中队").await;
    let shared = app
        .json(
            Method::POST,
            &format!("/api/v1/evidence/{id}/shares"),
            &squad,
            serde_json::json!({"unit_id": theirs, "reason": "联合整治"}),
        )
        .await;
    assert_eq!(shared.status, StatusCode::NO_CONTENT);
    let read = app.get_bearer(&format!("/api/v1/evidence/{id}"), &squad).await.json();
    let hold = app
        .json(
            Method::POST,
            &format!("/api/v1/evidence/{id}/retention"),
            &squad,
            serde_json::json!({"action": "hold", "version": read["item"]["version"]}),
        )
        .await;
    assert_eq!(hold.status, StatusCode::NO_CONTENT, "{}", hold.body);
    let before = app.get_bearer(&format!("/api/v1/evidence/{id}"), &squad).await.json();

    // The squad it was shared with tries every management step: each is refused.
    let third = app.unit_id("南大街中队").await;
    let attempts = [
        (
            format!("/api/v1/evidence/{id}/retention"),
            serde_json::json!({"action": "release", "version": before["item"]["version"]}),
        ),
        (
            format!("/api/v1/evidence/{id}/retention"),
            serde_json::json!({"action": "set_kind", "kind": "physical", "version": before["item"]["version"]}),
        ),
        (
            format!("/api/v1/evidence/{id}/shares"),
            serde_json::json!({"unit_id": third, "reason": "转给第三方"}),
        ),
        (format!("/api/v1/evidence/{id}/shares/{theirs}/revoke"), serde_json::json!({})),
    ];
    for (path, body) in attempts {
        let response = app.json(Method::POST, &path, &other_squad, body).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{path}: {}", response.body);
    }
    let after = app.get_bearer(&format!("/api/v1/evidence/{id}"), &squad).await.json();
    assert_eq!(after["item"]["version"], before["item"]["version"]);
    assert_eq!(after["item"]["legal_hold"], true);
    assert_eq!(after["shares"].as_array().unwrap().len(), 1);
    // It still sees the item, and each refusal is on the record.
    assert_eq!(app.get_bearer(&format!("/api/v1/evidence/{id}"), &other_squad).await.status, StatusCode::OK);
    assert!(app.audit_count("authz.denied").await >= 4);
}

#[tokio::test]
async fn deletion_waits_for_the_retention_period_and_the_security_administrators_approval() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let bytes = jpeg(8_000);
    let routine = upload(&app, &squad, &[("device_time", "2026-03-02T08:00")], "r.jpg", &bytes).await.json();
    let id = routine["id"].as_str().unwrap().to_owned();
    let sha = routine["sha256"].as_str().unwrap().to_owned();
    let retention = |version: i64, action: &str| serde_json::json!({"action": action, "version": version, "reason": "常规巡查记录，保存期满"});
    let early = app
        .json(
            Method::POST,
            &format!("/api/v1/evidence/{id}/retention"),
            &squad,
            retention(1, "request_deletion"),
        )
        .await;
    assert_eq!(early.json()["error"], "retention_not_expired");

    // Six months on, a hold still keeps it; released, it may go.
    app.clock.advance(Duration::days(186));
    let (squad, secadmin) = (app.token("squadlead01").await, app.token("secadmin").await);
    let held = app
        .json(Method::POST, &format!("/api/v1/evidence/{id}/retention"), &squad, retention(1, "hold"))
        .await;
    assert_eq!(held.status, StatusCode::NO_CONTENT, "{}", held.body);
    let refused = app
        .json(
            Method::POST,
            &format!("/api/v1/evidence/{id}/retention"),
            &squad,
            retention(2, "request_deletion"),
        )
        .await;
    assert_eq!(refused.json()["error"], "evidence_on_hold");
    let stale = app
        .json(Method::POST, &format!("/api/v1/evidence/{id}/retention"), &squad, retention(1, "release"))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    app.json(Method::POST, &format!("/api/v1/evidence/{id}/retention"), &squad, retention(2, "release"))
        .await;
    let asked = app
        .json(
            Method::POST,
            &format!("/api/v1/evidence/{id}/retention"),
            &squad,
            retention(3, "request_deletion"),
        )
        .await;
    assert_eq!(asked.status, StatusCode::NO_CONTENT, "{}", asked.body);
    // The squad leader cannot approve; the security administrator can, seeing only the request.
    let approval = serde_json::json!({"action": "approve", "version": 4});
    let denied =
        app.json(Method::POST, &format!("/api/v1/evidence/{id}/deletion"), &squad, approval.clone()).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let pending = app.get_bearer("/api/v1/evidence-deletions", &secadmin).await.json();
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(
        app.get_bearer(&format!("/api/v1/evidence/{id}"), &secadmin).await.status,
        StatusCode::FORBIDDEN
    );
    let approved =
        app.json(Method::POST, &format!("/api/v1/evidence/{id}/deletion"), &secadmin, approval).await;
    assert_eq!(approved.status, StatusCode::NO_CONTENT, "{}", approved.body);
    assert_eq!(
        app.get_bearer(&format!("/api/v1/evidence/{id}/content"), &squad).await.json()["error"],
        "evidence_deleted"
    );

    // Within seven days it comes back; deleted again, the bytes go after the recovery period.
    let restored = app
        .json(
            Method::POST,
            &format!("/api/v1/evidence/{id}/deletion"),
            &secadmin,
            serde_json::json!({"action": "restore", "version": 5}),
        )
        .await;
    assert_eq!(restored.status, StatusCode::NO_CONTENT, "{}", restored.body);
    app.json(
        Method::POST,
        &format!("/api/v1/evidence/{id}/retention"),
        &squad,
        retention(6, "request_deletion"),
    )
    .await;
    app.json(
        Method::POST,
        &format!("/api/v1/evidence/{id}/deletion"),
        &secadmin,
        serde_json::json!({"action": "approve", "version": 7}),
    )
    .await;
    let swept = chengguan::evidence::sweep(&app.db, &app.state.blobs, app.clock_now()).await.unwrap();
    assert_eq!(swept.purged, 0, "kept during the recovery period");
    app.clock.advance(Duration::days(8));
    let secadmin = app.token("secadmin").await;
    let late = app
        .json(
            Method::POST,
            &format!("/api/v1/evidence/{id}/deletion"),
            &secadmin,
            serde_json::json!({"action": "restore", "version": 8}),
        )
        .await;
    assert_eq!(late.json()["error"], "recovery_period_over");
    let swept = chengguan::evidence::sweep(&app.db, &app.state.blobs, app.clock_now()).await.unwrap();
    assert_eq!(swept.purged, 1);
    assert_eq!(app.state.blobs.size(&sha).await.unwrap(), None);
    // The record stays, with every step on it; verification skips what was deleted.
    let events = custody_events(&app, &squad, &id).await;
    for event in ["retention_changed", "deletion_requested", "deletion_approved", "restored"] {
        assert!(events.contains(&event.to_owned()), "{event} in {events:?}");
    }
    let (checked, faults) = chengguan::evidence::verify_store(&app.db, &app.state.blobs, None).await.unwrap();
    assert_eq!((checked, faults.len()), (0, 0));

    // An item attached to a case is kept with the case file, whatever its age.
    let party = crate::cases::new_party(&app, &squad, "11010519491231002X").await;
    let open = serde_json::json!({
        "procedure": "general", "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-001",
        "title": "擅自占用城市道路设摊经营", "location": "南大街88号", "source": "patrol",
        "clue_on": crate::support::start_time().date_naive() + Duration::days(194), "act_on": "2026-09-10",
    });
    let case = app.json(Method::POST, "/api/v1/cases", &squad, open).await;
    assert_eq!(case.status, StatusCode::CREATED, "{}", case.body);
    let case_id = case.json()["id"].as_str().unwrap().to_owned();
    let attached = upload(&app, &squad, &[("case_id", &case_id)], "c.jpg", &jpeg(3_000)).await;
    assert_eq!(attached.status, StatusCode::CREATED, "{}", attached.body);
    let attached = attached.json();
    assert_eq!(
        app.get_bearer(&format!("/api/v1/evidence?case_id={case_id}"), &squad)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.clock.advance(Duration::days(400));
    let squad = app.token("squadlead01").await;
    let kept = app
        .json(
            Method::POST,
            &format!("/api/v1/evidence/{}/retention", attached["id"].as_str().unwrap()),
            &squad,
            retention(1, "request_deletion"),
        )
        .await;
    assert_eq!(kept.json()["error"], "evidence_in_case_file");
}

#[tokio::test]
async fn stored_items_and_custody_records_cannot_be_rewritten_in_the_database() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let item = upload(&app, &squad, &[], "x.jpg", &jpeg(2_000)).await.json();
    let id = item["id"].as_str().unwrap();
    let zeros = "0".repeat(64);
    assert!(
        app.try_raw(&format!("UPDATE evidence_items SET sha256 = '{zeros}' WHERE id = '{id}'"))
            .await
            .is_err()
    );
    assert!(app.try_raw(&format!("DELETE FROM evidence_items WHERE id = '{id}'")).await.is_err());
    assert!(
        app.try_raw(&format!("UPDATE evidence_custody SET actor = 'someone' WHERE item_id = '{id}'"))
            .await
            .is_err()
    );
    assert!(app.try_raw(&format!("DELETE FROM evidence_custody WHERE item_id = '{id}'")).await.is_err());
}

/// An auxiliary of a squad (协管员), who may patrol but does not count as an officer.
async fn auxiliary_of(app: &TestApp, unit: &str) -> String {
    let filter = chengguan::store::org::PeopleFilter {
        unit_id: app.unit_id(unit).await,
        employment: "auxiliary".into(),
        page: 1,
        page_size: 1,
        ..Default::default()
    };
    let day = crate::support::start_time().date_naive();
    app.db.people(&chengguan::store::org::Visibility::All, &filter, day).await.unwrap().rows[0].id.clone()
}

#[tokio::test]
async fn patrols_need_two_officers_and_joint_operations_name_the_police_partner() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let day = crate::support::start_time().date_naive();
    let officers = crate::cases::two_certified(&app, "南大街中队", day).await;
    let aux = auxiliary_of(&app, "南大街中队").await;
    let patrol = |members: Vec<String>, kind: &str, partner: &str| {
        serde_json::json!({
            "kind": kind, "title": "南大街夜间占道经营整治", "area": "南大街全段",
            "started_at": "2026-03-01T19:00", "ended_at": "2026-03-01T22:00", "members": members,
            "partner_unit": partner, "partner_officers": if partner.is_empty() { "" } else { "王警官、赵警官" },
            "findings": "劝离流动摊贩5处，登记线索1条",
        })
    };
    let alone = app
        .json(
            Method::POST,
            "/api/v1/patrols",
            &squad,
            patrol(vec![officers[0].clone(), aux.clone()], "operation", ""),
        )
        .await;
    assert_eq!(alone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(alone.json()["fields"][0]["code"], "two_officers_required");
    let no_partner =
        app.json(Method::POST, "/api/v1/patrols", &squad, patrol(officers.clone(), "joint", "")).await;
    assert_eq!(no_partner.json()["fields"][0]["field"], "partner_unit");
    let mut members = officers.clone();
    members.push(aux);
    let joint = app.json(Method::POST, "/api/v1/patrols", &squad, patrol(members, "joint", "特警大队")).await;
    assert_eq!(joint.status, StatusCode::CREATED, "{}", joint.body);
    let id = joint.json()["id"].as_str().unwrap().to_owned();
    let stored = app.get_bearer(&format!("/api/v1/patrols/{id}"), &squad).await.json();
    assert_eq!(stored["members"].as_array().unwrap().len(), 3);
    assert_eq!(stored["partner_unit"], "特警大队");
    // Another squad does not see it.
    let other = app.token("squadlead02").await;
    assert_eq!(app.get_bearer(&format!("/api/v1/patrols/{id}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.audit_count("patrol.record").await, 1);
}

#[tokio::test]
async fn the_recording_report_names_acts_without_recordings_and_late_uploads() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let day = crate::support::start_time().date_naive();
    let officers = crate::cases::two_certified(&app, "南大街中队", day).await;
    let body = |title: &str| {
        serde_json::json!({
            "kind": "patrol", "title": title, "area": "南大街",
            "started_at": "2026-03-02T08:00", "ended_at": "2026-03-02T08:45", "members": officers,
        })
    };
    let filmed = app.json(Method::POST, "/api/v1/patrols", &squad, body("早高峰巡查")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unfilmed = app.json(Method::POST, "/api/v1/patrols", &squad, body("午间巡查")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The recording of the first patrol arrives on time; a photo (not a recording) for the other.
    let video = upload(
        &app,
        &squad,
        &[
            ("patrol_id", &filmed),
            ("recording_started_at", "2026-03-02T08:00"),
            ("recording_ended_at", "2026-03-02T08:45"),
        ],
        "rec.mp4",
        &mp4(20_000),
    )
    .await;
    assert_eq!(video.status, StatusCode::CREATED, "{}", video.body);
    upload(&app, &squad, &[("patrol_id", &unfilmed)], "p.jpg", &jpeg(5_000)).await;
    // A recording uploaded two days after it ended is late.
    app.clock.advance(Duration::days(2));
    let squad = app.token("squadlead01").await;
    let late = upload(
        &app,
        &squad,
        &[
            ("recording_started_at", "2026-03-02T10:00"),
            ("recording_ended_at", "2026-03-02T10:30"),
            ("description", "补传的执法记录仪视频"),
        ],
        "late.mp4",
        &mp4(20_000),
    )
    .await;
    assert_eq!(late.status, StatusCode::CREATED, "{}", late.body);
    let bad = upload(&app, &squad, &[("patrol_id", "nope")], "x.mp4", &mp4(1_000)).await;
    assert_eq!(bad.json()["fields"][0]["code"], "unknown_patrol");

    let report = app.get_bearer("/api/v1/recording-compliance?month=2026-03", &squad).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let report = report.json();
    let line = &report["squads"][0];
    assert_eq!(line["unit_name"], "南大街中队");
    assert_eq!(
        (line["acts"].as_u64(), line["recorded"].as_u64(), line["late"].as_u64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(line["rate"], 50.0);
    let missing = report["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["ref_id"], unfilmed.as_str());
    assert_eq!(report["late"][0]["description"], "补传的执法记录仪视频");
    // Another month has nothing; another squad sees nothing of this one.
    let empty = app.get_bearer("/api/v1/recording-compliance?month=2026-04", &squad).await.json();
    assert!(empty["squads"].as_array().unwrap().is_empty());
    let other = app.token("squadlead02").await;
    let theirs = app.get_bearer("/api/v1/recording-compliance?month=2026-03", &other).await.json();
    assert!(theirs["squads"].as_array().unwrap().is_empty());
    let page = app.get_bearer("/api/v1/recording-compliance?month=March", &squad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn case_acts_that_must_be_filmed_count_once_their_recording_is_attached() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let day = crate::support::start_time().date_naive();
    let officers = crate::cases::two_certified(&app, "南大街中队", day).await;
    let party = crate::cases::new_party(&app, &squad, "11010519491231002X").await;
    let mut steps = crate::cases::filed_vending_case(&app, &squad, &leader, &party, &officers).await;
    let id = steps.id.clone();
    steps
        .ok(
            &squad,
            serde_json::json!({"action": "record_act", "kind": "inspection", "on": "2026-03-02",
        "officers": officers, "summary": "现场检查"}),
        )
        .await;
    let path = "/api/v1/recording-compliance?month=2026-03";
    let before = app.get_bearer(path, &squad).await.json();
    let act = before["missing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "inspection")
        .expect("inspection listed")
        .clone();
    let seq = act["seq"].as_i64().unwrap().to_string();
    let wrong =
        upload(&app, &squad, &[("case_id", &id), ("case_event_seq", "99")], "v.mp4", &mp4(5_000)).await;
    assert_eq!(wrong.json()["fields"][0]["code"], "unknown_event");
    let filmed =
        upload(&app, &squad, &[("case_id", &id), ("case_event_seq", &seq)], "v.mp4", &mp4(5_000)).await;
    assert_eq!(filmed.status, StatusCode::CREATED, "{}", filmed.body);
    let after = app.get_bearer(path, &squad).await.json();
    assert!(!after["missing"].as_array().unwrap().iter().any(|a| a["rule"] == "inspection"));
}

#[tokio::test]
async fn an_unreachable_store_fails_the_upload_cleanly_and_records_nothing() {
    // Nothing listens on this port: every request to the store is refused.
    let app = TestApp::with_config(|c| {
        c.evidence_store = "s3".into();
        c.s3_endpoint = "http://127.0.0.1:9".into();
        c.s3_bucket = "evidence".into();
        c.s3_access_key = "GKx".into();
        c.s3_secret_key = "secret".into();
        c.s3_prefix = String::new();
    })
    .await;
    let officer = app.token("squadlead01").await;
    let response = upload(&app, &officer, &[], "a.jpg", &jpeg(50_000)).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{}", response.body);
    assert_eq!(response.json()["error"], "service_unavailable");
    assert_eq!(app.state.blobs.staging_files().unwrap(), 0);
    assert!(app.get_bearer("/api/v1/evidence", &officer).await.json().as_array().unwrap().is_empty());
    assert_eq!(app.audit_count("evidence.upload").await, 0);
}

#[test]
fn a_full_disk_is_reported_as_such() {
    let full = chengguan::blobs::BlobError::from(std::io::Error::from(std::io::ErrorKind::StorageFull));
    assert!(matches!(full, chengguan::blobs::BlobError::Full));
    let error: chengguan::web::error::AppError = full.into();
    assert_eq!(error.status(), StatusCode::INSUFFICIENT_STORAGE);
    assert_eq!(error.code(), "storage_full");
}

#[tokio::test]
async fn the_office_keeps_the_list_of_acts_that_must_be_filmed() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let squad = app.token("squadlead01").await;
    let rules = app.get_bearer("/api/v1/recording-rules", &squad).await.json();
    assert!(rules.as_array().unwrap().iter().any(|r| r["code"] == "hearing" && r["enabled"] == true));
    let off = serde_json::json!({"enabled": false});
    assert_eq!(
        app.json(Method::PUT, "/api/v1/recording-rules/hearing", &squad, off.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.json(Method::PUT, "/api/v1/recording-rules/hearing", &office, off.clone()).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.json(Method::PUT, "/api/v1/recording-rules/nonsense", &office, off).await.status,
        StatusCode::NOT_FOUND
    );
    let rules = app.get_bearer("/api/v1/recording-rules", &squad).await.json();
    assert!(rules.as_array().unwrap().iter().any(|r| r["code"] == "hearing" && r["enabled"] == false));
    assert_eq!(app.audit_count("recording_rule.set").await, 1);
}

#[tokio::test]
async fn squad_leaders_register_their_own_squads_body_cameras_once() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let own = app.unit_id("南大街中队").await;
    let other = app.unit_id("荷花池中队").await;
    let device =
        |no: &str, unit: &str| serde_json::json!({"device_no": no, "kind": "body_camera", "unit_id": unit});
    let made = app.json(Method::POST, "/api/v1/devices", &squad, device("DSJ-0101", &own)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let twice = app.json(Method::POST, "/api/v1/devices", &squad, device("DSJ-0101", &own)).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.json()["fields"][0]["code"], "duplicate");
    let elsewhere = app.json(Method::POST, "/api/v1/devices", &squad, device("DSJ-0102", &other)).await;
    assert_eq!(elsewhere.json()["fields"][0]["code"], "unknown_unit");
    let officer = app.token("officer01").await;
    assert_eq!(
        app.json(Method::POST, "/api/v1/devices", &officer, device("DSJ-0103", &own)).await.status,
        StatusCode::FORBIDDEN
    );
    let listed = app.get_bearer("/api/v1/devices", &officer).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["device_no"], "DSJ-0101");
}

/// Found by the fuzzer: a field given twice in the upload form was taken as one of them. One
/// value per field: a repeated one is refused and nothing is stored.
#[tokio::test]
async fn a_field_given_twice_in_an_upload_is_refused() {
    let app = TestApp::new().await;
    let officer = app.token("squadlead01").await;
    let before = app.count("SELECT COUNT(*) FROM evidence_items").await;
    let response =
        upload(&app, &officer, &[("device_no", "DSJ-01"), ("device_no", "DSJ-02")], "a.jpg", &jpeg(4096))
            .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    assert_eq!(response.json()["fields"][0]["code"], "field_repeated");
    assert_eq!(app.count("SELECT COUNT(*) FROM evidence_items").await, before);
}
