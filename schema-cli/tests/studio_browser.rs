//! `schema studio` end to end in a real headless Chromium (through chromedriver): browse the
//! blog, sort, filter, follow a foreign key, edit, insert, delete, meet a constraint, use the
//! console and read the migrations, checking the database after every write.
//!
//! Without Chromium and chromedriver it prints `SKIPPED: <reason>` and passes, except under
//! `CI`, where a missing browser is a failure. With `SCHEMA_SCREENSHOTS=1` it saves the main
//! views to `docs/studio-*.png`.

mod support;

use std::path::PathBuf;

use support::webdriver::{Driver, Session, find_browser};
use support::{Studio, count, fixture, workspace};

fn shot(s: &Session<'_>, name: &str) {
    if std::env::var_os("SCHEMA_SCREENSHOTS").is_some_and(|v| v == "1") {
        let dir: PathBuf = workspace().join("docs");
        std::fs::create_dir_all(&dir).unwrap();
        s.screenshot(&dir.join(format!("studio-{name}.png")));
    }
}

/// The text of each cell of `column` in the rows grid, top to bottom.
fn column(s: &Session<'_>, column: &str) -> Vec<String> {
    s.find_all(&format!("#rows tbody td[data-col=\"{column}\"]"))
        .iter()
        .map(|e| s.text(e))
        .collect()
}

