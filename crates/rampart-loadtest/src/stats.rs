//! Latency figures from every sample: sorting them all is exact and cheap at
//! the counts a 20-second run produces (a few hundred thousand at most), so
//! no histogram approximation is needed.

use std::time::Duration;

use serde_json::{Value, json};

/// What one run measured.
pub struct Summary {
    pub scenario: String,
    pub clients: usize,
    pub seconds: f64,
    /// Requests completed inside the measured window (successes and errors).
    pub requests: usize,
    pub errors: usize,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The first few error descriptions, to say what went wrong.
    pub error_samples: Vec<String>,
}

/// The sample at quantile `q` (nearest rank) of `sorted`, in milliseconds.
fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

impl Summary {
    pub fn new(
        scenario: &str,
        clients: usize,
        window: Duration,
        mut latencies: Vec<Duration>,
        errors: usize,
        error_samples: Vec<String>,
    ) -> Summary {
        latencies.sort_unstable();
        let seconds = window.as_secs_f64();
        let requests = latencies.len();
        Summary {
            scenario: scenario.to_string(),
            clients,
            seconds,
            requests,
            errors,
            requests_per_second: if seconds > 0.0 { requests as f64 / seconds } else { 0.0 },
            p50_ms: quantile_ms(&latencies, 0.50),
            p90_ms: quantile_ms(&latencies, 0.90),
            p99_ms: quantile_ms(&latencies, 0.99),
            max_ms: latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            error_samples,
        }
    }

    pub fn text(&self) -> String {
        let mut out = format!(
            "scenario {}: {} clients for {:.1} s\n  requests  {}\n  req/s     {:.1}\n  p50 ms    {:.2}\n  \
             p90 ms    {:.2}\n  p99 ms    {:.2}\n  max ms    {:.2}\n  errors    {}\n",
            self.scenario,
            self.clients,
            self.seconds,
            self.requests,
            self.requests_per_second,
            self.p50_ms,
            self.p90_ms,
            self.p99_ms,
            self.max_ms,
            self.errors
        );
        for sample in &self.error_samples {
            out.push_str(&format!("  error: {sample}\n"));
        }
        out
    }

    pub fn json(&self) -> Value {
        let round = |ms: f64| (ms * 100.0).round() / 100.0;
        json!({
            "scenario": self.scenario,
            "clients": self.clients,
            "seconds": round(self.seconds),
            "requests": self.requests,
            "errors": self.errors,
            "requests_per_second": round(self.requests_per_second),
            "latency_ms": {
                "p50": round(self.p50_ms),
                "p90": round(self.p90_ms),
                "p99": round(self.p99_ms),
                "max": round(self.max_ms),
            },
            "error_samples": self.error_samples,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile_ms(&samples, 0.50), 50.0);
        assert_eq!(quantile_ms(&samples, 0.99), 99.0);
        assert_eq!(quantile_ms(&samples, 1.0), 100.0);
        assert_eq!(quantile_ms(&[], 0.5), 0.0);
        assert_eq!(quantile_ms(&[Duration::from_millis(7)], 0.99), 7.0);
    }
}
