#!/bin/sh
# Pack the bundle built by `make dist` as passerelle-<version>-linux-<arch>.tar.gz, with
# the desktop entry and install.sh. Called by `make dist-tar`; arguments: DISTDIR BUILDDIR.
# The version is asked of the bundle itself, so a bundle that does not start is not packed.
set -eu
distdir=${1:-dist}
builddir=${2:-build}
here=$(cd "$(dirname "$0")" && pwd)

version=$("$distdir/passerelle/passerelle" --version | cut -d' ' -f2)
name="passerelle-$version"
stage="$builddir/tarball"
rm -rf "$stage"
mkdir -p "$stage/$name"
cp -a "$distdir/passerelle/." "$stage/$name/"
cp "$here/passerelle.desktop" "$here/install.sh" "$here/README.md" "$stage/$name/"
chmod 755 "$stage/$name/install.sh"
archive="$distdir/$name-linux-$(uname -m).tar.gz"
tar -C "$stage" -czf "$archive" --owner=0 --group=0 "$name"
rm -rf "$stage"
echo "$archive"
