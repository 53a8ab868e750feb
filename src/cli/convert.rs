//! The command line's groups turned into plain options.

use std::time::Duration;

use super::{
    AnalysisArgs, BudgetArgs, CompileArgs, CostArgs, FeatureArgs, MatrixArgs, MemoryArgs,
    OutputArgs, PackageArgs, RunArgs, SelectArgs,
};
use crate::options::{
    AnalysisOptions, BudgetOptions, CompileOptions, MatrixOptions, OutputOptions, PriceOptions,
    ProjectOptions, RunOptions, VerifyOptions,
};

impl PackageArgs {
    pub fn project(&self, features: &FeatureArgs, target: Option<&String>) -> ProjectOptions {
        ProjectOptions {
            manifest_path: self.manifest_path.clone(),
            package: self.package.clone(),
            bin: self.bin.clone(),
            example: self.example.clone(),
            features: features.features.iter().flatten().cloned().collect(),
            all_features: features.all_features,
            no_default_features: features.no_default_features,
            target: target.cloned(),
        }
    }
}

impl CompileArgs {
    pub fn options(&self, output: &OutputArgs) -> CompileOptions {
        CompileOptions {
            target_dir: self.target_dir.clone(),
            jobs: self.jobs,
            cargo: self.cargo.clone(),
            build_std: self.build_std.clone(),
            cargo_config: self.cargo_config.clone(),
            locked: self.locked || self.frozen,
            offline: self.offline || self.frozen,
            frozen: self.frozen,
            timeout: self.timeout,
            parallel: self.parallel.max(1) as usize,
            share: !self.no_share,
            cache: !self.no_cache,
            color: output.color.unwrap_or_default(),
        }
    }
}

impl SelectArgs {
    pub fn options(&self) -> MatrixOptions {
        MatrixOptions {
            preset: self.preset.clone(),
            matrix_file: self.matrix_file.clone(),
            only: self.only.clone(),
            shard: None,
            baseline: None,
        }
    }
}

impl MatrixArgs {
    pub fn options(&self) -> MatrixOptions {
        MatrixOptions {
            shard: self.shard,
            baseline: self.baseline.clone(),
            ..self.select.options()
        }
    }
}

impl CostArgs {
    pub fn options(&self) -> PriceOptions {
        let ota = match (
            self.ota_devices,
            self.ota_updates_per_year,
            self.ota_price_per_mb,
        ) {
            (Some(devices), Some(updates_per_year), Some(price_per_mb)) => Some(crate::cost::Ota {
                devices,
                updates_per_year,
                price_per_mb,
            }),
            _ => None,
        };
        PriceOptions {
            price_per_kib: self.price_per_kib,
            units: self.units,
            currency: self.currency.clone(),
            ota,
        }
    }
}

impl BudgetArgs {
    pub fn options(&self) -> BudgetOptions {
        BudgetOptions {
            max_flash: self.max_flash,
            max_ram: self.max_ram,
            max_growth: self.max_growth,
            baseline_report: self.baseline_report.clone(),
        }
    }
}

impl AnalysisArgs {
    pub fn options(
        &self,
        budget: &BudgetArgs,
        cost: &CostArgs,
        memory: &MemoryArgs,
    ) -> AnalysisOptions {
        AnalysisOptions {
            ablation: self.ablation,
            attribute: self.attribute,
            keep_debug: self.keep_debug,
            verify: self.verify.then(|| VerifyOptions {
                runner: self.runner.clone(),
                timeout: Duration::from_secs(self.verify_timeout),
            }),
            budget: budget.options(),
            prices: cost.options(),
            flash_size: memory.flash_size,
            ram_size: memory.ram_size,
        }
    }
}

impl OutputArgs {
    pub fn options(&self) -> OutputOptions {
        OutputOptions {
            format: self.format,
            output: self.output.clone(),
            wide: self.wide,
            quiet: self.quiet,
            verbose: self.verbose,
            ablation: false,
        }
    }
}

impl RunArgs {
    pub fn options(&self) -> RunOptions {
        RunOptions {
            project: self
                .package
                .project(&self.features, self.compile.target.as_ref()),
            compile: self.compile.options(&self.output),
            matrix: self.matrix.options(),
            analysis: self
                .analysis
                .options(&self.budget, &self.cost, &self.memory),
            output: OutputOptions {
                ablation: self.analysis.ablation,
                ..self.output.options()
            },
        }
    }
}
