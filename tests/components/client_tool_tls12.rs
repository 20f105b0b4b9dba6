//! The `client` example (`openssl s_client`-like) in TLS 1.2, through the
//! real binary (built once by cargo) against `openssl s_server -tls1_2 -www`,
//! whose status page says `New, TLSv1.2, Cipher is ...` or `Reused, ...` and
//! shows the client certificate it received: `--tls1.2` / `--tls1.3`, the
//! summary line (`version=TLSv1.2`, IANA suite names, `psk_hint=`),
//! `--suite` with TLS 1.2 names, external PSKs, `--resume` / `--sess-out` /
//! `--sess-in` with tickets and session IDs (and not across trust settings),
//! `--cert/--key`, `--allow-no-ems`, `--provider`.

use crate::common;

use std::time::Duration;

use common::peer::{peer_file, run_example, CertKind, ExampleRun, OpensslServer, TempFile};

/// Generous: the first run may build the example (and wait for cargo's lock).
const WITHIN: Duration = Duration::from_secs(300);

const GET: &str = "GET / HTTP/1.0\r\n\r\n";
const PSK_HEX: &str = "0123456789abcdef0123456789abcdef";

fn p(name: &str) -> String {
    peer_file(name).display().to_string()
}

fn addr(server: &OpensslServer) -> String {
    format!("127.0.0.1:{}", server.port)
}

/// `openssl s_server -tls1_2 -nocert -www` with the PSK `id` / [`PSK_HEX`],
/// the identity hint `hint` and `extra` arguments.
fn psk_server(hint: &str, extra: &[&str]) -> OpensslServer {
    let psk = ["-tls1_2", "-nocert", "-psk", PSK_HEX, "-psk_identity", "id", "-psk_hint", hint];
    OpensslServer::start_args(&[&psk[..], extra, &["-www"]].concat())
}

/// Runs the client with `args`, then `--request GET` and the server's address.
fn client(server_addr: &str, args: &[&str]) -> ExampleRun {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--server-name", "localhost", "--request", GET, server_addr]);
    run_example("client", &all, WITHIN)
}

fn assert_ok(run: &ExampleRun) {
    assert_eq!(run.code, Some(0), "{run:#?}");
}

/// The `embertls: connected ...` lines the client printed, in order.
fn connected_lines(run: &ExampleRun) -> Vec<&str> {
    run.stderr.lines().filter(|l| l.starts_with("embertls: connected ")).collect()
}

