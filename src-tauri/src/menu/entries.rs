//! A [`MenuModel`] flattened into the rows of the native menu, top to
//! bottom: each row's id, label and whether it can be clicked.

use leasekeeper_engine::menu::{MenuId, MenuModel};

/// One row of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A line to read (summary, attached, a group's header): disabled.
    Info {
        key: String,
        label: String,
    },
    /// A line that does something when clicked.
    Action {
        id: MenuId,
        label: String,
    },
    /// A submenu of actions.
    Submenu {
        key: String,
        label: String,
        items: Vec<(MenuId, String)>,
    },
    Separator,
}

impl Entry {
    /// What stays the same while only the words change.
    pub fn key(&self) -> String {
        match self {
            Entry::Info { key, .. } => key.clone(),
            Entry::Action { id, .. } => id.to_string(),
            // Its items are part of its shape: another list is another menu.
            Entry::Submenu { key, items, .. } => {
                let ids: Vec<String> = items.iter().map(|(id, _)| id.to_string()).collect();
                format!("{key}[{}]", ids.join(","))
            }
            Entry::Separator => "-".to_owned(),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Entry::Info { label, .. }
            | Entry::Action { label, .. }
            | Entry::Submenu { label, .. } => label,
            Entry::Separator => "",
        }
    }
}

fn info(key: impl Into<String>, label: &str) -> Entry {
    Entry::Info {
        key: key.into(),
        label: label.to_owned(),
    }
}

fn action(id: MenuId, label: &str) -> Entry {
    Entry::Action {
        id,
        label: label.to_owned(),
    }
}

/// The rows for `model`; Refresh all, Open Leasekeeper and Quit close it.
pub fn entries(model: &MenuModel) -> Vec<Entry> {
    let mut rows = vec![info("info:summary", &model.summary)];
    if let Some(attached) = &model.attached {
        rows.push(info("info:attached", attached));
    }
    if !model.groups.is_empty() {
        rows.push(Entry::Separator);
    }
    for group in &model.groups {
        rows.push(info(format!("header:{}", group.header), &group.header));
        for line in &group.lines {
            rows.push(action(line.id.clone(), &line.label));
        }
    }
    if let Some(more) = &model.more {
        rows.push(action(MenuId::More, more));
    }
    if let Some(problems) = &model.problems {
        rows.push(Entry::Separator);
        rows.push(action(MenuId::Problems, problems));
    }
    if !model.sign_ins.is_empty() {
        rows.push(Entry::Separator);
        for s in &model.sign_ins {
            rows.push(action(s.id.clone(), &s.label));
        }
    }
    if !model.add_profiles.is_empty() {
        rows.push(Entry::Separator);
        for s in &model.add_profiles {
            rows.push(action(s.id.clone(), &s.label));
        }
    }
    rows.push(Entry::Separator);
    if !model.consoles.is_empty() {
        rows.push(Entry::Submenu {
            key: "submenu:console".to_owned(),
            label: "Open console".to_owned(),
            items: model
                .consoles
                .iter()
                .map(|c| (c.id.clone(), c.label.clone()))
                .collect(),
        });
    }
    rows.push(action(MenuId::RefreshAll, "Refresh all"));
    rows.push(action(MenuId::Open, "Open Leasekeeper"));
    rows.push(action(MenuId::Quit, "Quit"));
    rows
}
