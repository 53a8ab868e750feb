//! `--runtime`: instruction counts, boot, peak stack and the static stack
//! bound, checked against independent QEMU traces (`-d exec,nochain` one
//! instruction per block for the count and the boot, `-d cpu` for the
//! stack pointer); host binaries under valgrind; firmware that never exits
//! verified at a deterministic point; bad input said clearly.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn runtime_report(matrix: &str, extra: &[&str]) -> (serde_json::Value, i32) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = run(tiny_weigh(matrix)
        .args(["--runtime", "--quiet", "--format", "json", "-o"])
        .arg(&out)
        .args(extra));
    assert!(out.is_file(), "{}", text(&o).1);
    (json(&out), o.status.code().unwrap_or(-1))
}

fn config<'a>(r: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    r["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

/// QEMU as the fixture's runner runs it, with a trace option.
fn qemu_trace(artifact: &Path, log: &Path, what: &str) {
    let st = Command::new("qemu-system-arm")
        .args(["-machine", "mps2-an386", "-cpu", "cortex-m4", "-nographic"])
        .args([
            "-semihosting-config",
            "enable=on,target=native",
            "-singlestep",
        ])
        .args(["-d", what, "-D"])
        .arg(log)
        .arg("-kernel")
        .arg(artifact)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
}

/// Addresses of `bkpt 0xab` (semihosting calls) in the image.
fn semihosting_calls(artifact: &Path) -> Vec<u64> {
    let out = tool("arm-none-eabi-objdump")
        .arg("-d")
        .arg(artifact)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("bkpt") && l.contains("0x00ab"))
        .filter_map(|l| u64::from_str_radix(l.split(':').next()?.trim(), 16).ok())
        .collect()
}

#[test]
fn instructions_boot_and_stack_equal_independent_traces_and_repeat() {
    let (first, code) = runtime_report("tiny-runtime.toml", &["--only", "release,opt-z"]);
    assert_eq!(code, 0);
    let (second, _) = runtime_report("tiny-runtime.toml", &["--only", "release,opt-z"]);
    let dir = tempfile::tempdir().unwrap();
    let mut counts = Vec::new();
    for name in ["release", "opt-z"] {
        let (a, b) = (
            &config(&first, name)["runtime"],
            &config(&second, name)["runtime"],
        );
        for k in ["instructions", "boot_instructions", "stack_bytes"] {
            assert_eq!(a[k], b[k], "{name}: {k} differs between two runs");
        }
        let artifact = Path::new(config(&first, name)["artifact"].as_str().unwrap()).to_path_buf();
        // One trace line per executed instruction.
        let exec = dir.path().join(format!("{name}.exec"));
        qemu_trace(&artifact, &exec, "exec,nochain");
        let trace = std::fs::read_to_string(&exec).unwrap();
        let pcs: Vec<u64> = trace
            .lines()
            .filter(|l| l.starts_with("Trace"))
            .filter_map(|l| {
                let fields = l.split('[').nth(1)?.split('/').nth(1)?;
                u64::from_str_radix(fields, 16).ok()
            })
            .collect();
        assert_eq!(
            a["instructions"].as_u64().unwrap(),
            pcs.len() as u64,
            "{name}"
        );
        let calls = semihosting_calls(&artifact);
        let boot = pcs.iter().position(|pc| calls.contains(pc)).unwrap();
        assert_eq!(
            a["boot_instructions"].as_u64().unwrap(),
            boot as u64,
            "{name}"
        );
        // The stack pointer, instruction by instruction.
        let cpu = dir.path().join(format!("{name}.cpu"));
        qemu_trace(&artifact, &cpu, "cpu,nochain");
        let sps: Vec<u64> = std::fs::read_to_string(&cpu)
            .unwrap()
            .split("R13=")
            .skip(1)
            .filter_map(|s| u64::from_str_radix(s.get(..8)?, 16).ok())
            .collect();
        let deepest = sps[0] - sps.iter().min().unwrap();
        let observed = a["stack_bytes"].as_u64().unwrap();
        assert!(
            deepest.abs_diff(observed) <= 8,
            "{name}: SP trace {deepest} B, ours {observed} B"
        );
        counts.push(pcs.len());
    }
    assert_ne!(counts[0], counts[1], "opt-level z runs different code");
    let z = &config(&first, "opt-z")["delta"]["instructions_change_pct"];
    let expect = (counts[1] as f64 - counts[0] as f64) * 100.0 / counts[0] as f64;
    assert!(
        (z.as_f64().unwrap() - expect).abs() < 0.01,
        "{z} vs {expect}"
    );
}

