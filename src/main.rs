//! The `neurofab` binary.

use clap::Parser;

fn main() {
    let cli = neurofab::cli::Cli::parse();
    if let Err(error) = neurofab::cli::main_with(cli) {
        if error.is::<neurofab::cli::output::StdoutClosed>() {
            // The reader of our output went away (`| head`): stop quietly, like a Unix filter.
            std::process::exit(0);
        }
        eprintln!("neurofab: error: {}", neurofab::cli::error_text(&error));
        std::process::exit(1);
    }
}
