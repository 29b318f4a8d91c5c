#!/usr/bin/env python3
"""Checks petalinux/ (the meta-pprt layer) without bitbake: a small parser for the BitBake syntax the layer uses
(assignments = ?= ??= := += =+ .= =., :append / :prepend / :remove, overrides, line continuations, inherit,
shell and python functions), then
  - layer.conf: collection, pattern, LAYERSERIES_COMPAT honister, BBFILES matching the recipes;
  - pprt: a pinned SRCREV (no AUTOREV), every file:// present, DEPENDS covering every library the installed binaries
    need (readelf NEEDED of the `cmake --install` tree), inherit cmake + systemd, tests off, RRECOMMENDS xrt zocl,
    the two systemd units (oneshot doctor after dfx-mgr, the service after the doctor);
  - the package split as bitbake.conf (honister) does it: every file `cmake --install` produces (the manifest of
    tools/check-install.sh) and every unit the recipe installs lands in exactly the expected package, the runner
    plugin VART dlopens outside -dev;
  - the KV260 firmware-app template: what fpgamanager_custom requires of SRC_URI, shell.json, default_firmware.
It also checks that it fails on the mistakes the old recipe had (AUTOREV, PACKAGE_BEFORE_PN, missing DEPENDS).

usage: petalinux_recipe.py LAYER_DIR INSTALL_TREE MANIFEST
"""
import fnmatch
import json
import os
import re
import subprocess
import sys

DEFAULTS = {
    "PN": "pprt", "BPN": "pprt", "prefix": "/usr", "exec_prefix": "/usr", "base_prefix": "",
    "bindir": "/usr/bin", "sbindir": "/usr/sbin", "libexecdir": "/usr/libexec", "libdir": "/usr/lib",
    "includedir": "/usr/include", "datadir": "/usr/share", "docdir": "/usr/share/doc", "sysconfdir": "/etc",
    "base_libdir": "/lib", "base_bindir": "/bin", "base_sbindir": "/sbin", "nonarch_base_libdir": "/lib",
    "localstatedir": "/var", "sharedstatedir": "/com", "systemd_system_unitdir": "/lib/systemd/system",
    "SOLIBS": ".so.*", "SOLIBSDEV": ".so", "WORKDIR": "/work", "LAYERDIR": "LAYERDIR", "SRCPV": "1+gitX",
    "COMMON_LICENSE_DIR": "/licenses", "PACKAGE_BEFORE_PN": "",
}
# bitbake.conf (honister): PACKAGES and the FILES of the packages pprt uses
DEFAULT_PACKAGES = "${PN}-src ${PN}-dbg ${PN}-staticdev ${PN}-dev ${PN}-doc ${PN}-locale ${PACKAGE_BEFORE_PN} ${PN}"
DEFAULT_FILES = {
    "${PN}": "${bindir}/* ${sbindir}/* ${libexecdir}/* ${libdir}/lib*${SOLIBS} ${sysconfdir} ${sharedstatedir} "
             "${localstatedir} ${base_bindir}/* ${base_sbindir}/* ${base_libdir}/*${SOLIBS} ${base_prefix}/lib/udev "
             "${prefix}/lib/udev ${base_libdir}/udev ${libdir}/udev ${datadir}/${BPN} ${libdir}/${BPN}/* "
             "${datadir}/pixmaps ${datadir}/applications ${datadir}/idl ${datadir}/omf ${datadir}/sounds "
             "${libdir}/bonobo/servers",
    "${PN}-dev": "${includedir} ${base_libdir}/lib*${SOLIBSDEV} ${libdir}/lib*${SOLIBSDEV} ${libdir}/*.la "
                 "${libdir}/*.o ${libdir}/pkgconfig ${datadir}/pkgconfig ${datadir}/aclocal ${base_libdir}/*.o "
                 "${libdir}/${BPN}/*.la ${base_libdir}/*.la ${libdir}/cmake ${datadir}/cmake",
    "${PN}-staticdev": "${libdir}/*.a ${base_libdir}/*.a ${libdir}/${BPN}/*.a",
    "${PN}-doc": "${docdir} ${mandir} ${infodir} ${datadir}/gtk-doc ${datadir}/gnome/help",
    "${PN}-dbg": "/usr/lib/debug /usr/src/debug",
    "${PN}-src": "", "${PN}-locale": "${datadir}/locale",
}
# what each NEEDED library comes from: the toolchain, or the recipe that must be in DEPENDS
NEEDED_RECIPE = [(r"^lib(c|m|dl|pthread|rt|gcc_s|stdc\+\+)\.so|^ld-linux", None), (r"^libvart-", "vart"),
                 (r"^libxir\.", "xir"), (r"^libunilog\.", "unilog"), (r"^libglog\.", "glog"),
                 (r"^libjson-c\.", "json-c"), (r"^libpng", "libpng"), (r"^libdrm\.", "libdrm"),
                 (r"^libpprt(-nusc)?\.", "(self)")]


