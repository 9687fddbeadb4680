//! Migration tags as file names. A tag names its file (`<tag>.sql`), so it must be a plain file
//! name: a number, `_`, then letters, digits, `_` or `-`. Nothing that could leave the folder
//! (a separator, `..`, an absolute path) or surprise a shell or a file system.

/// Checks that `tag` is a safe tag; the error says why it is not.
pub fn check(tag: &str) -> Result<(), String> {
    // What could leave the folder is said first, whatever else is wrong.
    if let Some(c) = tag.chars().find(|c| !(c.is_alphanumeric() || *c == '_' || *c == '-')) {
        let what = match c {
            '/' | '\\' => "a path separator".to_string(),
            '.' => "a `.` (no dots, so no `..`)".to_string(),
            c if c.is_control() => format!("the control character U+{:04X}", c as u32),
            c => format!("`{c}`"),
        };
        return Err(format!(
            "the tag has {what}; a tag is its number, `_`, then letters, digits, `_` and `-`"
        ));
    }
    let Some((number, name)) = tag.split_once('_') else {
        return Err("a tag is a number, `_` and a name (`0003_users_add_bio`)".into());
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a tag starts with its number (`0003_`)".into());
    }
    if name.is_empty() {
        return Err("the tag has no name after its number".into());
    }
    if tag.len() > 200 {
        return Err("the tag is longer than 200 bytes".into());
    }
    Ok(())
}

/// `name` made into a tag's name: every character that a tag may not hold becomes `_`, and an
/// empty result becomes `fallback`.
pub fn clean_name(name: &str, fallback: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if clean.trim_matches('_').is_empty() {
        fallback.to_string()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_plain_file_names() {
        assert!(check("0000_init").is_ok());
        assert!(check("0012_add-users_2").is_ok());
        assert!(check("0001_café").is_ok());
        for bad in [
            "../outside/evil",
            "0001_../../x",
            "/etc/passwd",
            "0001_a/b",
            "0001_a\\b",
            "0001_a.b",
            "0001_",
            "init",
            "x_init",
            "0001_a\u{0}b",
            "0001_a b",
        ] {
            assert!(check(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check(&format!("0001_{}", "a".repeat(300))).is_err());
    }

    #[test]
    fn names_are_cleaned_into_tags() {
        assert_eq!(clean_name("create_a/b", "x"), "create_a_b");
        assert_eq!(clean_name("../..", "update"), "update");
        assert!(check(&format!("0000_{}", clean_name("Ünïcode/../x", "u"))).is_ok());
    }
}
