//! TLS against real servers with certificates generated here (rcgen): every sslmode, with
//! the right root certificate, a wrong one and none, host names that match the certificate
//! and one that does not; `pg_stat_ssl` proves the session is encrypted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pgsyncer::conn::{ConnectError, Defaults, Endpoint, RootSource, Side, Verification};
use pgsyncer::sandbox::{Sandbox, SandboxOptions, TlsFiles, SANDBOX_PASSWORD, SANDBOX_USER};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

const T: Duration = Duration::from_secs(10);

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A server certificate for `localhost` and `127.0.0.1`, signed by `issuer` or self-signed.
fn server_cert(issuer: Option<&CertifiedIssuer<'static, KeyPair>>) -> TlsFiles {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = match issuer {
        Some(issuer) => params.signed_by(&key, issuer).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    TlsFiles {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

async fn start(tls: TlsFiles) -> Sandbox {
    tokio::task::spawn_blocking(move || {
        Sandbox::start_with(SandboxOptions {
            tls: Some(tls),
            ..Default::default()
        })
    })
    .await
    .unwrap()
    .unwrap()
}

/// Parse with no PG* variables and a home without `~/.postgresql/root.crt`.
fn endpoint(dsn: &str, home: &Path) -> Result<Endpoint, ConnectError> {
    endpoint_env(dsn, home, &[])
}

/// Parse with the PG* variables `env` in place of the process's.
fn endpoint_env(dsn: &str, home: &Path, env: &[(&str, &str)]) -> Result<Endpoint, ConnectError> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Endpoint::parse_with(
        Side::Main,
        dsn,
        T,
        &move |k: &str| env.get(k).cloned(),
        &Defaults {
            os_user: Some("nobody-in-particular".into()),
            home: Some(home.to_path_buf()),
            socket_dir: "/nonexistent".into(),
        },
    )
}

fn dsn(host: &str, port: u16, query: &str) -> String {
    format!("postgres://{SANDBOX_USER}:{SANDBOX_PASSWORD}@{host}:{port}/postgres?{query}")
}

/// Connect and report whether the session is encrypted, according to the server.
async fn connect_ssl(dsn: &str, home: &Path) -> Result<bool, String> {
    let endpoint = endpoint(dsn, home).map_err(|e| e.to_string())?;
    let session = endpoint.connect().await.map_err(|e| {
        let text = pgsyncer::error::report(&e);
        assert!(!text.contains(SANDBOX_PASSWORD), "{text}");
        text
    })?;
    let ssl: bool = session
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    Ok(ssl)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn ca_signed_server_every_sslmode() {
    let ca = ca("pgsyncer test CA");
    let other_ca = ca_other();
    let server = start(server_cert(Some(&ca))).await;
    let port = server.port();
    let home = tempfile::tempdir().unwrap();
    let ca_pem = write(home.path(), "ca.pem", &ca.pem());
    let other_pem = write(home.path(), "other-ca.pem", &other_ca.pem());
    let ca_path = ca_pem.display().to_string();
    let other_path = other_pem.display().to_string();
    let h = home.path();

    // disable: plain text even though the server offers TLS.
    assert_eq!(
        connect_ssl(&dsn("127.0.0.1", port, "sslmode=disable"), h).await,
        Ok(false)
    );
    // prefer (the default) and require: encrypted, certificate not checked without a root.
    assert_eq!(connect_ssl(&dsn("127.0.0.1", port, ""), h).await, Ok(true));
    assert_eq!(
        connect_ssl(&dsn("127.0.0.1", port, "sslmode=require"), h).await,
        Ok(true)
    );

    // verify-full: chain and host name, by name and by IP address.
    for host in ["localhost", "127.0.0.1"] {
        let q = format!("sslmode=verify-full&sslrootcert={ca_path}");
        let e = endpoint(&dsn(host, port, &q), h).unwrap();
        assert_eq!(
            e.tls_verification(),
            &Verification::Full(RootSource::File(ca_pem.clone()))
        );
        assert_eq!(
            connect_ssl(&dsn(host, port, &q), h).await,
            Ok(true),
            "{host}"
        );
    }
    // verify-full with another CA as root: rejected, and the error says why.
    let q = format!("sslmode=verify-full&sslrootcert={other_path}");
    let err = connect_ssl(&dsn("localhost", port, &q), h)
        .await
        .unwrap_err();
    assert!(err.contains("main (localhost:"), "{err}");
    assert!(
        err.contains("TLS") && err.to_lowercase().contains("issuer"),
        "{err}"
    );

    // A host name the certificate does not cover (TCP to 127.0.0.1 through hostaddr):
    // verify-full refuses, verify-ca (chain only) accepts.
    let kv = |mode: &str, root: &str| {
        format!(
            "host=db.invalid hostaddr=127.0.0.1 port={port} user={SANDBOX_USER} password={SANDBOX_PASSWORD} dbname=postgres sslmode={mode} sslrootcert={root}"
        )
    };
    let err = connect_ssl(&kv("verify-full", &ca_path), h)
        .await
        .unwrap_err();
    assert!(err.contains("db.invalid") && err.contains("TLS"), "{err}");
    assert!(err.to_lowercase().contains("name"), "{err}");
    assert_eq!(connect_ssl(&kv("verify-ca", &ca_path), h).await, Ok(true));
    // verify-ca still checks the chain.
    assert!(connect_ssl(&kv("verify-ca", &other_path), h).await.is_err());

    // libpq: require with a root certificate verifies the chain like verify-ca.
    assert_eq!(connect_ssl(&kv("require", &ca_path), h).await, Ok(true));
    let err = connect_ssl(&kv("require", &other_path), h)
        .await
        .unwrap_err();
    assert!(err.to_lowercase().contains("issuer"), "{err}");

    // PGSSLMODE and PGSSLROOTCERT fill in what the DSN leaves out.
    let url = format!("postgres://{SANDBOX_USER}:{SANDBOX_PASSWORD}@localhost:{port}/postgres");
    let env = [
        ("PGSSLMODE", "verify-full"),
        ("PGSSLROOTCERT", ca_path.as_str()),
    ];
    let e = endpoint_env(&url, h, &env).unwrap();
    assert_eq!(
        e.tls_verification(),
        &Verification::Full(RootSource::File(ca_pem.clone()))
    );
    let session = e.connect().await.unwrap();
    let ssl: bool = session
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(ssl);
    let env = [
        ("PGSSLMODE", "verify-full"),
        ("PGSSLROOTCERT", other_path.as_str()),
    ];
    assert!(endpoint_env(&url, h, &env)
        .unwrap()
        .connect()
        .await
        .is_err());

    // ~/.postgresql/root.crt is the default root. With the wrong CA there, prefer's
    // handshake fails and, as in libpq, it falls back to plain text; require fails.
    std::fs::create_dir(h.join(".postgresql")).unwrap();
    write(&h.join(".postgresql"), "root.crt", &other_ca.pem());
    assert_eq!(
        connect_ssl(&dsn("localhost", port, "sslmode=prefer"), h).await,
        Ok(false)
    );
    assert!(connect_ssl(&dsn("localhost", port, "sslmode=require"), h)
        .await
        .is_err());
    // With the right CA there, verify-full works without sslrootcert.
    write(&h.join(".postgresql"), "root.crt", &ca.pem());
    assert_eq!(
        connect_ssl(&dsn("localhost", port, "sslmode=prefer"), h).await,
        Ok(true)
    );
    assert_eq!(
        connect_ssl(&dsn("localhost", port, "sslmode=verify-full"), h).await,
        Ok(true)
    );
    drop(server);
}

fn ca_other() -> CertifiedIssuer<'static, KeyPair> {
    ca("some other CA")
}

#[tokio::test]
async fn self_signed_server_and_hostssl_only() {
    let server = start(server_cert(None)).await;
    let port = server.port();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let unrelated = ca("unrelated CA");
    let unrelated_pem = write(h, "unrelated.pem", &unrelated.pem());

    // require: encrypted, self-signed certificate accepted (no verification, like libpq).
    assert_eq!(
        connect_ssl(&dsn("127.0.0.1", port, "sslmode=require"), h).await,
        Ok(true)
    );
    // verify-full with no root certificate at all: refused before connecting.
    let err = endpoint(&dsn("localhost", port, "sslmode=verify-full"), h).unwrap_err();
    assert!(matches!(err, ConnectError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("sslrootcert"), "{err}");
    // verify-full with a root certificate that did not sign it: refused by the handshake.
    let q = format!(
        "sslmode=verify-full&sslrootcert={}",
        unrelated_pem.display()
    );
    let err = connect_ssl(&dsn("localhost", port, &q), h)
        .await
        .unwrap_err();
    assert!(err.contains("TLS"), "{err}");

    // Only TLS connections allowed over TCP: disable is refused by the server, require works.
    server
        .set_tcp_hba("hostssl all all 127.0.0.1/32 scram-sha-256")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let err = loop {
        match connect_ssl(&dsn("127.0.0.1", port, "sslmode=disable"), h).await {
            Err(e) => break e,
            // The postmaster reloads pg_hba.conf asynchronously.
            Ok(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Ok(_) => panic!("a plain-text connection was still accepted"),
        }
    };
    assert!(
        err.contains("no encryption") || err.contains("pg_hba.conf"),
        "{err}"
    );
    assert_eq!(
        connect_ssl(&dsn("127.0.0.1", port, "sslmode=require"), h).await,
        Ok(true)
    );
    drop(server);
}

/// A client certificate for user `cn`, signed by `issuer`; returns (cert path, key path).
fn client_cert(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    cn: &str,
    dir: &Path,
) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = params.signed_by(&key, issuer).unwrap();
    let cert_path = write(dir, &format!("{cn}.crt"), &cert.pem());
    let key_path = write(dir, &format!("{cn}.key"), &key.serialize_pem());
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    (cert_path, key_path)
}

#[tokio::test]
async fn client_certificate_authentication() {
    use std::os::unix::fs::PermissionsExt;
    let ca = ca("pgsyncer client CA");
    let server = start(server_cert(Some(&ca))).await;
    let port = server.port();
    // The server trusts client certificates signed by the CA and lets only them in over TCP.
    let ca_file = server.data_dir().join("client-ca.crt");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    std::fs::set_permissions(&ca_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let admin = server.admin_client().await.unwrap();
    admin
        .batch_execute("ALTER SYSTEM SET ssl_ca_file = 'client-ca.crt'")
        .await
        .unwrap();
    server
        .set_tcp_hba("hostssl all all 127.0.0.1/32 cert")
        .await
        .unwrap();

    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (cert, key) = client_cert(&ca, SANDBOX_USER, h);
    let ca_pem = write(h, "ca.pem", &ca.pem());
    // No password anywhere: the certificate is the credential.
    let kv = |extra: &str| {
        format!(
            "host=localhost port={port} user={SANDBOX_USER} dbname=postgres sslmode=verify-full sslrootcert={} {extra}",
            ca_pem.display()
        )
    };
    let with_cert = kv(&format!(
        "sslcert={} sslkey={}",
        cert.display(),
        key.display()
    ));
    // The reload is asynchronous: wait until certificates are required.
    let deadline = Instant::now() + Duration::from_secs(10);
    let refused = loop {
        match connect_ssl(&kv(""), h).await {
            Err(e) => break e,
            Ok(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Ok(_) => panic!("a connection without a certificate was accepted"),
        }
    };
    assert!(refused.contains("main (localhost:"), "{refused}");
    assert_eq!(connect_ssl(&with_cert, h).await, Ok(true));

    // The defaults ~/.postgresql/postgresql.crt and .key are used when present.
    std::fs::create_dir(h.join(".postgresql")).unwrap();
    std::fs::copy(&cert, h.join(".postgresql/postgresql.crt")).unwrap();
    std::fs::copy(&key, h.join(".postgresql/postgresql.key")).unwrap();
    assert_eq!(connect_ssl(&kv(""), h).await, Ok(true));

    // A key others can read is refused before connecting, naming the file.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = endpoint(&with_cert, h).unwrap_err();
    assert!(matches!(err, ConnectError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("group or world access"), "{err}");
    // A named certificate file that does not exist is an error, not silently skipped.
    let err = endpoint(
        &kv("sslcert=/nonexistent/c.crt sslkey=/nonexistent/c.key"),
        h,
    )
    .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/c.crt"), "{err}");
    drop(server);
}
