//! The host-link protocol's codes (`docs/host-protocol.md`), declared once: command codes,
//! status codes with their messages, sync bytes, version, payload limit and the tick-report
//! code. The hardware (`rtl::host::link`, through [`super::hdl::constant`]) and the host
//! (`host::protocol`, which re-exports these items) both use this table; the code tables of
//! `docs/host-protocol.md` are generated from it ([`super::doc`]).
//!
//! Plain Rust, so `host` can import it without `rtl` importing `host`.

/// Protocol version: reported by INFO, checked by the host.
pub const PROTOCOL_VERSION: u8 = 1;
/// First byte of every request.
pub const REQUEST_SYNC: u8 = 0xa5;
/// First byte of every response (differs from the request's, so a looped-back line is not
/// mistaken for a device).
pub const RESPONSE_SYNC: u8 = 0x5a;
/// Largest request payload a device accepts: its frame buffer, one 512 x 8 block RAM.
pub const MAX_REQUEST_PAYLOAD: usize = 512;
/// Flag of a response command field that reports progress rather than echoing a request.
pub const REPORT_FLAG: u8 = 0x80;
/// Most words one READ returns: its response's payload, 4 bytes per word, must fit the
/// response's 16-bit length field (`16383 * 4 = 65532`).
pub const MAX_READ_WORDS: u16 = u16::MAX / 4;
/// Command field of a per-tick spike report (`REPORT_FLAG | RUN`): one per tick of a run.
pub const TICK_REPORT: u8 = REPORT_FLAG | Command::Run.code();

/// One row of the command table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CommandSpec {
    /// The command.
    pub command: Command,
    /// Name in the documentation.
    pub name: &'static str,
    /// Request payload, for the documentation.
    pub request: &'static str,
    /// Payload of an OK response, for the documentation (`{TICK_REPORT}` stands for the
    /// tick-report code).
    pub response: &'static str,
    /// What the command does (also the variant's doc comment).
    pub meaning: &'static str,
}

/// One row of the status table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StatusSpec {
    /// The status.
    pub status: Status,
    /// Name in the documentation.
    pub name: &'static str,
    /// Short message (`Display` of [`Status`], in host error messages).
    pub message: &'static str,
    /// When the device answers with it (also the variant's doc comment).
    pub meaning: &'static str,
    /// Response payload, for the documentation.
    pub payload: &'static str,
}

/// Declares the command table: the [`Command`] enum and [`COMMANDS`].
macro_rules! command_table {
    ($(
        $variant:ident = $code:literal { $name:literal, $request:literal, $response:literal,
        $meaning:literal }
    ),* $(,)?) => {
        /// Request command codes, from the protocol table.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Command {
            $(
                #[doc = $meaning]
                $variant = $code,
            )*
        }

        /// The command table, one row per [`Command`], ascending codes.
        pub const COMMANDS: [CommandSpec; [$($code),*].len()] = [$(
            CommandSpec {
                command: Command::$variant,
                name: $name,
                request: $request,
                response: $response,
                meaning: $meaning,
            }
        ),*];
    };
}

/// Declares the status table: the [`Status`] enum and [`STATUSES`].
macro_rules! status_table {
    ($(
        $variant:ident = $code:literal { $name:literal, $message:literal, $meaning:literal,
        $payload:literal }
    ),* $(,)?) => {
        /// Response status codes, from the protocol table.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Status {
            $(
                #[doc = $meaning]
                $variant = $code,
            )*
        }

        /// The status table, one row per [`Status`], ascending codes.
        pub const STATUSES: [StatusSpec; [$($code),*].len()] = [$(
            StatusSpec {
                status: Status::$variant,
                name: $name,
                message: $message,
                meaning: $meaning,
                payload: $payload,
            }
        ),*];
    };
}

command_table! {
    Info = 0x01 {
        "INFO", "empty", "16 bytes, below",
        "Protocol version, core shape, link parameters."
    },
    WriteConfig = 0x02 {
        "WRITE_CONFIG", "`n ×` { target `u8`, addr `u24`, data `u32` } (8 bytes each), `n ≥ 0`",
        "empty",
        "Write a batch of configuration words (all checked before any is applied)."
    },
    Inject = 0x03 {
        "INJECT", "`n ×` axon `u16`, `n ≥ 0`", "empty",
        "Queue axon events for the next tick."
    },
    Run = 0x04 {
        "RUN", "ticks `u16`",
        "one TICK report (`{TICK_REPORT}`) per tick, then RUN's own response: ticks run `u16`",
        "Run ticks; one tick report per tick, then the final response."
    },
    ReadState = 0x05 {
        "READ_STATE", "first neuron `u16`, count `u16`", "`count ×` { u `i32`, v `i32` }",
        "Read neuron states `(u, v)` through the probe port."
    },
    Read = 0x06 {
        "READ", "target `u8`, first address `u24`, count `u16` (6 bytes)",
        "`count ×` data `u32`",
        "Read words of a readable configuration target back through the configuration bus."
    },
}

