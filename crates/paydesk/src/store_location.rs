//! Where a data folder's invoices live: on this computer (SQLite, the default, needs
//! nothing) or in a shared PostgreSQL database that every counter of a shop uses. The
//! choice is a small file in the data folder (`store.json`, the address without its
//! password); the password is in the OS keyring.

use std::path::{Path, PathBuf};

use paydesk_secrets::{Owner, SecretStore, SecretString};
use paydesk_store::Store;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::{EngineError, Result};

/// The file in the data folder that names a shared store.
pub const LOCATION_FILE: &str = "store.json";

/// `sslmode` values PostgreSQL's clients know.
const SSL_MODES: [&str; 6] = [
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

/// Where the store is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "backend", rename_all = "snake_case")]
pub enum StoreLocation {
    /// A SQLite file in the data folder.
    Local {
        /// The file.
        #[ts(type = "string")]
        path: PathBuf,
    },
    /// A shared PostgreSQL database.
    Postgres {
        /// The address without a password (`postgres://user@host:port/db?sslmode=…`).
        url: String,
    },
}

/// A shared store as the merchant types it (Settings, `paydesk store use/move`).
#[derive(Default, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct SharedStoreInput {
    /// `postgres://USER@HOST:PORT/DATABASE` (a password in it is taken out).
    pub address: String,
    /// The database password (kept in the OS keyring), unless in the address or kept.
    pub password: Option<String>,
    /// A CA certificate file to check the server's against (`sslmode=verify-full`).
    pub ca_file: Option<String>,
}

impl std::fmt::Debug for SharedStoreInput {
    /// Never the password, nor one typed inside the address.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedStoreInput")
            .field("address", &paydesk_store::postgres_display(&self.address))
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

/// The store database as Settings shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StoreView {
    /// What the data folder names: used from the next start.
    pub chosen: StoreLocation,
    /// Where this running PayDesk keeps its invoices.
    pub in_use: StoreLocation,
    /// Whether PayDesk must start again to use the chosen one.
    pub restart_needed: bool,
    /// How many invoices a move just copied.
    #[ts(type = "number | null")]
    pub copied: Option<u64>,
}

/// A shared store's address, checked: `postgres://` or `postgresql://`, a user, a host,
/// a database, a known `sslmode` and a readable `sslrootcert`; the password kept apart.
#[derive(Debug, Clone)]
pub struct SharedStoreAddress {
    url: url::Url,
}