#[test]
fn the_static_bound_is_never_below_the_observed_peak() {
    let mut checked = 0;
    let (tiny, _) = runtime_report("tiny-verify.toml", &["--only", "release,opt-z,z-fat,dev"]);
    let (extra, _) = runtime_report("tiny-runtime.toml", &[]);
    let irq = {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("irq.json");
        run(weigh()
            .arg("--manifest-path")
            .arg(fixture("irq/Cargo.toml"))
            .arg("--target-dir")
            .arg(shared_target_dir("irq"))
            .args([
                "--preset",
                "release",
                "--runtime",
                "-q",
                "--format",
                "json",
                "-o",
            ])
            .arg(&out));
        json(&out)
    };
    for report in [&tiny, &extra, &irq] {
        for c in report["configs"].as_array().unwrap() {
            let rt = &c["runtime"];
            let observed = rt["stack_bytes"].as_u64().unwrap();
            match rt["static_stack_bytes"].as_u64() {
                Some(bound) => {
                    assert!(
                        bound >= observed,
                        "{}: bound {bound} < observed {observed}",
                        c["name"]
                    );
                    checked += 1;
                }
                None => assert!(
                    rt["static_stack_note"].as_str().unwrap().starts_with('≥'),
                    "{}: {rt}",
                    c["name"]
                ),
            }
        }
    }
    assert!(checked >= 5, "bounded configurations checked: {checked}");
    let note = |name: &str| config(&extra, name)["runtime"]["static_stack_note"].clone();
    assert!(
        note("recursive")
            .as_str()
            .unwrap()
            .contains("recursion through tiny::depth"),
        "{}",
        note("recursive")
    );
    assert!(
        note("fn-pointer")
            .as_str()
            .unwrap()
            .contains("an indirect call"),
        "{}",
        note("fn-pointer")
    );
}

