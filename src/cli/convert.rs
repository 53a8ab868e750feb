//! The command line's groups turned into plain options.

use std::path::PathBuf;
use std::time::Duration;

use super::{
    AnalysisArgs, ApplyArgs, BisectArgs, BudgetArgs, CheckArgs, CompileArgs, CostArgs, DiffArgs,
    FeatureArgs, HistoryArgs, MatrixArgs, MeasureArgs, MemoryArgs, MergeArgs, OneBuildArgs,
    OptimizeArgs, OutputArgs, PackageArgs, ProjectArgs, RecordArgs, RunArgs, RuntimeArgs,
    SelectArgs, ShowArgs, TopArgs, WhyArgs,
};
use crate::options::{
    AnalysisOptions, ApplyFrom, ApplyOptions, BisectOptions, BudgetOptions, CheckOptions,
    CompileOptions, DiffInputs, DiffOptions, HistoryOptions, MatrixOptions, MeasureOptions,
    OptimizeOptions, OutputOptions, PriceOptions, ProjectOptions, ReportsOptions, RunOptions,
    RuntimeOptions, TopOptions, VerifyOptions, WhyOptions,
};

impl PackageArgs {
    pub fn project(&self, features: &FeatureArgs, target: Option<&String>) -> ProjectOptions {
        ProjectOptions {
            manifest_path: self.manifest_path.clone(),
            package: self.package.clone(),
            bin: self.bin.clone(),
            example: self.example.clone(),
            lib: self.lib,
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
            applied: None,
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
            max_region: self.max_region.clone(),
            max_growth: self.max_growth,
            baseline_report: self.baseline_report.clone(),
            max_stack: self.max_stack,
            max_brotli: self.max_brotli,
            max_gzip: self.max_gzip,
        }
    }
}

/// The workload's arguments as a shell splits them (plain whitespace when
/// the quoting does not close).
fn workload_args(text: Option<&str>) -> Vec<String> {
    text.map(|a| {
        shlex::split(a).unwrap_or_else(|| a.split_whitespace().map(String::from).collect())
    })
    .unwrap_or_default()
}

impl RuntimeArgs {
    /// `wanted`: also when the run is not asked for but a limit needs it
    /// (`--max-stack`).
    pub fn options(&self, runner: Option<&String>, wanted: bool) -> Option<RuntimeOptions> {
        (self.runtime || wanted).then(|| RuntimeOptions {
            runner: runner.cloned(),
            args: workload_args(self.runtime_args.as_deref()),
            stdin: self.runtime_stdin.clone(),
            limit: self.runtime_limit,
            timeout: Duration::from_secs(self.runtime_timeout),
            runs: self.runtime_runs as usize,
        })
    }
}

