//! The `learning` object of a projection (spec §5): its raw form, its validation into a
//! [`StdpRule`] and its JSON text. A submodule of `network` so that its errors are built and
//! worded like every other validation error of the network file.

use serde::Deserialize;

use super::{in_range, NetworkError};
use crate::fixed::stdp::{
    SignMode, StdpRule, RATE_EXP_MAX, RATE_EXP_MIN, RATE_MANT_MAX, RATE_MANT_MIN, TRACE_DECAY_MAX,
    TRACE_IMPULSE_MAX, T_EPOCH,
};

/// The only learning rule of spec v2.
const RULE_STDP: &str = "stdp";

/// The only rounding of spec v2 (Lava's random sources held constant).
const ROUNDING_DETERMINISTIC: &str = "deterministic";

/// A projection's `learning` object as written. The rule's parameters have no default (the
/// spec gives none); `sign_mode`, `t_epoch` and `rounding` are optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLearning {
    rule: String,
    #[serde(default)]
    sign_mode: Option<String>,
    x_impulse: i64,
    x_decay: i64,
    y_impulse: i64,
    y_decay: i64,
    a_plus_mant: i64,
    a_plus_exp: i64,
    a_minus_mant: i64,
    a_minus_exp: i64,
    #[serde(default)]
    t_epoch: Option<i64>,
    #[serde(default)]
    rounding: Option<String>,
}

/// Checks a `learning` object found at JSON path `path` (`projections[3].learning`); every
/// error names the field (`projections[3].learning.t_epoch`) and the reason.
pub(super) fn validate_learning(path: &str, raw: &RawLearning) -> Result<StdpRule, NetworkError> {
    let field = |name: &str| format!("{path}.{name}");
    if raw.rule != RULE_STDP {
        return Err(NetworkError::invalid(
            field("rule"),
            format!(
                "unknown learning rule {:?} (the only rule is {RULE_STDP:?})",
                raw.rule
            ),
        ));
    }
    let sign_mode = match &raw.sign_mode {
        None => SignMode::default(),
        Some(name) => SignMode::from_name(name).ok_or_else(|| {
            let known: Vec<String> = SignMode::ALL
                .iter()
                .map(|m| format!("{:?}", m.name()))
                .collect();
            NetworkError::invalid(
                field("sign_mode"),
                format!("unknown sign mode {name:?} (known: {})", known.join(", ")),
            )
        })?,
    };
    if let Some(t_epoch) = raw.t_epoch {
        if t_epoch != T_EPOCH {
            return Err(NetworkError::invalid(
                field("t_epoch"),
                format!("{t_epoch} is not supported: only {T_EPOCH} (learning every tick)"),
            ));
        }
    }
    if let Some(rounding) = &raw.rounding {
        if rounding != ROUNDING_DETERMINISTIC {
            return Err(NetworkError::invalid(
                field("rounding"),
                format!(
                    "{rounding:?} is not supported: only {ROUNDING_DETERMINISTIC:?} (nearest \
                     weight rounding, floored trace decay)"
                ),
            ));
        }
    }
    let impulse = |name: &str, v: i64| in_range::<i64>(&field(name), v, 0..=TRACE_IMPULSE_MAX);
    let decay = |name: &str, v: i64| in_range::<i64>(&field(name), v, 0..=TRACE_DECAY_MAX);
    let mant = |name: &str, v: i64| in_range::<i64>(&field(name), v, RATE_MANT_MIN..=RATE_MANT_MAX);
    let exp = |name: &str, v: i64| in_range::<i64>(&field(name), v, RATE_EXP_MIN..=RATE_EXP_MAX);
    Ok(StdpRule {
        sign_mode,
        x_impulse: impulse("x_impulse", raw.x_impulse)?,
        x_decay: decay("x_decay", raw.x_decay)?,
        y_impulse: impulse("y_impulse", raw.y_impulse)?,
        y_decay: decay("y_decay", raw.y_decay)?,
        a_plus_mant: mant("a_plus_mant", raw.a_plus_mant)?,
        a_plus_exp: exp("a_plus_exp", raw.a_plus_exp)?,
        a_minus_mant: mant("a_minus_mant", raw.a_minus_mant)?,
        a_minus_exp: exp("a_minus_exp", raw.a_minus_exp)?,
    })
}

/// The `learning` object of `rule` as one line of JSON, every field written (so that the
/// network file reads back to the same rule).
pub(super) fn learning_json(rule: &StdpRule) -> String {
    format!(
        "{{\"rule\": {RULE_STDP:?}, \"sign_mode\": {:?}, \"x_impulse\": {}, \"x_decay\": {}, \
         \"y_impulse\": {}, \"y_decay\": {}, \"a_plus_mant\": {}, \"a_plus_exp\": {}, \
         \"a_minus_mant\": {}, \"a_minus_exp\": {}, \"t_epoch\": {T_EPOCH}, \
         \"rounding\": {ROUNDING_DETERMINISTIC:?}}}",
        rule.sign_mode.name(),
        rule.x_impulse,
        rule.x_decay,
        rule.y_impulse,
        rule.y_decay,
        rule.a_plus_mant,
        rule.a_plus_exp,
        rule.a_minus_mant,
        rule.a_minus_exp
    )
}

#[cfg(test)]
mod tests {
    use crate::fixed::stdp::SignMode;
    use crate::model::network::{Network, NetworkErrorKind};

