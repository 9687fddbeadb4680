//! The schema as an SVG diagram: each table a box, placed in columns by foreign-key depth (a
//! table stands right of every table it references), tall columns wrapped, so that 50 or 500
//! tables stay readable and no two boxes overlap.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;

use super::db::TableInfo;
use super::http::percent_encode;

/// Width of one character of the 12px monospace font, a little generous so text never spills.
const CHAR_W: f64 = 7.4;
const ROW_H: f64 = 16.0;
const HEADER_H: f64 = 24.0;
const PAD: f64 = 8.0;
/// A box lists at most this many columns, then "… n more".
const MAX_ROWS: usize = 12;
const MIN_W: f64 = 120.0;
const MAX_W: f64 = 340.0;
/// Room between columns of boxes, where the edges run.
const GAP_X: f64 = 90.0;
const GAP_Y: f64 = 24.0;
const MARGIN: f64 = 20.0;

/// A table's box, where it was placed.
#[derive(Debug, Clone)]
pub struct Placed {
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// The columns listed: (name, type, marker).
    rows: Vec<(String, String, &'static str)>,
    more: usize,
}

impl Placed {
    /// The vertical middle of the row listing `column`, or of the header when it is not listed.
    fn row_y(&self, column: Option<&str>) -> f64 {
        match column.and_then(|c| self.rows.iter().position(|r| r.0.eq_ignore_ascii_case(c))) {
            Some(i) => self.y + HEADER_H + ROW_H * (i as f64 + 0.5) + 2.0,
            None => self.y + HEADER_H / 2.0,
        }
    }
}

/// An edge: a foreign key from `child`'s `column` to `parent`'s `ref_column`.
#[derive(Debug, Clone)]
pub struct Edge {
    pub child: usize,
    pub parent: usize,
    column: Option<String>,
    ref_column: Option<String>,
    label: String,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub boxes: Vec<Placed>,
    pub edges: Vec<Edge>,
    pub width: f64,
    pub height: f64,
}

fn sized(t: &TableInfo) -> Placed {
    let fk_columns: Vec<&str> = t
        .foreign_keys
        .iter()
        .flat_map(|f| f.columns.iter().map(String::as_str))
        .collect();
    let rows: Vec<(String, String, &'static str)> = t
        .columns
        .iter()
        .take(MAX_ROWS)
        .map(|c| {
            let marker = if c.primary_key {
                "PK"
            } else if fk_columns.iter().any(|f| f.eq_ignore_ascii_case(&c.name)) {
                "FK"
            } else {
                ""
            };
            (c.name.clone(), c.ty.to_ascii_lowercase(), marker)
        })
        .collect();
    let more = t.columns.len().saturating_sub(MAX_ROWS);
    let chars = rows
        .iter()
        .map(|(n, ty, _)| 3 + n.chars().count() + 2 + ty.chars().count())
        .chain([t.name.chars().count() + 1])
        .max()
        .unwrap_or(10);
    let w = (chars as f64 * CHAR_W + 2.0 * PAD).clamp(MIN_W, MAX_W);
    let lines = rows.len() + usize::from(more > 0);
    let h = HEADER_H + ROW_H * lines as f64 + 6.0;
    Placed {
        name: t.name.clone(),
        x: 0.0,
        y: 0.0,
        w,
        h,
        rows,
        more,
    }
}

/// Each table's depth: 0 for one that references no other, else one more than the deepest
/// table it references. A cycle of references is broken at the table with the fewest
/// unresolved parents, so every table gets a depth.
fn depths(parents: &[Vec<usize>], children: &[Vec<usize>]) -> Vec<usize> {
    let n = parents.len();
    let mut waiting: Vec<usize> = parents.iter().map(Vec::len).collect();
    let mut depth = vec![0usize; n];
    let mut queued = vec![false; n];
    let mut queue: VecDeque<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    for &i in &queue {
        queued[i] = true;
    }
    let mut done = 0;
    loop {
        while let Some(p) = queue.pop_front() {
            done += 1;
            for &c in &children[p] {
                depth[c] = depth[c].max(depth[p] + 1);
                waiting[c] = waiting[c].saturating_sub(1);
                if waiting[c] == 0 && !queued[c] {
                    queued[c] = true;
                    queue.push_back(c);
                }
            }
        }
        if done == n {
            return depth;
        }
        let Some(pick) = (0..n).filter(|&i| !queued[i]).min_by_key(|&i| waiting[i]) else {
            return depth;
        };
        queued[pick] = true;
        queue.push_back(pick);
    }
}

/// The foreign keys as edges, and each table's distinct parents and children (a table's
/// reference to itself is an edge, not a parent).
struct Graph {
    edges: Vec<Edge>,
    parents: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
}

fn graph(tables: &[TableInfo]) -> Graph {
    let n = tables.len();
    let index: HashMap<String, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.to_ascii_lowercase(), i))
        .collect();
    let mut g = Graph {
        edges: Vec::new(),
        parents: vec![Vec::new(); n],
        children: vec![Vec::new(); n],
    };
    for (c, t) in tables.iter().enumerate() {
        for fk in &t.foreign_keys {
            let Some(&p) = index.get(&fk.ref_table.to_ascii_lowercase()) else {
                continue;
            };
            g.edges.push(Edge {
                child: c,
                parent: p,
                column: fk.columns.first().cloned(),
                ref_column: fk.ref_columns.first().cloned(),
                label: format!(
                    "{}({}) → {}({})",
                    t.name,
                    fk.columns.join(", "),
                    fk.ref_table,
                    fk.ref_columns.join(", ")
                ),
            });
            if p != c && !g.parents[c].contains(&p) {
                g.parents[c].push(p);
                g.children[p].push(c);
            }
        }
    }
    g
}

