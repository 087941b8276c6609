//! The registry of record kinds: one entry per kind of registry object, from which the write
//! pipeline ([`super::record`]), imports, exports and `node(id:)` take what they need to know
//! about it. Adding a kind is one entry here plus its domain code.

use crate::access::Right;

/// A kind of registry record, in dependency order: a kind refers only to kinds before it, so a
/// whole registry is imported in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Region,
    Resv,
    Seat,
    Agreement,
    RegionalTableParty,
    NeighbourhoodCollaboration,
    Subsidy,
    Voucher,
    LearningMaterial,
}

/// What the registry knows of a kind.
#[derive(Debug, PartialEq, Eq)]
pub struct KindInfo {
    pub kind: Kind,
    /// The name of its export and import files (`regional-table` for `regional-table.csv`).
    pub file: &'static str,
    /// Its table, as the audit trail names it.
    pub table: &'static str,
    /// Its GraphQL type, which is also the prefix of its global ids.
    pub graphql_type: &'static str,
    /// What one record is called in messages (`regional table party`).
    pub noun: &'static str,
    /// The import columns that identify a record (its natural key, unique in the database).
    pub natural_key: &'static [&'static str],
    /// Who may change its records.
    pub right: Right,
}

/// Every kind, in dependency order.
pub const KINDS: [KindInfo; 9] = [
    KindInfo {
        kind: Kind::Region,
        file: "regions",
        table: "region",
        graphql_type: "Region",
        noun: "region",
        natural_key: &["code"],
        right: Right::Admins,
    },
    KindInfo {
        kind: Kind::Resv,
        file: "resvs",
        table: "resv",
        graphql_type: "Resv",
        noun: "RESV",
        natural_key: &["region_code"],
        right: Right::RegionKeepers,
    },
    KindInfo {
        kind: Kind::Seat,
        file: "seats",
        table: "seat",
        graphql_type: "Seat",
        noun: "seat",
        natural_key: &["region_code", "disciplines"],
        right: Right::RegionKeepers,
    },
    KindInfo {
        kind: Kind::Agreement,
        file: "agreements",
        table: "agreement",
        graphql_type: "Agreement",
        noun: "agreement",
        natural_key: &["region_code", "topic"],
        right: Right::RegionKeepers,
    },
    KindInfo {
        kind: Kind::RegionalTableParty,
        file: "regional-table",
        table: "regional_table_party",
        graphql_type: "RegionalTableParty",
        noun: "regional table party",
        natural_key: &["region_code", "kind", "organisation"],
        right: Right::RegionKeepers,
    },
    KindInfo {
        kind: Kind::NeighbourhoodCollaboration,
        file: "neighbourhood-collaborations",
        table: "neighbourhood_collaboration",
        graphql_type: "NeighbourhoodCollaboration",
        noun: "neighbourhood collaboration",
        natural_key: &["region_code", "name"],
        right: Right::RegionKeepers,
    },
    KindInfo {
        kind: Kind::Subsidy,
        file: "subsidies",
        table: "subsidy",
        graphql_type: "Subsidy",
        noun: "subsidy",
        natural_key: &["zonmw_reference"],
        right: Right::Funding,
    },
    KindInfo {
        kind: Kind::Voucher,
        file: "vouchers",
        table: "voucher",
        graphql_type: "Voucher",
        noun: "voucher",
        natural_key: &["region_code", "discipline"],
        right: Right::Funding,
    },
    KindInfo {
        kind: Kind::LearningMaterial,
        file: "learning-materials",
        table: "learning_material",
        graphql_type: "LearningMaterial",
        noun: "learning material",
        natural_key: &["kind", "title"],
        right: Right::Materials,
    },
];

impl Kind {
    /// Every kind, in dependency order.
    pub fn all() -> impl Iterator<Item = Kind> {
        KINDS.iter().map(|info| info.kind)
    }

    /// Every kind, in dependency order.
    pub const ALL: [Kind; 9] = [
        Kind::Region,
        Kind::Resv,
        Kind::Seat,
        Kind::Agreement,
        Kind::RegionalTableParty,
        Kind::NeighbourhoodCollaboration,
        Kind::Subsidy,
        Kind::Voucher,
        Kind::LearningMaterial,
    ];

    /// The name of its export and import files (`regional-table`).
    pub fn name(self) -> &'static str {
        self.info().file
    }

    /// The kind whose files are called `name`: [`Kind::from_file`].
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::from_file(name)
    }

    /// Who may import its files: those who may change its records everywhere (an import spans
    /// regions, so a right of a region's keepers imports as admins).
    pub fn import_right(self) -> Right {
        match self.info().right {
            Right::RegionKeepers => Right::Admins,
            right => right,
        }
    }

    /// Its entry in [`KINDS`].
    pub fn info(self) -> &'static KindInfo {
        // KINDS lists the kinds in the order of the enum (a unit test checks it).
        &KINDS[self as usize]
    }

    /// The kind whose files are called `file` (`regional-table`).
    pub fn from_file(file: &str) -> Option<Kind> {
        KINDS.iter().find(|info| info.file == file).map(|i| i.kind)
    }

    /// The kind whose GraphQL type (and global-id prefix) is `name`.
    pub fn from_graphql_type(name: &str) -> Option<Kind> {
        KINDS
            .iter()
            .find(|info| info.graphql_type == name)
            .map(|i| i.kind)
    }

    /// The file names of every kind, for messages (`regions, resvs, ...`).
    pub fn file_names() -> String {
        KINDS.iter().map(|i| i.file).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_entry_in_enum_order() {
        for (i, info) in KINDS.iter().enumerate() {
            assert_eq!(info.kind as usize, i, "{info:?}");
            assert_eq!(Kind::ALL[i], info.kind);
            assert_eq!(info.kind.info(), info);
            assert_eq!(Kind::from_file(info.file), Some(info.kind));
            assert_eq!(Kind::from_graphql_type(info.graphql_type), Some(info.kind));
        }
        assert_eq!(Kind::from_file("nonsense"), None);
    }
}
