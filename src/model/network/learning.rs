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
