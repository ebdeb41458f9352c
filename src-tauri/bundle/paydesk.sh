#!/bin/sh
# The paydesk command on Linux: the app's own program, started as the command (one
# program for both keeps the .deb and the AppImage small).
PAYDESK_AS_COMMAND=1 exec "$(dirname "$(readlink -f "$0")")/paydesk-app" "$@"
