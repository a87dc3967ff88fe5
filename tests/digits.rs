//! `neurofab demo digits` (src/demo/digits.rs): the shipped data set and split, the encoder, the
//! accuracy targets of issue 11 on the golden engine over every held-out image, and golden =
//! rtl = verilator on a subset of them.

mod common;

use std::collections::BTreeSet;

use common::neurofab_in;
use neurofab::demo::digits::{
    encode_regular, load_digits, parse_digits, predict, Classifier, PIXELS,
};
use neurofab::export::tools::require_tool_or_skip;
use neurofab::shape::CoreShape;
use neurofab::sim::{Engine, RunOptions};

#[test]
fn the_data_set_and_the_split_are_as_shipped() {
    let digits = load_digits();
    assert_eq!(digits.len(), 1797);
    for label in 0..10 {
        let n = digits.iter().filter(|d| d.label == label).count();
        assert!((174..=183).contains(&n), "{n} images of {label}");
    }
    let record = Classifier::load().unwrap().record;
    let test: BTreeSet<usize> = record.test.iter().copied().collect();
    let train: BTreeSet<usize> = record.train.iter().copied().collect();
    assert_eq!(test.len(), 1797 / 3);
    assert!(test.is_disjoint(&train));
    assert_eq!(test.len() + train.len(), 1797);
    assert!(train.iter().all(|&i| i < 1797));
    // A malformed line is named.
    let err = parse_digits("label,p0\n3,1,2\n").unwrap_err().to_string();
    assert!(err.contains("line 2") && err.contains("2 pixels"), "{err}");
}

#[test]
fn the_encoder_spreads_a_grey_level_evenly_over_16_ticks() {
    for g in 0..=16u8 {
        let mut pixels = [0u8; PIXELS];
        pixels[5] = g;
        let spikes = encode_regular(&pixels, 16);
        assert_eq!(spikes.len(), usize::from(g), "grey level {g}");
        assert!(spikes.iter().all(|&(_, p)| p == 5));
        // Evenly spaced: gaps differ by at most one tick.
        let ticks: Vec<u32> = spikes.iter().map(|&(t, _)| t).collect();
        let gaps: Vec<u32> = ticks.windows(2).map(|w| w[1] - w[0]).collect();
        if let (Some(lo), Some(hi)) = (gaps.iter().min(), gaps.iter().max()) {
            assert!(hi - lo <= 1, "grey level {g}: ticks {ticks:?}");
        }
    }
    assert_eq!(predict(&[1, 3, 3, 0, 0, 0, 0, 0, 0, 2]), 1);
}

#[test]
fn the_core_classifies_the_held_out_third_within_two_points_of_the_float_model() {
    let classifier = Classifier::load().unwrap();
    let digits = load_digits();
    let record = &classifier.record;
    let options = RunOptions::default();
    let mut correct = 0;
    for &index in &record.test {
        let digit = &digits[index];
        let got = classifier
            .classify(digit, Engine::Golden, &options)
            .unwrap();
        correct += usize::from(got.prediction == digit.label);
    }
    let float_correct = record
        .float_predictions
        .iter()
        .zip(&record.test)
        .filter(|(&p, &i)| p == digits[i].label)
        .count();
    let n = record.test.len() as f64;
    let (hw, float) = (correct as f64 / n, float_correct as f64 / n);
    assert!(
        (float - record.float_accuracy).abs() < 1e-9,
        "the record's accuracy matches its predictions"
    );
    assert!(hw >= 0.93, "hardware accuracy {hw}");
    assert!((hw - float).abs() <= 0.02, "hardware {hw} vs float {float}");
}

#[test]
fn golden_rtl_and_verilator_agree_on_held_out_images() {
    let classifier = Classifier::load().unwrap();
    let digits = load_digits();
    let options = RunOptions {
        shape: CoreShape::default(),
        ..Default::default()
    };
    let mut engines = vec![Engine::Rtl];
    if require_tool_or_skip("verilator").is_some() {
        engines.push(Engine::Verilator);
    }
    for &index in classifier.record.test.iter().take(6) {
        let golden = classifier
            .classify(&digits[index], Engine::Golden, &options)
            .unwrap();
        assert!(!golden.result.spikes.spikes.is_empty());
        for &engine in &engines {
            let other = classifier
                .classify(&digits[index], engine, &options)
                .unwrap();
            assert_eq!(
                other.result.spikes, golden.result.spikes,
                "image {index} on {engine:?}"
            );
            assert_eq!(
                other.result.states, golden.result.states,
                "image {index} on {engine:?}"
            );
        }
    }
}

#[test]
fn demo_digits_prints_both_accuracies() {
    let dir = tempfile::tempdir().unwrap();
    let out = neurofab_in(&["demo", "digits", "--images", "50"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("hardware (golden engine, 8-bit weights):"),
        "{stdout}"
    );
    assert!(
        stdout.contains("/50)") && stdout.contains("float (spyx"),
        "{stdout}"
    );
    let refused = neurofab_in(&["demo", "digits", "--images", "0"], dir.path());
    assert_eq!(refused.status.code(), Some(1));
}
