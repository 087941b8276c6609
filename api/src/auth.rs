//! Authentication: a bearer token becomes a [`Viewer`], once per request.
//!
//! Tokens are JWTs checked with `jsonwebtoken`: the accepted algorithms are pinned per key (RS256 or
//! ES256 public keys from PEM files or a JWKS file, chosen by `kid`, several at once for rotation;
//! HS256 only when enabled, as the development profile does with its local key). `exp`, `nbf`,
//! `iat`, `iss`, `aud` and `sub` are required and checked with a small leeway. A present but invalid
//! token is an error (HTTP 401), never a fall-back to anonymous.
//!
//! Beyond the signature and the registered claims (RFC 8725, JWT best current practices): a token
//! issued in the future (`iat` beyond the leeway) is refused, and so is one whose lifetime
//! (`exp − iat`) exceeds the configured maximum; without `iat` the lifetime cannot be known, so
//! `iat` is required. A token must be an access token (§3.11, explicit typing): its `typ` header,
//! if any, is `JWT` or `at+jwt` (RFC 9068), and its `typ` claim, if any, is `Bearer` (as Keycloak
//! marks access tokens) or `at+jwt`, so a refresh or ID token of the same issuer is refused. Its
//! role must be one of the registry's, and the regions it keeps must be regions of the registry
//! (retired ones included; [`regions::KnownRegions`], checked from memory per data version).

use crate::access::{Claims, Role, Viewer};
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

pub mod regions;

/// Why a token was refused. Every message is safe to show to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the Authorization header must be `Bearer <token>`")]
    BadScheme,
    #[error("the token is malformed")]
    Malformed,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token is for another audience")]
    WrongAudience,
    #[error("the token is from an unknown issuer")]
    WrongIssuer,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token is signed with an unknown key")]
    UnknownKey,
    #[error("the token's algorithm is not accepted for its key")]
    AlgorithmNotAccepted,
    #[error("the token lacks the claim `{0}`")]
    MissingClaim(String),
    #[error("the token's claims are malformed: {0}")]
    BadClaims(String),
    #[error("the token names an unknown role")]
    UnknownRole,
    #[error("the token was issued in the future")]
    IssuedInFuture,
    #[error("the token's lifetime exceeds the {0} s this registry accepts")]
    TooLongLived(u64),
    #[error("the token is not an access token (its `typ` is `{0}`)")]
    NotAnAccessToken(String),
    #[error("the token names a region the registry does not hold: {0}")]
    UnknownRegion(String),
}

pub use crate::config::DEFAULT_MAX_LIFETIME_SECONDS;

/// The `typ` header values of an access token: what `jsonwebtoken` and most identity providers
/// send (`JWT`), and the explicit type of RFC 9068 (`at+jwt`, also as a media type). Compared
/// without regard to case, as media types are.
const ACCESS_TOKEN_HEADER_TYPES: [&str; 3] = ["JWT", "at+jwt", "application/at+jwt"];

/// The `typ` claim values of an access token: Keycloak's `Bearer` (its refresh and ID tokens say
/// `Refresh` and `ID`) and RFC 9068's `at+jwt`.
const ACCESS_TOKEN_CLAIM_TYPES: [&str; 2] = ["Bearer", "at+jwt"];

/// Refuses a token whose `typ` (its header's or its claim's, if present) is not one of `accepted`;
/// the refusal names it (cut short: it is the client's own text).
fn ensure_access_type(typ: Option<&str>, accepted: &[&str]) -> Result<(), AuthError> {
    match typ {
        Some(typ) if !accepted.iter().any(|a| a.eq_ignore_ascii_case(typ.trim())) => {
            Err(AuthError::NotAnAccessToken(typ.chars().take(40).collect()))
        }
        _ => Ok(()),
    }
}

/// What a registry token says: the registered claims, and the viewer's [`Claims`] (`role`,
/// `regions`) beside them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenPayload {
    pub sub: String,
    #[serde(flatten)]
    pub claims: Claims,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    /// Required: without it a token's lifetime cannot be known. Optional here only so that its
    /// absence is reported as a missing claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// What kind of token this is, where an identity provider says so in the claims (see
    /// [`ACCESS_TOKEN_CLAIM_TYPES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
}

