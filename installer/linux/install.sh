#!/bin/sh
# Install Passerelle from this folder (the unpacked tarball).
#
#   ./install.sh             for the current user: ~/.local/opt/passerelle, menu entry,
#                            icons and ~/.local/bin/passerelle
#   sudo ./install.sh --system    for every user: /opt/passerelle, /usr/local/bin
#   ./install.sh --uninstall [--system]    remove the program (never the case files:
#                            profiles stay in ~/.local/share/Passerelle)
#
# The installed copy checks itself with `passerelle self-test` before it is used.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
scope=user
action=install
for argument in "$@"; do
    case "$argument" in
        --system) scope=system ;;
        --uninstall) action=uninstall ;;
        *) echo "usage: $0 [--system] [--uninstall]" >&2; exit 2 ;;
    esac
done

if [ "$scope" = system ]; then
    prefix=/opt/passerelle
    share=/usr/share
    bin=/usr/local/bin
else
    prefix="$HOME/.local/opt/passerelle"
    share="${XDG_DATA_HOME:-$HOME/.local/share}"
    bin="$HOME/.local/bin"
fi
sizes="16 32 48 64 128 256 512"

remove() {
    rm -rf "$prefix"
    rm -f "$share/applications/passerelle.desktop" "$bin/passerelle"
    for size in $sizes; do
        rm -f "$share/icons/hicolor/${size}x${size}/apps/passerelle.png"
    done
}

if [ "$action" = uninstall ]; then
    remove
    echo "Passerelle removed (profiles were left in place)."
    exit 0
fi

# Copy next to the old version, check it, then swap: a failed install leaves the old one.
rm -rf "$prefix.new"
mkdir -p "$prefix.new"
cp -a "$here/passerelle" "$here/_internal" "$prefix.new/"
QT_QPA_PLATFORM=offscreen "$prefix.new/passerelle" self-test >/dev/null || {
    echo "The self-test of the new copy failed: run $prefix.new/passerelle self-test" >&2
    exit 1
}
rm -rf "$prefix"
mv "$prefix.new" "$prefix"

mkdir -p "$share/applications" "$bin"
sed "s|@EXEC@|$prefix/passerelle|" "$here/passerelle.desktop" >"$share/applications/passerelle.desktop"
for size in $sizes; do
    mkdir -p "$share/icons/hicolor/${size}x${size}/apps"
    cp "$prefix/_internal/resources/icons/passerelle-$size.png" \
        "$share/icons/hicolor/${size}x${size}/apps/passerelle.png"
done
ln -sf "$prefix/passerelle" "$bin/passerelle"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
echo "Passerelle installed in $prefix."
