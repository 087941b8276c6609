//! Enumerations stored as short upper-case strings, so the database stays readable and portable
//! between SQLite and PostgreSQL. The migration adds a CHECK constraint for each of them.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The inherent items every declared list has: its stored or exported values and variants in
/// declaration order, a variant's value, and the value's variant.
macro_rules! listed {
    ($name:ident { $($variant:ident = $value:literal),+ }) => {
        impl $name {
            /// Every stored value, in declaration order (used for CHECK constraints and tests).
            pub const VALUES: &'static [&'static str] = &[$($value),+];
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as stored in the database (or named in an export).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value,)+ }
            }

            /// The variant stored (or exported) as `value`, if any.
            pub fn from_value(value: &str) -> Option<$name> {
                match value { $($value => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::enums::Listed for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn index(self) -> usize {
                self as usize
            }
            fn from_value(value: &str) -> Option<$name> {
                $name::from_value(value)
            }
        }
    };
}

/// Declares a string-backed active enum whose stored value equals the variant's upper-snake name.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] $variant,)+
        }

        listed!($name { $($variant = $value),+ });
    };
}

/// Declares an enum that is not stored as a column of its own (it names columns instead), with
/// [`listed!`]'s items.
macro_rules! plain_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        listed!($name { $($variant = $value),+ });
    };
}

/// A declared list whose variants can be numbered `0..ALL.len()` in declaration order, so that a
/// [`Per`] holds one value for each.
pub trait Listed: Copy + 'static {
    /// Every variant, in declaration order.
    const ALL: &'static [Self];
    /// The variant's place in [`Listed::ALL`].
    fn index(self) -> usize;
    /// The variant stored (or exported) as `value`, if any.
    fn from_value(value: &str) -> Option<Self>;
}

/// One value for each variant of a declared list `K` (a design criterion, a main task, a
/// status), read and written by the variant, never by a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Per<K, T> {
    values: Vec<T>,
    key: std::marker::PhantomData<K>,
}

impl<K: Listed, T> Per<K, T> {
    /// The value of each variant, computed in declaration order.
    pub fn from_fn(f: impl FnMut(K) -> T) -> Self {
        Per {
            values: K::ALL.iter().copied().map(f).collect(),
            key: std::marker::PhantomData,
        }
    }

    /// Like [`Per::from_fn`], stopping at the first error.
    pub fn try_from_fn<E>(f: impl FnMut(K) -> Result<T, E>) -> Result<Self, E> {
        Ok(Per {
            values: K::ALL.iter().copied().map(f).collect::<Result<_, E>>()?,
            key: std::marker::PhantomData,
        })
    }

    /// Each variant with its value, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (K, &T)> {
        K::ALL.iter().copied().zip(&self.values)
    }
}

impl<K: Listed, T> Per<K, Option<T>> {
    /// Every variant's value, if every variant has one.
    pub fn all(self) -> Option<Per<K, T>> {
        Some(Per {
            values: self.values.into_iter().collect::<Option<_>>()?,
            key: std::marker::PhantomData,
        })
    }
}

impl<K: Listed, T: Default> Default for Per<K, T> {
    fn default() -> Self {
        Per::from_fn(|_| T::default())
    }
}

impl<K: Listed, T> std::ops::Index<K> for Per<K, T> {
    type Output = T;
    fn index(&self, key: K) -> &T {
        &self.values[key.index()]
    }
}

impl<K: Listed, T> std::ops::IndexMut<K> for Per<K, T> {
    fn index_mut(&mut self, key: K) -> &mut T {
        &mut self.values[key.index()]
    }
}

stored_enum!(
    /// Where a registry row comes from, so real data can always be told from illustrative data.
    SourceKind {
        OfficialList = "OFFICIAL_LIST",
        SecondarySource = "SECONDARY_SOURCE",
        ZonmwDecision = "ZONMW_DECISION",
        RegionalReport = "REGIONAL_REPORT",
        Demonstration = "DEMONSTRATION",
    }
);

