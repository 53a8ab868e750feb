//! `history` and `bisect` on a scratch git repository made here from the
//! tiny fixture (four commits: the fixture, a comment, a 4 KiB table, a
//! compile error): a point per commit with the right growth, the failing
//! commit a point with its error, bisect naming the table's commit in few
//! builds, every kept binary the one its row measured (objcopy), and the
//! user's checkout (branch, index, work tree, worktrees) unchanged.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const TABLE: &str = "
const fn big_table() -> [u8; 4096] {
    let mut t = [0u8; 4096];
    let mut i = 0;
    while i < 4096 {
        t[i] = (i as u8).wrapping_mul(37).wrapping_add(11);
        i += 1;
    }
    t
}
static BIG: [u8; 4096] = big_table();
";

/// The repository and its four commits, oldest first.
fn scratch_repo(dir: &Path) -> Vec<String> {
    copy_dir(&fixture("tiny"), dir);
    let _ = std::fs::remove_dir_all(dir.join("target"));
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    let commit = |msg: &str| {
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", msg]);
        git(dir, &["rev-parse", "HEAD"])
    };
    let main = dir.join("src/main.rs");
    let edit = |f: &dyn Fn(String) -> String| {
        let s = std::fs::read_to_string(&main).unwrap();
        std::fs::write(&main, f(s)).unwrap();
    };
    let mut shas = vec![commit("tiny as it is")];
    edit(&|s| {
        s.replace(
            "fn run() -> bool {",
            "// A comment only.\nfn run() -> bool {",
        )
    });
    shas.push(commit("a comment"));
    edit(&|s| {
        s.replace(
            "fn run() -> bool {",
            "fn run() -> bool {\n    let _ = unsafe { ptr::read_volatile(&BIG[(ptr::read_volatile(addr_of!(SEED)) as usize) % 4096]) };",
        ) + TABLE
    });
    shas.push(commit("a 4 KiB table"));
    edit(&|s| s + "compile_error!(\"broken on purpose\");\n");
    shas.push(commit("broken"));
    shas
}

/// What a user's checkout is: HEAD, branch, index, work tree, worktrees.
fn checkout_state(dir: &Path) -> Vec<String> {
    vec![
        git(
            dir,
            &[
                "status",
                "--porcelain=v2",
                "--branch",
                "--untracked-files=all",
            ],
        ),
        git(dir, &["worktree", "list", "--porcelain"]),
        git(dir, &["stash", "list"]),
        format!("{:?}", std::fs::read(dir.join(".git/index")).unwrap()),
    ]
}

/// `cargo weigh SUBCOMMAND --target-dir TARGET ARGS...` run in `repo`.
fn weigh_in(repo: &Path, target: &Path, args: &[&str]) -> Command {
    let mut c = weigh();
    c.current_dir(repo)
        .arg(args[0])
        .arg("--target-dir")
        .arg(target)
        .args(&args[1..]);
    c
}