impl SharedStoreAddress {
    /// Reads an address a merchant typed; a password inside it is taken out and returned.
    pub fn parse(input: &str) -> Result<(SharedStoreAddress, Option<SecretString>)> {
        let bad =
            |m: String| EngineError::coded("url", paydesk_core::InputCode::NotADatabaseAddress, m);
        let mut url = url::Url::parse(input.trim()).map_err(|e| {
            bad(format!(
                "not a database address ({e}); write postgres://USER@HOST:PORT/DATABASE"
            ))
        })?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(bad(format!(
                "{}: is not PostgreSQL; write postgres://USER@HOST:PORT/DATABASE",
                url.scheme()
            )));
        }
        if url.host_str().filter(|h| !h.is_empty()).is_none() {
            return Err(bad("names no server (postgres://USER@HOST/DATABASE)".into()));
        }
        if url.username().is_empty() {
            return Err(bad("names no user (postgres://USER@HOST/DATABASE)".into()));
        }
        if url.path().trim_matches('/').is_empty() {
            return Err(bad(
                "names no database (postgres://USER@HOST/DATABASE)".into()
            ));
        }
        for (k, v) in url.query_pairs() {
            match &*k {
                "sslmode" if !SSL_MODES.contains(&&*v) => {
                    return Err(bad(format!(
                        "sslmode={v} is not one of {}",
                        SSL_MODES.join(", ")
                    )))
                }
                "sslrootcert" if !Path::new(&*v).is_file() => {
                    return Err(bad(format!("sslrootcert: no file {v}")))
                }
                "password" => {
                    return Err(bad("give the password apart, not in the address".into()))
                }
                _ => {}
            }
        }
        let password = url
            .password()
            .filter(|p| !p.is_empty())
            .map(|p| {
                percent_encoding::percent_decode_str(p)
                    .decode_utf8()
                    .map(|p| SecretString::from(p.into_owned()))
                    .map_err(|_| bad("the password is not UTF-8".into()))
            })
            .transpose()?;
        let _ = url.set_password(None);
        Ok((SharedStoreAddress { url }, password))
    }

    /// `input` with a CA file to check the server's certificate against
    /// (`sslrootcert`, and `sslmode=verify-full` unless the address names a mode).
    fn with_ca_file(input: &str, ca_file: &Path) -> Result<String> {
        let mut url = url::Url::parse(input.trim()).map_err(|e| {
            EngineError::coded(
                "url",
                paydesk_core::InputCode::NotADatabaseAddress,
                format!("not a database address ({e})"),
            )
        })?;
        if !ca_file.is_file() {
            return Err(EngineError::coded(
                "ca_file",
                paydesk_core::InputCode::CaFile,
                format!("no file {}", ca_file.display()),
            ));
        }
        let ca = std::path::absolute(ca_file).unwrap_or_else(|_| ca_file.to_path_buf());
        let has_mode = url.query_pairs().any(|(k, _)| k == "sslmode");
        let mut q = url.query_pairs_mut();
        q.append_pair("sslrootcert", &ca.to_string_lossy());
        if !has_mode {
            q.append_pair("sslmode", "verify-full");
        }
        drop(q);
        Ok(url.to_string())
    }

    /// The address without a password.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The keyring entry of this database's password: one per user, server and
    /// database, so every data folder pointed at it shares it.
    fn secret_name(&self) -> String {
        format!(
            "postgres:{}@{}:{}{}",
            self.url.username(),
            self.url.host_str().unwrap_or_default(),
            self.url.port().unwrap_or(5432),
            self.url.path()
        )
    }

    fn with_password(&self, password: Option<&SecretString>) -> String {
        let mut url = self.url.clone();
        if let Some(p) = password {
            let encoded = percent_encoding::utf8_percent_encode(
                p.expose_secret(),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string();
            let _ = url.set_password(Some(&encoded));
        }
        url.to_string()
    }
}

#[derive(Serialize, Deserialize)]
struct LocationFile {
    postgres: String,
}

/// Where `data_dir`'s store is.
pub fn store_location(data_dir: &Path) -> Result<StoreLocation> {
    Ok(match read_location(data_dir)? {
        Some(a) => StoreLocation::Postgres {
            url: a.as_str().to_string(),
        },
        None => StoreLocation::Local {
            path: data_dir.join(paydesk_store::DB_FILE),
        },
    })
}

fn read_location(data_dir: &Path) -> Result<Option<SharedStoreAddress>> {
    let file = data_dir.join(LOCATION_FILE);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(EngineError::Internal(format!("{}: {e}", file.display()))),
    };
    let saved: LocationFile = serde_json::from_str(&text).map_err(|e| {
        EngineError::Internal(format!(
            "{} cannot be read ({e}); was it edited by hand?",
            file.display()
        ))
    })?;
    Ok(Some(SharedStoreAddress::parse(&saved.postgres)?.0))
}

/// Opens the data folder's store: the SQLite file, or the shared database with its
/// password from the keyring.
pub(crate) async fn open_store(data_dir: &Path, secrets: &SecretStore) -> Result<Store> {
    match read_location(data_dir)? {
        None => Ok(Store::open(data_dir).await?),
        Some(address) => connect(&address, secrets, None).await,
    }
}

async fn connect(
    address: &SharedStoreAddress,
    secrets: &SecretStore,
    password: Option<&SecretString>,
) -> Result<Store> {
    let kept;
    let password = match password {
        Some(p) => Some(p),
        None => {
            kept = secrets.get(Owner::Store, &address.secret_name())?;
            kept.as_ref()
        }
    };
    Ok(Store::connect_postgres(&address.with_password(password)).await?)
}

