//! The one table model every view builds and every writer renders: rows
//! of text cells under columns with an alignment and an importance.

/// Where a column's text sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// How a cell should stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Plain,
    /// Failed, over budget, behaves differently.
    Bad,
    /// The smallest.
    Best,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub tone: Tone,
    /// For sorting (HTML): the number behind the text.
    pub sort: Option<f64>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
            sort: None,
        }
    }

    pub fn number(text: impl Into<String>, value: f64) -> Cell {
        Cell {
            sort: Some(value),
            ..Cell::text(text)
        }
    }

    pub fn tone(mut self, tone: Tone) -> Cell {
        self.tone = tone;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    pub align: Align,
    /// 0 is kept longest when a table is narrowed; larger goes first.
    pub drop_order: u8,
}

impl Column {
    pub fn left(header: &str, drop_order: u8) -> Column {
        Column {
            header: header.into(),
            align: Align::Left,
            drop_order,
        }
    }

    pub fn right(header: &str, drop_order: u8) -> Column {
        Column {
            header: header.into(),
            align: Align::Right,
            drop_order,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(columns: Vec<Column>) -> Table {
        Table {
            title: None,
            columns,
            rows: Vec::new(),
        }
    }

    pub fn titled(mut self, title: impl Into<String>) -> Table {
        self.title = Some(title.into());
        self
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// The table without column `i`.
    pub fn without(&self, i: usize) -> Table {
        let mut t = self.clone();
        t.columns.remove(i);
        for r in &mut t.rows {
            r.remove(i);
        }
        t
    }
}
