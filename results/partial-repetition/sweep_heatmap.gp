# sweep_heatmap.gp: equivalent_params_ratio over two sweep axes.
# Scenario "partial-repetition"; data: sweep_heatmap.dat (in this folder). Written by repsim:
# edit freely; running the scenario again overwrites it. Needs gnuplot >= 5.4.
#
# Draw it from inside this folder:
#   gnuplot sweep_heatmap.gp                    ->  sweep_heatmap.svg
#   gnuplot -e "fmt='png'" sweep_heatmap.gp     ->  sweep_heatmap.png

# A clean slate when run after other scripts (reset keeps the datafile settings).
reset
set datafile separator whitespace
set datafile nocolumnheaders
unset datafile missing
if (!exists("fmt")) fmt = "svg"
if (fmt eq "png") {
  # pngcairo draws antialiased text; plain png (libgd) is the fallback.
  if (strstrt(GPVAL_TERMINALS, " pngcairo ") > 0) {
    set terminal pngcairo size 900,680 enhanced font "sans-serif,11" background "white"
  } else {
    set terminal png size 900,680 enhanced background "#ffffff"
  }
} else {
  set terminal svg size 900,680 dynamic enhanced font "sans-serif,13" background "white"
}
set output "sweep_heatmap." . fmt

# Colour: equivalent_params_ratio. The colour bar spans the data. Its scale is logarithmic
# only when no value is negative and the positive values span two decades or
# more; otherwise linear.
# Black lines: contours at five levels gnuplot chooses.
# Each grid point (index 0 of the data) is the centre of its own cell, coloured
# by its own value: the cells (index 1) are drawn from their lower-left corner.
set datafile missing "NaN"      # points that were not evaluated stay blank
zero_is_none = 0               # 1: a zero means "no cost" (lowest colour on a log scale)
stats "sweep_heatmap.dat" index 0 using 3 nooutput
datamin = STATS_min
datamax = STATS_max
uselog = 0
if (datamin >= 0 && datamax > 0) {
  stats "sweep_heatmap.dat" index 0 using ($3 > 0 ? $3 : 1/0) nooutput
  posmin = STATS_min
  if ((datamin > 0 || zero_is_none) && datamax >= 100 * posmin) { uselog = 1 }
}
if (uselog) {
  cbmin = posmin
  cbmax = datamax
  set logscale cb
} else {
  cbmin = datamin
  cbmax = datamax
  if (cbmax <= cbmin) {
    pad = cbmin != 0 ? 0.01 * abs(cbmin) : 1
    cbmin = cbmin - pad
    cbmax = cbmax + pad
  }
}
set cbrange [cbmin:cbmax]
set format cb "%g"
set cbtics out nomirror
set palette defined (0 "#fffff0", 1 "#fff2b2", 2 "#fed976", 3 "#fd8d3c", 4 "#e31a1c", 5 "#800026", 6 "#2b0010")
set palette negative   # more is better: dark = low = hurt

set view map
set pm3d map
set pm3d corners2color c1 scansforward   # a cell's colour: its own grid point, not a mean
set contour base
set cntrparam levels auto 5
set cntrlabel onecolor format "%.3g" font ",11" start 8 interval 60
set style textbox opaque noborder margins 1, 1
set xrange [*:*] noextend
set yrange [*:*] noextend
set border 15 lc "#444444"
set tics out nomirror
# The map view leaves wide margins of its own: place the plot explicitly.
set lmargin at screen 0.11
set rmargin at screen 0.80
set bmargin at screen 0.12
set tmargin at screen 0.88
set logscale x
set format x "%g"
set logscale y
set format y "10^{%L}"
set xlabel "data.source.repeated.weight" noenhanced
set ylabel "data.source.repeated.unique_tokens" noenhanced
set cblabel "equivalent_params_ratio" noenhanced
set title "partial-repetition: equivalent_params_ratio" noenhanced
set key off

splot "sweep_heatmap.dat" index 1 using 1:2:($3 < cbmin ? cbmin : $3) with pm3d nocontours, \
      "" index 0 using 1:2:3 with lines nosurface lc "black" lw 1.5, \
      "" index 0 using 1:2:3 with labels boxed nosurface
