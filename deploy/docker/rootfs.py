"""Assembles the runtime image's root filesystem: only what `python -m server` runs, and its SBOM.

Run in the build stage by the Debian python3 the venv was made with:
    python3 rootfs.py --venv /opt/venv --wheels /tmp/wheels --out /rootfs --sbom /app/sbom.cdx.json
OUT receives
- the interpreter the venv's bin/python leads to, with each symlink on the way;
- the standard library less the parts in DROPPED (nothing the server or its libraries import), as
  bytecode without sources, as deploy/docker/slim-venv.sh leaves the venv's libraries;
- each shared library that ldd resolves for the interpreter and for every extension module kept in
  the standard library and in the venv, and the dynamic loader; one that does not resolve fails the build;
- /etc/passwd, /etc/group and /etc/nsswitch.conf for root and the runtime user, an empty /tmp;
- at SBOM, a CycloneDX document: the Debian package and version each copied file came from, and the
  venv's distributions with the SHA-256 of the wheel each was installed from.
The venv itself is not copied: the Dockerfile copies it as a layer of its own.

With --tools PACKAGES (comma-separated) OUT receives instead every file of those Debian packages and
the libraries their programs link: the debug image's shell and tools, laid over the runtime's tree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

# Standard-library packages and modules that neither the server nor its libraries import on any path
# it runs (tests/docker/test_image.py imports every server module and answers real requests on what
# is left): the test suite; installers and build tools; GUIs; debuggers and profilers; other
# databases, terminals, RPC and mail protocols; asyncio (nothing the server runs is async); the pure
# Python fallbacks of modules whose C versions are kept (_pydecimal, _pyio).
DROPPED = {
    "test", "idlelib", "tkinter", "turtle.py", "turtledemo", "lib2to3", "distutils", "ensurepip", "venv",
    "pydoc.py", "pydoc_data", "unittest", "doctest.py", "pdb.py", "profile.py", "cProfile.py", "pstats.py",
    "sqlite3", "dbm", "curses", "xmlrpc", "mailbox.py", "imaplib.py", "nntplib.py", "poplib.py", "smtplib.py",
    "smtpd.py", "ftplib.py", "telnetlib.py", "asyncore.py", "asynchat.py", "asyncio", "_pydecimal.py",
    "_pyio.py", "aifc.py", "sunau.py", "wave.py", "sitecustomize.py",
}
# Extension modules dropped with them, and with them the libraries only they link (libsqlite3,
# libncursesw, libreadline, libnsl, libcrypt): CPython's own test modules, the bindings of the
# packages above, and the East Asian codecs (the server reads UTF-8 and binary images only).
DROPPED_EXTENSIONS = re.compile(
    r"^(_test\w*|_ctypes_test|_xx\w*|xxlimited\w*|_curses\w*|_dbm|_sqlite3|readline|nis|ossaudiodev|_crypt|"
    r"_asyncio|_lsprof|audioop|_codecs_\w+|_multibytecodec)\.")
# The encodings those codecs implement (encodings/<name>.py imports _codecs_<language>).
CJK_ENCODINGS = re.compile(r"^(big5\w*|cp932|cp949|cp950|euc_\w+|gb\w+|hz|iso2022_\w+|johab|shift_jis\w*)\.py$")
ETC = {
    "passwd": "root:x:0:0:root:/root:/usr/sbin/nologin\n{user}:x:{uid}:{uid}::/nonexistent:/usr/sbin/nologin\n",
    "group": "root:x:0:\n{user}:x:{uid}:\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
}
LDD_PATH = re.compile(r"(?:=> )?(/\S+) \(0x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path)
    parser.add_argument("--wheels", type=Path, help="the wheels the venv was installed from")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tools", help="instead: these Debian packages, e.g. bash,coreutils")
    parser.add_argument("--sbom", default="/app/sbom.cdx.json", help="where the SBOM goes, inside OUT")
    parser.add_argument("--user", default="digits")
    parser.add_argument("--uid", type=int, default=10001)
    args = parser.parse_args(argv)
    if args.tools:
        place_packages(Tree(args.out), args.tools.split(","))
    elif args.venv and args.wheels:
        runtime_tree(args.out, args.venv, args.wheels, args.sbom, args.user, args.uid)
    else:
        parser.error("--venv and --wheels are required without --tools")


def runtime_tree(out: Path, venv: Path, wheels: Path, sbom: str, user: str, uid: int) -> None:
    tree = Tree(out)
    tree.place(str(venv / "bin" / "python"), stop_at=venv)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    tree.place_stdlib(stdlib)
    natives = [Path(os.path.realpath(venv / "bin" / "python"))]
    natives += sorted((out / stdlib.relative_to("/")).rglob("*.so"))
    natives += sorted(venv.rglob("*.so*"))
    for library in shared_libraries(natives):
        if not library.startswith(f"{venv}/"):  # the venv's own (numpy.libs, pillow.libs) come with it
            tree.place(library)
    tree.write_etc(user, uid)

    document = out / sbom.lstrip("/")
    document.parent.mkdir(parents=True, exist_ok=True)
    bom = cyclonedx(debian_components(tree.sources), wheel_components(venv, wheels))
    document.write_text(json.dumps(bom, indent=1) + "\n")


class Tree:
    """The root filesystem being built, and the paths of the base each of its files was copied from."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.sources: set[str] = set()

    def place(self, path: str, stop_at: Path | None = None) -> None:
        """Copies path into the tree as it is: each symlink on the way (a file, or a directory such as
        /lib -> usr/lib) is copied as a symlink, and what it points to is placed too. Paths under
        stop_at are followed but not copied."""
        current = Path("/")
        parts = Path(path).parts[1:]
        for index, part in enumerate(parts):
            current = current / part
            if current.is_symlink():
                if not (stop_at and current.is_relative_to(stop_at)):
                    self._link(current)
                target = Path(os.path.normpath(current.parent / os.readlink(current)))
                self.place(str(target.joinpath(*parts[index + 1:])), stop_at)
                return
        if stop_at and current.is_relative_to(stop_at):
            return
        destination = self.out / current.relative_to("/")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(current, destination)
        self.sources.add(str(current))

    def place_stdlib(self, stdlib: Path) -> None:
        """The standard library less DROPPED, compiled to bytecode that replaces the sources."""
        destination = self.out / stdlib.relative_to("/")

        def ignore(directory: str, names: list[str]) -> set[str]:
            top, encodings = Path(directory) == stdlib, Path(directory) == stdlib / "encodings"
            return {name for name in names
                    if name == "__pycache__" or (top and name in DROPPED) or DROPPED_EXTENSIONS.match(name)
                    or (encodings and CJK_ENCODINGS.match(name))}

        # Symlinks become copies of what they point to (Debian links one _sysconfigdata module to another).
        shutil.copytree(stdlib, destination, ignore=ignore)
        for copied in destination.rglob("*"):
            if copied.is_file():
                self.sources.add(str(stdlib / copied.relative_to(destination)))
        # -s/-p: the bytecode names the files where the image has them, not under OUT.
        subprocess.run([sys.executable, "-m", "compileall", "-q", "-b", "-j", "0", "-s", str(self.out), "-p", "/",
                        str(destination)], check=True)
        for source in destination.rglob("*.py"):
            source.unlink()

    def write_etc(self, user: str, uid: int) -> None:
        etc = self.out / "etc"
        etc.mkdir(parents=True, exist_ok=True)
        for name, text in ETC.items():
            (etc / name).write_text(text.format(user=user, uid=uid))
        (self.out / "tmp").mkdir(exist_ok=True)
        (self.out / "tmp").chmod(0o1777)

    def _link(self, link: Path) -> None:
        copy = self.out / link.relative_to("/")
        if not copy.is_symlink():
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.symlink_to(os.readlink(link))
            self.sources.add(str(link))


