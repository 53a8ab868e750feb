#![cfg(feature = "ota")]
//! `--ota`: the update payload compressed by each codec, checked against
//! the xz and zstd command-line tools on the same image (objcopy), and the
//! bsdiff delta from a released build against the bsdiff tool, after a
//! one-line change.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Bytes a command-line tool writes to stdout for `file`.
fn cli_len(tool_name: &str, args: &[&str], file: &Path) -> u64 {
    let out = tool(tool_name).args(args).arg(file).output().unwrap();
    assert!(out.status.success(), "{tool_name}: {}", text(&out).1);
    out.stdout.len() as u64
}

fn codec(row: &serde_json::Value, name: &str) -> u64 {
    row["ota"]["codecs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["codec"] == name)
        .unwrap_or_else(|| panic!("{name}: {row}"))["bytes"]
        .as_u64()
        .unwrap()
}

fn within(ours: u64, theirs: u64, pct: f64, what: &str) {
    let off = (ours as f64 - theirs as f64).abs() * 100.0 / theirs as f64;
    assert!(
        off <= pct,
        "{what}: ours {ours} B, the tool's {theirs} B ({off:.2} % apart)"
    );
}

#[test]
fn compressed_images_and_the_delta_match_the_tools() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("tiny");
    copy_dir(&fixture("tiny"), &project);
    let target = tmp.path().join("target");
    let report = |out: &Path, extra: &[&str]| {
        let o = run(weigh()
            .arg("--manifest-path")
            .arg(project.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .args(["--only", "release", "--ota", "-q", "--format", "json", "-o"])
            .arg(out)
            .args(extra));
        assert!(o.status.success(), "{}", text(&o).1);
        json(out)
    };
    let released = tmp.path().join("v1.json");
    let v1 = report(&released, &[]);
    let row = &v1["configs"][0];
    let image = tmp.path().join("v1.bin");
    let artifact = row["artifact"].as_str().unwrap();
    // The released binary, kept where the next build cannot overwrite it.
    let v1_elf = tmp.path().join("v1.elf");
    std::fs::copy(artifact, &v1_elf).unwrap();
    let st = tool("arm-none-eabi-objcopy")
        .args(["-O", "binary"])
        .arg(&v1_elf)
        .arg(&image)
        .status()
        .unwrap();
    assert!(st.success());
    let image_len = std::fs::metadata(&image).unwrap().len();
    assert_eq!(row["ota"]["payload_bytes"].as_u64(), Some(image_len));
    let best = row["ota"]["compressed_image_bytes"].as_u64().unwrap();
    assert!(best < image_len, "compressed {best} B, image {image_len} B");
    within(
        codec(row, "xz -9e"),
        cli_len("xz", &["-9e", "-c"], &image),
        1.0,
        "xz -9e",
    );
    within(
        codec(row, "zstd -19"),
        cli_len("zstd", &["-19", "-q", "-c", "--no-check"], &image),
        1.0,
        "zstd -19",
    );

    // A one-line change, then the delta from the released build.
    let main = project.join("src/main.rs");
    let src = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        src.replace("out.str(\"tiny: seed=\")", "out.str(\"tiny: Seed=\")"),
    )
    .unwrap();
    let v2 = report(
        &tmp.path().join("v2.json"),
        &[
            "--ota-baseline",
            v1_elf.to_str().unwrap(),
            "--ota-devices",
            "1000000",
            "--ota-updates-per-year",
            "1",
            "--ota-price-per-mb",
            "1",
        ],
    );
    let row2 = &v2["configs"][0];
    let delta = row2["ota"]["delta_bytes"].as_u64().unwrap();
    let image2 = tmp.path().join("v2.bin");
    let st = tool("arm-none-eabi-objcopy")
        .args(["-O", "binary"])
        .arg(row2["artifact"].as_str().unwrap())
        .arg(&image2)
        .status()
        .unwrap();
    assert!(st.success());
    assert_ne!(
        std::fs::read(&image).unwrap(),
        std::fs::read(&image2).unwrap()
    );
    assert!(
        delta * 5 < image_len,
        "a one-line change's delta is {delta} B of a {image_len} B image"
    );
    let patch = tmp.path().join("v1-v2.patch");
    let st = Command::new("bsdiff")
        .arg(&image)
        .arg(&image2)
        .arg(&patch)
        .status()
        .unwrap();
    assert!(st.success());
    let theirs = std::fs::metadata(&patch).unwrap().len();
    within(delta, theirs, 10.0, "bsdiff");
    assert_eq!(row2["ota"]["delta_from"].as_str(), v1_elf.to_str());
    // The cost model prices what is sent: the delta, not the image.
    let yearly = row2["cost"]["ota_cost_per_year"]
        .as_f64()
        .unwrap_or_else(|| panic!("{}", row2["cost"]));
    assert!(
        (yearly - delta as f64).abs() < 1e-6,
        "{yearly} for a {delta} B delta"
    );
    eprintln!("image {image_len} B, best {best} B, delta {delta} B (bsdiff tool {theirs} B)");
}

/// The bundled blinky (a HAL, a PAC, cortex-m-rt): what an update sends is
/// smaller than the image, as the xz tool finds too.
#[test]
fn the_blinky_compresses_as_the_tools_do() {
    let tmp = tempfile::tempdir().unwrap();
    let r = json_stdout(
        weigh()
            .arg("--manifest-path")
            .arg(repo().join("examples/blinky/Cargo.toml"))
            .arg("--target-dir")
            .arg(shared_target_dir("blinky"))
            .args(["--only", "release", "--ota", "-q", "--format", "json"]),
    );
    let row = &r["configs"][0];
    let image = tmp.path().join("blinky.bin");
    let st = tool("arm-none-eabi-objcopy")
        .args(["-O", "binary"])
        .arg(row["artifact"].as_str().unwrap())
        .arg(&image)
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(
        row["image_bytes"].as_u64(),
        Some(std::fs::metadata(&image).unwrap().len())
    );
    let best = row["ota"]["compressed_image_bytes"].as_u64().unwrap();
    assert!(best < row["image_bytes"].as_u64().unwrap());
    within(
        codec(row, "xz -9e"),
        cli_len("xz", &["-9e", "-c"], &image),
        1.0,
        "xz -9e",
    );
}