#[test]
fn firmware_that_never_exits_verifies_the_same_on_every_run() {
    let verify = |_: usize| {
        let o =
            run(tiny_weigh("tiny-forever.toml").args(["--verify", "--quiet", "--format", "json"]));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let (a, b) = (verify(0), verify(1));
    for name in ["release", "opt-z", "z-fat"] {
        let (va, vb) = (&config(&a, name)["verify"], &config(&b, name)["verify"]);
        assert_eq!(va, vb, "{name}: two runs, two verdicts");
        assert_eq!(va["stopped_at_limit"], true, "{name}: {va}");
    }
    assert_eq!(config(&a, "opt-z")["verify"]["status"], "same");
    assert_eq!(config(&a, "z-fat")["verify"]["status"], "same");
    // Measured up to the budget, and said so.
    let (r, _) = runtime_report(
        "tiny-forever.toml",
        &["--only", "release", "--runtime-limit", "1000000"],
    );
    let rt = &config(&r, "release")["runtime"];
    assert_eq!(rt["stopped_at_limit"], true, "{rt}");
    assert!(rt["instructions"].as_u64().unwrap() >= 1_000_000);
    // QEMU stopped by the plugin exits 0: that is not the firmware's status.
    assert!(rt["exit_code"].is_null(), "{rt}");
}

#[test]
fn a_host_binary_is_measured_with_its_workload() {
    let measure = |args: &str| {
        json_stdout(
            weigh()
                .arg("--manifest-path")
                .arg(fixture("hostapp/Cargo.toml"))
                .arg("--target-dir")
                .arg(shared_target_dir("hostapp"))
                .args([
                    "--preset",
                    "release",
                    "--runtime",
                    "--runtime-runs",
                    "3",
                    "--runtime-args",
                    args,
                ])
                .args(["--quiet", "--format", "json"]),
        )
    };
    let (a, b, c) = (
        measure("one two"),
        measure("one two"),
        measure("one two three four five"),
    );
    let rt = |r: &serde_json::Value| r["configs"][0]["runtime"].clone();
    let n = rt(&a)["instructions"].as_u64().unwrap();
    assert!(n > 10_000, "{}", rt(&a));
    assert_eq!(
        rt(&b)["instructions"].as_u64(),
        Some(n),
        "valgrind counts are deterministic"
    );
    assert_ne!(
        rt(&c)["instructions"].as_u64(),
        Some(n),
        "the workload matters"
    );
    assert!(rt(&a)["wall_seconds"].as_f64().unwrap() > 0.0);
    assert!(rt(&a)["wall_spread"].as_f64().is_some());
    // The workload's own options are its, not cargo weigh's.
    let d = measure("--verbose one");
    assert!(rt(&d)["instructions"].as_u64().is_some(), "{}", rt(&d));
}

#[test]
fn what_cannot_be_measured_is_said_and_the_sizes_stay() {
    let dir = tempfile::tempdir().unwrap();
    let wfi = dir.path().join("wfi.toml");
    std::fs::write(
        &wfi,
        "[[config]]\nname = \"wfi\"\nrustflags = [\"--cfg\", \"weigh_wfi\"]\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = run(
        weigh_project(&fixture("tiny"), &wfi, &shared_target_dir("tiny")).args([
            "--runtime",
            "--runtime-timeout",
            "2",
            "--quiet",
        ]),
    );
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    assert!(started.elapsed().as_secs() < 60, "no hang");
    assert!(
        stdout.contains("not measured: wfi: neither exited nor reached the budget"),
        "{stdout}"
    );
    assert!(
        stdout.contains("flash"),
        "the sizes are still reported: {stdout}"
    );

    let o = run(tiny_weigh("tiny-runtime.toml").args([
        "--only",
        "release",
        "--runtime",
        "--runner",
        "/bin/echo",
        "--quiet",
    ]));
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout.contains("needs QEMU as the runner"), "{stdout}");
    assert!(
        stderr.contains("hint: pass --runner \"qemu-system-arm"),
        "{stderr}"
    );

    let o = run(weigh()
        .arg("--manifest-path")
        .arg(fixture("hostapp/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("hostapp"))
        .env("VALGRIND", "/nonexistent/valgrind")
        .args(["--preset", "release", "--runtime", "--quiet"]));
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr.contains("apt-get install valgrind"), "{stderr}");
    assert!(
        stdout.contains("Stripped"),
        "the sizes are still reported: {stdout}"
    );
}

#[test]
fn check_max_stack_gates_on_the_observed_peak() {
    let (r, _) = runtime_report("tiny-runtime.toml", &["--only", "release"]);
    let peak = config(&r, "release")["runtime"]["stack_bytes"]
        .as_u64()
        .unwrap();
    let check = |limit: u64| {
        run(tiny_subcommand("check", "tiny-runtime.toml").args([
            "--only",
            "release",
            "--max-stack",
            &limit.to_string(),
            "--quiet",
        ]))
    };
    // RAM free: the RAM region less its static data and the peak stack.
    let ram = r["configs"][0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "ram")
        .max_by_key(|g| g["length_bytes"].as_u64())
        .unwrap()
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("r.json");
    std::fs::write(&saved, r.to_string()).unwrap();
    let csv = run(weigh().arg("show").arg(&saved).args(["--format", "csv"]));
    let csv = text(&csv).0;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let free = header.iter().position(|h| *h == "ram_free_bytes").unwrap();
    assert_eq!(
        row[free].parse::<i64>().unwrap(),
        ram["length_bytes"].as_i64().unwrap() - ram["used_bytes"].as_i64().unwrap() - peak as i64,
        "{csv}"
    );

    // --max-stack runs the binaries itself: no --runtime needed.
    let o = check(peak);
    assert_eq!(o.status.code(), Some(0), "{}{}", text(&o).0, text(&o).1);
    let o = check(peak - 1);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("release: peak stack"), "{stderr}");

    // A limit that cannot be checked is not a pass.
    let o = run(weigh()
        .arg("check")
        .arg("--manifest-path")
        .arg(fixture("hostapp/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("hostapp"))
        .args(["--preset", "release", "--max-stack", "8K", "--quiet"]));
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "--max-stack not checked: peak stack is measured for firmware under QEMU only"
        ),
        "{stderr}"
    );
}
