//! GraphQL enums mirroring the stored enums of the `entity` crate, with descriptions naming the
//! Dutch terms users search for.

use entity as db;

/// Declares a GraphQL enum with the same variants as a stored enum (`Name`, or `Name for Stored`
/// when the names differ), and conversions both ways. Takes the variants as written here or as
/// one of `entity`'s declared lists hands them over (`entity::disciplines!(mirror_enum! { .. })`):
/// their values and columns are the entity's business and are passed over.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident { $($body:tt)* }) => {
        mirror_enum!($(#[$meta])* $name for $name { $($body)* });
    };
    ($(#[$meta:meta])* $name:ident for $stored:ident {
        $($(#[$vmeta:meta])* $variant:ident $(= $value:literal)? $({ $($columns:tt)* })?),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl From<db::$stored> for $name {
            fn from(value: db::$stored) -> Self {
                match value { $(db::$stored::$variant => $name::$variant,)+ }
            }
        }

        impl From<$name> for db::$stored {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => db::$stored::$variant,)+ }
            }
        }
    };
}

mirror_enum!(
    /// Where a registry row comes from, so real data can always be told from illustrative data.
    SourceKind {
        /// An official list (a ministerial letter or decree).
        OfficialList,
        /// A secondary public source.
        SecondarySource,
        /// A ZonMw decision (*ZonMw-besluit*).
        ZonmwDecision,
        /// Reported by the region itself (*regionale opgave*).
        RegionalReport,
        /// Demonstration data: illustrative, not real.
        Demonstration,
    }
);

mirror_enum!(
    /// How far a row of the demonstration subdivision can be trusted.
    Confidence {
        /// Named as a ZonMw/RESV region in a source and clearly matching a known area.
        High,
        /// Named in a source with an inferred extent, or an official IZA region used as a stand-in.
        Medium,
        /// A demonstration split that no source names.
        Low,
    }
);

mirror_enum!(
    /// Legal form of an RESV (*rechtsvorm*).
    LegalForm {
        /// No legal entity: a network (*netwerk*); a treasurer (*kassier*) acts for it.
        Network,
        /// An association (*vereniging*).
        Association,
        /// A foundation (*stichting*).
        Foundation,
        /// A cooperative (*coöperatie*).
        Cooperative,
        /// Another form.
        Other,
    }
);

mirror_enum!(
    /// Development phase of an RESV (*ontwikkelfase*).
    Phase {
        /// Network phase (*netwerkfase*).
        Network,
        /// Agreements phase (*afsprakenfase*): letter of intent, then collaboration agreement.
        Agreements,
        /// Organisation phase (*organisatiefase*): entity formed, mandated delegates added.
        Organisation,
        /// Deepening phase (*verdiepingsfase*): growing into all five main tasks.
        Deepening,
    }
);

mirror_enum!(
    /// Status of one of the five main tasks (*hoofdtaken*) of an RESV.
    TaskStatus {
        /// Not started (*niet gestart*).
        NotStarted,
        /// In progress (*in ontwikkeling*).
        InProgress,
        /// Operational (*operationeel*).
        Operational,
    }
);

mirror_enum!(
    /// Whether the delegate in a seat holds a mandate (*mandaat*) of the discipline's regional
    /// organisation.
    MandateStatus {
        /// Mandated (*gemandateerd*).
        Mandated,
        /// The mandate is being arranged.
        Pending,
        /// No mandate.
        None,
    }
);

entity::disciplines!(mirror_enum! {
    /// The thirteen primary-care disciplines (*disciplines*) with a seat at the RESV table.
    DisciplineCode
});

entity::design_criteria!(mirror_enum! {
    /// One of the five design criteria (*ontwerpcriteria*).
    DesignCriterionKind for DesignCriterion
});

entity::main_tasks!(mirror_enum! {
    /// The five main tasks of an RESV (*hoofdtaken*).
    MainTask
});

mirror_enum!(
    /// The kind of party at the regional table (*regiotafel*).
    TablePartyKind {
        /// Hospital (*ziekenhuis*).
        Hospital,
        /// Nursing, care and home care (*VVT*).
        Vvt,
        /// Mental health care (*GGZ*).
        Ggz,
        /// Municipality and social work (*gemeente / sociaal werk*).
        MunicipalitySocialWork,
        /// Health insurer (*zorgverzekeraar*).
        Insurer,
        /// The RESV, which holds one seat at the regional table.
        Resv,
    }
);

