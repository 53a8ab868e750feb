//! Cost figures per row: what its flash costs, the chip tier it fits,
//! OTA per year, and savings against the baseline.

use crate::cost::CostModel;
use crate::results::ConfigResult;

/// Money rounded to a millionth: enough for any price, free of float noise.
fn round(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Fill every configuration's cost, and savings against `baseline`.
pub fn apply_costs(rows: &mut [ConfigResult], model: &CostModel, baseline: Option<&str>) {
    if model.is_off() {
        return;
    }
    for c in rows.iter_mut() {
        // An update sends the compressed image or the delta when measured
        // (--ota), else the raw image.
        let sent = |s: &crate::measure::Measurement| {
            c.checks
                .ota
                .as_ref()
                .map_or(s.image_bytes.unwrap_or(s.flash_bytes), |o| o.sent_bytes())
        };
        c.derived.cost = c
            .size
            .as_ref()
            .map(|s| crate::cost::cost_of(model, s.flash_bytes, sent(s)));
    }
    let base = baseline
        .and_then(|b| rows.iter().find(|c| c.config.name == b))
        .and_then(|c| c.derived.cost.clone());
    let Some(base) = base else { return };
    for c in rows.iter_mut() {
        let Some(cost) = c.derived.cost.as_mut() else {
            continue;
        };
        if let Some(units) = model.units {
            let units = units as f64;
            cost.flash_saving_total = base
                .flash_cost_per_unit
                .zip(cost.flash_cost_per_unit)
                .map(|(b, t)| (b - t) * units);
            cost.tier_saving_total = base
                .tier_price
                .zip(cost.tier_price)
                .map(|(b, t)| (b - t) * units);
        }
        if let (Some(b), Some(this)) = (base.ota_cost_per_year, cost.ota_cost_per_year) {
            cost.ota_saving_per_year = Some(round(b - this));
        }
    }
}
