//! Interruptions and concurrency: SIGINT/SIGTERM at every stage of a
//! matrix, two runs at once, `apply` killed at each of its writes, a full
//! disk. Every signal is sent on an event the test observes (a progress
//! line, a child process, a system call), never after a guessed delay.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
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

/// A child's stderr, line by line as it comes, so a test acts on what the
/// run says rather than after a guessed delay.
struct Lines {
    rx: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn of(child: &mut Child) -> Lines {
        let stderr = child.stderr.take().expect("stderr piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            rx,
            seen: Vec::new(),
        }
    }

    /// Waits for a line that starts with `prefix`; false when the run ended
    /// without saying it.
    fn wait_for(&mut self, prefix: &str) -> bool {
        while let Ok(line) = self.rx.recv_timeout(Duration::from_secs(120)) {
            let hit = line.starts_with(prefix);
            self.seen.push(line);
            if hit {
                return true;
            }
        }
        false
    }

    /// A line arrived since the last call (without waiting).
    fn moved(&mut self) -> bool {
        let before = self.seen.len();
        self.seen.extend(self.rx.try_iter());
        self.seen.len() > before
    }

    fn rest(mut self) -> String {
        self.seen.extend(self.rx.iter());
        self.seen.join("\n")
    }
}

/// Whether a process named `name` (its `comm`) runs below `pid`.
fn runs_below(pid: u32, name: &str) -> bool {
    let mut parent = std::collections::HashMap::new();
    let mut named = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let me: u32 = stat[..open].trim().parse().unwrap_or(0);
        let ppid: u32 = stat[close + 2..]
            .split(' ')
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        parent.insert(me, ppid);
        if &stat[open + 1..close] == name {
            named.push(me);
        }
    }
    named.into_iter().any(|mut p| {
        while let Some(&up) = parent.get(&p) {
            if up == pid {
                return true;
            }
            if up <= 1 {
                break;
            }
            p = up;
        }
        false
    })
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

