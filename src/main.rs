//! The `neurofab` binary.

use clap::Parser;

fn main() {
    let cli = neurofab::cli::Cli::parse();
    if let Err(error) = neurofab::cli::main_with(cli) {
        eprintln!("neurofab: error: {error:#}");
        std::process::exit(1);
    }
}
