//! The decision tables of `access`: who sees and changes which rows.

use super::*;
use sea_orm::{DbBackend, QueryTrait};

fn sql<E: EntityTrait>(select: Select<E>) -> String {
    select.build(DbBackend::Postgres).to_string()
}

fn as_role(role: Role) -> Viewer {
    Viewer::user("t".into(), role, vec!["R01".into()])
}

#[test]
fn anonymous_viewers_see_only_granted_money_and_public_materials() {
    let anon = Viewer::Anonymous;
    assert!(sql(subsidies(&anon)).contains(r#""status" = 'GRANTED'"#));
    assert!(sql(vouchers(&anon)).contains(r#""status" = 'GRANTED'"#));
    assert!(sql(learning_materials(&anon)).contains(r#""visibility" = 'PUBLIC'"#));
    assert!(sql(material_themes(&anon)).contains(r#""visibility" = 'PUBLIC'"#));
    assert!(sql(material_regions(&anon)).contains(r#""visibility" = 'PUBLIC'"#));
    assert!(sql(audit_log(&anon)).contains(r#""id" < 0"#));
}

#[test]
fn public_registry_tables_are_unfiltered() {
    for viewer in [Viewer::Anonymous, as_role(Role::LevelEditor)] {
        assert!(!sql(regions(&viewer)).contains("WHERE"));
        assert!(!sql(resvs(&viewer)).contains("WHERE"));
        assert!(!sql(seats(&viewer)).contains("WHERE"));
    }
}

#[test]
fn money_rows_per_role() {
    let coordinator = sql(subsidies(&as_role(Role::RegionalCoordinator)));
    assert!(
        coordinator.contains(r#""status" = 'GRANTED' OR "subsidy"."region_id" IN"#),
        "{coordinator}"
    );
    assert!(coordinator.contains("'R01'"));
    for role in [Role::ZonmwStaff, Role::NationalAnalyst, Role::Admin] {
        assert!(
            !sql(subsidies(&as_role(role))).contains("WHERE"),
            "{role:?}"
        );
        assert!(!sql(vouchers(&as_role(role))).contains("WHERE"), "{role:?}");
    }
    assert!(sql(subsidies(&as_role(Role::LevelEditor))).contains(r#""status" = 'GRANTED'"#));
    for role in Role::ALL {
        assert!(
            !sql(learning_materials(&as_role(role))).contains("WHERE"),
            "{role:?}"
        );
    }
}

#[test]
fn field_rights_per_role() {
    let own = "R01";
    let other = "R02";
    let table = [
        // role, contacts own, contacts other, notes own, notes other, audit
        (None, false, false, false, false, false),
        (
            Some(Role::RegionalCoordinator),
            true,
            false,
            true,
            false,
            false,
        ),
        (Some(Role::ZonmwStaff), true, true, true, true, false),
        (Some(Role::NationalAnalyst), false, false, true, true, true),
        (Some(Role::LevelEditor), false, false, false, false, false),
        (Some(Role::Admin), true, true, true, true, true),
    ];
    for (role, c_own, c_other, n_own, n_other, audit) in table {
        let v = role.map_or(Viewer::Anonymous, as_role);
        assert_eq!(can_see_contacts(&v, own), c_own, "{role:?}");
        assert_eq!(can_see_contacts(&v, other), c_other, "{role:?}");
        assert_eq!(can_see_internal_notes(&v, own), n_own, "{role:?}");
        assert_eq!(can_see_internal_notes(&v, other), n_other, "{role:?}");
        assert_eq!(can_read_audit(&v), audit, "{role:?}");
    }
}

#[test]
fn edit_rights_per_role() {
    use ApiError::{Forbidden as F, Unauthenticated as U};
    let code = |r: ApiResult<()>| r.err().map(|e| e.code());
    let anon = Viewer::Anonymous;
    assert_eq!(code(ensure_can_edit_region(&anon, "R01")), Some(U.code()));
    assert_eq!(code(ensure_can_edit_funding(&anon)), Some(U.code()));
    let table = [
        // role, own region, other region, funding, materials, admin
        (Role::RegionalCoordinator, true, false, false, false, false),
        (Role::ZonmwStaff, false, false, true, false, false),
        (Role::NationalAnalyst, false, false, false, false, false),
        (Role::LevelEditor, false, false, false, true, false),
        (Role::Admin, true, true, true, true, true),
    ];
    for (role, own, other, funding, materials, admin) in table {
        let v = as_role(role);
        let ok = |r: ApiResult<()>| match r {
            Ok(()) => true,
            Err(e) => {
                assert_eq!(e.code(), F.code(), "{role:?}");
                false
            }
        };
        assert_eq!(ok(ensure_can_edit_region(&v, "R01")), own, "{role:?}");
        assert_eq!(ok(ensure_can_edit_region(&v, "R02")), other, "{role:?}");
        assert_eq!(ok(ensure_can_edit_funding(&v)), funding, "{role:?}");
        assert_eq!(ok(ensure_can_edit_materials(&v)), materials, "{role:?}");
        assert_eq!(ok(ensure_admin(&v)), admin, "{role:?}");
    }
}

#[test]
fn roles_parse_from_their_names_only() {
    for role in Role::ALL {
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
    assert_eq!(Role::parse("Admin"), None);
    assert_eq!(Role::parse("root"), None);
}

#[test]
fn claims_are_what_tokens_say_and_the_policies_read() {
    let coordinator = Viewer::user(
        "c".to_owned(),
        Role::RegionalCoordinator,
        vec!["R01".to_owned(), "R02".to_owned()],
    );
    let claims = claims(&coordinator);
    assert_eq!(claims.role, "regional_coordinator");
    assert_eq!(claims.regions, ["R01", "R02"]);
    assert!(super::claims(&Viewer::Anonymous).is_anonymous());
    assert!(!aggregate_claims().is_anonymous());
    // In a token: no regions is no field; a `null` one reads as none.
    let admin = serde_json::to_value(Claims::of(Role::Admin)).expect("serializes");
    assert_eq!(admin, serde_json::json!({ "role": "admin" }));
    let read: Claims =
        serde_json::from_value(serde_json::json!({ "role": "admin", "regions": null }))
            .expect("null regions are none");
    assert_eq!(read, Claims::of(Role::Admin));
}
