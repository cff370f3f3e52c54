//! Evidence ingest and verification benchmarks.
//!
//! 1. Generates a file of SIZE_MIB (default 1024) that starts like an MP4 recording, then
//!    measures in the same run:
//!    - the speed of each digest alone over it (SHA-256, SM3), 1 MiB at a time: the slower one
//!      bounds what ingest can reach, since every byte goes through both;
//!    - an HTTP upload of it to `POST /api/v1/evidence` on loopback with curl, against the real
//!      server (SQLite, local folder store), and the server process's peak memory (VmHWM)
//!      growth during the upload;
//!    - `evidence verify` throughput over the store (the big file plus 200 photos of 2 MiB).
//!
//! Usage: cargo run --release --example bench_evidence -- WORK_DIR [SIZE_MIB]
#![allow(clippy::print_stdout)] // A benchmark reports.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use sha2::Digest;

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Pseudo-random bytes (xorshift), fast enough that generating is not the bottleneck.
fn fill(buffer: &mut [u8], state: &mut u64) {
    for chunk in buffer.chunks_mut(8) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let bytes = state.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

fn digest_speed<D: Digest>(path: &std::path::Path) -> anyhow::Result<f64> {
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 1 << 20];
    let mut digest = D::new();
    let mut total = 0u64;
    let started = Instant::now();
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        digest.update(&buffer[..n]);
        total += n as u64;
    }
    let _ = digest.finalize();
    Ok(total as f64 / started.elapsed().as_secs_f64() / 1e6)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let work = std::path::PathBuf::from(args.next().unwrap_or_else(|| "./bench-evidence".to_owned()));
    let size_mib: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1024);
    std::fs::create_dir_all(&work)?;
    let big = work.join("recording.mp4");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&big)?);
        let mut block = vec![0u8; 1 << 20];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for i in 0..size_mib {
            fill(&mut block, &mut state);
            if i == 0 {
                block[..16].copy_from_slice(b"\0\0\0\x20ftypisom\0\0\x02\0");
            }
            file.write_all(&block)?;
        }
    }
    let bytes = (size_mib as u64) << 20;
    println!(
        "# evidence benchmarks: {size_mib} MiB file, {} cores",
        std::thread::available_parallelism()?.get()
    );
    let sha = digest_speed::<sha2::Sha256>(&big)?;
    let sm3 = digest_speed::<sm3::Sm3>(&big)?;
    let slowest = sha.min(sm3);
    println!("BASELINE sha256 alone: {sha:.0} MB/s");
    println!("BASELINE sm3 alone: {sm3:.0} MB/s (slowest configured digest: {slowest:.0} MB/s)");

    // The real server on loopback.
    let data = work.join("data");
    let _ = std::fs::remove_dir_all(&data);
    let mut config = chengguan::config::Config {
        data_dir: data.clone(),
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        sqlite_synchronous_full: true,
        ..chengguan::config::Config::default()
    };
    config.evidence_max_bytes = bytes + (64 << 20);
    let clock: chengguan::clock::SharedClock = Arc::new(chengguan::clock::SystemClock);
    let db = chengguan::app::open_db(&config, &clock).await?;
    let keys = chengguan::keys::Keyring::load_or_create(&config.key_path())?;
    chengguan::demo::seed(&db, config.hash_cost(), clock.now(), &keys).await?;
    let account = db.account_by_username("squadlead01").await?.expect("demo account");
    let token = chengguan::auth::new_token();
    let mut tx = db.begin(&chengguan::store::AuditCtx::cli("bench"), clock.now()).await?;
    tx.insert_api_token(
        &account.id,
        &chengguan::auth::token_hash(&token),
        "bench",
        clock.now() + chrono::Duration::days(1),
    )
    .await?;
    tx.commit().await?;
    let state = chengguan::app::state(db.clone(), clock.clone(), config, false)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let router = chengguan::web::router(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
    });

    let upload = |path: std::path::PathBuf| {
        let token = token.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new("curl")
                .args(["-s", "-S", "-f", "-o", "/dev/null", "-w", "%{time_total}", "-H"])
                .arg(format!("Authorization: Bearer {token}"))
                .arg("-F")
                .arg(format!("file=@{}", path.display()))
                .arg(format!("http://{address}/api/v1/evidence"))
                .output()
        })
    };
    let hwm_before = vm_hwm_kib();
    let started = Instant::now();
    let out = upload(big.clone()).await??;
    let wall = started.elapsed().as_secs_f64();
    anyhow::ensure!(out.status.success(), "upload failed: {}", String::from_utf8_lossy(&out.stderr));
    let hwm_after = vm_hwm_kib();
    let ingest = bytes as f64 / wall / 1e6;
    println!(
        "RESULT ingest {size_mib} MiB over HTTP: {wall:.2} s = {ingest:.0} MB/s = {:.0} % of the slowest digest",
        ingest / slowest * 100.0
    );
    println!(
        "RESULT peak memory growth during upload: {:.1} MiB (VmHWM {} → {} KiB)",
        (hwm_after.saturating_sub(hwm_before)) as f64 / 1024.0,
        hwm_before,
        hwm_after
    );

    // A store of realistic mixed content: the recording plus 200 photos.
    let photo = work.join("photo.jpg");
    let mut state_seed = 42u64;
    for i in 0..200 {
        let mut block = vec![0u8; 2 << 20];
        fill(&mut block, &mut state_seed);
        block[..4].copy_from_slice(&[0xff, 0xd8, 0xff, 0xe0]);
        block[4..8].copy_from_slice(&(i as u32).to_le_bytes());
        std::fs::write(&photo, &block)?;
        let out = upload(photo.clone()).await??;
        anyhow::ensure!(out.status.success(), "photo upload failed");
    }
    let started = Instant::now();
    let (checked, faults) = chengguan::evidence::verify_store(&db, &state.blobs, None).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let stored = bytes + 200 * (2 << 20);
    println!(
        "RESULT evidence verify: {checked} items, {:.0} MiB in {elapsed:.2} s = {:.0} MB/s ({} faults)",
        stored as f64 / 1048576.0,
        stored as f64 / elapsed / 1e6,
        faults.len()
    );
    Ok(())
}
