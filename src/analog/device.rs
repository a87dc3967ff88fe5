//! Memristive devices and the differential array they form.
//!
//! # Device model
//! Each cell has its own conductance range `[g_min, g_max]`: the nominal `[g_off, g_on]`, each
//! bound multiplied by its own lognormal factor `exp(sigma_d2d · z)`, `z ~ N(0, 1)`
//! (device-to-device variation; redrawn if the bounds cross). A weight level `k` of `L` is the
//! conductance `g_min + k (g_max - g_min) / (L - 1)` of that device's own range.
//!
//! Programming follows the exponential pulse-response model common in device-level studies
//! (e.g. the NeuroSim nonlinearity model): starting from `g_min`, `p` identical SET pulses give
//! ```text
//! G_set(p) = g_min + B_set (1 - exp(-p / A_set)),   B_set = (g_max - g_min) / (1 - exp(-P / A_set))
//! ```
//! so that `P = pulses` pulses span the whole range, and from `g_max` RESET pulses give the
//! mirror image `G_reset(p) = g_max - B_reset (1 - exp(-p / A_reset))`. `A = P / nu`, with
//! nonlinearity `nu` (`0` is linear: equal steps of `(g_max - g_min) / P`); `nu_set != nu_reset`
//! makes the response asymmetric. A pulse from any conductance `G` finds the pulse number `p`
//! with `G(p) = G`, steps to `G(p + 1)`, adds cycle-to-cycle noise `N(0, (sigma_c2c (g_max -
//! g_min))^2)` and clamps to the range. A read returns `G (1 + sigma_read · z)`, clamped at 0.
//!
//! Every random draw comes from one generator seeded by the array's seed, in a fixed order
//! (devices in creation order, then pulses and reads in call order), so a run is reproducible
//! bit for bit from its seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use thiserror::Error;

use super::nodal::ReadNetwork;

/// Parameters of the devices of an array.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeviceParams {
    /// Weight levels per device `L` (>= 2).
    pub levels: u32,
    /// Nominal lowest conductance, siemens (> 0).
    pub g_off: f64,
    /// Nominal highest conductance, siemens (> `g_off`).
    pub g_on: f64,
    /// Device-to-device variation: sigma of the natural log of each range bound's factor.
    pub sigma_d2d: f64,
    /// Read noise: relative sigma of one read.
    pub sigma_read: f64,
    /// Pulses from `g_min` to `g_max` on a noiseless device (>= 1).
    pub pulses: u32,
    /// SET (potentiation) nonlinearity `nu_set` (>= 0, 0 = linear).
    pub nu_set: f64,
    /// RESET (depression) nonlinearity `nu_reset` (>= 0).
    pub nu_reset: f64,
    /// Cycle-to-cycle noise per pulse, relative to the device's range.
    pub sigma_c2c: f64,
}

impl Default for DeviceParams {
    /// A generic HfOx-like RRAM: 1 to 100 µS, 16 levels, 5 % variation, 1 % read noise,
    /// 64 pulses with SET nonlinearity 2 and RESET 3, 0.5 % cycle-to-cycle noise.
    fn default() -> Self {
        DeviceParams {
            levels: 16,
            g_off: 1e-6,
            g_on: 100e-6,
            sigma_d2d: 0.05,
            sigma_read: 0.01,
            pulses: 64,
            nu_set: 2.0,
            nu_reset: 3.0,
            sigma_c2c: 0.005,
        }
    }
}

/// Why device parameters are unusable; names the parameter.
#[derive(Debug, Error, PartialEq)]
#[error("device parameter `{name}` = {value}: {reason}")]
pub struct DeviceParamError {
    /// Parameter name.
    pub name: &'static str,
    /// Its value.
    pub value: f64,
    /// The rule it breaks.
    pub reason: &'static str,
}

impl DeviceParams {
    /// Checks every parameter's range.
    pub fn check(&self) -> Result<(), DeviceParamError> {
        let fail = |name, value, reason| {
            Err(DeviceParamError {
                name,
                value,
                reason,
            })
        };
        if self.levels < 2 {
            return fail("levels", f64::from(self.levels), "needs at least 2 levels");
        }
        if !(self.g_off.is_finite() && self.g_off > 0.0) {
            return fail("g_off", self.g_off, "must be finite and > 0");
        }
        if !(self.g_on.is_finite() && self.g_on > self.g_off) {
            return fail("g_on", self.g_on, "must be finite and > g_off");
        }
        if self.pulses == 0 {
            return fail("pulses", 0.0, "needs at least 1 pulse");
        }
        for (name, value) in [
            ("sigma_d2d", self.sigma_d2d),
            ("sigma_read", self.sigma_read),
            ("nu_set", self.nu_set),
            ("nu_reset", self.nu_reset),
            ("sigma_c2c", self.sigma_c2c),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return fail(name, value, "must be finite and >= 0");
            }
        }
        if self.sigma_d2d > 1.0 {
            return fail(
                "sigma_d2d",
                self.sigma_d2d,
                "above 1 (a factor of e) is not a device",
            );
        }
        Ok(())
    }
}

