//! The golden model against the reference vectors produced by Lava (spec §4): every
//! `vectors/*/expected.csv` must be reproduced byte for byte.

mod common;

use std::path::Path;

use neurofab::model::{GoldenModel, Network, SpikeTrain};

/// Runs one vector; `Err` describes the mismatch.
fn check_vector(dir: &Path) -> Result<(), String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let net = Network::load(&dir.join("net.json")).map_err(|err| format!("{name}: {err}"))?;
    let expected_path = dir.join("expected.csv");
    let expected = std::fs::read_to_string(&expected_path)
        .map_err(|err| format!("{name}: cannot read {}: {err}", expected_path.display()))?;
    let actual = GoldenModel::run(&net, net.ticks).to_csv(&net);
    if actual == expected {
        return Ok(());
    }
    // Locate the first differing tick to make the failure actionable.
    let detail = match SpikeTrain::parse_csv(&expected, &net) {
        Ok(expected_train) => {
            let actual_train = SpikeTrain::parse_csv(&actual, &net).expect("own CSV parses");
            match actual_train.first_difference(&expected_train) {
                Some(tick) => format!("first differing tick {tick}"),
                None => "same spikes, different bytes".to_string(),
            }
        }
        Err(err) => format!("expected.csv does not parse: {err}"),
    };
    Err(format!(
        "{name}: golden model output differs from expected.csv: {detail}"
    ))
}

#[test]
fn golden_model_reproduces_every_reference_vector() {
    let dirs = common::inference_vectors();
    // Check all vectors before failing so that one run reports every mismatch.
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|dir| check_vector(dir).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
