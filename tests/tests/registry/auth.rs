//! Token handling over HTTP: every bad token is a 401 with a clear error, never anonymous.

use crate::common;

use base64::Engine;
use common::{TestApp, claims, sign, token};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

const WHO: &str = "{ regions(first: 1) { totalCount } }";

async fn refused(app: &TestApp, token: &str, why: &str) {
    let response = app.post(Some(token), WHO, json!({})).await;
    assert_eq!(response.status(), 401, "{why}");
    assert!(response.headers().contains_key("www-authenticate"), "{why}");
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{why}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("invalid token")),
        "{why}: {body}"
    );
    assert!(body.get("data").is_none(), "{why}");
}

fn b64(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

on_both_databases!(bad_tokens_are_refused_with_401, |app: TestApp| async move {
    // A good token of each algorithm works.
    let rs = token("admin", &[]);
    assert_eq!(app.post(Some(&rs), WHO, json!({})).await.status(), 200);
    let es = sign(
        &claims("admin", &[]),
        Algorithm::ES256,
        Some("test-es"),
        "test-es-private.pem",
    );
    assert_eq!(app.post(Some(&es), WHO, json!({})).await.status(), 200);

    let now = chrono::Utc::now().timestamp();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = claims("admin", &[]);
        change(&mut c);
        sign(&c, Algorithm::RS256, Some("test-rs"), "test-rs-private.pem")
    };
    refused(&app, &with(&|c| c["exp"] = json!(now - 3600)), "expired").await;
    refused(
        &app,
        &with(&|c| c["nbf"] = json!(now + 3600)),
        "not yet valid",
    )
    .await;
    refused(
        &app,
        &with(&|c| c["aud"] = json!("another-api")),
        "wrong audience",
    )
    .await;
    refused(
        &app,
        &with(&|c| c["iss"] = json!("someone-else")),
        "wrong issuer",
    )
    .await;
    for claim in ["exp", "nbf", "iss", "aud", "sub", "role"] {
        refused(
            &app,
            &with(&|c| {
                c.as_object_mut().map(|o| o.remove(claim));
            }),
            claim,
        )
        .await;
    }
    refused(
        &app,
        &with(&|c| c["role"] = json!("superuser")),
        "unknown role",
    )
    .await;
    refused(
        &app,
        &with(&|c| c["role"] = json!(["admin"])),
        "role of the wrong type",
    )
    .await;
    refused(
        &app,
        &with(&|c| c["exp"] = json!("tomorrow")),
        "exp of the wrong type",
    )
    .await;
    refused(
        &app,
        &with(&|c| {
            c["role"] = json!("regional_coordinator");
            c["regions"] = json!("R01");
        }),
        "regions of the wrong type",
    )
    .await;
    refused(
        &app,
        &with(&|c| c["role"] = json!("regional_coordinator")),
        "coordinator without regions",
    )
    .await;

    // alg: none, with the payload of a valid token.
    let none = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT" })),
        b64(&claims("admin", &[]))
    );
    refused(&app, &none, "alg none").await;
    // HS256 signed with the trusted RS public key as the secret (algorithm confusion).
    let confused = sign(
        &claims("admin", &[]),
        Algorithm::HS256,
        Some("test-rs"),
        "test-rs.pem",
    );
    refused(&app, &confused, "HS256 with the RS public key").await;
    // A key nobody trusts, under a known and an unknown kid.
    refused(
        &app,
        &sign(
            &claims("admin", &[]),
            Algorithm::RS256,
            Some("test-rs"),
            "other-rs-private.pem",
        ),
        "foreign key",
    )
    .await;
    refused(
        &app,
        &sign(
            &claims("admin", &[]),
            Algorithm::RS256,
            Some("nobody"),
            "test-rs-private.pem",
        ),
        "unknown kid",
    )
    .await;
    // A tampered payload: the role raised after signing.
    let parts: Vec<&str> = rs.split('.').collect();
    let mut lifted = claims("admin", &[]);
    lifted["role"] = json!("admin");
    lifted["sub"] = json!("intruder");
    refused(
        &app,
        &format!("{}.{}.{}", parts[0], b64(&lifted), parts[2]),
        "tampered payload",
    )
    .await;
    refused(&app, "not-a-token", "garbage").await;

    // A header that is not a bearer token.
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .json(&json!({ "query": WHO }))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 401);
});

