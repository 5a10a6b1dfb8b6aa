//! The approval pages a person uses: the list of pending sign-ins with
//! Approve and Deny buttons, the device-code page the verification URI opens,
//! and the page of one browser sign-in. Plain HTML forms, no script.

use crate::oidc::state::{PendingSignIn, SessionInfo, SignInKind};
use crate::wire::escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2430}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%}\
td,th{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #dde}code{font-size:1.05rem}\
form{display:inline}button{padding:.35rem .9rem;margin-right:.3rem;border-radius:4px;border:1px solid #889;cursor:pointer}\
button.approve{background:#1f7a3d;color:#fff;border-color:#1f7a3d}button.deny{background:#fff;color:#a12}\
.note{color:#556}.code{font-size:2rem;letter-spacing:.2rem;font-family:monospace}";

fn shell(title: &str, body: &str, refresh_secs: Option<u32>) -> String {
    let refresh = refresh_secs
        .map(|s| format!("<meta http-equiv=\"refresh\" content=\"{s}\">"))
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{refresh}<title>{t} - Leasekeeper sandbox</title>\
<style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n{body}\n</body></html>\n",
        t = escape(title)
    )
}

fn buttons(id: &str) -> String {
    let id = escape(id);
    format!(
        "<form method=\"post\" action=\"/_sandbox/approve\"><input type=\"hidden\" name=\"id\" value=\"{id}\">\
<button class=\"approve\" type=\"submit\">Approve</button></form>\
<form method=\"post\" action=\"/_sandbox/deny\"><input type=\"hidden\" name=\"id\" value=\"{id}\">\
<button class=\"deny\" type=\"submit\">Deny</button></form>"
    )
}

/// The main page: pending sign-ins, then sessions.
pub(crate) fn index(
    start_url: &str,
    pending: &[PendingSignIn],
    sessions: &[SessionInfo],
    now: u64,
    notice: Option<&str>,
) -> String {
    let mut b = String::new();
    if let Some(n) = notice {
        b.push_str(&format!("<p><strong>{}</strong></p>\n", escape(n)));
    }
    b.push_str(&format!(
        "<p class=\"note\">IAM Identity Center at <code>{}</code>. Sign-ins wait here until you approve or deny them.</p>\n",
        escape(start_url)
    ));
    b.push_str("<h2>Waiting for you</h2>\n");
    if pending.is_empty() {
        b.push_str("<p class=\"note\">No sign-in is waiting. This page reloads itself.</p>\n");
    } else {
        b.push_str(
            "<table><tr><th>Sign-in</th><th>Application</th><th>Lapses in</th><th></th></tr>\n",
        );
        for p in pending {
            let what = match p.kind {
                SignInKind::DeviceCode => format!("device code <code>{}</code>", escape(&p.id)),
                SignInKind::AuthorizationCode => "browser sign-in".to_owned(),
            };
            b.push_str(&format!(
                "<tr><td>{what}</td><td>{}</td><td>{}:{:02}</td><td>{}</td></tr>\n",
                escape(&p.client_name),
                p.expires_in_secs / 60,
                p.expires_in_secs % 60,
                buttons(&p.id)
            ));
        }
        b.push_str("</table>\n");
    }
    b.push_str("<h2>Sign-in sessions</h2>\n");
    if sessions.is_empty() {
        b.push_str("<p class=\"note\">None yet.</p>\n");
    } else {
        b.push_str("<table><tr><th>Session</th><th>State</th></tr>\n");
        for s in sessions {
            let state = if s.ended {
                "ended".to_owned()
            } else if now >= s.ends {
                "lapsed".to_owned()
            } else {
                format!("active, {} s left", s.ends - now)
            };
            b.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{state}</td></tr>\n",
                escape(&s.id)
            ));
        }
        b.push_str("</table>\n");
    }
    shell("Sandbox sign-in", &b, Some(5))
}

/// The verification URI's page: one device code to approve, or a box to type one.
pub(crate) fn device(user_code: Option<&str>, pending: bool) -> String {
    let body = match (user_code, pending) {
        (Some(code), true) => format!(
            "<p>An application asks to sign in with this code. Check that it is the code the application shows.</p>\n\
<p class=\"code\">{}</p>\n<p>{}</p>",
            escape(code),
            buttons(code)
        ),
        (Some(code), false) => format!(
            "<p>No sign-in is waiting for the code <code>{}</code>: it was already used, denied, or has lapsed.</p>\n\
<p><a href=\"/_sandbox/\">All sign-ins</a></p>",
            escape(code)
        ),
        (None, _) => "<form method=\"get\" action=\"/_sandbox/device\"><p>Enter the code the application shows: \
<input name=\"user_code\" autofocus> <button type=\"submit\">Continue</button></p></form>\n\
<p><a href=\"/_sandbox/\">All sign-ins</a></p>"
            .to_owned(),
    };
    shell("Authorize request", &body, None)
}

/// One browser sign-in, waiting.
pub(crate) fn sign_in(id: &str, client_name: &str, expires_in: u64) -> String {
    let body = format!(
        "<p><strong>{}</strong> asks to sign in to the sandbox's IAM Identity Center and reach your AWS accounts.</p>\n\
<p>{}</p>\n<p class=\"note\">This request lapses in {}:{:02}. The page follows on by itself once it is approved elsewhere.</p>",
        escape(client_name),
        buttons(id),
        expires_in / 60,
        expires_in % 60
    );
    shell("Allow access?", &body, Some(3))
}

/// A short error page.
pub(crate) fn error_page(message: &str) -> String {
    shell(
        "Cannot continue",
        &format!(
            "<p>{}</p>\n<p><a href=\"/_sandbox/\">All sign-ins</a></p>",
            escape(message)
        ),
        None,
    )
}

/// What a person sees after deciding a device sign-in.
pub(crate) fn decided(approved: bool) -> String {
    let text = if approved {
        "Request approved. You can close this page and return to the application."
    } else {
        "Request denied. The application will not get access."
    };
    shell(
        if approved { "Approved" } else { "Denied" },
        &format!("<p>{text}</p>\n<p><a href=\"/_sandbox/\">All sign-ins</a></p>"),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_sign_ins_get_approve_and_deny_forms_with_escaped_names() {
        let p = vec![PendingSignIn {
            id: "BCDF-GHJK".into(),
            kind: SignInKind::DeviceCode,
            client_name: "<script>".into(),
            expires_in_secs: 599,
        }];
        let html = index("https://sandbox.awsapps.com/start", &p, &[], 0, None);
        assert!(html.contains("action=\"/_sandbox/approve\""));
        assert!(html.contains("action=\"/_sandbox/deny\""));
        assert!(html.contains("value=\"BCDF-GHJK\""));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("9:59"));
    }
}
