//! A sweep in shards on a real Slurm cluster (DESIGN §9, deploy/slurm/): a single-node cluster
//! (munged, slurmctld, slurmd) started from a slurm.conf written into a temporary folder, the
//! demo's 16-point setup-cost sweep submitted through `deploy/slurm/submit.sh` as a 4-task
//! array and its merge job, and the merged sweep.csv compared with a one-machine run.
//!
//! Runs as root on Debian (CI): `slurm-wlm` and `munge` are installed with apt-get when missing.
//! Every daemon is this test's own (its own munge socket and key, its own ports and state), and
//! is stopped by its pid when the test ends, also on a failure ([`Cluster`]'s `Drop`).

mod common;

use common::harness::{ROOT, cartnet, run, sweep_csv_without_seconds as without_seconds};
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The sweep: the setup-cost range of models/sweeps/setup-cost.toml, in 16 points.
const SWEEP: [&str; 6] = [
    "--data",
    "data/demo",
    "--model",
    "models/baseline.toml",
    "--vary",
    "site.setup_cost_owned=1.5e6..3e6/16",
];
const SHARDS: usize = 4;
/// How long the cluster may take to come up (it takes about 3 s).
const START_WAIT: Duration = Duration::from_secs(30);
/// How long the array and the merge may take (about 45 s on 2 cores).
const RUN_WAIT: Duration = Duration::from_secs(150);
const POLL: Duration = Duration::from_millis(500);
/// How long a daemon gets to stop after SIGTERM before SIGKILL.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// The daemons this test started, stopped by their pids when it is dropped.
struct Cluster {
    dir: tempfile::TempDir,
    daemons: Vec<(&'static str, Child)>,
}

impl Cluster {
    fn conf(&self) -> PathBuf {
        self.dir.path().join("slurm.conf")
    }

    /// A Slurm client command against this cluster.
    fn slurm(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("SLURM_CONF", self.conf());
        c
    }