/// A key the verifier trusts, with the one algorithm accepted for it.
struct TrustedKey {
    algorithm: Algorithm,
    key: DecodingKey,
}

/// Checks tokens against the trusted keys, issuer and audience.
pub struct TokenVerifier {
    keys: HashMap<String, TrustedKey>,
    issuer: String,
    audience: String,
    leeway_seconds: u64,
    max_lifetime_seconds: u64,
}

/// The `kid` of the development key.
pub const DEV_KEY_ID: &str = "dev";

impl TokenVerifier {
    /// A verifier trusting no key yet, accepting lifetimes up to [`DEFAULT_MAX_LIFETIME_SECONDS`].
    pub fn new(
        issuer: impl Into<String>,
        audience: impl Into<String>,
        leeway_seconds: u64,
    ) -> Self {
        TokenVerifier {
            keys: HashMap::new(),
            issuer: issuer.into(),
            audience: audience.into(),
            leeway_seconds,
            max_lifetime_seconds: DEFAULT_MAX_LIFETIME_SECONDS,
        }
    }

    /// The same verifier refusing tokens whose lifetime (`exp − iat`) exceeds `seconds`.
    pub fn with_max_lifetime(mut self, seconds: u64) -> Self {
        self.max_lifetime_seconds = seconds;
        self
    }

    /// Trusts an RSA (RS256) or EC P-256 (ES256) public key in PEM form under `kid`.
    pub fn trust_pem(&mut self, kid: &str, pem: &[u8]) -> anyhow::Result<()> {
        let (algorithm, key) = match DecodingKey::from_rsa_pem(pem) {
            Ok(key) => (Algorithm::RS256, key),
            Err(_) => (
                Algorithm::ES256,
                DecodingKey::from_ec_pem(pem).map_err(|e| {
                    anyhow::anyhow!("key {kid}: neither an RSA nor an EC public key: {e}")
                })?,
            ),
        };
        self.keys
            .insert(kid.to_owned(), TrustedKey { algorithm, key });
        Ok(())
    }

    /// Trusts every RS256/ES256 key of a JWKS document; each must have a `kid`.
    pub fn trust_jwks(&mut self, json: &str) -> anyhow::Result<()> {
        let set: JwkSet = serde_json::from_str(json)?;
        for jwk in &set.keys {
            let kid = jwk
                .common
                .key_id
                .clone()
                .ok_or_else(|| anyhow::anyhow!("a JWKS key without `kid`"))?;
            let algorithm = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                _ => anyhow::bail!("JWKS key {kid}: only RSA and EC keys are accepted"),
            };
            let key = DecodingKey::from_jwk(jwk)?;
            self.keys.insert(kid, TrustedKey { algorithm, key });
        }
        Ok(())
    }

    /// Trusts an HS256 shared secret under `kid` (development only, or when explicitly enabled).
    pub fn trust_hs256(&mut self, kid: &str, secret: &[u8]) {
        self.keys.insert(
            kid.to_owned(),
            TrustedKey {
                algorithm: Algorithm::HS256,
                key: DecodingKey::from_secret(secret),
            },
        );
    }

    /// Whether any key is trusted.
    pub fn has_keys(&self) -> bool {
        !self.keys.is_empty()
    }

    /// The viewer a token stands for, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<Viewer, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Malformed)?;
        let trusted = match &header.kid {
            Some(kid) => self.keys.get(kid).ok_or(AuthError::UnknownKey)?,
            None if self.keys.len() == 1 => {
                self.keys.values().next().ok_or(AuthError::UnknownKey)?
            }
            None => return Err(AuthError::UnknownKey),
        };
        if header.alg != trusted.algorithm {
            return Err(AuthError::AlgorithmNotAccepted);
        }
        ensure_access_type(header.typ.as_deref(), &ACCESS_TOKEN_HEADER_TYPES)?;
        let mut validation = Validation::new(trusted.algorithm);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway_seconds;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        let data = jsonwebtoken::decode::<TokenPayload>(token, &trusted.key, &validation).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::ImmatureSignature => AuthError::NotYetValid,
                ErrorKind::InvalidAudience => AuthError::WrongAudience,
                ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
                ErrorKind::InvalidSignature => AuthError::BadSignature,
                ErrorKind::InvalidAlgorithm => AuthError::AlgorithmNotAccepted,
                ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim.clone()),
                ErrorKind::Json(err) => AuthError::BadClaims(err.to_string()),
                _ => AuthError::Malformed,
            },
        )?;
        self.check_times(&data.claims)?;
        viewer_of(data.claims)
    }

    /// Refuses a token issued in the future, without `iat`, or living longer than the maximum.
    fn check_times(&self, payload: &TokenPayload) -> Result<(), AuthError> {
        let iat = payload
            .iat
            .ok_or_else(|| AuthError::MissingClaim("iat".to_owned()))?;
        let leeway = i64::try_from(self.leeway_seconds).unwrap_or(i64::MAX);
        if iat > chrono::Utc::now().timestamp().saturating_add(leeway) {
            return Err(AuthError::IssuedInFuture);
        }
        let max = i64::try_from(self.max_lifetime_seconds).unwrap_or(i64::MAX);
        if payload.exp.saturating_sub(iat) > max {
            return Err(AuthError::TooLongLived(self.max_lifetime_seconds));
        }
        Ok(())
    }
}

