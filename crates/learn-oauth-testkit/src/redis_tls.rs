//! TLS and ACL for a test's `redis-server`: a throwaway CA made by the test, a server
//! certificate for `127.0.0.1` in files the server reads, an ACL user for the store and a
//! password for the administrator (the harness itself).

use std::io::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::ServerName;

use crate::redis_resp as resp;

/// The ACL user the store connects as: on, its password, only the store's keys, only the
/// commands the store sends.
pub const REDIS_USER: &str = "fleet";

/// [`REDIS_USER`]'s password, distinctive enough to search for in error text.
pub const REDIS_PASSWORD: &str = "redis-canary-pw-4Tx9";

/// The `default` user's password (`requirepass`): the harness's own commands.
const ADMIN_PASSWORD: &str = "redis-admin-pw-8Lm2";

/// The ACL rule for [`REDIS_USER`]: the store's keys, its publish channels and commands,
/// nothing else.
pub const REDIS_USER_ACL: &[&str] = &[
    "on",
    "resetkeys",
    "~learn-oauth:*",
    "resetchannels",
    "&learn-oauth:v1:*:published",
    "-@all",
    "+psubscribe",
    "+publish",
    "+getrange",
    "+pttl",
    "+multi",
    "+exec",
    "+time",
    "+evalsha",
    "+script|load",
    "+eval",
    "+get",
    "+set",
    "+del",
    "+type",
    "+ping",
];

/// A throwaway CA and a server certificate it signed for `127.0.0.1` and `localhost`,
/// written to a directory of this server's own (removed when dropped). The CA's key is
/// gone once made: nothing else can ever be signed by it.
#[derive(Debug)]
pub struct RedisTls {
    dir: PathBuf,
    ca_pem: String,
    client: Arc<rustls::ClientConfig>,
}

impl RedisTls {
    /// Makes the certificates and writes `ca.pem`, `server.pem` and `server.key`.
    ///
    /// # Panics
    ///
    /// When the certificates cannot be made or written.
    #[must_use]
    pub fn generate() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let (ca_pem, issuer) = throwaway_ca("learn-oauth-testkit redis CA");
        let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("server names");
        params.distinguished_name.push(DnType::CommonName, "redis-server");
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().expect("a key");
        let cert = params.signed_by(&key, &issuer).expect("signed");
        let dir = std::env::temp_dir().join(format!(
            "learn-oauth-redis-tls-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        std::fs::write(dir.join("ca.pem"), &ca_pem).expect("ca.pem written");
        std::fs::write(dir.join("server.pem"), cert.pem()).expect("server.pem written");
        std::fs::write(dir.join("server.key"), key.serialize_pem()).expect("server.key written");
        let mut roots = rustls::RootCertStore::empty();
        roots.add(issuer_der(&ca_pem)).expect("the CA is a trust anchor");
        // ring is the workspace's one provider (deny.toml); rustls deprecates naming it.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Self {
            dir,
            ca_pem,
            client: Arc::new(client),
        }
    }

    /// The CA certificate, PEM.
    #[must_use]
    pub fn ca_pem(&self) -> &[u8] {
        self.ca_pem.as_bytes()
    }

    /// The file holding [`ca_pem`](Self::ca_pem).
    #[must_use]
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// `redis-server` arguments: TLS only (no plaintext port), the store's ACL user, the
    /// administrator's password.
    pub(crate) fn server_args(&self, port: u16) -> Vec<String> {
        let file = |name: &str| path_arg(&self.dir.join(name));
        let mut args: Vec<String> = [
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            &file("server.pem"),
            "--tls-key-file",
            &file("server.key"),
            "--tls-ca-cert-file",
            &file("ca.pem"),
            "--tls-auth-clients",
            "no",
            "--requirepass",
            ADMIN_PASSWORD,
            "--user",
            REDIS_USER,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(REDIS_USER_ACL.iter().map(|s| (*s).to_owned()));
        args.push(format!(">{REDIS_PASSWORD}"));
        args
    }

    /// A TLS connection to `tcp`'s server as the administrator, the `AUTH` reply read.
    pub(crate) fn admin(&self, tcp: TcpStream) -> Option<AdminStream> {
        let name = ServerName::try_from("127.0.0.1").ok()?;
        let connection = rustls::ClientConnection::new(Arc::clone(&self.client), name).ok()?;
        let mut stream = rustls::StreamOwned::new(connection, tcp);
        stream
            .write_all(&resp::request(&[b"AUTH", ADMIN_PASSWORD.as_bytes()]))
            .ok()?;
        (resp::reply(&mut stream)?.as_slice() == b"+OK\r\n").then_some(stream)
    }
}

/// A TLS stream to a test's server.
pub(crate) type AdminStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

impl Drop for RedisTls {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A CA made for one test and thrown away: its certificate (PEM) and the issuer to sign
/// with. [`other_ca_pem`] for a CA that signed nothing.
fn throwaway_ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().expect("a key");
    let cert = params.self_signed(&key).expect("self-signed");
    (cert.pem(), Issuer::new(params, key))
}

/// A CA certificate (PEM) that signed no server's certificate: trusting it alone, a
/// client refuses every server.
#[must_use]
pub fn other_ca_pem() -> String {
    throwaway_ca("learn-oauth-testkit unrelated CA").0
}

fn issuer_der(pem: &str) -> rustls::pki_types::CertificateDer<'static> {
    use rustls::pki_types::pem::PemObject as _;
    rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).expect("a certificate")
}

fn path_arg(path: &Path) -> String {
    path.to_str().expect("a UTF-8 temporary path").to_owned()
}
