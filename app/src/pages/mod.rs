//! Pages of the navigation tabs. Each feature grows its own module as it lands
//! (mediation/, teahouse/, notices/, volunteers/); until then these pages show what
//! the directory already knows.

pub mod home;
pub mod mediation;
pub mod notices;
pub mod teahouse;
pub mod volunteers;
