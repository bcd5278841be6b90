//! Tables as sea-orm entities. Rules that can live in the database (unique names,
//! foreign keys) are declared in the migrations; these types mirror them.

pub mod aid_station;
pub mod availability;
pub mod board;
pub mod booking;
pub mod case_event;
pub mod community;
pub mod compound;
pub mod flag;
pub mod help_request;
pub mod inbox_message;
pub mod liaison_member;
pub mod liaison_room;
pub mod login_attempt;
pub mod mediation_case;
pub mod mediation_room;
pub mod moderation_entry;
pub mod notice;
pub mod notice_community;
pub mod notice_read;
pub mod notice_version;
pub mod police_office;
pub mod post;
pub mod room_mediator;
pub mod room_schedule;
pub mod session;
pub mod setting;
pub mod shift;
pub mod shift_signup;
pub mod squad;
pub mod squad_member;
pub mod thread;
pub mod user;
pub mod user_role;
pub mod volunteer_application;
