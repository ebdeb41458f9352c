//! The two stores every store test runs against: a SQLite file in a temp folder and a
//! fresh database on the throw-away PostgreSQL server `./x test` starts.

use sqlx::Connection;

/// The test server's address (`./x test` exports it; no test silently skips PostgreSQL).
pub fn postgres_admin_url() -> String {
    std::env::var("PAYDESK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "PAYDESK_TEST_POSTGRES is not set: run the tests with ./x test, which starts a \
             throw-away PostgreSQL server, or point it at one (postgres://user@127.0.0.1:PORT/postgres)"
        )
    })
}

/// A new, empty database on the test server; its URL.
pub async fn fresh_postgres_database() -> String {
    let admin = postgres_admin_url();
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let name = format!(
        "pd_{}_{nanos}_{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut conn = sqlx::postgres::PgConnection::connect(&admin)
        .await
        .expect("the test PostgreSQL server answers");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("a test database is made");
    let mut url = url::Url::parse(&admin).expect("PAYDESK_TEST_POSTGRES is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}
