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
    /// The order (newest first when not given).
    pub sort: SortBy,
    /// Smallest, earliest or first first (the default, false, is newest first).
    pub ascending: bool,
}

impl Store {
    /// Invoices, newest first, filtered by status, account and a search text over item
    /// name, customer (name, phone, e-mail), order id and provider id.
    /// How many invoices match the filter (its limit and offset aside).
    pub async fn count_invoices(&self, f: &InvoiceFilter) -> Result<i64> {
        let (sql, search) = filter_sql("SELECT COUNT(*) FROM invoices", f, self.backend);
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

    pub async fn invoices(&self, f: &InvoiceFilter) -> Result<Vec<Invoice>> {
        let (mut sql, search_param) = filter_sql(INVOICE_SELECT, f, self.backend);
        sql.push_str(&order_sql(f.sort, !f.ascending));
        sql.push_str(" LIMIT $4 OFFSET $5");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(f.status.map(|s| s.as_str()))
            .bind(f.account.as_deref())
            .bind(search_param)
            .bind(f.limit.unwrap_or(500))
            .bind(f.offset.unwrap_or(0))
            .bind(f.customer_id.as_deref())
            .bind(f.created_from.map(ts))
            .bind(f.created_before.map(ts))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(invoice_from_row).collect()
    }
}

/// The ORDER BY of a list sorted by `sort`; equal keys keep the list's own order (newest
/// first), so paging through a sorted list neither repeats nor skips a row.
pub(crate) fn order_sql(sort: SortBy, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    let key = match sort {
        SortBy::Created => return format!(" ORDER BY seq {dir}"),
        SortBy::Name => "name".to_string(),
        SortBy::Customer => {
            // Invoices without a customer come last in either direction.
            return format!(
                " ORDER BY (SELECT c.name FROM customers c WHERE c.id = invoices.customer_id) IS NULL, \
                 (SELECT c.name FROM customers c WHERE c.id = invoices.customer_id) {dir}, seq DESC"
            );
        }
        SortBy::Amount => return format!(" ORDER BY currency, amount_minor {dir}, seq DESC"),
        SortBy::Status => {
            let ranks: String = Status::ALL
                .iter()
                .enumerate()
                .map(|(i, s)| format!(" WHEN '{}' THEN {i}", s.as_str()))
                .collect();
            format!("CASE status{ranks} END")
        }
        SortBy::When => "coalesce(paid_at, expires_at)".to_string(),
    };
    format!(" ORDER BY {key} {dir}, seq DESC")
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
