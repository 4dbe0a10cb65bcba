//! `rampart-loadtest`: N clients in a closed loop against `rampart serve`
//! (each sends its next request when the last one's reply has arrived), then
//! requests per second, latency percentiles and errors. Written with the
//! project's own HTTP client stack (reqwest on tokio). See bench/server.sh.

mod scenario;
mod stats;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

use stats::Summary;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// GET the model's threats (50 a page; every fifth request filtered).
    Read,
    /// PUT the generated model with one property changed (If-Match: *).
    /// With one `--model-id`, every client saves that model, each save
    /// waiting for the one before; with several, client i saves model i mod n.
    Save,
}

#[derive(Parser, Debug)]
#[command(name = "rampart-loadtest", version)]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// An API token (Bearer) allowed to read and save the model.
    #[arg(long, env = "RAMPART_TOKEN", hide_env_values = true)]
    token: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Length of the measured window.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Seconds of load before the measured window (connections opened, caches warm); not counted.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    #[arg(long, value_enum, default_value_t = Scenario::Read)]
    scenario: Scenario,
    /// The model to read or save; required unless --create-model. Several
    /// (comma-separated, or the option repeated) are shared out among the
    /// clients: client i uses model i mod n.
    #[arg(long, value_name = "ID", value_delimiter = ',', required_unless_present = "create_model")]
    model_id: Vec<String>,
    /// Create a business unit, a project and `--models` models of the
    /// generated model in it, print their ids (one a line), and exit.
    #[arg(long)]
    create_model: bool,
    /// How many models --create-model creates.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    models: u32,
    /// Components of the generated model (saves, and --create-model).
    #[arg(long, default_value_t = 200)]
    components: usize,
    /// Seed of the generated model.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Also write every measured request to FILE as CSV (`sent_ms,latency_ms,client,ok`;
    /// `sent_ms` from the start of the measured window), to find stalls that
    /// percentiles hide: a checkpoint or a vacuum shows as a cluster in time.
    #[arg(long, value_name = "FILE")]
    timeline: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("cannot start the runtime: {error}")),
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

async fn run(args: Args) -> Result<(), String> {
    let base = args.url.trim_end_matches('/').to_string();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients.max(1))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    if args.create_model {
        let model = scenario::generated_model(args.components, args.seed)?;
        let ids = scenario::create_models(&client, &base, &args.token, &model, args.models).await?;
        for id in ids {
            println!("{id}");
        }
        return Ok(());
    }
    if args.clients == 0 || args.seconds == 0 {
        return Err("--clients and --seconds must be at least 1".to_string());
    }
    if args.model_id.iter().any(String::is_empty) {
        return Err("--model-id: a model id is empty".to_string());
    }
    if args.model_id.is_empty() {
        return Err("--model-id is required".to_string());
    }
    let model = match args.scenario {
        Scenario::Save => {
            Some(Arc::new(scenario::SaveBody::new(&scenario::generated_model(args.components, args.seed)?)?))
        }
        Scenario::Read => None,
    };
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(args.warmup);
    let until = measure_from + Duration::from_secs(args.seconds);
    let mut tasks = Vec::with_capacity(args.clients);
    for index in 0..args.clients {
        let load = ClientLoad {
            client: client.clone(),
            base: base.clone(),
            token: args.token.clone(),
            model_id: client_model(&args.model_id, index).to_string(),
            model: model.clone(),
            index,
            measure_from,
            until,
        };
        tasks.push(tokio::spawn(load.run()));
    }
    let mut latencies = Vec::new();
    let mut timeline = Vec::new();
    let mut errors = 0;
    let mut error_samples: Vec<String> = Vec::new();
    for (client, task) in tasks.into_iter().enumerate() {
        let outcome = task.await.map_err(|e| format!("a client task failed: {e}"))?;
        latencies.extend(outcome.requests.iter().map(|request| request.latency));
        timeline.extend(outcome.requests.into_iter().map(|request| (client, request)));
        errors += outcome.errors.len();
        for error in outcome.errors {
            if error_samples.len() < 5 && !error_samples.contains(&error) {
                error_samples.push(error);
            }
        }
    }
    let name = match args.scenario {
        Scenario::Read => "read",
        Scenario::Save => "save",
    };
    if let Some(path) = &args.timeline {
        write_timeline(path, timeline, measure_from)?;
    }
    let summary =
        Summary::new(name, args.clients, until.duration_since(measure_from), latencies, errors, error_samples);
    if args.json {
        println!("{}", summary.json());
    } else {
        print!("{}", summary.text());
    }
    Ok(())
}