/// Moves `data_dir`'s whole local history (invoices with their audit log and messages,
/// customers, accounts, channels, settings) into a shared PostgreSQL store, checks
/// counts and sums on both sides, and then points the data folder at it. The SQLite
/// file is kept as it was. Run twice, or from a second counter, nothing is copied twice.
#[tracing::instrument(level = "info", skip_all, err(level = "info"))]
pub async fn move_to_shared_store(
    data_dir: &Path,
    secrets: &SecretStore,
    input: &SharedStoreInput,
) -> Result<(StoreLocation, paydesk_store::MoveReport)> {
    let (address, password) = input.parts()?;
    if !data_dir.join(paydesk_store::DB_FILE).is_file() {
        return Err(EngineError::input(
            "data_dir",
            format!("{} holds no local store to move", data_dir.display()),
        ));
    }
    let shared = connect(&address, secrets, password.as_ref()).await?;
    let local = Store::open(data_dir).await?;
    let report = local.copy_into(&shared).await;
    local.close().await;
    shared.close().await;
    let report = report?;
    let location = remember(data_dir, secrets, &address, password.as_ref())?;
    Ok((location, report))
}

/// Points `data_dir` at a shared PostgreSQL store: connects first (and migrates it
/// forward), and only then keeps the password in the keyring and the address in the
/// data folder; a wrong address or password changes nothing.
#[tracing::instrument(level = "info", skip_all, err(level = "info"))]
pub async fn use_shared_store(
    data_dir: &Path,
    secrets: &SecretStore,
    input: &SharedStoreInput,
) -> Result<StoreLocation> {
    let (address, password) = input.parts()?;
    connect(&address, secrets, password.as_ref())
        .await?
        .close()
        .await;
    remember(data_dir, secrets, &address, password.as_ref())
}

/// Keeps a shared store that answered: its password in the keyring, its address in the
/// data folder (written whole or not at all).
fn remember(
    data_dir: &Path,
    secrets: &SecretStore,
    address: &SharedStoreAddress,
    password: Option<&SecretString>,
) -> Result<StoreLocation> {
    if let Some(p) = password {
        secrets.set(Owner::Store, &address.secret_name(), p)?;
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| EngineError::Internal(format!("{}: {e}", data_dir.display())))?;
    let text = serde_json::to_string_pretty(&LocationFile {
        postgres: address.as_str().to_string(),
    })
    .map_err(|e| EngineError::Internal(e.to_string()))?;
    let tmp = data_dir.join(format!("{LOCATION_FILE}.new"));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, data_dir.join(LOCATION_FILE)))
        .map_err(|e| EngineError::Internal(format!("{}: {e}", data_dir.display())))?;
    store_location(data_dir)
}

/// Points `data_dir` back at its own SQLite file (kept all along); the shared
/// database and its password stay as they are.
pub fn use_local_store(data_dir: &Path) -> Result<StoreLocation> {
    match std::fs::remove_file(data_dir.join(LOCATION_FILE)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(EngineError::Internal(format!(
                "{}: {e}",
                data_dir.display()
            )))
        }
    }
    store_location(data_dir)
}

impl SharedStoreInput {
    /// The address checked (with its CA file), and its password: the one typed beside
    /// it, else one typed inside it.
    fn parts(&self) -> Result<(SharedStoreAddress, Option<SecretString>)> {
        let ca = self
            .ca_file
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let address = match ca {
            Some(ca) => SharedStoreAddress::with_ca_file(&self.address, Path::new(ca))?,
            None => self.address.clone(),
        };
        let (address, in_address) = SharedStoreAddress::parse(&address)?;
        let typed = self
            .password
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| SecretString::from(p.to_string()));
        Ok((address, typed.or(in_address)))
    }
}

impl crate::Engine {
    /// The store database: the one chosen for this data folder and the one in use.
    pub fn store_view(&self) -> Result<StoreView> {
        self.store_view_with(None)
    }

