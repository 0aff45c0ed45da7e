#!/usr/bin/env bash
# Regenerates the screenshots the README shows, from the repository root:
#
#   bash docs/screenshots.sh
#
# docs/export-libreoffice.png  the GolfStream export's Users tab as LibreOffice
#                              renders it (headless: to PDF, then to PNG, cropped)
# docs/plan-colour.png         a coloured `secmgr plan` in a real terminal (xterm
#                              on a virtual X display)
#
# Needs: Go, LibreOffice (soffice), poppler-utils (pdftoppm), imagemagick,
# xvfb, xterm, x11-utils (xwininfo) and the DejaVu fonts; on Debian:
#   apt-get install libreoffice-calc-nogui poppler-utils imagemagick xvfb xterm x11-utils fonts-dejavu-core
set -euo pipefail

cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/bin/secmgr" ./cmd/secmgr
export PATH="$work/bin:$PATH"

# The export, rendered by LibreOffice: landscape, one page wide, as the
# export's print set-up asks. Keep the left columns of the first page.
secmgr --quiet --env examples/golfstream/environment.json export --out-dir "$work" >/dev/null
soffice --headless "-env:UserInstallation=file://$work/profile" --convert-to pdf --outdir "$work" "$work"/SecurityExtract.*.xlsx >/dev/null
pdftoppm -r 300 -f 1 -l 1 -png "$work"/SecurityExtract.*.pdf "$work/page"
convert "$work"/page-*1.png -trim +repage -crop 1460x621+0+0 +repage \
	-bordercolor white -border 16 -colors 128 -strip docs/export-libreoffice.png

# A coloured plan in xterm on a virtual display.
display=:97
Xvfb "$display" -screen 0 1400x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null; rm -rf "$work"' EXIT
sleep 1
cat >"$work/demo.sh" <<'EOF'
#!/usr/bin/env bash
printf '\033[1;32m$\033[0m secmgr plan examples/golfstream/edits/realistic.xlsx --env examples/golfstream/environment.json\n'
secmgr plan examples/golfstream/edits/realistic.xlsx --env examples/golfstream/environment.json || true
printf '\033[1;32m$\033[0m '
sleep 30
EOF
chmod +x "$work/demo.sh"
DISPLAY=$display LANG=C.UTF-8 TERM=xterm-256color xterm -fa 'DejaVu Sans Mono' -fs 10 \
	-bg '#1d1f21' -fg '#d8d8d8' -xrm 'XTerm*color1: #e06c75' -xrm 'XTerm*color2: #98c379' \
	-xrm 'XTerm*color3: #e5c07b' -xrm 'XTerm*color6: #56b6c2' \
	-geometry 140x17+0+0 -b 8 -bw 0 -title secmgr-demo -e "$work/demo.sh" &
term=$!
sleep 4
window=$(DISPLAY=$display xwininfo -root -tree | awk '/"secmgr-demo"/ {print $1; exit}')
DISPLAY=$display import -window "$window" "$work/plan.png"
kill "$term"
convert "$work/plan.png" -strip docs/plan-colour.png
ls -l docs/*.png
