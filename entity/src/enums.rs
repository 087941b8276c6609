//! Enumerations stored as short upper-case strings, so the database stays readable and portable
//! between SQLite and PostgreSQL. The migration adds a CHECK constraint for each of them.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares a string-backed active enum whose stored value equals the variant's upper-snake name.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        pub enum $name {
            $(#[sea_orm(string_value = $value)] $variant,)+
        }

        impl $name {
            /// Every stored value, in declaration order (used for CHECK constraints and tests).
            pub const VALUES: &'static [&'static str] = &[$($value),+];
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as stored in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value,)+ }
            }
        }
    };
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

stored_enum!(
    /// Whether the delegate in a seat holds a mandate of the discipline's regional organisation.
    MandateStatus { Mandated = "MANDATED", Pending = "PENDING", None = "NONE" }
);

stored_enum!(
    /// The thirteen primary-care disciplines with a seat at the RESV table.
    DisciplineCode {
        GeneralPractice = "GENERAL_PRACTICE",
        DistrictNursing = "DISTRICT_NURSING",
        Pharmacy = "PHARMACY",
        Physiotherapy = "PHYSIOTHERAPY",
        Dietetics = "DIETETICS",
        ExerciseTherapy = "EXERCISE_THERAPY",
        OccupationalTherapy = "OCCUPATIONAL_THERAPY",
        SkinTherapy = "SKIN_THERAPY",
        SpeechTherapy = "SPEECH_THERAPY",
        Optometry = "OPTOMETRY",
        ElderlyCareMedicine = "ELDERLY_CARE_MEDICINE",
        IntellectualDisabilityMedicine = "INTELLECTUAL_DISABILITY_MEDICINE",
        SocialWork = "SOCIAL_WORK",
    }
);

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