def place_packages(tree: Tree, packages: list[str]) -> None:
    files = [line for package in packages
             for line in subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True,
                                        check=True).stdout.splitlines()
             if os.path.isfile(line)]  # files and links to files: not directories, nor /bin -> usr/bin
    for path in files:
        tree.place(path)
    for library in shared_libraries(Path(os.path.realpath(path)) for path in files):
        tree.place(library)


def shared_libraries(natives: Iterable[Path]) -> list[str]:
    """Every library ldd resolves for these executables and extension modules (transitively)."""
    found: set[str] = set()
    for native in natives:
        if native.is_symlink() or not native.is_file():
            continue
        result = subprocess.run(["ldd", str(native)], capture_output=True, text=True)
        if "not found" in result.stdout:
            raise SystemExit(f"rootfs: ldd cannot resolve a library of {native}:\n{result.stdout}")
        if result.returncode == 0:  # not a dynamic object: ldd says so and fails
            found.update(LDD_PATH.findall(result.stdout))
    return sorted(found)


def owners() -> dict[str, str]:
    """Path -> the Debian package that installed it, each path with its directories resolved (merged
    /usr: dpkg lists /lib/x86_64-linux-gnu/libc.so.6, which is /usr/lib/x86_64-linux-gnu/libc.so.6)."""
    owner: dict[str, str] = {}
    for listing in sorted(Path("/var/lib/dpkg/info").glob("*.list")):
        for line in listing.read_text().splitlines():
            if line.startswith("/"):
                owner[os.path.join(os.path.realpath(os.path.dirname(line)), os.path.basename(line))] = listing.stem
    return owner


