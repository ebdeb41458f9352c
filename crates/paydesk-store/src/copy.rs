//! Moving a terminal's whole history into another store (its own SQLite file into the
//! shop's shared PostgreSQL database): every row as it is, keyed by its ids, so running
//! it twice — or from a second terminal — never makes a row twice; then counted and
//! summed on both sides.

use sqlx::{any::AnyRow, AssertSqlSafe, Row};

use crate::{placeholders, Result, Store, StoreError};

/// A column's kind, for reading it from one backend and binding it on the other.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Int,
}
use Kind::{Int, Text};

/// A table's columns and their kinds.
type Columns = &'static [(&'static str, Kind)];

/// The tables copied whole (keyed by their primary key), in an order that keeps every
/// reference satisfied.
const PLAIN: [(&str, &str, Columns); 4] = [
    (
        "accounts",
        "name",
        &[
            ("name", Text),
            ("provider", Text),
            ("settings", Text),
            ("created_at", Text),
        ],
    ),
    (
        "customers",
        "id",
        &[
            ("id", Text),
            ("name", Text),
            ("phone", Text),
            ("email", Text),
            ("created_at", Text),
        ],
    ),
    (
        "channels",
        "name",
        &[
            ("name", Text),
            ("kind", Text),
            ("settings", Text),
            ("created_at", Text),
        ],
    ),
    ("settings", "key", &[("key", Text), ("value", Text)]),
];

const INVOICE: Columns = &[
    ("id", Text),
    ("account", Text),
    ("provider", Text),
    ("provider_id", Text),
    ("order_id", Text),
    ("kind", Text),
    ("name", Text),
    ("currency", Text),
    ("amount_minor", Int),
    ("tax_free_minor", Int),
    ("paid_minor", Int),
    ("status", Text),
    ("paid_late", Int),
    ("underpaid", Int),
    ("overpaid", Int),
    ("payment_url", Text),
    ("payment_number", Text),
    ("expires_at", Text),
    ("customer_id", Text),
    ("created_at", Text),
    ("updated_at", Text),
    ("last_checked_at", Text),
    ("last_error", Text),
    ("search_text", Text),
    ("create_attempted_at", Text),
    ("refunded_minor", Int),
    ("rest_of", Text),
    ("paid_at", Text),
    ("refund_url", Text),
    ("refund_requested_minor", Int),
    ("callback_token_sha256", Text),
];

const AUDIT: Columns = &[
    ("invoice_id", Text),
    ("at", Text),
    ("event", Text),
    ("from_status", Text),
    ("to_status", Text),
    ("source", Text),
    ("detail", Text),
    ("refund_minor", Int),
];

const DELIVERY: Columns = &[
    ("id", Text),
    ("invoice_id", Text),
    ("channel", Text),
    ("via", Text),
    ("recipient", Text),
    ("state", Text),
    ("attempts", Int),
    ("channel_message_id", Text),
    ("error", Text),
    ("created_at", Text),
    ("updated_at", Text),
    ("lang", Text),
    ("subject", Text),
    ("body", Text),
    ("kind", Text),
];

enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

fn read(row: &AnyRow, cols: &[(&str, Kind)]) -> Result<Vec<Value>> {
    cols.iter()
        .map(|(c, k)| {
            Ok(match k {
                Text => Value::Text(row.try_get(*c)?),
                Int => Value::Int(row.try_get(*c)?),
            })
        })
        .collect()
}

fn names(cols: &[(&str, Kind)]) -> String {
    cols.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
}

async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &str,
    cols: &[(&str, Kind)],
    values: Vec<Value>,
    on_conflict: &str,
) -> Result<u64> {
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({}) {on_conflict}",
        names(cols),
        placeholders(cols.len())
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for v in values {
        q = match v {
            Value::Text(t) => q.bind(t),
            Value::Int(i) => q.bind(i),
        };
    }
    Ok(q.execute(&mut **tx).await?.rows_affected())
}

/// What a move copied, and what both stores hold of the moved invoices afterwards.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MoveReport {
    /// Invoices copied now (the others were there already).
    pub invoices_copied: u64,
    /// Invoices of this store found in the other after the move (all of them).
    pub invoices: i64,
    /// Their audit entries, messages, and sums of asked, received and refunded minor
    /// units — equal on both sides, or the move reports an error.
    pub audit_entries: i64,
    pub deliveries: i64,
    pub amount_minor: i64,
    pub paid_minor: i64,
    pub refunded_minor: i64,
}