status_table! {
    Ok = 0x00 {
        "OK", "ok", "executed", "per command"
    },
    BadCrc = 0x01 {
        "BAD_CRC", "bad CRC", "the frame's CRC did not match", "empty"
    },
    BadLength = 0x02 {
        "BAD_LENGTH", "bad length",
        "`LEN` > 512, or wrong for the command (INFO ≠ 0, RUN ≠ 2, READ_STATE ≠ 4, READ ≠ 6, a \
         batch not a whole number of entries)",
        "empty"
    },
    UnknownCommand = 0x03 {
        "UNKNOWN_COMMAND", "unknown command", "`CMD` not in the table", "empty"
    },
    OutOfRange = 0x04 {
        "OUT_OF_RANGE", "address out of range",
        "bad target (missing, or not readable for READ), address, count or `NeuronCount` \
         value",
        "index of the first bad entry (`u16`)"
    },
    Busy = 0x05 {
        "BUSY", "busy",
        "a request started while the device was executing one (e.g. during a long RUN)",
        "empty"
    },
    Timeout = 0x06 {
        "TIMEOUT", "truncated frame (inter-byte timeout)",
        "the line went quiet for the timeout in the middle of a frame (truncated frame)",
        "empty"
    },
    Framing = 0x07 {
        "FRAMING", "UART framing error", "a byte of the frame had a low stop bit", "empty"
    },
    QueueFull = 0x08 {
        "QUEUE_FULL", "event queue full", "more events than the core's queue holds", "empty"
    },
}

// Codes ascend in both tables (so they are distinct), no request code has the report flag
// (so a report is never mistaken for an echo), and the tick report is RUN's: checked when
// the crate compiles.
const _: () = {
    let mut i = 0;
    while i < COMMANDS.len() {
        let code = COMMANDS[i].command.code();
        assert!(code & REPORT_FLAG == 0);
        assert!(i == 0 || COMMANDS[i - 1].command.code() < code);
        i += 1;
    }
    let mut i = 1;
    while i < STATUSES.len() {
        assert!(STATUSES[i - 1].status.code() < STATUSES[i].status.code());
        i += 1;
    }
};

impl Command {
    /// The command's code (the request's `CMD` byte).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The command with this code, if any.
    pub fn from_code(code: u8) -> Option<Command> {
        COMMANDS
            .iter()
            .map(|spec| spec.command)
            .find(|c| c.code() == code)
    }

    /// The command's row of the table.
    pub fn spec(self) -> &'static CommandSpec {
        COMMANDS
            .iter()
            .find(|spec| spec.command == self)
            .expect("every Command has a row (the macro builds both)")
    }
}

impl Status {
    /// The status's code (the response's `STATUS` byte).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The status with this code, if any.
    pub fn from_code(code: u8) -> Option<Status> {
        STATUSES
            .iter()
            .map(|spec| spec.status)
            .find(|s| s.code() == code)
    }

    /// The status's row of the table.
    pub fn spec(self) -> &'static StatusSpec {
        STATUSES
            .iter()
            .find(|spec| spec.status == self)
            .expect("every Status has a row (the macro builds both)")
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.spec().message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version-1 wire values. A deployed host and a board built from an older generator
    /// must keep understanding each other, so renumbering anything here is a protocol change
    /// (bump [`PROTOCOL_VERSION`] and this test together).
    #[test]
    fn version_1_wire_values() {
        assert_eq!(PROTOCOL_VERSION, 1);
        assert_eq!((REQUEST_SYNC, RESPONSE_SYNC), (0xa5, 0x5a));
        assert_eq!(MAX_REQUEST_PAYLOAD, 512);
        assert_eq!(TICK_REPORT, 0x84);
        let commands: Vec<u8> = COMMANDS.iter().map(|s| s.command.code()).collect();
        assert_eq!(commands, [0x01, 0x02, 0x03, 0x04, 0x05, 0x06]);
        let statuses: Vec<u8> = STATUSES.iter().map(|s| s.status.code()).collect();
        assert_eq!(statuses, (0x00..=0x08).collect::<Vec<u8>>());
    }

    #[test]
    fn codes_round_trip() {
        for spec in COMMANDS {
            assert_eq!(Command::from_code(spec.command.code()), Some(spec.command));
            assert_eq!(spec.command.spec(), &spec);
        }
        for spec in STATUSES {
            assert_eq!(Status::from_code(spec.status.code()), Some(spec.status));
            assert_eq!(spec.status.to_string(), spec.message);
        }
        assert_eq!(Command::from_code(0), None);
        assert_eq!(Command::from_code(TICK_REPORT), None);
        assert_eq!(Status::from_code(STATUSES.len() as u8), None);
    }
}
