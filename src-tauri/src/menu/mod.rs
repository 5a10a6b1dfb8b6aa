//! The native tray menu and icon, from the engine's [`MenuModel`]. Only
//! the words changed (the time left ticking down): the items are relabelled
//! in place, so their ids stay put for the panel; anything else: the menu
//! is built again. Clicks come back as [`MenuId`]s. Without a tray (the
//! mock runtime) only the rows are kept.

pub mod entries;
pub mod icon;

use leasekeeper_engine::menu::{IconState, MenuId, MenuModel};
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Runtime};

use entries::Entry;

/// The menu as shown: its rows and their native items.
pub struct NativeMenu<R: Runtime> {
    app: AppHandle<R>,
    tray: Option<(TrayIcon<R>, Menu<R>)>,
    rows: Vec<(Entry, Option<MenuItem<R>>)>,
    icon: IconState,
}

impl<R: Runtime> std::fmt::Debug for NativeMenu<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeMenu")
            .field("rows", &self.rows.len())
            .field("icon", &self.icon)
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> NativeMenu<R> {
    /// The menu for `model`, in a tray icon when `tray` (`on_click` gets
    /// every click that does something).
    pub fn new(
        app: &AppHandle<R>,
        model: &MenuModel,
        tray: bool,
        on_click: impl Fn(&AppHandle<R>, MenuId) + Send + Sync + 'static,
    ) -> tauri::Result<NativeMenu<R>> {
        let rows = entries::entries(model);
        if !tray {
            return Ok(NativeMenu {
                app: app.clone(),
                tray: None,
                rows: rows.into_iter().map(|r| (r, None)).collect(),
                icon: model.icon,
            });
        }
        let (menu, items) = build(app, &rows)?;
        let icon = TrayIconBuilder::with_id(crate::TRAY_ID)
            .icon(icon::image(model.icon))
            .menu(&menu)
            .show_menu_on_left_click(true)
            .on_menu_event(move |app, event| {
                if let Some(id) = MenuId::parse(event.id().as_ref()) {
                    on_click(app, id);
                }
            })
            .build(app)?;
        Ok(NativeMenu {
            app: app.clone(),
            tray: Some((icon, menu)),
            rows: rows.into_iter().zip(items).collect(),
            icon: model.icon,
        })
    }

    /// Shows `model`: new words in place, or a new menu.
    pub fn show(&mut self, model: &MenuModel) -> tauri::Result<()> {
        let rows = entries::entries(model);
        let same_shape = rows.len() == self.rows.len()
            && rows
                .iter()
                .zip(&self.rows)
                .all(|(a, (b, _))| a.key() == b.key());
        if same_shape {
            for (row, (old, item)) in rows.into_iter().zip(self.rows.iter_mut()) {
                if row.label() != old.label() {
                    if let Some(item) = item {
                        item.set_text(row.label())?;
                    }
                    *old = row;
                }
            }
        } else if let Some((tray, menu)) = &mut self.tray {
            let (new_menu, items) = build(&self.app, &rows)?;
            tray.set_menu(Some(new_menu.clone()))?;
            *menu = new_menu;
            self.rows = rows.into_iter().zip(items).collect();
        } else {
            self.rows = rows.into_iter().map(|r| (r, None)).collect();
        }
        if model.icon != self.icon {
            if let Some((tray, _)) = &self.tray {
                tray.set_icon(Some(icon::image(model.icon)))?;
            }
            self.icon = model.icon;
        }
        Ok(())
    }

    /// The labels shown, top to bottom (separators as empty strings).
    pub fn labels(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|(e, _)| e.label().to_owned())
            .collect()
    }

    /// The native menu, when there is a tray.
    pub fn menu(&self) -> Option<&Menu<R>> {
        self.tray.as_ref().map(|(_, menu)| menu)
    }
}

type Built<R> = (Menu<R>, Vec<Option<MenuItem<R>>>);

/// A row that is not a plain item: kept beside the items, by row index.
enum Other<R: Runtime> {
    Separator(PredefinedMenuItem<R>),
    Submenu(Submenu<R>),
}

fn build<R: Runtime>(app: &AppHandle<R>, rows: &[Entry]) -> tauri::Result<Built<R>> {
    let mut items: Vec<Option<MenuItem<R>>> = Vec::with_capacity(rows.len());
    let mut separators: Vec<(usize, Other<R>)> = Vec::new();
    for row in rows {
        match row {
            Entry::Info { key, label } => {
                items.push(Some(MenuItem::with_id(
                    app,
                    key,
                    label,
                    false,
                    None::<&str>,
                )?));
            }
            Entry::Action { id, label } => {
                let id = id.to_string();
                items.push(Some(MenuItem::with_id(app, id, label, true, None::<&str>)?));
            }
            Entry::Separator => {
                separators.push((
                    items.len(),
                    Other::Separator(PredefinedMenuItem::separator(app)?),
                ));
                items.push(None);
            }
            Entry::Submenu {
                key,
                label,
                items: children,
            } => {
                let children = children
                    .iter()
                    .map(|(id, label)| {
                        MenuItem::with_id(app, id.to_string(), label, true, None::<&str>)
                    })
                    .collect::<tauri::Result<Vec<_>>>()?;
                let refs: Vec<&dyn IsMenuItem<R>> =
                    children.iter().map(|c| c as &dyn IsMenuItem<R>).collect();
                let submenu = Submenu::with_id_and_items(app, key, label, true, &refs)?;
                separators.push((items.len(), Other::Submenu(submenu)));
                items.push(None);
            }
        }
    }
    let mut refs: Vec<&dyn IsMenuItem<R>> = Vec::with_capacity(rows.len());
    let mut seps = separators.iter();
    let mut next_sep = seps.next();
    for (i, item) in items.iter().enumerate() {
        match item {
            Some(item) => refs.push(item),
            None => {
                if let Some((at, other)) = next_sep {
                    if *at == i {
                        match other {
                            Other::Separator(sep) => refs.push(sep),
                            Other::Submenu(sub) => refs.push(sub),
                        }
                        next_sep = seps.next();
                    }
                }
            }
        }
    }
    let menu = Menu::with_items(app, &refs)?;
    Ok((menu, items))
}
