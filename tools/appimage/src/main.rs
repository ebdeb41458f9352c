//! `paydesk-appimage DEB_ROOT OUT`: turns the unpacked data of PayDesk's `.deb`
//! (`dpkg-deb -x`) into an AppImage. The AppDir holds the same files the `.deb`
//! installs (`usr/bin/paydesk-app`, `usr/bin/paydesk`, the desktop entry and the
//! icons), `AppRun` pointing at the app, and the desktop entry and icon at the top as
//! the AppImage format asks. Like the `.deb`, it uses the system's WebKitGTK 4.1.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [deb_root, out] = args.as_slice() else {
        eprintln!("usage: paydesk-appimage DEB_ROOT OUT.AppImage");
        return ExitCode::from(2);
    };
    match make(deb_root, out) {
        Ok(()) => {
            println!("{}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn make(deb_root: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let app = deb_root.join("usr/bin/paydesk-app");
    if !app.is_file() {
        return Err(format!(
            "{} is missing: is {} an unpacked PayDesk .deb?",
            app.display(),
            deb_root.display()
        )
        .into());
    }
    let desktop = std::fs::read_dir(deb_root.join("usr/share/applications"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "desktop"))
        .ok_or("the .deb has no desktop entry")?;
    let icon_name = std::fs::read_to_string(&desktop)?
        .lines()
        .find_map(|l| l.strip_prefix("Icon=").map(str::to_owned))
        .ok_or("the desktop entry names no icon")?;
    let icon = ["256x256@2", "128x128", "32x32"]
        .iter()
        .map(|size| {
            deb_root.join(format!(
                "usr/share/icons/hicolor/{size}/apps/{icon_name}.png"
            ))
        })
        .find(|p| p.is_file())
        .ok_or("the .deb has no PNG icon")?;

    let build_dir = out
        .parent()
        .unwrap_or(Path::new("."))
        .join("appimage-build");
    std::fs::create_dir_all(&build_dir)?;
    let image = appimage::AppImage::new(&build_dir, "PayDesk".into())?;
    image.add_directory(&deb_root.join("usr"), Path::new("usr"))?;
    image.add_file(
        &desktop,
        Path::new(desktop.file_name().ok_or("desktop entry name")?),
    )?;
    image.add_file(&icon, Path::new(&format!("{icon_name}.png")))?;
    let dir = image.appdir().to_path_buf();
    std::os::unix::fs::symlink(format!("{icon_name}.png"), dir.join(".DirIcon"))?;
    std::os::unix::fs::symlink("usr/bin/paydesk-app", dir.join("AppRun"))?;
    image.build(out, None)?;
    std::fs::remove_dir_all(&build_dir).ok();
    Ok(())
}
