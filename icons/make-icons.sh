#!/usr/bin/env bash
# Draws the tray icons (one per state: ok, expiring, needs-you, error) at
# the sizes panels use, the app icon (also at every size the packages
# install), and a contact sheet of every icon on a light and a dark panel
# (docs/tray-icons.png, magnified 4x, pixels kept sharp). Needs
# ImageMagick 6 (`convert`). Each size is drawn at that size, not scaled
# down, so edges fall on whole pixels.
set -euo pipefail
cd "$(dirname "$0")"

SIZES=(16 22 24 32 64)

# fill, outline, glyph colour per state
declare -A FILL=([ok]='#2E9E48' [expiring]='#F2B01E' [needs-you]='#D93025' [error]='#7B5CC4')
declare -A EDGE=([ok]='#17602A' [expiring]='#8A5F00' [needs-you]='#8C1810' [error]='#3F2A78')
declare -A INK=([ok]='#FFFFFF' [expiring]='#3A2800' [needs-you]='#FFFFFF' [error]='#FFFFFF')

# glyph STATE SIZE: the ImageMagick draw primitives of the glyph.
glyph() {
  local state=$1 s=$2
  awk -v s="$s" -v state="$state" 'BEGIN {
    c = (s - 1) / 2
    if (state == "ok") {
      printf "polyline %.2f,%.2f %.2f,%.2f %.2f,%.2f", c - 0.27*s, c + 0.02*s, c - 0.08*s, c + 0.21*s, c + 0.27*s, c - 0.19*s
    } else if (state == "expiring") {
      # clock hands: to twelve and to three
      printf "polyline %.2f,%.2f %.2f,%.2f %.2f,%.2f", c, c - 0.28*s, c, c, c + 0.22*s, c
    } else if (state == "needs-you") {
      # a bar and a dot on whole pixels, a clear gap between them
      w = (s < 20) ? 1 : int(0.07*s + 0.5)
      bt = int(c - 0.31*s) + 0.5; bb = int(c + 0.08*s) + 0.5
      dt = bb + ((s < 20) ? 2 : int(0.09*s + 0.5)); db = dt + 2*w
      printf "rectangle %.2f,%.2f %.2f,%.2f ", c - w, bt, c + w, bb
      printf "rectangle %.2f,%.2f %.2f,%.2f", c - w, dt, c + w, db
    } else {
      d = 0.20*s
      printf "line %.2f,%.2f %.2f,%.2f line %.2f,%.2f %.2f,%.2f", c-d, c-d, c+d, c+d, c-d, c+d, c+d, c-d
    }
  }'
}

draw() {
  local state=$1 s=$2 out=$3
  local c r sw
  c=$(awk -v s="$s" 'BEGIN { printf "%.2f", (s - 1) / 2 }')
  r=$(awk -v s="$s" 'BEGIN { printf "%.2f", s / 2 - 0.75 }')
  sw=$(awk -v s="$s" 'BEGIN { w = s / 9; if (w < 1.6) w = 1.6; printf "%.2f", w }')
  local glyph_fill="none" glyph_stroke="${INK[$state]}"
  # The exclamation mark is filled, not stroked: its edges stay on pixels.
  [ "$state" = needs-you ] && glyph_fill="${INK[$state]}" && glyph_stroke="none"
  convert -size "${s}x${s}" xc:none \
    -fill "${FILL[$state]}" -stroke "${EDGE[$state]}" -strokewidth 1 \
    -draw "circle $c,$c $c,$(awk -v c="$c" -v r="$r" 'BEGIN { printf "%.2f", c - r }')" \
    -fill "$glyph_fill" -stroke "$glyph_stroke" -strokewidth "$sw" \
    -draw "stroke-linecap round stroke-linejoin round $(glyph "$state" "$s")" \
    PNG32:"$out"
}

for state in ok expiring needs-you error; do
  for s in "${SIZES[@]}"; do
    draw "$state" "$s" "tray-$state-$s.png"
  done
done
draw ok 128 icon.png
draw ok 32 32x32.png
# The app icon at the standard hicolor sizes, for the packages
# (/usr/share/icons/hicolor/SxS/apps/leasekeeper.png).
for s in 16 22 24 32 48 64 128 256 512; do
  draw ok "$s" "leasekeeper-$s.png"
done

# The contact sheet: each size in a row, each state on a light and a dark panel.
sheet_row() {
  local s=$1 panel=$2 tiles=()
  for state in ok expiring needs-you error; do
    local t
    t=$(mktemp --suffix=.png)
    convert -size "$((s + 8))x$((s + 8))" "xc:$panel" "tray-$state-$s.png" -gravity center -composite "$t"
    tiles+=("$t")
  done
  convert "${tiles[@]}" +append -filter point -resize 400% "$3"
  rm -f "${tiles[@]}"
}
rows=()
for s in 16 22 24 32; do
  light=$(mktemp --suffix=.png); dark=$(mktemp --suffix=.png)
  sheet_row "$s" '#EDEDED' "$light"
  sheet_row "$s" '#2B2B2B' "$dark"
  row=$(mktemp --suffix=.png)
  convert "$light" "$dark" +append "$row"
  rows+=("$row")
  rm -f "$light" "$dark"
done
convert "${rows[@]}" -background '#888888' -gravity west -append ../docs/tray-icons.png
rm -f "${rows[@]}"
echo "icons written; contact sheet in docs/tray-icons.png"