stored_enum!(
    /// How far a row of the demonstration subdivision can be trusted.
    Confidence { High = "HIGH", Medium = "MEDIUM", Low = "LOW" }
);

stored_enum!(
    /// Legal form of an RESV (*rechtsvorm*).
    LegalForm {
        Network = "NETWORK",
        Association = "ASSOCIATION",
        Foundation = "FOUNDATION",
        Cooperative = "COOPERATIVE",
        Other = "OTHER",
    }
);

stored_enum!(
    /// Development phase of an RESV (*ontwikkelfase*).
    Phase {
        Network = "NETWORK",
        Agreements = "AGREEMENTS",
        Organisation = "ORGANISATION",
        Deepening = "DEEPENING",
    }
);

stored_enum!(
    /// Status of one of the five main tasks (*hoofdtaken*).
    TaskStatus { NotStarted = "NOT_STARTED", InProgress = "IN_PROGRESS", Operational = "OPERATIONAL" }
);

/// The five design criteria (*ontwerpcriteria*), declared once: hands `$then! { <head> { <docs>
/// Variant = "EXPORTED_NAME" { met: flag_column, note: note_column }, ... } }` to a declaring
/// macro. [`DesignCriterion`] (with its columns; the RESV row's accessors are in `resv.rs`) and
/// the API's GraphQL enum are both expanded from it; validation, import and coverage go through
/// them.
#[macro_export]
macro_rules! design_criteria {
    ($then:ident! { $($head:tt)* }) => {
        $then! { $($head)* {
            /// Agreements cover at least GP care, district nursing and pharmacy, linked to the social domain.
            CoreDisciplines = "CORE_DISCIPLINES" { met: criterion_core_disciplines_met, note: criterion_core_disciplines_note },
            /// Participants are mandated and broadly representative (*gemandateerd en representatief*).
            MandatedRepresentation = "MANDATED_REPRESENTATION" { met: criterion_mandated_representation_met, note: criterion_mandated_representation_note },
            /// Multidisciplinary governance (*multidisciplinaire governance*).
            MultidisciplinaryGovernance = "MULTIDISCIPLINARY_GOVERNANCE" { met: criterion_multidisciplinary_governance_met, note: criterion_multidisciplinary_governance_note },
            /// Agreements fit the regional agenda (*regiobeeld, regioplan*).
            RegionalAgenda = "REGIONAL_AGENDA" { met: criterion_regional_agenda_met, note: criterion_regional_agenda_note },
            /// Room for citizen participation (*burgerparticipatie*).
            CitizenParticipation = "CITIZEN_PARTICIPATION" { met: criterion_citizen_participation_met, note: criterion_citizen_participation_note },
        }}
    };
}

/// Declares [`DesignCriterion`] from [`design_criteria!`]'s list.
macro_rules! criterion_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $value:literal { met: $met:ident, note: $note:ident $(,)? }),+ $(,)?
    }) => {
        plain_enum!($(#[$meta])* $name { $($(#[$vmeta])* $variant = $value),+ });

        impl $name {
            /// The column of the RESV row (and of its history) flagging the criterion as met.
            pub fn met_column(self) -> &'static str {
                match self { $($name::$variant => stringify!($met),)+ }
            }

            /// The column of the criterion's note, in the RESV row, its export and its import.
            pub fn note_column(self) -> &'static str {
                match self { $($name::$variant => stringify!($note),)+ }
            }
        }
    };
}

design_criteria!(criterion_enum! {
    /// One of the five design criteria (*ontwerpcriteria*) of an RESV.
    DesignCriterion
});

impl DesignCriterion {
    /// The export's and import's column listing the criteria met, by their names.
    pub const MET_LIST_COLUMN: &'static str = "criteria_met";
}

