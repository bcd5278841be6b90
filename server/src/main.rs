//! `portal`: the 家警务 server and its operator commands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use server::config::{Config, Settings};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "家警务 portal: serve it, migrate its database, load demo data"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// The first start of a real station: enter its identity and create the first admin
    /// (password from PORTAL_PASSWORD or a prompt). Refused, changing nothing, once the
    /// database has an admin or a station.
    Init(InitArgs),
    /// Load the clearly marked demo directory into an empty database (idempotent).
    #[cfg(feature = "demo")]
    DemoData {
        /// Then repeat it until the data is N times the demo, each copy a week earlier than
        /// the one before: a district's worth for the benchmark (`bench/run.sh`), not for
        /// trying the portal out. Adds only the copies that are missing.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        scale: u32,
    },
    /// Write a consistent copy of the SQLite database to FILE while the portal runs
    /// (`VACUUM INTO`), and the photos and documents of PORTAL_FILES_DIR to FILE.files
    /// beside it; restore by serving the copy with PORTAL_FILES_DIR set to that directory.
    /// PostgreSQL has pg_dump, and a bucket its provider's versioning or replication.
    Backup {
        /// Where the copy goes; must not exist yet.
        file: std::path::PathBuf,
    },
    /// Move overdue cases up a level once and exit (what `serve` does every minute); safe
    /// to run from several processes or hosts at once.
    Escalate,
    /// Queue the reminders due, send what the outbox holds due and ask for the receipts of
    /// texts sent, once, and exit (what `serve` does all the time); safe beside running
    /// servers. `--at` runs it as of another time (RFC 3339, e.g.
    /// 2026-12-07T19:30:00+08:00), to check a station's reminders and provider before the
    /// day.
    Outbox {
        #[arg(long)]
        at: Option<chrono::DateTime<chrono::FixedOffset>>,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

/// The station as `portal init` asks for it; each flag may come from the environment
/// instead, so that the first start runs unattended.
#[derive(clap::Args)]
struct InitArgs {
    /// The station's name, e.g. 招宝山派出所.
    #[arg(long, env = "PORTAL_STATION_NAME")]
    name: String,
    /// The area it serves (辖区), e.g. 招宝山街道.
    #[arg(long, env = "PORTAL_STATION_DISTRICT")]
    district: String,
    /// Its street address.
    #[arg(long, env = "PORTAL_STATION_ADDRESS")]
    address: String,
    /// The number the public calls.
    #[arg(long, env = "PORTAL_STATION_PHONE")]
    phone: String,
    /// The address people reach the portal at, e.g. https://jjw.example.cn.
    #[arg(long, env = "PORTAL_STATION_URL")]
    public_url: String,
    /// The e-mail address CAP alerts are sent by; feed ids derive from it, so choose it for good.
    #[arg(long, env = "PORTAL_STATION_SENDER")]
    sender: String,
    /// CAP areaDesc of a notice for all communities (default: the district + 全域).
    #[arg(long, env = "PORTAL_STATION_AREA", default_value = "")]
    area: String,
    /// The first admin's mobile number.
    #[arg(long, env = "PORTAL_ADMIN_PHONE")]
    admin_phone: String,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (password from PORTAL_PASSWORD or a prompt) or grant roles to an
    /// existing one: `portal user add --phone 13800000000 --role admin`.
    Add {
        #[arg(long)]
        phone: String,
        /// resident, volunteer, mediator, liaison, officer or admin; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
}

fn main() -> ExitCode {
    // Rendering a whole page is deep work for an unoptimised build: tokio's default 2 MiB
    // worker stacks overflowed on a case page in debug builds and took the process down.
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 * 1024 * 1024)
        // A blocking thread's memory goes back to the system when the thread ends, so what
        // decoding a photo took is not kept for tokio's default ten idle seconds.
        .thread_keep_alive(std::time::Duration::from_secs(1))
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::new(cli.settings) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logs(config.json_logs);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Init(args) => init(&config, args).await,
        #[cfg(feature = "demo")]
        Command::DemoData { scale } => demo_data(&config, scale).await,
        Command::Escalate => escalate(&config).await,
        Command::Outbox { at } => outbox_once(&config, at).await,
        Command::Backup { file } => backup(&config, &file).await,
        Command::User {
            command: UserCommand::Add { phone, roles },
        } => add_user(&config, &phone, &roles).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs(json: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

type AnyError = Box<dyn std::error::Error>;

async fn migrate(config: &Config) -> Result<(), AnyError> {
    domain::db::connect_and_migrate(&config.database_url).await?;
    tracing::info!("database is up to date");
    Ok(())
}

#[cfg(feature = "demo")]
async fn demo_data(config: &Config, scale: u32) -> Result<(), AnyError> {
    let db = domain::db::connect_and_migrate(&config.database_url).await?;
    match domain::demo::load(&db).await? {
        domain::demo::Outcome::Loaded => {
            tracing::info!("demo data loaded (marked as demo throughout)")
        }
        domain::demo::Outcome::AlreadyLoaded => {
            tracing::info!("demo data was already loaded; nothing changed")
        }
    }
    if scale > 1 {
        let scaled = domain::demo::scale::scale(&db, scale).await?;
        tracing::info!(
            added = scaled.copies_added,
            copies = scaled.copies_present,
            "the demo is {scale} times over"
        );
    }
    Ok(())
}

async fn init(config: &Config, args: InitArgs) -> Result<(), AnyError> {
    use domain::station;
    let db = domain::db::connect_and_migrate(&config.database_url).await?;
    // Said before the password is asked for, which would otherwise be typed for nothing.
    if station::is_set_up(&db).await? {
        return Err(SET_UP.into());
    }
    let password = match std::env::var("PORTAL_PASSWORD") {
        Ok(password) => password,
        Err(_) => rpassword::prompt_password("Password for the first admin: ")?,
    };
    let identity = station::Identity {
        name: args.name,
        district: args.district,
        address: args.address,
        phone: args.phone,
        public_url: args.public_url,
        sender: args.sender,
        area_desc: args.area,
    };
    let admin = station::init(
        &db,
        station::Start::CommandLine,
        identity,
        &args.admin_phone,
        &password,
        chrono::Utc::now(),
    )
    .await
    .map_err(|e| match e {
        domain::Error::Invalid("setup-done") => SET_UP.to_owned(),
        domain::Error::Invalid(code) => format!("refused: {code}"),
        other => other.to_string(),
    })?;
    tracing::info!(
        admin = %domain::accounts::phone::mask(&admin.user.phone),
        "station entered and first admin created: sign in at /login"
    );
    Ok(())
}

const SET_UP: &str = "this database already has an admin or a station; nothing changed \
                      (admins edit the station at /admin/station)";

async fn backup(config: &Config, file: &std::path::Path) -> Result<(), AnyError> {
    let db = domain::db::connect(&config.database_url).await?;
    domain::db::backup(&db, file).await?;
    tracing::info!(file = %file.display(), "backup written");
    // The photos and documents beside it, after it: a file added in between is one the
    // copy of the database does not name, and a restore's sweep removes it.
    if let server::config::FilesAt::Directory(dir) = &config.web.files {
        let beside = file.with_extension("files");
        let copied = copy_tree(dir, &beside)?;
        tracing::info!(dir = %beside.display(), copied, "files copied");
    }
    Ok(())
}

/// Copies every file under `from` to the same place under `to` (which must not exist).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) -> Result<usize, AnyError> {
    if to.exists() {
        return Err(format!("{} exists already", to.display()).into());
    }
    std::fs::create_dir_all(to)?;
    let mut copied = 0;
    if !from.exists() {
        return Ok(copied);
    }
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            copied += copy_tree(&path, &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(&path, to.join(entry.file_name()))?;
            copied += 1;
        }
    }
    Ok(copied)
}

async fn escalate(config: &Config) -> Result<(), AnyError> {
    let db = domain::db::connect_and_migrate(&config.database_url).await?;
    let moved = domain::casework::escalation::escalate_overdue(&db, chrono::Utc::now()).await?;
    tracing::info!(moved, "overdue cases escalated");
    println!("{moved}");
    Ok(())
}

async fn outbox_once(
    config: &Config,
    at: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> Result<(), AnyError> {
    let db = domain::db::connect_and_migrate(&config.database_url).await?;
    let at = at.map_or_else(chrono::Utc::now, |at| at.with_timezone(&chrono::Utc));
    let queued = domain::outbox::reminders::sweep(&db, at).await?;
    let public_url = server::public_url(&config.web, &config.leptos);
    let outbox = config.outbox.outbox(public_url)?;
    let holder = format!("cli-{}", std::process::id());
    // Round after round until nothing more is due at `at` (a retry waits past it).
    let mut tally = std::collections::BTreeMap::new();
    loop {
        let round = server::outbox::send_due(&db, &outbox, &holder, at).await?;
        if round.is_empty() {
            break;
        }
        for (state, n) in round {
            *tally.entry(state).or_insert(0) += n;
        }
    }
    let receipts = server::outbox::check_receipts(&db, &outbox, at).await?;
    tracing::info!(
        queued,
        ?tally,
        receipts,
        "reminders queued, the outbox sent, receipts asked for"
    );
    println!("reminders queued: {queued}; {tally:?}; receipts: {receipts}");
    Ok(())
}

async fn add_user(config: &Config, phone: &str, roles: &[String]) -> Result<(), AnyError> {
    use domain::accounts::{self, Role};
    let roles = roles
        .iter()
        .map(|r| Role::parse(&r.to_ascii_lowercase()).ok_or_else(|| format!("unknown role {r:?}; roles are resident, volunteer, mediator, liaison, officer, admin")))
        .collect::<Result<Vec<Role>, String>>()?;
    let db = domain::db::connect_and_migrate(&config.database_url).await?;
    let exists = accounts::find_by_phone(&db, phone).await?.is_some();
    let password = match (exists, std::env::var("PORTAL_PASSWORD")) {
        (true, _) => None,
        (false, Ok(password)) => Some(password),
        (false, Err(_)) => Some(rpassword::prompt_password(
            "Password for the new account: ",
        )?),
    };
    let account = accounts::add_user(&db, phone, password.as_deref(), &roles, chrono::Utc::now())
        .await
        .map_err(|e| match e {
            domain::Error::Invalid(code) => format!("refused: {code}"),
            other => other.to_string(),
        })?;
    let held: Vec<&str> = account.roles.iter().map(|r| r.as_str()).collect();
    tracing::info!(phone = %accounts::phone::mask(&account.user.phone), roles = ?held, "account ready");
    Ok(())
}

async fn serve(config: Config) -> Result<(), AnyError> {
    // mimalloc asks for transparent huge pages, and the kernel then backs every 2 MB of its
    // arena that one allocation touches: 18 MB of a server's memory at 100× the demo, for
    // nothing a small server gains from.
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::warn!(%e, "transparent huge pages stay on");
    }
    let db = domain::db::connect_and_migrate(&config.database_url).await?;
    let site_root = std::path::PathBuf::from(config.leptos.site_root.as_ref());
    // On a thread of its own, which ends with it: what compressing took goes back to the
    // system then, instead of staying with a thread of tokio's blocking pool.
    let (done, compressed) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || done.send(server::assets::precompress(&site_root)));
    let compressed = compressed.await??;
    tracing::info!(files = compressed, "static files compressed");
    let addr = config.leptos.site_addr;
    let escalation = tokio::spawn(server::jobs::escalate_every(
        db.clone(),
        config.web.escalation_interval,
    ));
    let forgetting = tokio::spawn(server::jobs::forget_every(
        db.clone(),
        config.web.sessions,
        std::time::Duration::from_secs(3600),
    ));
    let public_url = server::public_url(&config.web, &config.leptos);
    let outbox = std::sync::Arc::new(config.outbox.outbox(public_url)?);
    let sending = tokio::spawn(server::outbox::send_every(
        db.clone(),
        outbox.clone(),
        config.outbox.interval,
    ));
    let receipts = tokio::spawn(server::outbox::check_receipts_every(
        db.clone(),
        outbox,
        std::time::Duration::from_secs(60),
    ));
    let reminding = tokio::spawn(server::jobs::remind_every(
        db.clone(),
        std::time::Duration::from_secs(60),
    ));
    server::metrics::install();
    let upkeep = tokio::spawn(server::jobs::metrics_upkeep_every(
        std::time::Duration::from_secs(10),
    ));
    let state = server::state(db.clone(), config.leptos, config.web)?;
    let sweeping = tokio::spawn(server::jobs::sweep_files_every(
        db.clone(),
        state.files.clone(),
        std::time::Duration::from_secs(3600),
    ));
    let app = server::router(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("家警务 portal listening on http://{addr}");
    // Every request carries the address of its connection: the limits and the sign-in
    // throttle count per client, and without it they would count nobody (or everybody).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    escalation.abort();
    sending.abort();
    receipts.abort();
    reminding.abort();
    forgetting.abort();
    sweeping.abort();
    upkeep.abort();
    db.close().await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, let requests in flight finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(%e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(%e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
