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
  *"/pulls?state=open"*)
    # repos/R/pulls?state=open&head=OWNER:BRANCH --jq FILTER.
    jq -r "${@: -1}" "$(dirname "$0")/pulls.json" ;;
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

/// `scripts/pr-post` (the `workflow_run` job) with an event and a saved
/// comment directory; the stand-in `gh`'s calls.
fn post_from_run(dir: &Path, event: &str, body: &str) -> (Option<i32>, String, String) {
    let event_file = dir.join("event.json");
    std::fs::write(&event_file, event).unwrap();
    let saved = dir.join("saved");
    std::fs::create_dir_all(&saved).unwrap();
    std::fs::write(saved.join("comment.md"), body).unwrap();
    // What a fork could put in the artifact: another pull request's number.
    std::fs::write(saved.join("pr"), "999\n").unwrap();
    let _ = std::fs::remove_file(dir.join("calls.log"));
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap());
    let o = Command::new(repo().join("scripts/pr-post"))
        .arg("octo/fw")
        .arg(&event_file)
        .arg(&saved)
        .env("PATH", path)
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(dir.join("calls.log")).unwrap_or_default();
    (o.status.code(), calls, text(&o).1)
}

const MARKED: &str = "<!-- cargo-weigh diff -->\n### size\nping @octocat and @octo-org/team\n";

/// The pull request's number comes from the event, never from the artifact
/// a fork's code made; the comment cannot mention anyone.
#[test]
fn a_forged_artifact_number_is_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fake_gh(dir);
    std::fs::write(dir.join("comments.json"), "[]").unwrap();
    let event = r#"{"workflow_run": {"pull_requests": [{"number": 7}], "head_sha": "abc"}}"#;
    let (code, calls, err) = post_from_run(dir, event, MARKED);
    assert_eq!(code, Some(0), "{err}");
    assert!(calls.contains("repos/octo/fw/issues/7/comments"), "{calls}");
    assert!(
        !calls.contains("999"),
        "the artifact's number was used: {calls}"
    );
}

/// A fork's run: GitHub leaves `pull_requests` empty; the open pull
/// request whose head is the run's repository, branch and commit is found.
#[test]
fn a_forks_pull_request_is_found_by_its_head() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fake_gh(dir);
    std::fs::write(dir.join("comments.json"), "[]").unwrap();
    std::fs::write(
        dir.join("pulls.json"),
        r#"[{"number": 9, "head": {"sha": "old"}}, {"number": 8, "head": {"sha": "abc"}}]"#,
    )
    .unwrap();
    let event = r#"{"workflow_run": {"pull_requests": [], "head_sha": "abc", "head_branch": "feature",
        "head_repository": {"owner": {"login": "forker"}}}}"#;
    let (code, calls, err) = post_from_run(dir, event, MARKED);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        calls.contains("repos/octo/fw/pulls?state=open&head=forker:feature"),
        "{calls}"
    );
    assert!(calls.contains("repos/octo/fw/issues/8/comments"), "{calls}");
    // A run of no pull request (a push) posts nothing, and is not an error.
    std::fs::write(dir.join("pulls.json"), "[]").unwrap();
    let (code, calls, _) = post_from_run(dir, event, MARKED);
    assert_eq!(code, Some(0));
    assert!(!calls.contains("/comments"), "{calls}");
}

/// What is posted is bounded, keeps the marker, and mentions nobody.
#[test]
fn the_posted_comment_is_bounded_and_mentions_nobody() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A gh that keeps the body it is given.
    let gh = dir.join("gh");
    std::fs::write(
        &gh,
        "#!/usr/bin/env bash\necho \"$*\" >> \"$(dirname \"$0\")/calls.log\"\nfor a in \"$@\"; do case $a in body=@*) cp \"${a#body=@}\" \"$(dirname \"$0\")/posted.md\";; esac; done\n",
    )
    .unwrap();
    let mut p = std::fs::metadata(&gh).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o755);
    std::fs::set_permissions(&gh, p).unwrap();
    let big = format!("{MARKED}{}", "x".repeat(100_000));
    let event = r#"{"workflow_run": {"pull_requests": [{"number": 7}]}}"#;
    let (code, _, err) = post_from_run(dir, event, &big);
    assert_eq!(code, Some(0), "{err}");
    let posted = std::fs::read_to_string(dir.join("posted.md")).unwrap();
    assert!(posted.len() <= 60_000, "{}", posted.len());
    assert!(posted.starts_with("<!-- cargo-weigh diff -->"));
    assert!(
        !posted.contains("@octocat") && !posted.contains("@octo-org"),
        "{}",
        &posted[..200]
    );
    assert!(posted.contains("@\u{200d}octocat"));
}

/// The action never takes a number from the artifact, splits `args` as a
/// shell would, and does not fail a fork's check for want of a write token.
#[test]
fn the_action_takes_nothing_trusted_from_the_artifact() {
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    assert!(
        !action.contains("/pr\""),
        "the action reads a number from the artifact"
    );
    assert!(action.contains("scripts/pr-post"), "{action}");
    assert!(
        action.contains("shlex.split"),
        "args are split as a shell would"
    );
    assert!(
        action.contains("head.repo.full_name != github.repository"),
        "forks save the comment instead"
    );
    assert!(!action.contains(" $ARGS"), "an unquoted expansion");
}
