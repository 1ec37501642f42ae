# compare.gp: the variants, ranked by predicted loss.
# Scenario "70b-500b-unique-2t"; data: compare.dat, the columns of compare.csv it needs (in this folder). Written by repsim:
# edit freely; running the scenario again overwrites it. Needs gnuplot >= 5.4.
#
# Draw it from inside this folder:
#   gnuplot compare.gp                    ->  compare.svg
#   gnuplot -e "fmt='png'" compare.gp     ->  compare.png

# A clean slate when run after other scripts (reset keeps the datafile settings).
reset
set datafile separator whitespace
set datafile nocolumnheaders
unset datafile missing
if (!exists("fmt")) fmt = "svg"
if (fmt eq "png") {
  # pngcairo draws antialiased text; plain png (libgd) is the fallback.
  if (strstrt(GPVAL_TERMINALS, " pngcairo ") > 0) {
    set terminal pngcairo size 900,382 enhanced font "sans-serif,11" background "white"
  } else {
    set terminal png size 900,382 enhanced background "#ffffff"
  }
} else {
  set terminal svg size 900,382 dynamic enhanced font "sans-serif,13" background "white"
}
set output "compare." . fmt

n = 4          # variants, one per row of compare.dat, best first

# Each bar runs from the loss of the same run on all-fresh data (the dot) to the
# predicted loss with repetition: its length is delta, what repetition costs.
# The axis need not start at zero: the bars are differences of losses.
stats "compare.dat" using 3:4 nooutput
lo = STATS_min_x < STATS_min_y ? STATS_min_x : STATS_min_y
hi = STATS_max_x > STATS_max_y ? STATS_max_x : STATS_max_y
span = hi > lo ? hi - lo : 0.01 * hi
set xrange [lo - 0.05 * span : hi + 0.35 * span]
set yrange [n + 0.6 : 0.4]

set border 1 lc "#444444"
set xtics nomirror out
set ytics scale 0 noenhanced
set grid xtics lc "#e3e3e3"
set xlabel "predicted loss (nats/token)\ndot: the same run on all-fresh data;  bar: what repetition costs (delta)"
set title "70b-500b-unique-2t: variants ranked by predicted loss (best at top)" noenhanced
set key off
set style fill solid 0.85 noborder

plot "compare.dat" using (($3 + $4) / 2):1:(($4 - $3) / 2):(0.3):ytic(2) with boxxyerror \
       lc "#c0392b" title "cost of repetition (delta)", \
     "" using 3:1 with points pt 7 ps 0.9 lc "#2471a3" title "the same run on all-fresh data", \
     "" using 4:1:(sprintf("  %.3f  (+%.3g %%)", $4, $6)) with labels left tc "#333333" notitle
