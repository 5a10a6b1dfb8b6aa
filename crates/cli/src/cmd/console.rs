//! `leasekeeper console --profile P [--destination SERVICE_OR_URL]
//! [--region R] [--print]`: the AWS console in the browser, signed in as
//! the profile. The login URL signs in whoever holds it: the browser gets
//! it through a one-shot loopback redirect (never on its command line);
//! `--print` writes it to stdout and nothing else. What the person should
//! know (a chained role's hour, no MFA context) goes to stderr.

use std::process::ExitCode;

use leasekeeper_engine::resolve::ResolveError;
use leasekeeper_host::browser::SystemBrowser;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::console::{self, ConsoleError, ConsoleRequest};

use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile to sign in as
    #[arg(long, short = 'p', value_name = "P")]
    profile: String,
    /// A service (s3, ec2, cloudwatch…) or a URL on the console's hosts
    #[arg(long, short = 'd', value_name = "SERVICE_OR_URL")]
    destination: Option<String>,
    /// The console's region (default: AWS_REGION, the profile's region, us-east-1)
    #[arg(long, short = 'r', value_name = "R")]
    region: Option<String>,
    /// Print the sign-in URL to stdout instead of opening a browser (it is a secret)
    #[arg(long)]
    print: bool,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let runtime = crate::runtime::runtime()?;
    let env = Environment::process();
    let req = ConsoleRequest {
        profile: args.profile,
        destination: args.destination,
        region: args.region,
    };
    let result = runtime.block_on(async {
        let login = if args.print {
            let login = console::console(&home.paths, &env, &req).await?;
            println!("{}", login.url.expose());
            login
        } else {
            let browser = SystemBrowser::from_env(env.lookup());
            let login = console::open_as(&home.paths, &env, &req, &browser).await?;
            eprintln!(
                "leasekeeper: opened the console as {} ({})",
                login.arn, login.destination
            );
            login
        };
        for note in &login.notes {
            eprintln!("leasekeeper: {}", note.message());
        }
        Ok::<_, ConsoleError>(login)
    });
    match result {
        Ok(_) => Ok(exit::code(exit::OK)),
        Err(e) => {
            eprintln!(
                "leasekeeper: {} [{}]",
                e.to_string().replace(['\r', '\n'], " "),
                e.code()
            );
            Ok(exit::code(exit_code(&e)))
        }
    }
}

fn exit_code(e: &ConsoleError) -> u8 {
    match e {
        ConsoleError::MustAct(_) => exit::ACTION_NEEDED,
        ConsoleError::Destination(_) => exit::USAGE,
        // As `status` and `doctor`: a --profile naming nothing is usage.
        ConsoleError::Resolve(ResolveError::MissingProfile { .. }) => exit::USAGE,
        ConsoleError::Resolve(_) | ConsoleError::Refused(_) => exit::PROFILE_ERROR,
        _ => exit::FAILURE,
    }
}
