//! Interruptions and concurrency: SIGINT/SIGTERM at random points of a
//! matrix, two runs at once, `apply` killed mid-way, a full disk.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A small host project with a few configurations.
fn host_project(dir: &Path) -> PathBuf {
    let project = dir.join("hostapp");
    copy_dir(&fixture("hostapp"), &project);
    std::fs::write(
        project.join("weigh.toml"),
        "[matrix]\nopt-level = [1, 2, \"s\", \"z\"]\ncodegen-units = [1, 16]\n",
    )
    .unwrap();
    project
}

/// Deterministic pseudo-random delays (xorshift), so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

fn wait_with_timeout(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        assert!(
            start.elapsed() < limit,
            "cargo weigh did not stop after the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            out.extend(leftovers(&p));
        } else if name.starts_with(".cargo-weigh-") || name.starts_with(".tmp") {
            out.push(p);
        }
    }
    out
}

#[test]
fn interrupted_at_random_points_twenty_times() {
    let tmp = tempfile::tempdir().unwrap();
    let project = host_project(tmp.path());
    let target = tmp.path().join("target");
    let report = tmp.path().join("report.json");
    let before = snapshot_tree(&project);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut interrupted = 0;
    for round in 0..20 {
        let _ = std::fs::remove_file(&report);
        let mut child = weigh()
            .arg("--manifest-path")
            .arg(project.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            // Without the result cache every round really runs cargo.
            .args(["--quiet", "--no-cache", "--format", "json", "--output"])
            .arg(&report)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.next(1500)));
        let sig = if round % 2 == 0 {
            libc::SIGINT
        } else {
            libc::SIGTERM
        };
        unsafe { libc::kill(child.id() as i32, sig) };
        let st = wait_with_timeout(&mut child, Duration::from_secs(30));
        let code = st.code();
        assert!(
            matches!(code, Some(0) | Some(130)),
            "round {round}: exit {st:?}"
        );
        if report.exists() {
            let r = json(&report);
            assert_eq!(
                r["complete"],
                code == Some(0),
                "round {round}: complete flag"
            );
        } else {
            assert_eq!(
                code,
                Some(130),
                "round {round}: a finished run writes its report"
            );
        }
        if code == Some(130) {
            interrupted += 1;
        }
        assert!(
            leftovers(tmp.path()).is_empty(),
            "round {round}: half-written files: {:?}",
            leftovers(tmp.path())
        );
        assert!(
            snapshot_tree(&project) == before,
            "round {round}: the project changed"
        );
    }
    assert!(
        interrupted >= 5,
        "only {interrupted} of 20 rounds were really interrupted"
    );
    // The next run completes, reusing what the interrupted ones built.
    let out = run(weigh()
        .arg("--manifest-path")
        .arg(project.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .args(["--quiet", "--format", "json"]));
    assert!(out.status.success(), "{}", text(&out).1);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["complete"], true);
    assert_eq!(r["configs"].as_array().unwrap().len(), 8);
}

