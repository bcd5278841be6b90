//! Tables as sea-orm entities. Rules that can live in the database (unique names,
//! foreign keys) are declared in the migrations; these types mirror them.

pub mod aid_station;
pub mod community;
pub mod compound;
pub mod liaison_room;
pub mod mediation_room;
pub mod police_office;
pub mod setting;
pub mod squad;