/// The five main tasks (*hoofdtaken*) of an RESV, declared once: hands `$then! { <head> { <docs>
/// Variant = "NAME" { column: status_column }, ... } }` to a declaring macro. [`MainTask`] (with
/// its column; the RESV row's accessors are in `resv.rs`) and the API's GraphQL enum are both
/// expanded from it.
#[macro_export]
macro_rules! main_tasks {
    ($then:ident! { $($head:tt)* }) => {
        $then! { $($head)* {
            /// 1. Organise mandated representation (*mandaat organiseren*).
            Mandate = "MANDATE" { column: task_mandate },
            /// 2. Capacity and access (*capaciteit en toegankelijkheid*).
            CapacityAccess = "CAPACITY_ACCESS" { column: task_capacity_access },
            /// 3. Care agreements (*zorgafspraken*).
            CareAgreements = "CARE_AGREEMENTS" { column: task_care_agreements },
            /// 4. Support the neighbourhood collaborations (*ondersteunen wijkverbanden*).
            NeighbourhoodSupport = "NEIGHBOURHOOD_SUPPORT" { column: task_neighbourhood_support },
            /// 5. Facilitation (*facilitering*).
            Facilitation = "FACILITATION" { column: task_facilitation },
        }}
    };
}

/// Declares [`MainTask`] from [`main_tasks!`]'s list.
macro_rules! task_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $value:literal { column: $column:ident $(,)? }),+ $(,)?
    }) => {
        plain_enum!($(#[$meta])* $name { $($(#[$vmeta])* $variant = $value),+ });

        impl $name {
            /// The column of the task's status, in the RESV row, its history, export and import.
            pub fn column(self) -> &'static str {
                match self { $($name::$variant => stringify!($column),)+ }
            }
        }
    };
}

main_tasks!(task_enum! {
    /// One of the five main tasks (*hoofdtaken*) of an RESV.
    MainTask
});

stored_enum!(
    /// Whether the delegate in a seat holds a mandate of the discipline's regional organisation.
    MandateStatus { Mandated = "MANDATED", Pending = "PENDING", None = "NONE" }
);

/// The thirteen primary-care disciplines with a seat at the RESV table, declared once: hands
/// `$then! { <head> { <variant docs> Variant = "VALUE", ... } }` to a declaring macro, which the
/// stored enum below ([`DisciplineCode`]) and the API's GraphQL enum are both expanded from.
#[macro_export]
macro_rules! disciplines {
    ($then:ident! { $($head:tt)* }) => {
        $then! { $($head)* {
            /// General practitioners (*huisartsen*).
            GeneralPractice = "GENERAL_PRACTICE",
            /// District nursing (*wijkverpleging*).
            DistrictNursing = "DISTRICT_NURSING",
            /// Pharmacists (*apothekers*).
            Pharmacy = "PHARMACY",
            /// Physiotherapists (*fysiotherapeuten*).
            Physiotherapy = "PHYSIOTHERAPY",
            /// Dietitians (*diëtisten*).
            Dietetics = "DIETETICS",
            /// Exercise therapists (*oefentherapeuten*).
            ExerciseTherapy = "EXERCISE_THERAPY",
            /// Occupational therapists (*ergotherapeuten*).
            OccupationalTherapy = "OCCUPATIONAL_THERAPY",
            /// Skin therapists (*huidtherapeuten*).
            SkinTherapy = "SKIN_THERAPY",
            /// Speech therapists (*logopedisten*).
            SpeechTherapy = "SPEECH_THERAPY",
            /// Optometrists (*optometristen*).
            Optometry = "OPTOMETRY",
            /// Elderly-care physicians (*specialisten ouderengeneeskunde*).
            ElderlyCareMedicine = "ELDERLY_CARE_MEDICINE",
            /// Physicians for people with intellectual disabilities (*artsen verstandelijk gehandicapten*).
            IntellectualDisabilityMedicine = "INTELLECTUAL_DISABILITY_MEDICINE",
            /// Social-work organisations (*sociaal werk*).
            SocialWork = "SOCIAL_WORK",
        }}
    };
}

disciplines!(stored_enum! {
    /// The thirteen primary-care disciplines with a seat at the RESV table.
    DisciplineCode
});

