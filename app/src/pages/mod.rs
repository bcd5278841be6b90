//! Pages of the navigation tabs. Each feature grows its own module as it lands
//! (like `crate::mediation`); until then these pages show what
//! the directory already knows.

pub mod home;
pub mod offline;