impl TokenVerifier {
    /// The verifier a configuration describes: its PEM and JWKS keys, and the HS256 development
    /// key in the development profile (or when explicitly allowed).
    pub fn from_config(config: &crate::config::AuthConfig) -> anyhow::Result<Self> {
        use crate::config::Profile;
        let mut verifier =
            TokenVerifier::new(&config.issuer, &config.audience, config.leeway_seconds)
                .with_max_lifetime(config.max_lifetime_seconds);
        for entry in config.public_keys.iter().filter(|e| !e.trim().is_empty()) {
            let (kid, path) = match entry.split_once('=') {
                Some((kid, path)) => (kid.trim().to_owned(), Path::new(path.trim()).to_path_buf()),
                None => {
                    let path = Path::new(entry.trim()).to_path_buf();
                    let kid = path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    (kid, path)
                }
            };
            let pem = std::fs::read(&path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            verifier.trust_pem(&kid, &pem)?;
        }
        if let Some(path) = config
            .jwks_file
            .as_ref()
            .filter(|p| !p.as_os_str().is_empty())
        {
            let json = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            verifier.trust_jwks(&json)?;
        }
        if config.profile == Profile::Development || config.allow_hs256 {
            let secret = if config.profile == Profile::Development {
                dev_secret(&config.hs256_secret_file)?
            } else {
                std::fs::read(&config.hs256_secret_file).map_err(|e| {
                    anyhow::anyhow!("cannot read {}: {e}", config.hs256_secret_file.display())
                })?
            };
            verifier.trust_hs256(DEV_KEY_ID, &secret);
        }
        if config.profile == Profile::Production && !verifier.has_keys() {
            anyhow::bail!("the production profile needs JWT_PUBLIC_KEYS or JWT_JWKS_FILE");
        }
        Ok(verifier)
    }
}

/// The viewer that a verified token stands for.
fn viewer_of(payload: TokenPayload) -> Result<Viewer, AuthError> {
    ensure_access_type(payload.typ.as_deref(), &ACCESS_TOKEN_CLAIM_TYPES)?;
    let role = Role::parse(&payload.claims.role).ok_or(AuthError::UnknownRole)?;
    if payload.sub.trim().is_empty() {
        return Err(AuthError::MissingClaim("sub".to_owned()));
    }
    let regions = payload.claims.regions;
    if role == Role::RegionalCoordinator && regions.is_empty() {
        return Err(AuthError::MissingClaim("regions".to_owned()));
    }
    Ok(Viewer::user(payload.sub, role, regions))
}

/// Reads `Authorization`: none is anonymous; a bearer token must be valid.
pub fn authenticate(verifier: &TokenVerifier, header: Option<&str>) -> Result<Viewer, AuthError> {
    let Some(value) = header else {
        return Ok(Viewer::Anonymous);
    };
    let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::BadScheme)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AuthError::BadScheme);
    }
    verifier.verify(token.trim())
}