/// Signals at each stage of a matrix of 8: while the session asks cargo
/// for the project's metadata, right after the k-th configuration was
/// measured, and while the next build's cargo runs.
#[test]
fn interrupted_at_every_stage_twenty_times() {
    let tmp = tempfile::tempdir().unwrap();
    let project = host_project(tmp.path());
    let target = tmp.path().join("target");
    let report = tmp.path().join("report.json");
    let before = snapshot_tree(&project);
    let mut interrupted = 0;
    for round in 0..20 {
        let _ = std::fs::remove_file(&report);
        let mut child = weigh()
            .arg("--manifest-path")
            .arg(project.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            // Without the result cache every round really runs cargo.
            .args(["--no-cache", "--format", "json", "--output"])
            .arg(&report)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = Lines::of(&mut child);
        let after = round % 9;
        let said = after == 0 || lines.wait_for(&format!("[{after}/8]"));
        if said && (after == 0 || round % 2 == 1) {
            // A cargo (metadata at first, then the next build), unless the
            // run says more or ends first.
            while !runs_below(child.id(), "cargo")
                && !lines.moved()
                && child.try_wait().unwrap().is_none()
            {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
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
    // The second starts once the first measured its first configuration:
    // the first holds the run lock and its cargo wrote a Cargo.lock.
    let mut ca = spawn(&a);
    let mut la = Lines::of(&mut ca);
    assert!(la.wait_for("[1/8]"), "{}", la.rest());
    let mut cb = spawn(&b);
    let lb = Lines::of(&mut cb);
    let (sa, sb) = (ca.wait().unwrap(), cb.wait().unwrap());
    let (ea, eb) = (la.rest(), lb.rest());
    assert!(sa.success() && sb.success(), "{ea}\n{eb}");
    assert!(
        !project.join("Cargo.lock").exists(),
        "no Cargo.lock left behind"
    );
    assert!(
        eb.contains("waiting"),
        "the second run says it waits:\n{eb}"
    );
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

/// A preloaded library that kills its process at the n-th call of a file
/// system write (`write`, `fsync`, `linkat`, `rename`, `unlink`, ...), so a
/// test can stop `apply` at each of them in turn. It leaves no trace in the
/// children the process starts.
fn kill_at_nth_write(dir: &Path) -> PathBuf {
    let src = dir.join("killat.c");
    std::fs::write(
        &src,
        r#"#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/types.h>
static long limit = -1, seen = 0;
__attribute__((constructor)) static void init(void) {
    const char *n = getenv("KILL_AT");
    if (n) limit = atol(n);
    unsetenv("LD_PRELOAD");
    unsetenv("KILL_AT");
}
static void point(void) {
    if (limit > 0 && ++seen >= limit) kill(getpid(), SIGKILL);
}
#define WRAP(ret, name, params, args) \
    ret name params { \
        static ret (*real) params; \
        if (!real) real = dlsym(RTLD_NEXT, #name); \
        point(); \
        return real args; \
    }
WRAP(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))
WRAP(int, fsync, (int fd), (fd))
WRAP(int, fdatasync, (int fd), (fd))
WRAP(int, linkat, (int a, const char *b, int c, const char *d, int e), (a, b, c, d, e))
WRAP(int, rename, (const char *a, const char *b), (a, b))
WRAP(int, renameat, (int a, const char *b, int c, const char *d), (a, b, c, d))
WRAP(int, renameat2, (int a, const char *b, int c, const char *d, unsigned e), (a, b, c, d, e))
WRAP(int, unlink, (const char *a), (a))
WRAP(int, unlinkat, (int a, const char *b, int c), (a, b, c))
WRAP(int, close, (int fd), (fd))
"#,
    )
    .unwrap();
    let lib = dir.join("killat.so");
    let st = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&lib)
        .arg(&src)
        .arg("-ldl")
        .status()
        .expect("cc (installed by scripts/setup) builds the preload library");
    assert!(st.success());
    lib
}

#[test]
fn apply_killed_at_each_write_leaves_cargo_toml_old_or_new() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    copy_dir(&fixture("hostapp"), &project);
    let lib = kill_at_nth_write(tmp.path());
    let manifest = project.join("Cargo.toml");
    let old = std::fs::read(&manifest).unwrap();
    let apply = |kill_at: usize| {
        let mut c = weigh();
        c.arg("apply")
            .arg("min-sized-rust")
            .arg("--manifest-path")
            .arg(&manifest)
            .env("LD_PRELOAD", &lib)
            .env("KILL_AT", kill_at.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let mut seen_new = None;
    let mut killed = Vec::new();
    // Kill point n = 1, 2, ... until apply gets through all its writes.
    for n in 1.. {
        assert!(n < 2000, "apply never finished");
        std::fs::write(&manifest, &old).unwrap();
        let mut child = apply(n).spawn().unwrap();
        let st = child.wait().unwrap();
        let now = std::fs::read(&manifest).unwrap();
        if now != old {
            let parsed: toml::Table = String::from_utf8(now.clone())
                .unwrap()
                .parse()
                .expect("a whole, valid file");
            assert_eq!(parsed["profile"]["release"]["lto"].as_str(), Some("fat"));
            if let Some(seen) = &seen_new {
                assert_eq!(&now, seen, "only one new content is possible");
            }
            seen_new = Some(now);
        }
        use std::os::unix::process::ExitStatusExt;
        if st.signal() != Some(libc::SIGKILL) {
            assert!(st.success(), "kill point {n}: {st:?}");
            assert!(seen_new.is_some(), "the finished apply wrote the file");
            break;
        }
        killed.push(format!(".cargo-weigh-{}-", child.id()));
        // A kill between link and rename can leave a killed process's
        // temporary name, never another's.
        for p in leftovers(&project) {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                killed.iter().any(|k| name.starts_with(k.as_str())),
                "kill point {n}: {name}"
            );
        }
    }
    eprintln!("apply killed at {} points", killed.len());
    assert!(killed.len() >= 3, "apply wrote at {} points", killed.len());
    // The next apply removes what killed ones left.
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
    // Once the binary runs under --verify.
    while !runs_below(child.id(), "sleeper") {
        assert!(child.try_wait().unwrap().is_none(), "ended before verify");
        std::thread::sleep(Duration::from_millis(10));
    }
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