/// (a) `--tls1.2` against an ECDSA server pinned to one suite: the summary
/// shows the version and the IANA suite name; the server agrees.
#[test]
fn tls12_summary_shows_version_and_iana_suite() {
    let server = OpensslServer::start_tls12(CertKind::Ecdsa, &["-www", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"]);
    let run = client(&addr(&server), &["--tls1.2", "--ca", &p("ecdsa-ca.pem")]);
    assert_ok(&run);
    let lines = connected_lines(&run);
    assert_eq!(lines.len(), 1, "{run:#?}");
    assert!(
        lines[0].starts_with(
            "embertls: connected version=TLSv1.2 suite=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 group=x25519 alpn=- verified=yes"
        ),
        "{run:#?}"
    );
    assert!(!lines[0].contains("psk_hint"), "{run:#?}");
    assert!(run.stdout.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"), "{run:#?}");
}

/// `--suite` takes the TLS 1.2 IANA names: each of the six ECDHE suites,
/// pinned on the client side, is the one negotiated.
#[test]
fn suite_option_takes_tls12_iana_names() {
    let cases = [
        (CertKind::Ecdsa, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"),
        (CertKind::Ecdsa, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"),
        (CertKind::Ecdsa, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"),
        (CertKind::Rsa, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"),
        (CertKind::Rsa, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"),
        (CertKind::Rsa, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"),
    ];
    for kind in CertKind::ALL {
        let server = OpensslServer::start_tls12(kind, &["-www"]);
        let ca = p(if kind == CertKind::Ecdsa { "ecdsa-ca.pem" } else { "rsa-ca.pem" });
        for (_, iana, openssl) in cases.iter().filter(|c| c.0 == kind) {
            let run = client(&addr(&server), &["--tls1.2", "--suite", iana, "--group", "secp256r1", "--ca", &ca]);
            assert_ok(&run);
            let expected = format!("version=TLSv1.2 suite={iana} group=secp256r1 ");
            assert!(run.stderr.contains(&expected), "{iana}: {run:#?}");
            assert!(run.stdout.contains(&format!("New, TLSv1.2, Cipher is {openssl}\n")), "{iana}: {run:#?}");
        }
    }

    // An unknown name: the error lists every supported name, TLS 1.2 ones included.
    let run = run_example("client", &["--suite", "TLS_RSA_WITH_AES_128_GCM_SHA256", "127.0.0.1:1"], WITHIN);
    assert_eq!(run.code, Some(1), "{run:#?}");
    for name in embertls::DEFAULT_CIPHER_SUITES {
        assert!(run.stderr.contains(name.name()), "{name} not listed: {run:#?}");
    }
}

/// `--tls1.2` / `--tls1.3` offer one version; neither offers both (the
/// server, which has both, picks TLS 1.3).
#[test]
fn version_flags() {
    let (cert, key) = (p("ecdsa-leaf.pem"), p("ecdsa-leaf.key"));
    let both = OpensslServer::start_args(&["-cert", &cert, "-key", &key, "-www"]);
    let ca = p("ecdsa-ca.pem");
    for (flags, version, page) in [
        (&[][..], "TLSv1.3", "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"),
        (&["--tls1.3"][..], "TLSv1.3", "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"),
        (&["--tls1.2"][..], "TLSv1.2", "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"),
        (&["--tls1.2", "--tls1.3"][..], "TLSv1.3", "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"),
    ] {
        let run = client(&addr(&both), &[flags, &["--ca", &ca]].concat());
        assert_ok(&run);
        assert!(run.stderr.contains(&format!("embertls: connected version={version} ")), "{flags:?}: {run:#?}");
        assert!(run.stdout.contains(page), "{flags:?}: {run:#?}");
    }

    // A TLS 1.2-only server: reached by default, refused with --tls1.3.
    let only12 = OpensslServer::start_tls12(CertKind::Ecdsa, &["-www"]);
    let run = client(&addr(&only12), &["--ca", &ca]);
    assert_ok(&run);
    assert!(run.stderr.contains("embertls: connected version=TLSv1.2 "), "{run:#?}");
    let run = client(&addr(&only12), &["--tls1.3", "--ca", &ca]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stderr.contains("embertls: error: ") && run.stderr.contains("protocol_version"), "{run:#?}");
    assert!(connected_lines(&run).is_empty(), "{run:#?}");
}

/// (b) An external PSK over TLS 1.2: the PSK suite's IANA name and the
/// server's psk_identity_hint (escaped: printable ASCII as is, `\"`, `\\`
/// and `\xNN` for the rest) are shown.
#[test]
fn tls12_external_psk_shows_suite_and_hint() {
    let server = psk_server("myhint", &["-cipher", "PSK-AES128-GCM-SHA256"]);
    let run = client(&addr(&server), &["--tls1.2", "--psk-identity", "id", "--psk", PSK_HEX]);
    assert_ok(&run);
    let lines = connected_lines(&run);
    assert_eq!(lines.len(), 1, "{run:#?}");
    assert!(
        lines[0].starts_with("embertls: connected version=TLSv1.2 suite=TLS_PSK_WITH_AES_128_GCM_SHA256 group=- "),
        "{run:#?}"
    );
    assert!(lines[0].contains(" verified=yes") && lines[0].ends_with(" psk_hint=\"myhint\""), "{run:#?}");
    assert!(run.stdout.contains("New, TLSv1.2, Cipher is PSK-AES128-GCM-SHA256"), "{run:#?}");

    // ECDHE_PSK, chosen with --suite; a hint with a quote, a backslash and non-ASCII bytes.
    let server = psk_server("a \"b\\ é", &[]);
    let suite = "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256";
    let run = client(&addr(&server), &["--tls1.2", "--suite", suite, "--psk-identity", "id", "--psk", PSK_HEX]);
    assert_ok(&run);
    assert!(run.stderr.contains(&format!("version=TLSv1.2 suite={suite} group=x25519 ")), "{run:#?}");
    assert!(run.stderr.contains(r#" psk_hint="a \"b\\ \xc3\xa9""#), "{run:#?}");
    assert!(run.stdout.contains("New, TLSv1.2, Cipher is ECDHE-PSK-CHACHA20-POLY1305"), "{run:#?}");

    // A wrong key: refused, exit 1.
    let run =
        client(&addr(&server), &["--tls1.2", "--psk-identity", "id", "--psk", "00112233445566778899aabbccddeeff"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(connected_lines(&run).is_empty(), "{run:#?}");
}

/// (c) `--resume` over TLS 1.2: with an RFC 5077 ticket (it arrives before
/// the server's Finished), with a session ID (`-no_ticket`), and with an
/// external PSK; the second connection is resumed on both sides.
#[test]
fn tls12_resume() {
    let ca = p("ecdsa-ca.pem");
    for extra in [&[][..], &["-no_ticket"][..]] {
        let server = OpensslServer::start_tls12(CertKind::Ecdsa, &[&["-www"][..], extra].concat());
        let run = client(&addr(&server), &["--tls1.2", "--resume", "--ca", &ca]);
        assert_ok(&run);
        let lines = connected_lines(&run);
        assert_eq!(lines.len(), 2, "{extra:?}: {run:#?}");
        assert!(lines[0].contains("version=TLSv1.2 ") && !lines[0].contains("resumed=yes"), "{extra:?}: {run:#?}");
        assert!(
            lines[1].contains("version=TLSv1.2 suite=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ")
                && lines[1].contains(" verified=yes")
                && lines[1].contains(" resumed=yes"),
            "{extra:?}: {run:#?}"
        );
        let new = run.stdout.find("New, TLSv1.2").unwrap_or_else(|| panic!("{extra:?}: {run:#?}"));
        let reused = run.stdout.find("Reused, TLSv1.2").unwrap_or_else(|| panic!("{extra:?}: {run:#?}"));
        assert!(new < reused, "{extra:?}: {run:#?}");
    }

    let server = psk_server("myhint", &["-cipher", "PSK-AES128-GCM-SHA256"]);
    let run = client(&addr(&server), &["--tls1.2", "--resume", "--psk-identity", "id", "--psk", PSK_HEX]);
    assert_ok(&run);
    let lines = connected_lines(&run);
    assert_eq!(lines.len(), 2, "{run:#?}");
    assert!(
        lines[1].contains("suite=TLS_PSK_WITH_AES_128_GCM_SHA256 ") && lines[1].contains(" resumed=yes"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("Reused, TLSv1.2, Cipher is PSK-AES128-GCM-SHA256"), "{run:#?}");
}

/// `--sess-out` then `--sess-in` in two runs of the tool, for a ticket and
/// for a session ID.
#[test]
fn tls12_session_file() {
    let ca = p("ecdsa-ca.pem");
    for extra in [&[][..], &["-no_ticket"][..]] {
        let server = OpensslServer::start_tls12(CertKind::Ecdsa, &[&["-www"][..], extra].concat());
        let file = TempFile::with_contents("tls12-session", b"");
        let run = client(&addr(&server), &["--tls1.2", "--sess-out", &file.arg(), "--ca", &ca]);
        assert_ok(&run);
        assert!(!std::fs::read(&file.0).unwrap().is_empty(), "{extra:?}: no session written: {run:#?}");
        let run = client(&addr(&server), &["--tls1.2", "--sess-in", &file.arg(), "--ca", &ca]);
        assert_ok(&run);
        assert!(run.stderr.contains("version=TLSv1.2 ") && run.stderr.contains(" resumed=yes"), "{extra:?}: {run:#?}");
        assert!(run.stdout.contains("Reused, TLSv1.2"), "{extra:?}: {run:#?}");
    }
}

/// Issue 13.1 as reported, in both versions: `--insecure --sess-out F`
/// against a server whose certificate the CA did not issue, then
/// `--ca OTHER --sess-in F`. The session is not offered to the verifying
/// configuration: a full handshake runs and the tool fails on the chain
/// (before: exit 0 with `verified=no resumed=yes`).
#[test]
fn insecure_session_is_not_resumed_by_a_verifying_run() {
    for version in ["--tls1.2", "--tls1.3"] {
        let server = OpensslServer::start_cert(CertKind::Ecdsa, &["-www"]);
        let file = TempFile::with_contents("insecure-session", b"");
        let run = client(&addr(&server), &[version, "--insecure", "--sess-out", &file.arg()]);
        assert_ok(&run);
        assert!(!std::fs::read(&file.0).unwrap().is_empty(), "{version}: no session written: {run:#?}");
        let run = client(&addr(&server), &[version, "--ca", &p("other-ca.pem"), "--sess-in", &file.arg()]);
        assert_ne!(run.code, Some(0), "{version}: {run:#?}");
        assert!(!run.stderr.contains("resumed=yes"), "{version}: {run:#?}");
        assert!(run.stderr.contains("certificate"), "{version}: the chain is refused: {run:#?}");
    }
}

/// (d) `--cert/--key` over TLS 1.2 with a server that requires a client
/// certificate from `client-ca.pem`: P-256 and RSA-2048 identities are
/// accepted and shown on the server's page; without one the tool fails.
#[test]
fn tls12_client_certificate() {
    let client_ca = p("client-ca.pem");
    let server = OpensslServer::start_tls12(CertKind::Ecdsa, &["-Verify", "1", "-CAfile", &client_ca, "-www"]);
    let ca = p("ecdsa-ca.pem");
    for id in ["client-p256", "client-rsa2048"] {
        let (cert, key) = (p(&format!("{id}.pem")), p(&format!("{id}.key")));
        let run = client(&addr(&server), &["--tls1.2", "--ca", &ca, "--cert", &cert, "--key", &key]);
        assert_ok(&run);
        assert!(run.stderr.contains("embertls: connected version=TLSv1.2 "), "{id}: {run:#?}");
        assert!(run.stdout.contains("Client certificate"), "{id}: {run:#?}");
        assert!(run.stdout.contains(&format!("CN=embertls device {id}")), "{id}: {run:#?}");
    }
    let run = client(&addr(&server), &["--tls1.2", "--ca", &ca]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stderr.contains("embertls: error: "), "{run:#?}");
    assert!(connected_lines(&run).is_empty(), "{run:#?}");
}

/// A TLS 1.2 server without the extended master secret is refused, with a
/// message that names `--allow-no-ems`; with it the connection is made (and
/// the session is not kept for resumption).
#[test]
fn allow_no_ems() {
    // s_server has no switch for the extended master secret (RFC 7627): an
    // OpenSSL configuration file, read once at startup, turns it off.
    let conf = TempFile::with_contents(
        "no-ems.cnf",
        b"openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n[sys]\nOptions = -ExtendedMasterSecret\n",
    );
    let (cert, key) = (p("ecdsa-leaf.pem"), p("ecdsa-leaf.key"));
    let args = ["-tls1_2", "-www", "-cert", &cert, "-key", &key];
    let server = OpensslServer::start_args_env(&args, &[("OPENSSL_CONF", &conf.0)]);
    let server_addr = addr(&server);
    let ca = p("ecdsa-ca.pem");
    let run = client(&server_addr, &["--tls1.2", "--ca", &ca]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stderr.contains("extended master secret") && run.stderr.contains("--allow-no-ems"), "{run:#?}");
    assert!(connected_lines(&run).is_empty(), "{run:#?}");

    let run = client(&server_addr, &["--tls1.2", "--allow-no-ems", "--ca", &ca]);
    assert_ok(&run);
    assert!(run.stderr.contains("embertls: connected version=TLSv1.2 "), "{run:#?}");
    assert!(run.stdout.contains("Extended master secret: no"), "{run:#?}");

    let run = client(&server_addr, &["--tls1.2", "--allow-no-ems", "--resume", "--ca", &ca]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stderr.contains("without the extended master secret are not kept"), "{run:#?}");
}

/// `--provider ring` (issue 14 item 3): with the feature, TLS 1.3 and 1.2
/// verified handshakes and `provider=ring` on the summary line; without it, an
/// error that says how to build it. An unknown name is refused.
#[test]
fn provider_flag() {
    let (cert, key, ca) = (p("ecdsa-leaf.pem"), p("ecdsa-leaf.key"), p("ecdsa-ca.pem"));
    let both = OpensslServer::start_args(&["-cert", &cert, "-key", &key, "-www"]);
    for (flags, version) in [(&["--tls1.3"][..], "TLSv1.3"), (&["--tls1.2"][..], "TLSv1.2")] {
        let run = client(&addr(&both), &[flags, &["--ca", &ca, "--provider", "ring"]].concat());
        if cfg!(feature = "ring") {
            assert_ok(&run);
            let lines = connected_lines(&run);
            assert_eq!(lines.len(), 1, "{run:#?}");
            assert!(lines[0].contains(&format!("version={version} ")), "{run:#?}");
            assert!(lines[0].ends_with(" verified=yes provider=ring"), "{run:#?}");
        } else {
            assert_eq!(run.code, Some(1), "{run:#?}");
            assert!(run.stderr.contains("built without the `ring` feature"), "{run:#?}");
        }
        let run = client(&addr(&both), &[flags, &["--ca", &ca, "--provider", "rustcrypto"]].concat());
        assert_ok(&run);
        assert!(connected_lines(&run)[0].ends_with(" verified=yes"), "{run:#?}");
    }
    let run = client(&addr(&both), &["--provider", "openssl", "--ca", &ca]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stderr.contains("--provider openssl: give rustcrypto or ring"), "{run:#?}");
}
