# sweep_delta.gp: the cost of repetition along the sweep.
# Scenario "mixture-code-share"; data: sweep_delta.dat (in this folder). Written by repsim:
# edit freely; running the scenario again overwrites it. Needs gnuplot >= 5.4.
#
# Draw it from inside this folder:
#   gnuplot sweep_delta.gp                    ->  sweep_delta.svg
#   gnuplot -e "fmt='png'" sweep_delta.gp     ->  sweep_delta.png

# A clean slate when run after other scripts (reset keeps the datafile settings).
reset
set datafile separator whitespace
set datafile nocolumnheaders
unset datafile missing
if (!exists("fmt")) fmt = "svg"
if (fmt eq "png") {
  # pngcairo draws antialiased text; plain png (libgd) is the fallback.
  if (strstrt(GPVAL_TERMINALS, " pngcairo ") > 0) {
    set terminal pngcairo size 900,560 enhanced font "sans-serif,11" background "white"
  } else {
    set terminal png size 900,560 enhanced background "#ffffff"
  }
} else {
  set terminal svg size 900,560 dynamic enhanced font "sans-serif,13" background "white"
}
set output "sweep_delta." . fmt

set datafile missing "NaN"     # points that were not evaluated
set border 3 lc "#444444"
set tics nomirror out
set grid xtics ytics lc "#e3e3e3" lw 1 dt 1
set xlabel "data.source.code.weight" noenhanced
set ylabel "loss increase over all-fresh data, delta_pct (%)" noenhanced
set title "mixture-code-share: cost of repetition" noenhanced
set key off
set xrange [*:*] noextend
set offsets graph 0.02, graph 0.02, graph 0.05, 0   # keep points off the side frames
# Reference levels: 1 %, 5 % and 10 %.
do for [level in "1 5 10"] {
  set arrow from graph 0, first level+0 to graph 1, first level+0 nohead dt 3 lc "#999999"
  set label sprintf("%s %%", level) at graph 1, first level+0 right offset -0.5, 0.6 tc "#777777"
}
plot "sweep_delta.dat" using 1:2 with linespoints lw 2.5 pt 7 ps 0.6 lc "#c0392b"
