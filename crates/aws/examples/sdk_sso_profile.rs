//! Resolves an SSO profile with aws-sdk-rust's own credential chain (which
//! reads the SSO token cache under `HOME`) and prints GetCallerIdentity's
//! ARN: the test of the token file Leasekeeper writes, from the Rust SDK's
//! side. Usage: `sdk_sso_profile PROFILE` with `HOME`, `AWS_CONFIG_FILE`
//! and the endpoint variables set.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let profile = std::env::args()
        .nth(1)
        .ok_or("usage: sdk_sso_profile PROFILE")?;
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .profile_name(profile)
        .load()
        .await;
    let who = aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| aws_sdk_sts::error::DisplayErrorContext(e).to_string())?;
    println!("{}", who.arn().unwrap_or_default());
    Ok(())
}
