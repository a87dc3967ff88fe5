//! Text processing of rust-hdl's Verilog shared by every exported top: rust-hdl names the top
//! module `top` and every submodule `top$path`; exported designs get stable names instead.

/// Renames the module `top` and its `top$...` submodules to `module`.
pub fn rename_top(line: &str, module: &str) -> String {
    if !is_module_context(line) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 16);
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b'$');
        if boundary && line[i..].starts_with("top") {
            let next = bytes.get(i + 3).copied();
            if matches!(next, Some(b'$') | Some(b'(') | Some(b' ') | None) {
                out.push_str(module);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i] as char);
        i += 1;
    }
    out
}

/// Lines where `top` names a module: declarations, end markers and instantiations.
fn is_module_context(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with("module ")
        || trimmed.starts_with("endmodule")
        || trimmed.starts_with("top$")
}

/// `header` followed by rust-hdl's `raw` Verilog with its top renamed to `module` and trailing
/// blanks trimmed.
pub fn finish(header: &str, raw: &str, module: &str) -> String {
    let mut out = String::with_capacity(raw.len() + header.len());
    out.push_str(header);
    for line in raw.lines() {
        out.push_str(rename_top(line, module).trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORE_MODULE: &str = "neurofab_core";

    #[test]
    fn renames_modules_and_instances_only() {
        assert_eq!(
            rename_top("module top(clock);", CORE_MODULE),
            "module neurofab_core(clock);"
        );
        assert_eq!(
            rename_top("module top$lif(clock);", CORE_MODULE),
            "module neurofab_core$lif(clock);"
        );
        assert_eq!(
            rename_top("endmodule // top$lif", CORE_MODULE),
            "endmodule // neurofab_core$lif"
        );
        assert_eq!(
            rename_top("top$lif lif(", CORE_MODULE),
            "neurofab_core$lif lif("
        );
        assert_eq!(
            rename_top("    stop <= top;", CORE_MODULE),
            "    stop <= top;"
        );
    }
}
