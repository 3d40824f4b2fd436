//! Where the component's CPU per record goes, by step (run natively by `make bench`).

use super::*;
use std::time::Instant;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

#[test]
#[ignore]
fn profile_page_records() {
    let names: Vec<&str> = metrics::names(metrics::AD).collect();
    let rows: Vec<Value> = (0..1000)
        .map(|i| {
            let m: Map<String, Value> =
                names.iter().enumerate().map(|(j, n)| (n.to_string(), json!(format!("{}.{:02}", i * j, j)))).collect();
            json!({"dimensions": {"ad_id": format!("17{i:014}"), "stat_time_day": "2024-01-01 00:00:00"}, "metrics": m})
        })
        .collect();
    let body = json!({"code": 0, "message": "OK", "data": {"list": rows, "page_info": {"page": 1, "total_page": 1}}})
        .to_string();
    let per_record = |secs: f64| secs * 1e6 / 1000.0;
    let tree = best_of(5, || {
        let mut v: Value = serde_json::from_slice(body.as_bytes()).unwrap();
        v["data"]["list"].as_array_mut().unwrap().drain(..).map(|r| r.to_string().len()).sum::<usize>()
    });
    let parse = best_of(5, || {
        serde_json::from_slice::<Envelope>(body.as_bytes()).unwrap().data.map(|d| d.list.map(|l| l.len()))
    });
    let whole = best_of(5, || page_records(body.as_bytes(), "7").unwrap().records.len());
    println!("native profile of one 1000-row page, 79 metrics (us per record):");
    println!("  serde_json tree parse + serialize (the bench's native floor)  {:.1}", per_record(tree));
    println!("  connector: borrowed parse of the page                        {:.1}", per_record(parse));
    println!("  connector: typing metrics and writing record text            {:.1}", per_record(whole - parse));
    println!("  connector: page to record texts                              {:.1}", per_record(whole));
}
