//! Fills a PayDesk data folder with N past invoices, for the start-up and memory
//! benchmarks (`bench/app.py`): `cargo run --release -p paydesk-store --example seed --
//! DATA_DIR N`. The invoices are settled history (see `benches/history`), so a launched
//! app has nothing to sync and the figures show the cost of the data alone.

use std::path::PathBuf;

use paydesk_store::Store;

#[path = "../benches/history/mod.rs"]
mod history;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, n) = match args.as_slice() {
        [dir, n] => (
            PathBuf::from(dir),
            n.parse::<usize>().expect("N is a count"),
        ),
        _ => {
            eprintln!("usage: seed DATA_DIR N");
            std::process::exit(2);
        }
    };
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&dir).await.expect("the data folder opens");
        let took = history::seed_history(&store, n).await;
        println!(
            "{n} invoices in {} in {:.1} s",
            dir.display(),
            took.as_secs_f64()
        );
    });
}
