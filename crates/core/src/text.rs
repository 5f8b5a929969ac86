//! Small text tests shared by the executors and the generators.

/// Whether `t` is `v` with two neighbouring letters swapped: the typo the error-recovery
/// variant makes, which an executor without real data (the simulated one) recognises as a
/// name that matches nothing.
pub fn is_typo(t: &str, v: &str) -> bool {
    let (a, b) = (t.as_bytes(), v.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(diff.as_slice(), [i, j] if *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i])
}

#[cfg(test)]
mod tests {
    use super::is_typo;

    #[test]
    fn a_typo_is_one_swap_of_neighbouring_letters() {
        assert!(is_typo("Aanlyst", "Analyst"));
        assert!(is_typo("Rivremist", "Rivermist"));
        assert!(!is_typo("Analyst", "Analyst"));
        assert!(!is_typo("Anlayst", "Analysts"));
        assert!(!is_typo("Anxlyst", "Analyst"));
        assert!(!is_typo("Aanlsyt", "Analyst"));
        assert!(!is_typo("tnalysA", "Analyst"));
    }
}
