//! `leasekeeper serve --profile P [--port N]`: the same local
//! container-credentials endpoint `exec` gives its command, for processes
//! started elsewhere (a container on the host network, a remote shell
//! through `ssh -R`). It writes its token to a 0600 file and prints the
//! variables to set, serves until Ctrl-C or SIGTERM, then removes the file:
//! the token means nothing after that.

use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_host::state_dir::state_dir;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::serve;

use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile whose keys are served
    #[arg(long, short = 'p', value_name = "P")]
    profile: String,
    /// The port on 127.0.0.1 (default: any free one)
    #[arg(long, value_name = "N", default_value_t = 0)]
    port: u16,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let runtime = crate::runtime::runtime()?;
    runtime.block_on(serve_profile(args, home))
}

async fn serve_profile(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let env = Environment::process();
    let prepared = match serve::prepare(&home.paths, &env, &args.profile, args.port).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            return Ok(exit::code(match e {
                serve::ServeError::UnknownProfile(_) => exit::USAGE,
                serve::ServeError::DefaultShadows { .. } => exit::PROFILE_ERROR,
                serve::ServeError::Bind { .. } => exit::FAILURE,
            }));
        }
    };
    let dir = state_dir(|n| std::env::var_os(n))
        .context("no state folder for the token file: set HOME or LEASEKEEPER_STATE_DIR")?;
    let port = prepared.endpoint.addr().port();
    let token_file = dir.join("serve").join(format!("{port}.token"));
    serve::write_token(&token_file, prepared.endpoint.token().expose())
        .with_context(|| format!("cannot write {}", token_file.display()))?;
    println!(
        "export AWS_CONTAINER_CREDENTIALS_FULL_URI={}",
        prepared.endpoint.url()
    );
    println!(
        "export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE={}",
        token_file.display()
    );
    if let Some(region) = &prepared.region {
        println!("export AWS_REGION={region} AWS_DEFAULT_REGION={region}");
    }
    eprintln!(
        "leasekeeper: serving the keys of {} on {} until Ctrl-C; the token is in {} (owner-only). \
         Unset AWS_PROFILE and AWS_ACCESS_KEY_ID where you use it: they would win over it.",
        args.profile,
        prepared.endpoint.addr(),
        token_file.display()
    );
    prepared
        .endpoint
        .serve(prepared.source, crate::runtime::shutdown_signal())
        .await;
    let _ = std::fs::remove_file(&token_file);
    eprintln!("leasekeeper: stopped; the token is void");
    Ok(exit::code(exit::OK))
}