mirror_enum!(
    /// The kind of ZonMw subsidy.
    SubsidyKind {
        /// Preparation subsidy (*voorbereidingssubsidie*).
        Preparation,
        /// Implementation subsidy (*uitvoeringssubsidie*), 2024–2026.
        Implementation,
        /// Research subsidy (*onderzoekssubsidie*).
        Research,
    }
);

mirror_enum!(
    /// Status of a subsidy or voucher application (*aanvraag*).
    ApplicationStatus {
        /// Applied for (*aangevraagd*).
        Applied,
        /// Under review (*in behandeling*).
        InReview,
        /// Granted (*toegekend*).
        Granted,
        /// Rejected (*afgewezen*).
        Rejected,
        /// Withdrawn (*ingetrokken*).
        Withdrawn,
    }
);

mirror_enum!(
    /// Status of a neighbourhood collaboration (*hecht wijkverband*).
    CollaborationStatus {
        /// Being formed (*in oprichting*).
        Forming,
        /// Active (*actief*).
        Active,
        /// Stopped (*gestopt*).
        Stopped,
    }
);

mirror_enum!(
    /// Which sectors a collaboration agreement spans.
    AgreementLevel {
        /// Within primary care (*binnen de eerstelijnszorg*).
        PrimaryCare,
        /// With the social domain (*met het sociaal domein*).
        SocialDomain,
        /// With hospital or mental health care (*met ziekenhuis / GGZ*).
        HospitalMentalHealth,
    }
);

mirror_enum!(
    /// Status of a collaboration agreement (*samenwerkingsafspraak*).
    AgreementStatus {
        /// Being drafted.
        Draft,
        /// Agreed (*afgesproken*).
        Agreed,
        /// Implemented (*geïmplementeerd*).
        Implemented,
        /// Ended (*beëindigd*).
        Ended,
    }
);

mirror_enum!(
    /// The kind of a LeVEL learning material.
    MaterialKind {
        /// A guide (*handreiking*).
        Guide,
        /// A good practice (*goed voorbeeld*).
        GoodPractice,
        /// A meeting or event (*bijeenkomst*).
        Event,
        /// An expert or expert group (*expert*).
        Expert,
        /// A tool (*instrument*).
        Tool,
        /// A webinar.
        Webinar,
    }
);

mirror_enum!(
    /// Who may see a LeVEL learning material.
    Visibility {
        /// Everyone (*openbaar*).
        Public,
        /// Members of the learning network only (*leden*).
        Members,
    }
);

mirror_enum!(
    /// Themes with which LeVEL materials are tagged.
    Theme {
        /// Main task 1: mandate and representation (*mandaat en vertegenwoordiging*).
        TaskMandate,
        /// Main task 2: capacity and access (*capaciteit en toegankelijkheid*).
        TaskCapacityAccess,
        /// Main task 3: care agreements for patient groups (*zorgafspraken*).
        TaskCareAgreements,
        /// Main task 4: supporting neighbourhood collaborations (*ondersteuning wijkverbanden*).
        TaskNeighbourhoodSupport,
        /// Main task 5: facilitating providers (*faciliteren zorgaanbieders*).
        TaskFacilitation,
        /// Frail elderly (*kwetsbare ouderen*).
        FrailElderly,
        /// Chronic conditions (*chronische zorg*).
        ChronicCare,
        /// Youth health care (*jeugdgezondheidszorg, JGZ*).
        YouthHealth,
        /// Citizen participation (*burgerparticipatie*).
        CitizenParticipation,
        /// Data exchange (*gegevensuitwisseling*).
        DataExchange,
        /// Legal and financial questions (*juridische en financiële vragen*).
        LegalFinancial,
        /// Interdisciplinary work (*interdisciplinair werken*).
        InterdisciplinaryWork,
        /// Equal chances (*gelijke kansen*).
        EqualChances,
        /// Digitalisation (*digitalisering*).
        Digitalisation,
    }
);

/// Sort direction.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Ascending (A–Z, low to high, old to new).
    #[default]
    Asc,
    /// Descending.
    Desc,
}

impl From<OrderDirection> for crate::service::Direction {
    fn from(value: OrderDirection) -> Self {
        match value {
            OrderDirection::Asc => crate::service::Direction::Asc,
            OrderDirection::Desc => crate::service::Direction::Desc,
        }
    }
}

/// Converts an optional list of GraphQL enum values to stored values.
pub fn stored<G: Copy + Into<S>, S>(values: &Option<Vec<G>>) -> Option<Vec<S>> {
    values
        .as_ref()
        .map(|v| v.iter().map(|g| (*g).into()).collect())
}
