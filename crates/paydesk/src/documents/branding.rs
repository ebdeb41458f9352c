//! The store's logo: one PNG or JPEG file in the data folder (`logo`), printed on
//! slips and invoice PDFs and shown at the top of e-mails.

use base64::Engine as _;
use paydesk_core::{InputCode, InputError};
use paydesk_slips::{Logo, SlipError};

use crate::{context::internal, Engine, EngineError, Result};

const LOGO_FILE: &str = "logo";

/// A logo the engine has read: the file's bytes, and the image they were checked to be.
#[derive(Debug, Clone)]
pub struct StoreLogo {
    /// The logo file as it was given.
    pub bytes: Vec<u8>,
    /// The image those bytes were checked to be.
    pub decoded: Logo,
}

fn checked(bytes: &[u8]) -> std::result::Result<StoreLogo, InputError> {
    let decoded = Logo::decode(bytes).map_err(|e| match e {
        SlipError::Logo(m) => InputError::new("logo", m).code(InputCode::Logo),
        other => InputError::new("logo", other).code(InputCode::Logo),
    })?;
    Ok(StoreLogo {
        bytes: bytes.to_vec(),
        decoded,
    })
}

impl Engine {
    /// Keeps `bytes` (a PNG or JPEG, at most 1 MB and 2,000 pixels a side) as the
    /// store's logo. A file that is not such an image is refused and the logo kept
    /// before stays.
    #[tracing::instrument(level = "debug", skip(self, bytes), err(level = "info"))]
    pub fn set_logo(&self, bytes: &[u8]) -> Result<()> {
        checked(bytes).map_err(|e| EngineError::Input(vec![e]))?;
        let path = self.data_dir().join(LOGO_FILE);
        let tmp = self.data_dir().join(format!("{LOGO_FILE}.new"));
        std::fs::write(&tmp, bytes).map_err(internal)?;
        std::fs::rename(&tmp, &path).map_err(internal)?;
        tracing::info!(bytes = bytes.len(), "store logo saved");
        Ok(())
    }

    /// The same, from the window: the file's bytes in standard base64.
    #[tracing::instrument(level = "debug", skip(self, data), err(level = "info"))]
    pub fn set_logo_base64(&self, data: &str) -> Result<()> {
        // Longer text than the largest logo's base64 is refused before it is decoded.
        if data.trim().len() > paydesk_slips::LOGO_MAX_BYTES.div_ceil(3) * 4 {
            return Err(EngineError::coded(
                "logo",
                paydesk_core::InputCode::Logo,
                format!(
                    "is more than {} KB; at most that is taken",
                    paydesk_slips::LOGO_MAX_BYTES / 1024
                ),
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| {
                EngineError::coded(
                    "logo",
                    paydesk_core::InputCode::Logo,
                    format!("is not base64 ({e})"),
                )
            })?;
        self.set_logo(&bytes)
    }

    /// Removes the logo (slips and e-mails go out without one).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub fn remove_logo(&self) -> Result<()> {
        match std::fs::remove_file(self.data_dir().join(LOGO_FILE)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(internal(e)),
        }
    }

    /// The logo, if one is kept. A file changed behind PayDesk's back that is no longer a
    /// usable image is left out (and logged) rather than stopping every print.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub fn logo(&self) -> Result<Option<StoreLogo>> {
        let bytes = match std::fs::read(self.data_dir().join(LOGO_FILE)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(internal(e)),
        };
        match checked(&bytes) {
            Ok(l) => Ok(Some(l)),
            Err(e) => {
                tracing::warn!(error = %e, "the store logo file is not usable; printing without it");
                Ok(None)
            }
        }
    }

    /// The logo as a `data:` URL for the window's preview, or `None`.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub fn logo_data_url(&self) -> Result<Option<String>> {
        Ok(self.logo()?.map(|l| {
            format!(
                "data:{};base64,{}",
                l.decoded.mime(),
                base64::engine::general_purpose::STANDARD.encode(&l.bytes)
            )
        }))
    }
}
