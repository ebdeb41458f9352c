//! The customer book.

use crate::{rows::customer_from_row, rows::ts, search::like_pattern, Result, Store};
use paydesk_core::Customer;
use sqlx::{AssertSqlSafe, Row};

impl Store {
    pub async fn insert_customer(&self, c: &Customer) -> Result<()> {
        sqlx::query(
            "INSERT INTO customers (id, name, phone, email, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(c.id.as_str())
        .bind(&c.name)
        .bind(&c.phone)
        .bind(&c.email)
        .bind(ts(c.created_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Saves a customer's new name, phone and e-mail (the clerk agreed to it).
    pub async fn update_customer(&self, c: &Customer) -> Result<()> {
        let r = sqlx::query("UPDATE customers SET name = $1, phone = $2, email = $3 WHERE id = $4")
            .bind(&c.name)
            .bind(&c.phone)
            .bind(&c.email)
            .bind(c.id.as_str())
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound {
                what: "customer",
                key: c.id.to_string(),
            });
        }
        Ok(())
    }

    pub async fn customer(&self, id: &str) -> Result<Option<Customer>> {
        let row =
            sqlx::query("SELECT id, name, phone, email, created_at FROM customers WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| customer_from_row(&r)).transpose()
    }

    /// The customers with these ids, in one query (a page of the invoice list names
    /// up to a few hundred; ids not found are left out).
    /// Per customer: how many invoices, and what was kept (received minus refunded) per
    /// currency, as (customer id → (invoices, [(currency, kept minor units)])).
    pub async fn customer_totals(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, (i64, Vec<(String, i64)>)>> {
        let mut out: std::collections::HashMap<String, (i64, Vec<(String, i64)>)> =
            std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let marks = crate::placeholders(chunk.len());
            let sql = format!(
                "SELECT customer_id, currency, COUNT(*) AS n,
                        CAST(COALESCE(SUM(paid_minor - refunded_minor), 0) AS BIGINT) AS kept
                 FROM invoices WHERE customer_id IN ({marks})
                 GROUP BY customer_id, currency ORDER BY customer_id, currency"
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.pool).await? {
                let id: String = row.try_get("customer_id")?;
                let e = out.entry(id).or_default();
                e.0 += row.try_get::<i64, _>("n")?;
                let kept: i64 = row.try_get("kept")?;
                if kept > 0 {
                    e.1.push((row.try_get("currency")?, kept));
                }
            }
        }
        Ok(out)
    }

    pub async fn customers_by_ids(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, Customer>> {
        let mut out = std::collections::HashMap::new();
        let mut unique: Vec<&str> = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        // SQLite's bound-parameter limit is far above a page; chunks keep any caller safe.
        for chunk in unique.chunks(500) {
            let marks = crate::placeholders(chunk.len());
            let sql = format!(
                "SELECT id, name, phone, email, created_at FROM customers WHERE id IN ({marks})"
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.pool).await? {
                let c = customer_from_row(&row)?;
                out.insert(c.id.to_string(), c);
            }
        }
        Ok(out)
    }

    /// Finds a customer by exact phone (E.164) or e-mail.
    pub async fn customer_by_contact(
        &self,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> Result<Option<Customer>> {
        let row = sqlx::query(
            "SELECT id, name, phone, email, created_at FROM customers
             WHERE ($1 IS NOT NULL AND phone = $1) OR ($2 IS NOT NULL AND email = $2)
             ORDER BY created_at LIMIT 1",
        )
        .bind(phone)
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| customer_from_row(&r)).transpose()
    }

    pub async fn customers(&self, search: Option<&str>, limit: i64) -> Result<Vec<Customer>> {
        let pattern = search.map(like_pattern);
        // A phone number in any common form (`010-2345-6789`) finds the stored E.164 one.
        let digits = search
            .and_then(paydesk_core::input::phone_search_digits)
            .map(|d| like_pattern(&d));
        let like = self.like();
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT id, name, phone, email, created_at FROM customers
             WHERE $1 IS NULL OR name {like} $1 ESCAPE '\\' OR phone {like} $1 ESCAPE '\\'
                OR email {like} $1 ESCAPE '\\' OR phone {like} $3 ESCAPE '\\'
             ORDER BY name LIMIT $2"
        )))
        .bind(pattern)
        .bind(limit)
        .bind(digits)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(customer_from_row).collect()
    }
}