    fn start(&mut self, name: &'static str, mut command: Command) {
        let log = fs::File::create(self.dir.path().join(format!("{name}.out"))).unwrap();
        let child = command
            .env("SLURM_CONF", self.conf())
            .current_dir(self.dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        self.daemons.push((name, child));
    }

    /// Everything the cluster logged, for a failure message.
    fn logs(&self) -> String {
        let mut all = String::new();
        for name in ["slurmctld.log", "slurmd.log", "munged.out", "munged.log"] {
            let text = fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(40).collect();
            all.push_str(&format!("--- {name} (last lines)\n"));
            for l in tail.iter().rev() {
                all.push_str(l);
                all.push('\n');
            }
        }
        all
    }

    /// Cancels this cluster's jobs and stops its daemons (last started first); returns their
    /// pids.
    fn stop(&mut self) -> Vec<u32> {
        if self.daemons.is_empty() {
            // scancel would retry a stopped controller for seconds
            return Vec::new();
        }
        let _ = self.slurm("scancel").arg("--user=root").output();
        let mut pids = Vec::new();
        while let Some((_, mut child)) = self.daemons.pop() {
            pids.push(child.id());
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let until = Instant::now() + STOP_WAIT;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < until {
                sleep(Duration::from_millis(50));
            }
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
        pids
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Installs slurm-wlm and munge with apt-get when one of the daemons is missing.
fn install() {
    let have = |p: &str| Path::new(p).exists();
    if [
        "/usr/sbin/slurmctld",
        "/usr/sbin/slurmd",
        "/usr/sbin/munged",
        "/usr/bin/sbatch",
    ]
    .iter()
    .all(|p| have(p))
    {
        return;
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let packages = ["install", "-y", "-q", "slurm-wlm", "munge"];
    assert!(
        apt(&packages) || (apt(&["update", "-q"]) && apt(&packages)),
        "this test needs slurm-wlm and munge, and `apt-get install slurm-wlm munge` failed \
         (it runs as root on Debian)"
    );
}

/// A TCP port nothing listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("0.0.0.0:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

fn short_hostname() -> String {
    let out = Command::new("hostname")
        .arg("-s")
        .output()
        .expect("hostname runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The settings measured to work on Debian 12 with slurm-wlm 22.05, as root, one node.
fn slurm_conf(dir: &Path, host: &str) -> String {
    let d = dir.display();
    let (ctld, slurmd) = (free_port(), free_port());
    format!(
        "ClusterName=cartnet-test\nSlurmctldHost={host}\nSlurmctldPort={ctld}\n\
         SlurmdPort={slurmd}\nSlurmUser=root\nSlurmdUser=root\nAuthType=auth/munge\n\
         AuthInfo=socket={d}/munge.sock\nCredType=cred/munge\nStateSaveLocation={d}/state\n\
         SlurmdSpoolDir={d}/spool\nSlurmctldPidFile={d}/slurmctld.pid\n\
         SlurmdPidFile={d}/slurmd.pid\nSlurmctldLogFile={d}/slurmctld.log\n\
         SlurmdLogFile={d}/slurmd.log\nProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
         SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n\
         AccountingStorageType=accounting_storage/none\nJobAcctGatherType=jobacct_gather/none\n\
         MpiDefault=none\nReturnToService=2\n\
         NodeName={host} CPUs=2 State=UNKNOWN\n\
         PartitionName=cartnet Nodes={host} Default=YES MaxTime=INFINITE State=UP\n"
    )
}

/// munged with its own key and socket, then slurmctld and slurmd; waits for the node.
fn start_cluster() -> Cluster {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    for sub in ["state", "spool"] {
        fs::create_dir_all(d.join(sub)).unwrap();
    }
    fs::write(d.join("slurm.conf"), slurm_conf(&d, &short_hostname())).unwrap();
    let key = Command::new("mungekey")
        .arg("--create")
        .arg(format!("--keyfile={}", d.join("munge.key").display()))
        .status();
    assert!(key.is_ok_and(|s| s.success()), "mungekey --create failed");
    let mut cluster = Cluster {
        dir,
        daemons: Vec::new(),
    };
    let mut munged = Command::new("munged");
    munged.args(["-F", "--force"]);
    for (flag, file) in [
        ("socket", "munge.sock"),
        ("key-file", "munge.key"),
        ("log-file", "munged.log"),
        ("pid-file", "munged.pid"),
        ("seed-file", "munged.seed"),
    ] {
        munged.arg(format!("--{flag}={}", d.join(file).display()));
    }
    cluster.start("munged", munged);
    wait_for(&cluster, START_WAIT, "munged's socket", || {
        d.join("munge.sock").exists()
    });
    let mut ctld = Command::new("slurmctld");
    ctld.arg("-D");
    cluster.start("slurmctld", ctld);
    let mut slurmd = Command::new("slurmd");
    slurmd.arg("-D");
    cluster.start("slurmd", slurmd);
    wait_for(&cluster, START_WAIT, "the node to be idle", || {
        let out = cluster.slurm("sinfo").args(["-h", "-o", "%T"]).output();
        out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "idle")
    });
    cluster
}

/// Polls `ready` until it holds; panics with the cluster's logs after `limit`.
#[track_caller]
fn wait_for(cluster: &Cluster, limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        if start.elapsed() > limit {
            let queue = cluster.slurm("squeue").output().map_or(String::new(), |o| {
                String::from_utf8_lossy(&o.stdout).into_owned()
            });
            panic!(
                "timed out after {} s waiting for {what}\nsqueue:\n{queue}\n{}",
                limit.as_secs(),
                cluster.logs()
            );
        }
        sleep(POLL);
    }
}

/// The log files of the jobs, for a failure message.
fn job_logs(out: &Path) -> String {
    let mut all = String::new();
    for entry in fs::read_dir(out.join("logs"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = fs::read_to_string(entry.path()).unwrap_or_default();
        all.push_str(&format!("--- {}\n{text}\n", entry.path().display()));
    }
    all
}

#[test]
fn a_sweep_in_shards_on_slurm_equals_one_run() {
    let started = Instant::now();
    install();
    let mut cluster = start_cluster();
    let up = started.elapsed();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("cluster");
    let submit = cluster
        .slurm(&format!("{ROOT}/deploy/slurm/submit.sh"))
        .current_dir(ROOT)
        .env("CARTNET", env!("CARGO_BIN_EXE_cartnet"))
        .args(["--shards", &SHARDS.to_string(), "--cpus", "1", "--out"])
        .arg(&out)
        .arg("--")
        .args(SWEEP)
        .arg("--plans")
        .output()
        .expect("submit.sh runs");
    let said = String::from_utf8_lossy(&submit.stdout).into_owned();
    assert!(
        submit.status.success() && said.contains("merge:  job"),
        "submit.sh failed:\n{said}{}\n{}",
        String::from_utf8_lossy(&submit.stderr),
        cluster.logs()
    );
    // the one-machine run meanwhile, on the same cores
    let one = work.path().join("one");
    let alone = run(cartnet().arg("sweep").args(SWEEP).arg("--out").arg(&one));
    assert_eq!(alone.code, Some(0), "{}{}", alone.stdout, alone.stderr);
    let merged = out.join("sweep.csv");
    wait_for(&cluster, RUN_WAIT, "the merged sweep.csv", || {
        let queue = cluster.slurm("squeue").args(["-h"]).output();
        merged.exists() && queue.is_ok_and(|o| o.stdout.is_empty())
    });
    let merge_log = fs::read_to_string(out.join("logs/merge.out")).unwrap_or_default();
    assert!(
        merge_log.contains("16 scenarios merged from 4 shards"),
        "the merge job did not merge the four shards:\n{}",
        job_logs(&out)
    );
    assert_eq!(
        without_seconds(&merged),
        without_seconds(&one.join("sweep.csv")),
        "the merged sweep.csv differs from one run's (apart from seconds)"
    );
    for file in ["sweep.svg", "sweep.html"] {
        assert_eq!(
            fs::read_to_string(out.join(file)).unwrap(),
            fs::read_to_string(one.join(file)).unwrap(),
            "the merged {file} differs from one run's"
        );
    }
    let pids = cluster.stop();
    for pid in pids {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "daemon {pid} still runs"
        );
    }
    eprintln!(
        "slurm test: cluster up in {:.1} s, all done in {:.1} s",
        up.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