/// One standard normal draw (Box-Muller; `1 - u` keeps the logarithm's argument in (0, 1]).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.gen();
    let u2: f64 = rng.gen();
    (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// One pulse direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pulse {
    /// Potentiation: conductance up.
    Set,
    /// Depression: conductance down.
    Reset,
}

/// One memristive device.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Device {
    /// This device's lowest conductance.
    pub g_min: f64,
    /// This device's highest conductance.
    pub g_max: f64,
    /// Its present conductance.
    pub g: f64,
}

impl Device {
    /// A new device of `params` with its own range, at `g_min`.
    fn new(params: &DeviceParams, rng: &mut StdRng) -> Device {
        loop {
            let g_min = params.g_off * (params.sigma_d2d * normal(rng)).exp();
            let g_max = params.g_on * (params.sigma_d2d * normal(rng)).exp();
            if g_max > g_min {
                return Device {
                    g_min,
                    g_max,
                    g: g_min,
                };
            }
        }
    }

    /// The conductance of level `k` of `levels` in this device's range.
    pub fn level(&self, k: u32, levels: u32) -> f64 {
        self.g_min + f64::from(k) * (self.g_max - self.g_min) / f64::from(levels - 1)
    }

    /// The noiseless conductance after one pulse from `g` (the model in the module doc).
    pub fn pulse_response(&self, params: &DeviceParams, pulse: Pulse) -> f64 {
        let range = self.g_max - self.g_min;
        let total = f64::from(params.pulses);
        let (nu, distance) = match pulse {
            // Distance already travelled from the pulse train's starting end.
            Pulse::Set => (params.nu_set, self.g - self.g_min),
            Pulse::Reset => (params.nu_reset, self.g_max - self.g),
        };
        let travelled = if nu == 0.0 {
            // Linear: equal steps.
            (distance + range / total).min(range)
        } else {
            let a = total / nu;
            let b = range / (1.0 - (-total / a).exp());
            // p with b (1 - exp(-p / a)) = distance, then one more pulse.
            let fraction = (distance / b).clamp(0.0, 1.0 - f64::EPSILON);
            let p = -a * (1.0 - fraction).ln();
            (b * (1.0 - (-(p + 1.0) / a).exp())).min(range)
        };
        match pulse {
            Pulse::Set => self.g_min + travelled,
            Pulse::Reset => self.g_max - travelled,
        }
    }
}

/// An `rows x cols` array of signed weights, each a differential pair `(G+, G-)` of devices
/// on two physical columns: logical column `j` is physical columns `2j` (`G+`) and `2j + 1`
/// (`G-`).
#[derive(Clone, Debug)]
pub struct CrossbarArray {
    /// Logical rows.
    pub rows: usize,
    /// Logical columns (signed weights per row).
    pub cols: usize,
    /// The devices' parameters.
    pub params: DeviceParams,
    /// Devices, row-major over physical columns: `devices[i * 2 cols + c]`.
    devices: Vec<Device>,
    rng: StdRng,
}

impl CrossbarArray {
    /// A fresh array (every device at its `g_min`), devices drawn from `seed`.
    pub fn new(
        rows: usize,
        cols: usize,
        params: DeviceParams,
        seed: u64,
    ) -> Result<CrossbarArray, DeviceParamError> {
        params.check()?;
        let mut rng = StdRng::seed_from_u64(seed);
        let devices = (0..rows * 2 * cols)
            .map(|_| Device::new(&params, &mut rng))
            .collect();
        Ok(CrossbarArray {
            rows,
            cols,
            params,
            devices,
            rng,
        })
    }

    /// The device of logical cell `(i, j)`, positive (`G+`) or negative (`G-`) side.
    pub fn device(&self, i: usize, j: usize, positive: bool) -> &Device {
        &self.devices[i * 2 * self.cols + 2 * j + usize::from(!positive)]
    }

    fn device_mut(&mut self, i: usize, j: usize, positive: bool) -> &mut Device {
        let cols = self.cols;
        &mut self.devices[i * 2 * cols + 2 * j + usize::from(!positive)]
    }

    /// Largest weight magnitude: `L - 1` levels above `g_min`.
    pub fn weight_max(&self) -> i64 {
        i64::from(self.params.levels) - 1
    }

