//! The invoice list: filters, full-text search (FTS5, LIKE for short words), paging and counts.

use crate::{rows::invoice_from_row, rows::ts, rows::INVOICE_SELECT, Backend, Result, Store};
use chrono::{DateTime, Utc};
use paydesk_core::{Invoice, SortBy, Status};
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub status: Option<Status>,
    pub account: Option<String>,
    /// Only this customer's invoices.
    pub customer_id: Option<String>,
    /// Only invoices created at or after / before these instants.
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub search: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// The page after this invoice (its id), in the list's order: keyset paging, as fast
    /// at the end of a long list as at its start. The offset is not used with it.
    pub after: Option<String>,
    /// The order (newest first when not given).
    pub sort: SortBy,
    /// Smallest, earliest or first first (the default, false, is newest first).
    pub ascending: bool,
}

impl Store {
    /// How many invoices match the filter (its limit, offset and cursor aside). Without a
    /// search or a customer this sums the counts the store keeps per account, status and
    /// day (`invoice_counts`), adding the invoices of a day the range only partly covers
    /// through the `created_at` index; otherwise it counts the matching invoices.
    pub async fn count_invoices(&self, f: &InvoiceFilter) -> Result<i64> {
        if f.search.as_deref().is_some_and(|s| !s.trim().is_empty()) || f.customer_id.is_some() {
            return self.count_matching(f).await;
        }
        let (whole_from, whole_before) = whole_days(f.created_from, f.created_before);
        if whole_from.is_some_and(|a| whole_before.is_some_and(|b| a >= b)) {
            // Not one whole day inside the range: count its invoices by index.
            return self.count_part_of_a_day(f).await;
        }
        let mut sql = String::from(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM invoice_counts WHERE 1 = 1",
        );
        if f.status.is_some() {
            sql.push_str(" AND status = $1");
        } else {
            sql.push_str(" AND (CAST($1 AS TEXT) IS NULL OR 1 = 1)");
        }
        if f.account.is_some() {
            sql.push_str(" AND account = $2");
        } else {
            sql.push_str(" AND (CAST($2 AS TEXT) IS NULL OR 1 = 1)");
        }
        if whole_from.is_some() {
            sql.push_str(" AND day >= $3");
        } else {
            sql.push_str(" AND (CAST($3 AS TEXT) IS NULL OR 1 = 1)");
        }
        if whole_before.is_some() {
            sql.push_str(" AND day < $4");
        } else {
            sql.push_str(" AND (CAST($4 AS TEXT) IS NULL OR 1 = 1)");
        }
        let day = |d: Option<DateTime<Utc>>| d.map(|d| d.format("%Y-%m-%d").to_string());
        let mut n: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(f.status.map(|s| s.as_str()))
            .bind(f.account.as_deref())
            .bind(day(whole_from))
            .bind(day(whole_before))
            .fetch_one(&self.pool)
            .await?;
        // The parts of days at either end of the range.
        if let (Some(from), Some(whole)) = (f.created_from, whole_from) {
            if from < whole {
                let edge = InvoiceFilter {
                    created_from: Some(from),
                    created_before: Some(whole),
                    ..f.clone()
                };
                n += self.count_part_of_a_day(&edge).await?;
            }
        }
        if let (Some(before), Some(whole)) = (f.created_before, whole_before) {
            if whole < before {
                let edge = InvoiceFilter {
                    created_from: Some(whole),
                    created_before: Some(before),
                    ..f.clone()
                };
                n += self.count_part_of_a_day(&edge).await?;
            }
        }
        Ok(n)
    }

    /// How many invoices match the filter, counted over the invoices themselves.
    async fn count_matching(&self, f: &InvoiceFilter) -> Result<i64> {
        self.count_over("SELECT COUNT(*) FROM invoices", f).await
    }