impl AnalysisArgs {
    pub fn options(
        &self,
        budget: &BudgetArgs,
        cost: &CostArgs,
        memory: &MemoryArgs,
        runtime: &RuntimeArgs,
    ) -> AnalysisOptions {
        AnalysisOptions {
            ablation: self.ablation,
            attribute: self.attribute,
            keep_debug: self.keep_debug,
            verify: self.verify.then(|| VerifyOptions {
                runner: self.runner.clone(),
                timeout: Duration::from_secs(self.verify_timeout),
                limit: self.verify_limit,
            }),
            runtime: runtime.options(self.runner.as_ref(), budget.max_stack.is_some()),
            ota: (self.ota || self.ota_baseline.is_some()).then(|| crate::options::OtaOptions {
                baseline: self.ota_baseline.clone(),
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
                .options(&self.budget, &self.cost, &self.memory, &self.runtime),
            output: OutputOptions {
                ablation: self.analysis.ablation,
                ..self.output.options()
            },
            records: Default::default(),
        }
    }
}

impl OptimizeArgs {
    pub fn options(&self) -> OptimizeOptions {
        OptimizeOptions {
            project: self
                .package
                .project(&self.features, self.compile.target.as_ref()),
            compile: self.compile.options(&self.output),
            output: self.output.options(),
            max_builds: self.max_builds,
            max_build_seconds: self.max_build_time,
            keep_unwind: self.keep_unwind,
            stable_only: self.stable_only,
            flash_size: self.memory.flash_size,
            ram_size: self.memory.ram_size,
            max_slowdown_pct: self.max_slowdown,
            max_stack: self.max_stack,
            runtime: RuntimeOptions {
                runner: self.runner.clone(),
                args: workload_args(self.runtime_args.as_deref()),
                stdin: None,
                limit: 200_000_000,
                timeout: Duration::from_secs(60),
                runs: 1,
            },
        }
    }
}

impl OneBuildArgs {
    /// `top`'s options for reading `file` (or a build), `limit` rows; the
    /// readings a command asks for are set by it.
    fn top_options(&self, file: Option<PathBuf>, limit: usize) -> TopOptions {
        let p = &self.project;
        TopOptions {
            project: p.project(),
            compile: p.compile.options(&p.output),
            matrix: p.select.options(),
            output: p.output.options(),
            file,
            limit,
            crates_only: false,
            filter: None,
            section: None,
            group_generics: false,
            no_dwarf: false,
            retained: false,
            generics: false,
            rlibs: self.rlibs.clone(),
        }
    }
}

impl TopArgs {
    pub fn options(&self) -> TopOptions {
        TopOptions {
            crates_only: self.crates,
            filter: self.filter.clone(),
            section: self.section.clone(),
            group_generics: self.group_generics,
            no_dwarf: self.no_dwarf,
            retained: self.retained,
            generics: self.generics,
            ..self.build.top_options(self.file.clone(), self.limit)
        }
    }
}

impl WhyArgs {
    pub fn options(&self) -> WhyOptions {
        WhyOptions {
            top: self.build.top_options(self.file.clone(), self.limit),
            pattern: self.pattern.clone(),
            krate: self.krate,
            all_paths: self.all_paths,
        }
    }
}

impl CheckArgs {
    pub fn options(&self) -> CheckOptions {
        CheckOptions {
            run: self.run.options(),
            report: self.report.clone(),
            all: self.all,
        }
    }
}

impl ProjectArgs {
    fn project(&self) -> ProjectOptions {
        self.package
            .project(&self.features, self.compile.target.as_ref())
    }

    /// How history, bisect and `diff --git` build each commit: the selected
    /// matrix, with attribution when a page or a diff will show it.
    pub(super) fn commit_run(&self, attribute: bool, records: &RecordArgs) -> RunOptions {
        RunOptions {
            records: crate::options::RecordsOptions {
                read: !records.no_records,
                write: records.record,
                dir: records.records_dir.clone(),
                at: None,
            },
            project: self.project(),
            compile: self.compile.options(&self.output),
            matrix: self.select.options(),
            analysis: AnalysisOptions {
                // A record carries crates and symbols, for diffs read from it.
                attribute: attribute || records.record,
                ..AnalysisOptions::default()
            },
            output: self.output.options(),
        }
    }
}

impl HistoryArgs {
    pub fn options(&self) -> HistoryOptions {
        let page = self.project.output.options().format == crate::options::Format::Html;
        HistoryOptions {
            range: self.range.clone(),
            shard: self.shard,
            run: self.project.commit_run(page, &self.records),
        }
    }
}

impl BisectArgs {
    pub fn options(&self) -> BisectOptions {
        BisectOptions {
            range: self.range.clone(),
            grew: self.grew,
            metric: self.metric,
            limit: self.limit,
            run: self.project.commit_run(true, &self.records),
        }
    }
}

impl DiffArgs {
    /// Fails when the inputs do not make one of the three kinds of diff.
    pub fn options(&self) -> anyhow::Result<DiffOptions> {
        let inputs = match (&self.git, self.inputs.as_slice(), &self.from, &self.to) {
            (Some(rev), [], None, None) => DiffInputs::Git {
                rev: rev.clone(),
                run: Box::new(self.project.commit_run(true, &self.records)),
            },
            (None, [report], Some(from), Some(to)) => DiffInputs::Within {
                report: report.clone(),
                from: from.clone(),
                to: to.clone(),
            },
            (None, [a, b], None, None) => DiffInputs::Files(a.clone(), b.clone()),
            _ => anyhow::bail!("diff takes two inputs (JSON reports or binaries), one report with --from A --to B, or --git REV and none\n  hint: cargo weigh diff old.json new.json"),
        };
        Ok(DiffOptions {
            inputs,
            fail_on_growth: self.fail_on_growth,
            limit: self.limit,
            min_change: self.min_change,
            output: self.project.output.options(),
        })
    }
}

impl ApplyArgs {
    pub fn options(&self) -> ApplyOptions {
        let from = match &self.report {
            Some(r) => ApplyFrom::Report(r.clone()),
            None => ApplyFrom::Matrix {
                preset: self.preset.clone(),
                matrix_file: self.matrix_file.clone(),
            },
        };
        ApplyOptions {
            config: self.config.clone(),
            from,
            profile: self.profile.clone(),
            force: self.force,
            dry_run: self.dry_run,
            manifest_path: self.manifest_path.clone(),
            package: self.package.clone(),
            target: self.target.clone(),
            cargo: self.cargo.clone(),
        }
    }
}

impl MeasureArgs {
    pub fn options(&self) -> MeasureOptions {
        MeasureOptions {
            files: self.files.clone(),
            memory_x: self.memory_x.clone(),
            baseline: self.baseline.clone(),
            flash_size: self.memory.flash_size,
            ram_size: self.memory.ram_size,
            output: self.output.options(),
        }
    }
}

impl ShowArgs {
    pub fn options(&self) -> ReportsOptions {
        ReportsOptions {
            reports: vec![self.report.clone()],
            baseline: None,
            output: self.output.options(),
        }
    }
}

impl MergeArgs {
    pub fn options(&self) -> ReportsOptions {
        ReportsOptions {
            reports: self.reports.clone(),
            baseline: self.baseline.clone(),
            output: self.output.options(),
        }
    }
}
