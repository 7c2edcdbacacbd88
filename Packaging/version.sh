#!/bin/sh
# Prints optimist's version and the commit it is built from, on one line ("VERSION COMMIT"),
# for the Makefile to compile in (Package.swift) and to name the archive and the packages.
#   - in a clone, from `git describe`: on a tag vX.Y.Z, X.Y.Z; N commits after it,
#     X.Y.Z+N.gHASH; with no tag yet, BASE (below) plus the commit the same way,
#     0.1.0+N.gHASH (N counts every commit, so later builds sort later, for dpkg too);
#     changes not committed add ".dirty" (or "+dirty" on a tag);
#   - in a `git archive` tarball (GitHub's source downloads), from git-archival.txt, which git
#     fills in on export (.gitattributes: export-subst): the same from the tag, or BASE+gHASH
#     when there is none (an archive does not know N);
#   - anywhere else (a copy without .git): BASE and commit "unknown".
# `make VERSION=… COMMIT=…` overrides both.
set -eu
BASE=0.1.0
cd "$(dirname "$0")/.."
here=$(pwd -P)

# X.Y.Z from vX.Y.Z-N-gHASH[-dirty] (git describe --long), else nothing.
from_describe() {
  echo "$1" | sed -n 's/^v\([0-9][0-9.]*\)-0-g[0-9a-f]*\(-dirty\)\{0,1\}$/\1\2/p; t
    s/^v\([0-9][0-9.]*\)-\([0-9]*\)-\(g[0-9a-f]*\)\(-dirty\)\{0,1\}$/\1+\2.\3\4/p' |
    sed 's/+\(.*\)-dirty$/+\1.dirty/; s/-dirty$/+dirty/'
}

if top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$(cd "$top" && pwd -P)" = "$here" ]; then
  commit=$(git rev-parse HEAD)
  described=$(git describe --tags --match 'v[0-9]*' --long --dirty 2>/dev/null || true)
  version=$(from_describe "$described")
  if [ -z "$version" ]; then
    dirty=$(git describe --always --dirty | sed -n 's/.*-dirty$/.dirty/p')
    version="$BASE+$(git rev-list --count HEAD).g$(git rev-parse --short HEAD)$dirty"
  fi
elif [ -f Packaging/git-archival.txt ] &&
  commit=$(sed -n 's/^commit: \([0-9a-f]\{40\}\)$/\1/p' Packaging/git-archival.txt) && [ -n "$commit" ]; then
  described=$(sed -n 's/^describe: //p' Packaging/git-archival.txt)
  case $described in *-g*) ;; v*) described="$described-0-g" ;; esac
  version=$(from_describe "$described")
  version=${version:-$BASE+g$(echo "$commit" | cut -c1-7)}
else
  version=$BASE
  commit=unknown
fi
echo "$version $commit"