    /// How many invoices of a stretch shorter than two days match the filter: through the
    /// `created_at` index, which SQLite would pass over for the status index when a status
    /// is asked for (and then read every invoice in that status).
    async fn count_part_of_a_day(&self, f: &InvoiceFilter) -> Result<i64> {
        let select = match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) FROM invoices INDEXED BY invoices_created",
            Backend::Postgres => "SELECT COUNT(*) FROM invoices",
        };
        self.count_over(select, f).await
    }

    async fn count_over(&self, select: &str, f: &InvoiceFilter) -> Result<i64> {
        let (sql, search) = filter_sql(select, f, self.backend);
        Ok(sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(f.status.map(|s| s.as_str()))
            .bind(f.account.as_deref())
            .bind(search)
            .bind(-1i64)
            .bind(0i64)
            .bind(f.customer_id.as_deref())
            .bind(f.created_from.map(ts))
            .bind(f.created_before.map(ts))
            .fetch_one(&self.pool)
            .await?)
    }

    /// Invoices, newest first, filtered by status, account and a search text over item
    /// name, customer (name, phone, e-mail), order id and provider id.
    pub async fn invoices(&self, f: &InvoiceFilter) -> Result<Vec<Invoice>> {
        let (mut sql, search_param) = filter_sql(INVOICE_SELECT, f, self.backend);
        let keys = order_keys(f.sort, !f.ascending);
        if f.after.is_some() {
            sql.push_str(&after_sql(&keys, self.backend));
        } else {
            sql.push_str(" AND (CAST($9 AS TEXT) IS NULL OR 1 = 1)");
        }
        sql.push_str(&order_sql(&keys));
        sql.push_str(" LIMIT $4 OFFSET $5");
        let offset = if f.after.is_some() {
            0
        } else {
            f.offset.unwrap_or(0)
        };
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(f.status.map(|s| s.as_str()))
            .bind(f.account.as_deref())
            .bind(search_param)
            .bind(f.limit.unwrap_or(500))
            .bind(offset)
            .bind(f.customer_id.as_deref())
            .bind(f.created_from.map(ts))
            .bind(f.created_before.map(ts))
            .bind(f.after.as_deref())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(invoice_from_row).collect()
    }
}

/// One key of a list's order: an expression over the row `{t}`, and whether it runs
/// from largest to smallest.
struct OrderKey {
    expr: String,
    descending: bool,
}

impl OrderKey {
    fn new(expr: &str, descending: bool) -> Self {
        OrderKey {
            expr: expr.to_string(),
            descending,
        }
    }

    /// The key over the row `table`, in brackets (`x IS NULL` beside `<` reads otherwise).
    fn on(&self, table: &str) -> String {
        format!("({})", self.expr.replace("{t}", table))
    }
}

/// The keys of a list sorted by `sort`, the last one always `seq`; equal keys keep the
/// list's own order (newest first), so paging through a sorted list neither repeats nor
/// skips a row.
fn order_keys(sort: SortBy, descending: bool) -> Vec<OrderKey> {
    let key = |e: &str| OrderKey::new(e, descending);
    let newest_first = OrderKey::new("{t}.seq", true);
    match sort {
        SortBy::Created => vec![key("{t}.seq")],
        SortBy::Name => vec![key("{t}.name"), newest_first],
        // Invoices without a customer come last in either direction.
        SortBy::Customer => vec![
            OrderKey::new(
                "(SELECT c.name FROM customers c WHERE c.id = {t}.customer_id) IS NULL",
                false,
            ),
            key("(SELECT c.name FROM customers c WHERE c.id = {t}.customer_id)"),
            newest_first,
        ],
        SortBy::Amount => vec![
            OrderKey::new("{t}.currency", false),
            key("{t}.amount_minor"),
            newest_first,
        ],
        SortBy::Status => {
            let ranks: String = Status::ALL
                .iter()
                .enumerate()
                .map(|(i, s)| format!(" WHEN '{}' THEN {i}", s.as_str()))
                .collect();
            vec![key(&format!("CASE {{t}}.status{ranks} END")), newest_first]
        }
        SortBy::When => vec![key("coalesce({t}.paid_at, {t}.expires_at)"), newest_first],
    }
}

fn order_sql(keys: &[OrderKey]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .map(|k| {
            let dir = if k.descending { "DESC" } else { "ASC" };
            format!("{} {dir}", k.on("invoices"))
        })
        .collect();
    format!(" ORDER BY {}", parts.join(", "))
}