#[test]
fn history_and_bisect_find_the_growth_and_leave_the_checkout_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, target) = (tmp.path().join("repo"), tmp.path().join("target"));
    let shas = scratch_repo(&repo);
    let before = checkout_state(&repo);

    let out = tmp.path().join("h.json");
    let o = run(weigh_in(
        &repo,
        &target,
        &[
            "history",
            &format!("{}..HEAD", shas[0]),
            "--only",
            "release",
        ],
    )
    .args(["--format", "json", "-o"])
    .arg(&out));
    assert!(o.status.success(), "{}", text(&o).1);
    let h = json(&out);
    let points = h["points"].as_array().unwrap();
    let commits: Vec<&str> = points
        .iter()
        .map(|p| p["commit"].as_str().unwrap())
        .collect();
    assert_eq!(
        commits,
        shas[1..].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let row = |i: usize| &points[i]["configs"][0];
    let flash = |i: usize| row(i)["flash_bytes"].as_u64().unwrap();
    let grew = flash(1) - flash(0);
    assert!(
        (4096..4096 + 256).contains(&grew),
        "the table's commit grew {grew} B"
    );
    assert_eq!(row(2)["ok"], false);
    assert!(row(2)["error"]
        .as_str()
        .unwrap()
        .contains("broken on purpose"));
    // Every kept binary is the one its row measured, not the last build.
    for i in 0..2 {
        let artifact = row(i)["artifact"].as_str().unwrap();
        let image = objcopy_binary_size("arm-none-eabi-objcopy", Path::new(artifact), tmp.path());
        assert_eq!(image, row(i)["image_bytes"].as_u64().unwrap(), "point {i}");
    }

    let o = run(&mut weigh_in(
        &repo,
        &target,
        &[
            "bisect",
            &format!("{}..{}", shas[0], shas[2]),
            "--grew",
            "2K",
            "--only",
            "release",
        ],
    ));
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}{stderr}");
    let first = stdout.lines().next().unwrap();
    assert!(
        first.contains(&shas[2][..10]) && first.contains("a 4 KiB table"),
        "{first}"
    );
    assert!(stdout.contains(".rodata"), "the step's diff: {stdout}");
    assert!(
        stderr.contains("bisect: 3 builds for 3 commits"),
        "{stderr}"
    );

    // The same as JSON, valid against its published schema, and as a page
    // that is a page (the verdict inside it, not printed before it).
    let bisect_as = |format: &str, out: &Path| {
        let o = run(weigh_in(
            &repo,
            &target,
            &[
                "bisect",
                &format!("{}..{}", shas[0], shas[2]),
                "--grew",
                "2K",
                "--only",
                "release",
                "--format",
                format,
            ],
        )
        .arg("-o")
        .arg(out));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
        std::fs::read_to_string(out).unwrap()
    };
    let found: serde_json::Value =
        serde_json::from_str(&bisect_as("json", &tmp.path().join("b.json"))).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("docs/bisect.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&found)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(found["commit"], shas[2].as_str());
    assert_eq!(found["found"], true);
    assert_eq!(
        found["after_bytes"].as_i64().unwrap() - found["before_bytes"].as_i64().unwrap(),
        found["grew_bytes"].as_i64().unwrap()
    );
    let page = bisect_as("html", &tmp.path().join("b.html"));
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..80]);
    assert!(page.contains("a 4 KiB table"), "the verdict is on the page");

    let o = run(&mut weigh_in(
        &repo,
        &target,
        &[
            "bisect",
            &format!("{}..{}", shas[0], shas[1]),
            "--grew",
            "2K",
            "--only",
            "release",
        ],
    ));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).0.starts_with("no growth of 2.00 KiB or more"),
        "{}",
        text(&o).0
    );

    // The page: a trend chart whose points link to each commit's section.
    let o = run(weigh_in(
        &repo,
        &target,
        &[
            "history",
            &format!("{}..{}", shas[0], shas[2]),
            "--only",
            "release",
        ],
    )
    .args(["--format", "html", "-o"])
    .arg(tmp.path().join("h.html")));
    assert!(o.status.success(), "{}", text(&o).1);
    let page = std::fs::read_to_string(tmp.path().join("h.html")).unwrap();
    let anchor = format!("href=\"#c-{}\"", &shas[2][..10]);
    assert!(
        page.contains("<polyline") && page.contains(&anchor),
        "trend chart"
    );
    assert!(page.contains(&format!("id=\"c-{}\"", &shas[2][..10])));

    // Shards of the range, merged: the same points in the same order.
    let mut parts = Vec::new();
    for k in ["1/2", "2/2"] {
        let part = tmp.path().join(format!("part{}.json", &k[..1]));
        let range = format!("{}..HEAD", shas[0]);
        let o = run(weigh_in(
            &repo,
            &target,
            &["history", &range, "--only", "release", "--shard", k],
        )
        .args(["--format", "json", "-q", "-o"])
        .arg(&part));
        let (_, stderr) = text(&o);
        assert!(o.status.success(), "{stderr}");
        // -q: no progress lines.
        assert!(!stderr.contains("history: ["), "{stderr}");
        parts.push(part);
    }
    let merged = tmp.path().join("merged.json");
    let o = run(weigh()
        .arg("merge")
        .args(&parts)
        .args(["--format", "json", "-o"])
        .arg(&merged));
    assert!(o.status.success(), "{}", text(&o).1);
    let m = json(&merged);
    let flashes = |h: &serde_json::Value| -> Vec<(String, Option<u64>)> {
        h["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["commit"].as_str().unwrap().to_string(),
                    p["configs"][0]["flash_bytes"].as_u64(),
                )
            })
            .collect()
    };
    assert_eq!(flashes(&m), flashes(&h));
    // The published schema holds the real history.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("docs/history.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(
        validator.is_valid(&h),
        "history.schema.json rejects a real history"
    );

    // A revision that does not exist is named, with the fix.
    let o = run(&mut weigh_in(&repo, &target, &["history", "nosuch..HEAD"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).1.contains("`nosuch` is not a commit of") && text(&o).1.contains("hint:"),
        "{}",
        text(&o).1
    );

    assert_eq!(checkout_state(&repo), before, "the checkout is untouched");
}