    const NET: &str = r#"{"ticks": 3,
      "inputs": [{"name": "in", "size": 3}],
      "populations": [{"name": "p", "size": 2, "neuron": {"vth": 10}}],
      "projections": [{"from": "in", "to": "p", "weight_exp": -1,
        "weights": [[3, -3, 255], [0, -256, 1]],
        "learning": {"rule": "stdp", "sign_mode": "mixed", "x_impulse": 48, "x_decay": 456,
                     "y_impulse": 122, "y_decay": 415, "a_plus_mant": 5, "a_plus_exp": -4,
                     "a_minus_mant": -8, "a_minus_exp": -5}}]}"#;

    fn edited(from: &str, to: &str) -> Result<Network, crate::model::NetworkError> {
        assert!(NET.contains(from), "edit {from:?} does not apply");
        Network::from_json_str(&NET.replacen(from, to, 1), None)
    }

    #[test]
    fn parses_with_defaults_floors_mixed_weights_and_round_trips() {
        let net = Network::from_json_str(NET, None).unwrap();
        let rule = net.projections[0].learning.unwrap();
        assert_eq!(rule.sign_mode, SignMode::Mixed);
        assert_eq!((rule.a_minus_mant, rule.a_minus_exp), (-8, -5));
        // Odd mixed weights floored: 3 -> 2, -3 -> -4, 255 -> 254, 1 -> 0.
        assert_eq!(
            net.projections[0].weights,
            vec![vec![2, -4, 254], vec![0, -256, 0]]
        );
        assert!(net.learns());
        assert_eq!(Network::from_json_str(&net.to_json(), None).unwrap(), net);
        // sign_mode defaults to excitatory (so -3 is out of range); t_epoch 1 and
        // deterministic rounding are accepted.
        let err = edited(
            "\"sign_mode\": \"mixed\",",
            "\"t_epoch\": 1, \"rounding\": \"deterministic\",",
        )
        .unwrap_err();
        assert_eq!(err.path, "projections[0].weights[0][1]");
        assert!(
            err.reason.contains("out of range 0..=255"),
            "{}",
            err.reason
        );
        let text = NET.replacen("\"sign_mode\": \"mixed\",", "", 1).replacen(
            "[[3, -3, 255], [0, -256, 1]]",
            "[[3, 0, 255], [0, 0, 1]]",
            1,
        );
        let net = Network::from_json_str(&text, None).unwrap();
        assert_eq!(
            net.projections[0].learning.unwrap().sign_mode,
            SignMode::Excitatory
        );
        // Excitatory keeps odd weights.
        assert_eq!(
            net.projections[0].weights,
            vec![vec![3, 0, 255], vec![0, 0, 1]]
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let cases = [
            (
                "\"rule\": \"stdp\"",
                "\"rule\": \"hebb\"",
                "projections[0].learning.rule",
            ),
            (
                "\"sign_mode\": \"mixed\"",
                "\"sign_mode\": \"both\"",
                "projections[0].learning.sign_mode",
            ),
            (
                "\"x_impulse\": 48",
                "\"x_impulse\": 128",
                "projections[0].learning.x_impulse",
            ),
            (
                "\"y_decay\": 415",
                "\"y_decay\": -1",
                "projections[0].learning.y_decay",
            ),
            (
                "\"a_plus_mant\": 5",
                "\"a_plus_mant\": 8",
                "projections[0].learning.a_plus_mant",
            ),
            (
                "\"a_minus_exp\": -5",
                "\"a_minus_exp\": 9",
                "projections[0].learning.a_minus_exp",
            ),
            (
                "\"a_plus_exp\": -4",
                "\"a_plus_exp\": -8",
                "projections[0].learning.a_plus_exp",
            ),
            (
                "\"x_decay\": 456",
                "\"x_decay\": 456, \"t_epoch\": 2",
                "projections[0].learning.t_epoch",
            ),
            (
                "\"x_decay\": 456",
                "\"x_decay\": 456, \"rounding\": \"stochastic\"",
                "projections[0].learning.rounding",
            ),
            (
                "[0, -256, 1]",
                "[0, -257, 1]",
                "projections[0].weights[1][1]",
            ),
        ];
        for (from, to, path) in cases {
            let err = edited(from, to).unwrap_err();
            assert_eq!(err.kind, NetworkErrorKind::Invalid, "{to}: {err}");
            assert_eq!(err.path, path, "{to}: {err}");
        }
        // Unknown and missing keys are schema errors inside the learning object.
        let err = edited("\"x_impulse\": 48", "\"x_impulse\": 48, \"tau\": 3").unwrap_err();
        assert_eq!(err.kind, NetworkErrorKind::Schema);
        assert!(err.path.starts_with("projections[0].learning"), "{err}");
        assert!(err.reason.contains("unknown field `tau`"), "{err}");
        let err = edited("\"x_impulse\": 48,", "").unwrap_err();
        assert!(err.reason.contains("missing field `x_impulse`"), "{err}");
    }

    #[test]
    fn a_learning_row_is_bounded_by_its_sign_mode() {
        // Mixed row of 3 weights at weight_exp -1: P = 3 * 255 = 765 -> 382,
        // N = 3 * 256 = 768 -> -384; the bound is 384 for both rows, whatever the weights.
        let net = Network::from_json_str(NET, None).unwrap();
        assert_eq!(net.max_abs_synaptic_input(), vec![vec![384, 384]]);
    }
}