class ParseError(Exception):
    pass


ASSIGN = re.compile(r'^(export\s+)?([A-Za-z0-9_${}\-.:/+~]+?)(\[[A-Za-z0-9_\-]+\])?\s*'
                    r'(\?\?=|\?=|:=|\+=|=\+|\.=|=\.|=)\s*(.*)$')
FUNC = re.compile(r'^(python\s+)?([A-Za-z0-9_${}\-.:]*)\s*\(\)\s*\{\s*$|^python\s*\(\)\s*\{\s*$')


def parse(text, name):
    """-> (vars: {name: [(op, value)]}, inherits, functions {name: body})"""
    lines = text.split("\n")
    out, inherits, funcs = {}, [], {}
    i = 0
    while i < len(lines):
        n0 = i + 1
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = FUNC.match(line.strip())
        if m:
            fname = (m.group(2) or "anonymous") if m.lastindex else "anonymous"
            body = []
            while i < len(lines) and lines[i].rstrip() != "}":
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise ParseError(f"{name}:{n0}: function {fname} has no closing '}}'")
            i += 1
            funcs[fname] = "\n".join(body)
            continue
        while line.endswith("\\"):
            if i >= len(lines):
                raise ParseError(f"{name}:{n0}: line continuation at the end of the file")
            line = line[:-1] + lines[i]
            i += 1
        s = line.strip()
        if s.startswith("inherit "):
            inherits += s.split()[1:]
            continue
        if s.startswith(("require ", "include ")):
            continue
        m = ASSIGN.match(s)
        if not m:
            raise ParseError(f"{name}:{n0}: not BitBake syntax: {s}")
        var, flag, op, val = m.group(2), m.group(3), m.group(4), m.group(5).strip()
        if len(val) < 2 or val[0] not in "\"'" or val[-1] != val[0] or val[0] in val[1:-1].replace("\\" + val[0], ""):
            raise ParseError(f"{name}:{n0}: {var}: the value must be one quoted string: {val}")
        if flag:
            continue
        out.setdefault(var, []).append((op, val[1:-1]))
    return out, inherits, funcs


def expand(s, env, depth=0):
    if depth > 20:
        raise ParseError(f"recursive expansion: {s}")
    if "${@" in s:
        raise ParseError(f"python expansion not supported here: {s}")
    def one(m):
        n = m.group(1)
        if n in env:
            return expand(env[n], env, depth + 1)
        if "__vars__" in env and n in env["__vars__"]:
            return value(env["__vars__"], n, env)
        return m.group(0)
    return re.sub(r"\$\{([A-Za-z0-9_]+)\}", one, s)


def value(vars_, name, env, default=""):
    """Apply the operations on name (and name:append / :prepend / :remove) in order, then expand."""
    v = None
    for op, x in vars_.get(name, []):
        if op == "=" or op == ":=":
            v = x
        elif op in ("?=", "??="):
            v = x if v is None else v
        elif op == "+=":
            v = (v or default) + " " + x
        elif op == "=+":
            v = x + " " + (v or default)
        elif op == ".=":
            v = (v or default) + x
        elif op == "=.":
            v = x + (v or default)
    v = default if v is None else v
    for op, x in vars_.get(name + ":append", []):
        v += x
    for op, x in vars_.get(name + ":prepend", []):
        v = x + v
    v = expand(v, env)
    for op, x in vars_.get(name + ":remove", []):
        rm = set(expand(x, env).split())
        v = " ".join(w for w in v.split() if w not in rm)
    return v


