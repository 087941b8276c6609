//! Token hygiene (RFC 8725): a token issued in the future, living too long, of another type than an
//! access token, for a role or a region the registry does not have, is refused with 401 — and the
//! regions a token keeps are checked from memory, current after a region is created, merged into
//! or renamed.

use crate::common;

use common::{TestApp, claims, token};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

const WHO: &str = "{ regions(first: 1) { totalCount } }";

/// Claims for `role` keeping `regions`, changed by `change`, signed with the trusted RS256 key
/// under a header of type `typ` (`None`: no `typ`).
fn signed(role: &str, regions: &[&str], typ: Option<&str>, change: impl Fn(&mut Value)) -> String {
    let mut c = claims(role, regions);
    change(&mut c);
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("test-rs".to_owned());
    header.typ = typ.map(str::to_owned);
    let pem = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/test-rs-private.pem"),
    )
    .expect("the test key");
    let key = EncodingKey::from_rsa_pem(&pem).expect("a private key");
    jsonwebtoken::encode(&header, &c, &key).expect("sign")
}

/// An admin's token with its claims changed by `change`.
fn admin_with(change: impl Fn(&mut Value)) -> String {
    signed("admin", &[], Some("JWT"), change)
}

/// Asserts that `token` is refused with 401 `UNAUTHENTICATED`, saying `why`.
async fn refused(app: &TestApp, token: &str, why: &str) {
    let response = app.post(Some(token), WHO, json!({})).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("invalid token") && message.contains(why),
        "{body}"
    );
    assert!(body.get("data").is_none(), "{body}");
}

async fn accepted(app: &TestApp, token: &str) {
    let response = app.post(Some(token), WHO, json!({})).await;
    assert_eq!(
        response.status(),
        200,
        "{}",
        response.text().await.unwrap_or_default()
    );
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

on_both_databases!(
    a_token_issued_in_the_future_is_refused,
    |app: TestApp| async move {
        let future = admin_with(|c| c["iat"] = json!(now() + 3600));
        refused(&app, &future, "issued in the future").await;
        // Within the leeway (5 s in the tests) a clock a little ahead is tolerated.
        accepted(&app, &admin_with(|c| c["iat"] = json!(now() + 2))).await;
    }
);

on_both_databases!(
    a_token_living_longer_than_the_maximum_is_refused,
    |app: TestApp| async move {
        // 24 hours and a minute, though it has not expired.
        let long = admin_with(|c| c["exp"] = json!(c["iat"].as_i64().unwrap_or(0) + 86_460));
        refused(&app, &long, "lifetime exceeds the 86400 s").await;
        // Exactly the maximum is accepted.
        accepted(
            &app,
            &admin_with(|c| c["exp"] = json!(c["iat"].as_i64().unwrap_or(0) + 86_400)),
        )
        .await;
    }
);

on_both_databases!(
    a_token_without_iat_is_refused_its_lifetime_being_unknown,
    |app: TestApp| async move {
        let without = admin_with(|c| {
            c.as_object_mut().map(|o| o.remove("iat"));
        });
        refused(&app, &without, "lacks the claim `iat`").await;
    }
);

on_both_databases!(
    a_token_typed_as_a_refresh_token_in_its_header_is_refused,
    |app: TestApp| async move {
        let refresh = signed("admin", &[], Some("refresh+jwt"), |_| {});
        refused(
            &app,
            &refresh,
            "not an access token (its `typ` is `refresh+jwt`)",
        )
        .await;
    }
);

on_both_databases!(
    a_token_typed_as_a_refresh_or_id_token_in_its_claims_is_refused,
    |app: TestApp| async move {
        for typ in ["Refresh", "refresh", "ID", "Offline"] {
            let token = admin_with(|c| c["typ"] = json!(typ));
            refused(&app, &token, &format!("its `typ` is `{typ}`")).await;
        }
    }
);

on_both_databases!(
    access_tokens_as_the_registry_and_identity_providers_type_them_are_accepted,
    |app: TestApp| async move {
        // No typ, the JWT default, RFC 9068's at+jwt (also as a media type, any case).
        for typ in [
            None,
            Some("JWT"),
            Some("at+jwt"),
            Some("application/at+jwt"),
            Some("AT+JWT"),
        ] {
            accepted(&app, &signed("admin", &[], typ, |_| {})).await;
        }
        // Keycloak's access tokens say `typ: Bearer` in their claims.
        accepted(&app, &admin_with(|c| c["typ"] = json!("Bearer"))).await;
        accepted(
            &app,
            &signed("admin", &[], Some("at+jwt"), |c| c["typ"] = json!("at+jwt")),
        )
        .await;
    }
);

on_both_databases!(
    a_token_for_a_role_that_does_not_exist_is_refused,
    |app: TestApp| async move {
        let token = admin_with(|c| c["role"] = json!("superuser"));
        refused(&app, &token, "unknown role").await;
    }
);

on_both_databases!(
    a_coordinator_token_for_a_region_that_does_not_exist_is_refused,
    |app: TestApp| async move {
        refused(
            &app,
            &token("regional_coordinator", &["R99"]),
            "a region the registry does not hold: R99",
        )
        .await;
        // One unknown region among known ones is enough.
        refused(&app, &token("regional_coordinator", &["R01", "R99"]), "R99").await;
        accepted(&app, &token("regional_coordinator", &["R01", "R02"])).await;
    }
);

/// The state with the watcher of the data version running (and no answers cached).
fn watching(state: api::AppState) -> api::AppState {
    state.with_response_cache(0, None, std::time::Duration::from_secs(3600))
}

/// Waits until the app knows the data version (its watcher has read it once).
async fn version_known(app: &TestApp) {
    let mut version = app.cache.subscribe();
    version.wait_for(|v| *v > 0).await.expect("a data version");
}

on_both_databases!(
    a_coordinator_token_is_checked_from_memory_once_the_data_version_is_known,
    configure = watching,
    |app: TestApp| async move {
        version_known(&app).await;
        let unknown = token("regional_coordinator", &["R99"]);
        refused(&app, &unknown, "R99").await;
        let before = app.statements.get();
        refused(&app, &unknown, "R99").await;
        refused(&app, &unknown, "R99").await;
        assert_eq!(app.statements.get(), before, "refused without a statement");
        // A known region costs no statement beyond those of the query: as many as an admin's.
        let coordinator = token("regional_coordinator", &["R01"]);
        accepted(&app, &coordinator).await;
        let admin = token("admin", &[]);
        let counted = |token: String| {
            let app = &app;
            async move {
                let before = app.statements.get();
                accepted(app, &token).await;
                app.statements.get() - before
            }
        };
        assert_eq!(counted(coordinator).await, counted(admin).await);
    }
);

const CREATE_REGION: &str = "mutation($input: CreateRegionInput!) {
    createRegion(input: $input) { region { code } userErrors { message } } }";

