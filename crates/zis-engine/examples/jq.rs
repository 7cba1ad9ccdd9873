//! Runs a jq program the way the Jq transform does: `cargo run --example jq -- PROGRAM [INPUT]`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let program = args.get(1).map_or(".", String::as_str);
    let input = args.get(2).map_or("null", String::as_str);
    let input: serde_json::Value = match serde_json::from_str(input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("input: {e}");
            std::process::exit(2);
        }
    };
    match zis_engine::jq::run(program, &input) {
        Ok(out) => {
            for v in out {
                println!("{v}");
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