class Checks:
    def __init__(self):
        self.failures = []

    def ok(self, cond, msg):
        if not cond:
            self.failures.append(msg)
        return cond


def package_of(path, packages, files):
    for p in packages:
        for pat in files.get(p, "").split():
            if path == pat or fnmatch.fnmatchcase(path, pat) or path.startswith(pat.rstrip("/") + "/"):
                return p
    return None


def check_pprt(recipe_text, files_dir, install_tree, manifest, c):
    vars_, inherits, funcs = parse(recipe_text, "pprt_git.bb")
    env = dict(DEFAULTS, __vars__=vars_)
    get = lambda n, d="": value(vars_, n, env, d)
    c.ok(not any("AUTOREV" in x for ops in vars_.values() for _, x in ops),
         "the recipe uses AUTOREV: bitbake cannot parse it offline")
    c.ok(re.fullmatch(r"[0-9a-f]{40}", get("SRCREV")) is not None, f"SRCREV is not a pinned commit: '{get('SRCREV')}'")
    c.ok(get("LICENSE") != "", "no LICENSE")
    env["PV"] = get("PV")
    src = get("SRC_URI").split()
    c.ok(any(u.startswith("git://") for u in src), "SRC_URI fetches no git repository")
    for u in src:
        if u.startswith("file://"):
            c.ok(os.path.isfile(os.path.join(files_dir, u[7:].split(";")[0])), f"SRC_URI names missing {u}")
    for f in os.listdir(files_dir):
        c.ok(f"file://{f}" in src, f"files/{f} is not in SRC_URI")
    for cls in ("cmake", "systemd"):
        c.ok(cls in inherits, f"inherit {cls} missing")
    c.ok("-DPPRT_BUILD_TESTS=OFF" in get("EXTRA_OECMAKE"), "EXTRA_OECMAKE does not turn the tests off")
    depends = set(get("DEPENDS").split())
    # every library the installed binaries need is built by a recipe in DEPENDS
    for f in manifest:
        p = os.path.join(install_tree, f)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        r = subprocess.run(["readelf", "-d", p], capture_output=True, text=True)
        if r.returncode != 0:
            continue
        for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout):
            if re.match(r"lib(asan|ubsan|lsan|tsan)\.so", lib):
                continue  # sanitizer runtimes of a -DPPRT_SANITIZE=ON test build; a recipe never builds with them
            rec = [rc for rx, rc in NEEDED_RECIPE if re.search(rx, lib)]
            if not c.ok(rec, f"{f} needs {lib}: no recipe known for it (add it to DEPENDS and to this test)"):
                continue
            if rec[0] not in (None, "(self)"):
                c.ok(rec[0] in depends, f"{f} needs {lib}, but DEPENDS lacks {rec[0]}")
    rrec = get("RRECOMMENDS:${PN}").split()
    for p in ("xrt", "zocl"):
        c.ok(p in rrec, f"RRECOMMENDS:${{PN}} lacks {p}")
    # the package split
    packages = [expand(p, env) for p in value(vars_, "PACKAGES", env, DEFAULT_PACKAGES).split()]
    files = {}
    for key, default in DEFAULT_FILES.items():
        files[expand(key, env)] = value(vars_, "FILES:" + key, env, default)
    for key in vars_:
        if key.startswith("FILES:") and ":append" not in key and ":remove" not in key:
            files[expand(key[6:], env)] = value(vars_, key, env, DEFAULT_FILES.get(key[6:], ""))
    install_body = funcs.get("do_install:append", "") + funcs.get("do_install", "")
    units = {u: "/lib/systemd/system/" + u for u in ("pprt-doctor.service", "pprt.service")}
    extra = list(units.values())
    if "/etc/default/pprt" in expand(install_body, env) or "${sysconfdir}/default/pprt" in install_body:
        extra.append("/etc/default/pprt")
    for u in units:
        c.ok(u in install_body, f"do_install does not install {u}")
    where = {}
    for f in manifest:
        top, _, rest = f.partition("/")
        base = {"bin": "/usr/bin", "lib": "/usr/lib", "include": "/usr/include", "share": "/usr/share"}.get(top)
        if not c.ok(base is not None, f"cmake --install puts {f} outside bin/ lib/ include/ share/"):
            continue
        where[base + "/" + rest] = None
    for e in extra:
        where[e] = None
    for path in where:
        where[path] = package_of(path, packages, files)
        c.ok(where[path] is not None, f"{path} is installed but in no package (installed-vs-shipped)")
    want = {"/usr/lib/libpprt-cpu-runner.so": "pprt-cpu-runner", "/usr/bin/pprt": "pprt", "/usr/bin/pprt-check": "pprt",
            "/usr/lib/libpprt.so": "pprt-dev", "/usr/include/pprt/pprt.h": "pprt-dev",
            "/usr/include/pprt/doctor.h": "pprt-dev", "/usr/share/pprt/nuscenes_sample.info": "pprt",
            "/lib/systemd/system/pprt-doctor.service": "pprt", "/lib/systemd/system/pprt.service": "pprt-service",
            "/etc/default/pprt": "pprt"}
    for path, pkg in want.items():
        if c.ok(path in where, f"{path} is not installed (cmake --install / do_install)"):
            c.ok(where[path] == pkg, f"{path} goes to package {where[path]}, expected {pkg}")
    for f in where:
        if re.search(r"/libpprt(-nusc)?\.so\.[0-9.]+$", f):
            c.ok(where[f] == "pprt", f"{f} goes to {where[f]}, expected pprt")
        # pprt bench's LD_PRELOAD shim is a runtime file (no sanitizer build installs one)
        if f.endswith("/libpprt-alloccount.so"):
            c.ok(f == "/usr/lib/pprt/libpprt-alloccount.so" and where[f] == "pprt",
                 f"{f} goes to {where[f]}, expected /usr/lib/pprt/libpprt-alloccount.so in pprt")
    # systemd
    svc = {p: get("SYSTEMD_SERVICE:" + p).split() for p in ("${PN}", "${PN}-service")}
    c.ok(svc["${PN}"] == ["pprt-doctor.service"], f"SYSTEMD_SERVICE:${{PN}} is {svc['${PN}']}")
    c.ok(svc["${PN}-service"] == ["pprt.service"], f"SYSTEMD_SERVICE:${{PN}}-service is {svc['${PN}-service']}")
    c.ok("pprt-service" in [expand(p, env) for p in get("SYSTEMD_PACKAGES").split()], "SYSTEMD_PACKAGES lacks the service")
    return files


