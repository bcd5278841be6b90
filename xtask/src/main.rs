//! `cargo xtask build [--release]`: builds the site exactly where and as `cargo leptos build`
//! does, from the same `[[workspace.metadata.leptos]]` table, without cargo-leptos. Building
//! that tool takes 20–25 minutes on two cores (swc, lightningcss, gix, an LTO link) for the
//! five steps this project needs of it:
//!
//! 1. the `frontend` crate for wasm32 (`wasm-release` profile for a release), in a target
//!    directory of its own (`<target>/front`) so that it compiles beside the server;
//! 2. wasm-bindgen's `--target web` glue, by the CLI's own library at the workspace's pin,
//!    `{name}_bg.wasm` renamed `{name}.wasm` as Leptos's hydration script expects;
//! 3. for a release, `wasm-opt -Oz` (npm `binaryen`) and the JS minified (npm `terser`; where
//!    cargo-leptos uses swc);
//! 4. the stylesheet through lightningcss for the browser query (npm `lightningcss-cli`,
//!    the engine cargo-leptos links), minified for a release; the assets copied beside it;
//! 5. the `server` binary, with the `LEPTOS_*` settings in its environment, built at the same
//!    time as steps 1–4.
//!
//! Then the bundle and the stylesheet are copied under names that carry a hash of their
//! contents (`portal.<hash>.js`, as cargo-leptos's `hash-files` names them), listed in
//! `pkg/hash.txt`: the server names those in its pages, and browsers keep them for a year.
//!
//! `cargo xtask site [--release]` does steps 1–4 only, for the test suites: they run the
//! debug `portal` that `cargo test` builds (one debug build of the server, not two).
//! `make dev` keeps `cargo leptos watch` for its reloading.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use serde_json::Value;

type Error = Box<dyn std::error::Error>;

/// The `[[workspace.metadata.leptos]]` settings this build reads.
struct Site {
    workspace: PathBuf,
    target: PathBuf,
    output_name: String,
    bin_package: String,
    lib_package: String,
    site_root: PathBuf,
    pkg_dir: String,
    style_file: PathBuf,
    assets_dir: PathBuf,
    site_addr: String,
    reload_port: String,
    browserquery: String,
    lib_profile_release: String,
    bin_target: String,
}

impl Site {
    fn read() -> Result<Site, Error> {
        let output = Command::new(cargo())
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .output()?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned().into());
        }
        let metadata: Value = serde_json::from_slice(&output.stdout)?;
        let path = |key: &str| {
            metadata[key]
                .as_str()
                .map(PathBuf::from)
                .ok_or_else(|| format!("cargo metadata has no {key}"))
        };
        let workspace = path("workspace_root")?;
        let target = path("target_directory")?;
        let leptos = &metadata["metadata"]["leptos"][0];
        let text = |key: &str| {
            leptos[key]
                .as_str()
                .map(str::to_owned)
                .or_else(|| leptos[key].as_u64().map(|n| n.to_string()))
                .ok_or_else(|| format!("[[workspace.metadata.leptos]] has no {key}"))
        };
        Ok(Site {
            site_root: workspace.join(text("site-root")?),
            style_file: workspace.join(text("style-file")?),
            assets_dir: workspace.join(text("assets-dir")?),
            output_name: text("output-name")?,
            bin_package: text("bin-package")?,
            lib_package: text("lib-package")?,
            pkg_dir: text("site-pkg-dir")?,
            site_addr: text("site-addr")?,
            reload_port: text("reload-port")?,
            browserquery: text("browserquery")?,
            lib_profile_release: text("lib-profile-release")?,
            bin_target: text("bin-target")?,
            workspace,
            target,
        })
    }

    fn pkg(&self) -> PathBuf {
        self.site_root.join(&self.pkg_dir)
    }

    /// Where the browser bundle compiles: a target directory of its own, because cargo locks
    /// a target directory for the whole of a build, and the bundle compiles beside the server
    /// (they share no compiled crate: another target, another profile).
    fn front_target(&self) -> PathBuf {
        self.target.join("front")
    }

    /// What cargo-leptos gives both builds: the server reads these at run time, and Leptos's
    /// hydration script names the bundle after `LEPTOS_OUTPUT_NAME` at compile time.
    fn environment(&self, release: bool) -> Vec<(&'static str, String)> {
        vec![
            ("LEPTOS_OUTPUT_NAME", self.output_name.clone()),
            (
                "LEPTOS_SITE_ROOT",
                self.site_root.to_string_lossy().into_owned(),
            ),
            ("LEPTOS_SITE_PKG_DIR", self.pkg_dir.clone()),
            ("LEPTOS_SITE_ADDR", self.site_addr.clone()),
            ("LEPTOS_RELOAD_PORT", self.reload_port.clone()),
            ("LEPTOS_LIB_DIR", self.lib_package.clone()),
            ("LEPTOS_BIN_DIR", self.bin_package.clone()),
            ("LEPTOS_JS_MINIFY", release.to_string()),
            ("LEPTOS_HASH_FILES", "false".to_owned()),
        ]
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// `program` with `args`, to be run in the workspace with the `LEPTOS_*` settings.
fn command(site: &Site, program: &str, args: &[&str], release: bool) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(&site.workspace)
        .envs(site.environment(release));
    command
}

/// Waits for `child`, failing with its command line when it fails.
fn finish(mut child: Child, program: &str, args: &[&str]) -> Result<(), Error> {
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {} failed ({status})", args.join(" ")).into())
    }
}

