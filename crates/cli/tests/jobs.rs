//! `--jobs`: generation and trace sampling on several worker threads write exactly the bytes
//! of a single-threaded run.

use assert_cmd::Command;
use std::path::Path;

fn hardgen(args: &[&str]) {
    let out = Command::cargo_bin("hardgen")
        .expect("binary builds")
        .env_remove("HARDGEN_WORLD")
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "hardgen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts both directories hold the same file names with the same bytes; returns the names.
fn assert_same_files(a: &Path, b: &Path) -> Vec<String> {
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let (na, nb) = (names(a), names(b));
    assert_eq!(na, nb);
    for n in &na {
        let (x, y) = (
            std::fs::read(a.join(n)).expect("read"),
            std::fs::read(b.join(n)).expect("read"),
        );
        assert!(x == y, "{n} differs between --jobs 1 and more jobs");
    }
    na
}

fn generate_with_jobs_is_byte_identical(rounds: &str, n: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let one = dir.path().join("one");
    for (d, jobs) in [
        (&one, "1"),
        (&dir.path().join("two"), "2"),
        (&dir.path().join("three"), "3"),
    ] {
        hardgen(&[
            "generate",
            "--out",
            &d.to_string_lossy(),
            "--n",
            n,
            "--seed",
            "11",
            "--rounds",
            rounds,
            "--format",
            "openai,sharegpt,bfcl,hermes,parquet",
            "--jobs",
            jobs,
        ]);
        if jobs != "1" {
            let names = assert_same_files(&one, d);
            for f in [
                "records.jsonl",
                "rejected.jsonl",
                "summary.json",
                "config.json",
                "openai.jsonl",
                "data.parquet",
                "README.md",
            ] {
                assert!(names.iter().any(|x| x == f), "{f} missing from {names:?}");
            }
        }
    }
    let records = std::fs::read_to_string(one.join("records.jsonl")).expect("records");
    assert!(records.lines().count() > 10, "too few records to compare");
}

#[test]
fn generate_jobs_1_2_3_write_identical_files_single_round() {
    generate_with_jobs_is_byte_identical("1", "300");
}

#[test]
fn generate_jobs_1_2_3_write_identical_files_three_rounds() {
    generate_with_jobs_is_byte_identical("3", "200");
}

#[test]
fn traces_jobs_1_and_3_write_identical_files_one_and_three_rounds() {
    let dir = tempfile::tempdir().expect("tempdir");
    for rounds in ["1", "3"] {
        let out = |jobs: &str| dir.path().join(format!("r{rounds}-j{jobs}"));
        for jobs in ["1", "3"] {
            let d = out(jobs);
            std::fs::create_dir_all(&d).expect("mkdir");
            hardgen(&[
                "traces",
                "--n",
                "200",
                "--seed",
                "5",
                "--rounds",
                rounds,
                "--jobs",
                jobs,
                "--out",
                &d.join("traces.jsonl").to_string_lossy(),
                "--graph-out",
                &d.join("graph.json").to_string_lossy(),
            ]);
        }
        let names = assert_same_files(&out("1"), &out("3"));
        assert_eq!(names, ["graph.json", "traces.jsonl"]);
    }
}