impl Store {
    /// Copies everything this store holds into `target`: accounts, customers, channels
    /// and settings the target lacks (its own are kept), and every invoice it lacks with
    /// its audit entries and messages (an invoice in one transaction with them). Then
    /// counts and sums this store's invoices on both sides; any difference is an error.
    #[tracing::instrument(level = "info", skip_all, err(level = "info"))]
    pub async fn copy_into(&self, target: &Store) -> Result<MoveReport> {
        let mut tx = target.begin_write().await?;
        for (table, key, cols) in PLAIN {
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT {} FROM {table} ORDER BY {key}",
                names(cols)
            )))
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                let conflict = format!("ON CONFLICT ({key}) DO NOTHING");
                insert(&mut tx, table, cols, read(r, cols)?, &conflict).await?;
            }
        }
        tx.commit().await?;

        let mut copied = 0;
        let mut after_seq = 0i64;
        loop {
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT seq, {} FROM invoices WHERE seq > $1 ORDER BY seq LIMIT 500",
                names(INVOICE)
            )))
            .bind(after_seq)
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = rows.last() else { break };
            after_seq = last.try_get("seq")?;
            let mut tx = target.begin_write().await?;
            for r in &rows {
                let id: String = r.try_get("id")?;
                let added = insert(
                    &mut tx,
                    "invoices",
                    INVOICE,
                    read(r, INVOICE)?,
                    "ON CONFLICT (id) DO NOTHING",
                )
                .await?;
                if added == 0 {
                    continue;
                }
                copied += 1;
                for (table, cols, order) in [
                    ("audit_log", AUDIT, "id"),
                    ("deliveries", DELIVERY, "created_at, id"),
                ] {
                    let children = sqlx::query(AssertSqlSafe(format!(
                        "SELECT {} FROM {table} WHERE invoice_id = $1 ORDER BY {order}",
                        names(cols)
                    )))
                    .bind(&id)
                    .fetch_all(&self.pool)
                    .await?;
                    for c in &children {
                        insert(&mut tx, table, cols, read(c, cols)?, "").await?;
                    }
                }
            }
            tx.commit().await?;
        }

        let here = self.figures_of(self).await?;
        let there = self.figures_of(target).await?;
        if here != there {
            return Err(StoreError::Corrupt(format!(
                "after the move the stores differ: here {here:?}, there {there:?}"
            )));
        }
        let [invoices, audit_entries, deliveries, amount_minor, paid_minor, refunded_minor] = here;
        Ok(MoveReport {
            invoices_copied: copied,
            invoices,
            audit_entries,
            deliveries,
            amount_minor,
            paid_minor,
            refunded_minor,
        })
    }

    /// Counts and sums of this store's invoices as `other` holds them: invoices, audit
    /// entries, deliveries, asked, received, refunded.
    async fn figures_of(&self, other: &Store) -> Result<[i64; 6]> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM invoices ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        let mut out = [0i64; 6];
        for chunk in ids.chunks(500) {
            let marks = placeholders(chunk.len());
            let sqls = [
                format!(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT),
                        CAST(COALESCE(SUM(paid_minor), 0) AS BIGINT),
                        CAST(COALESCE(SUM(refunded_minor), 0) AS BIGINT)
                     FROM invoices WHERE id IN ({marks})"
                ),
                format!("SELECT COUNT(*) FROM audit_log WHERE invoice_id IN ({marks})"),
                format!("SELECT COUNT(*) FROM deliveries WHERE invoice_id IN ({marks})"),
            ];
            for (n, sql) in sqls.into_iter().enumerate() {
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id);
                }
                let row = q.fetch_one(&other.pool).await?;
                match n {
                    0 => {
                        out[0] += row.try_get::<i64, _>(0)?;
                        out[3] += row.try_get::<i64, _>(1)?;
                        out[4] += row.try_get::<i64, _>(2)?;
                        out[5] += row.try_get::<i64, _>(3)?;
                    }
                    1 => out[1] += row.try_get::<i64, _>(0)?,
                    _ => out[2] += row.try_get::<i64, _>(0)?,
                }
            }
        }
        Ok(out)
    }
}
