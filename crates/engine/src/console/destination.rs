//! Partitions, their sign-in and console hosts, and the destinations a
//! console sign-in may lead to: a service's home page in the region, or a
//! URL on the partition's console hosts, nothing else.

/// An AWS partition with a console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    /// `aws`
    Aws,
    /// `aws-cn`
    China,
    /// `aws-us-gov`
    GovCloud,
}

/// Why a region or a destination is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    #[error("the region {region:?} is not a region name (such as eu-west-1)")]
    BadRegion { region: String },
    #[error("the region {region} is in a partition without console sign-in")]
    NoConsole { region: String },
    #[error(
        "the destination {shown:?} is neither a service name (such as s3) nor an https address on \
         {domain} or one of its subdomains"
    )]
    OffConsole { shown: String, domain: &'static str },
}

impl DestinationError {
    pub fn code(&self) -> &'static str {
        match self {
            DestinationError::BadRegion { .. } => "bad_region",
            DestinationError::NoConsole { .. } => "no_console",
            DestinationError::OffConsole { .. } => "bad_destination",
        }
    }
}

/// A region name: lower-case letters, digits and dashes, starting with a
/// letter, at most 32 characters.
fn region_name(region: &str) -> bool {
    (1..=32).contains(&region.len())
        && region.starts_with(|c: char| c.is_ascii_lowercase())
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Partition {
    /// The partition of `region`.
    pub fn of(region: &str) -> Result<Partition, DestinationError> {
        if !region_name(region) {
            return Err(DestinationError::BadRegion {
                region: region.chars().take(40).collect(),
            });
        }
        if region.starts_with("cn-") {
            Ok(Partition::China)
        } else if region.starts_with("us-gov-") {
            Ok(Partition::GovCloud)
        } else if region.contains("-iso") {
            Err(DestinationError::NoConsole {
                region: region.to_owned(),
            })
        } else {
            Ok(Partition::Aws)
        }
    }

    /// The domain every console host of the partition is, or ends in.
    pub fn console_domain(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::China => "console.amazonaws.cn",
            Partition::GovCloud => "console.amazonaws-us-gov.com",
        }
    }
}

/// The federation endpoint's base URL for a region: `signin.aws.amazon.com`
/// in us-east-1, `REGION.signin.aws.amazon.com` elsewhere in `aws`, one host
/// each in China and GovCloud.
pub fn signin_base(partition: Partition, region: &str) -> String {
    match partition {
        Partition::Aws if region == "us-east-1" => "https://signin.aws.amazon.com".to_owned(),
        Partition::Aws => format!("https://{region}.signin.aws.amazon.com"),
        Partition::China => "https://signin.amazonaws.cn".to_owned(),
        Partition::GovCloud => "https://signin.amazonaws-us-gov.com".to_owned(),
    }
}

/// The console host the default destinations use.
pub fn console_host(partition: Partition, region: &str) -> String {
    match partition {
        Partition::Aws => format!("{region}.{}", partition.console_domain()),
        Partition::China | Partition::GovCloud => partition.console_domain().to_owned(),
    }
}

/// A service name as the console's paths use them (`s3`, `ec2`,
/// `cloudwatch`, `iam`).
fn service_name(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The host of an `https://` URL when it is a plain host name (no user,
/// no port, nothing a browser would read differently), lower-cased.
fn https_host(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    if url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let plain = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    plain.then(|| host.to_ascii_lowercase())
}

/// Where the console opens: `None` is the console's home in `region`; a
/// service name is that service's home; a URL must be `https` on the
/// partition's console domain or a subdomain of it.
pub fn destination(
    wanted: Option<&str>,
    partition: Partition,
    region: &str,
) -> Result<String, DestinationError> {
    let host = console_host(partition, region);
    let Some(wanted) = wanted.map(str::trim) else {
        return Ok(format!("https://{host}/console/home?region={region}"));
    };
    // Service names are read as the console writes them: `S3` is `s3`.
    let service = wanted.to_ascii_lowercase();
    if service_name(&service) {
        return Ok(format!("https://{host}/{service}/home?region={region}"));
    }
    let domain = partition.console_domain();
    let on_console = https_host(wanted).is_some_and(|h| {
        h == domain
            || h.strip_suffix(domain)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
    });
    if on_console {
        Ok(wanted.to_owned())
    } else {
        Err(DestinationError::OffConsole {
            shown: wanted.chars().take(120).collect(),
            domain,
        })
    }
}
