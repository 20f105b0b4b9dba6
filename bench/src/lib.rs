//! Benchmarks of embertls: the targets are in `benches/` (README.md here).
//! What the benches share: where a figure criterion does not compute itself
//! (the ratio of an alternated row) is written for `report.sh`.

use std::path::PathBuf;

/// `<target>/criterion/<group>`, where criterion writes that group's results.
pub fn criterion_dir(group: &str) -> PathBuf {
    let target =
        std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    PathBuf::from(target).join("criterion").join(group)
}

/// Writes `json` to `file` in [`criterion_dir`]`(group)` and prints it.
pub fn write_result(group: &str, file: &str, json: &str) {
    let dir = criterion_dir(group);
    if std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(file), json)).is_err() {
        eprintln!("could not write {}", dir.join(file).display());
    }
    println!("{group}/{file}: {json}");
}

/// The median of `v` (sorted in place); 0 for none.
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Runs `ours` and `theirs` one after the other, `ours` first if
/// `ours_first` (an alternated row swaps the order every other pair, so
/// that neither side always meets the caches the other left); returns
/// their times in that order.
pub fn in_turn(
    ours_first: bool,
    ours: impl FnOnce() -> std::time::Duration,
    theirs: impl FnOnce() -> std::time::Duration,
) -> (std::time::Duration, std::time::Duration) {
    if ours_first {
        let o = ours();
        (o, theirs())
    } else {
        let t = theirs();
        (ours(), t)
    }
}
