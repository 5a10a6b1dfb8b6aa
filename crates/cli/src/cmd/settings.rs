//! `leasekeeper settings`: the settings in effect, each with where its
//! value came from (the settings file and its line, an environment
//! variable, or the default), and what the file gets wrong. Reference:
//! docs/SETTINGS.md.

use std::process::ExitCode;

use leasekeeper_engine::settings::EXAMPLE;
use leasekeeper_engine::settings::effective::Source;
use leasekeeper_service::ops::settings::{self, SettingsView};

use crate::exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON: {"path", "found", "settings": [{"key", "value", "source"}], "problems"}
    #[arg(long, conflicts_with = "example")]
    json: bool,
    /// Print a starting settings file with every default spelled out
    #[arg(long)]
    example: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.example {
        print!("{EXAMPLE}");
        return Ok(exit::code(exit::OK));
    }
    let view = settings::read(|name| std::env::var_os(name))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json(&view))?);
    } else {
        print!("{}", table(&view));
        for p in &view.problems {
            eprintln!("leasekeeper: {p}");
        }
    }
    Ok(exit::code(exit::OK))
}

fn source_text(source: &Source) -> String {
    match source {
        Source::File { line } => format!("file, line {line}"),
        Source::Environment { variable } => format!("environment: {variable}"),
        Source::Default => "default".to_owned(),
    }
}

fn table(view: &SettingsView) -> String {
    let mut out = String::new();
    match &view.path {
        Some(p) if view.found => out.push_str(&format!("Settings file: {}\n\n", p.display())),
        Some(p) => out.push_str(&format!(
            "Settings file: {} (none there: every value is its default)\n\n",
            p.display()
        )),
        None => {
            out.push_str("Settings file: none (no home folder): every value is its default\n\n")
        }
    }
    let key_width = view
        .entries
        .iter()
        .map(|e| e.key.chars().count())
        .max()
        .unwrap_or(0)
        .max(3);
    let value_width = view
        .entries
        .iter()
        .map(|e| e.value.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    out.push_str(&format!(
        "{:key_width$}  {:value_width$}  FROM\n",
        "KEY", "VALUE"
    ));
    for e in &view.entries {
        // A value the file gets wrong stands on its default: say which line.
        let refused = view
            .problems
            .iter()
            .find(|p| !p.is_warning() && p.field() == Some(e.key.as_str()));
        let from = match refused {
            Some(p) if e.source == Source::Default => {
                format!("default (line {} is not valid)", p.line())
            }
            _ => source_text(&e.source),
        };
        out.push_str(&format!(
            "{:key_width$}  {:value_width$}  {from}\n",
            e.key, e.value
        ));
    }
    out
}

fn json(view: &SettingsView) -> serde_json::Value {
    let problems: Vec<serde_json::Value> = view
        .problems
        .iter()
        .map(|p| {
            serde_json::json!({
                "code": p.code(),
                "line": p.line(),
                "field": p.field(),
                "warning": p.is_warning(),
                "message": p.to_string(),
            })
        })
        .collect();
    serde_json::json!({
        "path": view.path.as_ref().map(|p| p.display().to_string()),
        "found": view.found,
        "settings": view.entries,
        "problems": problems,
    })
}
