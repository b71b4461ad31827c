"""Operating-system isolation layers for a sandboxed child, and their detection.

Every layer is optional except rlimits and the new session: what the
machine allows is detected once (in the zygote, by a throw-away probe
process, because ``unshare`` changes the caller) and every run records the
layers it actually got.

Layers, cheapest first:

* new session + process group, so the parent can SIGKILL the whole group;
* rlimits: CPU (soft = hard), address space, file size, open files, no core
  files, and process count (only meaningful for a non-root uid);
* namespaces via libc ``unshare`` (Python 3.11 has no ``os.unshare``):
  network (no interfaces but a down loopback: sockets and DNS fail), PID
  (the child is init of its namespace, so a double fork + ``setsid`` dies
  with it), IPC;
* a pids cgroup (v1 ``pids`` hierarchy or v2 with the pids controller);
* a non-root uid per run (RLIMIT_NPROC counts per uid; root ignores it);
* Landlock: the file system is reduced to read-only library paths plus the
  scratch directory, TCP bind/connect are refused (ABI >= 4), and signals
  and abstract unix sockets outside the sandbox are refused (ABI >= 6).
"""
from __future__ import annotations

import ctypes
import os
import resource
import stat
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4

_SYS_LANDLOCK_CREATE_RULESET = 444
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1

# Landlock file-system access rights, in ABI order.
_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_ALL_ABI1 = (1 << 13) - 1
_FS_REFER = 1 << 13  # ABI 2
_FS_TRUNCATE = 1 << 14  # ABI 3
_FS_IOCTL_DEV = 1 << 15  # ABI 5
_NET_BIND_TCP = 1 << 0  # ABI 4
_NET_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
_SCOPE_SIGNAL = 1 << 1

PIDS_CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


# --------------------------------------------------------------- primitives

def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def set_parent_death_signal(sig: int) -> None:
    _check(_libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def set_child_subreaper() -> None:
    _check(_libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)")


def set_no_new_privs() -> None:
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when unavailable."""
    result = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    return int(result) if result > 0 else 0


def landlock_restrict(read_paths: list[str], write_paths: list[str], abi: int) -> None:
    """Allow reading ``read_paths``, everything under ``write_paths``, and
    nothing else on the file system; no TCP; no signals or abstract sockets
    outside this sandbox (as far as the ABI supports).  Irreversible."""
    fs_all = _FS_ALL_ABI1
    if abi >= 2:
        fs_all |= _FS_REFER
    if abi >= 3:
        fs_all |= _FS_TRUNCATE
    if abi >= 5:
        fs_all |= _FS_IOCTL_DEV
    attr = _RulesetAttr(fs_all,
                        (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
                        (_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if abi >= 6 else 0)
    size = 24 if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _check(_libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
                                   ctypes.c_size_t(size), ctypes.c_uint32(0)),
                     "landlock_create_ruleset")
    try:
        read_access = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
        for paths, access in ((read_paths, read_access), (write_paths, fs_all)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue  # a path that does not exist needs no rule
                try:
                    is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
                    # Directory-only rights are invalid on a file.
                    allowed = access if is_dir else access & (_FS_EXECUTE | _FS_READ_FILE | _FS_WRITE_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV)
                    rule = _PathBeneathAttr(allowed & fs_all, fd)
                    _check(_libc.syscall(_SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                                         ctypes.c_int(_LANDLOCK_RULE_PATH_BENEATH),
                                         ctypes.byref(rule), ctypes.c_uint32(0)),
                           f"landlock_add_rule({path})")
                finally:
                    os.close(fd)
        set_no_new_privs()
        _check(_libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)


def set_rlimits(*, cpu_seconds: int, address_space: int, file_size: int,
                open_files: int, processes: int | None) -> None:
    limits = [
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_AS, address_space),
        (resource.RLIMIT_FSIZE, file_size),
        (resource.RLIMIT_NOFILE, open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    if processes is not None:
        limits.append((resource.RLIMIT_NPROC, processes))
    for which, value in limits:
        # A hard limit set above the grader (a shell's `ulimit -f`) cannot be raised: the lower one holds.
        hard = resource.getrlimit(which)[1]
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def virtual_memory_size() -> int:
    """This process's current address-space size in bytes (VmSize)."""
    with open("/proc/self/status", "rb") as handle:
        for line in handle:
            if line.startswith(b"VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


# --------------------------------------------------------------- file system

def library_read_paths() -> list[str]:
    """Paths the child may read: the interpreter, its libraries and shared
    objects.  Everything else (the project, its problem specs, /home, /root,
    /tmp, /proc of other processes) stays unreadable under Landlock."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             "/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache", "/etc/localtime",
             "/dev/null", "/dev/urandom", "/dev/zero", "/proc/self/"}
    for entry in sys.path:
        if entry and os.path.isdir(entry) and ("site-packages" in entry or "lib/python" in entry):
            paths.add(entry)
    return sorted(paths)


def readable_by_others(path: str) -> bool:
    """Whether a non-root uid can reach ``path`` (every parent directory
    searchable by others).  Decides whether late stdlib imports can work
    after the uid drop."""
    current = Path(path).resolve()
    for directory in [current, *current.parents]:
        try:
            mode = directory.stat().st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


# ----------------------------------------------------------------- cgroups

def pids_cgroup_root() -> Path | None:
    """A writable pids-cgroup directory we may create sub-groups in."""
    for root in PIDS_CGROUP_ROOTS:
        controllers = root / "cgroup.controllers"
        if root.name == "pids" and (root / "cgroup.procs").exists():
            base = root
        elif controllers.exists() and "pids" in controllers.read_text().split():
            base = root  # cgroup v2 with the pids controller
        else:
            continue
        if os.access(base, os.W_OK):
            return base
    return None


def make_pids_cgroup(root: Path, name: str, max_pids: int) -> Path | None:
    group = root / "grader-sandbox" / name
    try:
        group.mkdir(parents=True)
        (group / "pids.max").write_text(str(max_pids))
        return group
    except OSError:
        remove_cgroup(group)
        return None


def join_cgroup(group: Path) -> None:
    (group / "cgroup.procs").write_text(str(os.getpid()))


def cgroup_members(group: Path) -> list[int]:
    try:
        return [int(line) for line in (group / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def remove_cgroup(group: Path) -> bool:
    try:
        group.rmdir()
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


# --------------------------------------------------------------- detection

def detect() -> dict:
    """Probe which layers this machine allows.  Forks a throw-away process
    for the namespace probe because ``unshare`` changes its caller."""
    found = {
        "rlimits": True,
        "root": os.geteuid() == 0,
        "landlock_abi": landlock_abi(),
        "network_namespace": False,
        "pid_namespace": False,
        "ipc_namespace": False,
        "pids_cgroup": pids_cgroup_root() is not None if os.geteuid() == 0 else False,
        "stdlib_readable_after_uid_drop": readable_by_others(os.path.dirname(os.__file__)),
    }
    for key, flag in (("network_namespace", CLONE_NEWNET), ("pid_namespace", CLONE_NEWPID),
                      ("ipc_namespace", CLONE_NEWIPC)):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the probe process
            try:
                unshare(flag)
                os._exit(0)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        found[key] = os.waitstatus_to_exitcode(status) == 0
    found["uid_drop"] = found["root"]
    return found


def namespace_flags(available: dict) -> int:
    flags = 0
    if available.get("network_namespace"):
        flags |= CLONE_NEWNET
    if available.get("pid_namespace"):
        flags |= CLONE_NEWPID
    if available.get("ipc_namespace"):
        flags |= CLONE_NEWIPC
    return flags