const MERGE: &str = "mutation($input: MergeRegionsInput!) {
    mergeRegions(input: $input) { regions { id version code } userErrors { message } } }";

const RENAME: &str = "mutation($input: RenameRegionInput!) {
    renameRegion(input: $input) { regions { code } userErrors { message } } }";

/// Creates region `code` as an admin, in care-office region `office`.
async fn create_region(app: &TestApp, code: &str, office: &Value) {
    let input = json!({ "input": { "code": code, "name": format!("Region {code}"),
        "careOfficeRegionCode": office } });
    let created = app.data_as("admin", &[], CREATE_REGION, input).await;
    assert_eq!(created["createRegion"]["region"]["code"], code, "{created}");
}

on_both_databases!(
    a_region_created_merged_into_or_renamed_is_known_to_the_next_request,
    configure = watching,
    |app: TestApp| async move {
        version_known(&app).await;
        let today = chrono::Utc::now().date_naive().to_string();
        let office = app
            .data(
                "{ region(code: \"R01\") { careOfficeRegion { code } } }",
                json!({}),
            )
            .await["region"]["careOfficeRegion"]["code"]
            .clone();
        let r77 = token("regional_coordinator", &["R77"]);
        refused(&app, &r77, "R77").await;
        create_region(&app, "R77", &office).await;
        accepted(&app, &r77).await;

        // R77 and R78 merge into a new region R79: known at once; R77, retired, still exists.
        create_region(&app, "R78", &office).await;
        let r79 = token("regional_coordinator", &["R79"]);
        refused(&app, &r79, "R79").await;
        let input = json!({ "input": { "regionCodes": ["R77", "R78"], "successorCode": "R79",
            "successorName": "Region R79", "effectiveOn": today } });
        let merged = app.data_as("admin", &[], MERGE, input).await;
        let successor = merged["mergeRegions"]["regions"][0].clone();
        assert_eq!(successor["code"], "R79", "{merged}");
        accepted(&app, &r79).await;
        accepted(&app, &r77).await;

        // R79 renamed R80: the code R79 is given up.
        let input = json!({ "input": { "id": successor["id"], "version": successor["version"],
            "code": "R80", "name": "Region R80", "effectiveOn": today } });
        let renamed = app.data_as("admin", &[], RENAME, input).await;
        assert_eq!(
            renamed["renameRegion"]["regions"][0]["code"], "R80",
            "{renamed}"
        );
        refused(&app, &r79, "R79").await;
        accepted(&app, &token("regional_coordinator", &["R80"])).await;
    }
);

#[tokio::test]
async fn the_token_command_refuses_a_region_that_does_not_exist() {
    let database = common::TestDatabase::seeded(common::Backend::Sqlite, 1).await;
    let secret = super::auth::secret_file();
    let config = super::auth::cli_config(api::config::Profile::Development, &database.url, &secret);
    let args = api::config::TokenArgs {
        role: "regional_coordinator".into(),
        regions: vec!["R01".into(), "R99".into()],
        ttl: "1h".into(),
        sub: "alice".into(),
    };
    let refusal = api::cli::token(&config, &args)
        .await
        .expect_err("no token for R99");
    assert_eq!(
        refusal.to_string(),
        "no region R99 in the registry at DATABASE_URL; a token for it would be refused"
    );
    let _ = std::fs::remove_file(secret);
}

#[tokio::test]
async fn the_token_command_refuses_a_lifetime_above_the_maximum() {
    let database = common::TestDatabase::seeded(common::Backend::Sqlite, 1).await;
    let secret = super::auth::secret_file();
    let config = super::auth::cli_config(api::config::Profile::Development, &database.url, &secret);
    let args = api::config::TokenArgs {
        role: "admin".into(),
        regions: vec![],
        ttl: "25h".into(),
        sub: "alice".into(),
    };
    let refusal = api::cli::token(&config, &args)
        .await
        .expect_err("no token for 25 h");
    assert!(
        refusal.to_string().contains("exceeds the 86400 s"),
        "{refusal}"
    );
    let day = api::config::TokenArgs {
        ttl: "24h".into(),
        ..args
    };
    assert!(api::cli::token(&config, &day).await.is_ok());
    let _ = std::fs::remove_file(secret);
}