    fn store_view_with(&self, copied: Option<u64>) -> Result<StoreView> {
        let chosen = store_location(self.data_dir())?;
        let store = self.store();
        let in_use = match store.backend() {
            paydesk_store::Backend::Sqlite => StoreLocation::Local {
                path: store.path().to_path_buf(),
            },
            paydesk_store::Backend::Postgres => StoreLocation::Postgres {
                url: store.path().display().to_string(),
            },
        };
        let restart_needed = match (&chosen, &in_use) {
            (StoreLocation::Local { .. }, StoreLocation::Local { .. }) => false,
            (StoreLocation::Postgres { url }, StoreLocation::Postgres { url: shown }) => {
                paydesk_store::postgres_display(url) != *shown
            }
            _ => true,
        };
        Ok(StoreView {
            chosen,
            in_use,
            restart_needed,
            copied,
        })
    }

    /// Chooses a shared PostgreSQL store for this data folder (used from the next start).
    pub async fn use_shared_store(&self, input: &SharedStoreInput) -> Result<StoreView> {
        use_shared_store(self.data_dir(), &self.inner.secrets, input).await?;
        self.store_view()
    }

    /// Moves this data folder's local history into a shared store and chooses it.
    pub async fn move_to_shared_store(&self, input: &SharedStoreInput) -> Result<StoreView> {
        let (_, report) = move_to_shared_store(self.data_dir(), &self.inner.secrets, input).await?;
        self.store_view_with(Some(report.invoices_copied))
    }

    /// Chooses this computer's own file again (used from the next start).
    pub fn use_local_store(&self) -> Result<StoreView> {
        use_local_store(self.data_dir())?;
        self.store_view()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_checked_and_its_password_taken_out() {
        let (a, p) = SharedStoreAddress::parse(
            "postgres://shop:p%40ss%20word@db.shop.lan:5433/paydesk?sslmode=verify-full",
        )
        .unwrap();
        assert_eq!(
            a.as_str(),
            "postgres://shop@db.shop.lan:5433/paydesk?sslmode=verify-full"
        );
        assert_eq!(p.unwrap().expose_secret(), "p@ss word");
        assert_eq!(a.secret_name(), "postgres:shop@db.shop.lan:5433/paydesk");
        let back = a.with_password(Some(&SecretString::from("p@ss word".to_string())));
        assert_eq!(
            url::Url::parse(&back).unwrap().password(),
            Some("p%40ss%20word")
        );
        for (bad, says) in [
            ("mysql://a@b/c", "not PostgreSQL"),
            ("postgres://b/c", "no user"),
            ("postgres://a@b", "no database"),
            ("postgres://a@b/c?sslmode=sometimes", "sslmode"),
            (
                "postgres://a@b/c?sslrootcert=/nonexistent/ca.pem",
                "sslrootcert",
            ),
            ("postgres://a@b/c?password=x", "apart"),
            ("db.shop.lan", "not a database address"),
        ] {
            let err = SharedStoreAddress::parse(bad).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(says), "{bad}: {text}");
            assert!(
                matches!(&err, EngineError::Input(f) if f[0].field == "url"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_ca_file_asks_for_a_verified_server() {
        let dir = std::env::temp_dir();
        let ca = dir.join(format!("paydesk-ca-{}.pem", std::process::id()));
        std::fs::write(&ca, "-----BEGIN CERTIFICATE-----").unwrap();
        let with = SharedStoreAddress::with_ca_file("postgres://a@db.lan/pd", &ca).unwrap();
        let (a, _) = SharedStoreAddress::parse(&with).unwrap();
        let q: Vec<(String, String)> = a.url.query_pairs().into_owned().collect();
        assert!(
            q.contains(&("sslmode".into(), "verify-full".into())),
            "{q:?}"
        );
        assert!(q.contains(&("sslrootcert".into(), ca.to_string_lossy().into_owned())));
        // A mode the merchant wrote stays.
        let kept =
            SharedStoreAddress::with_ca_file("postgres://a@db.lan/pd?sslmode=verify-ca", &ca)
                .unwrap();
        assert!(!kept.contains("verify-full"), "{kept}");
        let missing =
            SharedStoreAddress::with_ca_file("postgres://a@db.lan/pd", &dir.join("none.pem"));
        assert!(matches!(missing, Err(EngineError::Input(f)) if f[0].field == "ca_file"));
        std::fs::remove_file(ca).unwrap();
    }
}