#[test]
fn browse_and_edit_the_blog_in_chromium() {
    let (browser, driver) = match find_browser() {
        Ok(found) => found,
        Err(reason) if std::env::var_os("CI").is_some() => panic!("CI needs the browser: {reason}"),
        Err(reason) => {
            println!("SKIPPED: {reason}");
            return;
        }
    };
    let f = fixture(false);
    let studio = Studio::start(&f, &[]);
    let db = f.conn();
    let driver = Driver::start(&driver);
    let profile = tempfile::tempdir().unwrap();
    let s = driver.session(&browser, profile.path());

    // The printed URL signs in and drops the token from the address bar.
    s.goto(&studio.url);
    s.wait("#tables a.table-link");
    s.wait_path("/");
    // Each table in the list is a link to its rows (SPEC: Studio).
    for t in [
        "users",
        "posts",
        "comments",
        "categories",
        "tags",
        "post_tags",
        "ratings",
    ] {
        let a = s.wait(&format!("#tables a.table-link[href=\"/t/{t}\"]"));
        assert_eq!(s.tag(&a), "a");
        assert_eq!(s.text(&a), t);
        s.find(&format!("#sidebar a[href=\"/t/{t}\"]")).unwrap();
    }
    s.wait_text("#sidebar a[href=\"/t/posts\"] .count", "3");
    shot(&s, "tables");

    // Browse: the posts, with NULL and JSON shown as such.
    s.click_css("#tables a.table-link[href=\"/t/posts\"]");
    s.wait_path("/t/posts");
    s.wait("#rows[data-table=\"posts\"] tbody tr");
    assert_eq!(column(&s, "slug"), ["hello-rust", "zebra-notes", "about-sqlite"]);
    assert_eq!(
        s.text(
            &s.find("#rows tbody tr:nth-child(2) td[data-col=\"category_id\"] .null")
                .unwrap()
        ),
        "NULL"
    );
    assert!(
        s.text(
            &s.find("#rows tbody tr:nth-child(1) td[data-col=\"meta\"] code.json")
                .unwrap()
        )
        .contains("reading_minutes")
    );
    shot(&s, "rows");

    // Sort by title, both ways; the URL says so.
    s.click_css("#rows th[data-col=\"title\"] a.sort");
    s.wait_path("/t/posts?sort=title&dir=asc");
    s.wait_text("#rows tbody tr:nth-child(1) td[data-col=\"title\"]", "About SQLite");
    assert_eq!(column(&s, "title"), ["About SQLite", "Hello, Rust", "Zebra notes"]);
    s.click_css("#rows th[data-col=\"title\"] a.sort");
    s.wait_path("/t/posts?sort=title&dir=desc");
    s.wait_text("#rows tbody tr:nth-child(1) td[data-col=\"title\"]", "Zebra notes");

    // Filter: status contains "pub".
    let input = s.wait("input[data-filter=\"status\"]");
    s.type_into(&input, "pub\u{E007}");
    s.wait_path("/t/posts?sort=title&dir=desc&f.status=has%3Apub");
    s.wait_text("#rows tbody tr:nth-child(1) td[data-col=\"title\"]", "Hello, Rust");
    assert_eq!(column(&s, "status"), ["published", "published"]);

    // Pages: next and previous follow keyset cursors, in the URL.
    s.goto(&format!("{}/t/posts?limit=1", studio.base()));
    s.wait_text("#rows tbody tr:nth-child(1) td[data-col=\"slug\"]", "hello-rust");
    s.click_css("#next-page");
    s.wait_text("#rows tbody tr:nth-child(1) td[data-col=\"slug\"]", "zebra-notes");
    assert!(s.path().starts_with("/t/posts?limit=1&after="), "{}", s.path());
    s.click_css("#next-page");
    s.wait_text("#rows tbody tr:nth-child(1) td[data-col=\"slug\"]", "about-sqlite");
    assert!(s.find("#next-page").is_err(), "the last page has no next");
    s.click_css("#prev-page");
    s.wait_text("#rows tbody tr:nth-child(1) td[data-col=\"slug\"]", "zebra-notes");
    assert!(s.path().contains("before="), "{}", s.path());

    // A bookmark opens the same view directly.
    s.goto(&format!("{}/t/posts?f.status=eq:draft", studio.base()));
    s.wait_text("#rows tbody tr:nth-child(1) td[data-col=\"slug\"]", "zebra-notes");
    assert_eq!(column(&s, "slug"), ["zebra-notes"]);

    // Follow a foreign key to the author's row, then back down to the author's posts.
    s.click_css("#rows tbody tr:nth-child(1) td[data-col=\"author_id\"] a.fk");
    s.wait_path("/t/users/row?w.id=1");
    s.wait_text("#row td[data-col=\"handle\"]", "alice");
    s.wait_text("#children a.child-link[data-table=\"posts\"] + .count", "2 row(s)");
    shot(&s, "row");
    s.click_css("#children a.child-link[data-table=\"posts\"]");
    s.wait_path("/t/posts?f.author_id=eq%3A1");
    s.wait("#rows tbody tr");
    assert_eq!(column(&s, "slug"), ["hello-rust", "zebra-notes"]);

    // Edit a cell: double-click, type, save; the database has it.
    s.click_css("#sidebar a[href=\"/t/users\"]");
    s.wait_path("/t/users");
    let cell = s.wait("#rows tbody tr:nth-child(2) td[data-col=\"display_name\"]");
    s.double_click(&cell);
    let editor = s.wait("#rows td.editing textarea.edit-value");
    s.clear(&editor);
    s.type_into(&editor, "Bob Builder");
    s.click_css("#rows td.editing button.save-edit");
    s.wait_text("#flash.ok", "Saved users.display_name");
    s.wait_text(
        "#rows tbody tr:nth-child(2) td[data-col=\"display_name\"]",
        "Bob Builder",
    );
    let name: String = db
        .query_row("SELECT display_name FROM users WHERE handle = 'bob'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Bob Builder");

    // A constraint refuses an edit: the database's own words, nothing written.
    let cell = s.wait("#rows tbody tr:nth-child(1) td[data-col=\"handle\"]");
    s.double_click(&cell);
    let editor = s.wait("#rows td.editing textarea.edit-value");
    s.clear(&editor);
    s.type_into(&editor, "x");
    s.click_css("#rows td.editing button.save-edit");
    s.wait_text("#flash.error", "CHECK constraint failed: users_handle_len");
    s.wait_text("#rows td.editing .edit-error", "CHECK constraint failed");
    shot(&s, "constraint");
    assert_eq!(count(&db, "SELECT count(*) FROM users WHERE handle = 'alice'"), 1);
    s.click_css("#rows td.editing button.cancel-edit");

    // Insert a row, leaving defaulted columns empty.
    s.click_css("#insert-row");
    s.type_into(&s.wait("#insert-handle"), "dave");
    s.type_into(&s.wait("#insert-email"), "dave@example.com");
    shot(&s, "insert");
    s.click_css("#insert-submit");
    s.wait_text("#flash.ok", "Inserted a row into users");
    s.wait_text("#rows tbody tr:nth-child(4) td[data-col=\"handle\"]", "dave");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM users WHERE handle = 'dave' AND is_admin = 0 AND joined_at IS NOT NULL AND display_name IS NULL"
        ),
        1
    );
    s.wait_text("#sidebar a[href=\"/t/users\"] .count", "4");

    // An insert a foreign key refuses: its error, and no row.
    s.click_css("#sidebar a[href=\"/t/comments\"]");
    s.wait_path("/t/comments");
    s.click_css("#insert-row");
    s.type_into(&s.wait("#insert-post_id"), "999");
    s.type_into(&s.wait("#insert-body"), "orphan");
    s.click_css("#insert-submit");
    s.wait_text("#insert-error", "FOREIGN KEY constraint failed");
    s.wait_text("#flash.error", "FOREIGN KEY constraint failed");
    assert_eq!(count(&db, "SELECT count(*) FROM comments"), 3);

    // Delete a row: select, then confirm.
    s.click_css("#sidebar a[href=\"/t/users\"]");
    s.wait_path("/t/users");
    s.wait_text("#rows tbody tr:nth-child(4) td[data-col=\"handle\"]", "dave");
    s.click_css("#rows tbody tr:nth-child(4) input.select-row");
    s.wait_text("#delete-selected", "Delete selected (1)");
    s.click_css("#delete-selected");
    s.wait_text("#delete-selected", "Confirm: delete 1 row(s)");
    s.click_css("#delete-selected");
    s.wait_text("#flash.ok", "Deleted 1 row(s) from users");
    assert_eq!(count(&db, "SELECT count(*) FROM users WHERE handle = 'dave'"), 0);
    assert_eq!(column(&s, "handle"), ["alice", "bob", "carol"]);

    // The console: a query; a write refused while read-only; the same write once switched on.
    s.click_css("nav a[data-nav=\"console\"]");
    s.wait_path("/console");
    let sql = s.wait("#sql");
    s.clear(&sql);
    s.type_into(&sql, "SELECT handle, display_name FROM users ORDER BY handle");
    s.click_css("#run");
    s.wait_text("#console-summary", "3 row(s)");
    s.wait_text("#console-result tbody tr:nth-child(2)", "Bob Builder");
    shot(&s, "console");
    s.clear(&s.wait("#sql"));
    s.type_into(&s.wait("#sql"), "DELETE FROM comments WHERE score = 0");
    s.click_css("#run");
    s.wait_text("#console-error", "read-only");
    assert_eq!(count(&db, "SELECT count(*) FROM comments"), 3);
    s.click_css("#allow-writes");
    s.wait_text("#console-mode", "Writes allowed");
    s.click_css("#run");
    s.wait_text("#console-summary", "1 row(s) changed");
    assert_eq!(count(&db, "SELECT count(*) FROM comments"), 2);

    // The migrations: the one applied, its SQL, and no drift.
    s.click_css("nav a[data-nav=\"migrations\"]");
    s.wait_path("/migrations");
    s.wait_text("#migrations tr[data-tag=\"0000_init\"] .badge", "applied");
    s.wait_text(
        "#migration-summary",
        "1 migration(s): 1 applied, 0 pending, 0 edited, 0 missing",
    );
    s.wait_text("#drift", "The database matches what its applied migrations say.");
    shot(&s, "migrations");
    s.click_css("#migrations a[href=\"/migrations/0000_init\"]");
    s.wait_path("/migrations/0000_init");
    s.wait_text("#migration-sql", "CREATE TABLE `users`");

    // The schema: the diagram, each box a link to its table.
    s.click_css("nav a[data-nav=\"schema\"]");
    s.wait_path("/schema");
    s.wait("#diagram svg a.table-box");
    assert_eq!(s.find_all("#diagram svg a.table-box").len(), 8);
    assert_eq!(s.find_all("#diagram svg path.edge").len(), 10);
    // Parents stand left of their children.
    let x = |t: &str| {
        s.script(&format!(
            "return document.querySelector('#diagram a.table-box[data-table=\"{t}\"] rect').getBBox().x"
        ))
        .as_f64()
        .unwrap()
    };
    assert!(x("users") < x("posts") && x("posts") < x("comments"));
    shot(&s, "schema");
    s.click_css("#diagram a.table-box[data-table=\"tags\"]");
    s.wait_path("/t/tags");
    s.wait_text("#rows tbody tr:nth-child(1) td[data-col=\"name\"]", "rust");

    // A table's structure.
    s.goto(&format!("{}/t/posts/schema", studio.base()));
    s.wait_text("#view", "posts_status_known");
    assert!(s.body_text().contains("length(\"body\") (stored)"));

    // Back and forward work as in any site.
    s.script("history.back()");
    s.wait_path("/t/tags");
}
