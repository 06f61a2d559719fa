//! TLS with rustls (ring provider), following libpq's `sslmode` semantics:
//!
//! | sslmode | encrypts | verifies chain | verifies host name |
//! | --- | --- | --- | --- |
//! | disable | no | | |
//! | allow, prefer | if the server offers it | only when a root certificate is available | no |
//! | require | yes | only when a root certificate is available (libpq: then like verify-ca) | no |
//! | verify-ca | yes | yes | no |
//! | verify-full | yes | yes | yes |
//!
//! The root certificate is `sslrootcert` (a PEM file, or `system` for the bundled Mozilla
//! roots), else `~/.postgresql/root.crt` when it exists. tokio-postgres itself knows only
//! disable/prefer/require; the verify modes are `Require` plus the matching verifier here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::resolve::SslMode;

/// What TLS will do for a connection, decided once when the endpoint is parsed.
#[derive(Clone)]
pub struct TlsPlan {
    /// The mode handed to tokio-postgres.
    pub mode: tokio_postgres::config::SslMode,
    /// What the verifier checks, for logs and tests.
    pub verification: Verification,
    pub connector: tokio_postgres_rustls::MakeRustlsConnect,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// No TLS at all (sslmode=disable, or a Unix socket).
    Off,
    /// Encrypted, server certificate not checked.
    None,
    /// Chain checked against the roots, host name not checked.
    Chain(RootSource),
    /// Chain and host name checked.
    Full(RootSource),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootSource {
    File(PathBuf),
    System,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Decide the TLS setup for `sslmode` / `sslrootcert`. `home` locates the default
/// `~/.postgresql/root.crt`; `socket` is true for Unix-socket connections (never TLS).
pub fn plan(
    sslmode: SslMode,
    sslrootcert: Option<&str>,
    home: Option<&Path>,
    socket: bool,
) -> Result<TlsPlan, String> {
    use tokio_postgres::config::SslMode as Pg;
    let provider = provider();
    if socket || sslmode == SslMode::Disable {
        return Ok(TlsPlan {
            mode: Pg::Disable,
            verification: Verification::Off,
            connector: connector(&provider, Arc::new(NoVerification(provider.clone())))?,
        });
    }
    let verify = matches!(sslmode, SslMode::VerifyCa | SslMode::VerifyFull);
    let roots: Option<(RootCertStore, RootSource)> = match sslrootcert {
        Some("system") => {
            // libpq 16+: the system roots are only meaningful with host-name checks.
            if sslmode != SslMode::VerifyFull {
                return Err(format!(
                    "weak sslmode \"{}\" may not be used with sslrootcert=system (use \"verify-full\")",
                    sslmode.as_str()
                ));
            }
            let store = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            Some((store, RootSource::System))
        }
        // An explicitly named file must exist, whatever the mode: silently skipping
        // verification because of a typo in a path is worse than failing.
        Some(path) => Some((load_roots(Path::new(path))?, RootSource::File(path.into()))),
        None => {
            let default = home.map(|h| h.join(".postgresql").join("root.crt"));
            match default.filter(|p| p.is_file()) {
                Some(path) => Some((load_roots(&path)?, RootSource::File(path))),
                None if verify => {
                    return Err(format!(
                        "sslmode={} needs a root certificate to verify the server: give sslrootcert=FILE (or sslrootcert=system), or put the CA certificate in ~/.postgresql/root.crt",
                        sslmode.as_str()
                    ))
                }
                None => None,
            }
        }
    };
    let mode = match sslmode {
        SslMode::Allow | SslMode::Prefer => Pg::Prefer,
        _ => Pg::Require,
    };
    let (verifier, verification): (Arc<dyn ServerCertVerifier>, Verification) = match roots {
        None => (
            Arc::new(NoVerification(provider.clone())),
            Verification::None,
        ),
        Some((store, source)) => {
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
                    .build()
                    .map_err(|e| format!("cannot use the root certificates: {e}"))?;
            if sslmode == SslMode::VerifyFull {
                (webpki, Verification::Full(source))
            } else {
                // libpq: with a root certificate, prefer/require verify the chain like verify-ca.
                (Arc::new(ChainOnly(webpki)), Verification::Chain(source))
            }
        }
    };
    Ok(TlsPlan {
        mode,
        verification,
        connector: connector(&provider, verifier)?,
    })
}

fn connector(
    provider: &Arc<CryptoProvider>,
    verifier: Arc<dyn ServerCertVerifier>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Read every certificate of a PEM file into a root store.
fn load_roots(path: &Path) -> Result<RootCertStore, String> {
    let text = std::fs::read(path)
        .map_err(|e| format!("cannot read root certificate file {}: {e}", path.display()))?;
    let mut store = RootCertStore::empty();
    let mut reader = std::io::BufReader::new(text.as_slice());
    for cert in rustls_pemfile::certs(&mut reader) {
        let cert = cert
            .map_err(|e| format!("cannot parse root certificate file {}: {e}", path.display()))?;
        store.add(cert).map_err(|e| {
            format!(
                "invalid certificate in root certificate file {}: {e}",
                path.display()
            )
        })?;
    }
    if store.is_empty() {
        return Err(format!(
            "root certificate file {} holds no PEM certificate",
            path.display()
        ));
    }
    Ok(store)
}

/// sslmode=require without a root certificate: encrypt, accept any certificate (libpq does
/// the same). Handshake signatures are still checked, so the peer holds the cert's key.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// verify-ca: the full WebPKI check, except that a certificate not valid for the host name
/// is accepted. rustls checks the chain before the name, so a name error means the chain
/// (issuer, validity dates, key usage) already passed.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_map_to_tokio_postgres_and_verifiers() {
        use tokio_postgres::config::SslMode as Pg;
        let dir = tempfile::tempdir().unwrap();
        let p = plan(SslMode::Disable, None, Some(dir.path()), false).unwrap();
        assert_eq!((p.mode, p.verification), (Pg::Disable, Verification::Off));
        let p = plan(SslMode::Require, None, Some(dir.path()), true).unwrap();
        assert_eq!((p.mode, p.verification), (Pg::Disable, Verification::Off));
        let p = plan(SslMode::Prefer, None, Some(dir.path()), false).unwrap();
        assert_eq!((p.mode, p.verification), (Pg::Prefer, Verification::None));
        let p = plan(SslMode::Require, None, Some(dir.path()), false).unwrap();
        assert_eq!((p.mode, p.verification), (Pg::Require, Verification::None));
        let p = plan(SslMode::VerifyFull, Some("system"), None, false).unwrap();
        assert_eq!(
            (p.mode, p.verification),
            (Pg::Require, Verification::Full(RootSource::System))
        );
        let e = plan(SslMode::Require, Some("system"), None, false)
            .err()
            .unwrap();
        assert!(e.contains("weak sslmode"), "{e}");
        let e = plan(SslMode::VerifyCa, None, Some(dir.path()), false)
            .err()
            .unwrap();
        assert!(e.contains("sslrootcert") && e.contains("root.crt"), "{e}");
        let missing = dir.path().join("nope.pem");
        let e = plan(SslMode::Require, missing.to_str(), None, false)
            .err()
            .unwrap();
        assert!(e.contains("nope.pem"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = plan(SslMode::VerifyFull, empty.to_str(), None, false)
            .err()
            .unwrap();
        assert!(e.contains("no PEM certificate"), "{e}");
    }
}