def debian_components(sources: set[str]) -> list[dict]:
    owner = owners()
    files: dict[str, int] = {}
    for source in sorted(sources):
        key = os.path.join(os.path.realpath(os.path.dirname(source)), os.path.basename(source))
        if key not in owner:
            raise SystemExit(f"rootfs: no Debian package owns {source}")
        files[owner[key]] = files.get(owner[key], 0) + 1
    query = subprocess.run(["dpkg-query", "-W", "-f", "${binary:Package}\t${Version}\t${Architecture}\n"],
                           capture_output=True, text=True, check=True).stdout
    versions = {package: (version, arch)
                for package, version, arch in (line.split("\t") for line in query.splitlines())}
    components = []
    for package, count in sorted(files.items()):
        version, arch = versions[package]
        name = package.split(":")[0]
        components.append({
            "type": "library", "name": name, "version": version,
            "purl": f"pkg:deb/debian/{name}@{quote(version, safe='')}?arch={arch}&distro=debian-bookworm",
            "properties": [{"name": "digits-onnx:files", "value": str(count)}],
        })
    return components


def wheel_components(venv: Path, wheels: Path) -> list[dict]:
    """The distributions left in the venv, each with the hash of the wheel it came from."""
    components = []
    for metadata in sorted(venv.glob("lib/python3*/site-packages/*.dist-info/METADATA")):
        fields = dict(line.split(": ", 1) for line in metadata.read_text().splitlines()
                      if line.startswith(("Name: ", "Version: ")))
        name, version = fields["Name"], fields["Version"]
        stem = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}-"  # wheel file names use underscores
        wheel = [w for w in wheels.glob("*.whl") if w.name.lower().startswith(stem)]
        if len(wheel) != 1:
            raise SystemExit(f"rootfs: {len(wheel)} wheels in {wheels} for {name} {version}")
        components.append({
            "type": "library", "name": name, "version": version,
            "purl": f"pkg:pypi/{re.sub(r'[-_.]+', '-', name).lower()}@{version}",  # purl: the PEP 503 name
            "hashes": [{"alg": "SHA-256", "content": hashlib.sha256(wheel[0].read_bytes()).hexdigest()}],
            "properties": [{"name": "digits-onnx:wheel", "value": wheel[0].name}],
        })
    return components


def cyclonedx(debian: list[dict], wheels: list[dict]) -> dict:
    return {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "container", "name": "digits-onnx"}},
        "components": debian + wheels,
    }


if __name__ == "__main__":
    main()
