#!/usr/bin/python3
"""A sharded sweep on a real one-node Slurm cluster, started and stopped here.

munged, slurmctld and slurmd (Debian: munge, slurmctld, slurmd, slurm-wlm)
run from a temporary folder: munged with its key, socket, pid, log and seed
files there; slurmctld and slurmd from one slurm.conf (AuthInfo pointing at
that munge socket, proctrack/linuxproc, task/none, no accounting, one node at
127.0.0.1, ports picked free). As root, no systemd. Everything is stopped at
the end, whatever happens.

Checks: `repsim slurm` writes the job array's sbatch file; the array runs
`repsim run --shard I/N`, and `repsim merge` of its shards gives the
unsharded run's sweep.csv byte for byte. Then a second array with one task
cancelled (`scancel JOB_2` while the array is held): `repsim merge` fails and
names the missing shard; re-running that task alone (`sbatch --array=2`) and
merging again gives the same bytes.

usage: test_slurm.py REPSIM SOURCE_DIR     exit 77: skipped (packages missing, not root)
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPSIM, SOURCE = os.path.abspath(sys.argv[1]), sys.argv[2]
SCENARIO = os.path.join(SOURCE, "scenarios", "epochs-vs-dataset-size.toml")
NAME = "epochs-vs-dataset-size"
SHARDS = 4
FAILURES = []
TOOLS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel", "scontrol"]


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def skip(why):
    print(f"SKIPPED: {why}")
    sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """munged + slurmctld + slurmd in `d`; stop() ends whatever was started."""

    def __init__(self, d):
        self.d = d
        self.procs = []  # (name, Popen)
        self.env = dict(os.environ, SLURM_CONF=os.path.join(d, "slurm.conf"))

    def path(self, name):
        return os.path.join(self.d, name)

    def start(self):
        d = self.d
        os.chmod(d, 0o700)
        with open(self.path("munge.key"), "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(self.path("munge.key"), 0o600)
        for sub in ("state", "spool"):
            os.makedirs(self.path(sub))
        # -F: foreground, so that this process owns it (and can stop it).
        self.spawn("munged", ["munged", "-F", "-f", f"--key-file={self.path('munge.key')}",
                              f"--socket={self.path('munge.sock')}",
                              f"--pid-file={self.path('munged.pid')}",
                              f"--log-file={self.path('munged.log')}",
                              f"--seed-file={self.path('munged.seed')}"])
        self.wait_for(lambda: os.path.exists(self.path("munge.sock")), 10, "the munge socket")
        cpus = os.cpu_count() or 1
        conf = f"""ClusterName=repsimtest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.path('munge.sock')}
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
StateSaveLocation={self.path('state')}
SlurmdSpoolDir={self.path('spool')}
SlurmctldPidFile={self.path('slurmctld.pid')}
SlurmdPidFile={self.path('slurmd.pid')}
SlurmctldLogFile={self.path('slurmctld.log')}
SlurmdLogFile={self.path('slurmd.log')}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SlurmdParameters=config_overrides
NodeName=repsimnode NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=repsimtest Nodes=repsimnode Default=YES MaxTime=INFINITE State=UP
"""
        with open(self.path("slurm.conf"), "w") as f:
            f.write(conf)
        t0 = time.monotonic()
        self.spawn("slurmctld", ["slurmctld", "-D", "-f", self.path("slurm.conf")])
        self.spawn("slurmd", ["slurmd", "-D", "-f", self.path("slurm.conf"), "-N", "repsimnode"])
        self.wait_for(lambda: self.out(["sinfo", "-h", "-o", "%t"]).strip() == "idle", 60,
                      "the node to be idle")
        print(f"cluster up in {time.monotonic() - t0:.1f} s", flush=True)

    def spawn(self, name, cmd):
        log = open(self.path(f"{name}.out"), "wb")
        self.procs.append((name, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                                  env=self.env, start_new_session=True)))

    def out(self, cmd, check=False):
        r = subprocess.run(cmd, env=self.env, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr}")
        return r.stdout

    def wait_for(self, cond, seconds, what):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for name, p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited ({p.returncode}) while waiting for {what}: "
                                       + self.logs())
            if cond():
                return
            time.sleep(0.2)
        raise RuntimeError(f"timed out after {seconds} s waiting for {what}: " + self.logs())

    def wait_job(self, job, seconds=300):
        self.wait_for(lambda: self.out(["squeue", "-h", "-j", job]).strip() == "", seconds,
                      f"job {job} to finish")

    def logs(self):
        text = ""
        for f in ("slurmctld.log", "slurmd.log", "munged.log", "slurmctld.out", "slurmd.out"):
            try:
                with open(self.path(f), errors="replace") as fh:
                    text += f"\n--- {f} (end)\n" + "".join(fh.readlines()[-15:])
            except OSError:
                pass
        return text

    def stop(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        skip(f"not installed: {', '.join(missing)} (Debian: slurm-wlm slurmctld slurmd munge; "
             "`make deps`)")
    if os.geteuid() != 0:
        skip("slurmd must run as root here (SlurmdUser=root)")

    tmp = tempfile.mkdtemp(prefix="repsim-slurm-")
    cluster = Cluster(os.path.join(tmp, "cluster"))
    os.makedirs(cluster.d)
    # Stop the cluster on SIGTERM/SIGINT too (CTest's timeout sends SIGTERM... or kills).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(1))
    try:
        cluster.start()
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        full = os.path.join(work, "full")
        r = subprocess.run([REPSIM, "run", SCENARIO, "--quiet", "--out", full])
        check(r.returncode == 0, "unsharded repsim run")
        expected = read(os.path.join(full, NAME, "sweep.csv"))

        # 1. The whole array.
        sbatch = os.path.join(work, "sweep.sbatch")
        r = subprocess.run([REPSIM, "slurm", SCENARIO, "--shards", str(SHARDS), "--shard-dir",
                            os.path.join(work, "shards"), "--out", os.path.join(work, "merged"),
                            "--output", sbatch], capture_output=True, text=True)
        check(r.returncode == 0, f"repsim slurm writes the sbatch file ({r.stderr.strip()})")
        text = open(sbatch).read()
        check(f"#SBATCH --array=1-{SHARDS}" in text, "the sbatch file is a job array of 4 tasks")
        merge = [l[len("# merge: "):] for l in text.splitlines() if l.startswith("# merge: ")]
        check(len(merge) == 1, "the sbatch file names its merge command")
        t0 = time.monotonic()
        job = cluster.out(["sbatch", "--parsable", sbatch], check=True).strip().split(";")[0]
        cluster.wait_job(job)
        print(f"array job {job}: {SHARDS} tasks done in {time.monotonic() - t0:.1f} s", flush=True)
        for i in range(1, SHARDS + 1):
            check(os.path.exists(os.path.join(work, "shards", str(i), NAME, "sweep.shard.toml")),
                  f"task {i} wrote its shard")
        r = subprocess.run(["bash", "-c", merge[0]], capture_output=True, text=True)
        check(r.returncode == 0, f"the merge succeeds ({r.stderr.strip()})")
        got = os.path.join(work, "merged", NAME, "sweep.csv")
        check(os.path.exists(got) and read(got) == expected,
              f"merged sweep.csv == unsharded sweep.csv, byte for byte ({len(expected)} bytes)")

        # 2. One task cancelled, then re-run alone.
        sbatch2 = os.path.join(work, "sweep2.sbatch")
        r = subprocess.run([REPSIM, "slurm", SCENARIO, "--shards", str(SHARDS), "--shard-dir",
                            os.path.join(work, "shards2"), "--out", os.path.join(work, "merged2"),
                            "--output", sbatch2])
        check(r.returncode == 0, "repsim slurm (second array)")
        merge2 = [l[len("# merge: "):] for l in open(sbatch2).read().splitlines()
                  if l.startswith("# merge: ")][0]
        job2 = cluster.out(["sbatch", "--parsable", "--hold", sbatch2], check=True).strip()
        job2 = job2.split(";")[0]
        cluster.out(["scancel", f"{job2}_2"], check=True)
        cluster.out(["scontrol", "release", job2], check=True)
        cluster.wait_job(job2)
        check(not os.path.exists(os.path.join(work, "shards2", "2", NAME)),
              "the cancelled task 2 wrote nothing")
        r = subprocess.run(["bash", "-c", merge2], capture_output=True, text=True)
        check(r.returncode == 2 and "1 of 4 shards missing: 2/4" in r.stderr,
              f"merge of 3 of 4 shards fails naming shard 2/4 (exit {r.returncode}: "
              f"{r.stderr.strip()})")
        check(not os.path.exists(os.path.join(work, "merged2", NAME, "sweep.csv")),
              "the failed merge wrote no sweep.csv")
        job3 = cluster.out(["sbatch", "--parsable", "--array=2", sbatch2], check=True).strip()
        cluster.wait_job(job3.split(";")[0])
        r = subprocess.run(["bash", "-c", merge2], capture_output=True, text=True)
        check(r.returncode == 0, f"the merge after re-running task 2 succeeds ({r.stderr.strip()})")
        got = os.path.join(work, "merged2", NAME, "sweep.csv")
        check(os.path.exists(got) and read(got) == expected,
              "after re-running task 2: merged sweep.csv == unsharded, byte for byte")
    except Exception as e:  # noqa: BLE001 - reported as a failure, the cluster still stopped
        check(False, f"{type(e).__name__}: {e}")
    finally:
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} failed")
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