/// Mints a development token signed with the HS256 secret `secret` under [`DEV_KEY_ID`], typed
/// as an access token (`typ: at+jwt`, RFC 9068).
pub fn mint_dev_token(secret: &[u8], payload: &TokenPayload) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(DEV_KEY_ID.to_owned());
    header.typ = Some("at+jwt".to_owned());
    Ok(jsonwebtoken::encode(
        &header,
        payload,
        &EncodingKey::from_secret(secret),
    )?)
}

/// The development signing secret at `path`, created (random, readable only by its owner) if missing.
pub fn dev_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(secret) = std::fs::read(path)
        && secret.len() >= 32
    {
        return Ok(secret);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    use rand::RngCore;
    let mut secret = vec![0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(path, &hex)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(hex.into_bytes())
}

/// Parses a lifetime such as `3600`, `90s`, `30m`, `8h` or `7d` into seconds.
pub fn parse_ttl(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "s"),
    };
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 30m, 8h or 7d"))?;
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{text}`: use s, m, h or d")),
    };
    n.checked_mul(factor)
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("`{text}` is not a positive duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a-test-secret-of-at-least-thirty-two-bytes";

    fn claims(role: &str, regions: Option<Vec<&str>>) -> TokenPayload {
        let now = chrono::Utc::now().timestamp();
        TokenPayload {
            sub: "tester".into(),
            claims: Claims {
                role: role.into(),
                regions: regions
                    .map(|r| r.into_iter().map(String::from).collect())
                    .unwrap_or_default(),
            },
            iss: "iss".into(),
            aud: "aud".into(),
            exp: now + 600,
            nbf: now - 1,
            iat: Some(now),
            typ: None,
        }
    }

    fn verifier() -> TokenVerifier {
        let mut v = TokenVerifier::new("iss", "aud", 5);
        v.trust_hs256(DEV_KEY_ID, SECRET);
        v
    }

    #[test]
    fn a_valid_token_becomes_its_viewer() {
        let token = mint_dev_token(SECRET, &claims("regional_coordinator", Some(vec!["R01"])))
            .unwrap_or_default();
        let viewer = verifier().verify(&token);
        assert_eq!(
            viewer,
            Ok(Viewer::user(
                "tester".into(),
                Role::RegionalCoordinator,
                vec!["R01".into()]
            ))
        );
    }

    #[test]
    fn bad_claims_are_refused() {
        let v = verifier();
        let mint = |c: &TokenPayload| mint_dev_token(SECRET, c).unwrap_or_default();
        assert_eq!(
            v.verify(&mint(&claims("superuser", None))),
            Err(AuthError::UnknownRole)
        );
        assert_eq!(
            v.verify(&mint(&claims("regional_coordinator", None))),
            Err(AuthError::MissingClaim("regions".into()))
        );
        let mut expired = claims("admin", None);
        expired.exp -= 3600;
        assert_eq!(v.verify(&mint(&expired)), Err(AuthError::Expired));
        let mut early = claims("admin", None);
        early.nbf += 3600;
        assert_eq!(v.verify(&mint(&early)), Err(AuthError::NotYetValid));
        let mut other = claims("admin", None);
        other.aud = "someone-else".into();
        assert_eq!(v.verify(&mint(&other)), Err(AuthError::WrongAudience));
        other = claims("admin", None);
        other.iss = "someone-else".into();
        assert_eq!(v.verify(&mint(&other)), Err(AuthError::WrongIssuer));
    }

    #[test]
    fn the_header_must_be_a_bearer_token() {
        let v = verifier();
        assert_eq!(authenticate(&v, None), Ok(Viewer::Anonymous));
        assert_eq!(
            authenticate(&v, Some("Basic abc")),
            Err(AuthError::BadScheme)
        );
        assert_eq!(authenticate(&v, Some("Bearer")), Err(AuthError::BadScheme));
        assert_eq!(
            authenticate(&v, Some("Bearer not.a.token")),
            Err(AuthError::Malformed)
        );
    }

    #[test]
    fn lifetimes_parse() {
        assert_eq!(parse_ttl("90"), Ok(90));
        assert_eq!(parse_ttl("30m"), Ok(1800));
        assert_eq!(parse_ttl("8h"), Ok(28_800));
        assert_eq!(parse_ttl("7d"), Ok(604_800));
        assert!(parse_ttl("0").is_err());
        assert!(parse_ttl("8w").is_err());
        assert!(parse_ttl("h").is_err());
    }
}