/// The rows after invoice `$9` in the order of `keys`: the first key beyond the cursor's,
/// or equal to it and the next beyond, and so on (the cursor's keys are read by
/// sub-queries the database evaluates once).
fn after_sql(keys: &[OrderKey], backend: Backend) -> String {
    let cursor = |k: &OrderKey| {
        format!(
            "(SELECT {} FROM invoices cursor_row WHERE cursor_row.id = $9)",
            k.on("cursor_row")
        )
    };
    let same = if backend == Backend::Postgres {
        "IS NOT DISTINCT FROM"
    } else {
        "IS"
    };
    let mut alternatives = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let mut terms: Vec<String> = keys[..i]
            .iter()
            .map(|e| format!("{} {same} {}", e.on("invoices"), cursor(e)))
            .collect();
        let beyond = if k.descending { "<" } else { ">" };
        terms.push(format!("{} {beyond} {}", k.on("invoices"), cursor(k)));
        alternatives.push(format!("({})", terms.join(" AND ")));
    }
    format!(" AND ({})", alternatives.join(" OR "))
}

/// The first UTC midnight at or after `from` and the last at or before `before`: the
/// whole days a range covers (`None`: that end is open).
fn whole_days(
    from: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let midnight = |t: DateTime<Utc>| {
        t.date_naive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
    };
    let up = from.map(|t| {
        let m = midnight(t);
        if m < t {
            m + chrono::Duration::days(1)
        } else {
            m
        }
    });
    (up, before.map(midnight))
}

/// The search text as an FTS5 phrase: a literal, whatever characters it holds.
pub(crate) fn fts_phrase(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `s` as a PostgreSQL regular expression matching exactly its characters.
pub(crate) fn regex_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_ascii_punctuation() || c == ' ' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn like_pattern(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The WHERE part every invoice list shares (parameters ?1 status, ?2 account, ?3
/// search, ?6 customer), and the search parameter: FTS5 trigram for 3+ characters,
/// LIKE below that.
pub(crate) fn filter_sql(
    select: &str,
    f: &InvoiceFilter,
    backend: Backend,
) -> (String, Option<String>) {
    let mut sql = format!("{select} WHERE 1 = 1");
    let search = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let use_fts = search.map(|s| s.chars().count() >= 3).unwrap_or(false);
    if f.status.is_some() {
        sql.push_str(" AND status = $1");
    }
    if f.account.is_some() {
        sql.push_str(" AND account = $2");
    }
    // Only the filters in use are written out, so the planner can count through an index
    // and range over `created_at`; ?8 is always mentioned (a condition that is always
    // true), so that every statement takes the same eight parameters.
    if f.customer_id.is_some() {
        sql.push_str(" AND customer_id = $6");
    }
    if f.created_from.is_some() {
        sql.push_str(" AND created_at >= $7");
    }
    if f.created_before.is_some() {
        sql.push_str(" AND created_at < $8");
    } else {
        sql.push_str(" AND (CAST($8 AS TEXT) IS NULL OR 1 = 1)");
    }
    if search.is_some() && backend == Backend::Postgres {
        // No FTS5 on PostgreSQL (and pg_trgm needs rights a shop's database user may
        // lack): a case-blind regular expression over the same text.
        sql.push_str(" AND search_text ~* $3");
    } else if search.is_some() {
        if use_fts {
            sql.push_str(
                " AND seq IN (SELECT rowid FROM invoices_fts WHERE invoices_fts MATCH $3)",
            );
        } else {
            sql.push_str(" AND search_text LIKE $3 ESCAPE '\\'");
        }
    }
    let param = search.map(|s| {
        // A phone number in any common form also finds the stored E.164 number.
        let digits = paydesk_core::input::phone_search_digits(s).filter(|d| d != s);
        if backend == Backend::Postgres {
            return match digits {
                Some(d) => format!("{}|{}", regex_literal(s), regex_literal(&d)),
                None => regex_literal(s),
            };
        }
        if use_fts {
            match digits {
                Some(d) => format!("{} OR {}", fts_phrase(s), fts_phrase(&d)),
                None => fts_phrase(s),
            }
        } else {
            like_pattern(s)
        }
    });
    (sql, param)
}