def unit(path):
    sec, out = None, {}
    for line in open(path):
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            sec = line[1:-1]
        elif "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            out.setdefault((sec, k), []).append(v)
    return out


def check_units(files_dir, c):
    d = unit(os.path.join(files_dir, "pprt-doctor.service"))
    c.ok(d.get(("Service", "Type")) == ["oneshot"], "pprt-doctor.service is not Type=oneshot")
    c.ok("dfx-mgr.service" in " ".join(d.get(("Unit", "After"), [])), "pprt-doctor.service does not run after dfx-mgr")
    c.ok("/usr/bin/pprt doctor" in " ".join(d.get(("Service", "ExecStart"), [])), "pprt-doctor.service runs no pprt doctor")
    s = unit(os.path.join(files_dir, "pprt.service"))
    for k in ("Requires", "After"):
        c.ok("pprt-doctor.service" in " ".join(s.get(("Unit", k), [])), f"pprt.service: {k}= lacks pprt-doctor.service")
    c.ok("/usr/bin/pprt run" in " ".join(s.get(("Service", "ExecStart"), [])), "pprt.service runs no pprt run")


def check_firmware(recipe_dir, c):
    name = os.path.basename(recipe_dir)
    text = open(os.path.join(recipe_dir, name + ".bb")).read()
    vars_, inherits, funcs = parse(text, name + ".bb")
    env = dict(DEFAULTS, PN=name, BPN=name)
    src = value(vars_, "SRC_URI", env).split()
    c.ok("fpgamanager_custom" in inherits, f"{name}: does not inherit fpgamanager_custom")
    # fpgamanager_custom skips the recipe unless SRC_URI has one .dtsi, one .bit and one shell.json
    for ext in (".dtsi", ".bit", "shell.json"):
        c.ok(sum(ext in u for u in src) == 1, f"{name}: SRC_URI needs exactly one {ext}")
    c.ok(any(u.endswith(".xclbin") for u in src), f"{name}: SRC_URI has no .xclbin (VART needs it)")
    shell = json.load(open(os.path.join(recipe_dir, "files", "shell.json")))
    c.ok(shell.get("shell_type") == "XRT_FLAT", f"{name}: shell.json is not XRT_FLAT (dfx-mgr writes vart.conf only for it)")
    c.ok("/dfx-mgrd/default_firmware" in funcs.get("do_install:append", ""), f"{name}: default_firmware not installed")
    files = value(vars_, "FILES:${PN}-default", env)
    c.ok(files == "/etc/dfx-mgrd/default_firmware", f"{name}: FILES:${{PN}}-default is '{files}'")