impl DisciplineCode {
    /// The minimum composition of a neighbourhood collaboration and of the RESV table: GP care,
    /// district nursing, pharmacy and the social domain.
    pub const MINIMUM_COMPOSITION: [DisciplineCode; 4] = [
        DisciplineCode::GeneralPractice,
        DisciplineCode::DistrictNursing,
        DisciplineCode::Pharmacy,
        DisciplineCode::SocialWork,
    ];

    /// Paramedical disciplines (*paramedici*), who may share one seat through a multidisciplinary
    /// paramedical network.
    pub fn is_paramedical(self) -> bool {
        matches!(
            self,
            DisciplineCode::Physiotherapy
                | DisciplineCode::Dietetics
                | DisciplineCode::ExerciseTherapy
                | DisciplineCode::OccupationalTherapy
                | DisciplineCode::SkinTherapy
                | DisciplineCode::SpeechTherapy
                | DisciplineCode::Optometry
        )
    }
}

stored_enum!(
    /// The kind of party at the regional table (*regiotafel*).
    TablePartyKind {
        Hospital = "HOSPITAL",
        Vvt = "VVT",
        Ggz = "GGZ",
        MunicipalitySocialWork = "MUNICIPALITY_SOCIAL_WORK",
        Insurer = "INSURER",
        Resv = "RESV",
    }
);

stored_enum!(
    /// The kind of ZonMw subsidy.
    SubsidyKind { Preparation = "PREPARATION", Implementation = "IMPLEMENTATION", Research = "RESEARCH" }
);

stored_enum!(
    /// Status of a subsidy or voucher application.
    ApplicationStatus {
        Applied = "APPLIED",
        InReview = "IN_REVIEW",
        Granted = "GRANTED",
        Rejected = "REJECTED",
        Withdrawn = "WITHDRAWN",
    }
);

stored_enum!(
    /// Status of a neighbourhood collaboration (*hecht wijkverband*).
    CollaborationStatus { Forming = "FORMING", Active = "ACTIVE", Stopped = "STOPPED" }
);

stored_enum!(
    /// Which sectors a collaboration agreement spans.
    AgreementLevel {
        PrimaryCare = "PRIMARY_CARE",
        SocialDomain = "SOCIAL_DOMAIN",
        HospitalMentalHealth = "HOSPITAL_MENTAL_HEALTH",
    }
);

stored_enum!(
    /// Status of a collaboration agreement (*samenwerkingsafspraak*).
    AgreementStatus { Draft = "DRAFT", Agreed = "AGREED", Implemented = "IMPLEMENTED", Ended = "ENDED" }
);

stored_enum!(
    /// The kind of a LeVEL learning material.
    MaterialKind {
        Guide = "GUIDE",
        GoodPractice = "GOOD_PRACTICE",
        Event = "EVENT",
        Expert = "EXPERT",
        Tool = "TOOL",
        Webinar = "WEBINAR",
    }
);

stored_enum!(
    /// Who may see a LeVEL learning material.
    Visibility { Public = "PUBLIC", Members = "MEMBERS" }
);

stored_enum!(
    /// Themes with which LeVEL materials are tagged.
    Theme {
        TaskMandate = "TASK_MANDATE",
        TaskCapacityAccess = "TASK_CAPACITY_ACCESS",
        TaskCareAgreements = "TASK_CARE_AGREEMENTS",
        TaskNeighbourhoodSupport = "TASK_NEIGHBOURHOOD_SUPPORT",
        TaskFacilitation = "TASK_FACILITATION",
        FrailElderly = "FRAIL_ELDERLY",
        ChronicCare = "CHRONIC_CARE",
        YouthHealth = "YOUTH_HEALTH",
        CitizenParticipation = "CITIZEN_PARTICIPATION",
        DataExchange = "DATA_EXCHANGE",
        LegalFinancial = "LEGAL_FINANCIAL",
        InterdisciplinaryWork = "INTERDISCIPLINARY_WORK",
        EqualChances = "EQUAL_CHANCES",
        Digitalisation = "DIGITALISATION",
    }
);

stored_enum!(
    /// How a region changed: merged into another, split into several, or renamed.
    LineageKind { Merge = "MERGE", Split = "SPLIT", Rename = "RENAME" }
);
