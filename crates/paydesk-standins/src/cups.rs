//! A real print system for tests: Debian's CUPS scheduler (`cupsd`) of the test's own,
//! on 127.0.0.1 at a free port, configured in a temporary folder and stopped when
//! dropped. Its printers have no paper: their device (a tiny CUPS backend) keeps every
//! job it is given as a file, the one part no real component can play here. Programs
//! reach it through `CUPS_SERVER` (`lp`, `lpstat`). Only the standard library is used,
//! so the WebDriver suite includes this file as it is.

use std::{
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A running `cupsd` and its folder.
pub struct Cups {
    dir: PathBuf,
    child: Child,
    /// `127.0.0.1:PORT`, the value for `CUPS_SERVER`.
    pub server: String,
}

const BACKEND: &str = "#!/bin/sh\n\
# Keeps each job as capture:FOLDER/job-ID\n\
[ $# -eq 0 ] && { echo 'file capture \"Unknown\" \"Keeps jobs as files\"'; exit 0; }\n\
out=\"${DEVICE_URI#capture:}/job-$1\"\n\
if [ -n \"$6\" ]; then cat \"$6\" > \"$out.part\"; else cat > \"$out.part\"; fi\n\
mv \"$out.part\" \"$out\"\n";

impl Cups {
    /// Starts the scheduler and waits until it answers.
    pub fn start() -> Cups {
        let dir = std::env::temp_dir().join(format!(
            "paydesk-cups-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        for sub in [
            "spool",
            "cache",
            "state",
            "log",
            "tmp",
            "bin/backend",
            "jobs",
        ] {
            std::fs::create_dir_all(dir.join(sub)).expect("a folder for cupsd");
        }
        // The scheduler runs backends as the `lp` user: it must write the jobs down.
        set_mode(&dir.join("jobs"), 0o777);
        set_mode(&dir.join("tmp"), 0o777);
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let d = dir.display();
        std::fs::write(
            dir.join("cupsd.conf"),
            format!(
                "Listen 127.0.0.1:{port}\nLogLevel info\nWebInterface No\nBrowsing No\n\
                 DefaultAuthType None\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
                 <Policy default>\n  <Limit All>\n    Order allow,deny\n    Allow all\n  </Limit>\n</Policy>\n"
            ),
        )
        .expect("cupsd.conf");
        std::fs::write(
            dir.join("cups-files.conf"),
            format!(
                "ServerRoot {d}\nServerBin {d}/bin\nRequestRoot {d}/spool\nCacheDir {d}/cache\n\
                 StateDir {d}/state\nTempDir {d}/tmp\nErrorLog {d}/log/error_log\n\
                 AccessLog {d}/log/access_log\nPageLog {d}/log/page_log\nPrintcap {d}/printcap\n"
            ),
        )
        .expect("cups-files.conf");
        let backend = dir.join("bin/backend/capture");
        std::fs::write(&backend, BACKEND).expect("the capture backend");
        set_mode(&backend, 0o755);
        // The scheduler starts its children through ServerBin/daemon/cups-exec.
        #[cfg(unix)]
        std::os::unix::fs::symlink("/usr/lib/cups/daemon", dir.join("bin/daemon"))
            .expect("ServerBin/daemon");
        let child = Command::new("cupsd")
            .arg("-f")
            .arg("-c")
            .arg(dir.join("cupsd.conf"))
            .arg("-s")
            .arg(dir.join("cups-files.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .or_else(|_| {
                Command::new("/usr/sbin/cupsd")
                    .arg("-f")
                    .arg("-c")
                    .arg(dir.join("cupsd.conf"))
                    .arg("-s")
                    .arg(dir.join("cups-files.conf"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
            })
            .expect("cupsd is needed (Debian's cups-daemon and cups-client packages)");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "cupsd did not answer on port {port}: {}",
                std::fs::read_to_string(dir.join("log/error_log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Cups {
            dir,
            child,
            server: format!("127.0.0.1:{port}"),
        }
    }

    /// A command of CUPS's (`lp`, `lpadmin`, …) pointed at this scheduler.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("CUPS_SERVER", &self.server).env("LC_ALL", "C");
        c
    }

    /// Adds a printer that keeps its jobs; `default` makes it the system's default.
    pub fn add_printer(&self, name: &str, default: bool) {
        let jobs = self.jobs_dir(name);
        std::fs::create_dir_all(&jobs).expect("the printer's folder");
        set_mode(&jobs, 0o777);
        let out = self
            .command("lpadmin")
            .args(["-p", name, "-E", "-m", "raw", "-v"])
            .arg(format!("capture:{}", jobs.display()))
            .output()
            .expect("lpadmin (Debian's cups-client)");
        assert!(
            out.status.success(),
            "lpadmin -p {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if default {
            let out = self
                .command("lpadmin")
                .args(["-d", name])
                .output()
                .expect("lpadmin");
            assert!(out.status.success(), "lpadmin -d {name}");
        }
    }

    /// Every job `printer` has printed so far, oldest first.
    pub fn jobs(&self, printer: &str) -> Vec<Vec<u8>> {
        let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(self.jobs_dir(printer))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().to_string();
                        let id = name.strip_prefix("job-")?.parse().ok()?;
                        Some((id, e.path()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, p)| std::fs::read(p).ok())
            .collect()
    }

    /// Waits until `printer` has printed `n` jobs (20 s at most) and returns them.
    pub fn wait_for_jobs(&self, printer: &str, n: usize) -> Vec<Vec<u8>> {
        let started = Instant::now();
        loop {
            let jobs = self.jobs(printer);
            if jobs.len() >= n {
                return jobs;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{printer} printed {} of {n} jobs: {}",
                jobs.len(),
                std::fs::read_to_string(self.dir.join("log/error_log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn jobs_dir(&self, printer: &str) -> PathBuf {
        self.dir.join("jobs").join(printer)
    }
}

impl Drop for Cups {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("permissions");
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}