#[test]
fn keys_from_a_jwks_file_are_trusted_by_kid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let jwks = std::fs::read_to_string(dir.join("test-jwks.json")).expect("jwks");
    let mut verifier = api::auth::TokenVerifier::new(common::ISSUER, common::AUDIENCE, 5);
    verifier.trust_jwks(&jwks).expect("a valid JWKS");
    let good = sign(
        &claims("admin", &[]),
        Algorithm::RS256,
        Some("test-rs-jwks"),
        "test-rs-private.pem",
    );
    assert!(verifier.verify(&good).is_ok());
    let wrong_kid = sign(
        &claims("admin", &[]),
        Algorithm::RS256,
        Some("test-rs"),
        "test-rs-private.pem",
    );
    assert_eq!(
        verifier.verify(&wrong_kid),
        Err(api::auth::AuthError::UnknownKey)
    );
}

/// A configuration of the `api` binary in `profile` over the database at `database_url`, with the
/// development key in the file `secret`.
pub fn cli_config(
    profile: api::config::Profile,
    database_url: &str,
    secret: &std::path::Path,
) -> api::config::Config {
    use api::config::{AuthConfig, Config, LogFormat};
    let auth = AuthConfig {
        profile,
        issuer: "resv-registry".into(),
        audience: "resv-registry".into(),
        public_keys: vec![],
        jwks_file: None,
        allow_hs256: false,
        hs256_secret_file: secret.to_path_buf(),
        leeway_seconds: 30,
        max_lifetime_seconds: api::auth::DEFAULT_MAX_LIFETIME_SECONDS,
    };
    Config {
        database_url: database_url.into(),
        database_read_url: None,
        bind_addr: "127.0.0.1:0".parse().expect("address"),
        log_format: LogFormat::Pretty,
        otlp_endpoint: None,
        introspection: None,
        cors_origins: vec![],
        persisted_queries_file: None,
        response_cache_entries: api::DEFAULT_CACHE_ENTRIES,
        data_version_poll_ms: 1000,
        redis_url: None,
        redis_key_prefix: "registry:".to_owned(),
        limits: api::limits::Limits::default(),
        transport: api::http::Transport::default(),
        auth,
    }
}

/// A file name for a development key of one test.
pub fn secret_file() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dev-secret-{}", uuid::Uuid::new_v4().simple()))
}

#[tokio::test]
async fn the_token_command_mints_what_the_development_profile_trusts() {
    use api::config::{Profile, TokenArgs};
    let database = common::TestDatabase::seeded(common::Backend::Sqlite, 1).await;
    let secret = secret_file();
    let config = cli_config(Profile::Development, &database.url, &secret);
    let args = TokenArgs {
        role: "regional_coordinator".into(),
        regions: vec!["R01".into(), "R02".into()],
        ttl: "1h".into(),
        sub: "alice".into(),
    };
    let token = api::cli::token(&config, &args).await.expect("a token");
    let verifier = api::auth::TokenVerifier::from_config(&config.auth).expect("a verifier");
    assert_eq!(
        verifier.verify(&token),
        Ok(api::access::Viewer::user(
            "alice".into(),
            api::access::Role::RegionalCoordinator,
            vec!["R01".into(), "R02".into()]
        ))
    );
    // The production profile trusts only the keys it is given: none here, so it refuses to start,
    // and it does not mint development tokens.
    let production = cli_config(Profile::Production, &database.url, &secret);
    assert!(api::auth::TokenVerifier::from_config(&production.auth).is_err());
    assert!(api::cli::token(&production, &args).await.is_err());
    let mut with_keys = production.auth.clone();
    with_keys.public_keys = vec![format!(
        "test-rs={}",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/test-rs.pem")
            .display()
    )];
    with_keys.issuer = common::ISSUER.into();
    with_keys.audience = common::AUDIENCE.into();
    let production =
        api::auth::TokenVerifier::from_config(&with_keys).expect("a production verifier");
    assert_eq!(
        production.verify(&token),
        Err(api::auth::AuthError::UnknownKey),
        "no development key in production"
    );
    assert!(production.verify(&common::token("admin", &[])).is_ok());
    // Unknown roles and coordinators without regions are refused by the command.
    assert!(
        api::cli::token(
            &config,
            &TokenArgs {
                role: "root".into(),
                ..args.clone()
            }
        )
        .await
        .is_err()
    );
    assert!(
        api::cli::token(
            &config,
            &TokenArgs {
                regions: vec![],
                ..args
            }
        )
        .await
        .is_err()
    );
    let _ = std::fs::remove_file(secret);
}
