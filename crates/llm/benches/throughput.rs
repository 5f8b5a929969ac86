//! Client throughput against a local endpoint with a fixed 50 ms latency that the bench starts
//! itself (on its own runtime threads, so the client's CPU is measured alone). Prints, per
//! concurrency, requests/s against the ideal concurrency / 0.05 s, latency percentiles and the
//! client's CPU per request. Run with `cargo bench -p hardgen-llm`.

use hardgen_llm::mock::MockServer;
use hardgen_llm::{load, Client, ClientConfig};
use std::time::Duration;

fn main() {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("mock-server")
        .enable_all()
        .build()
        .expect("server runtime");
    let server = server_rt
        .block_on(MockServer::start(vec![], Duration::from_millis(50)))
        .expect("mock server");
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("llm-client")
        .enable_all()
        .build()
        .expect("client runtime");
    println!("endpoint {} with 50 ms latency", server.base_url());
    for c in [32usize, 128, 512] {
        let mut cfg = ClientConfig::new(&server.base_url(), "mock");
        cfg.api_key = None;
        cfg.concurrency = c;
        let r = client_rt.block_on(async {
            let client = Client::new(cfg).expect("client");
            // Warm the connection pool first.
            load::run(&client, c, c, None).await;
            load::run(&client, c * 40, c, Some("llm-client")).await
        });
        let ideal = c as f64 / 0.05;
        println!(
            "concurrency {c:>4}: {:>7.0} req/s = {:>5.1}% of ideal {ideal:.0}; p50 {:.1} ms, p99 {:.1} ms; errors {}, retries {}; client CPU {:.1} us/request",
            r.rps,
            100.0 * r.rps / ideal,
            r.p50_ms,
            r.p99_ms,
            r.errors,
            r.retries,
            1e6 * r.cpu_s / r.requests as f64
        );
    }
    drop(server);
}