#[test]
fn two_runs_at_once_never_mix() {
    let tmp = tempfile::tempdir().unwrap();
    let project = host_project(tmp.path());
    // Without a Cargo.lock: the first run's cargo writes one and the run
    // removes it; the second, waiting meanwhile, must not take it for the
    // project's own (and build --locked without it).
    std::fs::remove_file(project.join("Cargo.lock")).unwrap();
    let target = tmp.path().join("target");
    let spawn = |out: &Path| {
        weigh()
            .arg("--manifest-path")
            .arg(project.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .args(["--format", "json", "--output"])
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (tmp.path().join("a.json"), tmp.path().join("b.json"));
    let ca = spawn(&a);
    std::thread::sleep(Duration::from_millis(300));
    let cb = spawn(&b);
    let oa = ca.wait_with_output().unwrap();
    let ob = cb.wait_with_output().unwrap();
    assert!(
        oa.status.success() && ob.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&oa.stderr),
        String::from_utf8_lossy(&ob.stderr)
    );
    assert!(
        !project.join("Cargo.lock").exists(),
        "no Cargo.lock left behind"
    );
    let waited = String::from_utf8_lossy(&oa.stderr).contains("waiting")
        || String::from_utf8_lossy(&ob.stderr).contains("waiting");
    assert!(waited, "the second run says it waits");
    let (ra, rb) = (json(&a), json(&b));
    let flash = |r: &serde_json::Value| -> Vec<(String, u64, String)> {
        r["configs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["flash_bytes"].as_u64().unwrap(),
                    c["flash_hash"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        flash(&ra),
        flash(&rb),
        "both runs measured the same binaries"
    );
    // And every kept artifact is the binary its row describes.
    for c in ra["configs"].as_array().unwrap() {
        let m =
            cargo_weigh::measure::measure_file(Path::new(c["artifact"].as_str().unwrap())).unwrap();
        assert_eq!(m.flash_hash, c["flash_hash"].as_str().unwrap());
    }
}

#[test]
fn apply_killed_at_any_point_leaves_cargo_toml_old_or_new() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    copy_dir(&fixture("hostapp"), &project);
    let manifest = project.join("Cargo.toml");
    let old = std::fs::read(&manifest).unwrap();
    // The new content, from a dry run of the same edit.
    let dry = run(weigh()
        .arg("apply")
        .arg("min-sized-rust")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--dry-run"));
    assert!(dry.status.success());
    let mut rng = Rng(42);
    let mut seen_new = None;
    for _ in 0..20 {
        std::fs::write(&manifest, &old).unwrap();
        let mut child = weigh()
            .arg("apply")
            .arg("min-sized-rust")
            .arg("--manifest-path")
            .arg(&manifest)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.next(60_000)));
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait();
        let now = std::fs::read(&manifest).unwrap();
        if now != old {
            let parsed: toml::Table = String::from_utf8(now.clone())
                .unwrap()
                .parse()
                .expect("a whole, valid file");
            assert_eq!(parsed["profile"]["release"]["lto"].as_str(), Some("fat"));
            if let Some(n) = &seen_new {
                assert_eq!(&now, n, "only one new content is possible");
            }
            seen_new = Some(now);
        }
        // A kill between link and rename can leave the killed process's
        // temporary name; the next apply removes it.
        let left = leftovers(&project);
        let pid = format!(".cargo-weigh-{}-", child.id());
        assert!(
            left.iter()
                .all(|p| p.file_name().unwrap().to_string_lossy().starts_with(&pid)),
            "{left:?}"
        );
    }
    // A name left by a process that no longer exists, as a kill leaves it.
    let gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    drop(gone.wait_with_output());
    std::fs::write(project.join(format!(".cargo-weigh-{dead}-1")), "x").unwrap();
    let again = run(weigh()
        .arg("apply")
        .arg("min-sized-rust")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--force"));
    assert!(again.status.success());
    assert!(leftovers(&project).is_empty(), "{:?}", leftovers(&project));
}

#[test]
fn disk_full_while_writing_a_report() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    std::fs::create_dir_all(&mnt).unwrap();
    let st = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mnt)
        .status()
        .unwrap();
    assert!(
        st.success(),
        "this test mounts a 64 KiB tmpfs (needs root, as scripts/setup does)"
    );
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    // A big report: every symbol of this crate's own binary.
    let me = PathBuf::from(env!("CARGO_BIN_EXE_cargo-weigh"));
    let out_path = mnt.join("top.json");
    let out = run(weigh()
        .arg("top")
        .arg(&me)
        .args(["--format", "json", "-n", "1000000", "--output"])
        .arg(&out_path));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("top.json") && stderr.contains("disk full"),
        "{stderr}"
    );
    assert!(!out_path.exists(), "no truncated file left as if complete");
    assert!(leftovers(&mnt).is_empty(), "{:?}", leftovers(&mnt));
}

/// Ctrl-C while `--verify` runs a binary stops it at once, as it stops a
/// build: the run ends with 130 and an incomplete report, not after the
/// binary's time limit.
#[test]
fn ctrl_c_during_verify_stops_the_running_binary() {
    let dir = project(&[
        (
            "Cargo.toml",
            "[package]\nname = \"sleeper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
        ),
        (
            "src/main.rs",
            "fn main() { std::thread::sleep(std::time::Duration::from_secs(120)); }\n",
        ),
    ]);
    let weigh_it = || {
        let mut c = weigh();
        c.arg("--manifest-path")
            .arg(dir.path().join("Cargo.toml"))
            .args(["--preset", "release", "--quiet"]);
        c
    };
    // Built (and cached) first, so the next run goes straight to --verify.
    assert!(run(&mut weigh_it()).status.success());
    let report = dir.path().join("report.json");
    let mut child = weigh_it()
        .args([
            "--verify",
            "--verify-timeout",
            "100",
            "--format",
            "json",
            "-o",
        ])
        .arg(&report)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let sent = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let st = wait_with_timeout(&mut child, Duration::from_secs(20));
    assert!(
        sent.elapsed() < Duration::from_secs(10),
        "{:?}",
        sent.elapsed()
    );
    assert_eq!(st.code(), Some(130));
    assert_eq!(json(&report)["complete"], false);
}