fn start(mut command: Command, program: &str) -> Result<Child, Error> {
    command
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e} (is `make setup` done?)").into())
}

/// Runs `program` in the workspace, failing with its name when it fails.
fn run(site: &Site, program: &str, args: &[&str], release: bool) -> Result<(), Error> {
    let child = start(command(site, program, args, release), program)?;
    finish(child, program, args)
}

/// A tool of the npm packages in `package.json`, installed by `make setup`.
fn npm_tool(site: &Site, name: &str) -> String {
    site.workspace
        .join("node_modules/.bin")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn front(site: &Site, release: bool) -> Result<(), Error> {
    let profile = if release {
        site.lib_profile_release.as_str()
    } else {
        "dev"
    };
    let cargo = cargo();
    let args = [
        "build",
        "--package",
        &site.lib_package,
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        profile,
    ];
    let mut build = command(site, &cargo, &args, release);
    build.env("CARGO_TARGET_DIR", site.front_target());
    finish(start(build, &cargo)?, &cargo, &args)?;
    let profile_dir = if release { profile } else { "debug" };
    let wasm = site
        .front_target()
        .join("wasm32-unknown-unknown")
        .join(profile_dir)
        .join(format!("{}.wasm", site.lib_package.replace('-', "_")));
    let pkg = site.pkg();
    std::fs::create_dir_all(&pkg)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)?
        .out_name(&site.output_name)
        .generate(&pkg)
        .map_err(|e| format!("wasm-bindgen: {e}"))?;
    let name = &site.output_name;
    let bundle = pkg.join(format!("{name}.wasm"));
    std::fs::rename(pkg.join(format!("{name}_bg.wasm")), &bundle)?;
    if release {
        let bundle = bundle.to_string_lossy();
        run(
            site,
            &npm_tool(site, "wasm-opt"),
            &[
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                &bundle,
                "-o",
                &bundle,
            ],
            release,
        )?;
        let script = pkg
            .join(format!("{name}.js"))
            .to_string_lossy()
            .into_owned();
        run(
            site,
            &npm_tool(site, "terser"),
            &[
                &script,
                "--module",
                "--compress",
                "--mangle",
                "--output",
                &script,
            ],
            release,
        )?;
    }
    Ok(())
}

fn style(site: &Site, release: bool) -> Result<(), Error> {
    let out = site.pkg().join(format!("{}.css", site.output_name));
    let out = out.to_string_lossy();
    let source = site.style_file.to_string_lossy();
    let mut args = vec!["--targets", site.browserquery.as_str()];
    if release {
        args.push("--minify");
    }
    args.extend([&*source, "--output-file", &*out]);
    run(site, &npm_tool(site, "lightningcss"), &args, release)
}

/// FNV-1a: a name that changes with the contents is all that is asked of it.
fn content_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Copies the bundle and the stylesheet to names with their content's hash, and lists the
/// hashes in `pkg/hash.txt` in the form Leptos reads. Copies of earlier builds are removed:
/// a page names only this build's. The plain names stay, for the service worker's first
/// fill and for `make sizes`.
fn hash_names(site: &Site) -> Result<(), Error> {
    let pkg = site.pkg();
    let name = &site.output_name;
    for entry in std::fs::read_dir(&pkg)? {
        let path = entry?.path();
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        let stale = file
            .strip_prefix(&format!("{name}."))
            .and_then(|rest| rest.split_once('.'))
            .is_some_and(|(hash, _)| {
                hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
            });
        if stale {
            std::fs::remove_file(&path)?;
        }
    }
    let mut list = String::new();
    for extension in ["js", "wasm", "css"] {
        let plain = pkg.join(format!("{name}.{extension}"));
        let hash = content_hash(&std::fs::read(&plain)?);
        std::fs::copy(&plain, pkg.join(format!("{name}.{hash}.{extension}")))?;
        list.push_str(&format!("{extension}: {hash}\n"));
    }
    std::fs::write(pkg.join("hash.txt"), list)?;
    Ok(())
}

/// Copies `from` into `to`, directories and all, over what is there.
fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Starts the server's build, which runs while the site is made.
fn server(site: &Site, release: bool) -> Result<Child, Error> {
    let cargo = cargo();
    let mut args = vec![
        "build",
        "--package",
        site.bin_package.as_str(),
        "--bin",
        site.bin_target.as_str(),
    ];
    if release {
        args.push("--release");
    }
    start(command(site, &cargo, &args, release), &cargo)
}

fn build(release: bool, with_server: bool) -> Result<(), Error> {
    let site = Site::read()?;
    let server = if with_server {
        Some(server(&site, release)?)
    } else {
        None
    };
    let made = front(&site, release)
        .and_then(|()| style(&site, release))
        .and_then(|()| hash_names(&site))
        .and_then(|()| copy_tree(&site.assets_dir, &site.site_root));
    if let Some(child) = server {
        finish(child, "cargo build", &["--package", &site.bin_package])?;
    }
    made?;
    println!(
        "site built in {} ({})",
        site.site_root.display(),
        if release { "release" } else { "debug" }
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["build"] => build(false, true),
        ["build", "--release"] => build(true, true),
        ["site"] => build(false, false),
        ["site", "--release"] => build(true, false),
        _ => Err("usage: cargo xtask build|site [--release]".into()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
