//! Markdown generated from the register map and the protocol table: the whole of
//! `docs/register-map.md`, and the code tables of `docs/host-protocol.md` (between
//! `<!-- generated: NAME -->` and `<!-- end: NAME -->` markers, see [`splice`]).
//!
//! `tests/docs.rs` checks that the files in `docs/` equal this text; run it with
//! `NEUROFAB_UPDATE_DOCS=1` to rewrite them.

use thiserror::Error;

use super::protocol::{
    COMMANDS, MAX_REQUEST_PAYLOAD, PROTOCOL_VERSION, REPORT_FLAG, REQUEST_SYNC, RESPONSE_SYNC,
    STATUSES, TICK_REPORT,
};
use super::{CFG_ADDR_WIDTH, CFG_DATA_WIDTH, CFG_TARGET_CODES, CFG_TARGET_WIDTH, TARGETS};

/// Name of the generated command table in `docs/host-protocol.md`.
pub const COMMAND_SECTION: &str = "commands";
/// Name of the generated status table in `docs/host-protocol.md`.
pub const STATUS_SECTION: &str = "statuses";

/// A document's generated section cannot be replaced.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SpliceError {
    /// The start or end marker is missing, or they are out of order.
    #[error("no `<!-- generated: {0} -->` ... `<!-- end: {0} -->` markers in the document")]
    NoMarkers(String),
}

/// A table cell: `{TICK_REPORT}` replaced by the code, `|` escaped (it would end the cell).
fn cell(text: &str) -> String {
    text.replace("{TICK_REPORT}", &format!("{TICK_REPORT:#04x}"))
        .replace('|', "\\|")
}

/// A markdown table: a header row, a rule, one row per entry (cells already escaped).
fn markdown_table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let row = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    let mut out = row(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    out += &row(&vec!["---".to_string(); header.len()]);
    for cells in rows {
        out += &row(&cells);
    }
    out
}

/// A code in a table: `0x01`.
fn hex_code(code: u8) -> String {
    format!("`{code:#04x}`")
}

/// The command table of the host protocol.
pub fn command_table() -> String {
    let header = ["CMD", "name", "request payload", "OK response payload"];
    let rows = COMMANDS.iter().map(|spec| {
        vec![
            hex_code(spec.command.code()),
            spec.name.to_string(),
            cell(spec.request),
            cell(spec.response),
        ]
    });
    markdown_table(&header, rows)
}

/// The status table of the host protocol.
pub fn status_table() -> String {
    let header = ["STATUS", "name", "meaning", "payload"];
    let rows = STATUSES.iter().map(|spec| {
        vec![
            hex_code(spec.status.code()),
            spec.name.to_string(),
            cell(spec.meaning),
            cell(spec.payload),
        ]
    });
    markdown_table(&header, rows)
}

/// The configuration-target table.
pub fn target_table() -> String {
    let header = [
        "code",
        "name",
        "owner",
        "width",
        "depth (words)",
        "access",
        "meaning",
    ];
    let rows = TARGETS.iter().map(|spec| {
        vec![
            format!("`{}`", spec.target.code()),
            spec.name.to_string(),
            spec.owner.label().to_string(),
            spec.width.label(),
            spec.depth.formula().to_string(),
            spec.access.label().to_string(),
            cell(spec.meaning),
        ]
    });
    markdown_table(&header, rows)
}

/// Reading targets back over the host link (READ).
const READ_DESIGN: &str = "\
## Reading targets back over the host link (`READ`)

Which targets are readable is derived from the access column above
(`regmap::readable_table`), nowhere else. `READ` (`docs/host-protocol.md`) takes { target
`u8`, first address `u24`, count `u16` } and answers `count` words as `u32`, read one at a
time through the configuration bus, each waited for. The link checks before reading anything
that the target exists in the design and is readable, that `first + count ≤ depth` and that
`count ≤ 16383` (the response's 16-bit length), else `OUT_OF_RANGE` with index 0; its depth
ROM's word carries a *readable* bit. The host side is
`HostDriver::read_config(target, first, count)`.
";

/// Reading targets back on the configuration bus (implemented on the core and the system).
const READ_BUS: &str = "\
## Reading targets back

Every target marked `read/write` can be read back through the configuration bus
(`rtl::cfg_bus`): `cfg_read` strobes a read for one cycle with `cfg_target` and `cfg_addr`
(and `cfg_core` on the multi-core system), only while the core or system is idle and never
together with `cfg_write`. The answer is a one-cycle `cfg_read_valid` pulse with the stored
word on `cfg_read_data`, zero-extended from the target's width (signed fields as their raw
two's-complement bits). Every read gets exactly one pulse: a command, an unused code, a tile
that does not exist, or a read while busy answers 0. At most one read is outstanding; a driver
waits for the pulse before the next read (`sim::driver::read_config`,
`sim::system_driver::read_config`).

- **Timing.** Every target of the core, the synapse stage and a tile's fan-out unit answers in
  the cycle after the read strobe's edge (a block RAM's registered read, then a multiplexer
  by the target registered with the read); the system registers the tile index with the read
  and selects that tile's answer in the same cycle. The interface allows any latency (a
  crossbar's ADC may take longer); the drivers give up after a fixed cycle budget.
