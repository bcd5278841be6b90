//! Tables as sea-orm entities. Rules that can live in the database (unique names,
//! foreign keys) are declared in the migrations; these types mirror them.

pub mod aid_station;
pub mod community;
pub mod compound;
pub mod liaison_room;
pub mod login_attempt;
pub mod mediation_room;
pub mod police_office;
pub mod session;
pub mod setting;
pub mod squad;
pub mod user;
pub mod user_role;
