//! The BFCL tier: `hardgen check bfcl` against BFCL's own Python checker (bfcl-eval, pinned,
//! from PyPI; see `scripts/bfcl-env.sh`) on cases built from BFCL's real data by
//! `scripts/bfcl_agree.py`: the first possible answers, as decoded lists and as prompting text,
//! and seeded mutations of them. Every case must get BFCL's `valid`. Skipped, with the reason
//! printed, when the environment was not made.

use std::path::PathBuf;

#[test]
fn hardgen_gives_bfcls_verdict_on_cases_from_bfcls_data() {
    let venv = std::env::var_os("HARDGEN_BFCL_VENV").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bfcl-venv"),
        PathBuf::from,
    );
    let py = venv.join("bin/python");
    if !py.exists() {
        eprintln!(
            "bfcl tier: SKIPPED: no environment at {} (make it with scripts/bfcl-env.sh)",
            venv.display()
        );
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().expect("tmp");
    let out = std::process::Command::new(&py)
        .arg(root.join("scripts/bfcl_agree.py"))
        .arg("--hardgen")
        .arg(env!("CARGO_BIN_EXE_hardgen"))
        .arg("--out")
        .arg(tmp.path())
        .args(["--limit", "6", "--seed", "11"])
        .output()
        .expect("runs the harness");
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}");
    assert!(
        out.status.success(),
        "hardgen disagrees with BFCL (exit {:?}):\n{text}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(
        &std::fs::read(tmp.path().join("summary.json")).expect("summary.json"),
    )
    .expect("summary is JSON");
    eprintln!("{summary}");
}