    /// Sets cell `(i, j)` exactly to weight `w` (`|w| <= L - 1`): `G+` at level `max(w, 0)`,
    /// `G-` at level `max(-w, 0)`, each of its own device's range. The ideal target a
    /// program-and-verify controller aims at; panics on a weight out of range (a caller bug).
    pub fn set_weight(&mut self, i: usize, j: usize, w: i64) {
        assert!(w.abs() <= self.weight_max(), "weight {w} out of range");
        let levels = self.params.levels;
        let plus = w.max(0) as u32;
        let minus = (-w).max(0) as u32;
        let device = self.device_mut(i, j, true);
        device.g = device.level(plus, levels);
        let device = self.device_mut(i, j, false);
        device.g = device.level(minus, levels);
    }

    /// One programming pulse on one device, with cycle-to-cycle noise; returns its new
    /// conductance.
    pub fn pulse(&mut self, i: usize, j: usize, positive: bool, pulse: Pulse) -> f64 {
        let params = self.params;
        let noise = normal(&mut self.rng);
        let device = self.device_mut(i, j, positive);
        let noiseless = device.pulse_response(&params, pulse);
        let range = device.g_max - device.g_min;
        device.g = (noiseless + params.sigma_c2c * range * noise).clamp(device.g_min, device.g_max);
        device.g
    }

    /// One noisy read of one device's conductance.
    pub fn read(&mut self, i: usize, j: usize, positive: bool) -> f64 {
        let noise = normal(&mut self.rng);
        (self.device(i, j, positive).g * (1.0 + self.params.sigma_read * noise)).max(0.0)
    }

    /// The present conductances, `rows x 2 cols` row-major (physical columns), noiseless.
    pub fn conductances(&self) -> Vec<f64> {
        self.devices.iter().map(|d| d.g).collect()
    }

    /// The read network of the array with rows driven at `v_row` and the given parasitic
    /// resistances (ohms: row wire, column wire, source, sense), over the `2 cols` physical
    /// columns; solve it with [`super::nodal::column_currents`] and pair the columns up with
    /// [`differential_currents`].
    pub fn read_network(&self, v_row: &[f64], parasitics: [f64; 4]) -> ReadNetwork {
        assert_eq!(v_row.len(), self.rows, "one drive voltage per row");
        let [r_wire_row, r_wire_col, r_source, r_sense] = parasitics;
        ReadNetwork {
            rows: self.rows,
            cols: 2 * self.cols,
            g: self.conductances(),
            v_row: v_row.to_vec(),
            r_wire_row,
            r_wire_col,
            r_source,
            r_sense,
        }
    }
}

