//! The cost model: what a configuration's flash costs per unit and for the
//! whole production run, which chip tier it fits, and what OTA updates of
//! its image cost per year. Everything is off unless the user gives prices.

use serde::{Deserialize, Serialize};

use crate::units::parse_size;

/// A chip variant: its flash size and unit price. (weigh.toml spells keys
/// in kebab-case, reports in snake_case; both are read.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub name: String,
    /// Flash size in bytes; in weigh.toml `flash`, also a string like "128K".
    #[serde(
        rename = "flash_bytes",
        alias = "flash",
        deserialize_with = "size_from_toml"
    )]
    pub flash_bytes: u64,
    pub price: f64,
}

/// Over-the-air updates: every update sends the firmware image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Ota {
    pub devices: u64,
    #[serde(alias = "updates-per-year")]
    pub updates_per_year: f64,
    /// Price of one megabyte (10^6 bytes) of transfer.
    #[serde(alias = "price-per-mb")]
    pub price_per_mb: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CostModel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Price of one KiB of flash, per unit.
    #[serde(
        default,
        alias = "price-per-kib",
        skip_serializing_if = "Option::is_none"
    )]
    pub price_per_kib: Option<f64>,
    /// Units in the production run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<u64>,
    #[serde(
        default,
        rename = "tiers",
        alias = "tier",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tiers: Vec<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ota: Option<Ota>,
}

impl CostModel {
    pub fn is_off(&self) -> bool {
        self.price_per_kib.is_none() && self.tiers.is_empty() && self.ota.is_none()
    }

    pub fn currency(&self) -> &str {
        self.currency.as_deref().unwrap_or("")
    }
}

fn size_from_toml<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        Bytes(u64),
        Text(String),
    }
    match Size::deserialize(d)? {
        Size::Bytes(b) => Ok(b),
        Size::Text(s) => parse_size(&s).map_err(serde::de::Error::custom),
    }
}

/// Cost figures of one configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConfigCost {
    /// Flash bytes × price per KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_cost_per_unit: Option<f64>,
    /// Per unit × units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_cost_total: Option<f64>,
    /// The cheapest tier whose flash holds the firmware.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_price: Option<f64>,
    /// Flash cost saved against the baseline for the whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_saving_total: Option<f64>,
    /// Chip cost saved against the baseline's tier for the whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_saving_total: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ota_cost_per_year: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ota_saving_per_year: Option<f64>,
}

impl ConfigCost {
    /// What one unit costs: the chip tier's price when tiers are given,
    /// else the flash the firmware takes at the price per KiB.
    pub fn per_unit(&self) -> Option<f64> {
        self.tier_price.or(self.flash_cost_per_unit)
    }

    /// What this configuration changes in the production run's cost
    /// against the baseline (negative: it saves): the chip tier when tiers
    /// are given, else the flash price.
    pub fn delta_total(&self) -> Option<f64> {
        self.tier_saving_total
            .or(self.flash_saving_total)
            .map(|s| if s == 0.0 { 0.0 } else { -s })
    }
}

/// Money rounded to a millionth: enough for any price, free of float noise.
fn round(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The cost of a binary of `flash_bytes` (flash) and `image_bytes` (the image OTA sends).
pub fn cost_of(model: &CostModel, flash_bytes: u64, image_bytes: u64) -> ConfigCost {
    let per_unit = model.price_per_kib.map(|p| flash_bytes as f64 / 1024.0 * p);
    let tier = model
        .tiers
        .iter()
        .filter(|t| t.flash_bytes >= flash_bytes)
        .min_by(|a, b| a.price.total_cmp(&b.price));
    ConfigCost {
        flash_cost_per_unit: per_unit.map(round),
        flash_cost_total: per_unit.zip(model.units).map(|(p, u)| round(p * u as f64)),
        tier: tier
            .map(|t| t.name.clone())
            .or_else(|| (!model.tiers.is_empty()).then(|| "none fits".into())),
        tier_price: tier.map(|t| t.price),
        flash_saving_total: None,
        tier_saving_total: None,
        ota_cost_per_year: model.ota.as_ref().map(|o| {
            image_bytes as f64 / 1e6 * o.devices as f64 * o.updates_per_year * o.price_per_mb
        }),
        ota_saving_per_year: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> CostModel {
        CostModel {
            currency: Some("USD".into()),
            price_per_kib: Some(0.5),
            units: Some(1000),
            tiers: vec![
                Tier {
                    name: "big".into(),
                    flash_bytes: 256 * 1024,
                    price: 2.0,
                },
                Tier {
                    name: "small".into(),
                    flash_bytes: 128 * 1024,
                    price: 1.0,
                },
            ],
            ota: Some(Ota {
                devices: 10,
                updates_per_year: 4.0,
                price_per_mb: 2.0,
            }),
        }
    }

    #[test]
    fn arithmetic() {
        let c = cost_of(&model(), 10 * 1024, 2_000_000);
        assert_eq!(c.flash_cost_per_unit, Some(5.0));
        assert_eq!(c.flash_cost_total, Some(5000.0));
        assert_eq!(c.tier.as_deref(), Some("small"));
        assert_eq!(c.tier_price, Some(1.0));
        // 2 MB × 10 devices × 4 updates × 2.0 per MB
        assert_eq!(c.ota_cost_per_year, Some(160.0));
    }

    #[test]
    fn tiers_choose_the_cheapest_that_fits() {
        let c = cost_of(&model(), 200 * 1024, 0);
        assert_eq!(c.tier.as_deref(), Some("big"));
        let c = cost_of(&model(), 300 * 1024, 0);
        assert_eq!(c.tier.as_deref(), Some("none fits"));
        assert_eq!(c.tier_price, None);
        // Exactly full still fits.
        assert_eq!(
            cost_of(&model(), 128 * 1024, 0).tier.as_deref(),
            Some("small")
        );
    }

    #[test]
    fn tiers_parse_sizes_from_toml() {
        let m: CostModel = toml::from_str(
            "price-per-kib = 0.1\n[[tier]]\nname = \"a\"\nflash = \"128K\"\nprice = 0.89\n",
        )
        .unwrap();
        assert_eq!(m.tiers[0].flash_bytes, 131072);
        let e = toml::from_str::<CostModel>("[[tier]]\nname = \"a\"\nflash = \"12Q\"\nprice = 1\n")
            .unwrap_err();
        assert!(e.to_string().contains("12Q"), "{e}");
        assert!(toml::from_str::<CostModel>("price_per_kb = 1\n").is_err());
    }
}