def check_layer(layer, c):
    vars_, _, _ = parse(open(os.path.join(layer, "conf", "layer.conf")).read(), "layer.conf")
    env = dict(DEFAULTS, LAYERDIR=layer)
    c.ok("pprt" in value(vars_, "BBFILE_COLLECTIONS", env).split(), "layer.conf: no collection pprt")
    c.ok(value(vars_, "BBFILE_PATTERN_pprt", env) == "^" + layer + "/", "layer.conf: BBFILE_PATTERN_pprt")
    c.ok("honister" in value(vars_, "LAYERSERIES_COMPAT_pprt", env).split(), "layer.conf: not compatible with honister")
    globs = value(vars_, "BBFILES", env).split()
    recipes = []
    for root, _, fs in os.walk(layer):
        recipes += [os.path.join(root, f) for f in fs if f.endswith(".bb")]
    c.ok(len(recipes) >= 2, "layer: fewer than two recipes")
    for r in recipes:
        c.ok(any(fnmatch.fnmatch(r, g) for g in globs), f"layer.conf: BBFILES does not match {r}")


def main():
    layer, tree, manifest_path = sys.argv[1:4]
    layer = os.path.abspath(layer)
    manifest = [l for l in open(manifest_path).read().split("\n") if l]
    pprt_dir = os.path.join(layer, "recipes-ai", "pprt")
    recipe = open(os.path.join(pprt_dir, "pprt_git.bb")).read()
    c = Checks()
    check_layer(layer, c)
    check_pprt(recipe, os.path.join(pprt_dir, "files"), tree, manifest, c)
    check_units(os.path.join(pprt_dir, "files"), c)
    check_firmware(os.path.join(layer, "recipes-firmware", "kv260-pprt-dpu"), c)
    for f in c.failures:
        print("FAIL:", f)
    # The checks must catch the old recipe's mistakes.
    bad_cases = {
        "AUTOREV": recipe.replace(re.search(r'SRCREV = "[0-9a-f]+"', recipe).group(0), 'SRCREV ?= "${AUTOREV}"'),
        "PACKAGE_BEFORE_PN": recipe.replace('PACKAGES =+ "${PN}-cpu-runner ${PN}-service"',
                                            'PACKAGE_BEFORE_PN += "${PN}-cpu-runner ${PN}-service"'),
        "DEPENDS": recipe.replace("json-c libpng libdrm", "libdrm"),
        "syntax": recipe.replace('PV = "0.1.0+git${SRCPV}"', 'PV = "0.1.0+git${SRCPV}'),
    }
    caught = 0
    for what, text in bad_cases.items():
        cc = Checks()
        try:
            check_pprt(text, os.path.join(pprt_dir, "files"), tree, manifest, cc)
        except ParseError as e:
            cc.failures.append(str(e))
        if cc.failures:
            caught += 1
        else:
            print(f"FAIL: the check does not notice a broken recipe ({what})")
    print(f"layer {layer}: {len(manifest)} installed files, {len(c.failures)} failures; "
          f"{caught}/{len(bad_cases)} broken recipes caught")
    return 0 if not c.failures and caught == len(bad_cases) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ParseError as e:
        print("FAIL:", e)
        sys.exit(1)