/// Writes the measured requests as CSV, in the order they were sent.
fn write_timeline(
    path: &std::path::Path,
    mut requests: Vec<(usize, Request)>,
    measure_from: Instant,
) -> Result<(), String> {
    requests.sort_by_key(|(_, request)| request.sent);
    let mut csv = String::from("sent_ms,latency_ms,client,ok\n");
    for (client, request) in requests {
        let sent = request.sent.saturating_duration_since(measure_from).as_secs_f64() * 1000.0;
        let latency = request.latency.as_secs_f64() * 1000.0;
        csv.push_str(&format!("{sent:.2},{latency:.2},{client},{}\n", u8::from(request.ok)));
    }
    std::fs::write(path, csv).map_err(|e| format!("cannot write --timeline {}: {e}", path.display()))
}

/// The model client `index` reads or saves: the models are shared out in turn.
fn client_model(models: &[String], index: usize) -> &str {
    &models[index % models.len()]
}

/// One client of the closed loop.
struct ClientLoad {
    client: reqwest::Client,
    base: String,
    token: String,
    model_id: String,
    model: Option<Arc<scenario::SaveBody>>,
    index: usize,
    measure_from: Instant,
    until: Instant,
}

/// One request of the measured window.
struct Request {
    sent: Instant,
    /// Successful or not: an error is also a latency the user waits.
    latency: Duration,
    ok: bool,
}

/// What one client saw in the measured window.
struct Outcome {
    requests: Vec<Request>,
    errors: Vec<String>,
}

impl ClientLoad {
    async fn run(self) -> Outcome {
        let mut outcome = Outcome { requests: Vec::new(), errors: Vec::new() };
        let mut n: u64 = 0;
        loop {
            let sent = Instant::now();
            if sent >= self.until {
                return outcome;
            }
            let request = match &self.model {
                Some(model) => {
                    scenario::save(&self.client, &self.base, &self.token, &self.model_id, model, self.index, n)
                }
                None => scenario::read(&self.client, &self.base, &self.token, &self.model_id, n),
            };
            n += 1;
            let error = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(_) if status.is_success() => None,
                        Ok(body) => {
                            Some(format!("{status}: {}", String::from_utf8_lossy(&body[..body.len().min(200)])))
                        }
                        Err(e) => Some(format!("reading the reply: {e}")),
                    }
                }
                Err(e) => Some(format!("sending: {e}")),
            };
            if sent < self.measure_from {
                continue;
            }
            outcome.requests.push(Request { sent, latency: sent.elapsed(), ok: error.is_none() });
            if let Some(error) = error {
                outcome.errors.push(error);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_share_the_models_out_in_turn() {
        let models: Vec<String> = ["a", "b", "c"].iter().map(|m| m.to_string()).collect();
        let assigned: Vec<&str> = (0..7).map(|index| client_model(&models, index)).collect();
        assert_eq!(assigned, ["a", "b", "c", "a", "b", "c", "a"]);
        assert_eq!(client_model(&models[..1], 41), "a");
    }

    #[test]
    fn the_timeline_lists_requests_in_the_order_they_were_sent() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let requests = vec![
            (1, Request { sent: at(250), latency: Duration::from_micros(12_500), ok: true }),
            (0, Request { sent: at(100), latency: Duration::from_millis(300), ok: false }),
        ];
        let path = std::env::temp_dir().join(format!("rampart-loadtest-timeline-{}.csv", std::process::id()));
        write_timeline(&path, requests, at(50)).expect("written");
        let csv = std::fs::read_to_string(&path).expect("read");
        std::fs::remove_file(&path).ok();
        assert_eq!(csv, "sent_ms,latency_ms,client,ok\n50.00,300.00,0,0\n200.00,12.50,1,1\n");
        let error = write_timeline(std::path::Path::new("/no/such/dir/t.csv"), Vec::new(), start).unwrap_err();
        assert!(error.contains("--timeline /no/such/dir/t.csv"), "{error}");
    }

    #[test]
    fn model_ids_are_read_comma_separated_or_repeated() {
        let parse = |extra: &[&str]| {
            let mut argv = vec!["rampart-loadtest", "--token", "t"];
            argv.extend_from_slice(extra);
            Args::try_parse_from(argv).map(|args| args.model_id)
        };
        assert_eq!(parse(&["--model-id", "a,b"]).unwrap(), ["a", "b"]);
        assert_eq!(parse(&["--model-id", "a", "--model-id", "b"]).unwrap(), ["a", "b"]);
        assert!(parse(&[]).is_err(), "a model is required unless one is created");
        assert!(parse(&["--create-model", "--models", "0"]).is_err(), "at least one model");
    }
}