#[test]
fn a_new_dependency_is_named_with_what_pulled_it_in() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("app");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("src/main.rs"),
        "fn main() { println!(\"{}\", std::env::args().count()); }\n",
    )
    .unwrap();
    std::fs::write(repo.join(".gitignore"), "target/\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "app"]);
    // A path dependency with a table big enough to show, used by main.
    std::fs::create_dir_all(repo.join("table_maker/src")).unwrap();
    std::fs::write(
        repo.join("table_maker/Cargo.toml"),
        "[package]\nname = \"table-maker\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("table_maker/src/lib.rs"),
        "#[inline(never)]\npub fn entry(i: usize) -> u64 {\n    static T: [u64; 512] = {\n        let mut t = [0u64; 512];\n        let mut i = 0;\n        while i < 512 { t[i] = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15); i += 1; }\n        t\n    };\n    T[i % 512]\n}\n",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    std::fs::write(
        repo.join("Cargo.toml"),
        manifest + "\n[dependencies]\ntable-maker = { path = \"table_maker\" }\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("src/main.rs"),
        "fn main() { println!(\"{}\", table_maker::entry(std::env::args().count())); }\n",
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "a table"]);
    let target = tmp.path().join("target");
    // history measures the base first: diff --git then builds it no more.
    let o = run(&mut weigh_in(
        &repo,
        &target,
        &["history", "HEAD~1", "--preset", "release", "-q"],
    ));
    assert!(o.status.success(), "{}", text(&o).1);
    let out = tmp.path().join("d.json");
    let o = run(weigh_in(
        &repo,
        &target,
        &[
            "diff", "--git", "HEAD~1", "--preset", "release", "--format", "json", "-o",
        ],
    )
    .arg(&out));
    assert!(o.status.success(), "{}", text(&o).1);
    let stderr = text(&o).1;
    let base = stderr
        .split("diff --git: building the working tree")
        .next()
        .unwrap();
    assert!(base.contains("reused release"), "{stderr}");
    let d = json(&out);
    let chains = d["chains"].as_array().unwrap_or_else(|| panic!("{d}"));
    let chain = chains
        .iter()
        .find(|c| c["crate"] == "table_maker")
        .unwrap_or_else(|| panic!("{d}"));
    assert_eq!(chain["path"], serde_json::json!(["app", "table-maker"]));
}

/// The checkout lives in `$TMPDIR/cargo-weigh-<uid>`, which must be this
/// user's own and closed to others: one another user made (or left open)
/// is refused before anything is built there.
#[test]
fn a_checkout_directory_someone_else_could_write_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, target) = (tmp.path().join("repo"), tmp.path().join("target"));
    let shas = scratch_repo(&repo);
    let temp = tmp.path().join("tmp");
    std::fs::create_dir(&temp).unwrap();
    let uid = unsafe { libc::geteuid() };
    let private = temp.join(format!("cargo-weigh-{uid}"));
    let history = |expect: i32| {
        let o = run(weigh_in(
            &repo,
            &target,
            &[
                "history",
                &format!("{}..HEAD", shas[1]),
                "--only",
                "release",
                "-q",
            ],
        )
        .env("TMPDIR", &temp)
        .args(["--format", "json", "-o"])
        .arg(tmp.path().join("h.json")));
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(expect), "{stderr}");
        stderr
    };
    // Left open to others.
    std::fs::create_dir(&private).unwrap();
    let mut p = std::fs::metadata(&private).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o777);
    std::fs::set_permissions(&private, p).unwrap();
    let said = history(2);
    assert!(
        said.contains("is not this user's own directory (mode 777"),
        "{said}"
    );
    assert!(
        std::fs::read_dir(&private).unwrap().next().is_none(),
        "nothing was written there"
    );
    // Another user's (as root, the tests can give it away).
    if uid == 0 {
        let mut p = std::fs::metadata(&private).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o700);
        std::fs::set_permissions(&private, p).unwrap();
        std::os::unix::fs::chown(&private, Some(65534), None).unwrap();
        let said = history(2);
        assert!(said.contains("owned by user 65534"), "{said}");
    }
    // Made by the tool itself: 0700, and used.
    std::fs::remove_dir(&private).unwrap();
    history(0);
    let mode = std::fs::metadata(&private).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o700
    );
}
