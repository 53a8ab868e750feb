//! The pull-request bot's comment: `cargo weigh diff --format markdown`
//! makes it (marked so the bot finds its own), and `scripts/pr-comment`
//! creates it once and then edits the same comment, checked with a stand-in
//! `gh` that records the API calls it gets.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// A `gh` that answers the comment list from `comments.json` and logs
/// every call to `calls.log`.
fn fake_gh(dir: &Path) {
    let script = r#"#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/calls.log"
case "$*" in
  *"/comments --jq"*)
    # --paginate repos/R/issues/N/comments --jq FILTER: answer with jq.
    jq -r "${@: -1}" "$(dirname "$0")/comments.json" ;;
esac
"#;
    let gh = dir.join("gh");
    std::fs::write(&gh, script).unwrap();
    let mut p = std::fs::metadata(&gh).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o755);
    std::fs::set_permissions(&gh, p).unwrap();
}

fn post(dir: &Path, body: &Path) -> (String, String) {
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap());
    let o = Command::new(repo().join("scripts/pr-comment"))
        .args(["octo/fw", "7"])
        .arg(body)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    let calls = std::fs::read_to_string(dir.join("calls.log")).unwrap();
    std::fs::remove_file(dir.join("calls.log")).unwrap();
    (text(&o).0, calls)
}

#[test]
fn the_comment_is_created_once_then_edited() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fake_gh(dir);
    // The comment, from two saved reports of the tiny firmware.
    let (a, b) = (dir.join("a.json"), dir.join("b.json"));
    for (out, only) in [(&a, "release"), (&b, "release")] {
        let o = run(tiny_weigh("tiny-matrix.toml")
            .args(["--only", only, "-q", "--format", "json", "-o"])
            .arg(out));
        assert!(o.status.success(), "{}", text(&o).1);
    }
    let body = dir.join("comment.md");
    let o = run(weigh()
        .arg("diff")
        .arg(&a)
        .arg(&b)
        .args(["--format", "markdown", "-o"])
        .arg(&body));
    assert!(o.status.success(), "{}", text(&o).1);

    std::fs::write(dir.join("comments.json"), r#"[{"id": 11, "body": "LGTM"}]"#).unwrap();
    let (said, calls) = post(dir, &body);
    assert!(said.contains("created a comment on octo/fw#7"), "{said}");
    assert!(
        calls.contains("--method POST repos/octo/fw/issues/7/comments -F body=@"),
        "{calls}"
    );

    std::fs::write(
        dir.join("comments.json"),
        r#"[{"id": 11, "body": "LGTM"}, {"id": 42, "body": "<!-- cargo-weigh diff -->\n### old"}]"#,
    )
    .unwrap();
    let (said, calls) = post(dir, &body);
    assert!(said.contains("updated comment 42"), "{said}");
    assert!(
        calls.contains("--method PATCH repos/octo/fw/issues/comments/42"),
        "{calls}"
    );
    assert!(!calls.contains("POST"), "{calls}");

    // A body that is not cargo weigh's comment is refused.
    let other = dir.join("other.md");
    std::fs::write(&other, "hello\n").unwrap();
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap());
    let o = Command::new(repo().join("scripts/pr-comment"))
        .args(["octo/fw", "7"])
        .arg(&other)
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
