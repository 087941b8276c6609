//! A regional primary-care collaboration (*regionaal eerstelijnssamenwerkingsverband*, RESV).

use crate::enums::*;
use sea_orm::entity::prelude::*;

record_model!("resv" {
    #[sea_orm(unique)]
    pub region_id: i32,
    pub name: String,
    pub legal_form: LegalForm,
    pub treasurer: Option<String>,
    pub phase: Phase,
    pub established_on: Option<Date>,
    pub contracted_from: Option<Date>,
    pub task_mandate: TaskStatus,
    pub task_capacity_access: TaskStatus,
    pub task_care_agreements: TaskStatus,
    pub task_neighbourhood_support: TaskStatus,
    pub task_facilitation: TaskStatus,
    pub criterion_core_disciplines_met: bool,
    pub criterion_core_disciplines_note: Option<String>,
    pub criterion_mandated_representation_met: bool,
    pub criterion_mandated_representation_note: Option<String>,
    pub criterion_multidisciplinary_governance_met: bool,
    pub criterion_multidisciplinary_governance_note: Option<String>,
    pub criterion_regional_agenda_met: bool,
    pub criterion_regional_agenda_note: Option<String>,
    pub criterion_citizen_participation_met: bool,
    pub criterion_citizen_participation_note: Option<String>,
    pub citizen_participation: Option<String>,
    pub website: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub internal_notes: Option<String>,
});

/// The RESV row's accessors of each design criterion, expanded from [`crate::design_criteria!`].
macro_rules! criterion_accessors {
    ($name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $value:literal { met: $met:ident, note: $note:ident $(,)? }),+ $(,)?
    }) => {
        impl Model {
            /// Whether the RESV meets `criterion`, and its note.
            pub fn criterion(&self, criterion: $name) -> (bool, Option<&str>) {
                match criterion { $($name::$variant => (self.$met, self.$note.as_deref()),)+ }
            }

            /// The flag and note of `criterion`, to change.
            pub fn criterion_mut(&mut self, criterion: $name) -> (&mut bool, &mut Option<String>) {
                match criterion { $($name::$variant => (&mut self.$met, &mut self.$note),)+ }
            }
        }
    };
}

crate::design_criteria!(criterion_accessors! { DesignCriterion });

/// The RESV row's accessors of each main task, expanded from [`crate::main_tasks!`].
macro_rules! task_accessors {
    ($name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $value:literal { column: $column:ident $(,)? }),+ $(,)?
    }) => {
        impl Model {
            /// The status of main task `task`.
            pub fn task(&self, task: $name) -> TaskStatus {
                match task { $($name::$variant => self.$column,)+ }
            }

            /// The status of main task `task`, to change.
            pub fn task_mut(&mut self, task: $name) -> &mut TaskStatus {
                match task { $($name::$variant => &mut self.$column,)+ }
            }
        }
    };
}

crate::main_tasks!(task_accessors! { MainTask });
