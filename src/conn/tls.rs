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
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
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

/// The TLS-related connection settings, as given (paths or `None` for the defaults).
#[derive(Debug, Clone, Copy)]
pub struct TlsSettings<'a> {
    pub sslmode: SslMode,
    pub sslrootcert: Option<&'a str>,
    pub sslcert: Option<&'a str>,
    pub sslkey: Option<&'a str>,
}

/// Decide the TLS setup. `home` locates the defaults `~/.postgresql/root.crt`,
/// `postgresql.crt` and `postgresql.key`; `socket` is true for Unix-socket connections
/// (never TLS).
pub fn plan(
    settings: &TlsSettings<'_>,
    home: Option<&Path>,
    socket: bool,
) -> Result<TlsPlan, String> {
    let TlsSettings {
        sslmode,
        sslrootcert,
        ..
    } = *settings;
    use tokio_postgres::config::SslMode as Pg;
    let provider = provider();
    if socket || sslmode == SslMode::Disable {
        return Ok(TlsPlan {
            mode: Pg::Disable,
            verification: Verification::Off,
            connector: connector(&provider, Arc::new(NoVerification(provider.clone())), None)?,
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
    let client_cert = client_certificate(settings, home)?;
    Ok(TlsPlan {
        mode,
        verification,
        connector: connector(&provider, verifier, client_cert)?,
    })
}

/// A client certificate chain and its key, for servers that authenticate clients by
/// certificate (`clientcert=` / `cert` in pg_hba.conf).
type ClientCert = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// `sslcert` / `sslkey`, else `~/.postgresql/postgresql.crt` / `.key` when the certificate
/// exists (as libpq). An explicitly named file that is missing is an error, and so is a key
/// file others can read (libpq's rule: 0600 or less, or 0640 when owned by root).
fn client_certificate(
    settings: &TlsSettings<'_>,
    home: Option<&Path>,
) -> Result<Option<ClientCert>, String> {
    let dir = home.map(|h| h.join(".postgresql"));
    let cert_path = match settings.sslcert {
        Some(path) => PathBuf::from(path),
        None => match dir.as_ref().map(|d| d.join("postgresql.crt")) {
            Some(path) if path.is_file() => path,
            _ => return Ok(None),
        },
    };
    let key_path = match settings.sslkey {
        Some(path) => PathBuf::from(path),
        None => match dir.as_ref() {
            Some(d) => d.join("postgresql.key"),
            None => return Err("sslcert is given but not sslkey".into()),
        },
    };
    let text = std::fs::read(&cert_path).map_err(|e| {
        format!(
            "cannot read client certificate file {}: {e}",
            cert_path.display()
        )
    })?;
    let chain = rustls_pemfile::certs(&mut std::io::BufReader::new(text.as_slice()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            format!(
                "cannot parse client certificate file {}: {e}",
                cert_path.display()
            )
        })?;
    if chain.is_empty() {
        return Err(format!(
            "client certificate file {} holds no PEM certificate",
            cert_path.display()
        ));
    }
    check_key_permissions(&key_path)?;
    let text = std::fs::read(&key_path)
        .map_err(|e| format!("cannot read private key file {}: {e}", key_path.display()))?;
    let key = rustls_pemfile::private_key(&mut std::io::BufReader::new(text.as_slice()))
        .map_err(|e| format!("cannot parse private key file {}: {e}", key_path.display()))?
        .ok_or_else(|| {
            format!(
                "private key file {} holds no PEM private key",
                key_path.display()
            )
        })?;
    Ok(Some((chain, key)))
}

fn check_key_permissions(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read private key file {}: {e}", path.display()))?;
    let mode = meta.mode() & 0o777;
    let allowed = if meta.uid() == 0 { 0o640 } else { 0o600 };
    if mode & !allowed != 0 {
        return Err(format!(
            "private key file {} has group or world access (mode {mode:o}); permissions should be u=rw (0600) or less",
            path.display()
        ));
    }
    Ok(())
}

fn connector(
    provider: &Arc<CryptoProvider>,
    verifier: Arc<dyn ServerCertVerifier>,
    client_cert: Option<ClientCert>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match client_cert {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .map_err(|e| format!("cannot use the client certificate and key: {e}"))?,
        None => builder.with_no_client_auth(),
    };
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

    fn st(sslmode: SslMode, sslrootcert: Option<&str>) -> TlsSettings<'_> {
        TlsSettings {
            sslmode,
            sslrootcert,
            sslcert: None,
            sslkey: None,
        }
    }

    #[test]
    fn modes_map_to_tokio_postgres_and_verifiers() {
        use tokio_postgres::config::SslMode as Pg;
        let dir = tempfile::tempdir().unwrap();
        let p = plan(&st(SslMode::Disable, None), Some(dir.path()), false).unwrap();
        assert_eq!((p.mode, p.verification), (Pg::Disable, Verification::Off));
        let p = plan(&st(SslMode::Require, None), Some(dir.path()), true).unwrap();
        assert_eq!((p.mode, p.verification), (Pg::Disable, Verification::Off));
        let p = plan(&st(SslMode::Prefer, None), Some(dir.path()), false).unwrap();
        assert_eq!((p.mode, p.verification), (Pg::Prefer, Verification::None));
        let p = plan(&st(SslMode::Require, None), Some(dir.path()), false).unwrap();
        assert_eq!((p.mode, p.verification), (Pg::Require, Verification::None));
        let p = plan(&st(SslMode::VerifyFull, Some("system")), None, false).unwrap();
        assert_eq!(
            (p.mode, p.verification),
            (Pg::Require, Verification::Full(RootSource::System))
        );
        let e = plan(&st(SslMode::Require, Some("system")), None, false)
            .err()
            .unwrap();
        assert!(e.contains("weak sslmode"), "{e}");
        let e = plan(&st(SslMode::VerifyCa, None), Some(dir.path()), false)
            .err()
            .unwrap();
        assert!(e.contains("sslrootcert") && e.contains("root.crt"), "{e}");
        let missing = dir.path().join("nope.pem");
        let e = plan(&st(SslMode::Require, missing.to_str()), None, false)
            .err()
            .unwrap();
        assert!(e.contains("nope.pem"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = plan(&st(SslMode::VerifyFull, empty.to_str()), None, false)
            .err()
            .unwrap();
        assert!(e.contains("no PEM certificate"), "{e}");
    }
}
