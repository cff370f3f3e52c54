//! The baseline for the HTTP benchmark: a bare axum server answering a small JSON body, built
//! with the same compiler, profile and axum version as chengguan. `bench/run` measures both in
//! the same run and reports chengguan as a ratio of this.

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18081".to_owned());
    let app = Router::new().route(
        "/json",
        get(|| async { axum::Json(serde_json::json!({ "id": "01", "name": "城管执法", "ok": true })) }),
    );
    let listener = tokio::net::TcpListener::bind(&address).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