- **Port sharing.** Each memory keeps one read port: a read borrows it for its cycle. The
  core drops `event_ready` in a read cycle (the axon-descriptor RAM's port serves the
  enqueue), and the probe outputs (`probe_u`, `probe_v`) may be stale in the cycle after a
  read (the `u`/`v` RAMs' port serves the probe).
- **Routing.** Each block answers every read it receives; a composed block routes each read
  to the owner of its target (the core's sequencer sends `SYNAPSE` reads to its synapse stage,
  a tile sends the fan-out targets to its fan-out unit) and ORs the answers, which are zero
  outside their pulse.
";

/// The whole of `docs/register-map.md`.
pub fn register_map_markdown() -> String {
    let free_from = TARGETS.len();
    format!(
        "# neurofab register map\n\
         \n\
         <!-- Generated from src/rtl/regmap/ (`NEUROFAB_UPDATE_DOCS=1 cargo test --release --test \
         docs`); do not edit. -->\n\
         \n\
         Every block is configured through one bus: `cfg_write`, `cfg_target` \
         ({CFG_TARGET_WIDTH} bits), `cfg_addr` ({CFG_ADDR_WIDTH} bits), `cfg_data` \
         ({CFG_DATA_WIDTH} bits). A write stores the low *width* bits of `cfg_data` at word \
         `cfg_addr` of the target, or runs the target's command; `cfg_read` reads a word back \
         (see \"Reading targets back\"). The table below \
         (`src/rtl/regmap/mod.rs`) is the only definition of the codes: the `CfgTarget` enum, \
         the blocks' comparisons, the fan-out codes and the host link's depth ROM are derived \
         from it.\n\
         \n\
         ## Configuration targets\n\
         \n\
         {targets}\
         \n\
         Codes {free_from}..={last} are free. A target's depth is the number of addressable \
         words; a design without the owner block (the single-core host-link design has no \
         fan-out unit) has depth 0 there, and the host link's WRITE_CONFIG rejects targets of \
         depth 0 and addresses at or above the depth with OUT_OF_RANGE. Word layouts are in \
         `src/rtl/layout.rs`; `map::CoreImage::config_writes()` is the list of writes that \
         loads a network into a core.\n\
         \n\
         {READ_BUS}\
         \n\
         ## Host-link protocol codes\n\
         \n\
         The UART protocol (`docs/host-protocol.md`) takes its codes from \
         `src/rtl/regmap/protocol.rs`, shared by the device (`rtl::host::link`) and the host \
         (`host::protocol`): version {PROTOCOL_VERSION}, request sync `{REQUEST_SYNC:#04x}`, \
         response sync `{RESPONSE_SYNC:#04x}`, request payload at most {MAX_REQUEST_PAYLOAD} \
         bytes, tick reports carry command `{TICK_REPORT:#04x}` (`{REPORT_FLAG:#04x} | RUN`).\n\
         \n\
         {commands}\
         \n\
         {statuses}\
         \n\
         {READ_DESIGN}",
        targets = target_table(),
        last = CFG_TARGET_CODES - 1,
        commands = command_table(),
        statuses = status_table(),
    )
}

/// `document` with the text between `<!-- generated: NAME -->` and `<!-- end: NAME -->`
/// (each on its own line) replaced by `generated`.
pub fn splice(document: &str, name: &str, generated: &str) -> Result<String, SpliceError> {
    let start_marker = format!("<!-- generated: {name} -->\n");
    let end_marker = format!("<!-- end: {name} -->");
    let no_markers = || SpliceError::NoMarkers(name.to_string());
    let start = document.find(&start_marker).ok_or_else(no_markers)? + start_marker.len();
    let end = start + document[start..].find(&end_marker).ok_or_else(no_markers)?;
    Ok(format!(
        "{}{generated}{}",
        &document[..start],
        &document[end..]
    ))
}

/// `docs/host-protocol.md` with its generated tables brought up to date.
pub fn update_host_protocol(document: &str) -> Result<String, SpliceError> {
    let document = splice(document, COMMAND_SECTION, &command_table())?;
    splice(&document, STATUS_SECTION, &status_table())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_only_the_section() {
        let doc = "a\n<!-- generated: x -->\nold\n<!-- end: x -->\nb\n";
        assert_eq!(
            splice(doc, "x", "new\n").unwrap(),
            "a\n<!-- generated: x -->\nnew\n<!-- end: x -->\nb\n"
        );
        assert_eq!(
            splice(doc, "y", ""),
            Err(SpliceError::NoMarkers("y".to_string()))
        );
    }

    #[test]
    fn tables_have_one_row_per_code() {
        assert_eq!(target_table().lines().count(), TARGETS.len() + 2);
        assert_eq!(command_table().lines().count(), COMMANDS.len() + 2);
        assert_eq!(status_table().lines().count(), STATUSES.len() + 2);
        // Pipes inside cells are escaped, so every row has the header's column count.
        for line in target_table().lines() {
            assert_eq!(line.replace("\\|", "").matches('|').count(), 8, "{line}");
        }
    }
}