/// The tables of each layer, top to bottom: near the middle of their parents, so edges run
/// mostly level (the barycenter heuristic), creation order breaking ties.
fn order_layers(depth: &[usize], parents: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = depth.len();
    let layers = depth.iter().max().map_or(0, |d| d + 1);
    let mut rank = vec![0f64; n];
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (layer, members) in order.iter_mut().enumerate() {
        let mut m: Vec<usize> = (0..n).filter(|&i| depth[i] == layer).collect();
        if layer > 0 {
            let key = |i: usize| {
                let placed: Vec<f64> = parents[i]
                    .iter()
                    .filter(|&&p| depth[p] < layer)
                    .map(|&p| rank[p])
                    .collect();
                if placed.is_empty() {
                    f64::MAX
                } else {
                    placed.iter().sum::<f64>() / placed.len() as f64
                }
            };
            m.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
        }
        let len = m.len().max(1) as f64;
        for (pos, &i) in m.iter().enumerate() {
            rank[i] = pos as f64 / len;
        }
        *members = m;
    }
    order
}

pub fn layout(tables: &[TableInfo]) -> Layout {
    let g = graph(tables);
    let order = order_layers(&depths(&g.parents, &g.children), &g.parents);
    let mut boxes: Vec<Placed> = tables.iter().map(sized).collect();

    // Layers left to right, each a column of boxes no taller than a square diagram would be;
    // a bigger layer wraps into several columns. Boxes only ever stack down a column and
    // columns only ever move right, so no two overlap.
    let area: f64 = boxes.iter().map(|b| (b.w + GAP_X) * (b.h + GAP_Y)).sum();
    let tallest = boxes.iter().map(|b| b.h).fold(0.0, f64::max);
    let max_height = (area.sqrt() * 1.1).max(600.0).max(tallest);
    let mut x = MARGIN;
    let mut height: f64 = 0.0;
    for members in order.iter().filter(|m| !m.is_empty()) {
        let mut y = MARGIN;
        let mut column_w: f64 = 0.0;
        for &i in members {
            let b = &mut boxes[i];
            if y > MARGIN && y + b.h > MARGIN + max_height {
                x += column_w + GAP_X;
                y = MARGIN;
                column_w = 0.0;
            }
            b.x = x;
            b.y = y;
            y += b.h + GAP_Y;
            column_w = column_w.max(b.w);
            height = height.max(b.y + b.h);
        }
        x += column_w + GAP_X;
    }
    Layout {
        boxes,
        edges: g.edges,
        // Room on the right for the loop of a table that references itself.
        width: (x - GAP_X + MARGIN + 40.0).max(2.0 * MARGIN),
        height: height + MARGIN,
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `s`, cut with an ellipsis to fit `width` pixels of the diagram's font.
fn fit(s: &str, width: f64) -> String {
    // A hair over, so that text measured to fit exactly is not cut by rounding.
    let max = ((width + 0.01) / CHAR_W).floor().max(1.0) as usize;
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn edge_path(layout: &Layout, e: &Edge) -> String {
    let (c, p) = (&layout.boxes[e.child], &layout.boxes[e.parent]);
    let y1 = c.row_y(e.column.as_deref());
    let y2 = p.row_y(e.ref_column.as_deref());
    if e.child == e.parent {
        // A table referencing itself: a loop off its right side.
        let x = c.x + c.w;
        return format!(
            "M{x:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x:.1},{y2:.1}",
            x + 40.0,
            x + 40.0
        );
    }
    if p.x + p.w <= c.x {
        // The usual case: the parent stands in a column to the left.
        let (x1, x2) = (c.x, p.x + p.w);
        let bend = ((x1 - x2) / 2.0).max(30.0);
        format!(
            "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
            x1 - bend,
            x2 + bend
        )
    } else if c.x + c.w <= p.x {
        // A reference broken out of a cycle points right.
        let (x1, x2) = (c.x + c.w, p.x);
        let bend = ((x2 - x1) / 2.0).max(30.0);
        format!(
            "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
            x1 + bend,
            x2 - bend
        )
    } else {
        // Same column: out and back along the left side.
        let (x1, x2) = (c.x, p.x);
        let out = x1.min(x2) - 40.0;
        format!("M{x1:.1},{y1:.1} C{out:.1},{y1:.1} {out:.1},{y2:.1} {x2:.1},{y2:.1}")
    }
}

/// The diagram as a standalone SVG document; each box links to its table's rows.
pub fn render(tables: &[TableInfo]) -> String {
    let layout = layout(tables);
    let mut s = String::with_capacity(512 + tables.len() * 1500);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" \
         font-family=\"ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace\" font-size=\"12\">",
        w = layout.width,
        h = layout.height
    );
    s.push_str(
        "<defs><marker id=\"fk-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#64748b\"/></marker></defs>",
    );
    s.push_str("<g class=\"edges\">");
    for e in &layout.edges {
        let _ = write!(
            s,
            "<path class=\"edge\" d=\"{}\" fill=\"none\" stroke=\"#94a3b8\" stroke-width=\"1.2\" marker-end=\"url(#fk-arrow)\"><title>{}</title></path>",
            edge_path(&layout, e),
            esc(&e.label)
        );
    }
    s.push_str("</g><g class=\"tables\">");
    for b in &layout.boxes {
        let _ = write!(
            s,
            "<a href=\"/t/{href}\" class=\"table-box\" data-table=\"{name}\"><title>{name}</title>\
             <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"4\" fill=\"#ffffff\" stroke=\"#334155\"/>\
             <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{HEADER_H}\" rx=\"4\" fill=\"#1e293b\"/>\
             <text x=\"{tx:.1}\" y=\"{ty:.1}\" fill=\"#f8fafc\" font-weight=\"bold\">{title}</text>",
            href = percent_encode(&b.name),
            name = esc(&b.name),
            x = b.x,
            y = b.y,
            w = b.w,
            h = b.h,
            tx = b.x + PAD,
            ty = b.y + 16.0,
            title = esc(&fit(&b.name, b.w - 2.0 * PAD)),
        );
        for (i, (name, ty, marker)) in b.rows.iter().enumerate() {
            let y = b.y + HEADER_H + ROW_H * (i as f64 + 1.0) - 2.0;
            let room = b.w - 2.0 * PAD - 3.0 * CHAR_W;
            let name = fit(name, room);
            let ty = fit(ty, (room - (name.chars().count() as f64 + 2.0) * CHAR_W).max(CHAR_W));
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{y:.1}\" fill=\"#b45309\" font-size=\"10\">{marker}</text>\
                 <text x=\"{:.1}\" y=\"{y:.1}\" fill=\"#0f172a\">{}</text>\
                 <text x=\"{:.1}\" y=\"{y:.1}\" fill=\"#64748b\" text-anchor=\"end\">{}</text>",
                b.x + PAD,
                b.x + PAD + 3.0 * CHAR_W,
                esc(&name),
                b.x + b.w - PAD,
                esc(&ty)
            );
        }
        if b.more > 0 {
            let y = b.y + HEADER_H + ROW_H * (b.rows.len() as f64 + 1.0) - 2.0;
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{y:.1}\" fill=\"#64748b\">… {} more</text>",
                b.x + PAD + 3.0 * CHAR_W,
                b.more
            );
        }
        s.push_str("</a>");
    }
    s.push_str("</g></svg>");
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::studio::db::{ColumnInfo, ForeignKeyInfo, RelationKind, RowKey};

    /// `n` tables, each referencing up to three earlier ones (and a few cycles and self
    /// references), with a deterministic spread of column counts and name lengths.
    pub fn tables(n: usize) -> Vec<TableInfo> {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        let mut tables: Vec<TableInfo> = (0..n)
            .map(|i| {
                let name = format!("table_{i}_{}", "x".repeat(next(20) as usize));
                let mut columns = vec![col("id", true)];
                for c in 0..next(16) {
                    columns.push(col(&format!("column_{c}_{}", "y".repeat(next(12) as usize)), false));
                }
                let mut foreign_keys = Vec::new();
                let refs = if i == 0 { 0 } else { next(4) };
                for r in 0..refs {
                    // Mostly earlier tables; now and then a later one (a cycle) or itself.
                    let target = match next(20) {
                        0 => (i + 1 + next(5) as usize) % n,
                        1 => i,
                        _ => next(i as u64) as usize,
                    };
                    let column = format!("ref_{r}_id");
                    columns.push(col(&column, false));
                    foreign_keys.push(ForeignKeyInfo {
                        table: name.clone(),
                        columns: vec![column],
                        ref_table: format!("#{target}"),
                        ref_columns: vec!["id".into()],
                        on_delete: "no action".into(),
                        on_update: "no action".into(),
                    });
                }
                TableInfo {
                    schema: "main".into(),
                    name,
                    kind: RelationKind::Table,
                    columns,
                    primary_key: vec!["id".into()],
                    row_key: RowKey::Rowid("rowid".into()),
                    indexes: vec![],
                    checks: vec![],
                    foreign_keys,
                    referenced_by: vec![],
                    options: vec![],
                    sql: None,
                }
            })
            .collect();
        // The `#index` placeholders become the names of the tables they point at.
        let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
        for t in &mut tables {
            for f in &mut t.foreign_keys {
                if let Some(i) = f.ref_table.strip_prefix('#').and_then(|i| i.parse::<usize>().ok()) {
                    f.ref_table = names[i].clone();
                }
            }
        }
        tables
    }

    fn col(name: &str, pk: bool) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            ty: "integer".into(),
            not_null: pk,
            default: None,
            primary_key: pk,
            autoincrement: false,
            generated: None,
            collate: None,
        }
    }

    fn assert_readable(l: &Layout) {
        for (i, a) in l.boxes.iter().enumerate() {
            assert!(
                a.x >= 0.0 && a.y >= 0.0 && a.x + a.w <= l.width && a.y + a.h <= l.height,
                "{} outside",
                a.name
            );
            for b in &l.boxes[i + 1..] {
                let apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{} overlaps {}", a.name, b.name);
            }
        }
    }

    #[test]
    fn five_hundred_tables_never_overlap_and_parents_stand_left() {
        let tables = tables(500);
        let l = layout(&tables);
        assert_eq!(l.boxes.len(), 500);
        assert_readable(&l);
        // Roughly square, not one endless column or row.
        let ratio = l.width / l.height;
        assert!((0.2..5.0).contains(&ratio), "{} x {}", l.width, l.height);
        // Outside cycles, every edge points left.
        let leftward = l
            .edges
            .iter()
            .filter(|e| l.boxes[e.parent].x + l.boxes[e.parent].w <= l.boxes[e.child].x)
            .count();
        assert!(leftward * 10 >= l.edges.len() * 8, "{leftward} of {}", l.edges.len());
    }

    #[test]
    fn fifty_tables_and_small_schemas_lay_out_too() {
        for n in [0, 1, 2, 7, 50] {
            assert_readable(&layout(&tables(n)));
        }
    }

    #[test]
    fn a_cycle_of_references_still_gets_every_table_a_place() {
        let mut t = tables(3);
        for i in 0..3 {
            let (name, target) = (t[i].name.clone(), t[(i + 1) % 3].name.clone());
            t[i].foreign_keys.truncate(0);
            t[i].foreign_keys.push(ForeignKeyInfo {
                table: name,
                columns: vec!["id".into()],
                ref_table: target,
                ref_columns: vec!["id".into()],
                on_delete: String::new(),
                on_update: String::new(),
            });
        }
        let l = layout(&t);
        assert_readable(&l);
        assert_eq!(l.edges.len(), 3);
    }

    #[test]
    fn names_are_escaped_and_linked() {
        let mut t = tables(1);
        t[0].name = "a<b>&\"c\" d".into();
        let svg = render(&t);
        assert!(svg.contains("href=\"/t/a%3Cb%3E%26%22c%22%20d\""));
        assert!(svg.contains("data-table=\"a&lt;b&gt;&amp;&quot;c&quot; d\""));
        assert!(!svg.contains("<b>"));
    }
}