/// Signed column currents `I(G+) - I(G-)` from the physical column currents of a
/// [`CrossbarArray::read_network`].
pub fn differential_currents(physical: &[f64]) -> Vec<f64> {
    physical
        .chunks_exact(2)
        .map(|pair| pair[0] - pair[1])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analog::nodal;

    fn quiet() -> DeviceParams {
        DeviceParams {
            sigma_d2d: 0.0,
            sigma_read: 0.0,
            sigma_c2c: 0.0,
            ..DeviceParams::default()
        }
    }

    #[test]
    fn same_seed_same_array_different_seed_different() {
        let draw = |seed| {
            let mut a = CrossbarArray::new(4, 3, DeviceParams::default(), seed).unwrap();
            a.set_weight(1, 2, -7);
            a.pulse(0, 0, true, Pulse::Set);
            (a.conductances(), a.read(1, 2, false))
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn levels_are_evenly_spaced_without_variation() {
        let mut a = CrossbarArray::new(1, 1, quiet(), 1).unwrap();
        let step = (100e-6 - 1e-6) / 15.0;
        for w in -15..=15i64 {
            a.set_weight(0, 0, w);
            let difference = a.device(0, 0, true).g - a.device(0, 0, false).g;
            assert!(
                (difference - w as f64 * step).abs() < 1e-18,
                "{w}: {difference}"
            );
        }
    }

    #[test]
    fn device_to_device_variation_is_lognormal_with_the_given_sigma() {
        let params = DeviceParams {
            sigma_d2d: 0.2,
            ..DeviceParams::default()
        };
        let a = CrossbarArray::new(100, 50, params, 3).unwrap();
        let logs: Vec<f64> = (0..100)
            .flat_map(|i| (0..50).map(move |j| (i, j)))
            .map(|(i, j)| (a.device(i, j, true).g_max / params.g_on).ln())
            .collect();
        let n = logs.len() as f64;
        let mean = logs.iter().sum::<f64>() / n;
        let sd = (logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        // 5 000 samples: the mean's standard error is 0.2 / 70 ≈ 0.003, the sd's ≈ 0.002.
        assert!(mean.abs() < 0.012, "mean of ln factor {mean}");
        assert!((sd - 0.2).abs() < 0.01, "sd of ln factor {sd}");
    }

    #[test]
    fn pulses_span_the_range_nonlinearly_and_asymmetrically() {
        let mut a = CrossbarArray::new(1, 1, quiet(), 1).unwrap();
        let total = quiet().pulses;
        let mut trace = vec![a.device(0, 0, true).g];
        for _ in 0..total {
            trace.push(a.pulse(0, 0, true, Pulse::Set));
        }
        // P pulses reach g_on (to rounding) and every step is positive but smaller than the
        // previous one (nu_set > 0: saturating).
        assert!(
            (trace[total as usize] - 100e-6).abs() < 1e-12,
            "{}",
            trace[total as usize]
        );
        let steps: Vec<f64> = trace.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(steps.windows(2).all(|s| s[1] < s[0] && s[1] > 0.0));
        // First SET step: B (1 - e^(-1/A)), A = 64 / 2 = 32.
        let (a_set, range) = (32.0f64, 99e-6);
        let b = range / (1.0 - (-64.0 / a_set).exp());
        assert!((steps[0] - b * (1.0 - (-1.0 / a_set).exp())).abs() < 1e-15);
        // RESET from g_on: its first step is larger (nu_reset = 3 > nu_set): asymmetric.
        let down = a.device(0, 0, true).g - a.pulse(0, 0, true, Pulse::Reset);
        assert!(down > steps[0], "{down} vs {}", steps[0]);
        // A linear device steps by range / P.
        let linear = DeviceParams {
            nu_set: 0.0,
            ..quiet()
        };
        let mut l = CrossbarArray::new(1, 1, linear, 1).unwrap();
        let step = l.pulse(0, 0, true, Pulse::Set) - 1e-6;
        assert!((step - range / 64.0).abs() < 1e-18);
    }

    #[test]
    fn cycle_to_cycle_and_read_noise_stay_in_range() {
        let params = DeviceParams {
            sigma_c2c: 0.3,
            sigma_read: 0.5,
            ..DeviceParams::default()
        };
        let mut a = CrossbarArray::new(2, 2, params, 11).unwrap();
        for k in 0..500 {
            let pulse = if k % 3 == 0 { Pulse::Reset } else { Pulse::Set };
            let g = a.pulse(1, 1, false, pulse);
            let d = a.device(1, 1, false);
            assert!(g >= d.g_min && g <= d.g_max);
            assert!(a.read(1, 1, false) >= 0.0);
        }
    }

    #[test]
    fn differential_read_is_the_weighted_sum_on_ideal_wires_and_less_with_resistance() {
        // Without variation or wire resistance, column j collects sum_i v_i w_ij step.
        let mut a = CrossbarArray::new(3, 2, quiet(), 5).unwrap();
        let w = [[3i64, -15], [0, 7], [-2, 15]];
        for (i, row) in w.iter().enumerate() {
            for (j, &x) in row.iter().enumerate() {
                a.set_weight(i, j, x);
            }
        }
        let v = [0.2, 0.1, 0.05];
        let step = (100e-6 - 1e-6) / 15.0;
        let ideal =
            differential_currents(&nodal::column_currents(&a.read_network(&v, [0.0; 4])).unwrap());
        for j in 0..2 {
            let expected: f64 = (0..3).map(|i| v[i] * w[i][j] as f64 * step).sum();
            assert!(
                (ideal[j] - expected).abs() < 1e-18,
                "{j}: {} vs {expected}",
                ideal[j]
            );
        }
        // Wire resistance lowers the magnitude (IR drop) of the dominant column.
        let lossy = differential_currents(
            &nodal::column_currents(&a.read_network(&v, [5.0, 5.0, 100.0, 100.0])).unwrap(),
        );
        assert!(lossy[0].abs() < ideal[0].abs() && lossy[0].signum() == ideal[0].signum());
    }

    #[test]
    fn bad_parameters_are_named() {
        let bad = DeviceParams {
            g_on: 1e-7,
            ..DeviceParams::default()
        };
        let err = CrossbarArray::new(1, 1, bad, 0).unwrap_err().to_string();
        assert!(err.contains("`g_on`") && err.contains("> g_off"), "{err}");
        let bad = DeviceParams {
            levels: 1,
            ..DeviceParams::default()
        };
        assert!(bad.check().unwrap_err().to_string().contains("`levels`"));
    }
}
