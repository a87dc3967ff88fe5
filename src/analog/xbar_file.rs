//! `XBAR.json`, the input of `neurofab crossbar solve`: one read of an array, checked.
//!
//! ```json
//! {"rows": 2, "cols": 2, "g": [[1e-5, 2e-5], [3e-5, 4e-5]], "v_row": [0.2, 0.1],
//!  "r_wire_row": 1.0, "r_wire_col": 1.0, "r_source": 0, "r_sense": 0}
//! ```
//! Conductances in siemens, voltages in volts, resistances in ohms (0 = ideal wire); the
//! topology is in [`super::nodal`]. Every value must be finite; conductances and resistances
//! must not be negative; `g` is `rows` rows of `cols` values; `v_row` has `rows` values.

use serde::Deserialize;
use thiserror::Error;

use super::nodal::ReadNetwork;

/// Largest array `crossbar solve` accepts: 256 x 256 cells (131 072 unknowns; the sparse
/// factorisation of such a grid takes well under a second and tens of megabytes). Larger files
/// are refused before anything per cell is allocated beyond the parsed JSON.
pub const MAX_CELLS: usize = 256 * 256;

/// Why an `XBAR.json` was refused; each names the field.
#[derive(Debug, Error)]
pub enum XbarFileError {
    /// Not JSON of the expected shape (the path names the field).
    #[error("{path}: {reason}")]
    Syntax {
        /// JSON path of the field.
        path: String,
        /// serde's reason.
        reason: String,
    },
    /// A value out of its range.
    #[error("{field}: {reason}")]
    Value {
        /// The field, e.g. `g[3][7]`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct XbarJson {
    rows: usize,
    cols: usize,
    g: Vec<Vec<f64>>,
    v_row: Vec<f64>,
    r_wire_row: f64,
    r_wire_col: f64,
    r_source: f64,
    r_sense: f64,
}

fn value_error(field: impl Into<String>, reason: impl Into<String>) -> XbarFileError {
    XbarFileError::Value {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Parses and checks an `XBAR.json` text.
pub fn parse(text: &str) -> Result<ReadNetwork, XbarFileError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let file: XbarJson =
        serde_path_to_error::deserialize(de).map_err(|e| XbarFileError::Syntax {
            path: match e.path().to_string().as_str() {
                "." => "(top level)".to_string(),
                p => p.to_string(),
            },
            reason: e.inner().to_string(),
        })?;
    if file.rows == 0 || file.cols == 0 {
        return Err(value_error(
            if file.rows == 0 { "rows" } else { "cols" },
            "must be at least 1",
        ));
    }
    if file.rows.saturating_mul(file.cols) > MAX_CELLS {
        return Err(value_error(
            "rows",
            format!(
                "{} x {} cells exceeds the {MAX_CELLS}-cell limit (256 x 256)",
                file.rows, file.cols
            ),
        ));
    }
    if file.g.len() != file.rows {
        return Err(value_error(
            "g",
            format!("has {} rows, `rows` is {}", file.g.len(), file.rows),
        ));
    }
    let mut g = Vec::with_capacity(file.rows * file.cols);
    for (i, row) in file.g.iter().enumerate() {
        if row.len() != file.cols {
            return Err(value_error(
                format!("g[{i}]"),
                format!("has {} values, `cols` is {}", row.len(), file.cols),
            ));
        }
        for (j, &x) in row.iter().enumerate() {
            if !(x.is_finite() && x >= 0.0) {
                return Err(value_error(
                    format!("g[{i}][{j}]"),
                    format!("{x} is not a conductance (finite, >= 0 siemens)"),
                ));
            }
            g.push(x);
        }
    }
    if file.v_row.len() != file.rows {
        return Err(value_error(
            "v_row",
            format!("has {} values, `rows` is {}", file.v_row.len(), file.rows),
        ));
    }
    if let Some((i, v)) = file.v_row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(value_error(
            format!("v_row[{i}]"),
            format!("{v} is not finite"),
        ));
    }
    for (name, r) in [
        ("r_wire_row", file.r_wire_row),
        ("r_wire_col", file.r_wire_col),
        ("r_source", file.r_source),
        ("r_sense", file.r_sense),
    ] {
        if !(r.is_finite() && r >= 0.0) {
            return Err(value_error(
                name,
                format!("{r} is not a resistance (finite, >= 0 ohms; 0 = ideal wire)"),
            ));
        }
    }
    Ok(ReadNetwork {
        rows: file.rows,
        cols: file.cols,
        g,
        v_row: file.v_row,
        r_wire_row: file.r_wire_row,
        r_wire_col: file.r_wire_col,
        r_source: file.r_source,
        r_sense: file.r_sense,
    })
}

/// The `col,current_a` CSV of `crossbar solve`: one row per column, 12 significant digits.
pub fn currents_csv(currents: &[f64]) -> String {
    let mut out = String::from("col,current_a\n");
    for (j, i) in currents.iter().enumerate() {
        out.push_str(&format!("{j},{i:.11e}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"rows": 2, "cols": 2, "g": [[1e-5, 2e-5], [3e-5, 4e-5]],
        "v_row": [0.2, 0.1], "r_wire_row": 1.0, "r_wire_col": 1.0, "r_source": 0, "r_sense": 0}"#;

    #[test]
    fn a_good_file_parses() {
        let net = parse(GOOD).unwrap();
        assert_eq!(net.g, vec![1e-5, 2e-5, 3e-5, 4e-5]);
        assert_eq!(net.r_source, 0.0);
    }

    #[test]
    fn bad_values_name_their_field() {
        let cases = [
            (
                GOOD.replace("4e-5]]", "4e-5, 1e-5]]"),
                "g[1]: has 3 values, `cols` is 2",
            ),
            (
                GOOD.replace("3e-5", "-3e-5"),
                "g[1][0]: -0.00003 is not a conductance",
            ),
            (
                GOOD.replace("\"r_sense\": 0", "\"r_sense\": -1"),
                "r_sense: -1 is not a resistance",
            ),
            (
                GOOD.replace("[0.2, 0.1]", "[0.2]"),
                "v_row: has 1 values, `rows` is 2",
            ),
            (
                GOOD.replace("\"rows\": 2", "\"rows\": 0"),
                "rows: must be at least 1",
            ),
            (
                GOOD.replace("\"r_sense\": 0", "\"r_sens\": 0"),
                "unknown field `r_sens`",
            ),
            (
                GOOD.replace("\"rows\": 2", "\"rows\": 300, \"cols\": 300, \"x\": 0")
                    .replacen("\"cols\": 2, ", "", 1),
                "unknown field `x`",
            ),
            ("[1, 2]".to_string(), "(top level)"),
        ];
        for (text, needle) in cases {
            let err = parse(&text).unwrap_err().to_string();
            assert!(err.contains(needle), "{err:?} lacks {needle:?}");
        }
        let big = r#"{"rows": 300, "cols": 300, "g": [], "v_row": [], "r_wire_row": 0,
            "r_wire_col": 0, "r_source": 0, "r_sense": 0}"#;
        let err = parse(big).unwrap_err().to_string();
        assert!(err.contains("exceeds the 65536-cell limit"), "{err}");
    }

    #[test]
    fn csv_has_twelve_significant_digits() {
        assert_eq!(
            currents_csv(&[1.0 / 3.0 * 1e-5, 0.0]),
            "col,current_a\n0,3.33333333333e-6\n1,0.00000000000e0\n"
        );
    }
}
